//! `templatefile(path, { vars })`: a file of the module read as a Terraform string template, with
//! `${name}` replaced by the value of the variable `name`.
//!
//! The template language is the one of quoted strings and heredocs without their escapes
//! (<https://developer.hashicorp.com/terraform/language/functions/templatefile>): `$${` and
//! `%%{` stand for `${` and `%{`, `${ … }` is an interpolation and `%{ … }` a directive. An
//! interpolation of a variable, or `jsonencode` of a variable, is evaluated; any other expression
//! and every `if`/`for` directive (with its body, up to the matching `end…`) become one hole with
//! a reason. Every piece of the result points into the template file.

use rein_model::{Node, NodeKind, TemplatePart, Unknown, Value};
use rein_text::{FileId, Span};

use crate::strings::Decoded;

/// One piece of an expanded template.
pub(crate) enum Piece {
    /// Text standing for the template bytes `raw_start..raw_start + raw_len`.
    Text { text: String, raw_start: usize, raw_len: usize },
    /// A value that is not (wholly) known, standing for the template bytes of its span;
    /// `directive` for an `if` or `for` directive with its body.
    Hole { unknown: Unknown, span: Span, directive: bool },
}

/// Expands `text` (the template file `file`) with `vars`, the members of the call's second argument.
pub(crate) fn expand(file: FileId, text: &str, vars: &[(String, Node)]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let bytes = text.as_bytes();
    let mut run = 0;
    let mut idx = 0;
    let flush = |pieces: &mut Vec<Piece>, from: usize, to: usize| {
        if let Some(run) = text.get(from..to).filter(|run| !run.is_empty()) {
            pieces.push(Piece::Text { text: run.to_owned(), raw_start: from, raw_len: to - from });
        }
    };
    while idx < bytes.len() {
        let byte = bytes.get(idx).copied().unwrap_or_default();
        let next = bytes.get(idx + 1).copied();
        match (byte, next) {
            (b'$' | b'%', Some(second)) if second == byte && bytes.get(idx + 2) == Some(&b'{') => {
                // `$${` is a literal `${`.
                flush(&mut pieces, run, idx);
                let literal = if byte == b'$' { "${" } else { "%{" };
                pieces.push(Piece::Text { text: literal.to_owned(), raw_start: idx, raw_len: 3 });
                idx += 3;
                run = idx;
            }
            (b'$', Some(b'{')) => {
                flush(&mut pieces, run, idx);
                let (end, inner) = match closing_brace(bytes, idx + 2) {
                    Some(end) => (end, text.get(idx + 2..end - 1).unwrap_or("")),
                    None => (bytes.len(), text.get(idx + 2..).unwrap_or("")),
                };
                let span = Span::from_offsets(file, idx, end);
                interpolation(&mut pieces, inner, vars, idx, end - idx, span);
                idx = end;
                run = idx;
            }
            (b'%', Some(b'{')) => {
                flush(&mut pieces, run, idx);
                let end = directive_end(text, idx);
                let shown = text.get(idx..closing_brace(bytes, idx + 2).unwrap_or(end)).unwrap_or("%{");
                let reason =
                    format!("`{}` is a template directive, which is not evaluated", crate::syntax::short(shown));
                let span = Span::from_offsets(file, idx, end);
                pieces.push(Piece::Hole { unknown: Unknown::new(reason), span, directive: true });
                idx = end;
                run = idx;
            }
            _ => idx += 1,
        }
    }
    flush(&mut pieces, run, bytes.len());
    pieces
}

/// The offset after the `}` that closes a `${` or `%{` whose content starts at `from`; braces
/// nest and quoted strings are skipped. `None` when the template ends first.
fn closing_brace(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut idx = from;
    while let Some(&byte) = bytes.get(idx) {
        match (in_string, byte) {
            (true, b'\\') => idx += 1,
            (true, b'"') => in_string = false,
            (false, b'"') => in_string = true,
            (false, b'{') => depth += 1,
            (false, b'}') if depth == 0 => return Some(idx + 1),
            (false, b'}') => depth -= 1,
            _ => {}
        }
        idx += 1;
    }
    None
}

/// The end of a directive: for `%{ if … }` and `%{ for … }` the end of the matching `%{ endif }`
/// or `%{ endfor }`, otherwise the end of the directive itself.
fn directive_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let Some(first_end) = closing_brace(bytes, start + 2) else { return bytes.len() };
    let keyword = |at: usize, end: usize| -> String {
        let inner = text.get(at + 2..end.saturating_sub(1)).unwrap_or("");
        inner.trim_matches(|c: char| c == '~' || c.is_whitespace()).split_whitespace().next().unwrap_or("").to_owned()
    };
    let opening = keyword(start, first_end);
    if opening != "if" && opening != "for" {
        return first_end;
    }
    let mut depth = 1usize;
    let mut idx = first_end;
    while let Some(offset) = text.get(idx..).and_then(|rest| rest.find("%{")) {
        let at = idx + offset;
        if text.get(at.saturating_sub(1)..at) == Some("%") {
            idx = at + 2;
            continue;
        }
        let Some(end) = closing_brace(bytes, at + 2) else { return bytes.len() };
        match keyword(at, end).as_str() {
            "if" | "for" => depth += 1,
            "endif" | "endfor" => {
                depth -= 1;
                if depth == 0 {
                    return end;
                }
            }
            _ => {}
        }
        idx = end;
    }
    bytes.len()
}

