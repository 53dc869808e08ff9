//! Hover: the catalogue entry of an action, the expansion of a wildcard, the resource types an
//! ARN can name, a condition key's type and the actions that support it, and the docs of the
//! rules reported under the cursor.

use std::fmt::Write as _;

use rein_catalog::{AccessLevel, Action, arn::ArnPattern, catalog};
use rein_model::Statement;
use rein_rules::find_rule;
use rein_text::{TextRange, TextSize};

use crate::analysis::FileAnalysis;
use crate::cursor::{self, Element};

/// How many names a list in a hover shows before it says "and N more".
const MAX_LISTED: usize = 12;

/// The hover text at `offset` and the range it describes.
pub fn hover(result: &FileAnalysis, offset: TextSize) -> Option<(String, TextRange)> {
    let file = result.file?;
    let mut sections: Vec<String> = Vec::new();
    let mut range: Option<TextRange> = None;
    if let Some((element, stmt)) = cursor::element_at(&result.analysis.documents, file, offset) {
        // A value that is not known statically (a variable, a reference) has no entry to show.
        let described = match element {
            Element::Action(value) => value.known().map(|name| (action_hover(name), value.span.range)),
            Element::Resource(value) => value.known().map(|arn| (resource_hover(arn, stmt), value.span.range)),
            Element::ConditionKey(key) => Some((condition_key_hover(&key.name, stmt), key.span.range)),
            Element::ConditionOperator(operator) => Some((operator_hover(&operator.key.name), operator.key.span.range)),
        };
        if let Some((text, element_range)) = described {
            sections.push(text);
            range = Some(element_range);
        }
    }
    // The rules reported here.
    let mut rules: Vec<&str> = Vec::new();
    for finding in &result.analysis.findings {
        if finding.span.file == file && cursor::touches(finding.span.range, offset) && !rules.contains(&finding.rule) {
            rules.push(finding.rule);
            range.get_or_insert(finding.span.range);
        }
    }
    // A rule id written in a suppression comment.
    if let Some((word, word_range)) = rule_id_at(result.text(), offset)
        && !rules.contains(&word)
    {
        rules.push(word);
        range.get_or_insert(word_range);
    }
    for rule in rules {
        if let Some(rule) = find_rule(rule) {
            let meta = rule.meta();
            sections.push(format!(
                "**{}** `{}` ({}, {})\n\n{}\n\n[Documentation]({})",
                meta.id,
                meta.name(),
                meta.category.as_str(),
                meta.severity.as_str(),
                meta.documentation().trim(),
                crate::diagnostics::rule_docs_url(meta.id),
            ));
        }
    }
    if sections.is_empty() {
        return None;
    }
    Some((sections.join("\n\n---\n\n"), range.unwrap_or_else(|| TextRange::empty(offset))))
}

fn action_hover(name: &str) -> String {
    let cat = catalog();
    if name.contains(['*', '?']) {
        return wildcard_hover(name, &cat.expand(name));
    }
    let Some(action) = cat.action(name) else {
        let mut text = format!("`{name}` is not an action in the IAM catalogue");
        let suggestions = cat.suggest_action(name);
        if !suggestions.is_empty() {
            let list = suggestions.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
            let _ = write!(text, "; did you mean {list}?");
        }
        return text;
    };
    let mut text =
        format!("**{}** ({})\n\n{}", action.full_name(), action.access_level().as_str(), action.description());
    let resources: Vec<String> = action
        .resource_types()
        .map(|res| {
            let required = if res.required { " (required)" } else { "" };
            format!("`{}`{required}", res.resource_type.name())
        })
        .collect();
    if resources.is_empty() {
        text.push_str("\n\nResource types: none, so only `\"Resource\": \"*\"` grants it");
    } else {
        let _ = write!(text, "\n\nResource types: {}", resources.join(", "));
    }
    let keys: Vec<String> = action.condition_keys().iter().map(|key| format!("`{}`", key.key())).collect();
    if !keys.is_empty() {
        let _ = write!(text, "\n\nCondition keys: {}", list_limited(&keys));
    }
    let dependent: Vec<String> = action.dependent_actions().map(|name| format!("`{name}`")).collect();
    if !dependent.is_empty() {
        let _ = write!(text, "\n\nAlso needs: {}", dependent.join(", "));
    }
    text
}

