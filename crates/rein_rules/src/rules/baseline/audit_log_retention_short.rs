//! IAM507 `audit-log-retention-short`.

use rein_model::inventory::{node_bool, node_number};
use rein_model::{Entity, EntityKind, Node, NodeKind};

use super::{TrailBucket, bucket_settings, names_entity, object_member, trail_bucket};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// How long the audit logs of a CloudTrail trail are kept, where the configuration defines
    /// the storage.
    ///
    /// Reported are:
    /// - the lifecycle rules of the trail's bucket: an enabled rule that expires current or
    ///   noncurrent object versions in fewer than 365 days, or the configured minimum
    ///   (transitions to Glacier are fine);
    /// - the trail's CloudWatch Logs log group: `retention_in_days` below that. A log group
    ///   without retention keeps events forever; it gets an info asking for an explicit value.
    ///
    /// Buckets and log groups defined elsewhere are not checked.
    ///
    /// ## Why it matters
    /// Intrusions are often found months later; investigators need the logs of the whole
    /// period, and frameworks ask for at least a year.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "audit" {
    ///   bucket = "acme-audit"
    /// }
    ///
    /// resource "aws_s3_bucket_lifecycle_configuration" "audit" {
    ///   bucket = aws_s3_bucket.audit.id
    ///   rule {
    ///     id     = "expire"
    ///     status = "Enabled"
    ///     expiration {
    ///       days = 90
    ///     }
    ///   }
    /// }
    ///
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = aws_s3_bucket.audit.id
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   TrailLogs:
    ///     Type: AWS::Logs::LogGroup
    ///     Properties:
    ///       RetentionInDays: 30
    ///   Trail:
    ///     Type: AWS::CloudTrail::Trail
    ///     Properties:
    ///       IsLogging: true
    ///       S3BucketName: archive
    ///       CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket" "audit" {
    ///   bucket = "acme-audit"
    /// }
    ///
    /// resource "aws_s3_bucket_lifecycle_configuration" "audit" {
    ///   bucket = aws_s3_bucket.audit.id
    ///   rule {
    ///     id     = "archive"
    ///     status = "Enabled"
    ///     transition {
    ///       days          = 90
    ///       storage_class = "GLACIER"
    ///     }
    ///   }
    /// }
    ///
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = aws_s3_bucket.audit.id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: keeping logs longer costs storage.
    ///
    /// ## Options
    /// `log-retention-days` in `[options]` of `rein.toml` sets the minimum (default 365); the
    /// fix raises a short retention to it.
    ///
    /// ## References
    /// - AWS CloudTrail User Guide: managing CloudTrail log files with S3 lifecycle rules
    /// - Amazon CloudWatch Logs User Guide: changing log data retention
    AuditLogRetentionShort {
        id: "IAM507",
        aliases: ["CKV_AWS_338", "CKV_AWS_66", "W86"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl, Cfn],
    }
}

impl Rule for AuditLogRetentionShort {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        // RULES.md IAM507 `log_retention_days`, 365 by default.
        let min_days = ctx.settings().options.log_retention_days();
        let mut checked: Vec<&str> = Vec::new();
        for trail in unit.entities_of(EntityKind::CloudTrail) {
            if let Some(TrailBucket::Local(bucket)) = trail_bucket(unit, trail)
                && !checked.contains(&bucket.address.as_str())
            {
                checked.push(&bucket.address);
                check_lifecycle(unit, ctx, bucket, min_days);
            }
            let Some(group_arn) = trail.attribute("cloud_watch_logs_group_arn") else { continue };
            for group in unit.entities_of(EntityKind::LogGroup) {
                if checked.contains(&group.address.as_str()) || !names_entity(&group_arn.value, group, "name") {
                    continue;
                }
                checked.push(&group.address);
                match group.attribute("retention_in_days") {
                    Some(attr) => {
                        // 0 means "never expire" in Terraform.
                        if let Some(days) =
                            node_number(&attr.value).filter(|days| *days > 0.0 && *days < f64::from(min_days))
                        {
                            let what = format!("the trail's log group `{}`", group.address);
                            report_days(ctx, &attr.value, days, &what, min_days);
                        }
                    }
                    None => {
                        ctx.report(
                            group.span,
                            format!(
                                "The trail's log group `{}` sets no retention: its events never expire",
                                group.address
                            ),
                        )
                        .severity(Severity::Info)
                        .note(format!("set an explicit `retention_in_days` of at least {min_days}"));
                    }
                }
            }
        }
    }
}

