//! Renders model edits as text edits on a JSON file, keeping the file valid and its layout tidy.

use rein_text::{FileId, Span, TextEdit, range_from_offsets};

use super::insert::{ObjectDialect, append_members, insert_after};
use crate::edit::{EditRenderer, EditValue, PolicyEdit};

/// Renders model edits as JSON text edits for a document whose text stands unchanged in `text`.
///
/// Only documents read byte for byte from the file qualify (`SourceSyntax::Json`); a policy inside
/// an escaped string needs the owning frontend's renderer.
pub struct JsonRenderer<'a> {
    pub file: FileId,
    /// The whole file's text.
    pub text: &'a str,
}

impl EditRenderer for JsonRenderer<'_> {
    fn render(&self, edit: &PolicyEdit) -> Option<Vec<TextEdit>> {
        match edit {
            PolicyEdit::ReplaceString { target, value } => {
                self.offsets(*target)?;
                Some(vec![TextEdit::replace(*target, quote(value))])
            }
            PolicyEdit::ReplaceLiteral { target, literal } => {
                self.offsets(*target)?;
                Some(vec![TextEdit::replace(*target, literal.clone())])
            }
            PolicyEdit::ReplaceWithList { target, values } => {
                self.offsets(*target)?;
                let items: Vec<String> = values.iter().map(|value| quote(value)).collect();
                Some(vec![TextEdit::replace(*target, format!("[{}]", items.join(", ")))])
            }
            PolicyEdit::RemoveMember { key, value } => {
                let (start, _) = self.offsets(*key)?;
                let (_, end) = self.offsets(*value)?;
                (key.file == value.file && start <= end).then_some(())?;
                self.remove(start, end)
            }
            PolicyEdit::RemoveItem { item } => {
                let (start, end) = self.offsets(*item)?;
                self.remove(start, end)
            }
            PolicyEdit::ReplaceInString { target, value } => {
                self.offsets(*target)?;
                let literal = quote(value);
                let content = literal.get(1..literal.len() - 1)?;
                Some(vec![TextEdit::replace(*target, content)])
            }
            PolicyEdit::InsertMember { object, key, value } => self.insert_member(*object, key, value),
            PolicyEdit::AppendMember { object, key, value } => {
                self.append_members(*object, &[(key.clone(), value.clone())])
            }
            PolicyEdit::InsertCondition(insert) => {
                let (object, members) = insert.as_members();
                self.append_members(object, &members)
            }
            PolicyEdit::InsertStatement { after, statement } => {
                let (open, end) = self.offsets(*after)?;
                let dialect = ObjectDialect { string: &|text: &str| quote(text), hcl: false, escaped: false };
                let edits = insert_after(self.text, open, end, statement, &dialect)?;
                Some(edits.into_iter().map(|(start, end, text)| self.edit(start, end, text)).collect())
            }
            // A policy document holds no IaC entities.
            PolicyEdit::InsertAttributes { .. }
            | PolicyEdit::GenerateEntities(_)
            | PolicyEdit::ReplaceEntity { .. } => None,
        }
    }
}

