//! IAM405 `password-max-age`.

use rein_model::EntityKind;

use super::{Setting, setting};
use crate::engine::{MaxPasswordAge, Unit};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// An account password policy whose `max_password_age` is not between 1 and 90 days (not
    /// set, or 0, means passwords never expire), and one that sets an expiry while
    /// `allow_users_to_change_password` is not `true` (then only administrators can rotate
    /// passwords). `hard_expiry = true` is reported as info: users whose password expired are
    /// locked out until an administrator resets it.
    ///
    /// NIST SP 800-63B and CIS AWS Foundations 1.4 and later no longer ask for periodic expiry,
    /// and nozaq/secure-baseline defaults to `max_password_age = 0`; teams that follow them turn
    /// this rule off.
    ///
    /// ## Why it matters
    /// A password that never expires stays valid for as long as it is leaked.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_account_password_policy" "this" {
    ///   max_password_age               = 0
    ///   allow_users_to_change_password = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_account_password_policy" "this" {
    ///   max_password_age               = 90
    ///   allow_users_to_change_password = true
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: passwords older than the new limit must be changed at the next sign-in.
    ///
    /// ## Options
    /// `password-max-age` in `[options]` of `rein.toml` sets the longest password life in days
    /// (default 90), or turns the expiry requirement `"off"`.
    ///
    /// ## References
    /// - AWS IAM User Guide: setting an account password policy for IAM users
    /// - NIST SP 800-63B, section 5.1.1.2
    PasswordMaxAge {
        id: "IAM405",
        aliases: ["CKV_AWS_9", "AVD-AWS-0062"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl],
    }
}

