//! IAM413 `policy-attachment-hygiene`.

use rein_model::{Entity, EntityKind, Node, NodeKind, StateBlock};

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
    /// ## Fix safety
    /// Unsafe. The fix rewrites `aws_iam_policy_attachment` in place into one
    /// `aws_iam_role_policy_attachment`, `aws_iam_user_policy_attachment` or
    /// `aws_iam_group_policy_attachment` per principal it lists. A `moved` block cannot change a
    /// resource's type, so the fix writes a `removed` block with `destroy = false` for the old
    /// attachment (the policy stays attached) and an `import` block (`<name>/<policy-arn>`) for
    /// each new one whose principal name and policy ARN are literals; a name or ARN that is
    /// another resource's attribute is known only after apply, which an `import` id cannot be,
    /// so that attachment is created instead (attaching an attached policy succeeds), as the fix
    /// title says. `removed` blocks need Terraform 1.7 or later, and `import` blocks belong in
    /// the root module. Principals that were attached outside Terraform keep the policy, which
    /// the exclusive attachment would have detached. No fix is offered for a list that is not
    /// written item by item (`roles = var.roles`), for a block with `count`, `for_each`,
    /// `lifecycle` or other meta-arguments, nor for one that another block refers to.
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
        fix: Sometimes,
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
                let finding = ctx
                    .report(
                        entity.span,
                        "`aws_iam_policy_attachment` is exclusive: it detaches the policy from every principal it does not list",
                    )
                    .severity(Severity::Warning)
                    .note("use `aws_iam_role_policy_attachment`, `aws_iam_user_policy_attachment` or `aws_iam_group_policy_attachment`");
                if let Some((title, edit)) = per_principal(entity) {
                    finding.fix(title, Applicability::Unsafe, vec![edit]);
                }
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

/// The principal lists of `aws_iam_policy_attachment`, with the attachment resource and the
/// argument that attaches a policy to one principal of each.
const PRINCIPALS: [(&str, &str, &str); 3] = [
    ("roles", "aws_iam_role_policy_attachment", "role"),
    ("users", "aws_iam_user_policy_attachment", "user"),
    ("groups", "aws_iam_group_policy_attachment", "group"),
];

/// The rewrite of an exclusive attachment into one attachment per principal it lists, in its
/// place. A `moved` block cannot change a resource's type, so the old attachment leaves the
/// state through a `removed` block that keeps it in the account (no detach), and each new one
/// is imported when its id (`name/policy_arn`) is known while planning; one that is not
/// attaches the policy again, which AWS accepts for an attached policy.
/// `None` for an attachment that may not exist, of a module call, or whose principals are not
/// a list the new blocks can copy item by item (`roles = var.roles`).
fn per_principal(entity: &Entity) -> Option<(String, PolicyEdit)> {
    let (_, name) = entity.address.split_once('.')?;
    let plain = entity.address == format!("{}.{name}", entity.resource_type) && !name.contains(['.', '[']);
    // The renderer declines a block of `count`, `for_each` or other meta-arguments.
    if !plain || entity.conditional.is_some() {
        return None;
    }
    let policy = &entity.attribute("policy_arn")?.value;
    let mut targets: Vec<(&str, &str, &Node)> = Vec::new();
    for (list, resource_type, argument) in PRINCIPALS {
        let Some(attr) = entity.attribute(list) else { continue };
        // `roles = var.roles` names principals the fix cannot write one by one.
        let NodeKind::Array(items) = &attr.value.kind else { return None };
        targets.extend(items.iter().map(|item| (resource_type, argument, item)));
    }
    if targets.is_empty() {
        return None;
    }
    let mut with: Vec<NewEntity> = Vec::new();
    let mut state = vec![StateBlock::Removed { from: entity.address.clone() }];
    let mut all_imported = true;
    for (resource_type, argument, item) in &targets {
        let new_name = if targets.len() == 1 {
            name.to_owned()
        } else {
            let base = format!("{name}_{}", label(item).unwrap_or_else(|| argument.to_string()));
            let mut candidate = base.clone();
            let mut n = 2;
            while with.iter().any(|other| other.resource_type == *resource_type && other.name == candidate) {
                candidate = format!("{base}_{n}");
                n += 1;
            }
            candidate
        };
        match (known(item), known(policy)) {
            (Some(principal), Some(arn)) => state.push(StateBlock::Import {
                to: format!("{resource_type}.{new_name}"),
                id: format!("{principal}/{arn}"),
            }),
            _ => all_imported = false,
        }
        with.push(NewEntity {
            near: entity.extent,
            anchor: false,
            data_source: false,
            resource_type: (*resource_type).to_owned(),
            name: new_name,
            attributes: vec![
                ((*argument).to_owned(), AttributeValue::Copy { from: item.span }),
                ("policy_arn".to_owned(), AttributeValue::Copy { from: policy.span }),
            ],
        });
    }
    let title = if all_imported {
        "Rewrite into per-principal attachments, with a `removed` block that keeps the old attachment and `import` blocks that take it over (Terraform 1.7+)"
    } else {
        "Rewrite into per-principal attachments, with a `removed` block that keeps the old attachment; no `import` block where a name or the policy ARN is known only after apply, so those attach the policy again (Terraform 1.7+)"
    };
    Some((title.to_owned(), PolicyEdit::ReplaceEntity { entity: entity.extent, with, state }))
}

