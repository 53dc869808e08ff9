//! Policy JSON written as HCL text (a quoted string or a heredoc), read with the shared JSON
//! reader through a [`SpanMap`] back to the file's bytes.
//!
//! Interpolations that resolve (locals, variable defaults) are substituted. The others are
//! replaced by placeholders before parsing, and every model value that holds a placeholder is
//! turned back into an unknown (or partly unknown) value afterwards; grammar issues that point at
//! a placeholder are dropped, since they are artefacts of the substitution.
//!
//! FIXME(#4): a public JSON-to-`Node` entry point in `rein_model::json` would let the holes be
//! put into the tree before `read_policy` instead of being patched into the document.

use rein_model::json::parse_policy;
use rein_model::{
    ConditionEntry, DocumentOrigin, PolicyDocument, PolicyKind, PrincipalBody, SpannedValue, TemplatePart, Unknown,
    Value, ValueList,
};
use rein_text::{FileId, Span};

use crate::lower::Lowerer;
use crate::module::Loc;
use crate::strings::{Decoded, decode_template};

/// Marks a hole inside a JSON string.
const IN_STRING: &str = "#rein-hole-";
/// Marks a hole where a whole JSON value stands.
const WHOLE_VALUE: &str = "#rein-value-";

struct HoleInfo {
    span: Span,
    unknown: Unknown,
}

/// Reads the JSON text of a string or heredoc expression as a policy document.
pub(crate) fn read_text(
    lowerer: &Lowerer<'_>,
    loc: Loc<'_>,
    kind: Option<PolicyKind>,
    origin: DocumentOrigin,
) -> PolicyDocument {
    let mut holes: Vec<HoleInfo> = Vec::new();
    let decoded = match lowerer.files.get(loc.file) {
        Some(parsed) => decode_template(parsed, loc.node, |out: &mut Decoded, hole| {
            let node = hole.node();
            let (raw_start, raw_len) = (node.start_byte(), node.end_byte() - node.start_byte());
            let in_string = inside_string(&out.text);
            let pieces = match lowerer.hole_value(loc.file, &hole, 1) {
                Value::Known(text) => vec![TemplatePart::Text(text)],
                // A partly known value (a typed placeholder) keeps its shape inside a JSON
                // string; in place of a whole JSON value it is not valid JSON text.
                Value::Partial(pieces) if in_string => pieces,
                Value::Partial(pieces) => vec![TemplatePart::Hole(first_hole(pieces))],
                Value::Unknown(unknown) => vec![TemplatePart::Hole(unknown)],
            };
            for piece in pieces {
                match piece {
                    TemplatePart::Text(text) => out.push_mapped(&text, raw_start, raw_len),
                    TemplatePart::Hole(unknown) => push_hole(out, &mut holes, unknown, parsed.span(node)),
                }
            }
        }),
        None => Decoded::new(rein_text::FileId(0)),
    };
    finish(&decoded, &holes, kind, origin)
}

/// Reads a `templatefile` template, expanded with its variables, as a policy document.
pub(crate) fn read_template(
    file: FileId,
    text: &str,
    vars: &[(String, rein_model::Node)],
    kind: Option<PolicyKind>,
    origin: DocumentOrigin,
) -> PolicyDocument {
    let mut holes: Vec<HoleInfo> = Vec::new();
    let mut skipped: Vec<(Span, Unknown)> = Vec::new();
    let mut decoded = Decoded::new(file);
    let pieces = crate::templatefile::expand(file, text, vars);
    crate::templatefile::decode(pieces, &mut decoded, |out, unknown, span, directive| {
        // An `if` or `for` directive between JSON values (an optional statement, say) cannot
        // stand for one value: it is left out of the text and recorded as a statement that was
        // not evaluated, so that the rest of the document is still read and IAM010 names it.
        let after_value = !inside_string(&out.text) && !matches!(out.text.trim_end().chars().last(), Some(':') | None);
        if directive && after_value {
            skipped.push((span, unknown));
        } else {
            push_hole(out, &mut holes, unknown, span);
        }
    });
    let mut doc = finish(&decoded, &holes, kind, origin);
    doc.unknown_statements.extend(skipped);
    doc
}

/// Appends the placeholder of one hole: inside a JSON string a marker, elsewhere a marker string
/// in place of the whole value.
fn push_hole(out: &mut Decoded, holes: &mut Vec<HoleInfo>, unknown: Unknown, span: Span) {
    let n = holes.len();
    let placeholder =
        if inside_string(&out.text) { format!("{IN_STRING}{n}#") } else { format!("\"{WHOLE_VALUE}{n}#\"") };
    let start = usize::from(span.range.start());
    let len = usize::from(span.range.end()).saturating_sub(start);
    out.push_mapped(&placeholder, start, len);
    holes.push(HoleInfo { span, unknown });
}

fn finish(decoded: &Decoded, holes: &[HoleInfo], kind: Option<PolicyKind>, origin: DocumentOrigin) -> PolicyDocument {
    let mut doc = parse_policy(&decoded.text, &decoded.map, kind, origin);
    if !holes.is_empty() {
        patch_holes(&mut doc, holes);
    }
    doc
}

