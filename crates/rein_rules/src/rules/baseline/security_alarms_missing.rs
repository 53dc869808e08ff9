//! IAM513 `security-alarms-missing`.

use rein_model::EntityKind;

use super::{alarm_patterns, checks_existence, generate, new_resource};
use crate::engine::{Unit, UnitSource};
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
    /// ## Fix safety
    /// Unsafe: when a Terraform trail sends its events to a log group of the same configuration,
    /// the fix generates, for each event without an alarm, a metric filter on that log group with
    /// the CIS AWS Foundations pattern and an alarm on its metric, and an SNS topic the alarms
    /// notify. Nobody receives the notifications until the topic has a subscription; the alarms
    /// and the custom metrics are billed.
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
        fix: Sometimes,
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

/// The metric filter pattern of each event (CIS AWS Foundations Benchmark, section 4), with the
/// name of its filter, metric and alarm.
const PATTERNS: [(&str, &str, &str); 8] = [
    (
        "root-user activity",
        "root_user_activity",
        r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
    ),
    (
        "console sign-in without MFA",
        "console_sign_in_without_mfa",
        r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
    ),
    (
        "console sign-in failures",
        "console_sign_in_failures",
        r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
    ),
    (
        "IAM policy changes",
        "iam_policy_changes",
        "{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }",
    ),
    (
        "CloudTrail configuration changes",
        "cloudtrail_configuration_changes",
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    ),
    (
        "unauthorized API calls",
        "unauthorized_api_calls",
        r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#,
    ),
    (
        "KMS key disable/deletion",
        "kms_key_disable_or_deletion",
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
    ),
    (
        "Organizations changes",
        "organizations_changes",
        "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }",
    ),
];

/// The namespace of the generated metrics.
const NAMESPACE: &str = "SecurityAlarms";

