//! IAM510 `config-recorder-incomplete`.

use rein_model::EntityKind;
use rein_model::inventory::node_bool;

use super::{checks_existence, nested, require_entity, require_flag};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// AWS Config set up so that it misses IAM changes: a recorder whose recording group sets
    /// `all_supported = false`, no recorder that sets `include_global_resource_types = true`
    /// (IAM users, roles and policies are global resources), and a recorder status with
    /// `is_enabled = false`. In the `baseline` profile also a baseline without a recorder, a
    /// recorder status, or a delivery channel.
    ///
    /// ## Why it matters
    /// Config's history of IAM resources answers "who had which permissions when", and its rules
    /// watch the IAM facts no static check can see (root MFA, key age).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_config_configuration_recorder" "this" {
    ///   name     = "default"
    ///   role_arn = "arn:aws:iam::123456789012:role/config"
    ///   recording_group {
    ///     all_supported = false
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_config_configuration_recorder" "this" {
    ///   name     = "default"
    ///   role_arn = "arn:aws:iam::123456789012:role/config"
    ///   recording_group {
    ///     all_supported                 = true
    ///     include_global_resource_types = true
    ///   }
    /// }
    ///
    /// resource "aws_config_configuration_recorder_status" "this" {
    ///   name       = "default"
    ///   is_enabled = true
    /// }
    ///
    /// resource "aws_config_delivery_channel" "this" {
    ///   name           = "default"
    ///   s3_bucket_name = "config-history"
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: recording more resource types costs more.
    ///
    /// ## References
    /// - AWS Config Developer Guide: selecting which resources AWS Config records
    /// - CIS AWS Foundations Benchmark 3.5; AWS Security Hub control Config.1
    ConfigRecorderIncomplete {
        id: "IAM510",
        aliases: ["CKV2_AWS_45", "CKV2_AWS_48", "CKV_AWS_121", "Config.1"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl],
    }
}

impl Rule for ConfigRecorderIncomplete {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        let recorders: Vec<_> = unit.entities_of(EntityKind::ConfigRecorder).collect();
        if require_entity(unit, ctx, EntityKind::ConfigRecorder, "AWS Config recorder") {
            if checks_existence(unit, ctx) {
                require_entity(
                    unit,
                    ctx,
                    EntityKind::ConfigRecorderStatus,
                    "AWS Config recorder status (the recorder never starts)",
                );
                require_entity(unit, ctx, EntityKind::ConfigDeliveryChannel, "AWS Config delivery channel");
            }
            let mut any_global = false;
            for recorder in &recorders {
                if let Some(value) = nested(recorder, "recording_group", "all_supported")
                    && node_bool(value) == Some(false)
                {
                    ctx.report(
                        value.span,
                        "The recorder does not record every supported resource type (`all_supported` is false)",
                    );
                }
                let global = nested(recorder, "recording_group", "include_global_resource_types");
                // A value not known statically may be `true`.
                any_global |= global.is_some_and(|value| node_bool(value) != Some(false));
            }
            if !any_global && let Some(first) = recorders.first() {
                ctx.report(
                    first.span,
                    "No recorder records global resource types, so IAM users, roles and policies are not recorded",
                )
                .note("set `include_global_resource_types = true` in the recording group of one region's recorder");
            }
        }
        for status in unit.entities_of(EntityKind::ConfigRecorderStatus) {
            require_flag(ctx, status, "is_enabled", true, Some(false), "the recorder is stopped");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn config_recorder_incomplete() {
        RuleTest::new(&super::ConfigRecorderIncomplete)
            .fail_with(
                case::hcl("resource \"aws_config_configuration_recorder\" \"r\" {\n  name = \"r\"\n}\nresource \"aws_config_configuration_recorder_status\" \"s\" {\n  name = \"r\"\n  is_enabled = true\n}\nresource \"aws_config_delivery_channel\" \"d\" {\n  s3_bucket_name = \"b\"\n}\n"),
                "global resource types",
            )
            .fix(
                case::hcl("resource \"aws_config_configuration_recorder\" \"r\" {\n  recording_group {\n    include_global_resource_types = true\n  }\n}\nresource \"aws_config_delivery_channel\" \"d\" {\n  s3_bucket_name = \"b\"\n}\nresource \"aws_config_configuration_recorder_status\" \"s\" {\n  is_enabled = false\n}\n"),
                "resource \"aws_config_configuration_recorder\" \"r\" {\n  recording_group {\n    include_global_resource_types = true\n  }\n}\nresource \"aws_config_delivery_channel\" \"d\" {\n  s3_bucket_name = \"b\"\n}\nresource \"aws_config_configuration_recorder_status\" \"s\" {\n  is_enabled = true\n}\n",
            )
            .run();
    }
}
