//! IAM009 `policy-size-quota`.

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Documents longer than the IAM or Organizations quota for their type, and (as a warning)
    /// documents within 10 % of it.
    /// IAM counts the document without whitespace outside strings; Organizations counts every
    /// character of SCPs and RCPs.
    ///
    /// | Document | Limit |
    /// |---|---|
    /// | Managed policy, permissions boundary | 6,144 |
    /// | Trust policy | 2,048 |
    /// | Session policy | 2,048 |
    /// | SCP, RCP | 5,120 |
    /// | S3 bucket policy | 20,480 |
    /// | KMS key policy | 32,768 |
    /// | Other resource policies | 20,480 |
    ///
    /// ## Why it matters
    /// AWS rejects the document at deployment time, after review and merge.
    ///
    /// ## Example
    /// ```policy-json session
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Action": "s3:GetObject",
    ///     "Resource": [
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000001/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000002/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000003/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000004/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000005/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000006/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000007/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000008/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000009/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000010/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000011/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000012/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000013/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000014/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000015/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000016/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000017/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000018/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000019/*",
    ///       "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-0000000000000000000000000000000020/*"
    ///     ]
    ///   }]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json session
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Action": "s3:GetObject",
    ///     "Resource": "arn:aws:s3:::a-bucket-with-a-long-name-for-reports-*/*"
    ///   }]
    /// }
    /// ```
    ///
    /// ## Options
    /// Limits follow the AWS defaults. The role trust policy quota is an adjustable account
    /// quota: `trust-policy-quota` in `[options]` of `rein.toml` sets the account's value
    /// (2,048 to 4,096; default 2,048).
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM and AWS STS quotas
    /// - AWS Organizations User Guide: quotas for AWS Organizations
    PolicySizeQuota {
        id: "IAM009",
        aliases: [
            "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
            "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", "POLICY_SIZE_EXCEEDS_SCP_QUOTA", "W76",
            "aws_iam_policy_too_long_policy"
        ],
        category: Invalid,
        severity: Error,
        fix: None,
        frontends: [PolicyJson],
    }
}

/// The quota of a document kind, and whether every character counts (Organizations policies).
/// `trust_quota` is the account's trust policy quota when it was raised (`trust_policy_quota`).
fn limit(kind: &PolicyKind, trust_quota: Option<u32>) -> (usize, bool, &'static str) {
    match kind {
        PolicyKind::Identity => (6_144, false, "managed policy"),
        PolicyKind::PermissionsBoundary => (6_144, false, "managed policy"),
        PolicyKind::Trust => (trust_quota.map_or(2_048, |quota| quota as usize), false, "trust policy"),
        PolicyKind::Session => (2_048, false, "session policy"),
        PolicyKind::Scp => (5_120, true, "service control policy"),
        PolicyKind::Rcp => (5_120, true, "resource control policy"),
        PolicyKind::Resource { service } => match service.as_deref() {
            Some("kms") => (32_768, false, "KMS key policy"),
            Some("s3") => (20_480, false, "S3 bucket policy"),
            _ => (20_480, false, "resource policy"),
        },
    }
}

impl Rule for PolicySizeQuota {
    fn check_document(&self, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(size) = &doc.size else { return };
        let (limit, counts_whitespace, what) = limit(&doc.kind, ctx.settings().options.trust_policy_quota);
        let length = if counts_whitespace { size.total } else { size.minified };
        let span = doc.statement_key.as_ref().map_or(doc.span, |key| key.span);
        if length > limit {
            ctx.report(span, format!("Policy is {length} characters long; the {what} limit is {limit}"));
        } else if length * 10 > limit * 9 {
            ctx.report(span, format!("Policy is {length} characters long, within 10% of the {what} limit of {limit}"))
                .severity(Severity::Warning);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn policy_size_quota() {
        let statement = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-0000000000000000000000000000/*"}"#;
        let big = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, vec![statement; 70].join(","));
        let near = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, vec![statement; 54].join(","));
        let small = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, [statement; 10].join(","));
        RuleTest::new(&super::PolicySizeQuota)
            .fail_with(case::policy_json_as("identity", &big), "limit is 6144")
            .fail_with(case::policy_json_as("identity", &near), "within 10%")
            .fail(case::policy_json_as("trust", &near))
            .pass(case::policy_json_as("identity", &small))
            .pass(case::policy_json_as("resource", &big))
            .run();
    }

    #[test]
    fn a_raised_trust_policy_quota_is_honoured() {
        let statement = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/deploy-000000000000"},"Action":"sts:AssumeRole"}"#;
        let trust = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, vec![statement; 25].join(","));
        let quota = |quota: u32| {
            case::policy_json_as("trust", &trust)
                .with_options(crate::RuleOptions { trust_policy_quota: Some(quota), ..Default::default() })
        };
        RuleTest::new(&super::PolicySizeQuota)
            .fail_with(case::policy_json_as("trust", &trust), "the trust policy limit is 2048")
            .fail_with(quota(2_500), "the trust policy limit is 2500")
            .pass(quota(4_096))
            .run();
    }
}
