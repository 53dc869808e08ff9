//! Completion: service prefixes, and the actions of a service after `prefix:`; condition
//! operators; the condition keys the statement's actions support; ARN templates of the
//! resource types the statement's actions accept.
//!
//! Which of these applies is read from the text before the cursor, because a half-typed
//! value often does not parse yet: brackets and keys for JSON and Terraform (policy JSON,
//! `jsonencode`, heredocs, `aws_iam_policy_document` blocks), indentation for YAML. The
//! statement's actions come from the model when the statement parses.

use std::collections::BTreeSet;

use rein_catalog::{Action, catalog};
use rein_text::{TextRange, TextSize, range_from_offsets};

use crate::analysis::FileAnalysis;
use crate::cursor;

/// The condition operators (base names) and what each compares.
pub const OPERATORS: &[(&str, &str)] = &[
    ("StringEquals", "exact string match, case-sensitive"),
    ("StringNotEquals", "negated exact string match"),
    ("StringEqualsIgnoreCase", "exact string match, ignoring case"),
    ("StringNotEqualsIgnoreCase", "negated string match, ignoring case"),
    ("StringLike", "string match with `*` and `?` wildcards"),
    ("StringNotLike", "negated wildcard string match"),
    ("NumericEquals", "number equal to"),
    ("NumericNotEquals", "number not equal to"),
    ("NumericLessThan", "number less than"),
    ("NumericLessThanEquals", "number less than or equal to"),
    ("NumericGreaterThan", "number greater than"),
    ("NumericGreaterThanEquals", "number greater than or equal to"),
    ("DateEquals", "date equal to"),
    ("DateNotEquals", "date not equal to"),
    ("DateLessThan", "date before"),
    ("DateLessThanEquals", "date at or before"),
    ("DateGreaterThan", "date after"),
    ("DateGreaterThanEquals", "date at or after"),
    ("Bool", "boolean match"),
    ("BinaryEquals", "base-64 encoded binary match"),
    ("IpAddress", "IP address in a CIDR range"),
    ("NotIpAddress", "IP address outside a CIDR range"),
    ("ArnEquals", "exact ARN match"),
    ("ArnLike", "ARN match with wildcards"),
    ("ArnNotEquals", "negated exact ARN match"),
    ("ArnNotLike", "negated wildcard ARN match"),
    ("Null", "whether the key is absent (`true`) or present (`false`)"),
];

/// What is being typed at the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Action,
    Resource,
    ConditionOperator,
    ConditionKey,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Service,
    Action,
    Operator,
    ConditionKey,
    Arn,
}

/// One completion in editor terms: the text replaces `range` (the word typed so far).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    pub insert: String,
    /// `insert` is a snippet (`${1:…}` placeholders).
    pub snippet: bool,
    pub range: TextRange,
}

/// The completions at `offset` of the analysed text.
pub fn completions(result: &FileAnalysis, offset: TextSize, snippets: bool) -> Vec<Item> {
    let text = result.text();
    let offset = usize::from(offset).min(text.len());
    let Some(before) = text.get(..offset) else { return Vec::new() };
    let word_start = word_start(before);
    let word = before.get(word_start..).unwrap_or_default();
    let range = range_from_offsets(word_start, offset);
    let yaml = result.kind == Some(rein_analysis::FileKind::CloudFormation) && !text.trim_start().starts_with('{');
    let slot =
        if yaml { yaml_slot(before, word_start) } else { bracket_slot(before.get(..word_start).unwrap_or_default()) };
    let Some(slot) = slot else { return Vec::new() };
    let stmt = result
        .file
        .and_then(|file| cursor::statement_at(&result.analysis.documents, file, TextSize::from(offset as u32)));
    let cat = catalog();
    let actions: Vec<Action<'_>> = stmt
        .map(|stmt| cursor::statement_actions(stmt).into_iter().flat_map(|name| cat.expand(name)).collect())
        .unwrap_or_default();
    match slot {
        Slot::Action => action_items(word, range),
        Slot::ConditionOperator => operator_items(range),
        Slot::ConditionKey => condition_key_items(word, &actions, range),
        Slot::Resource => arn_items(word, &actions, range, snippets),
    }
}

/// Where the word that ends `before` starts: after the last delimiter, which may be a
/// multi-byte space.
fn word_start(before: &str) -> usize {
    before.char_indices().rev().find(|(_, ch)| is_delimiter(*ch)).map_or(0, |(idx, ch)| idx + ch.len_utf8())
}

