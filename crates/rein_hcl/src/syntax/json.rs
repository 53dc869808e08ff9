//! Terraform's JSON syntax (`main.tf.json`, what `cdktf synth` writes), read into the same
//! syntax tree as the native syntax, so that everything after parsing works unchanged
//! (<https://developer.hashicorp.com/terraform/language/syntax/json>).
//!
//! The JSON structure gives the blocks: `resource.TYPE.NAME`, `data.TYPE.NAME`,
//! `module|variable|output|provider.NAME` and `locals` / `terraform` objects, each one object or
//! an array of objects. In a block, a key whose value is an object (or an array of objects) is a
//! nested block when the name is one rein knows as a block (`statement`, `principals`,
//! `inline_policy`, …); everything else is an attribute. Attribute values are HCL expressions
//! read by the HCL parser right where they are in the file: JSON objects, arrays, numbers and
//! literals are valid HCL, and a JSON string is an HCL quoted template whose escapes mostly agree.
//! Inside `${…}`, though, JSON escapes the quotes of HCL strings (`"${jsonencode({\"A\" = 1})}"`),
//! so the parser reads a copy of the file in which those `\"` become `"` and a space (the same
//! length, so every span is a span of the file itself). A `"//"` key is a comment.

use jsonc_parser::CollectOptions;
use jsonc_parser::ast::{Object, ObjectProp, ObjectPropName, Value};
use jsonc_parser::common::{Range, Ranged};
use rein_model::json::strict_options;

use super::parser::{Embedded, MAX_NESTING, Parse};
use super::tree::Kind;

/// Whether a path names a file in Terraform's JSON syntax.
pub(crate) fn is_json_path(path: &str) -> bool {
    path.ends_with(".tf.json")
}

/// Nested block types that rein reads, beyond those of the entity schema.
const BLOCK_NAMES: &[&str] = &[
    "statement",
    "principals",
    "not_principals",
    "condition",
    "content",
    "inline_policy",
    "details",
    "lifecycle",
    "required_providers",
    "backend",
    "assume_role",
    "default_tags",
];

/// The names of nested blocks: [`BLOCK_NAMES`] and every block the schema's attribute paths
/// pass through, gathered once (every object-valued key of a `.tf.json` block asks).
static ALL_BLOCK_NAMES: std::sync::LazyLock<std::collections::HashSet<&'static str>> = std::sync::LazyLock::new(|| {
    let schema = rein_tfschema::ENTITY_TYPES.iter().chain(rein_tfschema::BLOCK_TYPES).flat_map(|entity| {
        entity.attributes.iter().flat_map(|spec| match spec.shape {
            rein_tfschema::Shape::Value => spec.path.split_last().map_or(&[][..], |(_, before)| before),
            _ => spec.path,
        })
    });
    BLOCK_NAMES.iter().copied().chain(schema.copied()).collect()
});

fn is_block_name(name: &str) -> bool {
    ALL_BLOCK_NAMES.contains(name)
}

