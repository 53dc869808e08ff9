//! IAM508 `access-analyzer-missing`.

use rein_model::EntityKind;

use super::{checks_existence, generate, is_org, new_resource};
use crate::engine::Unit;
use crate::engine::UnitSource;
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
    /// ## Fix safety
    /// Unsafe: the fix declares the missing analyzer (`aws_accessanalyzer_analyzer`,
    /// `AWS::AccessAnalyzer::Analyzer`) of the account, or of the organization when the
    /// configuration manages one, in the region the configuration deploys to. The unused-access
    /// analyzer is billed per monitored role and user; an organization analyzer must be deployed
    /// from the management or delegated administrator account.
    ///
    /// ## References
    /// - AWS IAM User Guide: using AWS Identity and Access Management Access Analyzer
    /// - CIS AWS Foundations Benchmark 1.20
    AccessAnalyzerMissing {
        id: "IAM508",
        aliases: ["AVD-AWS-0175"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
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
        let scope = if is_org(unit) { "ORGANIZATION" } else { "ACCOUNT" };
        if !external {
            ctx.report(
                unit.anchor,
                format!("The account baseline in {} declares no IAM Access Analyzer for external access", unit.name),
            )
            .fix(
                "Declare an external-access analyzer",
                Applicability::Unsafe,
                generate(new_analyzer(unit, "external_access", scope)),
            );
        }
        if !unused {
            ctx.report(
                unit.anchor,
                format!("The account baseline in {} declares no unused-access analyzer", unit.name),
            )
            .severity(Severity::Info)
            .fix(
                "Declare an unused-access analyzer",
                Applicability::Unsafe,
                generate(new_analyzer(unit, "unused_access", &format!("{scope}_UNUSED_ACCESS"))),
            );
        }
    }
}

/// An analyzer of type `ty`, named after `purpose` (`external_access`), in the unit's language.
fn new_analyzer(unit: &Unit<'_>, purpose: &str, ty: &str) -> Option<NewEntity> {
    let name = purpose.replace('_', "-");
    match unit.source {
        UnitSource::Terraform => Some(new_resource(
            unit,
            "aws_accessanalyzer_analyzer",
            purpose,
            vec![("analyzer_name", AttributeValue::string(name)), ("type", AttributeValue::string(ty))],
        )),
        UnitSource::CloudFormation => {
            let id = if purpose == "external_access" { "ExternalAccessAnalyzer" } else { "UnusedAccessAnalyzer" };
            Some(new_resource(
                unit,
                "AWS::AccessAnalyzer::Analyzer",
                id,
                vec![("AnalyzerName", AttributeValue::string(name)), ("Type", AttributeValue::string(ty))],
            ))
        }
        UnitSource::TerraformPlan => None,
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
            // The fixes generate the missing analyzers.
            .fix(
                case::hcl("resource \"aws_accessanalyzer_analyzer\" \"a\" {\n  analyzer_name = \"a\"\n}\n"),
                "resource \"aws_accessanalyzer_analyzer\" \"a\" {\n  analyzer_name = \"a\"\n}\n\nresource \"aws_accessanalyzer_analyzer\" \"unused_access\" {\n  analyzer_name = \"unused-access\"\n  type          = \"ACCOUNT_UNUSED_ACCESS\"\n}\n",
            )
            .fix(
                case::cfn(
                    "Resources:\n  Unused:\n    Type: AWS::AccessAnalyzer::Analyzer\n    Properties:\n      Type: ACCOUNT_UNUSED_ACCESS\n",
                ),
                "Resources:\n  Unused:\n    Type: AWS::AccessAnalyzer::Analyzer\n    Properties:\n      Type: ACCOUNT_UNUSED_ACCESS\n  ExternalAccessAnalyzer:\n    Type: AWS::AccessAnalyzer::Analyzer\n    Properties:\n      AnalyzerName: external-access\n      Type: ACCOUNT\n",
            )
            .fix(
                case::cfn(
                    "{\n  \"Resources\": {\n    \"Unused\": {\n      \"Type\": \"AWS::AccessAnalyzer::Analyzer\",\n      \"Properties\": {\"Type\": \"ACCOUNT_UNUSED_ACCESS\"}\n    }\n  }\n}\n",
                ),
                "{\n  \"Resources\": {\n    \"Unused\": {\n      \"Type\": \"AWS::AccessAnalyzer::Analyzer\",\n      \"Properties\": {\"Type\": \"ACCOUNT_UNUSED_ACCESS\"}\n    },\n    \"ExternalAccessAnalyzer\": {\n      \"Type\": \"AWS::AccessAnalyzer::Analyzer\",\n      \"Properties\": {\n        \"AnalyzerName\": \"external-access\",\n        \"Type\": \"ACCOUNT\"\n      }\n    }\n  }\n}\n",
            )
            .run();
    }
}
