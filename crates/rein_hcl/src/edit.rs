//! Renders model edits ([`PolicyEdit`]) as text edits of Terraform files.
//!
//! Policy values in a `.tf` file stand in three kinds of string: an HCL literal (`jsonencode`
//! objects, `aws_iam_policy_document` blocks, locals), a JSON string inside a heredoc, and a JSON
//! string inside a quoted HCL string (`"{\"Action\": …}"`). The first two escape alike for the
//! values rules write (`\\`, `\"`, and `$${` / `%%{` so that HCL does not interpolate); the third
//! escapes twice. An edit is declined (`None`) whenever it could lose what the user wrote: a
//! literal with a Terraform interpolation (`"arn:aws:s3:::${var.bucket}"`), or a list that is not
//! a plain literal list.
//!
//! Insertions and removals work on the text around the model's spans, never on the syntax tree:
//! members join an object in its own layout (bare or quoted keys, `=` or `:`, commas or line
//! breaks), and a `statement` block of `aws_iam_policy_document` takes a condition or principal as
//! the nested block the data source has for it, and a new statement as a block after it.

use rein_model::json::insert::{ObjectDialect, append_members, insert_after, remove_entry};
use rein_model::{EditRenderer, EditValue, PolicyEdit};
use rein_text::{SourceDb, Span, TextEdit};

/// Renders edits against the files of one analysis.
pub struct HclRenderer<'a> {
    pub db: &'a SourceDb,
}

impl HclRenderer<'_> {
    fn raw(&self, span: Span) -> Option<&str> {
        self.db.get(span.file)?.slice(span.range)
    }
}

/// How the string at a span is quoted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// `"…"`: an HCL literal, or JSON in a heredoc.
    Plain,
    /// `\"…\"`: JSON inside a quoted HCL string.
    Escaped,
}

fn quoting_of_string(raw: &str) -> Option<Quoting> {
    if raw.len() >= 4 && raw.starts_with("\\\"") && raw.ends_with("\\\"") {
        Some(Quoting::Escaped)
    } else if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
        Some(Quoting::Plain)
    } else {
        None
    }
}

/// Whether the raw text holds a Terraform interpolation or directive (`${…}`, `%{…}`), which an
/// edit must not erase. The escapes `$${` and `%%{` are literal text.
fn has_interpolation(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes
        .windows(2)
        .enumerate()
        .any(|(idx, pair)| (pair == b"${" || pair == b"%{") && (idx == 0 || bytes.get(idx - 1) != pair.first()))
}

/// The content of a string literal for `value`, without quotes.
fn escape(value: &str, quoting: Quoting) -> String {
    let mut once = String::with_capacity(value.len() + 2);
    let mut chars = value.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => once.push_str("\\\\"),
            '"' => once.push_str("\\\""),
            '\n' => once.push_str("\\n"),
            '\r' => once.push_str("\\r"),
            '\t' => once.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                once.push(ch);
                once.push(ch);
            }
            ch if u32::from(ch) < 0x20 => once.push_str(&format!("\\u{:04x}", u32::from(ch))),
            ch => once.push(ch),
        }
    }
    match quoting {
        Quoting::Plain => once,
        // JSON inside an HCL string: every backslash and quote of the JSON is escaped again.
        Quoting::Escaped => once.replace('\\', "\\\\").replace('"', "\\\""),
    }
}

fn quoted(value: &str, quoting: Quoting) -> String {
    let quote = match quoting {
        Quoting::Plain => "\"",
        Quoting::Escaped => "\\\"",
    };
    format!("{quote}{}{quote}", escape(value, quoting))
}

/// Whether `raw` is a plain list literal: brackets, commas, white space and string literals only.
fn is_literal_list(raw: &str) -> bool {
    let trimmed = raw.trim();
    if !(trimmed.starts_with('[') && trimmed.ends_with(']')) || has_interpolation(raw) {
        return false;
    }
    let mut in_string = false;
    let mut escaped = false;
    for ch in trimmed.chars() {
        if in_string {
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else {
            match ch {
                '"' => in_string = true,
                '[' | ']' | ',' | '\\' => {}
                ch if ch.is_whitespace() => {}
                _ => return false,
            }
        }
    }
    !in_string
}

/// Whether `raw` is a literal that a number or boolean may replace without losing anything: a
/// number, `true`/`false`, or a quoted string without interpolation.
fn is_plain_scalar(raw: &str) -> bool {
    let raw = raw.trim();
    raw == "true"
        || raw == "false"
        || raw.parse::<f64>().is_ok()
        || (quoting_of_string(raw) == Some(Quoting::Plain) && !has_interpolation(raw))
}

impl EditRenderer for HclRenderer<'_> {
    /// Declines edits of files in Terraform's JSON syntax: the edits are native syntax.
    fn render(&self, edit: &PolicyEdit) -> Option<Vec<TextEdit>> {
        let edits = self.render_native(edit)?;
        if edits.iter().any(|edit| self.is_json_file(edit.span.file)) { None } else { Some(edits) }
    }
}