/// The text the HCL parser reads for a JSON file: `\"` inside `${…}` or `%{…}` made into
/// plain quotes (a space before an opening quote, after a closing one), the rest unchanged.
/// `None` when no string needs it.
pub(crate) fn hcl_text(text: &str) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    let mut changed = false;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        at += 1;
        if byte == b'"' {
            at = rewrite_string(&mut bytes, at, &mut changed);
        }
    }
    if !changed {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// What the scan of a JSON string is in.
#[derive(Clone, Copy)]
enum Frame {
    /// Template text: the string itself (`nested == false`) or an HCL string inside `${…}`.
    Template { nested: bool },
    /// An expression in `${…}`, with its open `{` not yet closed.
    Expression { braces: u32 },
}

/// Rewrites the JSON string whose content starts at `at`; returns the offset after its closing quote.
fn rewrite_string(bytes: &mut [u8], mut at: usize, changed: &mut bool) -> usize {
    let mut stack = vec![Frame::Template { nested: false }];
    while let Some(&byte) = bytes.get(at) {
        let next = bytes.get(at + 1).copied();
        let top = stack.last().copied().unwrap_or(Frame::Template { nested: false });
        match (byte, top) {
            // A raw quote always ends a JSON string.
            (b'"', _) => return at + 1,
            (b'\\', _) => {
                if next == Some(b'"') {
                    match top {
                        Frame::Expression { .. } => {
                            set(bytes, at, b' ');
                            set(bytes, at + 1, b'"');
                            stack.push(Frame::Template { nested: true });
                            *changed = true;
                        }
                        Frame::Template { nested: true } => {
                            set(bytes, at, b'"');
                            set(bytes, at + 1, b' ');
                            stack.pop();
                            *changed = true;
                        }
                        Frame::Template { nested: false } => {}
                    }
                }
                at += 2;
                continue;
            }
            (b'$', Frame::Template { .. }) if next == Some(b'$') && bytes.get(at + 2) == Some(&b'{') => {
                // `$${` is a literal `${`.
                at += 3;
                continue;
            }
            (b'%', Frame::Template { .. }) if next == Some(b'%') && bytes.get(at + 2) == Some(&b'{') => {
                at += 3;
                continue;
            }
            (b'$' | b'%', Frame::Template { .. }) if next == Some(b'{') => {
                stack.push(Frame::Expression { braces: 0 });
                at += 2;
                continue;
            }
            (b'{' | b'}', Frame::Expression { .. }) => {
                track_brace(&mut stack, byte);
            }
            _ => {}
        }
        at += 1;
    }
    at
}

/// The expression of a JSON string that is one interpolation and nothing else (`"${x.y}"`):
/// its range inside `${` and `}`.
fn single_interpolation(json: &str, value: Range) -> Option<(usize, usize)> {
    let bytes = json.as_bytes();
    let inner = value.start + 3;
    if bytes.get(value.start..inner)? != b"\"${" || bytes.get(inner) == Some(&b'~') {
        return None;
    }
    // Where the interpolation closes: scan the string as `rewrite_string` does.
    let close = interpolation_end(bytes.get(value.start + 1..value.end)?)? + value.start + 1;
    (close + 2 == value.end && close > inner && bytes.get(close - 1) != Some(&b'~')).then_some((inner, close))
}

/// The offset of the `}` that closes the interpolation that `content` (a JSON string's content
/// after its opening quote) starts with.
fn interpolation_end(content: &[u8]) -> Option<usize> {
    let mut stack = vec![Frame::Expression { braces: 0 }];
    let mut at = 2;
    while let Some(&byte) = content.get(at) {
        let next = content.get(at + 1).copied();
        let top = *stack.last()?;
        match (byte, top) {
            (b'"', _) => return None,
            (b'\\', _) => {
                if next == Some(b'"') {
                    match top {
                        Frame::Expression { .. } => stack.push(Frame::Template { nested: true }),
                        Frame::Template { .. } => {
                            stack.pop();
                        }
                    }
                }
                at += 2;
                continue;
            }
            (b'$' | b'%', Frame::Template { .. }) if next == Some(byte) && content.get(at + 2) == Some(&b'{') => {
                at += 3;
                continue;
            }
            (b'$' | b'%', Frame::Template { .. }) if next == Some(b'{') => {
                stack.push(Frame::Expression { braces: 0 });
                at += 2;
                continue;
            }
            (b'{' | b'}', Frame::Expression { .. }) => {
                let closed = track_brace(&mut stack, byte);
                if closed && stack.is_empty() {
                    return Some(at);
                }
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// Counts a `{` or `}` of the expression on top of `stack`; true when the `}` closes it.
fn track_brace(stack: &mut Vec<Frame>, byte: u8) -> bool {
    let Some(Frame::Expression { braces }) = stack.last_mut() else { return false };
    match byte {
        b'{' => *braces += 1,
        b'}' if *braces > 0 => *braces -= 1,
        b'}' => {
            stack.pop();
            return true;
        }
        _ => {}
    }
    false
}

fn set(bytes: &mut [u8], at: usize, value: u8) {
    if let Some(byte) = bytes.get_mut(at) {
        *byte = value;
    }
}

/// Parses a file in Terraform's JSON syntax; `hcl` is the text of [`hcl_text`] (or the file).
pub(crate) fn parse(json: &str, hcl: &str) -> Parse {
    let mut out = Embedded::new(hcl);
    let root = out.marker();
    match jsonc_parser::parse_to_ast(json, &CollectOptions::default(), &strict_options()) {
        Err(err) => {
            let range = err.range();
            out.error(range.start, range.end.max(range.start), format!("invalid JSON: {}", err.kind()));
        }
        Ok(result) => match result.value {
            Some(Value::Object(object)) => {
                let body = out.marker();
                for prop in &object.properties {
                    top_level(&mut out, json, prop);
                }
                out.finish(Kind::Body, body, object.range.start, object.range.end);
            }
            Some(other) => {
                let range = other.range();
                out.error(
                    range.start,
                    range.end,
                    format!("a Terraform JSON file holds one object, not {}", what(&other)),
                );
            }
            None => {}
        },
    }
    out.build(root, json.len())
}

fn what(value: &Value<'_>) -> &'static str {
    match value {
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(_) => "a boolean",
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::NullKeyword(_) => "null",
    }
}

fn key<'p>(prop: &'p ObjectProp<'_>) -> (&'p str, Range) {
    match &prop.name {
        ObjectPropName::String(lit) => (lit.value.as_ref(), lit.range),
        ObjectPropName::Word(word) => (word.value, word.range),
    }
}

/// The objects of a value that must be one object or an array of objects; anything else is
/// reported.
fn objects<'v, 'a>(out: &mut Embedded<'_>, value: &'v Value<'a>, context: &str) -> Vec<&'v Object<'a>> {
    match value {
        Value::Object(object) => vec![object],
        Value::Array(array) => {
            let mut found = Vec::new();
            for element in &array.elements {
                match element {
                    Value::Object(object) => found.push(object),
                    other => wrong_shape(out, other, context),
                }
            }
            found
        }
        other => {
            wrong_shape(out, other, context);
            Vec::new()
        }
    }
}

fn wrong_shape(out: &mut Embedded<'_>, value: &Value<'_>, context: &str) {
    let range = value.range();
    out.error(
        range.start,
        range.end,
        format!("{context} must be an object or an array of objects, not {}", what(value)),
    );
}

/// The properties of an object value, reported when the value is not an object; `"//"`
/// comments left out.
fn members<'v, 'a>(out: &mut Embedded<'_>, value: &'v Value<'a>, context: &str) -> Vec<&'v ObjectProp<'a>> {
    match value {
        Value::Object(object) => object.properties.iter().filter(|prop| key(prop).0 != "//").collect(),
        other => {
            let range = other.range();
            out.error(range.start, range.end, format!("{context} must be an object, not {}", what(other)));
            Vec::new()
        }
    }
}

fn top_level(out: &mut Embedded<'_>, json: &str, prop: &ObjectProp<'_>) {
    let (keyword, keyword_range) = key(prop);
    match keyword {
        "//" => comment(out, &prop.value),
        "resource" | "data" => {
            for kind in members(out, &prop.value, &format!("`{keyword}`")) {
                let (type_name, type_range) = key(kind);
                for name in members(out, &kind.value, &format!("`{keyword}.{type_name}`")) {
                    let (label, label_range) = key(name);
                    let context = format!("`{keyword}.{type_name}.{label}`");
                    for body in objects(out, &name.value, &context) {
                        block(out, json, keyword_range, &[type_range, label_range], body, 1);
                    }
                }
            }
        }
        "module" | "variable" | "output" | "provider" => {
            for name in members(out, &prop.value, &format!("`{keyword}`")) {
                let (label, label_range) = key(name);
                for body in objects(out, &name.value, &format!("`{keyword}.{label}`")) {
                    block(out, json, keyword_range, &[label_range], body, 1);
                }
            }
        }
        "locals" | "terraform" | "moved" | "import" | "check" | "removed" => {
            for body in objects(out, &prop.value, &format!("`{keyword}`")) {
                block(out, json, keyword_range, &[], body, 1);
            }
        }
        other => {
            let message = format!("`{other}` is not a top-level block type of Terraform");
            out.error(keyword_range.start, keyword_range.end, message);
        }
    }
}

/// A block: the keyword from the key at `keyword`, labels from the keys at `labels`, the body
/// from `body`.
fn block(out: &mut Embedded<'_>, json: &str, keyword: Range, labels: &[Range], body: &Object<'_>, depth: u32) {
    if depth > MAX_NESTING {
        let message = format!("blocks nest deeper than {MAX_NESTING} levels");
        out.error(body.range.start, body.range.start + 1, message);
        return;
    }
    let marker = out.marker();
    out.leaf(Kind::Identifier, keyword.start + 1, keyword.end.saturating_sub(1).max(keyword.start + 1));
    for label in labels {
        out.quoted(label.start, label.end);
    }
    let open = body.range.start;
    let close = body.range.end.saturating_sub(1).max(open);
    out.leaf(Kind::BlockStart, open, open + 1);
    let items = out.marker();
    for prop in &body.properties {
        body_item(out, json, prop, depth);
    }
    out.finish(Kind::Body, items, open + 1, close);
    out.leaf(Kind::BlockEnd, close, body.range.end);
    // A block without labels starts at its object: `"statement": [{…}, {…}]` holds two blocks.
    let start = labels.first().map_or(body.range.start, |label| label.start);
    out.finish(Kind::Block, marker, start, body.range.end);
}

fn body_item(out: &mut Embedded<'_>, json: &str, prop: &ObjectProp<'_>, depth: u32) {
    let (name, name_range) = key(prop);
    if name == "//" {
        comment(out, &prop.value);
        return;
    }
    let all_objects = match &prop.value {
        Value::Object(_) => true,
        Value::Array(array) => array.elements.iter().all(|element| matches!(element, Value::Object(_))),
        _ => false,
    };
    if name == "dynamic" && matches!(prop.value, Value::Object(_)) {
        for label in members(out, &prop.value, "`dynamic`") {
            let (label_name, label_range) = key(label);
            for body in objects(out, &label.value, &format!("`dynamic.{label_name}`")) {
                block(out, json, name_range, &[label_range], body, depth + 1);
            }
        }
        return;
    }
    if all_objects && is_block_name(name) {
        for body in objects(out, &prop.value, &format!("`{name}`")) {
            block(out, json, name_range, &[], body, depth + 1);
        }
        return;
    }
    let marker = out.marker();
    out.leaf(Kind::Identifier, name_range.start + 1, name_range.end.saturating_sub(1).max(name_range.start + 1));
    let value = prop.value.range();
    match single_interpolation(json, value) {
        // `"${expression}"` is the expression's value itself, not a string of it.
        Some((start, end)) => out.expression(start, end),
        None => out.expression(value.start, value.end),
    }
    out.finish(Kind::Attribute, marker, name_range.start, value.end);
}

/// A `"//"` comment: its text, inside the quotes.
fn comment(out: &mut Embedded<'_>, value: &Value<'_>) {
    let range = value.range();
    if let Value::StringLit(_) = value {
        out.leaf(Kind::Comment, range.start + 1, range.end.saturating_sub(1).max(range.start + 1));
    }
}

#[cfg(test)]
mod tests;
