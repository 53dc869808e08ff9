//! IAM519 `root-user-guardrails`.

use rein_model::EntityKind;

use super::{
    alarm_patterns, checks_existence, config_rule_identifiers, denies_root_user, generate, guardrail_scp, is_org,
    new_config_rule, new_resource, security_hub_watches_iam,
};
use crate::engine::{Unit, UnitSource};
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
    /// ## Fix safety
    /// Unsafe. In an organization, the fix declares `aws_iam_organizations_features` with
    /// `RootCredentialsManagement` and `RootSessions` (or adds the missing feature to a literal
    /// list): member accounts then lose their root credentials, and root tasks run as short
    /// root sessions from the management account. A missing root-user Deny becomes an SCP
    /// attached to the organization's root (in a Terraform configuration that declares the
    /// organization). In a single account, the fix declares the missing AWS Config rules
    /// (`IAM_ROOT_ACCESS_KEY_CHECK`, `ROOT_ACCOUNT_MFA_ENABLED`) when the root-usage alarm
    /// exists; the alarm itself is not generated (IAM513).
    ///
    /// ## References
    /// - IAM User Guide: centrally manage root access for member accounts
    /// - CIS AWS Foundations Benchmark 1.4–1.7; AWS Security Hub controls IAM.4, IAM.6
    RootUserGuardrails {
        id: "IAM519",
        aliases: ["CKV_AWS_348", "AVD-AWS-0141", "IAM.4", "IAM.6"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
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
        let edits = feature_edits(unit, &features);
        ctx.report(
            anchor,
            format!("{} does not centralise root access: member accounts keep root credentials", unit.name),
        )
        .note("declare `aws_iam_organizations_features` with `RootCredentialsManagement`")
        .fix("Centralise root access of the member accounts", Applicability::Unsafe, edits);
    } else if !unknown && !features.iter().any(|feature| feature == "RootSessions") {
        let edits = feature_edits(unit, &features);
        ctx.report(anchor, format!("{} does not enable `RootSessions` for privileged root tasks", unit.name))
            .severity(Severity::Info)
            .fix("Enable `RootSessions`", Applicability::Unsafe, edits);
    }
    if !denies_root_user(unit) {
        let edits = guardrail_scp(unit, "scp_deny_root", &[], true);
        ctx.report(anchor, format!("No attached SCP of {} denies actions by a root user", unit.name)).fix(
            "Attach an SCP that denies root users to the organization's root",
            Applicability::Unsafe,
            edits,
        );
    }
}

/// The edits that enable both root features: the missing ones added to the one literal feature
/// list, or a new `aws_iam_organizations_features` when there is none.
fn feature_edits(unit: &Unit<'_>, features: &[String]) -> Vec<PolicyEdit> {
    let wanted = ["RootCredentialsManagement", "RootSessions"];
    let declared: Vec<&rein_model::Entity> = unit.entities_of(EntityKind::OrganizationsFeatures).collect();
    match declared.as_slice() {
        [] if unit.source == UnitSource::Terraform => {
            let mut features = new_resource(
                unit,
                "aws_iam_organizations_features",
                "this",
                vec![("enabled_features", AttributeValue::strings(wanted))],
            );
            // Beside the organization, when the configuration declares it.
            if let Some(org) = unit.entities_of(EntityKind::Organization).next() {
                features.near = org.span;
                features.anchor = false;
            }
            generate([features])
        }
        [entity] => {
            let Some(attr) = entity.attribute("enabled_features") else { return Vec::new() };
            let mut values: Vec<String> = features.to_vec();
            values.extend(
                wanted.iter().filter(|name| !features.iter().any(|f| f == *name)).map(|name| (*name).to_owned()),
            );
            vec![PolicyEdit::ReplaceWithList { target: attr.value.span, values }]
        }
        _ => Vec::new(),
    }
}