impl HclRenderer<'_> {
    /// Whether `file` is in Terraform's JSON syntax, which native-syntax edits must not touch.
    pub(crate) fn is_json_file(&self, file: rein_text::FileId) -> bool {
        self.db.get(file).is_some_and(|source| crate::syntax::is_json_path(&source.path.to_ascii_lowercase()))
    }
}

/// The line break a file uses, for the lines an edit writes.
pub(crate) fn newline_of(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

impl HclRenderer<'_> {
    fn render_native(&self, edit: &PolicyEdit) -> Option<Vec<TextEdit>> {
        match edit {
            PolicyEdit::ReplaceLiteral { target, literal } => {
                let raw = self.raw(*target)?;
                is_plain_scalar(raw).then(|| vec![TextEdit::replace(*target, literal.clone())])
            }
            PolicyEdit::ReplaceString { target, value } => {
                let raw = self.raw(*target)?;
                if has_interpolation(raw) {
                    return None;
                }
                // A bare object key (`StringEquals = {…}`) stays bare when the new one can be.
                if quoting_of_string(raw).is_none() && self.is_bare_key(*target) {
                    let key = if is_identifier(value) { value.clone() } else { quoted(value, Quoting::Plain) };
                    return Some(vec![TextEdit::replace(*target, key)]);
                }
                let quoting = quoting_of_string(raw)?;
                Some(vec![TextEdit::replace(*target, quoted(value, quoting))])
            }
            PolicyEdit::ReplaceInString { target, value } => {
                // Only text that needs no escaping in any context is written inside a string.
                let plain = value.chars().all(|ch| ch.is_ascii_graphic() && !matches!(ch, '"' | '\\' | '$' | '%'));
                (plain || value.is_empty()).then(|| vec![TextEdit::replace(*target, value.clone())])
            }
            PolicyEdit::ReplaceWithList { target, values } => {
                let raw = self.raw(*target)?;
                let quoting = if raw.contains("\\\"") {
                    Quoting::Escaped
                } else if is_literal_list(raw) || quoting_of_string(raw) == Some(Quoting::Plain) {
                    Quoting::Plain
                } else {
                    return None;
                };
                if has_interpolation(raw) || (quoting == Quoting::Escaped && !raw.trim_start().starts_with(['[', '\\']))
                {
                    return None;
                }
                let items: Vec<String> = values.iter().map(|value| quoted(value, quoting)).collect();
                Some(vec![TextEdit::replace(*target, format!("[{}]", items.join(", ")))])
            }
            PolicyEdit::AppendMember { object, key, value } => {
                self.append_members(*object, &[(key.clone(), value.clone())])
            }
            PolicyEdit::InsertCondition(insert) => {
                let raw = self.raw(insert.statement)?;
                if raw.starts_with('{') {
                    let (object, members) = insert.as_members();
                    return self.append_members(object, &members);
                }
                let blocks: Vec<_> =
                    insert.entries.iter().map(|(key, values)| (&insert.operator, key, values)).collect();
                self.append_blocks(insert.statement, &condition_blocks(&blocks))
            }
            PolicyEdit::InsertStatement { after, statement } => self.insert_statement(*after, statement),
            PolicyEdit::RemoveMember { key, value } => {
                (key.file == value.file && key.range.start() <= value.range.end()).then_some(())?;
                // A nested block (`not_principals { … }`) may share its member with other blocks.
                let text = self.db.get(key.file)?.text.as_str();
                let after_key = text.get(usize::from(key.range.end())..)?.trim_start_matches([' ', '\t']);
                if after_key.starts_with('{') {
                    return None;
                }
                self.remove(key.cover(*value))
            }
            PolicyEdit::RemoveItem { item } => self.remove(*item),
            PolicyEdit::InsertMember { .. } => None,
            PolicyEdit::InsertAttributes { entity, attributes } => self.insert_attributes(*entity, attributes),
            PolicyEdit::GenerateEntities(entities) => self.generate_entities(entities),
            PolicyEdit::ReplaceEntity { entity, with, state } => self.replace_entity(*entity, with, state),
        }
    }
}

