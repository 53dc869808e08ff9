//! IAM520 `secure-baseline-module-control-disabled`.

use rein_model::inventory::{node_bool, node_number};
use rein_model::{Attribute, ModuleCall, NodeKind};

use super::{is_org, is_unread_baseline};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// A call of the nozaq/terraform-aws-secure-baseline module (or one of its submodules)
    /// whose code is not read here (a registry or git source), judged from its inputs. Inputs
    /// that switch off or weaken a control are reported with the rule that would report the
    /// missing control:
    /// - `*_enabled = false` for the trail, GuardDuty, Config, Access Analyzer, Security Hub,
    ///   the S3 account settings, the alarms, the IAM baseline, EBS and VPC baselines, and
    ///   `create_password_policy = false`;
    /// - `minimum_password_length` below 14, `password_reuse_prevention` below 24, any
    ///   `require_* = false`, and `max_password_age` outside 1–90 (the module's default is 0,
    ///   so it is reported when not set, unless IAM405 is turned off);
    /// - `cloudwatch_logs_retention_in_days` below 365 (0 keeps logs forever);
    /// - `turn_off_organization_trail = true` in an organization;
    /// - `support_iam_role_principal_arns` containing `*`.
    ///
    /// When the module's code is read (a local source), its resources are analysed directly
    /// and this rule stays quiet.
    ///
    /// ## Why it matters
    /// The module's name promises a secure baseline; an input that turns part of it off is easy
    /// to miss in review.
    ///
    /// ## Example
    /// ```hcl
    /// module "baseline" {
    ///   source                          = "nozaq/secure-baseline/aws"
    ///   guardduty_enabled               = false
    ///   audit_log_bucket_name           = "acme-audit"
    ///   aws_account_id                  = "123456789012"
    ///   region                          = "eu-west-1"
    ///   support_iam_role_principal_arns = ["arn:aws:iam::123456789012:role/secops"]
    ///   max_password_age                = 90
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// module "baseline" {
    ///   source                          = "nozaq/secure-baseline/aws"
    ///   audit_log_bucket_name           = "acme-audit"
    ///   aws_account_id                  = "123456789012"
    ///   region                          = "eu-west-1"
    ///   support_iam_role_principal_arns = ["arn:aws:iam::123456789012:role/secops"]
    ///   max_password_age                = 90
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: switching a control back on creates (and bills for) its resources.
    ///
    /// ## References
    /// - nozaq/terraform-aws-secure-baseline: inputs
    SecureBaselineModuleControlDisabled {
        id: "IAM520",
        aliases: [],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl],
    }
}

/// The module's switches, and the rule that reports the control they remove.
const SWITCHES: [(&str, &str); 16] = [
    ("cloudtrail_baseline_enabled", "IAM501 cloudtrail-missing-or-disabled"),
    ("cloudtrail_enabled", "IAM501 cloudtrail-missing-or-disabled"),
    ("guardduty_enabled", "IAM509 guardduty-missing"),
    ("config_baseline_enabled", "IAM510 config-recorder-incomplete"),
    ("config_enabled", "IAM510 config-recorder-incomplete"),
    ("analyzer_baseline_enabled", "IAM508 access-analyzer-missing"),
    ("analyzer_enabled", "IAM508 access-analyzer-missing"),
    ("securityhub_enabled", "IAM512 security-hub-missing"),
    ("s3_baseline_enabled", "IAM515 s3-account-public-access-block"),
    ("alarm_baseline_enabled", "IAM513 security-alarms-missing"),
    ("iam_baseline_enabled", "IAM401 password-policy-missing"),
    ("create_password_policy", "IAM401 password-policy-missing"),
    ("create_support_role", "IAM516 incident-access-roles"),
    ("ebs_baseline_enabled", "IAM521 non-iam-baseline-controls"),
    ("vpc_baseline_enabled", "IAM521 non-iam-baseline-controls"),
    ("vpc_enable_flow_logs", "IAM521 non-iam-baseline-controls"),
];

const REQUIRES: [&str; 4] =
    ["require_lowercase_characters", "require_numbers", "require_uppercase_characters", "require_symbols"];

impl Rule for SecureBaselineModuleControlDisabled {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        let org = is_org(unit);
        for call in unit.modules.iter().copied().filter(|call| is_unread_baseline(call)) {
            check_call(call, org, ctx);
        }
    }
}

