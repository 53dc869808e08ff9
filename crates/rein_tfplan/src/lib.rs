//! `terraform show -json` plan files → model: the IAM policy documents of planned resources, with
//! spans into the plan file.
//!
//! A plan holds each policy as a JSON *string* inside the plan JSON. The string is decoded with a
//! [`SpanMap`] built escape by escape, so every span of the read document (an action, a principal)
//! points at the raw, still escaped bytes of the plan file, e.g. `\"s3:GetObject\"`.
//!
//! **Architecture invariant:** plan JSON is read-only. Documents carry the resource address as
//! their owner, and no renderer exists here, so no fix is ever offered for a plan.
//!
//! The format is Terraform's JSON output format
//! (<https://developer.hashicorp.com/terraform/internals/json-format>), as of Terraform 1.9.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

mod decode;
mod entities;

use std::collections::HashMap;

use jsonc_parser::ast::{Object, ObjectProp, Value as Json};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};
use rein_model::json::parse_policy;
use rein_model::{DocumentOrigin, PolicyDocument, PolicyKind, SourceSyntax};
use rein_text::{FileId, Span};

pub use rein_model::UnknownPolicy;

/// The reason given for a policy that Terraform will only know after apply.
pub const AFTER_APPLY: &str = "known only after apply";

/// How deep `child_modules` nest before the walk stops; real trees stay below ten.
const MAX_MODULE_DEPTH: usize = 32;

/// What a plan file yields.
#[derive(Debug, Default)]
pub struct PlanOutput {
    /// The policy documents, in the order their resources appear in the plan.
    pub documents: Vec<PolicyDocument>,
    /// Problems of the plan file itself (not JSON, not a plan), sorted by position.
    pub issues: Vec<(Span, String)>,
    /// Policy-bearing attributes whose value is known only after apply; nothing is dropped silently.
    pub unknown_policies: Vec<UnknownPolicy>,
    /// The IaC entities of the plan's planned values (roles, users, attachments, account
    /// settings, baseline services), named by their resource addresses.
    pub entities: Vec<rein_model::Entity>,
}

/// Whether `text` looks like `terraform show -json` output: a top-level object with
/// `format_version` and `planned_values`, `resource_changes` or `prior_state`.
///
/// This is a cheap textual check that does not parse the file.
pub fn is_plan(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('{')
        && text.contains("\"format_version\"")
        && ["\"planned_values\"", "\"resource_changes\"", "\"prior_state\""].iter().any(|key| text.contains(key))
}

/// Reads the policy documents of a plan file. Never fails: a broken file yields `issues`.
pub fn analyze_plan(file: FileId, text: &str) -> PlanOutput {
    let mut out = PlanOutput::default();
    let span = |start: usize, end: usize| Span::from_offsets(file, start, end);
    let parsed = match jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default()) {
        Ok(parsed) => parsed,
        Err(err) => {
            let range = err.range();
            out.issues.push((
                span(range.start, range.end.max(range.start)),
                format!("the plan file is not valid JSON: {}", err.kind()),
            ));
            return out;
        }
    };
    let Some(Json::Object(root)) = parsed.value else {
        out.issues.push((span(0, text.len()), "the plan file is not a JSON object".to_owned()));
        return out;
    };
    if root.get("format_version").is_none() {
        out.issues.push((
            span(root.range.start, root.range.start + 1),
            "not a Terraform plan: `format_version` is missing".to_owned(),
        ));
        return out;
    }

    let changes = change_index(&root);
    let mut reader = Reader { file, text, out: &mut out };
    match root.get_object("planned_values").and_then(|planned| planned.get_object("root_module")) {
        Some(module) => reader.walk_module(module, &changes, 0),
        // Without planned values, `resource_changes[].change.after` is the planned state.
        None => {
            for (address, change) in &changes.ordered {
                let Some(after) = change.after else { continue };
                reader.read_resource(address, change.resource_type, change.entry, after, change.after_unknown);
            }
        }
    }
    if let Some(outputs) = root
        .get_object("configuration")
        .and_then(|configuration| configuration.get_object("root_module"))
        .and_then(|module| module.get_object("outputs"))
    {
        reader.read_outputs(outputs);
    }
    out.issues.sort_by_key(|(span, _)| span.range.start());
    out
}

/// One entry of `resource_changes`.
struct Change<'t, 'a> {
    resource_type: &'t str,
    /// The whole entry, whose `address` and extent its entity takes.
    entry: &'t Object<'a>,
    after: Option<&'t Object<'a>>,
    after_unknown: Option<&'t Object<'a>>,
}

/// `resource_changes` by address, plus their order for the fallback walk.
struct Changes<'t, 'a> {
    by_address: HashMap<&'t str, usize>,
    ordered: Vec<(&'t str, Change<'t, 'a>)>,
}

fn change_index<'t, 'a>(root: &'t Object<'a>) -> Changes<'t, 'a> {
    let mut changes = Changes { by_address: HashMap::new(), ordered: Vec::new() };
    let Some(list) = root.get_array("resource_changes") else { return changes };
    for item in &list.elements {
        let Json::Object(entry) = item else { continue };
        if string(entry, "mode") == Some("data") {
            continue;
        }
        let (Some(address), Some(resource_type)) = (string(entry, "address"), string(entry, "type")) else { continue };
        let change = entry.get_object("change");
        let after = change.and_then(|change| change.get_object("after"));
        let after_unknown = change.and_then(|change| change.get_object("after_unknown"));
        changes.by_address.insert(address, changes.ordered.len());
        changes.ordered.push((address, Change { resource_type, entry, after, after_unknown }));
    }
    changes
}

fn string<'t>(object: &'t Object<'_>, key: &str) -> Option<&'t str> {
    object.get_string(key).map(|lit| lit.value.as_ref())
}

fn is_true(value: Option<&Json<'_>>) -> bool {
    matches!(value, Some(Json::BooleanLit(lit)) if lit.value)
}

struct Reader<'o, 't> {
    file: FileId,
    text: &'t str,
    out: &'o mut PlanOutput,
}

impl Reader<'_, '_> {
    fn span(&self, range: jsonc_parser::common::Range) -> Span {
        Span::from_offsets(self.file, range.start, range.end)
    }

