//! Appends a member to a brace-delimited object in the object's own layout.
//!
//! JSON objects, Terraform's HCL objects (`jsonencode({...})`) and JSON inside a quoted HCL
//! string (`"{\"Effect\": …}"`) share the shape `{ key sep value, … }`, so one scanner serves all
//! three; the syntax only decides how strings and keys are written ([`ObjectDialect`]). The new
//! member copies what the object shows: the key quoting and the text between key and value of
//! its first member, commas or line breaks between members, a trailing comma, the indentation of
//! its members and the indentation step, compact or spaced separators on one line.

use crate::edit::EditValue;

/// How the syntax around an object writes what an insertion adds.
pub struct ObjectDialect<'a> {
    /// Writes a string literal, quotes included.
    pub string: &'a dyn Fn(&str) -> String,
    /// HCL: keys may be bare identifiers, members may be separated by line breaks alone, and
    /// `#`, `//` and `/* */` start comments.
    pub hcl: bool,
    /// The object stands inside a string literal whose quotes are written `\"`, so new text stays
    /// on one line.
    pub escaped: bool,
}

/// A text edit as byte offsets into the scanned text.
pub type OffsetEdit = (usize, usize, String);

/// The edits that append `members` to the object at `open..end` of `text` (`open` at its `{`,
/// `end` just after its `}`), or `None` when the text there is not an object the scanner reads.
pub fn append_members(
    text: &str,
    open: usize,
    end: usize,
    members: &[(String, EditValue)],
    dialect: &ObjectDialect<'_>,
) -> Option<Vec<OffsetEdit>> {
    let close = end.checked_sub(1)?;
    let bytes = text.as_bytes();
    if bytes.get(open) != Some(&b'{') || bytes.get(close) != Some(&b'}') || close <= open || members.is_empty() {
        return None;
    }
    let tokens = scan(text, open + 1, close, dialect)?;
    let newline = line_ending(text, open);
    let Some(last) = tokens.last() else {
        // An empty object: the member goes between the braces, on their line.
        let style = Style::json_default(dialect);
        let members: Vec<String> =
            members.iter().map(|(key, value)| style.member(key, value, "", false, newline)).collect();
        return Some(vec![(open + 1, close, members.join(", "))]);
    };
    let Layout { style, member_indent, multiline, trailing_comma, .. } = layout(text, open, close, &tokens, dialect)?;
    let (use_commas, inline_separator) = (style.commas, style.inline_separator.clone());
    let comma = if use_commas && !trailing_comma { "," } else { "" };
    let after = if trailing_comma { "," } else { "" };
    if !multiline {
        let gap = if trailing_comma { " " } else { inline_separator.as_str() };
        let members: Vec<String> =
            members.iter().map(|(key, value)| style.member(key, value, &member_indent, false, newline)).collect();
        let joined = members.join(&format!(",{inline_separator}"));
        return Some(vec![(last.end, last.end, format!("{comma}{gap}{joined}{after}"))]);
    }
    // A comment that ends the last member's line stays with it: the new member goes after it.
    let line_end = text.get(last.end..close).and_then(|rest| rest.find('\n')).map(|idx| last.end + idx);
    let line_end = line_end.map(|idx| if idx > 0 && bytes.get(idx - 1) == Some(&b'\r') { idx - 1 } else { idx });
    let separator = if use_commas { "," } else { "" };
    let new_line: Vec<String> = members
        .iter()
        .map(|(key, value)| {
            format!("{newline}{member_indent}{}", style.member(key, value, &member_indent, true, newline))
        })
        .collect();
    let new_line = format!("{}{after}", new_line.join(separator));
    match line_end {
        Some(line_end) if !text.get(last.end..line_end)?.trim().is_empty() => {
            let mut edits = vec![(line_end, line_end, new_line)];
            if !comma.is_empty() {
                edits.insert(0, (last.end, last.end, comma.to_owned()));
            }
            Some(edits)
        }
        _ => Some(vec![(last.end, last.end, format!("{comma}{new_line}"))]),
    }
}

