//! IAM508 `access-analyzer-missing`.

use rein_model::EntityKind;

use super::checks_existence;
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// In the `baseline` profile: a baseline without an IAM Access Analyzer of type `ACCOUNT` or
    /// `ORGANIZATION` (an external-access analyzer), and, as info, one without an unused-access
    /// analyzer (`ACCOUNT_UNUSED_ACCESS` or `ORGANIZATION_UNUSED_ACCESS`).
    /// An analyzer is needed in every region the baseline targets; regions are not compared yet.
    ///
    /// ## Why it matters
    /// The external-access analyzer reports every resource shared outside the account or
    /// organisation as it happens; the unused-access analyzer finds the roles, keys and
    /// permissions nobody uses, so they can be removed.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_guardduty_detector" "this" {
    ///   enable = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_accessanalyzer_analyzer" "external" {
    ///   analyzer_name = "external"
    ///   type          = "ACCOUNT"
    /// }
    ///
    /// resource "aws_accessanalyzer_analyzer" "unused" {
    ///   analyzer_name = "unused"
    ///   type          = "ACCOUNT_UNUSED_ACCESS"
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: using AWS Identity and Access Management Access Analyzer
    /// - CIS AWS Foundations Benchmark 1.20
    AccessAnalyzerMissing {
        id: "IAM508",
        aliases: ["AVD-AWS-0175"],
        category: Hygiene,
        severity: Warning,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

impl Rule for AccessAnalyzerMissing {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        if !checks_existence(unit, ctx) {
            return;
        }
        let types: Vec<Option<&str>> = unit
            .entities_of(EntityKind::AccessAnalyzer)
            .map(|analyzer| match analyzer.string("type") {
                Some(Value::Known(ty)) => Some(ty.as_str()),
                // Not set: the provider's and CloudFormation's default is `ACCOUNT`.
                None => Some("ACCOUNT"),
                Some(_) => None,
            })
            .collect();
        let external = types.iter().any(|ty| ty.is_none_or(|ty| matches!(ty, "ACCOUNT" | "ORGANIZATION")));
        let unused = types
            .iter()
            .any(|ty| ty.is_none_or(|ty| matches!(ty, "ACCOUNT_UNUSED_ACCESS" | "ORGANIZATION_UNUSED_ACCESS")));
        if !external {
            ctx.report(
                unit.anchor,
                format!("The account baseline in {} declares no IAM Access Analyzer for external access", unit.name),
            );
        }
        if !unused {
            ctx.report(
                unit.anchor,
                format!("The account baseline in {} declares no unused-access analyzer", unit.name),
            )
            .severity(Severity::Info);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn access_analyzer_missing() {
        RuleTest::new(&super::AccessAnalyzerMissing)
            .fail_with(
                case::hcl("resource \"aws_accessanalyzer_analyzer\" \"a\" {\n  analyzer_name = \"a\"\n}\n"),
                "unused-access",
            )
            .fail(case::cfn(
                "Resources:\n  Detector:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n      Enable: true\n",
            ))
            .run();
    }
}
