//! IAM513 `security-alarms-missing`.

use rein_model::EntityKind;

use super::{alarm_patterns, checks_existence};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// In the `baseline` profile, whether the account alerts on the CloudTrail events that
    /// signal an attack.
    ///
    /// It needs:
    /// - a trail is wired for alerting: it sends events to CloudWatch Logs
    ///   (`cloud_watch_logs_group_arn`), or EventBridge rules watch CloudTrail events;
    /// - a metric filter with an alarm on it, or an EventBridge rule, exists for each of:
    ///   root-user activity, console sign-in without MFA, console sign-in failures, IAM policy
    ///   changes, CloudTrail configuration changes, unauthorized API calls, disabling or
    ///   deleting KMS keys, and Organizations changes (CIS AWS Foundations 4.1–4.15);
    /// - (info) a trail records CloudTrail Insights events (`insight_selector`).
    ///
    /// The finding lists the events without an alarm. A filter is recognised by the event
    /// names its pattern tests.
    ///
    /// ## Why it matters
    /// A trail records an attack; only an alarm makes someone look at it while it happens.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = "audit"
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
    ///   cloud_watch_logs_group_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:trail:*"
    ///   insight_selector {
    ///     insight_type = "ApiCallRateInsight"
    ///   }
    /// }
    ///
    /// resource "aws_cloudwatch_event_rule" "security" {
    ///   name = "security-events"
    ///   event_pattern = jsonencode({
    ///     detail = {
    ///       eventName = ["ConsoleLogin", "PutRolePolicy", "StopLogging", "ScheduleKeyDeletion", "LeaveOrganization"]
    ///       errorCode = ["AccessDenied", "UnauthorizedOperation"]
    ///       userIdentity = { type = ["Root"] }
    ///       additionalEventData = { MFAUsed = ["No"] }
    ///       errorMessage = ["Failed authentication"]
    ///     }
    ///   })
    /// }
    /// ```
    ///
    /// ## Options
    /// `external-monitoring = true` in `[options]` of `rein.toml` declares that a SIEM outside
    /// the configuration consumes the trail and raises these alerts; the rule then reports
    /// nothing.
    ///
    /// ## References
    /// - CIS AWS Foundations Benchmark 3.4, 4.1–4.15
    /// - Amazon CloudWatch User Guide: creating CloudWatch alarms for CloudTrail events
    SecurityAlarmsMissing {
        id: "IAM513",
        aliases: ["CKV2_AWS_10", "AVD-AWS-0162"],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

/// Each event to alarm on, and the texts one of which a pattern that watches it contains.
pub(crate) const EVENTS: [(&str, &[&str]); 8] = [
    ("root-user activity", &["Root"]),
    ("console sign-in without MFA", &["MFAUsed"]),
    ("console sign-in failures", &["Failed authentication"]),
    ("IAM policy changes", &["PutRolePolicy", "AttachRolePolicy", "CreatePolicyVersion"]),
    ("CloudTrail configuration changes", &["StopLogging", "DeleteTrail", "UpdateTrail"]),
    ("unauthorized API calls", &["UnauthorizedOperation", "AccessDenied"]),
    ("KMS key disable/deletion", &["DisableKey", "ScheduleKeyDeletion"]),
    ("Organizations changes", &["organizations.amazonaws.com", "LeaveOrganization", "AttachPolicy"]),
];

impl Rule for SecurityAlarmsMissing {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        // A SIEM outside the configuration consumes the trail (`external_monitoring`).
        if !checks_existence(unit, ctx) || ctx.settings().options.external_monitoring {
            return;
        }
        let trails: Vec<_> = unit.entities_of(EntityKind::CloudTrail).collect();
        // IAM501 reports a baseline without a trail.
        let Some(first) = trails.first() else { return };
        // `cloud_watch_logs_group_arn = var.on ? … : null` switched off is `null`.
        let wired = trails.iter().any(|trail| {
            trail
                .attribute("cloud_watch_logs_group_arn")
                .is_some_and(|attr| !matches!(attr.value.kind, rein_model::NodeKind::Null))
        }) || unit.entities_of(EntityKind::EventRule).next().is_some();
        if !wired {
            ctx.report(
                first.span,
                format!("The trail `{}` is not wired for alerting: it sends nothing to CloudWatch Logs and no EventBridge rule watches CloudTrail events", first.address),
            );
            return;
        }
        let patterns = alarm_patterns(unit);
        let missing: Vec<&str> = EVENTS
            .iter()
            .filter(|(_, texts)| !texts.iter().any(|text| patterns.iter().any(|pattern| pattern.contains(text))))
            .map(|(event, _)| *event)
            .collect();
        if !missing.is_empty() {
            ctx.report(
                unit.anchor,
                format!("The account baseline in {} raises no alarm on: {}", unit.name, missing.join(", ")),
            )
            .note("add a metric filter with an alarm, or an EventBridge rule, for each");
        }
        if !trails.iter().any(|trail| !trail.items("insight_selector").is_empty()) {
            ctx.report(first.span, format!("The trail `{}` records no CloudTrail Insights events", first.address))
                .note("an `insight_selector` flags unusual API call rates and error rates");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn external_monitoring_needs_no_alarms() {
        const HCL: &str = "resource \"aws_cloudtrail\" \"t\" {\n  cloud_watch_logs_group_arn = null\n}\n";
        let external = crate::RuleOptions { external_monitoring: true, ..Default::default() };
        RuleTest::new(&super::SecurityAlarmsMissing)
            .fail_with(case::hcl(HCL), "is not wired for alerting")
            .pass(case::hcl(HCL).with_options(external))
            .run();
    }

    #[test]
    fn security_alarms_missing() {
        RuleTest::new(&super::SecurityAlarmsMissing)
            .fail_with(
                case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  cloud_watch_logs_group_arn = \"arn\"\n  insight_selector {\n    insight_type = \"ApiCallRateInsight\"\n  }\n}\nresource \"aws_cloudwatch_log_metric_filter\" \"root\" {\n  name    = \"RootUsage\"\n  pattern = \"{ $.userIdentity.type = \\\"Root\\\" }\"\n  metric_transformation {\n    name      = \"RootUsage\"\n    namespace = \"CIS\"\n    value     = \"1\"\n  }\n}\nresource \"aws_cloudwatch_metric_alarm\" \"root\" {\n  alarm_name  = \"RootUsage\"\n  metric_name = aws_cloudwatch_log_metric_filter.root.id\n  namespace   = \"CIS\"\n}\n"),
                "raises no alarm on: console sign-in without MFA, console sign-in failures, IAM policy changes",
            )
            // A filter without an alarm watches nothing.
            .fail_with(
                case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  cloud_watch_logs_group_arn = \"arn\"\n}\nresource \"aws_cloudwatch_log_metric_filter\" \"root\" {\n  pattern = \"Root\"\n  metric_transformation {\n    name = \"RootUsage\"\n  }\n}\n"),
                "raises no alarm on: root-user activity",
            )
            .fail_with(
                case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  cloud_watch_logs_group_arn = null\n}\n"),
                "is not wired for alerting",
            )
            .pass(case::hcl("resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n}\n"))
            .run();
    }
}
