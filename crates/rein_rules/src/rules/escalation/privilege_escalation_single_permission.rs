//! IAM203 `privilege-escalation-single-permission`.

use super::risk_data::{PathClass, single_paths_by_action};
use super::{is_identity_side, listed_hits, report_hits};
use crate::rules::prelude::*;
use crate::semantics::{DenyCover, deny_cover, grants_action, positive_condition_values};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements in identity policies that grant, on resources the holder does not
    /// already control, one permission that alone is a catalogued privilege-escalation path
    /// (`crates/rein_rules/data/escalation_paths.txt`, with pathfinding.cloud ids and Rhino
    /// Security Labs method names): `iam:CreatePolicyVersion` (iam-001),
    /// `iam:AttachRolePolicy` (iam-009), `iam:UpdateAssumeRolePolicy` (iam-012),
    /// `iam:SetDefaultPolicyVersion`, `lambda:UpdateFunctionCode` (lambda-003),
    /// `ssm:SendCommand` (ssm-002), `sts:AssumeRole` on `*` (sts-001) and others.
    ///
    /// Paths that change IAM are errors; paths that act through a role already attached to a
    /// function, stack, project or instance, and `sts:AssumeRole`, are warnings.
    /// `iam:PutUserPolicy` and `iam:AttachUserPolicy` on the caller's own user
    /// (`user/${aws:username}`) are escalation too (iam-007, iam-008), while
    /// `iam:CreateAccessKey` or `iam:CreateLoginProfile` on it is credential self-service.
    ///
    /// Not reported: resources narrowed to named roles, functions or projects; `Attach*` under
    /// an `iam:PolicyARN` allow-list; Deny statements; grants an unconditional Deny of the same
    /// document takes back. An `iam:PermissionsBoundary` condition (the delegation pattern)
    /// leaves info; another scoping condition lowers the finding one step.
    /// Finding a named target that holds more privilege needs the whole configuration and is
    /// not part of this rule yet.
    ///
    /// ## Why it matters
    /// Each of these permissions turns into any permission: a new default policy version can
    /// say `"Action": "*"`, an updated trust policy lets the holder assume an admin role, and new
    /// function code runs with the function's role.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/${aws:username}"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - pathfinding.cloud, the catalogue of AWS privilege-escalation paths
    /// - Rhino Security Labs: AWS IAM Privilege Escalation, Methods and Mitigation
    /// - The list's sources: `crates/rein_rules/data/SOURCE.md`
    PrivilegeEscalationSinglePermission {
        id: "IAM203",
        aliases: [
            "PRIVILEGE_ESCALATION", "CKV_AWS_110", "CKV_AWS_286", "PrivilegeEscalation", "iam-001", "iam-002", "iam-004",
            "iam-005", "iam-006", "iam-007", "iam-008", "iam-009", "iam-010", "iam-011", "iam-012", "iam-013", "lambda-003",
            "glue-002", "cloudformation-002", "codebuild-002", "codebuild-003", "ssm-001", "ssm-002", "sagemaker-004",
            "apprunner-002", "ec2instanceconnect-003", "sts-001", "SetExistingDefaultPolicyVersion"
        ],
        category: PrivilegeEscalation,
        severity: Error,
        fix: None,
        frontends: [PolicyJson],
    }
}

/// Attach actions that an `iam:PolicyARN` allow-list confines to the listed policies.
const POLICY_ARN_SCOPED: &[&str] = &["iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy"];

/// Actions that escalate even on the caller's own user (iam-007, iam-008).
const SELF_ESCALATION: &[&str] = &["iam:PutUserPolicy", "iam:AttachUserPolicy"];