/// The edit that removes the member or item at `start..end` (from its key or first byte to the
/// end of its value) with exactly one adjacent separator: the following comma with the white
/// space after it, else the preceding comma, else, in HCL, the lines a member stands on alone.
/// A lone member takes the white space inside the brackets with it. `None` when the text
/// around is not a member or item of a bracketed collection.
pub fn remove_entry(text: &str, start: usize, end: usize, dialect: &ObjectDialect<'_>) -> Option<OffsetEdit> {
    let bytes = text.as_bytes();
    let is_space = |byte: &u8| matches!(byte, b' ' | b'\t' | b'\n' | b'\r');
    let after = end + bytes.get(end..)?.iter().take_while(|byte| is_space(byte)).count();
    if bytes.get(after) == Some(&b',') {
        let next = after + 1 + bytes.get(after + 1..)?.iter().take_while(|byte| is_space(byte)).count();
        return Some((start, next, String::new()));
    }
    let before = start - bytes.get(..start)?.iter().rev().take_while(|byte| is_space(byte)).count();
    match before.checked_sub(1).and_then(|idx| bytes.get(idx)) {
        Some(b',') => Some((before - 1, end, String::new())),
        Some(b'{' | b'[') if matches!(bytes.get(after), Some(b'}' | b']')) => Some((before, after, String::new())),
        // A member of an HCL object whose members stand on lines of their own.
        _ if dialect.hcl && !dialect.escaped && starts_line(text, start) => {
            let line_start = text.get(..start)?.rfind('\n').map_or(0, |idx| idx + 1);
            let rest = text.get(end..)?;
            let line_end = rest.find('\n').map_or(text.len(), |idx| end + idx + 1);
            text.get(end..line_end)?.trim().is_empty().then(|| (line_start, line_end, String::new()))
        }
        _ => None,
    }
}

/// The layout of a non-empty object, copied by what is inserted into it or next to it.
struct Layout<'d, 'a> {
    style: Style<'d, 'a>,
    /// The indentation of its members' lines.
    member_indent: String,
    /// The indentation of the line of its closing brace (or of its opening brace).
    close_indent: String,
    multiline: bool,
    trailing_comma: bool,
}

fn layout<'d, 'a>(
    text: &str,
    open: usize,
    close: usize,
    tokens: &[Token],
    dialect: &'d ObjectDialect<'a>,
) -> Option<Layout<'d, 'a>> {
    let (first, last) = tokens.first().zip(tokens.last())?;
    let multiline = !dialect.escaped && text.get(open..first.start)?.contains('\n');
    let first_text = text.get(first.start..first.end)?;
    let key_quoted = first_text.starts_with('"') || first_text.starts_with("\\\"");
    let assign = match (tokens.get(1), tokens.get(2)) {
        (Some(sep), Some(value)) if matches!(text.get(sep.start..sep.end)?, ":" | "=") => {
            // Aligned columns (`Effect   = …`) are not copied: one space stands for any run.
            let between = text.get(first.end..value.start)?;
            let symbol = text.get(sep.start..sep.end)?;
            let before = if between.starts_with([' ', '\t']) { " " } else { "" };
            let after = if between.ends_with([' ', '\t']) { " " } else { "" };
            (!between.contains('\n')).then(|| format!("{before}{symbol}{after}"))
        }
        _ => None,
    };
    let commas: Vec<&Token> = tokens.iter().filter(|token| token.is_comma(text)).collect();
    let trailing_comma = last.is_comma(text);
    let inline_separator = commas
        .first()
        .and_then(|comma| {
            let next = tokens.iter().find(|token| token.start >= comma.end)?;
            let gap = text.get(comma.end..next.start)?;
            (!gap.contains('\n')).then(|| gap.to_owned())
        })
        .unwrap_or_else(|| " ".to_owned());
    // Without a comma to copy, a compact object (`{"a":1}`) stays compact.
    let inline_separator =
        if commas.is_empty() && assign.as_deref() == Some(":") { String::new() } else { inline_separator };
    let assign = assign.unwrap_or_else(|| if dialect.hcl && !key_quoted { " = ".to_owned() } else { ": ".to_owned() });
    let use_commas = !dialect.hcl || !multiline || !commas.is_empty() || assign.contains(':');
    let member_indent = indentation(text, first.start).to_owned();
    let close_indent = if starts_line(text, close) { indentation(text, close) } else { indentation(text, open) };
    let step = member_indent
        .strip_prefix(close_indent)
        .filter(|step| !step.is_empty())
        .map_or_else(|| "  ".to_owned(), str::to_owned);
    let style = Style {
        dialect,
        key_quoted: key_quoted || !dialect.hcl,
        assign,
        commas: use_commas,
        inline_separator: inline_separator.clone(),
        step,
    };
    Some(Layout { style, member_indent, close_indent: close_indent.to_owned(), multiline, trailing_comma })
}

