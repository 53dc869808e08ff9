//! IAM201 `passrole-unscoped`.

use crate::rules::prelude::*;
use crate::semantics::{
    DenyCover, action_items, deny_cover, downgrade, grants_action, is_condition_scoped, positive_condition_values,
    unnarrowed_resource,
};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements in identity policies that grant `iam:PassRole` (by name, through
    /// `iam:*` or `iam:Pass*`, or through a `NotAction` that leaves it out) on every role: `*`,
    /// `arn:aws:iam::<account>:role/*`, or a `NotResource`, with no positive
    /// `iam:PassedToService` condition.
    ///
    /// Role ARNs with a name prefix or a dedicated path (`role/ecs-tasks/*`) are not reported,
    /// nor are Deny statements and service control policies. An `iam:PassedToService` condition
    /// (`StringEquals` or `StringLike`, without `IfExists`) leaves info when the resource is still
    /// `*`; another scoping condition lowers the finding to info.
    /// IAM204 reports the escalation path, as an error, when the same document also allows an
    /// action that creates compute with the passed role.
    ///
    /// ## Why it matters
    /// Passing a role hands its permissions to a service the holder controls: a new Lambda
    /// function, EC2 instance or ECS task then runs as that role. On every role, this includes
    /// the most privileged role in the account.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {
    ///       "Effect": "Allow",
    ///       "Action": "iam:PassRole",
    ///       "Resource": "arn:aws:iam::123456789012:role/app-task",
    ///       "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: Granting a user permissions to pass a role to an AWS service
    /// - AWS IAM User Guide: IAM and AWS STS condition context keys, `iam:PassedToService`
    PassroleUnscoped {
        id: "IAM201",
        aliases: [
            "PASS_ROLE_WITH_STAR_IN_RESOURCE", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "PASS_ROLE_WITH_NOTRESOURCE",
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOTRESOURCE", "PASS_ROLE_WITH_NOTACTION_AND_NOTRESOURCE",
            "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOTACTION", "F38", "F39", "F40", "AVD-AWS-0342"
        ],
        category: PrivilegeEscalation,
        severity: Warning,
        // FIXME(#6): the fix inserts an `iam:PassedToService` condition, which needs an edit that
        // inserts an object-valued member; `InsertMember` only inserts strings.
        fix: None,
        frontends: [PolicyJson],
    }
}

impl Rule for PassroleUnscoped {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow() || !super::is_identity_side(doc) {
            return;
        }
        let Some(grant) = grants_action(stmt, ctx, "iam:PassRole") else { return };
        if grant.text.is_some_and(semantics::is_all_actions) {
            return;
        }
        let catalog = ctx.catalog();
        let Some(action) = catalog.action("iam:PassRole") else { return };
        let Some(resource) = unnarrowed_resource(stmt, &action, catalog) else { return };
        let deny = deny_cover(doc, ctx, "iam:PassRole");
        if deny == DenyCover::Unconditional {
            return;
        }
        let services = positive_condition_values(stmt, "iam:PassedToService");
        let subject = match grant.text {
            Some(text) if text.eq_ignore_ascii_case("iam:PassRole") => "`iam:PassRole` is allowed".to_owned(),
            Some(text) => format!("`{text}` allows `iam:PassRole`"),
            None => "`NotAction` allows `iam:PassRole`".to_owned(),
        };
        let (message, severity) = match services {
            Some(_) if !resource.star => return,
            Some(services) => (
                format!(
                    "{subject} on {}, limited to {} by `iam:PassedToService`",
                    resource.text,
                    services.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                ),
                Severity::Info,
            ),
            None => {
                let items = action_items(stmt, ctx);
                let scoped = is_condition_scoped(stmt, &items);
                let mut message = format!("{subject} on {} without an `iam:PassedToService` condition", resource.text);
                if scoped {
                    message.push_str(" (scoped by a condition)");
                }
                (message, if scoped { downgrade(Severity::Warning) } else { Severity::Warning })
            }
        };
        let mut finding = ctx.report(grant.span, message).severity(severity).label(resource.span, "every role");
        if let DenyCover::Conditional(span) = deny {
            finding =
                finding.label(span, "a conditional Deny names this action; the grant stays where it does not apply");
        }
        drop(finding.note("Name the roles, or add `\"Condition\": {\"StringEquals\": {\"iam:PassedToService\": \"<service>.amazonaws.com\"}}`"));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};
    use rein_diagnostics::Severity;

    fn severities(text: &str) -> Vec<Severity> {
        run_rule(&super::PassroleUnscoped, &case::policy_json(text)).iter().map(|f| f.severity).collect()
    }

    #[test]
    fn passrole_unscoped() {
        RuleTest::new(&super::PassroleUnscoped)
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}"#),
                "`iam:PassRole` is allowed on `*` without an `iam:PassedToService` condition",
            )
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:Pass*","Resource":"arn:aws:iam::123456789012:role/*"}}"#),
                "`iam:Pass*` allows `iam:PassRole`",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:s3:::b"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:role/*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app-task","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ecs-tasks/*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/*","Condition":{"StringLike":{"iam:PassedToService":"lambda.amazonaws.com"}}}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}}"#))
            .pass(case::policy_json_as("scp", r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}]}"#))
            .run();
    }

    #[test]
    fn severity_cases() {
        assert_eq!(
            severities(r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}"#),
            [Severity::Warning]
        );
        assert_eq!(
            severities(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}}"#
            ),
            [Severity::Info]
        );
        // `IfExists` and negated operators never scope an Allow.
        assert_eq!(
            severities(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEqualsIfExists":{"iam:PassedToService":"ec2.amazonaws.com"}}}}"#
            ),
            [Severity::Warning]
        );
        assert_eq!(
            severities(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}}}"#
            ),
            [Severity::Info]
        );
    }
}