fn check_call(call: &ModuleCall, org: bool, ctx: &mut RuleContext<'_>) {
    let input = |name: &str| call.arguments.iter().find(|attr| attr.name == name);
    for (name, rule) in SWITCHES {
        if let Some(attr) = input(name)
            && node_bool(&attr.value) == Some(false)
        {
            report_switch(ctx, attr, &format!("`{name} = false` switches the control off ({rule})"));
        }
    }
    for name in REQUIRES {
        if let Some(attr) = input(name)
            && node_bool(&attr.value) == Some(false)
        {
            report_switch(
                ctx,
                attr,
                &format!("`{name} = false` weakens the password policy (IAM403 password-complexity)"),
            );
        }
    }
    let below = |name: &str, min: f64, rule: &str, ctx: &mut RuleContext<'_>| {
        if let Some(attr) = input(name)
            && let Some(value) = node_number(&attr.value).filter(|value| *value < min)
        {
            ctx.report(attr.value.span, format!("`{name} = {value}` is below {min} ({rule})"));
        }
    };
    below("minimum_password_length", 14.0, "IAM402 password-min-length", ctx);
    below("password_reuse_prevention", 24.0, "IAM404 password-reuse-prevention", ctx);
    if let Some(attr) = input("cloudwatch_logs_retention_in_days")
        && let Some(days) = node_number(&attr.value).filter(|days| *days > 0.0 && *days < 365.0)
    {
        ctx.report(attr.value.span, format!("`cloudwatch_logs_retention_in_days = {days}` keeps the trail's events for less than 365 days (IAM507 audit-log-retention-short)"));
    }
    // Off only when the user turns IAM405 off; a run that selects other rules still means it.
    let age_rule_on = crate::registry::find_rule("IAM405")
        .is_none_or(|rule| !ctx.settings().ignore.iter().any(|sel| rule.meta().is_named(sel)));
    match input("max_password_age") {
        Some(attr) => {
            if let Some(days) = node_number(&attr.value).filter(|days| !(1.0..=90.0).contains(days))
                && age_rule_on
            {
                ctx.report(
                    attr.value.span,
                    format!("`max_password_age = {days}` is outside 1–90 days (IAM405 password-max-age)"),
                );
            }
        }
        None if age_rule_on => {
            ctx.report(call.span, "`max_password_age` is not set: the module's default 0 lets passwords never expire (IAM405 password-max-age)");
        }
        None => {}
    }
    if org
        && let Some(attr) = input("turn_off_organization_trail")
        && node_bool(&attr.value) == Some(true)
    {
        ctx.report(attr.value.span, "`turn_off_organization_trail = true` leaves member accounts without the organization trail (IAM506 cloudtrail-not-centralized)");
    }
    if let Some(attr) = input("support_iam_role_principal_arns") {
        let items: Vec<&rein_model::Node> = match &attr.value.kind {
            NodeKind::Array(items) => items.iter().collect(),
            _ => vec![&attr.value],
        };
        for item in items {
            if matches!(&item.kind, NodeKind::String(Value::Known(text)) if text == "*") {
                ctx.report(item.span, "The support role may be assumed by anyone (`*`) (IAM516 incident-access-roles)");
            }
        }
    }
    // FIXME(#6): RULES.md also reports `target_regions` missing regions that other providers of
    // the configuration use; the model's `provider` entities carry only credentials, not
    // `region` or `alias`, so the comparison is not made.
}

/// A switch written `false`: reported on the value, with a fix when it is a literal.
fn report_switch(ctx: &mut RuleContext<'_>, attr: &Attribute, message: &str) {
    let builder = ctx.report(attr.value.span, message.to_owned());
    if matches!(attr.value.kind, NodeKind::Bool(_)) {
        builder.fix(
            format!("Set `{}` to true", attr.name),
            Applicability::Unsafe,
            vec![PolicyEdit::ReplaceLiteral { target: attr.value.span, literal: "true".to_owned() }],
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn secure_baseline_module_control_disabled() {
        RuleTest::new(&super::SecureBaselineModuleControlDisabled)
            .fix(
                case::hcl("module \"b\" {\n  source           = \"nozaq/secure-baseline/aws\"\n  max_password_age = 90\n  config_baseline_enabled = false\n}\n"),
                "module \"b\" {\n  source           = \"nozaq/secure-baseline/aws\"\n  max_password_age = 90\n  config_baseline_enabled = true\n}\n",
            )
            .fail_with(case::hcl("module \"b\" {\n  source = \"nozaq/secure-baseline/aws\"\n}\n"), "`max_password_age` is not set")
            .fail_with(
                case::hcl("module \"b\" {\n  source = \"nozaq/secure-baseline/aws\"\n  max_password_age = 90\n  minimum_password_length = 8\n  support_iam_role_principal_arns = [\"*\"]\n}\n"),
                "`minimum_password_length = 8` is below 14",
            )
            // Another module's switches mean nothing here.
            .pass(case::hcl("module \"b\" {\n  source            = \"terraform-aws-modules/vpc/aws\"\n  guardduty_enabled = false\n}\n"))
            .run();
    }
}
