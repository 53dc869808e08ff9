//! IAM521 `non-iam-baseline-controls`.

use rein_model::EntityKind;

use super::checks_existence;
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// In the `baseline` profile, the controls of an account baseline that are not IAM, by
    /// presence only.
    ///
    /// They are:
    /// - EBS encryption by default (`aws_ebs_encryption_by_default` not disabled);
    /// - default security groups stripped of their rules (`aws_default_security_group`
    ///   without `ingress` or `egress`);
    /// - VPC flow logs (`aws_flow_log`).
    ///
    /// Deeper checks of these are left to general IaC scanners.
    ///
    /// ## Why it matters
    /// They are part of the baseline the secure-baseline module sets up; an account that lacks
    /// them keeps unencrypted volumes, open default security groups and no network record.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_default_security_group" "default" {
    ///   vpc_id = "vpc-0123"
    ///   ingress {
    ///     protocol  = -1
    ///     self      = true
    ///     from_port = 0
    ///     to_port   = 0
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ebs_encryption_by_default" "this" {
    ///   enabled = true
    /// }
    ///
    /// resource "aws_default_security_group" "default" {
    ///   vpc_id = "vpc-0123"
    /// }
    ///
    /// resource "aws_flow_log" "default" {
    ///   vpc_id          = "vpc-0123"
    ///   traffic_type    = "ALL"
    ///   log_destination = "arn:aws:logs:eu-west-1:123456789012:log-group:flow-logs"
    /// }
    /// ```
    ///
    /// ## References
    /// - Amazon EC2 User Guide: encryption by default
    /// - CIS AWS Foundations Benchmark 5.3; AWS Security Hub control EC2.7
    NonIamBaselineControls {
        id: "IAM521",
        aliases: ["CKV2_AWS_12", "EC2.7"],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl],
    }
}

impl Rule for NonIamBaselineControls {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        if !checks_existence(unit, ctx) {
            return;
        }
        let mut missing = Vec::new();
        let ebs: Vec<_> = unit.entities_of(EntityKind::EbsEncryptionByDefault).collect();
        for setting in &ebs {
            if let Some(attr) = setting.attribute("enabled")
                && setting.bool("enabled") == Some(false)
            {
                ctx.report(attr.value.span, "EBS encryption by default is switched off");
            }
        }
        if ebs.is_empty() {
            missing.push("EBS encryption by default");
        }
        let groups: Vec<_> = unit.entities_of(EntityKind::DefaultSecurityGroup).collect();
        for group in &groups {
            for block in ["ingress", "egress"] {
                if let Some(attr) = group.attribute(block) {
                    ctx.report(
                        attr.key_span,
                        format!("The default security group `{}` keeps `{block}` rules", group.address),
                    )
                    .note("strip the default security group, so resources that fall back to it get no network access");
                }
            }
        }
        if groups.is_empty() {
            missing.push("stripped default security groups");
        }
        if unit.entities_of(EntityKind::FlowLog).next().is_none() {
            missing.push("VPC flow logs");
        }
        if !missing.is_empty() {
            ctx.report(
                unit.anchor,
                format!("The account baseline in {} declares no {}", unit.name, missing.join(", ")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn non_iam_baseline_controls() {
        RuleTest::new(&super::NonIamBaselineControls)
            .fail_with(case::hcl("resource \"aws_ebs_encryption_by_default\" \"e\" {\n  enabled = false\n}\nresource \"aws_default_security_group\" \"d\" {}\nresource \"aws_flow_log\" \"f\" {}\n"), "switched off")
            .fail_with(case::hcl("resource \"aws_default_security_group\" \"d\" {}\nresource \"aws_flow_log\" \"f\" {}\n"), "declares no EBS encryption by default")
            .run();
    }
}
