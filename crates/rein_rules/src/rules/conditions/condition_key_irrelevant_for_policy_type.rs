//! IAM613 `condition-key-irrelevant-for-policy-type`.

use rein_model::{PrincipalBody, PrincipalType};

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Condition keys whose value is fixed or absent where the policy is used.
    ///
    /// It reports
    /// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount` or
    /// `aws:PrincipalTag/…` in an Allow whose only principals are AWS services, which carry none
    /// of them, so the Allow never matches (an error);
    /// `aws:ResourceAccount` or `s3:ResourceAccount` in an S3 bucket policy, where it is always
    /// the bucket owner;
    /// `aws:SourceArn` in an identity policy, where it is set only when a service calls on a
    /// resource's behalf;
    /// `sts:` keys in a resource policy other than a trust policy.
    /// SCPs and RCPs are not checked: there these keys are meaningful.
    ///
    /// ## Why it matters
    /// A condition that can never hold makes a grant useless, and one that always holds gives a
    /// false sense of restriction.
    ///
    /// ## Example
    /// ```policy-json resource
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
    ///     "Resource": "arn:aws:s3:::trail/AWSLogs/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json resource
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
    ///     "Resource": "arn:aws:s3:::trail/AWSLogs/*", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: for service principals `aws:PrincipalOrgID` becomes `aws:SourceOrgID` and
    /// `aws:PrincipalAccount` becomes `aws:SourceAccount`, which makes the Allow match.
    ///
    /// ## References
    /// - AWS IAM User Guide: AWS global condition context keys (availability of each key)
    /// - AWS IAM User Guide: the confused deputy problem
    ConditionKeyIrrelevantForPolicyType {
        id: "IAM613",
        aliases: ["IRRELEVANT_CONDITION_KEY_IN_POLICY", "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL"],
        category: Suspicious,
        severity: Info,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// The statement's principals are all service principals.
fn only_service_principals(stmt: &Statement) -> bool {
    match &stmt.principal {
        Some(element) => match &element.body {
            PrincipalBody::Map(types) => !types.is_empty() && types.iter().all(|(ty, _)| *ty == PrincipalType::Service),
            PrincipalBody::Scalar(_) | PrincipalBody::Unknown(_) => false,
        },
        None => false,
    }
}

impl Rule for ConditionKeyIrrelevantForPolicyType {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !matches!(doc.kind, PolicyKind::Identity | PolicyKind::Resource { .. } | PolicyKind::Trust) {
            return;
        }
        let Some(block) = &stmt.condition else { return };
        let service_only = stmt.is_allow() && only_service_principals(stmt);
        for (_, entry) in block.entries() {
            let key = entry.key.name.as_str();
            let lower = key.to_ascii_lowercase();
            let principal_key =
                matches!(lower.as_str(), "aws:principalorgid" | "aws:principalorgpaths" | "aws:principalaccount")
                    || lower.starts_with("aws:principaltag/");
            if service_only && principal_key {
                let replacement = match lower.as_str() {
                    "aws:principalorgid" => Some("aws:SourceOrgID"),
                    "aws:principalorgpaths" => Some("aws:SourceOrgPaths"),
                    "aws:principalaccount" => Some("aws:SourceAccount"),
                    _ => None,
                };
                let mut finding = ctx
                    .report(entry.key.span, format!("Service principals carry no `{key}`, so this Allow never matches"))
                    .severity(Severity::Error);
                if let Some(replacement) = replacement {
                    finding = finding
                        .note(format!(
                            "`{replacement}` names the account or organization on whose behalf the service calls"
                        ))
                        .fix(
                            format!("Replace with `{replacement}`"),
                            Applicability::Unsafe,
                            vec![PolicyEdit::ReplaceString { target: entry.key.span, value: replacement.to_owned() }],
                        );
                }
                drop(finding);
                continue;
            }
            let message = match (&doc.kind, lower.as_str()) {
                (PolicyKind::Resource { service: Some(service) }, "aws:resourceaccount" | "s3:resourceaccount")
                    if service == "s3" =>
                {
                    format!("In a bucket policy `{key}` is always the bucket owner's account")
                }
                (PolicyKind::Identity, "aws:sourcearn") => {
                    format!(
                        "`{key}` is set only when a service calls on a resource's behalf, never for the principal's own calls"
                    )
                }
                (PolicyKind::Resource { .. }, sts) if sts.starts_with("sts:") => {
                    format!("`{key}` is set on role assumption; it has no value in a resource policy")
                }
                _ => continue,
            };
            ctx.report(entry.key.span, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn bucket_policy(principal: &str, condition: &str) -> String {
        format!(
            r#"{{"Statement":{{"Effect":"Allow","Principal":{principal},"Action":"s3:PutObject","Resource":"arn:aws:s3:::trail/*","Condition":{condition}}}}}"#
        )
    }

    #[test]
    fn condition_key_irrelevant_for_policy_type() {
        RuleTest::new(&super::ConditionKeyIrrelevantForPolicyType)
            .fail_with(
                case::policy_json_as("resource", &bucket_policy(r#"{"Service":"cloudtrail.amazonaws.com"}"#, r#"{"StringEquals":{"aws:PrincipalTag/team":"a"}}"#)),
                "never matches",
            )
            .fail_with(
                case::policy_json_as("identity", r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:1:x"}}}}"#),
                "on a resource's behalf",
            )
            .fail_with(
                case::policy_json_as("resource", &bucket_policy(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#, r#"{"StringEquals":{"sts:ExternalId":"x"}}"#)),
                "role assumption",
            )
            .pass(case::policy_json_as("resource", &bucket_policy(r#"{"AWS":"*"}"#, r#"{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}"#)))
            .pass(case::policy_json_as("scp", r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceAccount":"1"}}}}"#))
            .pass(case::policy_json_as("trust", r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}}"#))
            .fix(
                case::policy_json_as("resource", &bucket_policy(r#"{"Service":"cloudtrail.amazonaws.com"}"#, r#"{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}"#)),
                &bucket_policy(r#"{"Service":"cloudtrail.amazonaws.com"}"#, r#"{"StringEquals":{"aws:SourceOrgID":"o-1"}}"#),
            )
            .run();
    }
}