fn is_delimiter(ch: char) -> bool {
    ch.is_whitespace() || matches!(ch, '"' | '\'' | ',' | '[' | ']' | '{' | '}' | '(' | ')' | '=')
}

fn action_items(word: &str, range: TextRange) -> Vec<Item> {
    let cat = catalog();
    match word.split_once(':') {
        None => cat
            .services()
            .map(|service| Item {
                label: service.prefix().to_owned(),
                kind: ItemKind::Service,
                detail: Some(service.name().to_owned()),
                documentation: None,
                insert: format!("{}:", service.prefix()),
                snippet: false,
                range,
            })
            .collect(),
        Some((prefix, _)) => {
            let Some(service) = cat.service(prefix) else { return Vec::new() };
            service
                .actions()
                .map(|action| Item {
                    label: action.full_name(),
                    kind: ItemKind::Action,
                    detail: Some(action.access_level().as_str().to_owned()),
                    documentation: Some(action.description().to_owned()),
                    insert: action.full_name(),
                    snippet: false,
                    range,
                })
                .collect()
        }
    }
}

fn operator_items(range: TextRange) -> Vec<Item> {
    let mut items = Vec::new();
    for (name, about) in OPERATORS {
        let variants: &[&str] = if *name == "Null" { &[""] } else { &["", "IfExists"] };
        for suffix in variants {
            let label = format!("{name}{suffix}");
            let detail = if suffix.is_empty() { (*about).to_owned() } else { format!("{about}, or the key is absent") };
            items.push(Item {
                insert: label.clone(),
                label,
                kind: ItemKind::Operator,
                detail: Some(detail),
                documentation: None,
                snippet: false,
                range,
            });
        }
    }
    items
}

fn condition_key_items(word: &str, actions: &[Action<'_>], range: TextRange) -> Vec<Item> {
    let cat = catalog();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut items = Vec::new();
    let mut push = |key: rein_catalog::ConditionKeyInfo<'_>, items: &mut Vec<Item>| {
        if seen.insert(key.key().to_owned()) {
            items.push(Item {
                label: key.key().to_owned(),
                kind: ItemKind::ConditionKey,
                detail: Some(key.ty().as_str().to_owned()),
                documentation: (!key.description().is_empty()).then(|| key.description().to_owned()),
                insert: key.key().to_owned(),
                snippet: false,
                range,
            });
        }
    };
    for action in actions {
        for key in action.condition_keys() {
            push(key, &mut items);
        }
    }
    // Without actions to go by, the keys of the service typed so far.
    if actions.is_empty()
        && let Some(service) = word.split_once(':').and_then(|(prefix, _)| cat.service(prefix))
    {
        for key in service.condition_keys() {
            push(key, &mut items);
        }
    }
    for key in cat.global_condition_keys() {
        push(key, &mut items);
    }
    items
}

fn arn_items(word: &str, actions: &[Action<'_>], range: TextRange, snippets: bool) -> Vec<Item> {
    let cat = catalog();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut items = Vec::new();
    let mut push = |resource: rein_catalog::ResourceType<'_>, accepted_by: Option<String>, items: &mut Vec<Item>| {
        for template in resource.arn_templates() {
            if !seen.insert(template.to_owned()) {
                continue;
            }
            items.push(Item {
                label: template.to_owned(),
                kind: ItemKind::Arn,
                detail: Some(format!("{}:{}", resource.service().prefix(), resource.name())),
                documentation: accepted_by.clone(),
                insert: if snippets { arn_snippet(template) } else { arn_plain(template) },
                snippet: snippets,
                range,
            });
        }
    };
    for action in actions {
        for res in action.resource_types() {
            push(res.resource_type, Some(format!("Accepted by `{action}`")), &mut items);
        }
    }
    if actions.is_empty()
        && let Some(service) = word.split(':').nth(2).and_then(|prefix| cat.service(prefix))
    {
        for resource in service.resource_types() {
            push(resource, None, &mut items);
        }
    }
    items
}

