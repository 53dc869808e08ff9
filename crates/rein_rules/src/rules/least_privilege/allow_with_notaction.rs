//! IAM107 `allow-with-notaction`.

use crate::rules::prelude::*;
use crate::semantics::is_effective_star;

declare_rule! {
    /// ## What it checks
    /// `Allow` statements with `NotAction`: they grant every action of every service outside the
    /// list, including actions AWS adds later. On every resource (`*`, an effective-star ARN, or
    /// `NotResource`) that is close to administrator access and an error; in a service control
    /// policy it is info, since an SCP grants nothing by itself.
    /// `Deny` with `NotAction` is the standard shape of MFA enforcement and region guardrails and
    /// is never reported.
    ///
    /// ## Why it matters
    /// The list says what is *not* granted, so a reviewer has to imagine the thousands of
    /// actions it does grant, among them `iam:PassRole` and `iam:CreatePolicyVersion`.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Deny",
    ///     "NotAction": ["iam:ListMFADevices", "sts:GetSessionToken"],
    ///     "Resource": "*",
    ///     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    ///   }]
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: NotAction
    AllowWithNotaction {
        id: "IAM107",
        aliases: ["W14", "W15", "W16", "W17", "W18", "W19", "W20", "not_action_not_resource"],
        category: Suspicious,
        severity: Warning,
        fix: None,
        frontends: [PolicyJson],
    }
}

/// Risky actions named in the message when the complement includes them.
const RISKY: [&str; 6] = [
    "iam:PassRole",
    "iam:CreatePolicyVersion",
    "iam:AttachRolePolicy",
    "iam:CreateAccessKey",
    "sts:AssumeRole",
    "s3:PutBucketPolicy",
];

impl Rule for AllowWithNotaction {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow() || doc.kind == PolicyKind::Rcp {
            return;
        }
        let Some(not_action) = &stmt.not_action else { return };
        if not_action.unknown.is_some() || not_action.items.iter().any(|item| !item.value.is_known()) {
            return;
        }
        let catalog = ctx.catalog();
        let everywhere = stmt.not_resource.is_some()
            || stmt
                .resource
                .as_ref()
                .is_some_and(|list| list.items.iter().any(|i| is_effective_star(&i.value, catalog)));
        let patterns: Vec<&str> = not_action.items.iter().filter_map(|item| item.known()).collect();
        let risky: Vec<String> = RISKY
            .iter()
            .filter(|name| !patterns.iter().any(|pattern| semantics::glob_matches(pattern, name)))
            .map(|name| format!("`{name}`"))
            .collect();
        let scope = if everywhere { "on every resource" } else { "on the listed resources" };
        let mut message =
            format!("`Allow` with `NotAction` grants every action outside the list {scope}, and future ones");
        if !risky.is_empty() {
            message.push_str(&format!(", including {}", risky.join(", ")));
        }
        let severity = if doc.kind == PolicyKind::Scp {
            Severity::Info
        } else if everywhere {
            Severity::Error
        } else {
            Severity::Warning
        };
        ctx.report(not_action.key.span, message).severity(severity);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn allow_with_notaction() {
        RuleTest::new(&super::AllowWithNotaction)
            .fail_with(
                case::policy_json(
                    r#"{"Statement":{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}}"#,
                ),
                "on the listed resources",
            )
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#),
                "`sts:AssumeRole`",
            )
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}}"#))
            .run();
    }
}