fn check_lifecycle(unit: &Unit<'_>, ctx: &mut RuleContext<'_>, bucket: &Entity, min_days: u32) {
    let what = format!("the trail's bucket `{}`", bucket.address);
    let mut rules: Vec<&Node> = Vec::new();
    for lifecycle in bucket_settings(unit, bucket, EntityKind::S3BucketLifecycle) {
        rules.extend(lifecycle.items("rule"));
    }
    rules.extend(bucket.items("lifecycle_rule"));
    rules.extend(bucket.items("rule"));
    for rule in rules {
        let disabled = object_member(rule, "status")
            .or_else(|| object_member(rule, "Status"))
            .is_some_and(|status| matches!(&status.kind, NodeKind::String(Value::Known(text)) if text == "Disabled"))
            || object_member(rule, "enabled").is_some_and(|enabled| node_bool(enabled) == Some(false));
        if disabled {
            continue;
        }
        let mut days: Vec<&Node> = Vec::new();
        for (block, key) in [
            ("expiration", "days"),
            ("noncurrent_version_expiration", "noncurrent_days"),
            ("noncurrent_version_expiration", "days"),
        ] {
            if let Some(found) = object_member(rule, block) {
                let objects: Vec<&Node> = match &found.kind {
                    NodeKind::Array(items) => items.iter().collect(),
                    _ => vec![found],
                };
                days.extend(objects.into_iter().filter_map(|object| object_member(object, key)));
            }
        }
        // CloudFormation's spelling.
        days.extend(object_member(rule, "ExpirationInDays"));
        days.extend(object_member(rule, "NoncurrentVersionExpirationInDays"));
        days.extend(
            object_member(rule, "NoncurrentVersionExpiration")
                .and_then(|object| object_member(object, "NoncurrentDays")),
        );
        for value in days {
            if let Some(days) = node_number(value).filter(|days| *days < f64::from(min_days)) {
                report_days(ctx, value, days, &what, min_days);
            }
        }
    }
}

fn report_days(ctx: &mut RuleContext<'_>, value: &Node, days: f64, what: &str, min_days: u32) {
    let builder =
        ctx.report(value.span, format!("Audit logs in {what} are kept for {days} days, less than {min_days}"));
    // Only a literal written in place can be raised without touching the variable it came from.
    if matches!(value.kind, NodeKind::Number(_)) {
        builder.fix(
            format!("Keep audit logs for {min_days} days"),
            Applicability::Unsafe,
            vec![PolicyEdit::ReplaceLiteral { target: value.span, literal: min_days.to_string() }],
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn the_minimum_is_configurable() {
        const HCL: &str = "resource \"aws_cloudwatch_log_group\" \"g\" {\n  retention_in_days = 400\n}\nresource \"aws_cloudtrail\" \"t\" {\n  cloud_watch_logs_group_arn = \"${aws_cloudwatch_log_group.g.arn}:*\"\n}\n";
        let minimum = |days: u32| {
            case::hcl(HCL).with_options(crate::RuleOptions { log_retention_days: Some(days), ..Default::default() })
        };
        RuleTest::new(&super::AuditLogRetentionShort)
            .pass(case::hcl(HCL))
            .pass(minimum(400))
            .fail_with(minimum(731), "kept for 400 days, less than 731")
            .fix(minimum(731), &HCL.replace("= 400", "= 731"))
            .run();
    }

    #[test]
    fn audit_log_retention_short() {
        RuleTest::new(&super::AuditLogRetentionShort)
            .fix(
                case::hcl("resource \"aws_cloudwatch_log_group\" \"g\" {\n  retention_in_days = 90\n}\nresource \"aws_cloudtrail\" \"t\" {\n  cloud_watch_logs_group_arn = \"${aws_cloudwatch_log_group.g.arn}:*\"\n}\n"),
                "resource \"aws_cloudwatch_log_group\" \"g\" {\n  retention_in_days = 365\n}\nresource \"aws_cloudtrail\" \"t\" {\n  cloud_watch_logs_group_arn = \"${aws_cloudwatch_log_group.g.arn}:*\"\n}\n",
            )
            .fail_with(
                case::hcl("resource \"aws_cloudwatch_log_group\" \"g\" {\n  name = \"trail\"\n}\nresource \"aws_cloudtrail\" \"t\" {\n  cloud_watch_logs_group_arn = \"${aws_cloudwatch_log_group.g.arn}:*\"\n}\n"),
                "sets no retention",
            )
            .pass(case::hcl("resource \"aws_cloudwatch_log_group\" \"g\" {\n  retention_in_days = 400\n}\nresource \"aws_cloudtrail\" \"t\" {\n  cloud_watch_logs_group_arn = \"${aws_cloudwatch_log_group.g.arn}:*\"\n}\n"))
            // A log group that is not the trail's.
            .pass(case::hcl("resource \"aws_cloudwatch_log_group\" \"g\" {\n  retention_in_days = 7\n}\nresource \"aws_cloudtrail\" \"t\" {\n  s3_bucket_name = \"archive\"\n}\n"))
            .fail_with(
                case::hcl("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n  lifecycle_rule {\n    enabled = true\n    noncurrent_version_expiration {\n      days = 30\n    }\n  }\n}\nresource \"aws_cloudtrail\" \"t\" {\n  s3_bucket_name = aws_s3_bucket.b.id\n}\n"),
                "kept for 30 days",
            )
            .run();
    }
}
