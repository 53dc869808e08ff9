//! IAM402 `password-min-length`.

use rein_model::EntityKind;

use super::require_at_least;
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// An account password policy (`aws_iam_account_password_policy`) whose
    /// `minimum_password_length` is below 14, or that does not set it (the provider's default
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

/// The minimum RULES.md sets (option `password_min_length`).
const MINIMUM: f64 = 14.0;

impl Rule for PasswordMinLength {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for policy in unit.entities_of(EntityKind::PasswordPolicy) {
            let unset = "the provider's default of 6 characters applies";
            require_at_least(ctx, policy, "minimum_password_length", MINIMUM, unset);
        }
    }
}

#[cfg(test)]
mod tests {
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
            .fix(
                case::hcl("resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length = 8\n}\n"),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length = 14\n}\n",
            )
            .run();
    }
}
