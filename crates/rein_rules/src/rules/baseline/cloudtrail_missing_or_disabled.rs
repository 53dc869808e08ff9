//! IAM501 `cloudtrail-missing-or-disabled`.

use rein_model::EntityKind;

use super::{require_entity, require_flag};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// A trail that does not log: `enable_logging = false` (CloudFormation `IsLogging: false`),
    /// in every profile. In the `baseline` profile, also a baseline that declares no CloudTrail
    /// trail at all.
    ///
    /// ## Why it matters
    /// Without a logging trail there is no record of who did what in the account, which every
    /// incident response starts from; stopping the trail is an attacker's first move.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = "audit"
    ///   enable_logging = false
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   Trail:
    ///     Type: AWS::CloudTrail::Trail
    ///     Properties:
    ///       IsLogging: false
    ///       S3BucketName: audit
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = "audit"
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: turning logging on starts delivering (and billing for) log files.
    ///
    /// ## References
    /// - AWS CloudTrail User Guide: creating a trail
    /// - CIS AWS Foundations Benchmark 3.1; AWS Security Hub control CloudTrail.1
    CloudtrailMissingOrDisabled {
        id: "IAM501",
        aliases: ["CKV_AWS_251", "CloudTrail.1", "MULTI_REGION_CLOUD_TRAIL_ENABLED"],
        category: Hygiene,
        severity: Error,
        fix: Sometimes,
        frontends: [Hcl, Cfn],
    }
}

impl Rule for CloudtrailMissingOrDisabled {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        if !require_entity(unit, ctx, EntityKind::CloudTrail, "CloudTrail trail") {
            return;
        }
        for trail in unit.entities_of(EntityKind::CloudTrail) {
            // Logging is on by default in Terraform; CloudFormation requires `IsLogging`.
            require_flag(ctx, trail, "enable_logging", true, Some(true), "the trail records nothing");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn cloudtrail_missing_or_disabled() {
        RuleTest::new(&super::CloudtrailMissingOrDisabled)
            .fail_with(case::hcl(r#"resource "aws_iam_account_password_policy" "p" {}"#), "declares no CloudTrail")
            .pass(case::hcl(
                "resource \"aws_cloudtrail\" \"t\" {\n  name           = \"t\"\n  s3_bucket_name = \"b\"\n  enable_logging = var.on\n}\n",
            ))
            .fix(
                case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  enable_logging = false\n}\n"),
                "resource \"aws_cloudtrail\" \"t\" {\n  enable_logging = true\n}\n",
            )
            .run();
    }
}
