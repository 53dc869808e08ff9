//! IAM404 `password-reuse-prevention`.

use rein_model::EntityKind;

use super::require_at_least;
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// An account password policy whose `password_reuse_prevention` is below 24, the most IAM
    /// remembers, or that does not set it (reuse is then not prevented at all).
    ///
    /// ## Why it matters
    /// A user forced to change a password can otherwise switch straight back to an old one,
    /// which may be among leaked credentials.
    /// trivy asks only for 5 or more, so values from 5 to 23 are reported here on purpose.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_account_password_policy" "this" {
    ///   password_reuse_prevention = 5
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_account_password_policy" "this" {
    ///   password_reuse_prevention = 24
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: it changes which new passwords IAM accepts.
    ///
    /// ## Options
    /// `password-reuse-prevention` in `[options]` of `rein.toml` sets the number required
    /// (default 24).
    ///
    /// ## References
    /// - AWS IAM User Guide: setting an account password policy for IAM users
    /// - CIS AWS Foundations Benchmark 1.9
    PasswordReusePrevention {
        id: "IAM404",
        aliases: ["CKV_AWS_13", "AVD-AWS-0056"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl],
    }
}

impl Rule for PasswordReusePrevention {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for policy in unit.entities_of(EntityKind::PasswordPolicy) {
            // RULES.md requires 24 by default, the most passwords IAM can remember.
            let minimum = f64::from(ctx.settings().options.password_reuse_prevention());
            let unset = "users may reuse their previous passwords";
            require_at_least(ctx, policy, "password_reuse_prevention", minimum, unset);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::RuleOptions;
    use crate::testing::{RuleTest, case};

    #[test]
    fn password_reuse_prevention() {
        RuleTest::new(&super::PasswordReusePrevention)
            .fail_with(case::hcl(r#"resource "aws_iam_account_password_policy" "p" {}"#), "may reuse")
            .pass(case::hcl(r#"resource "aws_iam_account_password_policy" "p" { password_reuse_prevention = 24 }"#))
            .pass(
                case::hcl(r#"resource "aws_iam_account_password_policy" "p" { password_reuse_prevention = 5 }"#)
                    .with_options(RuleOptions { password_reuse_prevention: Some(5), ..RuleOptions::default() }),
            )
            .fail_with(
                case::hcl(r#"resource "aws_iam_account_password_policy" "p" { password_reuse_prevention = 4 }"#)
                    .with_options(RuleOptions { password_reuse_prevention: Some(5), ..RuleOptions::default() }),
                "should be at least 5",
            )
            .fix(
                case::hcl(
                    "resource \"aws_iam_account_password_policy\" \"p\" {\n  password_reuse_prevention = 12\n}\n",
                ),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  password_reuse_prevention = 24\n}\n",
            )
            .fix(
                case::hcl("resource \"aws_iam_account_password_policy\" \"p\" {}\n"),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  password_reuse_prevention = 24\n}\n",
            )
            .run();
    }
}
