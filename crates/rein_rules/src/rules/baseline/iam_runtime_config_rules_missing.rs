//! IAM511 `iam-runtime-config-rules-missing`.

use rein_model::{EntityKind, NodeKind};

use super::{
    checks_existence, config_rule_identifiers, generate, new_config_rule, object_member, security_hub_watches_iam,
};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// In the `baseline` profile, the IAM facts that static analysis cannot see and that the
    /// baseline does not watch at run time.
    ///
    /// A fact is watched by an AWS Config managed rule (an `aws_config_config_rule` or a
    /// conformance pack naming it), or by a Security Hub standard (CIS AWS Foundations or AWS
    /// Foundational Security Best Practices), which covers them all. The facts and their rules:
    /// - root MFA (`ROOT_ACCOUNT_MFA_ENABLED` or `ROOT_ACCOUNT_HARDWARE_MFA_ENABLED`);
    /// - root access keys (`IAM_ROOT_ACCESS_KEY_CHECK`);
    /// - console users without MFA (`MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS`);
    /// - access key age (`ACCESS_KEYS_ROTATED`, with `maxAccessKeyAge` at most 90);
    /// - unused credentials (`IAM_USER_UNUSED_CREDENTIALS_CHECK`);
    /// - the password policy (`IAM_PASSWORD_POLICY`);
    /// - users with policies of their own (`IAM_USER_NO_POLICIES_CHECK`);
    /// - policies that grant full admin (`IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS`).
    ///
    /// The finding lists the facts nobody watches. When a rule identifier is not known
    /// statically, nothing is reported.
    ///
    /// ## Why it matters
    /// Root MFA, key age and unused credentials live in the account, not in the code; without a
    /// rule that watches them, they drift unnoticed.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_config_configuration_recorder" "this" {
    ///   name     = "default"
    ///   role_arn = "arn:aws:iam::123456789012:role/config"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_securityhub_account" "this" {}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix declares the AWS Config managed rules of the facts nobody watches
    /// (`aws_config_config_rule`, `AWS::Config::ConfigRule`; `ACCESS_KEYS_ROTATED` with
    /// `maxAccessKeyAge` 90). They need a configuration recorder in the account and region, and
    /// each evaluation is billed.
    ///
    /// ## References
    /// - AWS Config Developer Guide: list of AWS Config managed rules
    /// - AWS Security Hub User Guide: CIS AWS Foundations Benchmark controls
    IamRuntimeConfigRulesMissing {
        id: "IAM511",
        aliases: [
            "AVD-AWS-0140", "AVD-AWS-0142", "AVD-AWS-0144", "AVD-AWS-0145", "AVD-AWS-0146", "AVD-AWS-0165",
            "AVD-AWS-0166", "ROOT_ACCOUNT_MFA_ENABLED", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED",
            "IAM_ROOT_ACCESS_KEY_CHECK", "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", "ACCESS_KEYS_ROTATED",
            "IAM_USER_UNUSED_CREDENTIALS_CHECK", "IAM_PASSWORD_POLICY", "IAM_USER_NO_POLICIES_CHECK",
            "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
        ],
        category: Hygiene,
        severity: Info,
        fix: Sometimes,
        frontends: [Hcl, Cfn],
    }
}