fn check_account(unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
    let mut missing = Vec::new();
    let mut new_rules = Vec::new();
    if !security_hub_watches_iam(unit) {
        let (identifiers, unknown) = config_rule_identifiers(unit);
        let has = |name: &str| unknown || identifiers.iter().any(|id| id.contains(name));
        if !has("IAM_ROOT_ACCESS_KEY_CHECK") {
            missing.push("a Config rule `IAM_ROOT_ACCESS_KEY_CHECK`");
            new_rules.extend(new_config_rule(unit, "IAM_ROOT_ACCESS_KEY_CHECK", &[]));
        }
        if !has("ROOT_ACCOUNT_MFA_ENABLED") && !has("ROOT_ACCOUNT_HARDWARE_MFA_ENABLED") {
            missing.push("a Config rule `ROOT_ACCOUNT_MFA_ENABLED`");
            new_rules.extend(new_config_rule(unit, "ROOT_ACCOUNT_MFA_ENABLED", &[]));
        }
    }
    let alarm = alarm_patterns(unit).iter().any(|pattern| pattern.contains("Root"));
    if !alarm {
        missing.push("an alarm on root-user activity");
    }
    if !missing.is_empty() {
        // Only the Config rules are generated: an alarm needs a destination the fix cannot know.
        let edits = if alarm { generate(new_rules) } else { Vec::new() };
        ctx.report(
            unit.anchor,
            format!("The account baseline in {} has no root-user guardrail: {}", unit.name, missing.join(", ")),
        )
        .fix("Declare the missing AWS Config rules", Applicability::Unsafe, edits);
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
            // The missing feature joins the list.
            .fix(
                case::hcl("resource \"aws_iam_organizations_features\" \"f\" {\n  enabled_features = [\"RootCredentialsManagement\"]\n}\n"),
                "resource \"aws_iam_organizations_features\" \"f\" {\n  enabled_features = [\"RootCredentialsManagement\", \"RootSessions\"]\n}\n",
            )
            // With the alarm in place, the Config rules are generated.
            .fix(
                case::hcl(ROOT_ALARM),
                &format!("{ROOT_ALARM}\nresource \"aws_config_config_rule\" \"iam_root_access_key_check\" {{\n  name = \"iam-root-access-key-check\"\n  source {{\n    owner             = \"AWS\"\n    source_identifier = \"IAM_ROOT_ACCESS_KEY_CHECK\"\n  }}\n}}\n\nresource \"aws_config_config_rule\" \"root_account_mfa_enabled\" {{\n  name = \"root-account-mfa-enabled\"\n  source {{\n    owner             = \"AWS\"\n    source_identifier = \"ROOT_ACCOUNT_MFA_ENABLED\"\n  }}\n}}\n"),
            )
            .fix(
                case::cfn("Resources:\n  Root:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern:\n        detail:\n          userIdentity:\n            type: [Root]\n"),
                "Resources:\n  Root:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern:\n        detail:\n          userIdentity:\n            type: [Root]\n  IamRootAccessKeyCheckRule:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: iam-root-access-key-check\n      Source:\n        Owner: AWS\n        SourceIdentifier: IAM_ROOT_ACCESS_KEY_CHECK\n  RootAccountMfaEnabledRule:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: root-account-mfa-enabled\n      Source:\n        Owner: AWS\n        SourceIdentifier: ROOT_ACCOUNT_MFA_ENABLED\n",
            )
            .run();
    }

    const ROOT_ALARM: &str = "resource \"aws_cloudwatch_event_rule\" \"root\" {\n  event_pattern = jsonencode({ detail = { userIdentity = { type = [\"Root\"] } } })\n}\n";

    #[test]
    fn an_organization_gets_a_root_deny_scp() {
        let org = "resource \"aws_organizations_organization\" \"org\" {\n  feature_set = \"ALL\"\n}\n";
        let findings = crate::testing::run_rule(&super::RootUserGuardrails, &case::hcl(org));
        let deny = findings.iter().find(|finding| finding.message.contains("denies actions by a root user")).unwrap();
        let fixed = rein_text::apply_edits(org, &deny.fixes.first().unwrap().edits).unwrap();
        assert!(
            fixed.contains(
                "data \"aws_iam_policy_document\" \"scp_deny_root\" {\n  statement {\n    sid       = \"DenyRootUser\""
            ),
            "{fixed}"
        );
        assert!(!fixed.contains("DenyGuardrailChanges"), "{fixed}");
        assert!(
            fixed.contains("  name        = \"scp-deny-root\"\n  description = \"Denies the use of root users\"\n"),
            "{fixed}"
        );
        let again = crate::testing::run_rule(&super::RootUserGuardrails, &case::hcl(&fixed));
        assert!(again.iter().all(|finding| !finding.message.contains("denies actions by a root user")), "{again:?}");
    }

    #[test]
    fn an_organization_gets_its_root_features() {
        let org = "resource \"aws_organizations_organization\" \"org\" {\n  feature_set = \"ALL\"\n}\n";
        let findings = crate::testing::run_rule(&super::RootUserGuardrails, &case::hcl(org));
        let centralise = findings.iter().find(|finding| finding.message.contains("centralise root access")).unwrap();
        let fixed = rein_text::apply_edits(org, &centralise.fixes.first().unwrap().edits).unwrap();
        assert_eq!(
            fixed,
            format!(
                "{org}\nresource \"aws_iam_organizations_features\" \"this\" {{\n  enabled_features = [\"RootCredentialsManagement\", \"RootSessions\"]\n}}\n"
            )
        );
        let again = crate::testing::run_rule(&super::RootUserGuardrails, &case::hcl(&fixed));
        assert!(
            again
                .iter()
                .all(|finding| !finding.message.contains("root access") && !finding.message.contains("RootSessions")),
            "{again:?}"
        );
    }
}