/// The first hole of a partly known value, or an unknown that says why it is not JSON.
fn first_hole(pieces: Vec<TemplatePart>) -> Unknown {
    pieces
        .into_iter()
        .find_map(|piece| match piece {
            TemplatePart::Hole(unknown) => Some(unknown),
            TemplatePart::Text(_) => None,
        })
        .unwrap_or_else(|| Unknown::new("a partly known value in place of a JSON value"))
}

/// Whether the end of `text` lies inside a JSON string.
fn inside_string(text: &str) -> bool {
    let mut inside = false;
    let mut escaped = false;
    for byte in text.bytes() {
        match (inside, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (_, false, b'"') => inside = !inside,
            _ => {}
        }
    }
    inside
}

fn patch_holes(doc: &mut PolicyDocument, holes: &[HoleInfo]) {
    doc.size = None;
    doc.issues.retain(|issue| !holes.iter().any(|hole| overlaps(issue.span, hole.span)));
    let patch_value = |value: &mut SpannedValue| patch_spanned(value, holes);
    if let Some(version) = &mut doc.version {
        patch_value(version);
    }
    if let Some(id) = &mut doc.id {
        patch_value(id);
    }
    for stmt in &mut doc.statements {
        for value in [&mut stmt.sid, &mut stmt.effect].into_iter().flatten() {
            patch_value(value);
        }
        for list in
            [&mut stmt.action, &mut stmt.not_action, &mut stmt.resource, &mut stmt.not_resource].into_iter().flatten()
        {
            patch_list(list, holes);
        }
        for principal in [&mut stmt.principal, &mut stmt.not_principal].into_iter().flatten() {
            match &mut principal.body {
                PrincipalBody::Scalar(value) => match whole_value(&value.value, holes) {
                    Some(unknown) => principal.body = PrincipalBody::Unknown(unknown),
                    None => patch_value(value),
                },
                PrincipalBody::Map(lists) => {
                    for (_, list) in lists {
                        patch_list(list, holes);
                    }
                }
                PrincipalBody::Unknown(_) => {}
            }
        }
        if let Some(block) = &mut stmt.condition {
            for op in &mut block.operators {
                for entry in &mut op.entries {
                    patch_entry(entry, holes);
                }
            }
        }
    }
}

fn overlaps(a: Span, b: Span) -> bool {
    a.file == b.file && a.range.start() < b.range.end() && b.range.start() < a.range.end()
}

/// The unknown a value stands for when it is exactly one whole-value placeholder.
fn whole_value(value: &Value, holes: &[HoleInfo]) -> Option<Unknown> {
    let Value::Known(text) = value else { return None };
    let number = text.strip_prefix(WHOLE_VALUE)?.strip_suffix('#')?;
    holes.get(number.parse::<usize>().ok()?).map(|hole| hole.unknown.clone())
}

fn patch_list(list: &mut ValueList, holes: &[HoleInfo]) {
    // A whole value in place of the list (`"Action": ${var.actions}`) may be a list itself.
    if let [only] = list.items.as_slice()
        && list.form == rein_model::ListForm::Single
        && let Some(unknown) = whole_value(&only.value, holes)
    {
        list.unknown = Some(unknown);
        list.items.clear();
    }
    for item in &mut list.items {
        patch_spanned(item, holes);
    }
}

fn patch_entry(entry: &mut ConditionEntry, holes: &[HoleInfo]) {
    if let [only] = entry.values.as_slice()
        && entry.form == rein_model::ListForm::Single
        && let Some(unknown) = whole_value(&only.value.value, holes)
    {
        entry.unknown = Some(unknown);
        entry.values.clear();
    }
    for value in &mut entry.values {
        patch_spanned(&mut value.value, holes);
    }
}

/// Turns placeholders in a known string back into holes.
fn patch_spanned(value: &mut SpannedValue, holes: &[HoleInfo]) {
    let Value::Known(text) = &value.value else { return };
    if !text.contains(IN_STRING) && !text.contains(WHOLE_VALUE) {
        return;
    }
    let mut parts = Vec::new();
    let mut rest = text.as_str();
    while let Some((before, after)) = next_marker(rest) {
        let Some((number, tail)) = after.split_once('#') else { break };
        let Some(hole) = number.parse::<usize>().ok().and_then(|n| holes.get(n)) else {
            break;
        };
        if !before.is_empty() {
            parts.push(TemplatePart::Text(before.to_owned()));
        }
        parts.push(TemplatePart::Hole(hole.unknown.clone()));
        rest = tail;
    }
    if !rest.is_empty() {
        parts.push(TemplatePart::Text(rest.to_owned()));
    }
    value.value = match parts.as_slice() {
        [TemplatePart::Hole(unknown)] => Value::Unknown(unknown.clone()),
        _ => Value::Partial(parts),
    };
}

/// Splits at the first placeholder marker: the text before it and the text after it.
fn next_marker(text: &str) -> Option<(&str, &str)> {
    let at_string = text.find(IN_STRING).map(|idx| (idx, IN_STRING));
    let at_value = text.find(WHOLE_VALUE).map(|idx| (idx, WHOLE_VALUE));
    let (idx, marker) = match (at_string, at_value) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some((text.get(..idx)?, text.get(idx + marker.len()..)?))
}
