//! Renders a fully known tree as minified JSON text, as `jsonencode` does for an interpolation
//! inside a heredoc.

use rein_model::tree::MAX_DEPTH;
use rein_model::{Node, NodeKind, Value};

/// The JSON text of `node`, or `None` when any part of it is unknown or it nests too deeply.
pub(crate) fn to_json(node: &Node) -> Option<String> {
    let mut out = String::new();
    write_node(&mut out, node, 0)?;
    Some(out)
}

fn write_node(out: &mut String, node: &Node, depth: usize) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    match &node.kind {
        NodeKind::Object(object) => {
            out.push('{');
            for (idx, member) in object.members.iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                write_string(out, &member.key.name);
                out.push(':');
                write_node(out, &member.value, depth + 1)?;
            }
            out.push('}');
        }
        NodeKind::Array(items) => {
            out.push('[');
            for (idx, item) in items.iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                write_node(out, item, depth + 1)?;
            }
            out.push(']');
        }
        NodeKind::String(Value::Known(text)) => write_string(out, text),
        NodeKind::Number(text) => out.push_str(text),
        NodeKind::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        NodeKind::Null => out.push_str("null"),
        NodeKind::String(Value::Partial(_) | Value::Unknown(_)) | NodeKind::Unknown(_) => return None,
    }
    Some(())
}

/// A JSON string literal, as `jsonencode` writes it (Terraform also escapes `<`, `>` and `&`,
/// which changes nothing a policy reader sees).
fn write_string(out: &mut String, text: &str) {
    out.push_str(&rein_model::json::quote(text));
}