/// The edits that insert an object of `members` into the list holding the object at
/// `open..end`, just after it, laid out as that object is; `None` when the object is not an
/// item of a list.
pub fn insert_after(
    text: &str,
    open: usize,
    end: usize,
    members: &[(String, EditValue)],
    dialect: &ObjectDialect<'_>,
) -> Option<Vec<OffsetEdit>> {
    let close = end.checked_sub(1)?;
    let bytes = text.as_bytes();
    if bytes.get(open) != Some(&b'{') || bytes.get(close) != Some(&b'}') || close <= open || members.is_empty() {
        return None;
    }
    let next = text.get(end..)?.find(|ch: char| !ch.is_whitespace()).map(|idx| end + idx)?;
    if !matches!(bytes.get(next), Some(b',' | b']')) {
        return None;
    }
    let tokens = scan(text, open + 1, close, dialect)?;
    let newline = line_ending(text, open);
    let Layout { style, member_indent, close_indent, multiline, .. } = layout(text, open, close, &tokens, dialect)?;
    if !multiline {
        let item = style.object(members, "", false, newline);
        return Some(vec![(end, end, format!(",{}{item}", style.inline_separator))]);
    }
    let inner = Style { step: member_indent.strip_prefix(close_indent.as_str()).unwrap_or("  ").to_owned(), ..style };
    let item = inner.object(members, &close_indent, true, newline);
    Some(vec![(end, end, format!(",{newline}{close_indent}{item}"))])
}

/// The line ending of the file around `at`: that of the next line break, else of the one
/// before. Looking near the object, not through the whole file, keeps a fix in a large file cheap.
fn line_ending(text: &str, at: usize) -> &'static str {
    let bytes = text.as_bytes();
    let after = bytes.get(at..).and_then(|rest| rest.iter().position(|&b| b == b'\n')).map(|idx| at + idx);
    let before = || bytes.get(..at).and_then(|head| head.iter().rposition(|&b| b == b'\n'));
    match after.or_else(before) {
        Some(idx) if idx > 0 && bytes.get(idx - 1) == Some(&b'\r') => "\r\n",
        _ => "\n",
    }
}

/// How new members are written, copied from the object they join.
struct Style<'d, 'a> {
    dialect: &'d ObjectDialect<'a>,
    key_quoted: bool,
    /// The text between a key and its value: `": "`, `":"`, `" = "`.
    assign: String,
    /// Members are separated by commas (else, in HCL, by line breaks alone).
    commas: bool,
    /// The text after a comma on one line: `" "` or `""`.
    inline_separator: String,
    /// One level of indentation.
    step: String,
}

impl<'d, 'a> Style<'d, 'a> {
    /// The layout of an object with no members to copy: JSON's, which HCL objects accept too.
    fn json_default(dialect: &'d ObjectDialect<'a>) -> Self {
        Style {
            dialect,
            key_quoted: true,
            assign: ": ".to_owned(),
            commas: true,
            inline_separator: " ".to_owned(),
            step: "  ".to_owned(),
        }
    }

    fn member(&self, key: &str, value: &EditValue, indent: &str, multiline: bool, newline: &str) -> String {
        let mut out = String::new();
        self.write_member(&mut out, key, value, indent, multiline, newline);
        out
    }

    /// Writes `key`, the assignment and the value, into one buffer (a statement is written for
    /// every finding whose fix inserts one).
    fn write_member(
        &self,
        out: &mut String,
        key: &str,
        value: &EditValue,
        indent: &str,
        multiline: bool,
        newline: &str,
    ) {
        if self.key_quoted || !is_identifier(key) {
            out.push_str(&(self.dialect.string)(key));
        } else {
            out.push_str(key);
        }
        out.push_str(&self.assign);
        self.write_value(out, value, indent, multiline, newline);
    }