/// Each fact, and the managed rules that watch it.
pub(crate) const FACTS: [(&str, &[&str]); 8] = [
    ("root MFA", &["ROOT_ACCOUNT_MFA_ENABLED", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED"]),
    ("root access keys", &["IAM_ROOT_ACCESS_KEY_CHECK"]),
    ("console users without MFA", &["MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS"]),
    ("access key age", &["ACCESS_KEYS_ROTATED"]),
    ("unused credentials", &["IAM_USER_UNUSED_CREDENTIALS_CHECK"]),
    ("the password policy", &["IAM_PASSWORD_POLICY"]),
    ("users with policies of their own", &["IAM_USER_NO_POLICIES_CHECK"]),
    ("policies that grant full admin", &["IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS"]),
];

impl Rule for IamRuntimeConfigRulesMissing {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        // The key age limit is checked wherever the rule is declared.
        for rule in unit.entities_of(EntityKind::ConfigRule) {
            if rule.string("source_identifier").and_then(Value::as_known) != Some("ACCESS_KEYS_ROTATED") {
                continue;
            }
            let Some(attr) = rule.attribute("input_parameters") else { continue };
            if let Some(days) = max_key_age(&attr.value).filter(|days| *days > 90.0) {
                ctx.report(attr.value.span, format!("`ACCESS_KEYS_ROTATED` allows keys of {days} days, more than 90"));
            }
        }
        if !checks_existence(unit, ctx) || security_hub_watches_iam(unit) {
            return;
        }
        let (identifiers, unknown) = config_rule_identifiers(unit);
        if unknown {
            return;
        }
        let unwatched: Vec<&(&str, &[&str])> = FACTS
            .iter()
            .filter(|(_, rules)| !rules.iter().any(|rule| identifiers.iter().any(|id| id.contains(rule))))
            .collect();
        if unwatched.is_empty() {
            return;
        }
        let missing: Vec<&str> = unwatched.iter().map(|(fact, _)| *fact).collect();
        // The first managed rule of each fact; the key age limit the rule asks for.
        let new_rules = unwatched.iter().filter_map(|(_, rules)| {
            let identifier = rules.first()?;
            let parameters: &[(&str, &str)] =
                if *identifier == "ACCESS_KEYS_ROTATED" { &[("maxAccessKeyAge", "90")] } else { &[] };
            new_config_rule(unit, identifier, parameters)
        });
        ctx.report(
            unit.anchor,
            format!("The account baseline in {} watches no run-time IAM fact of: {}", unit.name, missing.join(", ")),
        )
        .note("declare the AWS Config managed rules, or enable a Security Hub standard (CIS or FSBP)")
        .fix("Declare the missing AWS Config rules", Applicability::Unsafe, generate(new_rules));
    }
}

/// `maxAccessKeyAge` of the rule's parameters, given as JSON text or as a structure.
fn max_key_age(node: &rein_model::Node) -> Option<f64> {
    if let Some(value) = object_member(node, "maxAccessKeyAge") {
        return rein_model::inventory::node_number(value);
    }
    let NodeKind::String(Value::Known(text)) = &node.kind else { return None };
    let rest = text.split_once("maxAccessKeyAge")?.1;
    let digits: String = rest.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    const ALL_RULES: &str = r#"
locals {
  rules = ["ROOT_ACCOUNT_MFA_ENABLED", "IAM_ROOT_ACCESS_KEY_CHECK", "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", "IAM_USER_UNUSED_CREDENTIALS_CHECK", "IAM_PASSWORD_POLICY", "IAM_USER_NO_POLICIES_CHECK", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS"]
}
resource "aws_config_config_rule" "keys" {
  name             = "access-keys-rotated"
  input_parameters = jsonencode({ maxAccessKeyAge = "90" })
  source {
    owner             = "AWS"
    source_identifier = "ACCESS_KEYS_ROTATED"
  }
}
resource "aws_config_conformance_pack" "iam" {
  name          = "iam"
  template_body = "ROOT_ACCOUNT_MFA_ENABLED IAM_ROOT_ACCESS_KEY_CHECK MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS IAM_USER_UNUSED_CREDENTIALS_CHECK IAM_PASSWORD_POLICY IAM_USER_NO_POLICIES_CHECK IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS"
}
"#;

    #[test]
    fn iam_runtime_config_rules_missing() {
        RuleTest::new(&super::IamRuntimeConfigRulesMissing)
            .pass(case::hcl(ALL_RULES))
            .fail_with(case::hcl(&ALL_RULES.replace("\"90\"", "\"180\"")), "keys of 180 days")
            .fail_with(case::hcl(&ALL_RULES.replace(" IAM_PASSWORD_POLICY", "")), "of: the password policy")
            .pass(case::hcl("resource \"aws_securityhub_account\" \"hub\" {\n  enable_default_standards = false\n}\nresource \"aws_securityhub_standards_subscription\" \"cis\" {\n  standards_arn = \"arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0\"\n}\n"))
            // Rules made by `for_each`: their identifiers are not known, so nothing is missing.
            .pass(case::hcl("locals {\n  ids = { a = \"IAM_PASSWORD_POLICY\" }\n}\nresource \"aws_config_config_rule\" \"r\" {\n  for_each = local.ids\n  source {\n    source_identifier = each.value\n  }\n}\n"))
            .fail(case::cfn("Resources:\n  Hub:\n    Type: AWS::SecurityHub::Hub\n    Properties:\n      EnableDefaultStandards: false\n"))
            .fix(
                case::hcl(&ALL_RULES.replace(" IAM_PASSWORD_POLICY", "")),
                &format!("{}\nresource \"aws_config_config_rule\" \"iam_password_policy\" {{\n  name = \"iam-password-policy\"\n  source {{\n    owner             = \"AWS\"\n    source_identifier = \"IAM_PASSWORD_POLICY\"\n  }}\n}}\n", ALL_RULES.replace(" IAM_PASSWORD_POLICY", "")),
            )
            .fix(
                case::cfn("Resources:\n  Recorder:\n    Type: AWS::Config::ConfigurationRecorder\n    Properties:\n      RoleARN: arn:aws:iam::111122223333:role/config\n  Pack:\n    Type: AWS::Config::ConformancePack\n    Properties:\n      TemplateBody: ROOT_ACCOUNT_MFA_ENABLED IAM_ROOT_ACCESS_KEY_CHECK MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS IAM_USER_UNUSED_CREDENTIALS_CHECK IAM_PASSWORD_POLICY IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS\n"),
                "Resources:\n  Recorder:\n    Type: AWS::Config::ConfigurationRecorder\n    Properties:\n      RoleARN: arn:aws:iam::111122223333:role/config\n  Pack:\n    Type: AWS::Config::ConformancePack\n    Properties:\n      TemplateBody: ROOT_ACCOUNT_MFA_ENABLED IAM_ROOT_ACCESS_KEY_CHECK MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS IAM_USER_UNUSED_CREDENTIALS_CHECK IAM_PASSWORD_POLICY IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS\n  AccessKeysRotatedRule:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: access-keys-rotated\n      InputParameters:\n        maxAccessKeyAge: '90'\n      Source:\n        Owner: AWS\n        SourceIdentifier: ACCESS_KEYS_ROTATED\n  IamUserNoPoliciesCheckRule:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: iam-user-no-policies-check\n      Source:\n        Owner: AWS\n        SourceIdentifier: IAM_USER_NO_POLICIES_CHECK\n",
            )
            .run();
    }
}
