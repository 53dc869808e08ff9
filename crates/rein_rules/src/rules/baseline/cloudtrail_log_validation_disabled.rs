//! IAM503 `cloudtrail-log-validation-disabled`.

use rein_model::EntityKind;

use super::require_flag;
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Trails without log file integrity validation: `enable_log_file_validation` false or not
    /// set (the default is false; CloudFormation `EnableLogFileValidation`).
    ///
    /// ## Why it matters
    /// The digest files that validation writes let an investigator prove that no log file was
    /// changed or deleted after delivery.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name                       = "main"
    ///   s3_bucket_name             = "audit"
    ///   enable_log_file_validation = false
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   Trail:
    ///     Type: AWS::CloudTrail::Trail
    ///     Properties:
    ///       IsLogging: true
    ///       S3BucketName: audit
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name                       = "main"
    ///   s3_bucket_name             = "audit"
    ///   enable_log_file_validation = true
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the trail starts writing digest files to the bucket.
    ///
    /// ## References
    /// - AWS CloudTrail User Guide: validating CloudTrail log file integrity
    /// - CIS AWS Foundations Benchmark 3.2
    CloudtrailLogValidationDisabled {
        id: "IAM503",
        aliases: ["CKV_AWS_36", "AVD-AWS-0016"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl, Cfn],
    }
}

impl Rule for CloudtrailLogValidationDisabled {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for trail in unit.entities_of(EntityKind::CloudTrail) {
            let problem = "nobody can prove the log files were not altered";
            require_flag(ctx, trail, "enable_log_file_validation", true, Some(false), problem);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn cloudtrail_log_validation_disabled() {
        RuleTest::new(&super::CloudtrailLogValidationDisabled)
            .pass(case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  enable_log_file_validation = true\n}\n"))
            .fix(
                case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  enable_log_file_validation = false\n}\n"),
                "resource \"aws_cloudtrail\" \"t\" {\n  enable_log_file_validation = true\n}\n",
            )
            // Not set: the setting is added.
            .fix(
                case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  name           = \"audit\"\n  s3_bucket_name = \"audit-logs\"\n}\n"),
                "resource \"aws_cloudtrail\" \"t\" {\n  name                       = \"audit\"\n  s3_bucket_name             = \"audit-logs\"\n  enable_log_file_validation = true\n}\n",
            )
            .fix(
                case::cfn("Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n      S3BucketName: audit-logs\n"),
                "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n      S3BucketName: audit-logs\n      EnableLogFileValidation: true\n",
            )
            .fix(
                case::cfn("{\"Resources\": {\"Trail\": {\"Type\": \"AWS::CloudTrail::Trail\", \"Properties\": {\"IsLogging\": true}}}}"),
                "{\"Resources\": {\"Trail\": {\"Type\": \"AWS::CloudTrail::Trail\", \"Properties\": {\"IsLogging\": true, \"EnableLogFileValidation\": true}}}}",
            )
            .run();
    }
}
