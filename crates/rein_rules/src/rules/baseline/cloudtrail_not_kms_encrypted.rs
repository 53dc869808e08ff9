//! IAM504 `cloudtrail-not-kms-encrypted`.

use rein_model::EntityKind;

use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Trails whose logs are not encrypted with a customer managed KMS key (`kms_key_id`,
    /// CloudFormation `KMSKeyId`, not set). When the key is defined in the same configuration,
    /// its `enable_key_rotation` must be true as well.
    ///
    /// ## Why it matters
    /// With a customer managed key, reading the logs needs `kms:Decrypt` on that key as well as
    /// access to the bucket, so a bucket policy mistake alone does not expose them; the key's
    /// own policy and rotation are under your control.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = "audit"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_kms_key" "trail" {
    ///   enable_key_rotation = true
    /// }
    ///
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = "audit"
    ///   kms_key_id     = aws_kms_key.trail.arn
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS CloudTrail User Guide: encrypting CloudTrail log files with AWS KMS keys
    /// - CIS AWS Foundations Benchmark 3.7; AWS Security Hub control CloudTrail.2
    CloudtrailNotKmsEncrypted {
        id: "IAM504",
        aliases: ["CKV_AWS_35", "AVD-AWS-0015", "CloudTrail.2"],
        category: Hygiene,
        severity: Warning,
        fix: None,
        frontends: [Hcl],
    }
}

impl Rule for CloudtrailNotKmsEncrypted {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for trail in unit.entities_of(EntityKind::CloudTrail) {
            let Some(key) = trail.attribute("kms_key_id") else {
                ctx.report(
                    trail.span,
                    "The trail's logs are not encrypted with a customer managed KMS key (`kms_key_id`)",
                );
                continue;
            };
            let Some(reference) = rein_model::inventory::node_reference(&key.value) else { continue };
            let kms_key = unit.entities_of(EntityKind::KmsKey).find(|candidate| candidate.address == reference.entity);
            // RULES.md gives this rule no fix: turning rotation on is left to the key's owner.
            if let Some(kms_key) = kms_key {
                let problem = "the key that encrypts the trail is never rotated";
                match kms_key.attribute("enable_key_rotation") {
                    Some(attr) if kms_key.bool("enable_key_rotation") == Some(false) => {
                        ctx.report(attr.value.span, format!("`enable_key_rotation` is false: {problem}"));
                    }
                    Some(_) => {}
                    None => {
                        ctx.report(kms_key.span, format!("`enable_key_rotation` is not set: {problem}"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn cloudtrail_not_kms_encrypted() {
        RuleTest::new(&super::CloudtrailNotKmsEncrypted)
            .fail_with(
                case::hcl(
                    "resource \"aws_kms_key\" \"k\" {}\nresource \"aws_cloudtrail\" \"t\" {\n  kms_key_id = aws_kms_key.k.arn\n}\n",
                ),
                "never rotated",
            )
            .pass(case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  kms_key_id = var.key\n}\nvariable \"key\" {}\n"))
            .run();
    }
}
