//! IAM412 `login-profile-hygiene`.

use rein_model::{Entity, EntityKind, Node, NodeKind};

use crate::engine::{Unit, UnitSource};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Console passwords created in code that the user is not made to change:
    /// `aws_iam_user_login_profile` must set `password_reset_required = true`, and should set
    /// `pgp_key` (without one, the generated password is kept in the Terraform state in plain
    /// text). In CloudFormation, `LoginProfile.PasswordResetRequired` of `AWS::IAM::User` must be
    /// `true`. A value that cannot be known statically is not reported.
    ///
    /// ## Why it matters
    /// The first password is known to whoever ran the deployment and sits in its state or
    /// template; until the user changes it, anyone with that access can sign in as them.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_user_login_profile" "alice" {
    ///   user                    = "alice"
    ///   password_reset_required = false
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   Alice:
    ///     Type: AWS::IAM::User
    ///     Properties:
    ///       LoginProfile:
    ///         Password: "{{resolve:secretsmanager:alice-initial}}"
    ///         PasswordResetRequired: false
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_user_login_profile" "alice" {
    ///   user                    = "alice"
    ///   password_reset_required = true
    ///   pgp_key                 = "keybase:secops"
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the user must choose a new password at the next sign-in.
    ///
    /// ## References
    /// - AWS IAM User Guide: managing passwords for IAM users
    /// - Terraform AWS provider: `aws_iam_user_login_profile`
    LoginProfileHygiene {
        id: "IAM412",
        aliases: ["W50", "F51"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl, Cfn],
    }
}

/// The member of an object node under any of `names`.
fn member<'n>(node: &'n Node, names: &[&str]) -> Option<&'n Node> {
    let NodeKind::Object(object) = &node.kind else { return None };
    object.members.iter().find(|m| names.iter().any(|n| m.key.name == *n)).map(|m| &m.value)
}

/// Reports a reset flag that is missing (at `missing_at`) or false (with a fix).
fn check_reset(flag: Option<&Node>, missing_at: rein_text::Span, ctx: &mut RuleContext<'_>) {
    match flag {
        None => {
            ctx.report(
                missing_at,
                "The login profile does not require a password change at first sign-in (`password_reset_required`)",
            );
        }
        Some(node) if rein_model::inventory::node_bool(node) == Some(false) => {
            ctx.report(node.span, "The login profile does not require a password change at first sign-in").fix(
                "Require a password change at first sign-in",
                Applicability::Unsafe,
                vec![PolicyEdit::ReplaceLiteral { target: node.span, literal: "true".to_owned() }],
            );
        }
        Some(_) => {}
    }
}

fn check_profile(profile: &Entity, source: UnitSource, ctx: &mut RuleContext<'_>) {
    let flag = profile.attribute("password_reset_required").map(|attr| &attr.value);
    check_reset(flag, profile.span, ctx);
    // Only Terraform keeps the generated password, in its state.
    if source != UnitSource::CloudFormation && profile.attribute("pgp_key").is_none() {
        ctx.report(
            profile.span,
            "Without `pgp_key` the generated password is stored in the Terraform state in plain text",
        );
    }
}

impl Rule for LoginProfileHygiene {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for profile in unit.entities_of(EntityKind::LoginProfile) {
            check_profile(profile, unit.source, ctx);
        }
        for user in unit.entities_of(EntityKind::User) {
            if let Some(attr) = user.attribute("login_profile") {
                let flag = member(&attr.value, &["password_reset_required", "PasswordResetRequired"]);
                check_reset(flag, attr.key_span, ctx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn login_profile_hygiene() {
        RuleTest::new(&super::LoginProfileHygiene)
            .fail_with(case::hcl(r#"resource "aws_iam_user_login_profile" "a" {
  user                    = "alice"
  password_reset_required = true
}"#), "pgp_key")
            .pass(case::hcl(r#"resource "aws_iam_user_login_profile" "a" {
  user                    = "alice"
  password_reset_required = var.reset
  pgp_key                 = "keybase:secops"
}"#))
            .fix(
                case::hcl("resource \"aws_iam_user_login_profile\" \"a\" {\n  user = \"alice\"\n  pgp_key = \"keybase:x\"\n  password_reset_required = false\n}\n"),
                "resource \"aws_iam_user_login_profile\" \"a\" {\n  user = \"alice\"\n  pgp_key = \"keybase:x\"\n  password_reset_required = true\n}\n",
            )
            .run();
    }
}
