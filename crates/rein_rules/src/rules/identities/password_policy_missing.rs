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
    /// ## Fix safety
    /// Unsafe: the fix declares the password policy above, with the thresholds of the options
    /// of IAM402 to IAM405 (`password-min-length`, `password-reuse-prevention`,
    /// `password-max-age`, `password-character-classes`). Users whose password does not meet it
    /// must change it at their next sign-in. Templates get no fix.
    ///
    /// ## References
    /// - AWS IAM User Guide: setting an account password policy for IAM users
    /// - AWS Security Hub control IAM.7; AWS Config rule IAM_PASSWORD_POLICY
    PasswordPolicyMissing {
        id: "IAM401",
        aliases: ["IAM.7", "IAM_PASSWORD_POLICY"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
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
        let policy = (unit.source == UnitSource::Terraform).then(|| new_policy(unit, ctx));
        ctx.report(
            unit.anchor,
            format!("The account baseline in {} declares no `aws_iam_account_password_policy`", unit.name),
        )
        .note("without one, IAM's default applies: 8 characters, no expiry, no reuse check")
        .fix(
            "Declare an account password policy",
            Applicability::Unsafe,
            crate::rules::baseline::generate(policy),
        );
    }
}

/// The password policy that meets the thresholds the password rules are configured with.
fn new_policy(unit: &Unit<'_>, ctx: &RuleContext<'_>) -> NewEntity {
    let options = &ctx.settings().options;
    let mut attributes = vec![("minimum_password_length", AttributeValue::literal(options.password_min_length()))];
    for (name, class) in [
        ("require_lowercase_characters", "lowercase"),
        ("require_uppercase_characters", "uppercase"),
        ("require_numbers", "numbers"),
        ("require_symbols", "symbols"),
    ] {
        if options.requires_password_class(class) {
            attributes.push((name, AttributeValue::literal(true)));
        }
    }
    attributes.push(("password_reuse_prevention", AttributeValue::literal(options.password_reuse_prevention())));
    if let crate::MaxPasswordAge::Days(days) = options.password_max_age() {
        attributes.push(("max_password_age", AttributeValue::literal(days)));
    }
    attributes.push(("allow_users_to_change_password", AttributeValue::literal(true)));
    crate::rules::baseline::new_resource(unit, "aws_iam_account_password_policy", "this", attributes)
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
            .fix(
                case::hcl("resource \"aws_iam_user\" \"alice\" {\n  name = \"alice\"\n}\n"),
                "resource \"aws_iam_user\" \"alice\" {\n  name = \"alice\"\n}\n\nresource \"aws_iam_account_password_policy\" \"this\" {\n  minimum_password_length        = 14\n  require_lowercase_characters   = true\n  require_uppercase_characters   = true\n  require_numbers                = true\n  require_symbols                = true\n  password_reuse_prevention      = 24\n  max_password_age               = 90\n  allow_users_to_change_password = true\n}\n",
            )
            .run();
    }

    /// The generated policy passes the other password rules, with their options.
    #[test]
    fn the_generated_policy_meets_the_password_rules() {
        use crate::rules::identities::{
            PasswordComplexity, PasswordMaxAge, PasswordMinLength, PasswordReusePrevention,
        };
        let options = crate::RuleOptions {
            password_min_length: Some(20),
            password_max_age: Some(crate::MaxPasswordAge::Off),
            password_character_classes: Some(vec!["numbers".to_owned()]),
            ..crate::RuleOptions::default()
        };
        let text = "resource \"aws_iam_user\" \"alice\" {}\n";
        let case = case::hcl(text).with_options(options.clone());
        let findings = crate::testing::run_rule(&super::PasswordPolicyMissing, &case);
        let edits: Vec<_> =
            findings.iter().flat_map(|finding| finding.fixes.iter().flat_map(|fix| fix.edits.clone())).collect();
        let fixed = rein_text::apply_edits(text, &edits).unwrap();
        assert!(fixed.contains("minimum_password_length        = 20\n  require_numbers"), "{fixed}");
        assert!(!fixed.contains("max_password_age"), "{fixed}");
        let fixed_case = case::hcl(&fixed).with_options(options);
        for rule in [
            &super::PasswordPolicyMissing as &'static dyn crate::registry::Rule,
            &PasswordMinLength,
            &PasswordComplexity,
            &PasswordReusePrevention,
            &PasswordMaxAge,
        ] {
            let findings = crate::testing::run_rule(rule, &fixed_case);
            assert!(findings.is_empty(), "{}: {:?}\n{fixed}", rule.meta().id, findings);
        }
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
