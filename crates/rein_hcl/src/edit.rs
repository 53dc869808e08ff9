//! Renders model edits ([`PolicyEdit`]) as text edits of Terraform files.
//!
//! Policy values in a `.tf` file stand in three kinds of string: an HCL literal (`jsonencode`
//! objects, `aws_iam_policy_document` blocks, locals), a JSON string inside a heredoc, and a JSON
//! string inside a quoted HCL string (`"{\"Action\": …}"`). The first two escape alike for the
//! values rules write (`\\`, `\"`, and `$${` / `%%{` so that HCL does not interpolate); the third
//! escapes twice. An edit is declined (`None`) whenever it could lose what the user wrote: a
//! literal with a Terraform interpolation (`"arn:aws:s3:::${var.bucket}"`), or a list that is not
//! a plain literal list.

use rein_model::{EditRenderer, PolicyEdit};
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
    fn render(&self, edit: &PolicyEdit) -> Option<Vec<TextEdit>> {
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
            PolicyEdit::RemoveMember { .. } | PolicyEdit::RemoveItem { .. } | PolicyEdit::InsertMember { .. } => None,
        }
    }
}

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
}
