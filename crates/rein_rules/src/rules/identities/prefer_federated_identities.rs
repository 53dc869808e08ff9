//! IAM406 `prefer-federated-identities`.

use rein_model::{Entity, EntityKind};

use super::names_entity;
use crate::engine::RuleOptions;
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Every IAM user defined in code (`aws_iam_user`, `AWS::IAM::User`), once per user. The
    /// message says whether the user looks like a person (it has a console password, through
    /// `aws_iam_user_login_profile` or `LoginProfile`) or a workload (it has access keys and no
    /// password), because the replacement differs: people should sign in through IAM Identity
    /// Center or SAML/OIDC federation, workloads should assume a role (see IAM407).
    ///
    /// ## Why it matters
    /// IAM users carry long-lived credentials that are managed one account at a time: passwords
    /// and keys leak, are shared and outlive the people who hold them. Federated identities get
    /// short sessions from a central directory, so leaving the company or rotating a secret
    /// happens in one place.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_user" "alice" {
    ///   name = "alice"
    /// }
    ///
    /// resource "aws_iam_user_login_profile" "alice" {
    ///   user                    = aws_iam_user.alice.name
    ///   password_reset_required = true
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   Deployer:
    ///     Type: AWS::IAM::User
    ///     Properties:
    ///       UserName: deployer
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ssoadmin_account_assignment" "alice" {
    ///   instance_arn       = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
    ///   permission_set_arn = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef"
    ///   principal_id       = "906734a1f2-1234abcd-5678-90ab-cdef-1234567890ab"
    ///   principal_type     = "USER"
    ///   target_id          = "123456789012"
    ///   target_type        = "AWS_ACCOUNT"
    /// }
    /// ```
    ///
    /// ## Options
    /// `allowed-iam-users` in `[options]` of `rein.toml` lists users that are meant to stay (SMTP
    /// credentials, a legacy appliance), by IaC address, user name, or a user ARN ending in the
    /// name (`*` and `?` are globs); they are not reported.
    ///
    /// ## References
    /// - AWS IAM User Guide: security best practices, "require human users to use federation with
    ///   an identity provider to access AWS using temporary credentials"
    /// - CIS AWS Foundations Benchmark 1.21
    PreferFederatedIdentities {
        id: "IAM406",
        aliases: ["CKV_AWS_273", "CKV2_AWS_22", "CIS 1.21"],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

/// The user's name for messages: its `name` when known, else its address.
fn display_name(user: &Entity) -> String {
    match user.string("name").and_then(Value::as_known) {
        Some(name) => format!("`{name}`"),
        None => format!("`{}`", user.address),
    }
}

impl Rule for PreferFederatedIdentities {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        let allowed = &ctx.settings().options.allowed_iam_users;
        let users: Vec<&Entity> = unit
            .entities_of(EntityKind::User)
            .filter(|user| {
                !RuleOptions::lists_principal(allowed, &user.address, user.string("name").and_then(Value::as_known))
            })
            .collect();
        for user in users {
            let console = user.attribute("login_profile").is_some()
                || unit.entities_of(EntityKind::LoginProfile).any(|profile| names_entity(profile, "user", user));
            let keys = unit.entities_of(EntityKind::AccessKey).any(|key| names_entity(key, "user", user));
            let who = display_name(user);
            let span = user.attribute("name").map_or(user.span, |attr| attr.value.span);
            let finding = if console {
                ctx.report(
                    span,
                    format!("IAM user {who} signs in to the console; use IAM Identity Center or federation for people"),
                )
                .note(
                    "an Identity Center account assignment or a SAML/OIDC role gives short sessions from one directory",
                )
            } else if keys {
                ctx.report(
                    span,
                    format!("IAM user {who} is a workload with access keys; use a role with temporary credentials"),
                )
                .note("see IAM407: an instance profile, an execution role or OIDC federation for CI replaces the keys")
            } else {
                ctx.report(span, format!("IAM user {who} is defined in code; prefer federated identities and roles"))
                    .note("people should use IAM Identity Center or federation, workloads a role")
            };
            drop(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn allowed_iam_users_are_not_reported() {
        const HCL: &str = "resource \"aws_iam_user\" \"smtp\" {\n  name = \"ses-smtp\"\n}\n";
        let allowed = |entry: &str| {
            case::hcl(HCL)
                .with_options(crate::RuleOptions { allowed_iam_users: vec![entry.to_owned()], ..Default::default() })
        };
        RuleTest::new(&super::PreferFederatedIdentities)
            .fail(case::hcl(HCL))
            .fail(allowed("alice"))
            .pass(allowed("ses-smtp"))
            .pass(allowed("aws_iam_user.smtp"))
            .pass(allowed("arn:aws:iam::111122223333:user/ses-*"))
            .run();
    }

    #[test]
    fn prefer_federated_identities() {
        RuleTest::new(&super::PreferFederatedIdentities)
            .fail_with(
                case::hcl(
                    r#"resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_user_login_profile" "alice" {
  user = aws_iam_user.alice.name
}"#,
                ),
                "signs in to the console",
            )
            .fail_with(
                case::hcl(
                    r#"resource "aws_iam_user" "ci" {
  name = "ci-deployer"
  path = "/system/"
}

resource "aws_iam_access_key" "ci" {
  user    = aws_iam_user.ci.name
  pgp_key = "keybase:secops"
}"#,
                ),
                "workload with access keys",
            )
            .fail_with(
                case::cfn(
                    r#"Resources:
  Bob:
    Type: AWS::IAM::User
    Properties:
      UserName: bob
      LoginProfile:
        Password: "{{resolve:secretsmanager:bob-initial}}"
        PasswordResetRequired: true
"#,
                ),
                "signs in to the console",
            )
            .fail_with(
                case::hcl(
                    r#"resource "aws_iam_user" "svc" {
  name = var.user_name
}"#,
                ),
                "prefer federated identities",
            )
            .pass(case::hcl(
                r#"resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}"#,
            ))
            .run();
    }
}