impl HclRenderer<'_> {
    /// Whether the span holds an identifier that an `=` or `:` follows: the bare key of an
    /// object member, which a quoted key may replace. A bare identifier elsewhere is a reference.
    fn is_bare_key(&self, span: Span) -> bool {
        let Some(text) = self.db.get(span.file).map(|file| file.text.as_str()) else { return false };
        let Some(raw) = self.raw(span) else { return false };
        let identifier = is_identifier(raw);
        let after = text.get(usize::from(span.range.end())..).unwrap_or_default().trim_start_matches([' ', '\t']);
        identifier && (after.starts_with(':') || (after.starts_with('=') && !after.starts_with("==")))
    }

    /// Appends a member to an object: an HCL object (`jsonencode`), JSON in a heredoc, or JSON in
    /// a quoted string. A `statement` block of `aws_iam_policy_document` takes a `Condition` or
    /// `Principal` member as the nested blocks the data source has for them.
    fn append_members(&self, object: Span, members: &[(String, EditValue)]) -> Option<Vec<TextEdit>> {
        let text = self.db.get(object.file)?.text.as_str();
        let raw = self.raw(object)?;
        if !raw.starts_with('{') {
            let mut blocks = Vec::new();
            for (key, value) in members {
                blocks.extend(nested_blocks(key, value)?);
            }
            return self.append_blocks(object, &blocks);
        }
        let (open, end) = (usize::from(object.range.start()), usize::from(object.range.end()));
        let quoting = if escaped_context(text, open, end) { Quoting::Escaped } else { Quoting::Plain };
        let string = |value: &str| quoted(value, quoting);
        let dialect = ObjectDialect { string: &string, hcl: true, escaped: quoting == Quoting::Escaped };
        let edits = append_members(text, open, end, members, &dialect)?;
        Some(
            edits
                .into_iter()
                .map(|(start, end, new_text)| TextEdit::replace(Span::from_offsets(object.file, start, end), new_text))
                .collect(),
        )
    }

    /// Removes the member or item at `span` with its separator.
    fn remove(&self, span: Span) -> Option<Vec<TextEdit>> {
        let text = self.db.get(span.file)?.text.as_str();
        let (start, end) = (usize::from(span.range.start()), usize::from(span.range.end()));
        let quoting = if self.raw(span)?.starts_with("\\\"") { Quoting::Escaped } else { Quoting::Plain };
        let string = |value: &str| quoted(value, quoting);
        let dialect = ObjectDialect { string: &string, hcl: true, escaped: quoting == Quoting::Escaped };
        let (start, end, new_text) = remove_entry(text, start, end, &dialect)?;
        Some(vec![TextEdit::replace(Span::from_offsets(span.file, start, end), new_text)])
    }

    /// Inserts a statement after the one at `after`: an object in the same list, or a
    /// `statement` block after the block.
    fn insert_statement(&self, after: Span, statement: &[(String, EditValue)]) -> Option<Vec<TextEdit>> {
        let text = self.db.get(after.file)?.text.as_str();
        let raw = self.raw(after)?;
        let (start, end) = (usize::from(after.range.start()), usize::from(after.range.end()));
        let edits = if raw.starts_with('{') {
            let quoting = if escaped_context(text, start, end) { Quoting::Escaped } else { Quoting::Plain };
            let string = |value: &str| quoted(value, quoting);
            let dialect = ObjectDialect { string: &string, hcl: true, escaped: quoting == Quoting::Escaped };
            insert_after(text, start, end, statement, &dialect)?
        } else {
            if !raw.starts_with("statement") {
                return None;
            }
            let outer = indentation(text, start);
            let inner = format!("{outer}  ");
            let newline = newline_of(text);
            let mut attributes = Vec::new();
            let mut blocks = Vec::new();
            for (key, value) in statement {
                let name = match key.as_str() {
                    "Sid" => "sid",
                    "Effect" => "effect",
                    "Action" => "actions",
                    "NotAction" => "not_actions",
                    "Resource" => "resources",
                    "NotResource" => "not_resources",
                    _ => {
                        blocks.extend(nested_blocks(key, value)?);
                        continue;
                    }
                };
                let literal = match (name, value) {
                    ("sid" | "effect", EditValue::String(value)) => quoted(value, Quoting::Plain),
                    ("sid" | "effect", _) => return None,
                    (_, value) => {
                        let items: Vec<String> =
                            strings_of(value)?.iter().map(|item| quoted(item, Quoting::Plain)).collect();
                        format!("[{}]", items.join(", "))
                    }
                };
                attributes.push((name, literal));
            }
            let width = attributes.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
            let mut out = format!("{newline}{newline}{outer}statement {{{newline}");
            for (name, literal) in &attributes {
                out.push_str(&format!("{inner}{name:<width$} = {literal}{newline}"));
            }
            out.push_str(&render_blocks(&blocks, &inner, "  ", newline));
            out.push_str(&format!("{outer}}}"));
            vec![(end, end, out)]
        };
        Some(
            edits
                .into_iter()
                .map(|(start, end, new_text)| TextEdit::replace(Span::from_offsets(after.file, start, end), new_text))
                .collect(),
        )
    }

    /// Appends nested blocks at the end of the block at `block` (`statement { … }`), indented as
    /// its attributes are, with the `=` of their attributes aligned as `terraform fmt` does.
    fn append_blocks(&self, block: Span, blocks: &[NestedBlock]) -> Option<Vec<TextEdit>> {
        let text = self.db.get(block.file)?.text.as_str();
        let raw = self.raw(block)?;
        let start = usize::from(block.range.start());
        let close = usize::from(block.range.end()).checked_sub(1)?;
        let keyword_len = raw.find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))?;
        let open = start + keyword_len + raw.get(keyword_len..)?.find(|ch: char| ch != ' ' && ch != '\t')?;
        if text.as_bytes().get(open) != Some(&b'{') || text.as_bytes().get(close) != Some(&b'}') || blocks.is_empty() {
            return None;
        }
        let close_line = line_start(text, close);
        // A block that closes on the line of its last attribute is not rewritten.
        if !text.get(close_line..close)?.bytes().all(|byte| matches!(byte, b' ' | b'\t')) || close_line <= open {
            return None;
        }
        let outer = indentation(text, start);
        let first_inner = text.get(open + 1..close)?.find(|ch: char| !ch.is_whitespace()).map(|idx| open + 1 + idx);
        let inner = match first_inner {
            Some(first) if first < close_line => indentation(text, first).to_owned(),
            _ => format!("{outer}  "),
        };
        let step = inner.strip_prefix(outer).filter(|step| !step.is_empty()).unwrap_or("  ");
        let newline = newline_of(text);
        // A body that sets its blocks apart with blank lines gets one before the new blocks too.
        let body = text.get(open + 1..close_line)?;
        let mut out = if body.contains("\n\n") || body.contains("\n\r\n") { newline.to_owned() } else { String::new() };
        out.push_str(&render_blocks(blocks, &inner, step, newline));
        Some(vec![TextEdit::replace(Span::from_offsets(block.file, close_line, close_line), out)])
    }
}