/// The edits that add a metric filter and an alarm for each `missing` event, on the log group a
/// Terraform trail of the unit delivers to, and an SNS topic for the alarms; none without such
/// a log group.
fn new_alarms(unit: &Unit<'_>, trails: &[&rein_model::Entity], missing: &[&str]) -> Vec<PolicyEdit> {
    if unit.source != UnitSource::Terraform {
        return Vec::new();
    }
    let log_group = trails.iter().find_map(|trail| {
        let attr = trail.attribute("cloud_watch_logs_group_arn")?;
        let reference = rein_model::inventory::node_reference(&attr.value)?;
        unit.entities_of(EntityKind::LogGroup).find(|group| group.address == reference.entity)
    });
    let Some(log_group) = log_group.filter(|group| !group.address.contains("module.")) else { return Vec::new() };
    let beside = |mut entity: NewEntity| {
        entity.near = log_group.span;
        entity.anchor = false;
        entity
    };
    let topic = beside(new_resource(
        unit,
        "aws_sns_topic",
        "security_alarms",
        vec![("name", AttributeValue::string("security-alarms"))],
    ));
    let topic_arn =
        AttributeValue::Reference { entity: format!("aws_sns_topic.{}", topic.name), attribute: "arn".to_owned() };
    let mut entities = vec![topic.clone()];
    for (event, name, pattern) in PATTERNS.iter().filter(|(event, _, _)| missing.contains(event)) {
        let kebab = name.replace('_', "-");
        let metric: String = name
            .split('_')
            .map(|word| match word {
                "mfa" | "iam" | "api" | "kms" => word.to_ascii_uppercase(),
                _ => {
                    let mut chars = word.chars();
                    chars
                        .next()
                        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                        .unwrap_or_default()
                }
            })
            .collect();
        entities.push(beside(new_resource(
            unit,
            "aws_cloudwatch_log_metric_filter",
            name,
            vec![
                ("name", AttributeValue::string(&kebab)),
                (
                    "log_group_name",
                    AttributeValue::Reference { entity: log_group.address.clone(), attribute: "name".to_owned() },
                ),
                ("pattern", AttributeValue::string(*pattern)),
                (
                    "metric_transformation",
                    AttributeValue::block([
                        ("name", AttributeValue::string(&metric)),
                        ("namespace", AttributeValue::string(NAMESPACE)),
                        ("value", AttributeValue::string("1")),
                    ]),
                ),
            ],
        )));
        entities.push(beside(new_resource(
            unit,
            "aws_cloudwatch_metric_alarm",
            name,
            vec![
                ("alarm_name", AttributeValue::string(&kebab)),
                ("alarm_description", AttributeValue::string(format!("CloudTrail recorded {event}"))),
                ("comparison_operator", AttributeValue::string("GreaterThanOrEqualToThreshold")),
                ("evaluation_periods", AttributeValue::literal(1)),
                ("metric_name", AttributeValue::string(&metric)),
                ("namespace", AttributeValue::string(NAMESPACE)),
                ("period", AttributeValue::literal(300)),
                ("statistic", AttributeValue::string("Sum")),
                ("threshold", AttributeValue::literal(1)),
                ("alarm_actions", AttributeValue::List(vec![topic_arn.clone()])),
            ],
        )));
    }
    generate(entities)
}

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
            let edits = new_alarms(unit, &trails, &missing);
            ctx.report(
                unit.anchor,
                format!("The account baseline in {} raises no alarm on: {}", unit.name, missing.join(", ")),
            )
            .note("add a metric filter with an alarm, or an EventBridge rule, for each")
            .fix("Add a metric filter and an alarm for each event", Applicability::Unsafe, edits);
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
        RuleTest::focused(&super::SecurityAlarmsMissing)
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
            // The missing filter and alarm join the trail's log group, with a topic to notify.
            .fix(case::hcl(&wired("aws_cloudwatch_log_group.trail.arn")), &format!("{}{ROOT_ALARM}", wired("aws_cloudwatch_log_group.trail.arn")))
            .fix(case::hcl(&wired("\"${aws_cloudwatch_log_group.trail.arn}:*\"")), &format!("{}{ROOT_ALARM}", wired("\"${aws_cloudwatch_log_group.trail.arn}:*\"")))
            .run();
    }

    /// A trail that sends its events to a log group, and an EventBridge rule that watches every
    /// event but root-user activity.
    fn wired(log_group_arn: &str) -> String {
        format!(
            "resource \"aws_cloudwatch_log_group\" \"trail\" {{\n  name = \"trail\"\n}}\n\nresource \"aws_cloudtrail\" \"t\" {{\n  name                       = \"t\"\n  cloud_watch_logs_group_arn = {log_group_arn}\n  insight_selector {{\n    insight_type = \"ApiCallRateInsight\"\n  }}\n}}\n\nresource \"aws_cloudwatch_event_rule\" \"others\" {{\n  event_pattern = \"MFAUsed Failed authentication PutRolePolicy StopLogging UnauthorizedOperation DisableKey organizations.amazonaws.com\"\n}}\n"
        )
    }

    const ROOT_ALARM: &str = r#"
resource "aws_sns_topic" "security_alarms" {
  name = "security-alarms"
}

resource "aws_cloudwatch_log_metric_filter" "root_user_activity" {
  name           = "root-user-activity"
  log_group_name = aws_cloudwatch_log_group.trail.name
  pattern        = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
  metric_transformation {
    name      = "RootUserActivity"
    namespace = "SecurityAlarms"
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "root_user_activity" {
  alarm_name          = "root-user-activity"
  alarm_description   = "CloudTrail recorded root-user activity"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  metric_name         = "RootUserActivity"
  namespace           = "SecurityAlarms"
  period              = 300
  statistic           = "Sum"
  threshold           = 1
  alarm_actions       = [aws_sns_topic.security_alarms.arn]
}
"#;

    /// Every event of the rule has a pattern that its own check recognises.
    #[test]
    fn the_patterns_cover_their_events() {
        for (event, texts) in super::EVENTS {
            let (_, _, pattern) = super::PATTERNS.iter().find(|(name, _, _)| *name == event).unwrap();
            assert!(texts.iter().any(|text| pattern.contains(text)), "{event}: {pattern}");
        }
    }
}