    fn write_value(&self, out: &mut String, value: &EditValue, indent: &str, multiline: bool, newline: &str) {
        match value {
            EditValue::String(text) => out.push_str(&(self.dialect.string)(text)),
            EditValue::Literal(literal) => out.push_str(literal),
            EditValue::List(items) => {
                out.push('[');
                for (at, item) in items.iter().enumerate() {
                    if at > 0 {
                        out.push(',');
                        out.push_str(&self.inline_separator);
                    }
                    out.push_str(&(self.dialect.string)(item));
                }
                out.push(']');
            }
            EditValue::Object(members) => self.write_object(out, members, indent, multiline, newline),
        }
    }

    /// An object of `members`: `{}`, one member per line, or all on one line.
    fn object(&self, members: &[(String, EditValue)], indent: &str, multiline: bool, newline: &str) -> String {
        let mut out = String::new();
        self.write_object(&mut out, members, indent, multiline, newline);
        out
    }

    fn write_object(
        &self,
        out: &mut String,
        members: &[(String, EditValue)],
        indent: &str,
        multiline: bool,
        newline: &str,
    ) {
        if members.is_empty() {
            out.push_str("{}");
        } else if multiline {
            let inner = format!("{indent}{}", self.step);
            out.push('{');
            for (at, (key, value)) in members.iter().enumerate() {
                if at > 0 && self.commas {
                    out.push(',');
                }
                out.push_str(newline);
                out.push_str(&inner);
                self.write_member(out, key, value, &inner, true, newline);
            }
            out.push_str(newline);
            out.push_str(indent);
            out.push('}');
        } else {
            let pad = if self.assign.contains('=') { " " } else { "" };
            out.push('{');
            out.push_str(pad);
            for (at, (key, value)) in members.iter().enumerate() {
                if at > 0 {
                    out.push(',');
                    out.push_str(&self.inline_separator);
                }
                self.write_member(out, key, value, indent, false, newline);
            }
            out.push_str(pad);
            out.push('}');
        }
    }
}

/// A token at the object's top level: a string, a bracketed group, a word, or punctuation.
struct Token {
    start: usize,
    end: usize,
}

impl Token {
    fn is_comma(&self, text: &str) -> bool {
        text.get(self.start..self.end) == Some(",")
    }
}

/// The top-level tokens of `start..close` (the inside of an object), or `None` when the text
/// ends inside a string or a bracket does not close.
fn scan(text: &str, start: usize, close: usize, dialect: &ObjectDialect<'_>) -> Option<Vec<Token>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut idx = start;
    while idx < close {
        let byte = *bytes.get(idx)?;
        let token_start = idx;
        idx = match byte {
            b' ' | b'\t' | b'\n' | b'\r' => {
                idx += 1;
                continue;
            }
            b'#' if dialect.hcl && !dialect.escaped => {
                idx = line_end(bytes, idx);
                continue;
            }
            b'/' if dialect.hcl && !dialect.escaped && bytes.get(idx + 1) == Some(&b'/') => {
                idx = line_end(bytes, idx);
                continue;
            }
            b'/' if dialect.hcl && !dialect.escaped && bytes.get(idx + 1) == Some(&b'*') => {
                idx = find(bytes, idx + 2, b"*/")? + 2;
                continue;
            }
            b'{' | b'[' | b'(' => skip_group(bytes, idx, close, dialect)?,
            b'}' | b']' | b')' => return None,
            b'"' if !dialect.escaped => skip_string(bytes, idx, close)?,
            b'\\' if dialect.escaped && bytes.get(idx + 1) == Some(&b'"') => skip_escaped_string(bytes, idx, close)?,
            b',' | b':' | b'=' => idx + 1,
            _ => {
                let mut word_end = idx + 1;
                while word_end < close && bytes.get(word_end).is_some_and(|byte| !b" \t\r\n,:={}[]()\"#".contains(byte))
                {
                    word_end += 1;
                }
                word_end
            }
        };
        if idx > close {
            return None;
        }
        tokens.push(Token { start: token_start, end: idx });
    }
    Some(tokens)
}