/// Evaluates the expression of one `${ … }`.
fn interpolation(
    pieces: &mut Vec<Piece>,
    inner: &str,
    vars: &[(String, Node)],
    raw_start: usize,
    raw_len: usize,
    span: Span,
) {
    let expr = inner.trim_matches(|c: char| c == '~' || c.is_whitespace());
    let lookup = |name: &str| vars.iter().rev().find(|(var, _)| var == name).map(|(_, node)| node);
    let hole = |pieces: &mut Vec<Piece>, reason: String| {
        pieces.push(Piece::Hole { unknown: Unknown::new(reason), span, directive: false })
    };
    let shown = crate::syntax::short(expr);
    if let Some(arg) = expr.strip_prefix("jsonencode(").and_then(|rest| rest.strip_suffix(')')).map(str::trim)
        && is_identifier(arg)
    {
        match lookup(arg).map(crate::render::to_json) {
            Some(Some(json)) => pieces.push(Piece::Text { text: json, raw_start, raw_len }),
            Some(None) => hole(pieces, format!("`{shown}` in the template: `{arg}` is not known statically")),
            None => {
                hole(pieces, format!("`{shown}` in the template: `{arg}` is not a variable of the `templatefile` call"))
            }
        }
        return;
    }
    if !is_identifier(expr) {
        hole(pieces, format!("`{shown}` in the template is an expression, which is not evaluated"));
        return;
    }
    let Some(node) = lookup(expr) else {
        hole(pieces, format!("`{expr}` in the template is not a variable of the `templatefile` call"));
        return;
    };
    let value = match &node.kind {
        NodeKind::String(value) => value.clone(),
        NodeKind::Number(text) => Value::Known(text.clone()),
        NodeKind::Bool(flag) => Value::Known(flag.to_string()),
        NodeKind::Unknown(unknown) => Value::Unknown(unknown.clone()),
        _ => Value::Unknown(Unknown::new(format!("`{expr}` in the template is {}, not a string", node.type_name()))),
    };
    match value {
        Value::Known(text) => pieces.push(Piece::Text { text, raw_start, raw_len }),
        Value::Unknown(unknown) => pieces.push(Piece::Hole { unknown, span, directive: false }),
        Value::Partial(parts) => {
            for part in parts {
                match part {
                    TemplatePart::Text(text) => pieces.push(Piece::Text { text, raw_start, raw_len }),
                    TemplatePart::Hole(unknown) => pieces.push(Piece::Hole { unknown, span, directive: false }),
                }
            }
        }
    }
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The value of an expanded template: known text, or text with holes.
pub(crate) fn to_value(pieces: Vec<Piece>) -> Value {
    let mut parts: Vec<TemplatePart> = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text { text, .. } => match parts.last_mut() {
                Some(TemplatePart::Text(last)) => last.push_str(&text),
                _ => parts.push(TemplatePart::Text(text)),
            },
            Piece::Hole { unknown, .. } => parts.push(TemplatePart::Hole(unknown)),
        }
    }
    match parts.as_slice() {
        [] => Value::Known(String::new()),
        [TemplatePart::Text(text)] => Value::Known(text.clone()),
        _ => Value::Partial(parts),
    }
}

/// Appends the text pieces to `out`; holes are given to `hole` (with whether they are a
/// directive), which appends what stands for them.
pub(crate) fn decode(pieces: Vec<Piece>, out: &mut Decoded, mut hole: impl FnMut(&mut Decoded, Unknown, Span, bool)) {
    for piece in pieces {
        match piece {
            Piece::Text { text, raw_start, raw_len } => out.push_mapped(&text, raw_start, raw_len),
            Piece::Hole { unknown, span, directive } => hole(out, unknown, span, directive),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, value: &str) -> (String, Node) {
        let span = Span::from_offsets(FileId(0), 0, 0);
        (name.to_owned(), Node::new(span, NodeKind::String(Value::known(value))))
    }

    #[test]
    fn expands_variables_and_keeps_directives_as_holes() {
        let text = "a ${bucket} b $${literal} %{ if x }c${y}%{ endif } d ${upper(bucket)} ${missing}";
        let value = to_value(expand(FileId(1), text, &[var("bucket", "logs")]));
        let Value::Partial(parts) = value else { panic!("{value:?}") };
        let rendered: Vec<String> = parts
            .iter()
            .map(|part| match part {
                TemplatePart::Text(text) => text.clone(),
                TemplatePart::Hole(unknown) => format!("<{}>", unknown.reason),
            })
            .collect();
        assert_eq!(
            rendered,
            [
                "a logs b ${literal} ",
                "<`%{ if x }` is a template directive, which is not evaluated>",
                " d ",
                "<`upper(bucket)` in the template is an expression, which is not evaluated>",
                " ",
                "<`missing` in the template is not a variable of the `templatefile` call>",
            ]
        );
    }

    #[test]
    fn unterminated_interpolation_does_not_panic() {
        for text in ["${", "${a", "%{ for x in y }", "%{", "$", "%", "${\"}\"}"] {
            let _ = to_value(expand(FileId(0), text, &[var("a", "b")]));
        }
    }
}
