//! IAM302 `resource-policy-public`.

use crate::rules::prelude::*;
use crate::semantics::{
    CALLER_PINNING_KEYS, PrincipalArnPin, PrincipalShape, condition_has_unknown, has_narrowing_key, principal_arn_pin,
    principal_items,
};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements of a resource policy (S3 bucket, SQS queue, SNS topic, KMS key,
    /// Lambda function, ECR repository, secret, vault, domain, file system, log group, API…)
    /// granted to `"*"` or `{"AWS": "*"}` that no positive condition restricts to known callers.
    ///
    /// These conditions restrict the grant: `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
    /// `aws:PrincipalAccount`, `aws:PrincipalArn` without an account wildcard, `aws:SourceVpce`,
    /// `aws:SourceVpc`, `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` and
    /// `kms:CallerAccount`. A grant restricted only by `aws:SourceIp` is a warning: anyone from
    /// those addresses still gets in.
    ///
    /// Deny statements with `"*"` (the usual "TLS only" bucket statement) are never reported, and
    /// a condition that is not known statically keeps the rule silent (IAM010 lists it).
    /// A resource that is public on purpose, such as a website bucket, takes a suppression with
    /// a reason.
    ///
    /// ## Why it matters
    /// Anyone on the internet, or any AWS account, can use the resource: read the bucket, send
    /// to the queue, decrypt with the key.
    ///
    /// ## Example
    /// ```policy-json resource
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": "*",
    ///     "Action": "sqs:SendMessage",
    ///     "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs"
    ///   }]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json resource
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": "*",
    ///     "Action": "sqs:SendMessage",
    ///     "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs",
    ///     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    ///   }]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Always unsafe: the condition shuts out every caller outside the organization, which
    /// breaks a resource that is public on purpose. The organization id is `org_id` when
    /// configured, else the placeholder `o-xxxxxxxxxx`, to be replaced with your own.
    ///
    /// ## References
    /// - AWS IAM User Guide: AWS JSON policy elements: Principal (anonymous users)
    /// - Amazon S3 User Guide: the meaning of "public"
    /// - IAM Access Analyzer: CheckNoPublicAccess
    ResourcePolicyPublic {
        id: "IAM302",
        aliases: [
            "CKV_AWS_70", "CKV_AWS_283", "CKV_AWS_33", "CKV_AWS_168", "CKV_AWS_169", "CKV_AWS_167", "CKV_AWS_32",
            "CKV_AWS_301", "CKV_AWS_387", "F13", "F16", "F18", "F21", "F76", "AVD-AWS-0097", "AVD-AWS-0032",
            "CheckNoPublicAccess"
        ],
        category: OverlyPermissive,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

// FIXME(#6): the fix always adds `aws:PrincipalOrgID`; RULES.md's other variant, an
// `aws:SourceArn` placeholder for a grant that a service delivery uses (a bucket that receives
// logs, a topic that receives events), is not offered: the rule does not tell those grants apart.

/// Keys besides the caller-pinning ones that restrict a public grant to known callers.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "kms:CallerAccount",
];

impl Rule for ResourcePolicyPublic {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !matches!(doc.kind, PolicyKind::Resource { .. }) || !stmt.is_allow() || condition_has_unknown(stmt) {
            return;
        }
        let Some(principal) = &stmt.principal else { return };
        let restricted = CALLER_PINNING_KEYS.iter().chain(RESTRICTING_KEYS).any(|key| has_narrowing_key(stmt, key))
            || principal_arn_pin(stmt) == PrincipalArnPin::Accounts;
        if restricted {
            return;
        }
        let by_source_ip = has_narrowing_key(stmt, "aws:SourceIp");
        let mut fix_offered = false;
        let org_id = ctx.settings().options.org_id.clone();
        for item in principal_items(principal) {
            if item.shape != PrincipalShape::Anyone {
                continue;
            }
            let text = item.value.value.to_string();
            if by_source_ip {
                let finding = ctx
                    .report(
                        item.value.span,
                        format!("`{text}` grants access to anyone calling from the addresses in `aws:SourceIp`"),
                    )
                    .severity(Severity::Warning)
                    .note("add `aws:PrincipalOrgID` or `aws:SourceVpce` to restrict who the callers are");
                drop(super::pin_to_organization(finding, stmt, org_id.as_deref(), &mut fix_offered));
            } else {
                let finding = ctx
                    .report(item.value.span, format!("`{text}` makes this resource public: anyone can use it"))
                    .note("name the accounts or roles, or pin the callers with `aws:PrincipalOrgID`, `aws:SourceVpce` or `aws:SourceArn`");
                drop(super::pin_to_organization(finding, stmt, org_id.as_deref(), &mut fix_offered));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn resource_policy_public() {
        let res = |text| case::policy_json_as("resource", text);
        RuleTest::new(&super::ResourcePolicyPublic)
            .fail_with(res(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}}"#), "public")
            .fail(res(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","*"]},"Action":"sns:Publish","Resource":"arn:aws:sns:eu-west-1:123456789012:t"}}"#))
            // Conditions on the transport, the referer or the time do not say who the caller is.
            .fail(res(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*","Condition":{"StringLike":{"aws:Referer":"https://example.com/*"},"Bool":{"aws:SecureTransport":"true"}}}}"#))
            .fail(res(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:123456789012:jobs","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}}"#))
            .fail_with(
                res(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}}"#),
                "aws:SourceIp",
            )
            .pass(res(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}}"#))
            .pass(res(r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}}"#))
            // The secure-baseline CloudTrail key policy pins `kms:CallerAccount`.
            .pass(res(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:ReEncryptFrom"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"123456789012"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:123456789012:trail/*"}}}}"#))
            .pass(res(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/reader"}}}}"#))
            .pass(res(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:123456789012:jobs"}}"#))
            .pass(case::policy_json_as("trust", r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}}"#))
            .fix(
                res(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}}"#),
                r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"StringEquals":{"aws:PrincipalOrgID":"o-xxxxxxxxxx"}}}}"#,
            )
            .fix(case::hcl(HCL_HEREDOC), r#"resource "aws_sqs_queue_policy" "q" {
  queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
  policy    = <<-EOT
    {
      "Statement": [{
        "Effect": "Allow",
        "Principal": "*",
        "Action": "sqs:SendMessage",
        "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs",
        "Condition": {
          "StringEquals": {
            "aws:PrincipalOrgID": "o-xxxxxxxxxx"
          }
        }
      }]
    }
  EOT
}
"#)
            .fix(case::hcl(HCL_QUOTED), r#"resource "aws_s3_bucket_policy" "b" {
  bucket = "site"
  policy = "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::site/*\", \"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-xxxxxxxxxx\"}}}}"
}
"#)
            .fix(case::cfn(CFN_JSON), r#"{
  "Resources": {
    "Policy": {
      "Type": "AWS::S3::BucketPolicy",
      "Properties": {
        "Bucket": "site",
        "PolicyDocument": {
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": {"AWS": "*"},
              "Action": "s3:GetObject",
              "Resource": "arn:aws:s3:::site/*",
              "Condition": {
                "StringEquals": {
                  "aws:PrincipalOrgID": "o-xxxxxxxxxx"
                }
              }
            }
          ]
        }
      }
    }
  }
}
"#)
            .run();
    }

    const HCL_HEREDOC: &str = r#"resource "aws_sqs_queue_policy" "q" {
  queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
  policy    = <<-EOT
    {
      "Statement": [{
        "Effect": "Allow",
        "Principal": "*",
        "Action": "sqs:SendMessage",
        "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs"
      }]
    }
  EOT
}
"#;

    const HCL_QUOTED: &str = r#"resource "aws_s3_bucket_policy" "b" {
  bucket = "site"
  policy = "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::site/*\"}}"
}
"#;

    const CFN_JSON: &str = r#"{
  "Resources": {
    "Policy": {
      "Type": "AWS::S3::BucketPolicy",
      "Properties": {
        "Bucket": "site",
        "PolicyDocument": {
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": {"AWS": "*"},
              "Action": "s3:GetObject",
              "Resource": "arn:aws:s3:::site/*"
            }
          ]
        }
      }
    }
  }
}
"#;
}