impl JsonRenderer<'_> {
    /// The byte offsets of a span of this file, when they are valid in the text.
    fn offsets(&self, span: Span) -> Option<(usize, usize)> {
        let start = usize::from(span.range.start());
        let end = usize::from(span.range.end());
        (span.file == self.file && self.text.get(start..end).is_some()).then_some((start, end))
    }

    fn edit(&self, start: usize, end: usize, new_text: impl Into<String>) -> TextEdit {
        TextEdit::replace(Span::new(self.file, range_from_offsets(start, end)), new_text)
    }

    /// Deletes the member or item at `start..end` with exactly one adjacent comma.
    ///
    /// The following comma goes with the whitespace after it, so the next member takes the
    /// removed one's place and indentation. The last member takes the comma before it instead.
    /// A lone member takes all whitespace inside the brackets, leaving `{}` or `[]`.
    fn remove(&self, start: usize, end: usize) -> Option<Vec<TextEdit>> {
        let bytes = self.text.as_bytes();
        let after = skip_whitespace_forward(bytes, end);
        if bytes.get(after) == Some(&b',') {
            let next = skip_whitespace_forward(bytes, after + 1);
            return Some(vec![self.edit(start, next, "")]);
        }
        let before = skip_whitespace_backward(bytes, start);
        let previous = before.checked_sub(1).and_then(|idx| bytes.get(idx));
        match previous {
            Some(b',') => Some(vec![self.edit(before - 1, end, "")]),
            Some(b'{' | b'[') if matches!(bytes.get(after), Some(b'}' | b']')) => {
                Some(vec![self.edit(before, after, "")])
            }
            // Not between JSON separators: the spans do not describe a member of this text.
            _ => None,
        }
    }

    /// Inserts `"key": "value"` as the first member of the object whose span is `object`.
    fn insert_member(&self, object: Span, key: &str, value: &str) -> Option<Vec<TextEdit>> {
        let (open, _) = self.offsets(object)?;
        let bytes = self.text.as_bytes();
        if bytes.get(open) != Some(&b'{') {
            return None;
        }
        let first = skip_whitespace_forward(bytes, open + 1);
        match bytes.get(first)? {
            b'}' => Some(vec![self.edit(open + 1, first, format!("{}: {}", quote(key), quote(value)))]),
            b'"' => {
                let gap = self.text.get(open + 1..first)?;
                let separator = if gap.is_empty() { " " } else { gap };
                let colon = self.colon_style(first).unwrap_or(": ");
                let member = format!("{}{colon}{},{separator}", quote(key), quote(value));
                Some(vec![self.edit(first, first, member)])
            }
            _ => None,
        }
    }

    /// Appends `"key": value` members after the last member of the object whose span is `object`.
    fn append_members(&self, object: Span, members: &[(String, EditValue)]) -> Option<Vec<TextEdit>> {
        let (open, end) = self.offsets(object)?;
        let dialect = ObjectDialect { string: &|text: &str| quote(text), hcl: false, escaped: false };
        let edits = append_members(self.text, open, end, members, &dialect)?;
        Some(edits.into_iter().map(|(start, end, text)| self.edit(start, end, text)).collect())
    }

    /// The text between a key and its value (`": "`, `":"`, `" : "`) of the member at `key_start`.
    fn colon_style(&self, key_start: usize) -> Option<&str> {
        let bytes = self.text.as_bytes();
        let mut idx = key_start + 1;
        loop {
            match bytes.get(idx)? {
                b'\\' => idx += 2,
                b'"' => break,
                _ => idx += 1,
            }
        }
        let key_end = idx + 1;
        let colon = skip_whitespace_forward(bytes, key_end);
        if bytes.get(colon) != Some(&b':') {
            return None;
        }
        let value_start = skip_whitespace_forward(bytes, colon + 1);
        let style = self.text.get(key_end..value_start)?;
        (!style.contains(['\n', '\r'])).then_some(style)
    }
}

fn is_json_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_whitespace_forward(bytes: &[u8], mut idx: usize) -> usize {
    while bytes.get(idx).is_some_and(|&byte| is_json_whitespace(byte)) {
        idx += 1;
    }
    idx
}

/// The offset just after the last non-whitespace byte before `idx`.
fn skip_whitespace_backward(bytes: &[u8], mut idx: usize) -> usize {
    while idx > 0 && bytes.get(idx - 1).is_some_and(|&byte| is_json_whitespace(byte)) {
        idx -= 1;
    }
    idx
}

/// A JSON string literal for `value`, escaped as `serde_json` does: quotes, backslashes and
/// control characters; everything else is written as is.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ch if u32::from(ch) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(ch))),
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quote_escapes_like_serde_json() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("\n\r\t\u{8}\u{c}\u{1}"), r#""\n\r\t\b\f\u0001""#);
        assert_eq!(quote("caf\u{e9} \u{1f600} /"), "\"caf\u{e9} \u{1f600} /\"");
    }
}
