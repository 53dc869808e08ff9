//! IAM603 `condition-key-not-supported-by-action`.

use crate::rules::prelude::*;
use crate::semantics::{
    OperatorFamily, action_items, is_negated_operator, is_service_dependent_tag_key, operator_family,
};

declare_rule! {
    /// ## What it checks
    /// Condition keys that an action of the statement does not support.
    ///
    /// A service condition key (`ec2:ResourceTag/…`, `s3:prefix`, `iam:PassedToService`), or a
    /// tag key whose support depends on the service (`aws:ResourceTag/…`, `aws:RequestTag/…`,
    /// `aws:TagKeys`), tested for an action that does not support it: the key is listed neither
    /// for the action nor for any of its resource types in the Service Authorization Reference.
    /// For such an action the key is absent from the request, so a positive test is false (an
    /// Allow grants nothing for it, a Deny never denies it) and a negated test is always true.
    /// One finding names each unsupported action.
    /// Global keys present on every request (`aws:PrincipalArn`, `aws:SourceIp`,
    /// `aws:RequestedRegion`, …) are not reported, nor are `IfExists` and `Null` tests, nor a
    /// wildcard action with at least one member that supports the key.
    ///
    /// ## Why it matters
    /// A tag-based Deny guardrail that names an action whose service does not populate the key
    /// silently leaks; an Allow silently grants nothing.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Deny", "Action": ["ec2:TerminateInstances", "lambda:DeleteFunction"], "Resource": "*",
    ///     "Condition": {"StringEquals": {"ec2:ResourceTag/protected": "true"}}}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Deny", "Action": ["ec2:TerminateInstances", "lambda:DeleteFunction"], "Resource": "*",
    ///     "Condition": {"StringEquals": {"aws:ResourceTag/protected": "true"}}}]
    /// }
    /// ```
    ///
    /// ## References
    /// - Service Authorization Reference: actions, resources, and condition keys for AWS services
    /// - AWS IAM User Guide: AWS global condition context keys
    ConditionKeyNotSupportedByAction {
        id: "IAM603",
        aliases: [
            "UNSUPPORTED_ACTION_FOR_CONDITION_KEY",
            "MISSING_ACTION_FOR_CONDITION_KEY",
            "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            "UNKNOWN_CONDITION_FOR_ACTION",
        ],
        category: Invalid,
        severity: Warning,
        fix: None,
        frontends: [PolicyJson],
    }
}

impl Rule for ConditionKeyNotSupportedByAction {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(effect) = stmt.effect() else { return };
        let Some(block) = &stmt.condition else { return };
        let items = action_items(stmt, ctx);
        if items.is_empty() {
            return;
        }
        for (op, entry) in block.entries() {
            let Some((_, family)) = operator_family(&op.name.base) else { continue };
            if op.name.if_exists || family == OperatorFamily::Null {
                continue;
            }
            let key = entry.key.name.as_str();
            let Some(info) = ctx.catalog().condition_key(key) else { continue };
            // Global keys are in every request context, except the tag keys, which only
            // services that support tagging fill in.
            if info.is_global() && !is_service_dependent_tag_key(key) {
                continue;
            }
            for item in &items {
                let Some(text) = item.text else { continue };
                if item.actions.is_empty() {
                    continue;
                }
                let supported =
                    item.actions.iter().any(|action| action.condition_keys().iter().any(|known| known.matches(key)));
                if supported {
                    continue;
                }
                let consequence = match (effect, is_negated_operator(&op.name.base)) {
                    (Effect::Deny, false) => "so this Deny never applies to it",
                    (Effect::Allow, false) => "so this Allow grants nothing for it",
                    (Effect::Deny, true) => "so this Deny always applies to it",
                    (Effect::Allow, true) => "so the condition does not restrict it",
                };
                let severity = if effect == Effect::Deny { Severity::Error } else { Severity::Warning };
                ctx.report(
                    item.value.span,
                    format!("`{text}` does not support the condition key `{key}`, {consequence}"),
                )
                .severity(severity)
                .label(entry.key.span, "condition key");
            }
        }
        // FIXME(#6): a fix would split the statement by key support, which needs an edit that
        // inserts a statement.
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn stmt(effect: &str, actions: &str, condition: &str) -> String {
        format!(r#"{{"Statement":{{"Effect":"{effect}","Action":{actions},"Resource":"*","Condition":{condition}}}}}"#)
    }

    #[test]
    fn condition_key_not_supported_by_action() {
        RuleTest::new(&super::ConditionKeyNotSupportedByAction)
            .fail_with(
                case::policy_json(&stmt(
                    "Deny",
                    r#"["ec2:TerminateInstances","lambda:DeleteFunction"]"#,
                    r#"{"StringEquals":{"ec2:ResourceTag/protected":"true"}}"#,
                )),
                "`lambda:DeleteFunction` does not support",
            )
            .fail_with(
                case::policy_json(&stmt(
                    "Allow",
                    r#""iam:CreateRole""#,
                    r#"{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}"#,
                )),
                "grants nothing",
            )
            .fail(case::policy_json(&stmt("Allow", r#""lambda:Delete*""#, r#"{"StringLike":{"s3:prefix":"a/*"}}"#)))
            .pass(case::policy_json(&stmt(
                "Deny",
                r#"["ec2:TerminateInstances","lambda:DeleteFunction"]"#,
                r#"{"StringEquals":{"aws:ResourceTag/protected":"true"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Allow",
                r#""iam:PassRole""#,
                r#"{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Deny",
                r#""lambda:DeleteFunction""#,
                r#"{"StringEqualsIfExists":{"ec2:ResourceTag/protected":"true"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Allow",
                r#""*""#,
                r#"{"StringEquals":{"ec2:ResourceTag/protected":"true"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Allow",
                r#""lambda:DeleteFunction""#,
                r#"{"StringEquals":{"aws:PrincipalOrgID":"o-1"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            )))
            .pass(case::policy_json(&stmt("Allow", r#""s3:ListBucket""#, r#"{"StringLike":{"s3:prefix":"home/*"}}"#)))
            .run();
    }
}
