//! IAM502 `cloudtrail-not-multi-region`.

use rein_model::EntityKind;

use super::require_flag;
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// When no trail of the configuration is multi-region: each trail that does not set
    /// `is_multi_region_trail = true` (CloudFormation `IsMultiRegionTrail`). Any trail that sets
    /// `include_global_service_events = false` is reported too. Extra single-region trails next
    /// to a multi-region one are not reported.
    ///
    /// ## Why it matters
    /// A single-region trail misses what happens in every other region, where an attacker can
    /// run up resources unseen; IAM, STS and console sign-in events are global and need the
    /// global service events.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name                  = "main"
    ///   s3_bucket_name        = "audit"
    ///   is_multi_region_trail = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name                          = "main"
    ///   s3_bucket_name                = "audit"
    ///   is_multi_region_trail         = true
    ///   include_global_service_events = true
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the trail starts recording (and billing for) events of every region.
    ///
    /// ## References
    /// - AWS CloudTrail User Guide: receiving CloudTrail log files from multiple regions
    /// - CIS AWS Foundations Benchmark 3.1
    CloudtrailNotMultiRegion {
        id: "IAM502",
        aliases: ["CKV_AWS_67", "AVD-AWS-0014"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl],
    }
}

impl Rule for CloudtrailNotMultiRegion {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        let trails: Vec<_> = unit.entities_of(EntityKind::CloudTrail).collect();
        // A value not known statically may be `true`: give the configuration the benefit.
        let has_multi_region = trails.iter().any(|trail| {
            trail.attribute("is_multi_region_trail").is_some() && trail.bool("is_multi_region_trail") != Some(false)
        });
        for trail in &trails {
            if !has_multi_region {
                require_flag(
                    ctx,
                    trail,
                    "is_multi_region_trail",
                    true,
                    Some(false),
                    "the trail records one region only",
                );
            }
            require_flag(
                ctx,
                trail,
                "include_global_service_events",
                true,
                Some(true),
                "IAM, STS and console sign-in events are not recorded",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn cloudtrail_not_multi_region() {
        RuleTest::new(&super::CloudtrailNotMultiRegion)
            .fail_with(case::hcl(r#"resource "aws_cloudtrail" "t" { name = "t" }"#), "is not set")
            .fail_with(
                case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  is_multi_region_trail = true\n  include_global_service_events = false\n}\n"),
                "console sign-in",
            )
            .pass(case::hcl(
                "resource \"aws_cloudtrail\" \"all\" {\n  is_multi_region_trail = true\n}\nresource \"aws_cloudtrail\" \"data\" {\n  name = \"data-events\"\n}\n",
            ))
            .fix(
                case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  is_multi_region_trail = false\n}\n"),
                "resource \"aws_cloudtrail\" \"t\" {\n  is_multi_region_trail = true\n}\n",
            )
            .run();
    }
}