/// `arn:${Partition}:s3:::${BucketName}` as a snippet with one placeholder per variable; the
/// partition defaults to `aws`. `$` and `}` outside placeholders are escaped.
fn arn_snippet(template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    let mut n_placeholder = 0;
    while let Some(at) = rest.find("${") {
        out.push_str(&escape_snippet(rest.get(..at).unwrap_or_default()));
        let after = rest.get(at + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else {
            rest = rest.get(at..).unwrap_or_default();
            break;
        };
        let name = after.get(..end).unwrap_or_default();
        n_placeholder += 1;
        let default = if name == "Partition" { "aws" } else { name };
        out.push_str(&format!("${{{n_placeholder}:{}}}", escape_snippet(default)));
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(&escape_snippet(rest));
    out
}

/// Escapes text for the literal part of a snippet.
pub(crate) fn escape_snippet(text: &str) -> String {
    text.replace('\\', "\\\\").replace('$', "\\$").replace('}', "\\}")
}

/// The template with `aws` for the partition and the other variables as their names, for
/// clients without snippets (and so no `${` that Terraform would read as an interpolation).
fn arn_plain(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find("${") {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else { break };
        let name = after.get(..end).unwrap_or_default();
        out.push_str(if name == "Partition" { "aws" } else { name });
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The slot a key names, as a value.
fn slot_of_key(key: &str) -> Option<Slot> {
    match key.to_ascii_lowercase().as_str() {
        "action" | "notaction" | "actions" | "not_actions" => Some(Slot::Action),
        "resource" | "notresource" | "resources" | "not_resources" => Some(Slot::Resource),
        "test" => Some(Slot::ConditionOperator),
        "variable" => Some(Slot::ConditionKey),
        _ => None,
    }
}

fn is_operator(key: &str) -> bool {
    let operator = rein_model::OperatorName::parse(key);
    OPERATORS.iter().any(|(name, _)| *name == operator.base)
}

/// The slot of a key being typed inside an object opened by `parent`.
fn slot_of_new_key(parent: &str) -> Option<Slot> {
    if parent.eq_ignore_ascii_case("condition") {
        Some(Slot::ConditionOperator)
    } else if is_operator(parent) {
        Some(Slot::ConditionKey)
    } else {
        None
    }
}

/// JSON and Terraform: scans `before` (the text up to the word typed) for the containers that
/// are open at its end and the key each was opened by.
fn bracket_slot(before: &str) -> Option<Slot> {
    // (opener, key that opened it)
    let mut stack: Vec<(char, Option<String>)> = Vec::new();
    let mut last_token: Option<String> = None;
    let mut pending: Option<String> = None;
    let mut in_string = false;
    let mut current = String::new();
    let mut chars = before.chars().peekable();
    while let Some(ch) = chars.next() {
        if in_string {
            match ch {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_string = false;
                    last_token = Some(std::mem::take(&mut current));
                }
                _ => current.push(ch),
            }
            continue;
        }
        match ch {
            '"' => {
                in_string = true;
                current.clear();
            }
            '#' => {
                for next in chars.by_ref() {
                    if next == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for next in chars.by_ref() {
                    if next == '\n' {
                        break;
                    }
                }
            }
            ':' | '=' => {
                pending = last_token.take();
            }
            '{' | '[' | '(' => {
                stack.push((ch, pending.take()));
                last_token = None;
            }
            '}' | ']' | ')' => {
                stack.pop();
                pending = None;
                last_token = None;
            }
            ',' => {
                pending = None;
                last_token = None;
            }
            // Terraform separates attributes by new lines; a key written on an earlier line that
            // got its value there is done.
            '\n' if last_token.is_some() => pending = None,
            _ if ch.is_alphanumeric() || ch == '_' || ch == '-' => {
                let mut ident = String::from(ch);
                while let Some(&next) = chars.peek() {
                    if next.is_alphanumeric() || next == '_' || next == '-' {
                        ident.push(next);
                        chars.next();
                    } else {
                        break;
                    }
                }
                last_token = Some(ident);
            }
            _ => {}
        }
    }
    // Inside a string that is a value of `pending`, or the value written bare.
    if let Some(key) = &pending {
        return slot_of_key(key);
    }
    let (opener, key) = stack.last()?;
    let key = key.as_deref()?;
    match opener {
        '[' => slot_of_key(key),
        // In an object: a new key is typed.
        '{' => slot_of_new_key(key),
        _ => None,
    }
}

/// YAML: the key on the cursor's line, or the keys of the less indented lines above it.
fn yaml_slot(before: &str, word_start: usize) -> Option<Slot> {
    let line_start = before.rfind('\n').map_or(0, |idx| idx + 1);
    let line = before.get(line_start..word_start).unwrap_or_default();
    let content = line.trim_start().trim_start_matches("- ").trim_start();
    let indent = line.len() - line.trim_start().len();
    // `Action: s3:Get` or `Action: [s3:Get`: the key is on this line.
    if let Some((key, _)) = content.split_once(':') {
        let key = key.trim().trim_matches(['"', '\'']);
        return slot_of_key(key);
    }
    let mut parents: Vec<String> = Vec::new();
    let mut limit = indent;
    let list_item = line.trim_start().starts_with('-');
    for prior in before.get(..line_start).unwrap_or_default().lines().rev() {
        let trimmed = prior.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let prior_indent = prior.len() - trimmed.len();
        // A list item may sit at its key's indentation.
        let is_parent = prior_indent < limit
            || (list_item && parents.is_empty() && prior_indent == limit && !trimmed.starts_with('-'));
        if !is_parent {
            continue;
        }
        let key = trimmed.trim_start_matches("- ").split_once(':').map(|(key, _)| key.trim().trim_matches(['"', '\'']));
        if let Some(key) = key {
            parents.push(key.to_owned());
        }
        limit = prior_indent;
        if parents.len() == 1 {
            break;
        }
    }
    let parent = parents.first()?;
    if list_item {
        return slot_of_key(parent);
    }
    slot_of_new_key(parent).or_else(|| slot_of_key(parent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_in_json_and_terraform() {
        assert_eq!(bracket_slot(r#"{"Statement": [{"Action": ["#), Some(Slot::Action));
        assert_eq!(bracket_slot(r#"{"Statement": {"Action": "#), Some(Slot::Action));
        assert_eq!(bracket_slot(r#"{"Statement": {"Action": "s3:x", "Resource": "#), Some(Slot::Resource));
        assert_eq!(bracket_slot(r#"{"Statement": {"Condition": {"#), Some(Slot::ConditionOperator));
        assert_eq!(bracket_slot(r#"{"Statement": {"Condition": {"StringEquals": {"#), Some(Slot::ConditionKey));
        assert_eq!(bracket_slot(r#"{"Statement": {"Condition": {"StringEquals": {"aws:x": "#), None);
        assert_eq!(bracket_slot("statement {\n  actions = [\n    \"s3:x\",\n    "), Some(Slot::Action));
        assert_eq!(bracket_slot("condition {\n  test = "), Some(Slot::ConditionOperator));
        assert_eq!(bracket_slot("condition {\n  test = \"Bool\"\n  variable = "), Some(Slot::ConditionKey));
        assert_eq!(bracket_slot("condition {\n  test = \"Bool\"\n  "), None);
        assert_eq!(bracket_slot("policy = jsonencode({\n  Statement = [{\n    Resource = "), Some(Slot::Resource));
        // A `[` or `:` inside a string or a comment does not count.
        assert_eq!(bracket_slot("# Action = [\nname = \"a[b:\"\nx = "), None);
    }

    #[test]
    fn slots_in_yaml() {
        let text = "Statement:\n  - Effect: Allow\n    Action:\n      - ";
        assert_eq!(yaml_slot(text, text.len()), Some(Slot::Action));
        let text = "    Action:\n    - ";
        assert_eq!(yaml_slot(text, text.len()), Some(Slot::Action));
        let text = "    Resource: ";
        assert_eq!(yaml_slot(text, text.len()), Some(Slot::Resource));
        let text = "    Condition:\n      ";
        assert_eq!(yaml_slot(text, text.len()), Some(Slot::ConditionOperator));
        let text = "    Condition:\n      StringEquals:\n        ";
        assert_eq!(yaml_slot(text, text.len()), Some(Slot::ConditionKey));
    }

    #[test]
    fn words_start_after_multibyte_delimiters() {
        let before = "Action:\u{3000}s3:Get";
        assert_eq!(before.get(word_start(before)..), Some("s3:Get"));
        assert_eq!(word_start("s3"), 0);
    }

    #[test]
    fn arn_templates_become_snippets_or_text() {
        let template = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert_eq!(arn_snippet(template), "arn:${1:aws}:s3:::${2:BucketName}/${3:ObjectName}");
        assert_eq!(arn_plain(template), "arn:aws:s3:::BucketName/ObjectName");
    }
}
