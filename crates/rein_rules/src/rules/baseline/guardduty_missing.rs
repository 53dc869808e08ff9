//! IAM509 `guardduty-missing`.

use rein_model::EntityKind;

use super::{require_entity, require_flag};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// A GuardDuty detector that is switched off (`enable = false`, CloudFormation
    /// `Enable: false`), in every profile; in the `baseline` profile also a baseline without any
    /// detector.
    ///
    /// ## Why it matters
    /// GuardDuty is what notices stolen credentials being used: calls from unusual places,
    /// reconnaissance, crypto mining, and disabling of the trail.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_guardduty_detector" "this" {
    ///   enable = false
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   Detector:
    ///     Type: AWS::GuardDuty::Detector
    ///     Properties:
    ///       Enable: false
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_guardduty_detector" "this" {
    ///   enable = true
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the detector starts analysing (and billing for) the account's events.
    ///
    /// ## References
    /// - Amazon GuardDuty User Guide: getting started
    /// - AWS Security Hub control GuardDuty.1
    GuarddutyMissing {
        id: "IAM509",
        aliases: ["CKV_AWS_238", "CKV2_AWS_3", "GuardDuty.1"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl, Cfn],
    }
}

impl Rule for GuarddutyMissing {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        require_entity(unit, ctx, EntityKind::GuardDutyDetector, "GuardDuty detector");
        for detector in unit.entities_of(EntityKind::GuardDutyDetector) {
            require_flag(ctx, detector, "enable", true, Some(true), "GuardDuty does not watch the account");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn guardduty_missing() {
        RuleTest::new(&super::GuarddutyMissing)
            .fail_with(case::hcl(r#"resource "aws_cloudtrail" "t" { name = "t" }"#), "declares no GuardDuty")
            .pass(case::hcl(r#"resource "aws_guardduty_detector" "d" {}"#))
            .fix(
                case::hcl("resource \"aws_guardduty_detector\" \"d\" {\n  enable = false\n}\n"),
                "resource \"aws_guardduty_detector\" \"d\" {\n  enable = true\n}\n",
            )
            .fix(
                case::cfn("Resources:\n  Detector:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n      Enable: false # paused\n"),
                "Resources:\n  Detector:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n      Enable: true # paused\n",
            )
            .run();
    }
}