fn wildcard_hover(pattern: &str, actions: &[Action<'_>]) -> String {
    if actions.is_empty() {
        return format!("`{pattern}` matches no action in the IAM catalogue");
    }
    let noun = if actions.len() == 1 { "action" } else { "actions" };
    let mut text = format!("**{pattern}** matches {} {noun}", actions.len());
    for level in AccessLevel::ALL {
        let names: Vec<String> = actions
            .iter()
            .filter(|action| action.access_level() == level)
            .map(|action| format!("`{action}`"))
            .collect();
        if !names.is_empty() {
            let _ = write!(text, "\n\n*{}* ({}): {}", level.as_str(), names.len(), list_limited(&names));
        }
    }
    text
}

fn resource_hover(arn: &str, stmt: &Statement) -> String {
    let cat = catalog();
    if arn == "*" {
        return "`*`: every resource".to_owned();
    }
    let pattern = ArnPattern::parse(arn);
    let actions: Vec<Action<'_>> =
        cursor::statement_actions(stmt).into_iter().flat_map(|name| cat.expand(name)).collect();
    // The resource types the ARN can name, with the statement's actions that accept each.
    let mut rows: Vec<(String, String, Vec<String>)> = Vec::new();
    for action in &actions {
        for res in action.resource_types() {
            let resource_type = res.resource_type;
            if !resource_type.matches(&pattern) {
                continue;
            }
            let label = format!("{}:{}", resource_type.service().prefix(), resource_type.name());
            let template = resource_type.arn_templates().next().unwrap_or_default().to_owned();
            match rows.iter_mut().find(|(name, _, _)| *name == label) {
                Some((_, _, accepting)) => accepting.push(format!("`{action}`")),
                None => rows.push((label, template, vec![format!("`{action}`")])),
            }
        }
    }
    if rows.is_empty() {
        // Say at least what the service part names.
        let service = arn.split(':').nth(2).unwrap_or_default();
        let mut text = format!("`{arn}`");
        if let Some(service) = cat.service(service) {
            let types: Vec<String> = service
                .resource_types()
                .filter(|rt| rt.matches(&pattern))
                .map(|rt| format!("`{}`", rt.name()))
                .collect();
            if types.is_empty() {
                let _ = write!(text, " names no resource type of `{}`", service.prefix());
            } else {
                let _ = write!(text, "\n\nResource types of `{}`: {}", service.prefix(), list_limited(&types));
            }
        }
        if !actions.is_empty() {
            text.push_str("\n\nNo action of this statement accepts it.");
        }
        return text;
    }
    let mut text = format!("`{arn}`");
    for (label, template, accepting) in rows {
        let _ = write!(text, "\n\n**{label}** `{template}`\n\nAccepted by {}", list_limited(&accepting));
    }
    text
}

fn condition_key_hover(key: &str, stmt: &Statement) -> String {
    let cat = catalog();
    let Some(info) = cat.condition_key(key) else {
        return format!("`{key}` is not a condition key in the IAM catalogue");
    };
    let kind = if info.is_global() { "global condition key" } else { "condition key" };
    let mut text = format!("**{}** ({kind}, `{}`)", info.key(), info.ty().as_str());
    if !info.description().is_empty() {
        let _ = write!(text, "\n\n{}", info.description());
    }
    let actions: Vec<Action<'_>> =
        cursor::statement_actions(stmt).into_iter().flat_map(|name| cat.expand(name)).collect();
    if !actions.is_empty() && !info.is_global() {
        let (supported, unsupported): (Vec<&Action<'_>>, Vec<&Action<'_>>) =
            actions.iter().partition(|action| action.supports_condition_key(key));
        let names = |list: &[&Action<'_>]| list.iter().map(|action| format!("`{action}`")).collect::<Vec<_>>();
        if !supported.is_empty() {
            let _ = write!(text, "\n\nSupported by {}", list_limited(&names(&supported)));
        }
        if !unsupported.is_empty() {
            let _ = write!(text, "\n\nNot supported by {}", list_limited(&names(&unsupported)));
        }
    }
    text
}

fn operator_hover(name: &str) -> String {
    let operator = rein_model::OperatorName::parse(name);
    match crate::completion::OPERATORS.iter().find(|(base, _)| *base == operator.base) {
        Some((base, about)) => {
            let mut text = format!("**{name}**: {about}");
            if operator.if_exists {
                let _ = write!(
                    text,
                    "\n\n`IfExists`: also true when the request has no such key (`{base}` alone is false then)."
                );
            }
            if let Some(qualifier) = &operator.qualifier {
                let _ = write!(text, "\n\n`{qualifier:?}`: compares each value of a multivalued key.");
            }
            text
        }
        None => format!("`{name}` is not a condition operator"),
    }
}

fn list_limited(names: &[String]) -> String {
    let shown = names.iter().take(MAX_LISTED).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > MAX_LISTED { format!("{shown} and {} more", names.len() - MAX_LISTED) } else { shown }
}

/// An `IAM` + three digits word at `offset`, with its range.
fn rule_id_at(text: &str, offset: TextSize) -> Option<(&str, TextRange)> {
    let offset = usize::from(offset).min(text.len());
    let is_word = |ch: char| ch.is_ascii_alphanumeric();
    let start = text
        .get(..offset)?
        .char_indices()
        .rev()
        .find(|(_, ch)| !is_word(*ch))
        .map_or(0, |(idx, ch)| idx + ch.len_utf8());
    let end = text.get(offset..)?.find(|ch: char| !is_word(ch)).map_or(text.len(), |idx| offset + idx);
    let word = text.get(start..end)?;
    let digits = word.strip_prefix("IAM")?;
    (digits.len() == 3 && digits.chars().all(|ch| ch.is_ascii_digit()))
        .then(|| (word, rein_text::range_from_offsets(start, end)))
}
