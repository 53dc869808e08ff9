//! IAM109 `redundant-policy-content`.

use crate::rules::prelude::*;
use crate::semantics::has_wildcard;

declare_rule! {
    /// ## What it checks
    /// Content that has no effect: within one statement, an action listed twice or covered by a
    /// wildcard of the same list (`iam:GetUser` next to `iam:Get*`), and a resource listed twice;
    /// across statements, a statement identical to an earlier one of the same document (same
    /// effect, actions, resources, principal and condition, whatever their order or `Sid`).
    /// Entries with values not known statically are never compared.
    ///
    /// ## Why it matters
    /// Redundant entries make a policy longer to review and count against the size quota, and
    /// they hide which entry really grants access.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": ["iam:Get*", "iam:GetUser"], "Resource": "arn:aws:iam::123456789012:user/app"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "arn:aws:iam::123456789012:user/app"}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Safe: removing a duplicate entry, an entry a wildcard of the same list covers, or a
    /// statement identical to another keeps the effective permissions.
    ///
    /// ## References
    /// - IAM Access Analyzer policy check reference: REDUNDANT_ACTION, REDUNDANT_RESOURCE, REDUNDANT_STATEMENT
    RedundantPolicyContent {
        id: "IAM109",
        aliases: ["REDUNDANT_ACTION", "REDUNDANT_RESOURCE", "REDUNDANT_CONDITION_VALUE_NUM", "REDUNDANT_STATEMENT", "W76"],
        category: Hygiene,
        severity: Info,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// Reports entries that repeat an earlier one of the same list (case-insensitively for actions).
fn duplicates(list: &ValueList, what: &str, fold_case: bool, ctx: &mut RuleContext<'_>) {
    let mut seen: Vec<&str> = Vec::new();
    for item in &list.items {
        let Some(text) = item.known() else { continue };
        let same = |other: &&str| if fold_case { other.eq_ignore_ascii_case(text) } else { *other == text };
        if seen.iter().any(same) {
            ctx.report(item.span, format!("{what} `{text}` is listed twice")).fix(
                format!("Remove the second `{text}`"),
                Applicability::Safe,
                vec![PolicyEdit::RemoveItem { item: item.span }],
            );
        } else {
            seen.push(text);
        }
    }
}

/// Reports actions that a wildcard of the same list already covers.
fn covered_actions(list: &ValueList, ctx: &mut RuleContext<'_>) {
    let wildcards: Vec<&str> =
        list.items.iter().filter_map(|item| item.known()).filter(|text| has_wildcard(text)).collect();
    if wildcards.is_empty() {
        return;
    }
    for item in &list.items {
        let Some(text) = item.known() else { continue };
        if has_wildcard(text) {
            continue;
        }
        let Some(wildcard) = wildcards.iter().find(|wildcard| crate::semantics::glob_matches(wildcard, text)) else {
            continue;
        };
        // Only a catalogue action can be covered: an unknown name is IAM006's.
        if ctx.action(text).is_some() {
            ctx.report(item.span, format!("`{text}` is already granted by `{wildcard}` in the same list")).fix(
                format!("Remove `{text}`"),
                Applicability::Safe,
                vec![PolicyEdit::RemoveItem { item: item.span }],
            );
        }
    }
}

/// A statement with spans and `Sid` left out and its lists sorted: effect, actions (lowercased),
/// not-actions, resources, not-resources.
type NormalForm = (Effect, Vec<String>, Vec<String>, Vec<String>, Vec<String>);

/// The statement's [`NormalForm`], for comparison; `None` when a value is not known statically.
fn normal_form(stmt: &Statement) -> Option<NormalForm> {
    fn list(list: Option<&ValueList>) -> Option<Vec<String>> {
        let Some(list) = list else { return Some(Vec::new()) };
        if list.unknown.is_some() {
            return None;
        }
        let mut texts: Vec<String> = list.items.iter().map(|i| i.known().map(str::to_owned)).collect::<Option<_>>()?;
        texts.sort();
        texts.dedup();
        Some(texts)
    }
    if stmt.principal.is_some() || stmt.not_principal.is_some() || stmt.condition.is_some() {
        // Principals and conditions are compared only when absent; their order and forms vary.
        return None;
    }
    let effect = stmt.effect()?;
    Some((
        effect,
        list(stmt.action.as_ref())?.iter().map(|a| a.to_ascii_lowercase()).collect(),
        list(stmt.not_action.as_ref())?,
        list(stmt.resource.as_ref())?,
        list(stmt.not_resource.as_ref())?,
    ))
}

impl Rule for RedundantPolicyContent {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        for list in [&stmt.action, &stmt.not_action].into_iter().flatten() {
            duplicates(list, "Action", true, ctx);
            covered_actions(list, ctx);
        }
        for list in [&stmt.resource, &stmt.not_resource].into_iter().flatten() {
            duplicates(list, "Resource", false, ctx);
        }
    }

    fn check_document(&self, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if doc.statements.len() < 2 {
            return;
        }
        let mut seen: Vec<(NormalForm, usize)> = Vec::new();
        for stmt in &doc.statements {
            let Some(form) = normal_form(stmt) else { continue };
            if let Some((_, first)) = seen.iter().find(|(other, _)| *other == form) {
                let mut finding =
                    ctx.report(stmt.span, format!("This statement repeats statement {} of the document", first + 1));
                if doc.statement_form == ListForm::Array {
                    finding = finding.fix(
                        "Remove the repeated statement",
                        Applicability::Safe,
                        vec![PolicyEdit::RemoveItem { item: stmt.span }],
                    );
                }
                drop(finding);
            } else {
                seen.push((form, stmt.index));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn redundant_policy_content() {
        RuleTest::new(&super::RedundantPolicyContent)
            .fail_with(
                case::policy_json(r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"Again","Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}"#),
                "repeats statement 1",
            )
            .pass(case::policy_json(r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}}"#))
            .fix(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}}"#),
                r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}}"#,
            )
            .run();
    }
}
