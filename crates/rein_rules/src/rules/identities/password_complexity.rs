//! IAM403 `password-complexity`.

use rein_model::EntityKind;

use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// An account password policy that does not require all four character classes:
    /// `require_lowercase_characters`, `require_uppercase_characters`, `require_numbers` and
    /// `require_symbols` must each be `true` (each is false when not set).
    /// There is one finding per password policy, naming every missing class. Each class is a
    /// sub-code of the finding (`IAM403/lowercase`, `IAM403/uppercase`, `IAM403/numbers`,
    /// `IAM403/symbols`), so a suppression can accept one class with its reason and keep the
    /// others checked.
    ///
    /// ## Why it matters
    /// Without the classes, users pick passwords from a far smaller space, which guessing
    /// attacks exhaust quickly.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_account_password_policy" "this" {
    ///   minimum_password_length      = 14
    ///   require_lowercase_characters = true
    ///   require_uppercase_characters = true
    ///   require_numbers              = true
    ///   require_symbols              = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_account_password_policy" "this" {
    ///   minimum_password_length      = 14
    ///   require_lowercase_characters = true
    ///   require_uppercase_characters = true
    ///   require_numbers              = true
    ///   require_symbols              = true
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: it changes which passwords IAM accepts. The fix sets the classes written as
    /// `false` to `true`; classes that are not written at all are left to the author.
    ///
    /// ## Options
    /// `password-character-classes` in `[options]` of `rein.toml` lists the classes required
    /// (default all four: `lowercase`, `uppercase`, `numbers`, `symbols`).
    ///
    /// ## References
    /// - AWS IAM User Guide: setting an account password policy for IAM users
    /// - AWS Security Hub control IAM.7
    PasswordComplexity {
        id: "IAM403",
        aliases: [
            "CKV_AWS_11", "CKV_AWS_12", "CKV_AWS_14", "CKV_AWS_15", "AVD-AWS-0058", "AVD-AWS-0059", "AVD-AWS-0060",
            "AVD-AWS-0061"
        ],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl],
        sub_codes: ["lowercase", "uppercase", "numbers", "symbols"],
    }
}

/// The four settings, the class each requires, and the class's name: its sub-code, and its name
/// in the option `password-character-classes`.
const CLASSES: [(&str, &str, &str); 4] = [
    ("require_lowercase_characters", "lowercase letters", "lowercase"),
    ("require_uppercase_characters", "uppercase letters", "uppercase"),
    ("require_numbers", "numbers", "numbers"),
    ("require_symbols", "symbols", "symbols"),
];

impl Rule for PasswordComplexity {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for policy in unit.entities_of(EntityKind::PasswordPolicy) {
            let mut missing = Vec::new();
            let mut codes = Vec::new();
            let mut written_false = Vec::new();
            let mut unset = Vec::new();
            for (name, class, code) in CLASSES {
                if !ctx.settings().options.requires_password_class(code) {
                    continue;
                }
                match policy.attribute(name) {
                    None => {
                        missing.push(class);
                        codes.push(code);
                        unset.push(name);
                    }
                    // `true`, or not known statically, passes.
                    Some(attr) => {
                        if policy.bool(name) == Some(false) {
                            missing.push(class);
                            codes.push(code);
                            written_false.push((name, attr.value.span));
                        }
                    }
                }
            }
            if missing.is_empty() {
                continue;
            }
            let span = match written_false.as_slice() {
                [(_, span)] if missing.len() == 1 => *span,
                _ => policy.span,
            };
            let mut finding = ctx.report(span, format!("The password policy does not require {}", missing.join(", ")));
            for (name, value) in &written_false {
                finding = finding.label(*value, format!("`{name}` is false"));
            }
            for code in codes {
                finding = finding.sub_code(code);
            }
            // Flags written false become true; flags not written are added.
            let mut edits: Vec<PolicyEdit> = written_false
                .iter()
                .map(|(_, target)| PolicyEdit::ReplaceLiteral { target: *target, literal: "true".to_owned() })
                .collect();
            if !unset.is_empty() {
                let attributes = unset.iter().map(|name| ((*name).to_owned(), AttributeValue::literal(true))).collect();
                edits.push(PolicyEdit::InsertAttributes { entity: policy.extent, attributes });
            }
            finding = finding.fix("Require every character class", Applicability::Unsafe, edits);
            drop(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::RuleOptions;
    use crate::testing::{RuleTest, case};

    fn only(classes: &[&str]) -> RuleOptions {
        let classes = classes.iter().map(|class| (*class).to_owned()).collect();
        RuleOptions { password_character_classes: Some(classes), ..RuleOptions::default() }
    }

    #[test]
    fn each_missing_class_is_a_sub_code() {
        let findings = crate::testing::run_rule(
            &super::PasswordComplexity,
            &case::hcl(
                r#"resource "aws_iam_account_password_policy" "p" {
  require_lowercase_characters = true
  require_numbers              = false
}"#,
            ),
        );
        let codes: Vec<Vec<&str>> = findings.iter().map(|f| f.sub_codes.clone()).collect();
        assert_eq!(codes, [vec!["uppercase", "numbers", "symbols"]]);
    }

    #[test]
    fn password_complexity() {
        RuleTest::new(&super::PasswordComplexity)
            .fail_with(
                case::hcl(r#"resource "aws_iam_account_password_policy" "p" { minimum_password_length = 14 }"#),
                "lowercase letters, uppercase letters, numbers, symbols",
            )
            .pass(case::hcl(
                r#"
resource "aws_iam_account_password_policy" "p" {
  require_lowercase_characters = true
  require_uppercase_characters = "true"
  require_numbers              = var.numbers
  require_symbols              = true
}
"#,
            ))
            // The option narrows the classes required.
            .pass(
                case::hcl(
                    r#"resource "aws_iam_account_password_policy" "p" {
  require_lowercase_characters = true
  require_uppercase_characters = true
}"#,
                )
                .with_options(only(&["lowercase", "uppercase"])),
            )
            .fail_with(
                case::hcl(r#"resource "aws_iam_account_password_policy" "p" { require_symbols = false }"#)
                    .with_options(only(&["symbols"])),
                "does not require symbols",
            )
            // Flags written false are raised, and flags not written are added.
            .fix(
                case::hcl(
                    "resource \"aws_iam_account_password_policy\" \"p\" {\n  require_uppercase_characters = false\n  minimum_password_length      = 14\n}\n",
                ),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  require_uppercase_characters = true\n  minimum_password_length      = 14\n  require_lowercase_characters = true\n  require_numbers              = true\n  require_symbols              = true\n}\n",
            )
            .fix(
                case::hcl(
                    "resource \"aws_iam_account_password_policy\" \"p\" {\n  require_lowercase_characters = true\n  require_uppercase_characters = false\n  require_numbers = true\n  require_symbols = false\n}\n",
                ),
                "resource \"aws_iam_account_password_policy\" \"p\" {\n  require_lowercase_characters = true\n  require_uppercase_characters = true\n  require_numbers = true\n  require_symbols = true\n}\n",
            )
            .run();
    }
}
