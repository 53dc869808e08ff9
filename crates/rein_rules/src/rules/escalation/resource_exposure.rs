//! IAM207 `resource-exposure`.

use super::risk_data::resource_exposure_by_action;
use super::{is_identity_side, listed_hits, report_hits};
use crate::rules::prelude::*;
use crate::semantics::positive_condition_values;
use rein_catalog::AccessLevel;

declare_rule! {
    /// ## What it checks
    /// `Allow` statements in identity policies that grant, on every resource of its type, an
    /// action that rewrites who may access a resource: bucket and key policies, ACLs, KMS grants,
    /// `AddPermission` on functions, topics and queues, snapshot and image sharing, RAM shares.
    /// The set is every action at the Permissions-management access level of the catalogue,
    /// outside IAM and STS (those are IAM203 and IAM204), plus the shipped list
    /// (`crates/rein_rules/data/resource_exposure.txt`).
    ///
    /// Named resources are not reported, nor are `kms:CreateGrant` under
    /// `kms:GrantIsForAWSResource = true`, `ram:CreateResourceShare` under
    /// `ram:RequestedAllowsExternalPrincipals = false`, Deny statements, and grants that an
    /// unconditional Deny of the same document takes back.
    /// Actions that only accept `"Resource": "*"` cannot be narrowed and are info, as is a
    /// statement scoped by a condition on a scoping key.
    ///
    /// ## Why it matters
    /// Whoever can rewrite a resource policy decides who else can read it, including accounts
    /// outside the organization and the public; the change is one API call and leaves the data
    /// where it is.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::team-a-site"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - Service Authorization Reference: the "Permissions management" access level
    /// - AWS KMS Developer Guide: Grants in AWS KMS
    /// - The list's sources: `crates/rein_rules/data/SOURCE.md`
    ResourceExposure {
        id: "IAM207",
        aliases: ["PERMISSIONS_MANAGEMENT_ACTIONS", "CKV_AWS_109", "CKV_AWS_289", "ResourceExposure"],
        category: OverlyPermissive,
        severity: Warning,
        fix: None,
        frontends: [PolicyJson],
    }
}

/// Services whose Permissions-management actions are privilege escalation, reported by IAM203
/// and IAM204 instead.
const LEFT_TO_ESCALATION: &[&str] = &["iam", "sts"];

/// The source named for actions taken from the catalogue's access level rather than the list.
const FROM_ACCESS_LEVEL: &str = "Service Authorization Reference, Permissions management access level";

impl Rule for ResourceExposure {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow() || !is_identity_side(doc) {
            return;
        }
        let has_value = |key: &str, wanted: &str| {
            positive_condition_values(stmt, key)
                .is_some_and(|values| values.iter().all(|v| v.eq_ignore_ascii_case(wanted)))
        };
        let aws_resource_grants = has_value("kms:GrantIsForAWSResource", "true");
        let internal_shares = has_value("ram:RequestedAllowsExternalPrincipals", "false");
        let lookup = |action: rein_catalog::Action<'static>| {
            if aws_resource_grants || internal_shares {
                let name = action.full_name();
                if (aws_resource_grants && name.eq_ignore_ascii_case("kms:CreateGrant"))
                    || (internal_shares && name.eq_ignore_ascii_case("ram:CreateResourceShare"))
                {
                    return None;
                }
            }
            let listed = resource_exposure_by_action().get(action);
            let source = match listed {
                Some(entry) => entry.source.to_owned(),
                None if action.access_level() == AccessLevel::PermissionsManagement
                    && !LEFT_TO_ESCALATION.contains(&action.service().prefix()) =>
                {
                    FROM_ACCESS_LEVEL.to_owned()
                }
                None => return None,
            };
            let severity = if action.is_wildcard_only() { Severity::Info } else { Severity::Warning };
            Some((severity, source))
        };
        let mut hits = listed_hits(stmt, doc, ctx, &lookup);
        // The shipped list names the best-known actions; they lead the message.
        for (_, group) in &mut hits {
            group.sort_by_key(|hit| hit.source == FROM_ACCESS_LEVEL);
        }
        report_hits(stmt, ctx, hits, "it rewrites who may access the resource");
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};
    use rein_diagnostics::Severity;

    #[test]
    fn resource_exposure() {
        RuleTest::new(&super::ResourceExposure)
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"*"}}"#),
                "`s3:PutBucketPolicy` is allowed on `*`",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"kms:CreateGrant","Resource":"arn:aws:kms:eu-west-1:123456789012:key/*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"lambda:AddPermission","NotResource":"arn:aws:lambda:eu-west-1:123456789012:function:prod-*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"ram:CreateResourceShare","Resource":"*","Condition":{"Bool":{"ram:RequestedAllowsExternalPrincipals":"true"}}}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::team-a-site"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"kms:CreateGrant","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}}"#,
            ))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"ram:CreateResourceShare","Resource":"*","Condition":{"Bool":{"ram:RequestedAllowsExternalPrincipals":"false"}}}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"s3:PutBucketPolicy","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"*"}}"#))
            .run();
    }

    #[test]
    fn scoped_statements_are_info() {
        let findings = run_rule(
            &super::ResourceExposure,
            &case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"123456789012"}}}}"#,
            ),
        );
        assert_eq!(findings.iter().map(|f| f.severity).collect::<Vec<_>>(), [Severity::Info]);
    }
}