impl Rule for PasswordMaxAge {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        // RULES.md accepts 90 days by default; `off` keeps only the checks of a written expiry.
        let max_days = match ctx.settings().options.password_max_age() {
            MaxPasswordAge::Days(days) => Some(f64::from(days)),
            MaxPasswordAge::Off => None,
        };
        for policy in unit.entities_of(EntityKind::PasswordPolicy) {
            let expires = match (setting(policy, "max_password_age"), max_days) {
                (Setting::Known(days), None) => days >= 1.0,
                (_, None) => false,
                (Setting::Unset, Some(max_days)) => {
                    // Expiry comes with self-service change, or the fix would raise the next finding.
                    let mut attributes = vec![("max_password_age".to_owned(), AttributeValue::literal(max_days))];
                    let mut edits = Vec::new();
                    match policy.attribute("allow_users_to_change_password") {
                        None => attributes
                            .push(("allow_users_to_change_password".to_owned(), AttributeValue::literal(true))),
                        Some(attr) if policy.bool("allow_users_to_change_password") == Some(false) => {
                            edits.push(PolicyEdit::ReplaceLiteral {
                                target: attr.value.span,
                                literal: "true".to_owned(),
                            });
                        }
                        Some(_) => {}
                    }
                    edits.push(PolicyEdit::InsertAttributes { entity: policy.extent, attributes });
                    ctx.report(policy.span, "`max_password_age` is not set, so passwords never expire").fix(
                        format!("Set `max_password_age` to {max_days} and let users change their password"),
                        Applicability::Unsafe,
                        edits,
                    );
                    false
                }
                (Setting::Known(days), Some(max_days)) if !(1.0..=max_days).contains(&days) => {
                    let Some(attr) = policy.attribute("max_password_age") else { continue };
                    let message = if days < 1.0 {
                        "`max_password_age` is 0, so passwords never expire".to_owned()
                    } else {
                        format!("`max_password_age` is {days} days; it should be at most {max_days}")
                    };
                    ctx.report(attr.value.span, message).fix(
                        format!("Set `max_password_age` to {max_days}"),
                        Applicability::Unsafe,
                        vec![PolicyEdit::ReplaceLiteral { target: attr.value.span, literal: format!("{max_days}") }],
                    );
                    days >= 1.0
                }
                (Setting::Known(_), Some(_)) => true,
                (Setting::Unknown, Some(_)) => continue,
            };
            let change = policy.attribute("allow_users_to_change_password");
            let may_change = policy.bool("allow_users_to_change_password");
            // Reported when unset or false; a value not known statically is not.
            if expires && (change.is_none() || may_change == Some(false)) {
                let span = change.map_or(policy.span, |attr| attr.value.span);
                let edit = match change {
                    Some(attr) => PolicyEdit::ReplaceLiteral { target: attr.value.span, literal: "true".to_owned() },
                    None => PolicyEdit::insert_attribute(
                        policy.extent,
                        "allow_users_to_change_password",
                        AttributeValue::literal(true),
                    ),
                };
                ctx.report(
                    span,
                    "Passwords expire but users may not change their own (`allow_users_to_change_password`)",
                )
                .fix("Let users change their own password", Applicability::Unsafe, vec![edit]);
            }
            if let Some(attr) = policy.attribute("hard_expiry")
                && policy.bool("hard_expiry") == Some(true)
            {
                ctx.report(
                    attr.value.span,
                    "`hard_expiry` locks out users whose password expired until an administrator resets it",
                )
                .severity(Severity::Info);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};
    use crate::{MaxPasswordAge, RuleOptions};

    #[test]
    fn password_max_age() {
        RuleTest::new(&super::PasswordMaxAge)
            .fail_with(case::hcl(r#"resource "aws_iam_account_password_policy" "p" {}"#), "never expire")
            .fail_with(
                case::hcl(r#"resource "aws_iam_account_password_policy" "p" { max_password_age = 90 }"#),
                "may not change their own",
            )
            .fail_with(
                case::hcl(
                    "resource \"aws_iam_account_password_policy\" \"p\" {\n  max_password_age = 30\n  allow_users_to_change_password = true\n  hard_expiry = true\n}\n",
                ),
                "locks out",
            )
            .pass(case::hcl(
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  max_password_age = var.days\n}\nvariable \"days\" {}\n",
            ))
            .fail_with(
                case::hcl(
                    "resource \"aws_iam_account_password_policy\" \"p\" {\n  max_password_age = 90\n  allow_users_to_change_password = true\n}\n",
                )
                .with_options(RuleOptions { password_max_age: Some(MaxPasswordAge::Days(60)), ..RuleOptions::default() }),
                "should be at most 60",
            )
            // With expiry off, no expiry is required, but a written one is still checked.
            .pass(
                case::hcl(r#"resource "aws_iam_account_password_policy" "p" {}"#)
                    .with_options(RuleOptions { password_max_age: Some(MaxPasswordAge::Off), ..RuleOptions::default() }),
            )
            .fail_with(
                case::hcl(r#"resource "aws_iam_account_password_policy" "p" { max_password_age = 400 }"#)
                    .with_options(RuleOptions { password_max_age: Some(MaxPasswordAge::Off), ..RuleOptions::default() }),
                "may not change their own",
            )
            .fix(
                case::hcl(
                    "resource \"aws_iam_account_password_policy\" \"p\" {\n  max_password_age = 365\n  allow_users_to_change_password = true\n}\n",
                ),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  max_password_age = 90\n  allow_users_to_change_password = true\n}\n",
            )
            // An unset expiry is added with self-service change.
            .fix(
                case::hcl("resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length = 14\n}\n"),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length        = 14\n  max_password_age               = 90\n  allow_users_to_change_password = true\n}\n",
            )
            .fix(
                case::hcl(
                    "resource \"aws_iam_account_password_policy\" \"p\" {\n  allow_users_to_change_password = false\n}\n",
                ),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  allow_users_to_change_password = true\n  max_password_age               = 90\n}\n",
            )
            .fix(
                case::hcl("resource \"aws_iam_account_password_policy\" \"p\" {\n  max_password_age = 60\n}\n"),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  max_password_age               = 60\n  allow_users_to_change_password = true\n}\n",
            )
            .run();
    }
}
