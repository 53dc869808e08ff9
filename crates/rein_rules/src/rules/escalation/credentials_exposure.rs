//! IAM205 `credentials-exposure`.

use super::risk_data::credentials_exposure_by_action;
use super::{is_identity_side, listed_hits, report_hits};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `Allow` statements in identity policies that grant, on every resource of its type, an
    /// action whose response carries credentials, tokens or passwords: `iam:CreateAccessKey`,
    /// `sts:GetFederationToken`, `redshift:GetClusterCredentials`, `ec2:GetPasswordData`,
    /// `codeartifact:GetAuthorizationToken` and the rest of the shipped list
    /// (`crates/rein_rules/data/credentials_exposure.txt`). The action may be named, matched by a
    /// wildcard, or left out of a `NotAction`.
    ///
    /// Resources narrowed to named clusters, database users or the caller's own user
    /// (`user/${aws:username}`) are not reported, nor are Deny statements or grants that an
    /// unconditional Deny of the same document takes back.
    /// Token brokers that every client needs (`ecr:GetAuthorizationToken`,
    /// `ecr-public:GetAuthorizationToken`, `sts:GetSessionToken`) only accept `"Resource": "*"`:
    /// named on their own they are not reported, and granted through a wildcard they are info.
    /// A statement scoped by a condition on a scoping key is reported one step lower.
    /// `sts:AssumeRole` is left to IAM203 (path sts-001).
    ///
    /// ## Why it matters
    /// Credentials outlive the session that fetched them. A principal that can mint access keys
    /// or database passwords for anyone can hand them out or keep them after its own access ends.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "redshift:GetClusterCredentials", "Resource": "*"}
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
    ///       "Action": "redshift:GetClusterCredentials",
    ///       "Resource": "arn:aws:redshift:eu-west-1:123456789012:dbuser:analytics/reporter"
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - Amazon Redshift Management Guide: Using IAM authentication to generate database user credentials
    /// - AWS IAM User Guide: Managing access keys for IAM users
    /// - The list's sources: `crates/rein_rules/data/SOURCE.md`
    CredentialsExposure {
        id: "IAM205",
        aliases: ["CREDENTIALS_EXPOSURE", "CKV_AWS_107", "CKV_AWS_287", "CredentialsExposure"],
        category: PrivilegeEscalation,
        severity: Warning,
        fix: None,
        frontends: [PolicyJson],
    }
}

impl Rule for CredentialsExposure {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow() || !is_identity_side(doc) {
            return;
        }
        let lookup = |action: rein_catalog::Action<'static>| {
            credentials_exposure_by_action().get(action).map(|entry| (entry.severity, entry.source.to_owned()))
        };
        let mut hits = listed_hits(stmt, doc, ctx, &lookup);
        // A token broker named on its own, on the `*` it requires, is what every image pull
        // needs (RULES.md §0.2 S4); it is info only when a wildcard grants it along with more.
        hits.retain(|(grant, group)| {
            let literal = grant.text.is_some_and(|text| !semantics::has_wildcard(text));
            !(literal && group.iter().all(|hit| hit.severity == Severity::Info && hit.action.is_wildcard_only()))
        });
        report_hits(stmt, ctx, hits, "it returns credentials, tokens or passwords");
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};
    use rein_diagnostics::Severity;

    fn severities(text: &str) -> Vec<Severity> {
        run_rule(&super::CredentialsExposure, &case::policy_json(text)).iter().map(|f| f.severity).collect()
    }

    #[test]
    fn credentials_exposure() {
        RuleTest::new(&super::CredentialsExposure)
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"redshift:GetClusterCredentials","Resource":"*"}}"#),
                "`redshift:GetClusterCredentials` is allowed on `*`",
            )
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:Create*","Resource":"arn:aws:iam::123456789012:user/*"}}"#),
                "`iam:Create*` allows `iam:CreateAccessKey`",
            )
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}}"#),
                "`NotAction` allows",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"ec2:GetPasswordData","NotResource":"arn:aws:ec2:*:*:instance/i-1"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"redshift:GetClusterCredentials","Resource":"arn:aws:redshift:eu-west-1:123456789012:dbuser:analytics/reporter"}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/${aws:username}"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Deny","Action":["iam:CreateAccessKey","iam:UpdateAccessKey","iam:CreateServiceSpecificCredential","iam:ResetServiceSpecificCredential","iam:UpdateServiceSpecificCredential"],"Resource":"*"}]}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","NotAction":["iam:*","sts:*","redshift:*","redshift-serverless:*","ec2:*","lightsail:*","codeartifact:*","cognito-identity:*","ecr:*","ecr-public:*","chime:*"],"Resource":"*"}}"#))
            .run();
    }

    #[test]
    fn severity_cases() {
        assert_eq!(
            severities(r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*"}}"#),
            [Severity::Warning]
        );
        assert_eq!(
            severities(r#"{"Statement":{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}}"#),
            []
        );
        assert_eq!(
            severities(r#"{"Statement":{"Effect":"Allow","Action":"ecr:Get*","Resource":"*"}}"#),
            [Severity::Info]
        );
        assert_eq!(
            severities(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}}}"#
            ),
            [Severity::Info]
        );
        // Region conditions do not narrow which users, so the warning stays.
        assert_eq!(
            severities(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}}"#
            ),
            [Severity::Warning]
        );
    }
}
