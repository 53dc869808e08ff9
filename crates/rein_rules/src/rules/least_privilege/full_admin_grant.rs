//! IAM101 `full-admin-grant`.

use crate::rules::prelude::*;
use crate::semantics::{condition_summary, is_effective_star};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements that grant every action (`"*"` or `"*:*"`) on every resource: a
    /// `Resource` that is effectively `*`, or any `NotResource`.
    ///
    /// Conditions do not clear the finding: a region or MFA condition still leaves full
    /// administrator access, so they are only quoted in the message.
    /// Deny statements, service control policies, resource control policies and permissions
    /// boundaries are never reported (a `*` boundary means "no boundary").
    ///
    /// ## Why it matters
    /// Whoever holds this policy can do anything in the account, including removing every
    /// other control, creating new credentials and deleting audit trails.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::app-data/*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: security best practices, grant least privilege
    /// - AWS Security Hub control IAM.1
    FullAdminGrant {
        id: "IAM101",
        aliases: ["CKV_AWS_1", "CKV_AWS_62", "F3", "F4", "F5", "AVD-AWS-0057", "IAM.1"],
        category: OverlyPermissive,
        severity: Error,
        fix: None,
        frontends: [PolicyJson],
    }
}

impl Rule for FullAdminGrant {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow()
            || !matches!(doc.kind, PolicyKind::Identity | PolicyKind::Session | PolicyKind::Resource { .. })
        {
            return;
        }
        let Some(actions) = &stmt.action else { return };
        let Some(all) = actions.items.iter().find(|item| item.known().is_some_and(semantics::is_all_actions)) else {
            return;
        };
        let catalog = ctx.catalog();
        let (resource_span, resource_text) = match (&stmt.resource, &stmt.not_resource) {
            (Some(list), _) => match list.items.iter().find(|item| is_effective_star(&item.value, catalog)) {
                Some(item) => (item.span, format!("`{}`", item.value)),
                None => return,
            },
            (None, Some(list)) => (list.key.span, "every resource outside `NotResource`".to_owned()),
            // A trust policy has no Resource, and full admin is not a trust concept.
            (None, None) => return,
        };
        let mut message = format!("Statement allows every action on {resource_text}: full administrator access");
        if let Some(conditions) = condition_summary(stmt) {
            message.push_str(&format!(" (conditions {conditions} do not limit which actions)"));
        }
        ctx.report(all.span, message).label(resource_span, "on every resource");
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn full_admin_grant() {
        RuleTest::new(&super::FullAdminGrant)
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","*:*"],"Resource":["*"]}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::b"}}"#))
            .fail_with(
                case::policy_json(
                    r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}"#,
                ),
                "aws:MultiFactorAuthPresent",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::*:role/*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}}"#,
            ))
            .pass(case::policy_json_as("scp", r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#))
            .pass(case::policy_json_as("boundary", r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#))
            .run();
    }
}
