//! IAM409 `user-direct-policy`.

use rein_model::{Entity, EntityKind};

use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Permissions granted straight to IAM users instead of through a group (or a role the user
    /// assumes): `aws_iam_user_policy`, `aws_iam_user_policy_attachment`, the `users` of
    /// `aws_iam_policy_attachment`, and in CloudFormation the `Policies` and
    /// `ManagedPolicyArns` of `AWS::IAM::User` and the `Users` of `AWS::IAM::Policy` and
    /// `AWS::IAM::ManagedPolicy`.
    /// A user's `permissions_boundary` limits and grants nothing, so it is not reported; nor are
    /// group policies.
    ///
    /// ## Why it matters
    /// Grants made user by user drift apart and are hard to review; with groups, a reviewer
    /// reads one policy per job function and removing someone is one membership.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_user_policy_attachment" "alice" {
    ///   user       = "alice"
    ///   policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   Alice:
    ///     Type: AWS::IAM::User
    ///     Properties:
    ///       ManagedPolicyArns:
    ///         - arn:aws:iam::aws:policy/ReadOnlyAccess
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_group_policy_attachment" "readers" {
    ///   group      = "readers"
    ///   policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    /// }
    ///
    /// resource "aws_iam_user_group_membership" "alice" {
    ///   user   = "alice"
    ///   groups = ["readers"]
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: security best practices, use groups to assign permissions
    /// - CIS AWS Foundations Benchmark 1.15; AWS Config rule IAM_USER_NO_POLICIES_CHECK
    UserDirectPolicy {
        id: "IAM409",
        aliases: ["CKV_AWS_40", "F10", "F11", "F12", "AVD-AWS-0143", "IAM.2", "IAM_USER_NO_POLICIES_CHECK"],
        category: Hygiene,
        severity: Warning,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

/// Reports every value of the user attributes of an attachment or inline policy.
fn report_users(entity: &Entity, what: &str, ctx: &mut RuleContext<'_>) {
    for attribute in ["user", "users"] {
        for node in entity.items(attribute) {
            let user = match (&node.kind, rein_model::inventory::node_reference(node)) {
                (rein_model::NodeKind::String(Value::Known(name)), _) => format!("`{name}`"),
                (_, Some(reference)) => format!("`{}`", reference.entity),
                _ => "a user".to_owned(),
            };
            ctx.report(node.span, format!("{what} is granted directly to {user}; grant it to a group the user is in"));
        }
    }
}

impl Rule for UserDirectPolicy {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for entity in &unit.entities {
            match entity.kind {
                EntityKind::PolicyAttachment => report_users(entity, "A managed policy", ctx),
                EntityKind::InlinePolicy | EntityKind::ManagedPolicy => report_users(entity, "A policy", ctx),
                EntityKind::User => {
                    for node in entity.items("managed_policy_arns") {
                        ctx.report(
                            node.span,
                            "A managed policy is attached directly to the user; attach it to a group",
                        );
                    }
                    for doc in unit.documents_of(&entity.address) {
                        if doc.kind == PolicyKind::Identity {
                            ctx.report(
                                doc.span,
                                "An inline policy grants permissions directly to the user; grant them to a group",
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn user_direct_policy() {
        RuleTest::new(&super::UserDirectPolicy)
            .fail(case::hcl(
                r#"
resource "aws_iam_user_policy" "p" {
  user   = aws_iam_user.alice.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:ListAllMyBuckets", Resource = "*" }] })
}
"#,
            ))
            .fail(case::hcl(
                r#"
resource "aws_iam_policy_attachment" "p" {
  name       = "p"
  users      = ["alice"]
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"#,
            ))
            .pass(case::hcl(
                r#"
resource "aws_iam_user" "alice" {
  name                 = "alice"
  permissions_boundary = "arn:aws:iam::123456789012:policy/boundary"
}
"#,
            ))
            .run();
    }
}
