//! IAM106 `action-resource-type-mismatch`.

use rein_catalog::Action;
use rein_catalog::arn::{ArnPattern, template_matches};

use crate::rules::prelude::*;
use crate::semantics::{ActionItem, action_items, arn_fields, arn_pattern, is_effective_star};

declare_rule! {
    /// ## What it checks
    /// Statements where an action can never apply to any listed resource, because no `Resource`
    /// entry fits one of the ARN formats the action works on.
    /// Typical cases are `s3:GetObject` on a bucket ARN, `s3:ListBucket` on `bucket/*`, and an
    /// action that only accepts `"Resource": "*"` (such as `ec2:DescribeInstances`) given an ARN.
    ///
    /// A wildcard action is reported only when none of its actions fits any entry.
    /// Entries with policy variables, unknown values, effective-star entries and `NotResource`
    /// are never reported.
    ///
    /// ## Why it matters
    /// The statement silently grants (or, in a Deny, denies) nothing for that action.
    /// An Allow then fails at run time in a way that is hard to trace; a Deny guardrail protects
    /// nothing, which is why a Deny is reported as an error.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "arn:aws:s3:::reports/*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::reports"},
    ///     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds the missing bucket or object form of an S3 ARN, or replaces the ARN
    /// of an action that only accepts `*` with `*`, which changes what the statement grants.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: Resource
    /// - Service Authorization Reference: actions, resources, and condition keys
    ActionResourceTypeMismatch {
        id: "IAM106",
        aliases: ["RESOURCE_MISMATCH", "action_resource_matching"],
        category: Invalid,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// Whether `action` can apply to the resource `pattern` describes.
fn action_fits(action: &Action<'static>, pattern: &ArnPattern, text: Option<&str>) -> bool {
    if action.is_wildcard_only() {
        // Only `*` reaches an action without resource types; an unknown value might be `*`.
        return pattern.is_star() || pattern.has_unknown() || text.is_none_or(|t| !t.starts_with("arn:"));
    }
    action
        .resource_types()
        .flat_map(|ar| ar.resource_type.arn_templates().collect::<Vec<_>>())
        .any(|template| template_matches(template, pattern))
}

/// The name of the resource type an ARN is, for the message (`bucket`, `object`).
fn resource_type_of(catalog: &'static rein_catalog::Catalog, pattern: &ArnPattern) -> Option<&'static str> {
    let service = catalog.service(pattern.service()?)?;
    service
        .resource_types()
        .find(|rt| rt.arn_templates().any(|template| template_matches(template, pattern)))
        .map(|rt| rt.name())
}

/// The ARN the action needs, derived from an S3 ARN of the other form.
fn s3_alternative(action: &Action<'static>, text: &str) -> Option<String> {
    let fields = arn_fields(text)?;
    if fields.service != "s3" || !fields.region.is_empty() || !fields.account.is_empty() {
        return None;
    }
    let wants_object = action.resource_types().any(|ar| ar.resource_type.name() == "object");
    let wants_bucket = action.resource_types().any(|ar| ar.resource_type.name() == "bucket");
    match fields.resource.split_once('/') {
        None if wants_object => Some(format!("{text}/*")),
        Some((bucket, "*")) if wants_bucket && !bucket.is_empty() => {
            Some(format!("arn:{}:s3:::{bucket}", fields.partition))
        }
        _ => None,
    }
}

fn describe_templates(action: &Action<'static>) -> String {
    let names: Vec<String> = action.resource_types().map(|ar| format!("`{}`", ar.resource_type.name())).collect();
    match names.len() {
        0 => "only `\"Resource\": \"*\"`".to_owned(),
        1 => format!("a {} resource", names.join("")),
        _ => format!("one of the resource types {}", names.join(", ")),
    }
}

impl Rule for ActionResourceTypeMismatch {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(effect) = stmt.effect() else { return };
        let Some(resources) = &stmt.resource else { return };
        if resources.unknown.is_some() || resources.items.is_empty() {
            return;
        }
        let catalog = ctx.catalog();
        // Entries that are unknown or effective star fit every action.
        let mut patterns = Vec::new();
        for item in &resources.items {
            if is_effective_star(&item.value, catalog) {
                return;
            }
            let Some(pattern) = arn_pattern(&item.value) else { return };
            if pattern.has_unknown() {
                return;
            }
            patterns.push((item, pattern));
        }
        let items = action_items(stmt, ctx);
        for item in &items {
            report_item(item, &patterns, resources, effect, ctx);
        }
    }
}

fn report_item(
    item: &ActionItem<'_>,
    patterns: &[(&SpannedValue, ArnPattern)],
    resources: &ValueList,
    effect: Effect,
    ctx: &mut RuleContext<'_>,
) {
    let Some(text) = item.text else { return };
    // Every action fits some resource; whether the ARN itself is valid is IAM007's question.
    if item.actions.is_empty() || item.is_all_actions() {
        return;
    }
    if !any_action_fits(&item.actions, patterns) {
        report_mismatch(item, text, patterns, resources, effect, ctx);
    }
}

/// Whether at least one of `actions` can apply to one of the resources. Wildcards expand to many
/// actions that share resource types, so each distinct ARN template is tested once.
fn any_action_fits(actions: &[Action<'static>], patterns: &[(&SpannedValue, ArnPattern)]) -> bool {
    let mut templates: Vec<&'static str> = Vec::new();
    for action in actions {
        if action.is_wildcard_only() {
            if patterns.iter().any(|(value, pattern)| action_fits(action, pattern, value.known())) {
                return true;
            }
            continue;
        }
        for resource in action.resource_types() {
            templates.extend(resource.resource_type.arn_templates());
        }
    }
    templates.sort_unstable();
    templates.dedup();
    templates.iter().any(|template| {
        patterns.iter().any(|(_, pattern)| {
            // A literal service field that differs rules the template out without matching.
            let template_service = template.split(':').nth(2);
            let same_service = match (pattern.service(), template_service) {
                (Some(service), Some(other)) if !other.contains("${") => service.eq_ignore_ascii_case(other),
                _ => true,
            };
            same_service && template_matches(template, pattern)
        })
    })
}

fn report_mismatch(
    item: &ActionItem<'_>,
    text: &str,
    patterns: &[(&SpannedValue, ArnPattern)],
    resources: &ValueList,
    effect: Effect,
    ctx: &mut RuleContext<'_>,
) {
    let catalog = ctx.catalog();
    let (span, shown) = match patterns {
        [(value, pattern)] => {
            // A typed placeholder (`!GetAtt Bucket.Arn`) names its type as a known ARN does.
            let typed = value.known().is_some() || value.value.is_typed_placeholder();
            let kind = if typed { resource_type_of(catalog, pattern) } else { None };
            let shown = match kind {
                Some(kind) => format!("`{}` (a `{kind}` ARN)", value.value),
                None => format!("`{}`", value.value),
            };
            (value.span, shown)
        }
        _ => (resources.span, "any listed resource".to_owned()),
    };
    let what = if item.is_wildcard() {
        format!("none of the actions `{text}` matches")
    } else {
        let action = item.actions.first().map_or_else(|| text.to_owned(), |a| a.full_name());
        let needs = item.actions.first().map(describe_templates).unwrap_or_default();
        format!("`{action}` needs {needs}")
    };
    let consequence = match effect {
        Effect::Allow => "so the statement grants nothing for it",
        Effect::Deny => "so the Deny blocks nothing for it",
    };
    let severity = match effect {
        Effect::Allow => Severity::Warning,
        Effect::Deny => Severity::Error,
    };
    let mut finding = ctx
        .report(span, format!("{what}, but it cannot apply to {shown}, {consequence}"))
        .severity(severity)
        .label(item.value.span, "action granted here");
    if let (false, [action], [(value, _)]) = (item.is_wildcard(), &item.actions[..], patterns) {
        if action.is_wildcard_only() {
            finding = finding.fix(
                "Use `*` for an action that accepts no resource ARN",
                Applicability::Unsafe,
                vec![PolicyEdit::ReplaceString { target: value.span, value: "*".to_owned() }],
            );
        } else if let Some(alternative) = value.known().and_then(|t| s3_alternative(action, t)) {
            let mut values: Vec<String> = resources.items.iter().map(|v| v.value.to_string()).collect();
            values.push(alternative.clone());
            finding = finding.fix(
                format!("Add `{alternative}`"),
                Applicability::Unsafe,
                vec![PolicyEdit::ReplaceWithList { target: resources.span, values }],
            );
        }
    }
    drop(finding);
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn action_resource_type_mismatch() {
        RuleTest::new(&super::ActionResourceTypeMismatch)
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket"}}"#),
                "`s3:GetObject` needs",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*"}}"#))
            .fail(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"arn:aws:ec2:us-east-1:123456789012:instance/i-1"}}"#,
            ))
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}}"#),
                "the Deny blocks nothing",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:iam::123456789012:role/x"}}"#))
            // Traps: wildcard-only actions on `*`, object ARNs, policy variables, star, NotResource.
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}}"#))
            .pass(case::policy_json(
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateVirtualMFADevice","Resource":"arn:aws:iam::123456789012:mfa/${aws:username}"}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b","arn:aws:s3:::*"]}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app/deploy"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"arn:aws:s3:::b"}}"#))
            .fix(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}}"#),
                r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}}"#,
            )
            .fix(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"arn:aws:iam::123456789012:user/x"}}"#),
                r#"{"Statement":{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}}"#,
            )
            .run();
    }
}
