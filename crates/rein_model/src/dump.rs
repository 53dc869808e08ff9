//! A readable dump of what a frontend extracted, for snapshot tests: every element with its
//! `line:col-line:col` position (characters, one-based) and the source text it came from.

use std::fmt::Write as _;

use rein_text::{ColumnUnit, LineIndex, Span};

use crate::policy::{PolicyDocument, PolicyKind, PrincipalBody, SpannedValue, UnknownPolicy, ValueList};
use crate::value::Value;

/// Dumps documents, unknown policies and syntax issues. `texts` holds `(name, text)` per file,
/// indexed by `FileId`.
pub fn dump_model(
    texts: &[(String, String)],
    documents: &[PolicyDocument],
    unknowns: &[UnknownPolicy],
    issues: &[(Span, String)],
) -> String {
    let mut dumper = Dumper { texts, out: String::new() };
    dumper.output(documents, unknowns, issues);
    dumper.out
}

struct Dumper<'a> {
    texts: &'a [(String, String)],
    out: String,
}

impl Dumper<'_> {
    fn at(&self, span: Span) -> String {
        let Some((name, text)) = self.texts.get(span.file.0 as usize) else { return "?".to_owned() };
        let index = LineIndex::new(text);
        let start = index.line_col(span.range.start(), ColumnUnit::Char);
        let end = index.line_col(span.range.end(), ColumnUnit::Char);
        let slice = rein_text::slice(text, span.range).unwrap_or("<bad range>");
        let slice = if slice.len() > 60 || slice.contains('\n') {
            format!("{}…", slice.lines().next().unwrap_or_default().chars().take(40).collect::<String>())
        } else {
            slice.to_owned()
        };
        format!("{name}:{start}-{end} `{slice}`")
    }

    fn value(&mut self, indent: &str, label: &str, value: &SpannedValue) {
        let shown = match &value.value {
            Value::Known(text) => format!("{text:?}"),
            other => format!("{other} {:?}", other.unknown_reasons()),
        };
        let at = self.at(value.span);
        let _ = writeln!(self.out, "{indent}{label} = {shown} @ {at}");
    }

    fn list(&mut self, indent: &str, label: &str, list: &ValueList) {
        let key = self.at(list.key.span);
        let _ = writeln!(self.out, "{indent}{label} ({:?}) key @ {key}", list.form);
        if let Some(unknown) = &list.unknown {
            let _ = writeln!(self.out, "{indent}  unknown: {}", unknown.reason);
        }
        for item in &list.items {
            self.value(&format!("{indent}  "), "-", item);
        }
    }

    fn document(&mut self, doc: &PolicyDocument) {
        let owner = doc.origin.owner.as_deref().unwrap_or("-");
        let attribute = doc.origin.attribute.as_deref().unwrap_or("-");
        let at = self.at(doc.span);
        let _ = writeln!(
            self.out,
            "document {owner} {attribute}: {} ({:?}) {:?} size={:?} @ {at}",
            doc.kind.as_str(),
            doc.kind_source,
            doc.origin.syntax,
            doc.size.map(|size| size.minified)
        );
        if let PolicyKind::Resource { service } = &doc.kind {
            let _ = writeln!(self.out, "  service: {service:?}");
        }
        if let Some(version) = &doc.version {
            self.value("  ", "Version", version);
        }
        for issue in &doc.issues {
            let at = self.at(issue.span);
            let _ = writeln!(self.out, "  issue {:?}: {} @ {at}", issue.kind, issue.message);
        }
        for stmt in &doc.statements {
            let at = self.at(stmt.span);
            let _ = writeln!(self.out, "  statement {} @ {at}", stmt.index);
            if let Some(sid) = &stmt.sid {
                self.value("    ", "Sid", sid);
            }
            if let Some(effect) = &stmt.effect {
                self.value("    ", "Effect", effect);
            }
            for (label, list) in [
                ("Action", &stmt.action),
                ("NotAction", &stmt.not_action),
                ("Resource", &stmt.resource),
                ("NotResource", &stmt.not_resource),
            ] {
                if let Some(list) = list {
                    self.list("    ", label, list);
                }
            }
            for (label, principal) in [("Principal", &stmt.principal), ("NotPrincipal", &stmt.not_principal)] {
                let Some(principal) = principal else { continue };
                match &principal.body {
                    PrincipalBody::Scalar(value) => self.value("    ", label, value),
                    PrincipalBody::Map(lists) => {
                        for (kind, list) in lists {
                            self.list("    ", &format!("{label}.{}", kind.as_str()), list);
                        }
                    }
                    PrincipalBody::Unknown(unknown) => {
                        let _ = writeln!(self.out, "    {label} unknown: {}", unknown.reason);
                    }
                }
            }
            if let Some(block) = &stmt.condition {
                if let Some(unknown) = &block.unknown {
                    let _ = writeln!(self.out, "    Condition unknown: {}", unknown.reason);
                }
                for (op, entry) in block.entries() {
                    let key = self.at(entry.key.span);
                    let _ = writeln!(self.out, "    Condition {} {} key @ {key}", op.key.name, entry.key.name);
                    if let Some(unknown) = &entry.unknown {
                        let _ = writeln!(self.out, "      unknown: {}", unknown.reason);
                    }
                    for value in &entry.values {
                        self.value("      ", "-", &value.value);
                    }
                }
            }
        }
    }

    fn output(&mut self, documents: &[PolicyDocument], unknowns: &[UnknownPolicy], issues: &[(Span, String)]) {
        for doc in documents {
            self.document(doc);
        }
        for unknown in unknowns {
            let at = self.at(unknown.span);
            let _ = writeln!(
                self.out,
                "unknown policy {} {} ({}): {} @ {at}",
                unknown.owner,
                unknown.attribute,
                unknown.kind.as_str(),
                unknown.reason
            );
        }
        for (span, message) in issues {
            let at = self.at(*span);
            let _ = writeln!(self.out, "syntax: {message} @ {at}");
        }
    }
}

