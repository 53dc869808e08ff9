//! IAM512 `security-hub-missing`.

use rein_model::EntityKind;

use super::{checks_existence, generate, new_resource};
use crate::engine::{Unit, UnitSource};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// In the `baseline` profile: a baseline without Security Hub (`aws_securityhub_account`,
    /// `AWS::SecurityHub::Hub`), or with Security Hub but no standard enabled: neither a
    /// standards subscription nor the default standards (`enable_default_standards`, true by
    /// default in Terraform, enables AWS Foundational Security Best Practices and CIS).
    ///
    /// ## Why it matters
    /// Security Hub's standards run the account-level checks (root MFA, key rotation, unused
    /// credentials) that code cannot show, and gather findings from GuardDuty, Access Analyzer
    /// and Config in one place.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_securityhub_account" "this" {
    ///   enable_default_standards = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_securityhub_account" "this" {}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix enables Security Hub (`aws_securityhub_account`, `AWS::SecurityHub::Hub`)
    /// with its default standards, AWS Foundational Security Best Practices and CIS AWS
    /// Foundations, or turns the default standards on for a hub that has none. Security Hub and
    /// the AWS Config rules its standards run are billed per check.
    ///
    /// ## References
    /// - AWS Security Hub User Guide: enabling Security Hub
    /// - AWS Security Hub User Guide: security standards
    SecurityHubMissing {
        id: "IAM512",
        aliases: [],
        category: Hygiene,
        severity: Info,
        fix: Sometimes,
        frontends: [Hcl],
    }
}

impl Rule for SecurityHubMissing {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        if !checks_existence(unit, ctx) {
            return;
        }
        let hubs: Vec<_> = unit.entities_of(EntityKind::SecurityHub).collect();
        let Some(hub) = hubs.first() else {
            let hub = match unit.source {
                UnitSource::Terraform => Some(new_resource(
                    unit,
                    "aws_securityhub_account",
                    "this",
                    vec![("enable_default_standards", AttributeValue::literal(true))],
                )),
                UnitSource::CloudFormation => Some(new_resource(
                    unit,
                    "AWS::SecurityHub::Hub",
                    "SecurityHub",
                    vec![("EnableDefaultStandards", AttributeValue::literal(true))],
                )),
                UnitSource::TerraformPlan => None,
            };
            ctx.report(unit.anchor, format!("The account baseline in {} does not enable Security Hub", unit.name)).fix(
                "Enable Security Hub with its default standards",
                Applicability::Unsafe,
                generate(hub),
            );
            return;
        };
        let defaults = hubs.iter().any(|hub| hub.bool("enable_default_standards") != Some(false));
        if !defaults && unit.entities_of(EntityKind::SecurityHubStandard).next().is_none() {
            let flag = hub.attribute("enable_default_standards");
            let edits = match (hubs.len(), flag) {
                (1, Some(attr)) => {
                    vec![PolicyEdit::ReplaceLiteral { target: attr.value.span, literal: "true".to_owned() }]
                }
                _ => Vec::new(),
            };
            ctx.report(hub.span, "Security Hub is enabled without any security standard")
                .note("subscribe to AWS Foundational Security Best Practices or CIS AWS Foundations")
                .fix("Enable the default standards", Applicability::Unsafe, edits);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn security_hub_missing() {
        RuleTest::new(&super::SecurityHubMissing)
            .fail_with(case::hcl(r#"resource "aws_guardduty_detector" "d" {}"#), "does not enable Security Hub")
            .pass(case::hcl(
                "resource \"aws_securityhub_account\" \"h\" {\n  enable_default_standards = false\n}\nresource \"aws_securityhub_standards_subscription\" \"fsbp\" {\n  standards_arn = \"arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0\"\n}\n",
            ))
            .fix(
                case::hcl("resource \"aws_guardduty_detector\" \"d\" {}\n"),
                "resource \"aws_guardduty_detector\" \"d\" {}\n\nresource \"aws_securityhub_account\" \"this\" {\n  enable_default_standards = true\n}\n",
            )
            .fix(
                case::cfn("Resources:\n  Detector:\n    Type: AWS::GuardDuty::Detector\n"),
                "Resources:\n  Detector:\n    Type: AWS::GuardDuty::Detector\n  SecurityHub:\n    Type: AWS::SecurityHub::Hub\n    Properties:\n      EnableDefaultStandards: true\n",
            )
            .fix(
                case::hcl("resource \"aws_securityhub_account\" \"h\" {\n  enable_default_standards = false\n}\n"),
                "resource \"aws_securityhub_account\" \"h\" {\n  enable_default_standards = true\n}\n",
            )
            .run();
    }
}
