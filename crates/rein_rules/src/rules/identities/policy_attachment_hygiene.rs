//! IAM413 `policy-attachment-hygiene`.

use rein_model::EntityKind;

use crate::engine::{Unit, UnitSource};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Ways of attaching policies that surprise their authors:
    /// `aws_iam_policy_attachment` (a warning), which is exclusive across the whole account and
    /// detaches the policy from every principal it does not list, and the deprecated
    /// `inline_policy` blocks and `managed_policy_arns` argument of `aws_iam_role` (info), which
    /// fight with the separate policy and attachment resources.
    /// The per-principal attachment resources (`aws_iam_role_policy_attachment`, …) are what to use.
    ///
    /// ## Why it matters
    /// An exclusive attachment silently removes access granted elsewhere, by another module or
    /// by hand, at the next apply.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_policy_attachment" "ro" {
    ///   name       = "ro"
    ///   roles      = ["app"]
    ///   policy_arn = "arn:aws:iam::123456789012:policy/read-only"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_role_policy_attachment" "ro" {
    ///   role       = "app"
    ///   policy_arn = "arn:aws:iam::123456789012:policy/read-only"
    /// }
    /// ```
    ///
    /// ## References
    /// - Terraform AWS provider: `aws_iam_policy_attachment` (exclusive attachment warning)
    /// - Terraform AWS provider: `aws_iam_role` (`inline_policy` and `managed_policy_arns` deprecation)
    PolicyAttachmentHygiene {
        id: "IAM413",
        aliases: [
            "aws_iam_policy_attachment_exclusive_attachment", "aws_iam_policy_attachment_has_alternatives",
            "aws_iam_role_deprecated_policy_attributes"
        ],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl],
    }
}

impl Rule for PolicyAttachmentHygiene {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for entity in &unit.entities {
            // The exclusive attachment is the one that lists its principals
            // (`aws_iam_policy_attachment`); CloudFormation has no such resource.
            let exclusive = entity.kind == EntityKind::PolicyAttachment
                && ["roles", "users", "groups"].iter().any(|list| entity.attribute(list).is_some());
            if exclusive && unit.source != UnitSource::CloudFormation {
                ctx.report(
                    entity.span,
                    "`aws_iam_policy_attachment` is exclusive: it detaches the policy from every principal it does not list",
                )
                .severity(Severity::Warning)
                .note("use `aws_iam_role_policy_attachment`, `aws_iam_user_policy_attachment` or `aws_iam_group_policy_attachment`");
            }
            // A plan lists the computed arguments of every role, written or not.
            if entity.kind == EntityKind::Role
                && unit.source == UnitSource::Terraform
                && let Some(attr) = entity.attribute("managed_policy_arns")
            {
                let message =
                    "`managed_policy_arns` of `aws_iam_role` is deprecated and conflicts with attachment resources";
                ctx.report(attr.key_span, message);
            }
        }
        for doc in &unit.documents {
            let inline = doc.origin.attribute.as_deref().is_some_and(|a| a.starts_with("inline_policy"));
            let in_role =
                doc.origin.owner.as_deref().is_some_and(|owner| {
                    unit.entities.iter().any(|e| e.address == owner && e.kind == EntityKind::Role)
                });
            if inline && in_role && unit.source == UnitSource::Terraform {
                ctx.report(
                    doc.span,
                    "The `inline_policy` block of `aws_iam_role` is deprecated; use `aws_iam_role_policy`",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn policy_attachment_hygiene() {
        RuleTest::new(&super::PolicyAttachmentHygiene)
            .fail_with(
                case::hcl(
                    r#"resource "aws_iam_role" "r" {
  name                = "r"
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}"#,
                ),
                "deprecated",
            )
            .pass(case::hcl(
                r#"resource "aws_iam_user_policy_attachment" "a" {
  user       = "alice"
  policy_arn = "arn:aws:iam::123456789012:policy/p"
}"#,
            ))
            .run();
    }
}