/// The text of nested blocks at indentation `inner`, one `step` deeper inside, each line ended
/// by `newline`.
fn render_blocks(blocks: &[NestedBlock], inner: &str, step: &str, newline: &str) -> String {
    let mut out = String::new();
    for nested in blocks {
        let width = nested.attributes.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        out.push_str(&format!("{inner}{} {{{newline}", nested.name));
        for (name, literal) in &nested.attributes {
            let value = match literal {
                Literal::String(value) => quoted(value, Quoting::Plain),
                Literal::List(values) => {
                    let items: Vec<String> = values.iter().map(|value| quoted(value, Quoting::Plain)).collect();
                    format!("[{}]", items.join(", "))
                }
            };
            out.push_str(&format!("{inner}{step}{name:<width$} = {value}{newline}"));
        }
        out.push_str(&format!("{inner}}}{newline}"));
    }
    out
}

/// A nested block of `aws_iam_policy_document` to write: `condition { test = … }`.
struct NestedBlock {
    name: &'static str,
    attributes: Vec<(&'static str, Literal)>,
}

enum Literal {
    String(String),
    List(Vec<String>),
}

/// The nested blocks of a `statement` block that stand for one member of the statement.
fn nested_blocks(key: &str, value: &EditValue) -> Option<Vec<NestedBlock>> {
    match (key, value) {
        ("Condition", EditValue::Object(operators)) => {
            let mut entries = Vec::new();
            for (operator, keys) in operators {
                let EditValue::Object(keys) = keys else { return None };
                for (key, values) in keys {
                    entries.push((operator, key, strings_of(values)?));
                }
            }
            let entries: Vec<_> = entries.iter().map(|(op, key, values)| (*op, *key, values)).collect();
            Some(condition_blocks(&entries))
        }
        ("Principal" | "NotPrincipal", EditValue::Object(types)) => {
            let name = if key == "Principal" { "principals" } else { "not_principals" };
            let mut blocks = Vec::new();
            for (type_name, identifiers) in types {
                blocks.push(NestedBlock {
                    name,
                    attributes: vec![
                        ("type", Literal::String(type_name.clone())),
                        ("identifiers", Literal::List(strings_of(identifiers)?)),
                    ],
                });
            }
            Some(blocks)
        }
        _ => None,
    }
}

/// Whether HCL may write `key` bare: an identifier (letters, digits, `_`, `-`, not first a digit).
fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
}