fn line_end(bytes: &[u8], idx: usize) -> usize {
    bytes.iter().skip(idx).position(|&byte| byte == b'\n').map_or(bytes.len(), |offset| idx + offset)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes.get(from..)?.windows(needle.len()).position(|window| window == needle).map(|offset| from + offset)
}

/// The end of the string starting at the `"` at `idx`; interpolations (`${…}`) may hold quotes.
fn skip_string(bytes: &[u8], idx: usize, close: usize) -> Option<usize> {
    let mut pos = idx + 1;
    while pos < close {
        match bytes.get(pos)? {
            b'\\' => pos += 2,
            b'"' => return Some(pos + 1),
            b'$' | b'%' if bytes.get(pos + 1) == Some(&b'{') => {
                let mut depth = 0usize;
                pos += 1;
                loop {
                    match bytes.get(pos)? {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    pos += 1;
                }
                pos += 1;
            }
            _ => pos += 1,
        }
    }
    None
}

/// The end of a JSON string inside a quoted HCL string, starting at the `\"` at `idx`: JSON's
/// own escapes are written with a doubled backslash (`\\\"`, `\\\\`, `\\n`).
fn skip_escaped_string(bytes: &[u8], idx: usize, close: usize) -> Option<usize> {
    let mut pos = idx + 2;
    while pos < close {
        match (bytes.get(pos)?, bytes.get(pos + 1)) {
            (b'\\', Some(b'\\')) => {
                pos += 2;
                pos += if bytes.get(pos) == Some(&b'\\') { 2 } else { 1 };
            }
            (b'\\', Some(b'"')) => return Some(pos + 2),
            (b'\\', _) => pos += 2,
            _ => pos += 1,
        }
    }
    None
}

/// The end of the bracketed group opening at `idx`.
fn skip_group(bytes: &[u8], idx: usize, close: usize, dialect: &ObjectDialect<'_>) -> Option<usize> {
    let mut depth = 0usize;
    let mut pos = idx;
    while pos < close {
        match bytes.get(pos)? {
            b'{' | b'[' | b'(' => {
                depth += 1;
                pos += 1;
            }
            b'}' | b']' | b')' => {
                depth -= 1;
                pos += 1;
                if depth == 0 {
                    return Some(pos);
                }
            }
            b'"' if !dialect.escaped => pos = skip_string(bytes, pos, close)?,
            b'\\' if dialect.escaped && bytes.get(pos + 1) == Some(&b'"') => {
                pos = skip_escaped_string(bytes, pos, close)?;
            }
            b'#' if dialect.hcl && !dialect.escaped => pos = line_end(bytes, pos),
            _ => pos += 1,
        }
    }
    None
}

/// The spaces and tabs that start the line holding `offset`.
fn indentation(text: &str, offset: usize) -> &str {
    let line_start = text.get(..offset).and_then(|before| before.rfind('\n')).map_or(0, |idx| idx + 1);
    let line = text.get(line_start..).unwrap_or_default();
    let width = line.bytes().take_while(|byte| matches!(byte, b' ' | b'\t')).count();
    line.get(..width).unwrap_or_default()
}

/// Whether only spaces and tabs stand before `offset` on its line.
fn starts_line(text: &str, offset: usize) -> bool {
    let line_start = text.get(..offset).and_then(|before| before.rfind('\n')).map_or(0, |idx| idx + 1);
    text.get(line_start..offset).is_some_and(|prefix| prefix.bytes().all(|byte| matches!(byte, b' ' | b'\t')))
}

/// Whether HCL may write `key` bare: an identifier (letters, digits, `_`, `-`, not first a digit).
fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
}

#[cfg(test)]
mod tests {
    use super::line_ending;

    #[test]
    fn line_endings_are_read_near_the_object() {
        assert_eq!(line_ending("{\r\n  \"a\": 1\r\n}", 0), "\r\n");
        assert_eq!(line_ending("{\n  \"a\": 1\n}", 0), "\n");
        // The last line has no break after it: the one before decides.
        assert_eq!(line_ending("[\r\n{}", 3), "\r\n");
        assert_eq!(line_ending("{}", 0), "\n");
        assert_eq!(line_ending("\n{}", 1), "\n");
    }
}