    fn walk_module(&mut self, module: &Object<'_>, changes: &Changes<'_, '_>, depth: usize) {
        if depth > MAX_MODULE_DEPTH {
            let span = self.span(jsonc_parser::common::Range::new(module.range.start, module.range.start + 1));
            self.out
                .issues
                .push((span, format!("modules nest deeper than {MAX_MODULE_DEPTH} levels; the rest is not read")));
            return;
        }
        if let Some(resources) = module.get_array("resources") {
            for item in &resources.elements {
                let Json::Object(resource) = item else { continue };
                if string(resource, "mode") == Some("data") {
                    continue;
                }
                let (Some(resource_type), Some(values)) = (string(resource, "type"), resource.get_object("values"))
                else {
                    continue;
                };
                let name = string(resource, "name").unwrap_or_default();
                let fallback;
                let address = match string(resource, "address") {
                    Some(address) => address,
                    None => {
                        fallback = format!("{resource_type}.{name}");
                        fallback.as_str()
                    }
                };
                let after_unknown = changes
                    .by_address
                    .get(address)
                    .and_then(|idx| changes.ordered.get(*idx))
                    .and_then(|(_, change)| change.after_unknown);
                self.read_resource(address, resource_type, resource, values, after_unknown);
            }
        }
        if let Some(children) = module.get_array("child_modules") {
            for child in &children.elements {
                if let Json::Object(child) = child {
                    self.walk_module(child, changes, depth + 1);
                }
            }
        }
    }

    /// Reads the policy-bearing attributes of one resource from its planned `values`, and the
    /// resource itself when it is an inventory entity. `resource` is the resource's object in the
    /// plan (a `planned_values` resource or a `resource_changes` entry).
    fn read_resource(
        &mut self,
        address: &str,
        resource_type: &str,
        resource: &Object<'_>,
        values: &Object<'_>,
        after_unknown: Option<&Object<'_>>,
    ) {
        let org_type = string(values, "type");
        for consumer in rein_tfschema::consumers_of(resource_type) {
            // A non-IAM organizations policy (tag, backup) is no policy document.
            let Some(kind) = consumer.kind(org_type) else { continue };
            let Some(block) = consumer.block else {
                let unknown =
                    is_true(after_unknown.and_then(|unknown| unknown.get(consumer.attribute)).map(|prop| &prop.value));
                let prop = values.get(consumer.attribute);
                let unknown_span = prop.map(|prop| prop.value.range()).or_else(|| {
                    after_unknown.and_then(|unknown| unknown.get(consumer.attribute)).map(|prop| prop.value.range())
                });
                self.read_attribute(address, consumer.attribute.to_owned(), kind, prop, unknown, unknown_span);
                continue;
            };
            // A nested block is a list of objects in a plan.
            let Some(blocks) = values.get_array(block) else { continue };
            let unknown_blocks = after_unknown.and_then(|unknown| unknown.get_array(block));
            for (idx, item) in blocks.elements.iter().enumerate() {
                let Json::Object(nested) = item else { continue };
                let unknown_nested = unknown_blocks.and_then(|list| match list.elements.get(idx) {
                    Some(Json::Object(object)) => object.get(consumer.attribute).map(|prop| &prop.value),
                    _ => None,
                });
                let prop = nested.get(consumer.attribute);
                let span = prop.map(|prop| prop.value.range()).or_else(|| unknown_nested.map(|value| value.range()));
                let attribute = format!("{block}[{idx}].{}", consumer.attribute);
                self.read_attribute(address, attribute, kind.clone(), prop, is_true(unknown_nested), span);
            }
        }
        self.read_entity(address, resource_type, resource, values, after_unknown);
    }

    fn read_attribute(
        &mut self,
        address: &str,
        attribute: String,
        kind: PolicyKind,
        prop: Option<&ObjectProp<'_>>,
        unknown: bool,
        unknown_span: Option<jsonc_parser::common::Range>,
    ) {
        match prop.map(|prop| &prop.value) {
            Some(Json::StringLit(lit)) if !unknown => {
                // An empty string is what the provider stores for "no policy" on optional attributes.
                if lit.value.is_empty() && matches!(kind, PolicyKind::Resource { .. }) {
                    return;
                }
                let (decoded, map) = decode::decode_string(self.file, self.text, lit.range);
                let origin = DocumentOrigin {
                    syntax: SourceSyntax::EmbeddedJson,
                    owner: Some(address.to_owned()),
                    attribute: Some(attribute),
                    branch: false,
                };
                self.out.documents.push(parse_policy(&decoded, &map, Some(kind), origin));
            }
            _ if unknown => {
                let span = match unknown_span {
                    Some(range) => self.span(range),
                    None => Span::from_offsets(self.file, 0, 0),
                };
                self.out.unknown_policies.push(UnknownPolicy {
                    span,
                    owner: address.to_owned(),
                    attribute,
                    kind,
                    reason: AFTER_APPLY.to_owned(),
                });
            }
            // Absent or null and known: the resource has no such policy.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