/// One `condition` block per (test, variable, values).
fn condition_blocks(entries: &[(&String, &String, &Vec<String>)]) -> Vec<NestedBlock> {
    entries
        .iter()
        .map(|(operator, key, values)| NestedBlock {
            name: "condition",
            attributes: vec![
                ("test", Literal::String((*operator).clone())),
                ("variable", Literal::String((*key).clone())),
                ("values", Literal::List((*values).clone())),
            ],
        })
        .collect()
}

/// The strings of a string or list value; a block attribute takes no objects.
fn strings_of(value: &EditValue) -> Option<Vec<String>> {
    match value {
        EditValue::String(value) => Some(vec![value.clone()]),
        EditValue::List(values) => Some(values.clone()),
        EditValue::Literal(_) | EditValue::Object(_) => None,
    }
}

/// Whether the object at `open..end` is JSON inside a quoted HCL string, whose quotes are `\"`:
/// its first member's key, or for an empty object the text just before it, says so.
fn escaped_context(text: &str, open: usize, end: usize) -> bool {
    let inside = text.get(open + 1..end).unwrap_or_default().trim_start();
    if !inside.starts_with('}') {
        return inside.starts_with("\\\"");
    }
    let before = text.get(..open).unwrap_or_default().trim_end();
    before.ends_with(':') && before.trim_end_matches(':').trim_end().ends_with("\\\"")
}

fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset).and_then(|before| before.rfind('\n')).map_or(0, |idx| idx + 1)
}

/// The spaces and tabs that start the line holding `offset`.
fn indentation(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let line = text.get(start..).unwrap_or_default();
    let width = line.bytes().take_while(|byte| matches!(byte, b' ' | b'\t')).count();
    line.get(..width).unwrap_or_default()
}

