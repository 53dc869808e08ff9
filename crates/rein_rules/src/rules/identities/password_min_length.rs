//! IAM402 `password-min-length`.

use rein_model::EntityKind;

use super::require_at_least;
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// An account password policy (`aws_iam_account_password_policy`) whose
    /// `minimum_password_length` is below 14 (option `password-min-length`), or that does not set it (the provider's default
    /// of 6 characters then applies).
    /// A value from a variable is checked through the variable's default; a value that cannot
    /// be known statically is not reported.
    ///
    /// ## Why it matters
    /// Short console passwords fall to guessing and credential stuffing; CIS AWS Foundations
    /// and Security Hub IAM.7 ask for 14 characters or more.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_account_password_policy" "this" {
    ///   minimum_password_length = 8
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_account_password_policy" "this" {
    ///   minimum_password_length = 14
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: raising the minimum changes which passwords IAM accepts at the next change.
    ///
    /// ## Options
    /// `password-min-length` in `[options]` of `rein.toml` sets the minimum (default 14).
    ///
    /// ## References
    /// - AWS IAM User Guide: setting an account password policy for IAM users
    /// - CIS AWS Foundations Benchmark 1.8
    PasswordMinLength {
        id: "IAM402",
        aliases: ["CKV_AWS_10", "AVD-AWS-0063", "IAM.7"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl],
    }
}

impl Rule for PasswordMinLength {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for policy in unit.entities_of(EntityKind::PasswordPolicy) {
            let minimum = f64::from(ctx.settings().options.password_min_length());
            let unset = "the provider's default of 6 characters applies";
            require_at_least(ctx, policy, "minimum_password_length", minimum, unset);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::RuleOptions;
    use crate::testing::{RuleTest, case};

    #[test]
    fn password_min_length() {
        RuleTest::new(&super::PasswordMinLength)
            .fail_with(case::hcl(r#"resource "aws_iam_account_password_policy" "p" {}"#), "is not set")
            .pass(case::hcl(
                r#"
variable "length" {
  default = 16
}
resource "aws_iam_account_password_policy" "p" {
  minimum_password_length = var.length
}
"#,
            ))
            .pass(case::hcl(
                r#"
variable "length" {}
resource "aws_iam_account_password_policy" "p" {
  minimum_password_length = var.length
}
"#,
            ))
            // The option moves the minimum both ways.
            .fail_with(
                case::hcl(r#"resource "aws_iam_account_password_policy" "p" { minimum_password_length = 16 }"#)
                    .with_options(RuleOptions { password_min_length: Some(20), ..RuleOptions::default() }),
                "should be at least 20",
            )
            .pass(
                case::hcl(r#"resource "aws_iam_account_password_policy" "p" { minimum_password_length = 12 }"#)
                    .with_options(RuleOptions { password_min_length: Some(12), ..RuleOptions::default() }),
            )
            .fix(
                case::hcl("resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length = 8\n}\n"),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length = 14\n}\n",
            )
            // An unset minimum is added, in the alignment of the arguments before it.
            .fix(
                case::hcl("resource \"aws_iam_account_password_policy\" \"p\" {\n  require_symbols = true\n}\n"),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  require_symbols         = true\n  minimum_password_length = 14\n}\n",
            )
            .run();
    }
}
