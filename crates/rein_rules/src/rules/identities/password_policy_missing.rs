//! IAM401 `password-policy-missing`.

use rein_model::EntityKind;

use crate::engine::{Unit, UnitSource};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// In the `baseline` profile: an account baseline that declares no account password policy
    /// (`aws_iam_account_password_policy`). IAM's default policy then applies: 8 characters, three
    /// of the four character classes, no expiry and no reuse check.
    /// CloudFormation has no resource for the password policy, so a baseline of templates only
    /// gets an info pointing at a custom resource or a StackSet.
    /// Configurations checked outside the `baseline` profile are never reported.
    ///
    /// ## Why it matters
    /// The password policy is the one control over console passwords of IAM users; a baseline
    /// that leaves it out leaves every later user with AWS's weak default.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_user" "alice" {
    ///   name = "alice"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_account_password_policy" "this" {
    ///   minimum_password_length        = 14
    ///   require_lowercase_characters   = true
    ///   require_uppercase_characters   = true
    ///   require_numbers                = true
    ///   require_symbols                = true
    ///   password_reuse_prevention      = 24
    ///   max_password_age               = 90
    ///   allow_users_to_change_password = true
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: setting an account password policy for IAM users
    /// - AWS Security Hub control IAM.7; AWS Config rule IAM_PASSWORD_POLICY
    PasswordPolicyMissing {
        id: "IAM401",
        aliases: ["IAM.7", "IAM_PASSWORD_POLICY"],
        category: Hygiene,
        severity: Warning,
        fix: None,
        frontends: [Hcl],
    }
}

impl Rule for PasswordPolicyMissing {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        // The baseline profile, or a read call of a baseline module, asks for the policy; a call
        // whose code is not read sets it up itself, and IAM520 judges its inputs.
        if !crate::rules::baseline::checks_existence(unit, ctx)
            || unit.entities_of(EntityKind::PasswordPolicy).next().is_some()
        {
            return;
        }
        if unit.source == UnitSource::CloudFormation {
            ctx.report(
                unit.anchor,
                "The templates set no account password policy; CloudFormation has no resource for it",
            )
            .severity(Severity::Info)
            .note("set it with a custom resource or a StackSet that calls `iam:UpdateAccountPasswordPolicy`");
            return;
        }
        ctx.report(
            unit.anchor,
            format!("The account baseline in {} declares no `aws_iam_account_password_policy`", unit.name),
        )
        .note("without one, IAM's default applies: 8 characters, no expiry, no reuse check");
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn password_policy_missing() {
        RuleTest::new(&super::PasswordPolicyMissing)
            .fail_with(
                case::cfn(
                    "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n",
                ),
                "CloudFormation has no resource",
            )
            .pass(case::hcl(
                "module \"baseline\" {\n  source = \"nozaq/secure-baseline/aws\"\n  version = \"2.0.0\"\n}\n",
            ))
            .run();
    }

    #[test]
    fn only_the_baseline_profile_requires_a_password_policy() {
        let case = case::hcl("resource \"aws_iam_user\" \"alice\" {\n  name = \"alice\"\n}\n");
        assert!(
            crate::testing::run_rule_in_profile(&super::PasswordPolicyMissing, &case, crate::Profile::Default)
                .is_empty()
        );
        assert!(
            !crate::testing::run_rule_in_profile(&super::PasswordPolicyMissing, &case, crate::Profile::Baseline)
                .is_empty()
        );
    }
}
