//! IAM407 `long-term-access-key`.

use rein_model::EntityKind;

use super::{named_entity, names_entity};
use crate::engine::{Unit, UnitSource};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Long-term access keys declared in code (`aws_iam_access_key`, `AWS::IAM::AccessKey`).
    /// Keys with `status = "Inactive"` are info; a key of a user literally named `root` is an
    /// error. The message also says when the user has two active keys, when the user also has
    /// a console password, and when the key is created without `pgp_key` (its secret is then
    /// kept in Terraform state in plain text).
    ///
    /// ## Why it matters
    /// An access key never expires and works from anywhere until someone rotates it; leaked
    /// keys are the most common way into AWS accounts. Workloads should use roles: an instance
    /// profile, an execution role, EKS Pod Identity, OIDC federation for CI, or IAM Roles
    /// Anywhere for machines outside AWS.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_user" "ci" {
    ///   name = "ci"
    /// }
    ///
    /// resource "aws_iam_access_key" "ci" {
    ///   user = aws_iam_user.ci.name
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   CiKey:
    ///     Type: AWS::IAM::AccessKey
    ///     Properties:
    ///       UserName: ci
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_role" "ci" {
    ///   name = "ci"
    ///   assume_role_policy = jsonencode({
    ///     Version = "2012-10-17"
    ///     Statement = [{
    ///       Effect    = "Allow"
    ///       Action    = "sts:AssumeRoleWithWebIdentity"
    ///       Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
    ///       Condition = { StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main" } }
    ///     }]
    ///   })
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: security best practices, require workloads to use temporary credentials
    /// - CIS AWS Foundations Benchmark 1.11, 1.13, 1.14
    LongTermAccessKey {
        id: "IAM407",
        aliases: ["CKV_AWS_348", "AVD-AWS-0141", "AVD-AWS-0167", "AVD-AWS-0146", "aws_iam_access_key_forbidden", "IAM.3", "IAM.4"],
        category: Hygiene,
        severity: Warning,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

impl Rule for LongTermAccessKey {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        let keys: Vec<_> = unit.entities_of(EntityKind::AccessKey).collect();
        for key in &keys {
            let inactive =
                key.string("status").and_then(Value::as_known).is_some_and(|s| s.eq_ignore_ascii_case("Inactive"));
            let user = named_entity(unit, key, "user", EntityKind::User);
            let user_name = user
                .and_then(|user| user.string("name").and_then(Value::as_known))
                .or_else(|| key.string("user").and_then(Value::as_known));
            let who = user_name.map_or_else(|| "a user".to_owned(), |name| format!("user `{name}`"));
            let mut notes = Vec::new();
            if let Some(user) = user {
                let active = keys
                    .iter()
                    .filter(|other| names_entity(other, "user", user))
                    .filter(|other| {
                        !other
                            .string("status")
                            .and_then(Value::as_known)
                            .is_some_and(|s| s.eq_ignore_ascii_case("Inactive"))
                    })
                    .count();
                if active > 1 && !inactive {
                    notes.push(format!("{who} has {active} active keys (CIS 1.13 allows one)"));
                }
                let console =
                    unit.entities_of(EntityKind::LoginProfile).any(|profile| names_entity(profile, "user", user))
                        || user.attribute("login_profile").is_some();
                if console {
                    notes.push(format!("{who} also has a console password; humans should not hold keys (CIS 1.11)"));
                }
            }
            if unit.source != UnitSource::CloudFormation && key.attribute("pgp_key").is_none() {
                notes.push("without `pgp_key` the secret is stored in the Terraform state in plain text".to_owned());
            }
            let (severity, message) = if user_name == Some("root") {
                (Some(Severity::Error), format!("Long-term access key for {who}: keys of the root user must not exist"))
            } else if inactive {
                (
                    Some(Severity::Info),
                    format!("Inactive long-term access key for {who}; delete it if it is no longer needed"),
                )
            } else {
                (
                    None,
                    format!("Long-term access key for {who}; workloads should use a role with temporary credentials"),
                )
            };
            let mut finding = ctx.report(key.span, message);
            if let Some(severity) = severity {
                finding = finding.severity(severity);
            }
            for note in notes {
                finding = finding.note(note);
            }
            finding = finding.note(
                "use an instance profile, an execution role, EKS Pod Identity, OIDC federation for CI, or IAM Roles Anywhere",
            );
            drop(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn long_term_access_key() {
        RuleTest::new(&super::LongTermAccessKey)
            .fail_with(
                case::hcl(
                    r#"
resource "aws_iam_user" "ops" {
  name = "ops"
}
resource "aws_iam_user_login_profile" "ops" {
  user = aws_iam_user.ops.name
}
resource "aws_iam_access_key" "a" {
  user    = aws_iam_user.ops.name
  pgp_key = "keybase:ops"
}
"#,
                ),
                "user `ops`",
            )
            .fail_with(case::hcl(r#"resource "aws_iam_access_key" "r" { user = "root" }"#), "root user")
            .fail_with(
                case::hcl(
                    r#"resource "aws_iam_access_key" "old" {
  user   = "legacy"
  status = "Inactive"
}"#,
                ),
                "Inactive",
            )
            .pass(case::hcl(r#"resource "aws_iam_user" "ops" { name = "ops" }"#))
            .run();
    }
}