/// A known string value.
fn known(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::String(Value::Known(text)) if !text.is_empty() => Some(text.as_str()),
        _ => None,
    }
}

/// A resource-name part for a principal: its known name, or the name of the resource it refers to.
fn label(node: &Node) -> Option<String> {
    let text = match known(node) {
        Some(text) => text.to_owned(),
        None => rein_model::inventory::node_reference(node)?.entity.rsplit('.').next()?.to_owned(),
    };
    let label: String =
        text.chars().map(|ch| if ch.is_ascii_alphanumeric() { ch.to_ascii_lowercase() } else { '_' }).collect();
    let label = label.trim_matches('_').to_owned();
    (!label.is_empty()).then_some(label)
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
            // One principal keeps the name; known names and ARN are imported.
            .fix(
                case::hcl(
                    r#"resource "aws_iam_policy_attachment" "ro" {
  name       = "ro"
  roles      = ["app"]
  policy_arn = "arn:aws:iam::123456789012:policy/read-only"
}
"#,
                ),
                r#"resource "aws_iam_role_policy_attachment" "ro" {
  role       = "app"
  policy_arn = "arn:aws:iam::123456789012:policy/read-only"
}

removed {
  from = aws_iam_policy_attachment.ro
  lifecycle {
    destroy = false
  }
}

import {
  to = aws_iam_role_policy_attachment.ro
  id = "app/arn:aws:iam::123456789012:policy/read-only"
}
"#,
            )
            // Several principals get one attachment each; a reference cannot be imported.
            .fix(
                case::hcl(
                    r#"resource "aws_iam_policy_attachment" "ro" {
  name       = "ro"
  roles      = [aws_iam_role.app.name]
  users      = ["alice", "bob"]
  groups     = ["ops"]
  policy_arn = aws_iam_policy.ro.arn
}
"#,
                ),
                r#"resource "aws_iam_role_policy_attachment" "ro_app" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.ro.arn
}

resource "aws_iam_user_policy_attachment" "ro_alice" {
  user       = "alice"
  policy_arn = aws_iam_policy.ro.arn
}

resource "aws_iam_user_policy_attachment" "ro_bob" {
  user       = "bob"
  policy_arn = aws_iam_policy.ro.arn
}

resource "aws_iam_group_policy_attachment" "ro_ops" {
  group      = "ops"
  policy_arn = aws_iam_policy.ro.arn
}

removed {
  from = aws_iam_policy_attachment.ro
  lifecycle {
    destroy = false
  }
}
"#,
            )
            // A list from a variable, or an attachment of `count`, is not rewritten.
            .fail(case::hcl(
                r#"resource "aws_iam_policy_attachment" "ro" {
  name       = "ro"
  roles      = var.roles
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"#,
            ))
            .pass(case::hcl(
                r#"resource "aws_iam_user_policy_attachment" "a" {
  user       = "alice"
  policy_arn = "arn:aws:iam::123456789012:policy/p"
}"#,
            ))
            .run();
    }
}