impl Rule for PrivilegeEscalationSinglePermission {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow() || !is_identity_side(doc) {
            return;
        }
        let policy_arn_list = positive_condition_values(stmt, "iam:PolicyARN").is_some();
        let delegated = positive_condition_values(stmt, "iam:PermissionsBoundary").is_some();
        let lookup = |action: rein_catalog::Action<'static>| {
            let path = single_paths_by_action().get(action)?;
            if policy_arn_list && POLICY_ARN_SCOPED.iter().any(|a| a.eq_ignore_ascii_case(&action.full_name())) {
                return None;
            }
            let severity = match path.class {
                _ if delegated => Severity::Info,
                PathClass::Iam => Severity::Error,
                PathClass::Existing | PathClass::Sts | PathClass::PassRole => Severity::Warning,
            };
            Some((severity, path.citation()))
        };
        let hits = listed_hits(stmt, doc, ctx, &lookup);
        report_hits(stmt, ctx, hits, "it alone is a privilege-escalation path");
        self.check_own_user(stmt, doc, ctx, policy_arn_list);
    }
}

impl PrivilegeEscalationSinglePermission {
    /// `iam:PutUserPolicy` / `iam:AttachUserPolicy` on `user/${aws:username}`: the holder writes
    /// its own permissions.
    fn check_own_user(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>, policy_arn_list: bool) {
        let Some(resources) = &stmt.resource else { return };
        let Some(own) = resources
            .items
            .iter()
            .find(|item| item.value.as_known().is_some_and(|text| text.ends_with(":user/${aws:username}")))
        else {
            return;
        };
        for name in SELF_ESCALATION {
            if policy_arn_list && POLICY_ARN_SCOPED.contains(name) {
                continue;
            }
            let Some(grant) = grants_action(stmt, ctx, name) else { continue };
            if grant.text.is_some_and(semantics::is_all_actions)
                || deny_cover(doc, ctx, name) == DenyCover::Unconditional
            {
                continue;
            }
            let path = if *name == "iam:PutUserPolicy" { "iam-007" } else { "iam-008" };
            let subject = match grant.text {
                Some(text) if text.eq_ignore_ascii_case(name) => format!("`{name}` is allowed"),
                Some(text) => format!("`{text}` allows `{name}`"),
                None => format!("`NotAction` allows `{name}`"),
            };
            let message =
                format!("{subject} on the caller's own user `{}`: it can grant itself any permission", own.value);
            drop(
                ctx.report(grant.span, message)
                    .label(own.span, "the caller's own user")
                    .note(format!("Source: pathfinding.cloud {path}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};
    use rein_diagnostics::Severity;

    fn severities(text: &str) -> Vec<Severity> {
        run_rule(&super::PrivilegeEscalationSinglePermission, &case::policy_json(text))
            .iter()
            .map(|f| f.severity)
            .collect()
    }

    #[test]
    fn privilege_escalation_single_permission() {
        RuleTest::new(&super::PrivilegeEscalationSinglePermission)
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"*"}}"#),
                "`iam:CreatePolicyVersion` is allowed on `*`: it alone is a privilege-escalation path",
            )
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:Attach*","Resource":"arn:aws:iam::123456789012:role/*"}}"#),
                "`iam:Attach*` allows `iam:AttachRolePolicy`",
            )
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:PutUserPolicy","Resource":"arn:aws:iam::*:user/${aws:username}"}}"#),
                "the caller's own user",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"ssm:SendCommand","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:SetDefaultPolicyVersion","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/${aws:username}"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}}}"#,
            ))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"lambda:UpdateFunctionCode","Resource":"arn:aws:lambda:eu-west-1:123456789012:function:thumbnailer"}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/deploy"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"iam:CreatePolicyVersion","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}}"#))
            .run();
    }

    #[test]
    fn severity_cases() {
        assert_eq!(
            severities(r#"{"Statement":{"Effect":"Allow","Action":"iam:UpdateAssumeRolePolicy","Resource":"*"}}"#),
            [Severity::Error]
        );
        assert_eq!(
            severities(r#"{"Statement":{"Effect":"Allow","Action":"lambda:UpdateFunctionCode","Resource":"*"}}"#),
            [Severity::Warning]
        );
        assert_eq!(
            severities(r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}"#),
            [Severity::Warning]
        );
        assert_eq!(
            severities(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::123456789012:policy/dev-boundary"}}}}"#
            ),
            [Severity::Info]
        );
        assert_eq!(
            severities(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}}}"#
            ),
            [Severity::Warning]
        );
    }
}