/// Dumps entities, module calls and suppressions, in the style of [`dump_model`].
pub fn dump_inventory(
    texts: &[(String, String)],
    entities: &[crate::inventory::Entity],
    modules: &[crate::inventory::ModuleCall],
    suppressions: &[crate::inventory::Suppression],
) -> String {
    let mut dumper = Dumper { texts, out: String::new() };
    for entity in entities {
        let at = dumper.at(entity.span);
        let _ = writeln!(
            dumper.out,
            "entity {} {} ({}) @ {at}",
            entity.kind.as_str(),
            entity.address,
            entity.resource_type
        );
        if let Some(why) = &entity.conditional {
            let _ = writeln!(dumper.out, "  conditional: {why}");
        }
        for attribute in &entity.attributes {
            dumper.node("  ", &attribute.name, &attribute.value);
        }
    }
    for module in modules {
        let at = dumper.at(module.span);
        let _ = writeln!(dumper.out, "module {} source {:?} @ {at}", module.address, module.source);
        if let Some(why) = &module.not_analysed {
            let _ = writeln!(dumper.out, "  not analysed: {why}");
        }
        for attribute in &module.arguments {
            dumper.node("  ", &attribute.name, &attribute.value);
        }
    }
    for suppression in suppressions {
        let at = dumper.at(suppression.span);
        let _ = writeln!(
            dumper.out,
            "suppress {} ({:?}, {:?}) reason {:?} @ {at}",
            suppression.rule, suppression.syntax, suppression.scope, suppression.reason
        );
    }
    dumper.out
}

impl Dumper<'_> {
    fn node(&mut self, indent: &str, label: &str, node: &crate::tree::Node) {
        use crate::tree::NodeKind;
        let at = self.at(node.span);
        match &node.kind {
            NodeKind::Object(object) => {
                let _ = writeln!(self.out, "{indent}{label} = {{ @ {at}");
                for member in &object.members {
                    self.node(&format!("{indent}  "), &member.key.name, &member.value);
                }
            }
            NodeKind::Array(items) => {
                let _ = writeln!(self.out, "{indent}{label} = [ @ {at}");
                for item in items {
                    self.node(&format!("{indent}  "), "-", item);
                }
            }
            NodeKind::String(value) => {
                let shown = match value {
                    Value::Known(text) => format!("{text:?}"),
                    other => format!("{other} {:?}", other.unknown_reasons()),
                };
                let refers = refers(value.reference());
                let _ = writeln!(self.out, "{indent}{label} = {shown}{refers} @ {at}");
            }
            NodeKind::Number(text) => {
                let _ = writeln!(self.out, "{indent}{label} = {text} @ {at}");
            }
            NodeKind::Bool(value) => {
                let _ = writeln!(self.out, "{indent}{label} = {value} @ {at}");
            }
            NodeKind::Null => {
                let _ = writeln!(self.out, "{indent}{label} = null @ {at}");
            }
            NodeKind::Unknown(unknown) => {
                let refers = refers(unknown.reference.as_ref());
                let _ = writeln!(self.out, "{indent}{label} = unknown ({}){refers} @ {at}", unknown.reason);
            }
        }
    }
}

/// ` -> entity.attribute` for a value that refers to an entity.
fn refers(reference: Option<&crate::value::Reference>) -> String {
    reference.map(|r| format!(" -> {}.{}", r.entity, r.attribute)).unwrap_or_default()
}
