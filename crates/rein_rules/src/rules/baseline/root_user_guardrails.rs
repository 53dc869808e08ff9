//! IAM519 `root-user-guardrails`.

use rein_model::EntityKind;

use super::{
    alarm_patterns, checks_existence, config_rule_identifiers, denies_root_user, is_org, security_hub_watches_iam,
};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The root user has no IAM API object, so its keys, MFA and password cannot be seen in
    /// code; this rule checks the controls that can be declared.
    /// - In an organization (the configuration declares `aws_organizations_*` resources):
    ///   `aws_iam_organizations_features` with `RootCredentialsManagement` in
    ///   `enabled_features` (info when `RootSessions` is missing), and an attached SCP that
    ///   denies every action by a root user (`ArnLike aws:PrincipalArn arn:aws:iam::*:root`).
    /// - For a single account, in the `baseline` profile: AWS Config rules
    ///   `IAM_ROOT_ACCESS_KEY_CHECK` and `ROOT_ACCOUNT_MFA_ENABLED` (or
    ///   `ROOT_ACCOUNT_HARDWARE_MFA_ENABLED`), or a Security Hub standard that covers them, and
    ///   an alarm on root-user activity.
    ///
    /// An access key of an IAM user literally named `root` is IAM407's concern.
    ///
    /// ## Why it matters
    /// The root user can do everything, including closing the account, and IAM policies do not
    /// bind it; only SCPs, centralised root access and alarms do.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_organizations_organization" "org" {
    ///   feature_set = "ALL"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_organizations_features" "this" {
    ///   enabled_features = ["RootCredentialsManagement", "RootSessions"]
    /// }
    ///
    /// resource "aws_organizations_policy" "root" {
    ///   name = "deny-root"
    ///   type = "SERVICE_CONTROL_POLICY"
    ///   content = jsonencode({
    ///     Statement = [{
    ///       Effect    = "Deny"
    ///       Action    = "*"
    ///       Resource  = "*"
    ///       Condition = { ArnLike = { "aws:PrincipalArn" = "arn:aws:iam::*:root" } }
    ///     }]
    ///   })
    /// }
    ///
    /// resource "aws_organizations_policy_attachment" "root" {
    ///   policy_id = aws_organizations_policy.root.id
    ///   target_id = "r-abcd"
    /// }
    /// ```
    ///
    /// ## References
    /// - IAM User Guide: centrally manage root access for member accounts
    /// - CIS AWS Foundations Benchmark 1.4–1.7; AWS Security Hub controls IAM.4, IAM.6
    RootUserGuardrails {
        id: "IAM519",
        aliases: ["CKV_AWS_348", "AVD-AWS-0141", "IAM.4", "IAM.6"],
        category: Hygiene,
        severity: Warning,
        fix: None,
        frontends: [Hcl],
    }
}

impl Rule for RootUserGuardrails {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        if is_org(unit) {
            check_org(unit, ctx);
        } else if checks_existence(unit, ctx) {
            check_account(unit, ctx);
        }
    }
}

fn check_org(unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
    let anchor = unit.entities_of(EntityKind::Organization).next().map_or(unit.anchor, |org| org.span);
    let features: Vec<String> = unit
        .entities_of(EntityKind::OrganizationsFeatures)
        .flat_map(|entity| entity.items("enabled_features"))
        .map(|node| match &node.kind {
            rein_model::NodeKind::String(value) => value.as_known().unwrap_or("?").to_owned(),
            _ => "?".to_owned(),
        })
        .collect();
    // A feature list that is not known statically may hold them.
    let unknown = features.iter().any(|feature| feature == "?");
    if !unknown && !features.iter().any(|feature| feature == "RootCredentialsManagement") {
        ctx.report(
            anchor,
            format!("{} does not centralise root access: member accounts keep root credentials", unit.name),
        )
        .note("declare `aws_iam_organizations_features` with `RootCredentialsManagement`");
    } else if !unknown && !features.iter().any(|feature| feature == "RootSessions") {
        ctx.report(anchor, format!("{} does not enable `RootSessions` for privileged root tasks", unit.name))
            .severity(Severity::Info);
    }
    if !denies_root_user(unit) {
        ctx.report(anchor, format!("No attached SCP of {} denies actions by a root user", unit.name));
    }
}

fn check_account(unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
    let mut missing = Vec::new();
    if !security_hub_watches_iam(unit) {
        let (identifiers, unknown) = config_rule_identifiers(unit);
        let has = |name: &str| unknown || identifiers.iter().any(|id| id.contains(name));
        if !has("IAM_ROOT_ACCESS_KEY_CHECK") {
            missing.push("a Config rule `IAM_ROOT_ACCESS_KEY_CHECK`");
        }
        if !has("ROOT_ACCOUNT_MFA_ENABLED") && !has("ROOT_ACCOUNT_HARDWARE_MFA_ENABLED") {
            missing.push("a Config rule `ROOT_ACCOUNT_MFA_ENABLED`");
        }
    }
    if !alarm_patterns(unit).iter().any(|pattern| pattern.contains("Root")) {
        missing.push("an alarm on root-user activity");
    }
    if !missing.is_empty() {
        ctx.report(
            unit.anchor,
            format!("The account baseline in {} has no root-user guardrail: {}", unit.name, missing.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn root_user_guardrails() {
        RuleTest::new(&super::RootUserGuardrails)
            .fail_with(case::hcl("resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n}\n"), "an alarm on root-user activity")
            .fail_with(
                case::hcl("resource \"aws_iam_organizations_features\" \"f\" {\n  enabled_features = [\"RootCredentialsManagement\"]\n}\n"),
                "does not enable `RootSessions`",
            )
            .pass(case::hcl("resource \"aws_securityhub_account\" \"hub\" {}\nresource \"aws_cloudwatch_event_rule\" \"root\" {\n  event_pattern = jsonencode({ detail = { userIdentity = { type = [\"Root\"] } } })\n}\n"))
            .run();
    }
}