mod entity;

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, needle: &str, edit: impl Fn(Span) -> PolicyEdit) -> Option<String> {
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let start = text.find(needle).unwrap();
        let span = Span::from_offsets(file, start, start + needle.len());
        let renderer = HclRenderer { db: &db };
        let edits = renderer.render(&edit(span))?;
        rein_text::apply_edits(text, &edits)
    }

    #[test]
    fn declines_edits_of_terraform_json_files() {
        let text = r#"{"locals": {"a": "s3:GetObjct"}}"#;
        let mut db = SourceDb::new();
        let file = db.add("stack/cdk.tf.json", text);
        let start = text.find("\"s3:GetObjct\"").unwrap();
        let span = Span::from_offsets(file, start, start + "\"s3:GetObjct\"".len());
        let edit = PolicyEdit::ReplaceString { target: span, value: "s3:GetObject".to_owned() };
        assert_eq!(HclRenderer { db: &db }.render(&edit), None);
        // The same text in a `.tf` file is an HCL string the renderer rewrites.
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let span = Span::from_offsets(file, start, start + "\"s3:GetObjct\"".len());
        let edit = PolicyEdit::ReplaceString { target: span, value: "s3:GetObject".to_owned() };
        assert!(HclRenderer { db: &db }.render(&edit).is_some());
    }

    fn replace(value: &str) -> impl Fn(Span) -> PolicyEdit {
        let value = value.to_owned();
        move |target| PolicyEdit::ReplaceString { target, value: value.clone() }
    }

    #[test]
    fn replaces_hcl_literals_and_heredoc_json() {
        let text = "x = jsonencode({ Action = \"s3:GetObjct\" })";
        assert_eq!(
            render(text, "\"s3:GetObjct\"", replace("s3:GetObject")).unwrap(),
            "x = jsonencode({ Action = \"s3:GetObject\" })"
        );
        let text = "p = <<EOF\n{\"Resource\": \"arn:aws:s3:::b\"}\nEOF\n";
        assert_eq!(
            render(text, "\"arn:aws:s3:::b\"", replace("arn:aws:s3:::home/${aws:username}")).unwrap(),
            "p = <<EOF\n{\"Resource\": \"arn:aws:s3:::home/$${aws:username}\"}\nEOF\n"
        );
    }

    #[test]
    fn escapes_twice_inside_a_quoted_string() {
        let text = r#"p = "{\"Effect\": \"allow\"}""#;
        assert_eq!(render(text, r#"\"allow\""#, replace("Allow")).unwrap(), r#"p = "{\"Effect\": \"Allow\"}""#);
        assert_eq!(render(text, r#"\"allow\""#, replace("a\"b")).unwrap(), r#"p = "{\"Effect\": \"a\\\"b\"}""#);
    }

    #[test]
    fn declines_what_would_erase_an_interpolation_or_reference() {
        let text = "r = \"arn:aws:s3:::${var.bucket}\"";
        assert_eq!(render(text, "\"arn:aws:s3:::${var.bucket}\"", replace("*")), None);
        let text = "r = concat(local.a, [\"x\"])";
        let list = |target| PolicyEdit::ReplaceWithList { target, values: vec!["a".into()] };
        assert_eq!(render(text, "concat(local.a, [\"x\"])", list), None);
        let text = "r = \"$${aws:username}\"";
        assert_eq!(render(text, "\"$${aws:username}\"", replace("x")).unwrap(), "r = \"x\"");
    }

    #[test]
    fn replaces_bare_keys_with_quoted_ones() {
        let text = "x = jsonencode({ StringEquals = { a = \"b\" } })";
        assert_eq!(
            render(text, "StringEquals", replace("ForAllValues:StringEquals")).unwrap(),
            "x = jsonencode({ \"ForAllValues:StringEquals\" = { a = \"b\" } })"
        );
        assert_eq!(
            render(text, "StringEquals", replace("StringLike")).unwrap(),
            "x = jsonencode({ StringLike = { a = \"b\" } })"
        );
        assert_eq!(render("x = [local_name]", "local_name", replace("y")), None);
    }

    #[test]
    fn removes_members_and_items_with_their_separators() {
        let remove_item = |target| PolicyEdit::RemoveItem { item: target };
        let text = "a = [\"x\", \"y\"]";
        assert_eq!(render(text, "\"x\"", remove_item).unwrap(), "a = [\"y\"]");
        assert_eq!(render(text, "\"y\"", remove_item).unwrap(), "a = [\"x\"]");
        let text = "p = jsonencode({\n  Effect   = \"Allow\"\n  Resource = \"*\"\n  Action   = \"s3:*\"\n})\n";
        assert_eq!(
            render(text, "Resource = \"*\"", remove_item).unwrap(),
            "p = jsonencode({\n  Effect   = \"Allow\"\n  Action   = \"s3:*\"\n})\n"
        );
        let text = "p = <<EOF\n{\"Effect\": \"Allow\", \"Resource\": \"*\"}\nEOF\n";
        assert_eq!(
            render(text, "\"Resource\": \"*\"", remove_item).unwrap(),
            "p = <<EOF\n{\"Effect\": \"Allow\"}\nEOF\n"
        );
        let text = r#"p = "{\"Effect\": \"Allow\", \"Resource\": \"*\"}""#;
        assert_eq!(render(text, r#"\"Resource\": \"*\""#, remove_item).unwrap(), r#"p = "{\"Effect\": \"Allow\"}""#);
    }

    #[test]
    fn replaces_literal_lists() {
        let text = "resources = [\"arn:aws:s3:::b\"]";
        let list = |target| PolicyEdit::ReplaceWithList {
            target,
            values: vec!["arn:aws:s3:::b".into(), "arn:aws:s3:::b/*".into()],
        };
        assert_eq!(
            render(text, "[\"arn:aws:s3:::b\"]", list).unwrap(),
            "resources = [\"arn:aws:s3:::b\", \"arn:aws:s3:::b/*\"]"
        );
    }

    /// Adds a condition to the first statement of the first document, checks that the file
    /// re-reads without problems and holds it, and returns the new text.
    fn insert_condition(text: &str, operator: &str, key: &str, values: &[&str]) -> String {
        let values: Vec<String> = values.iter().map(|value| (*value).to_owned()).collect();
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let output = crate::analyze_file(file, text);
        let stmt = output.documents.first().and_then(|doc| doc.statements.first()).unwrap();
        let edit = PolicyEdit::insert_condition(stmt, operator, key, &values).unwrap();
        let edits = HclRenderer { db: &db }.render(&edit).unwrap_or_else(|| panic!("no rendering in\n{text}"));
        let edited = rein_text::apply_edits(text, &edits).unwrap();
        let reread = crate::analyze_file(file, &edited);
        assert!(reread.issues.is_empty(), "{:?}\n{edited}", reread.issues);
        let doc = reread.documents.first().unwrap();
        assert!(doc.issues.is_empty(), "{:?}\n{edited}", doc.issues);
        let found = doc.statements.first().and_then(|stmt| stmt.condition.as_ref()).is_some_and(|block| {
            block.entries().any(|(op, entry)| {
                op.key.name == operator
                    && entry.key.name == key
                    && entry
                        .values
                        .iter()
                        .map(|value| value.value.known().unwrap_or_default())
                        .eq(values.iter().map(String::as_str))
            })
        });
        assert!(found, "condition missing in\n{edited}");
        edited
    }

    #[test]
    fn inserts_conditions_into_jsonencode_objects() {
        let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = \"iam:PassRole\"\n      Resource = \"*\"\n    }]\n  })\n}\n";
        let edited = insert_condition(text, "StringEquals", "iam:PassedToService", &["ec2.amazonaws.com"]);
        assert_eq!(
            edited,
            text.replace(
                "      Resource = \"*\"\n",
                "      Resource = \"*\"\n      Condition = {\n        StringEquals = {\n          \"iam:PassedToService\" = \"ec2.amazonaws.com\"\n        }\n      }\n"
            )
        );
        // Into the operator block that is there; quoted keys, commas and `:` are copied.
        let edited = insert_condition(&edited, "StringEquals", "aws:SourceAccount", &["1", "2"]);
        assert!(
            edited.contains("\"ec2.amazonaws.com\"\n          \"aws:SourceAccount\" = [\"1\", \"2\"]\n"),
            "{edited}"
        );
        let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    \"Statement\" : [{\n      \"Effect\" : \"Allow\",\n      \"Action\" : \"s3:*\",\n      \"Resource\" : \"*\",\n    }]\n  })\n}\n";
        let edited = insert_condition(text, "Bool", "aws:SecureTransport", &["true"]);
        assert!(
            edited.contains("\"Resource\" : \"*\",\n      \"Condition\" : {\n        \"Bool\" : {\n          \"aws:SecureTransport\" : \"true\"\n        }\n      },\n    }]"),
            "{edited}"
        );
        let text = "locals {\n  p = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"s3:*\", Resource = \"*\" }] })\n}\nresource \"aws_iam_policy\" \"p\" {\n  policy = local.p\n}\n";
        let edited = insert_condition(text, "Bool", "aws:SecureTransport", &["true"]);
        assert!(
            edited.contains("Resource = \"*\", Condition = { Bool = { \"aws:SecureTransport\" = \"true\" } } }]"),
            "{edited}"
        );
    }

    #[test]
    fn inserts_conditions_into_heredoc_and_quoted_json() {
        let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"arn:aws:s3:::b/$${aws:username}\"\n    }\n  ]\n}\nEOF\n}\n";
        let edited = insert_condition(text, "StringEquals", "aws:ResourceAccount", &["${aws:PrincipalAccount}"]);
        assert_eq!(
            edited,
            text.replace(
                "$${aws:username}\"\n",
                "$${aws:username}\",\n      \"Condition\": {\n        \"StringEquals\": {\n          \"aws:ResourceAccount\": \"$${aws:PrincipalAccount}\"\n        }\n      }\n"
            )
        );
        let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = \"{\\\"Statement\\\": {\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"s3:*\\\", \\\"Resource\\\": \\\"*\\\"}}\"\n}\n";
        let edited = insert_condition(text, "StringLike", "s3:prefix", &["a\"b", "c"]);
        assert!(
            edited.contains(
                r#"\"Resource\": \"*\", \"Condition\": {\"StringLike\": {\"s3:prefix\": [\"a\\\"b\", \"c\"]}}}}"#
            ),
            "{edited}"
        );
    }

    #[test]
    fn declines_conditions_next_to_an_unknown_condition() {
        let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{\n      Effect    = \"Allow\"\n      Action    = \"s3:*\"\n      Resource  = \"*\"\n      Condition = var.condition\n    }]\n  })\n}\n";
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let output = crate::analyze_file(file, text);
        let stmt = output.documents.first().and_then(|doc| doc.statements.first()).unwrap();
        assert!(stmt.condition.as_ref().is_some_and(|block| block.unknown.is_some()));
        assert_eq!(PolicyEdit::insert_condition(stmt, "Bool", "aws:SecureTransport", &["true".to_owned()]), None);
    }

    #[test]
    fn inserts_condition_blocks_into_policy_document_statements() {
        let text = "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"iam:PassRole\"]\n    resources = [\"*\"] # every role\n  }\n}\n";
        let edited = insert_condition(text, "StringEquals", "iam:PassedToService", &["ec2.amazonaws.com"]);
        assert_eq!(
            edited,
            text.replace(
                "# every role\n",
                "# every role\n    condition {\n      test     = \"StringEquals\"\n      variable = \"iam:PassedToService\"\n      values   = [\"ec2.amazonaws.com\"]\n    }\n"
            )
        );
        // A second key of the same test is a block of its own, which the data source merges.
        let edited = insert_condition(&edited, "StringEquals", "aws:SourceAccount", &["1"]);
        assert!(edited.ends_with("      values   = [\"1\"]\n    }\n  }\n}\n"), "{edited}");
        let text = "data \"aws_iam_policy_document\" \"d\" {\n\tstatement {\n\t\tactions = [\"s3:*\"]\n\t\tresources = [\"*\"]\n\t}\n}\n";
        let edited = insert_condition(text, "Bool", "aws:SecureTransport", &["true"]);
        assert!(edited.contains("\t\tcondition {\n\t\t\ttest     = \"Bool\"\n"), "{edited}");
    }

    /// Inserts a statement after the first statement of the first document, checks that the file
    /// re-reads without problems with one statement more, and returns the new text.
    fn insert_statement(text: &str) -> String {
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let output = crate::analyze_file(file, text);
        let doc = output.documents.first().unwrap();
        let statement = vec![
            ("Effect".to_owned(), EditValue::String("Deny".to_owned())),
            ("Action".to_owned(), EditValue::List(vec!["s3:DeleteBucket".to_owned()])),
            ("Resource".to_owned(), EditValue::String("*".to_owned())),
        ];
        let edit = PolicyEdit::InsertStatement { after: doc.statements.first().unwrap().span, statement };
        let edits = HclRenderer { db: &db }.render(&edit).unwrap_or_else(|| panic!("no rendering in\n{text}"));
        let edited = rein_text::apply_edits(text, &edits).unwrap();
        let reread = crate::analyze_file(file, &edited);
        assert!(reread.issues.is_empty(), "{:?}\n{edited}", reread.issues);
        let doc_after = reread.documents.first().unwrap();
        assert!(doc_after.issues.is_empty(), "{:?}\n{edited}", doc_after.issues);
        assert_eq!(doc_after.statements.len(), doc.statements.len() + 1, "{edited}");
        let added = doc_after.statements.get(1).unwrap();
        assert_eq!(added.effect.as_ref().and_then(|effect| effect.known()), Some("Deny"), "{edited}");
        edited
    }

    #[test]
    fn inserts_statements_in_every_terraform_syntax() {
        let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\"\n    }\n  ]\n}\nEOF\n}\n";
        assert_eq!(
            insert_statement(text),
            text.replace(
                "\"s3:*\"\n    }\n",
                "\"s3:*\"\n    },\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": [\"s3:DeleteBucket\"],\n      \"Resource\": \"*\"\n    }\n"
            )
        );
        let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = \"{\\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"s3:*\\\"}]}\"\n}\n";
        assert!(
            insert_statement(text).contains(r#"\"Action\": \"s3:*\"}, {\"Effect\": \"Deny\", \"Action\": [\"s3:DeleteBucket\"], \"Resource\": \"*\"}]}""#),
            "{}",
            insert_statement(text)
        );
        let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{\n      Effect = \"Allow\"\n      Action = \"s3:*\"\n    }]\n  })\n}\n";
        assert!(
            insert_statement(text).contains("      Action = \"s3:*\"\n    },\n    {\n      Effect = \"Deny\"\n"),
            "{}",
            insert_statement(text)
        );
        let text = "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions = [\"s3:*\"]\n  }\n}\n";
        assert_eq!(
            insert_statement(text),
            "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions = [\"s3:*\"]\n  }\n\n  statement {\n    effect    = \"Deny\"\n    actions   = [\"s3:DeleteBucket\"]\n    resources = [\"*\"]\n  }\n}\n"
        );
    }

    #[test]
    fn appends_principal_blocks_to_policy_document_statements() {
        let text =
            "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n  }\n}\n";
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let stmt = crate::analyze_file(file, text).documents.remove(0).statements.remove(0);
        let value = EditValue::object([("Service", EditValue::List(vec!["ec2.amazonaws.com".to_owned()]))]);
        let edit = PolicyEdit::AppendMember { object: stmt.span, key: "Principal".to_owned(), value };
        let edits = HclRenderer { db: &db }.render(&edit).unwrap();
        let edited = rein_text::apply_edits(text, &edits).unwrap();
        assert_eq!(
            edited,
            "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"Service\"\n      identifiers = [\"ec2.amazonaws.com\"]\n    }\n  }\n}\n"
        );
        let principal = crate::analyze_file(file, &edited).documents.remove(0).statements.remove(0).principal;
        assert!(principal.is_some(), "{edited}");
    }
}
