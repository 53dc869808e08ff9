//! IAM409 `user-direct-policy`.

use rein_model::inventory::node_reference;
use rein_model::{Entity, EntityKind, Node, NodeKind};

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
    /// ## Fix safety
    /// Unsafe: every member of the group gets the policy. The fix rewrites
    /// `aws_iam_user_policy_attachment` in place into an `aws_iam_group_policy_attachment` of the
    /// user's group when the configuration adds the user to exactly one group; otherwise it
    /// creates a group `<user>-direct` (`aws_iam_group`) and the user's membership
    /// (`aws_iam_user_group_membership`) with it, through the fix of the user's first direct
    /// attachment (a second run moves the others to that group). The resource type changes,
    /// which a `moved` block cannot express: the next apply destroys the direct attachment and
    /// creates the group one, in no fixed order, so the user may lack the policy for a moment.
    /// No fix is offered for inline user policies, for the `users` of
    /// `aws_iam_policy_attachment` (IAM413's fix rewrites those into user attachments first),
    /// for a user whose name is not known when a group must be created, for a block with
    /// meta-arguments or one that another block refers to (such as an `import` block: remove it
    /// after the apply), nor in CloudFormation templates.
    ///
    /// ## References
    /// - AWS IAM User Guide: security best practices, use groups to assign permissions
    /// - CIS AWS Foundations Benchmark 1.15; AWS Config rule IAM_USER_NO_POLICIES_CHECK
    UserDirectPolicy {
        id: "IAM409",
        aliases: ["CKV_AWS_40", "F10", "F11", "F12", "AVD-AWS-0143", "IAM.2", "IAM_USER_NO_POLICIES_CHECK"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl, Cfn],
    }
}

/// Reports every value of the user attributes of an attachment or inline policy, with the fix
/// of a user attachment.
fn report_users(unit: &Unit<'_>, entity: &Entity, what: &str, ctx: &mut RuleContext<'_>) {
    for attribute in ["user", "users"] {
        for node in entity.items(attribute) {
            let user = match (&node.kind, node_reference(node)) {
                (NodeKind::String(Value::Known(name)), _) => format!("`{name}`"),
                (_, Some(reference)) => format!("`{}`", reference.entity),
                _ => "a user".to_owned(),
            };
            let finding = ctx
                .report(node.span, format!("{what} is granted directly to {user}; grant it to a group the user is in"));
            if let Some((title, edit)) = to_group(unit, entity) {
                finding.fix(title, Applicability::Unsafe, vec![edit]);
            }
        }
    }
}

/// Who a `user` value names: its known name, the known name of the user resource it refers to,
/// or else that resource's address.
fn user_key(unit: &Unit<'_>, node: &Node) -> Option<String> {
    if let NodeKind::String(Value::Known(name)) = &node.kind {
        return Some(name.clone());
    }
    let reference = node_reference(node)?;
    let user = unit.entities_of(EntityKind::User).find(|user| user.address == reference.entity);
    match user.and_then(|user| user.string("name")).and_then(Value::as_known) {
        Some(name) => Some(name.to_owned()),
        // `\0` keeps an address apart from every name.
        None => Some(format!("\0{}", reference.entity)),
    }
}

/// The rewrite of `aws_iam_user_policy_attachment` into a group attachment, in its place: to the
/// user's group when the configuration adds the user to exactly one group, else to a new group
/// `<user>-direct` with the user in it. The resource type changes, which a `moved` block cannot
/// express; the direct attachment is destroyed and the group one created at the next apply.
/// `None` for other resources, for attachments of `count`/`for_each` or in module calls, and
/// for a user whose name is not known when a group must be created; a new group is written by
/// the fix of the user's first direct attachment only, so that the fixes do not create it twice.
fn to_group(unit: &Unit<'_>, entity: &Entity) -> Option<(String, PolicyEdit)> {
    if entity.resource_type != "aws_iam_user_policy_attachment" {
        return None;
    }
    let (_, name) = entity.address.split_once('.')?;
    let plain = entity.address == format!("{}.{name}", entity.resource_type) && !name.contains(['.', '[']);
    // The renderer declines a block of `count`, `for_each` or other meta-arguments.
    if !plain || entity.conditional.is_some() {
        return None;
    }
    let user = &entity.attribute("user")?.value;
    let policy = &entity.attribute("policy_arn")?.value;
    let key = user_key(unit, user)?;
    let names_user = |membership: &Entity, attribute: &str| {
        membership.items(attribute).into_iter().any(|node| user_key(unit, node).as_deref() == Some(key.as_str()))
    };
    let mut groups: Vec<&Node> = Vec::new();
    let mut n_memberships = 0;
    let mut unknown_members = false;
    for membership in unit.entities_of(EntityKind::GroupMembership) {
        let (users, groups_of) = match membership.resource_type.as_str() {
            "aws_iam_user_group_membership" => ("user", "groups"),
            "aws_iam_group_membership" => ("users", "group"),
            _ => continue,
        };
        unknown_members |= membership.items(users).into_iter().any(|node| user_key(unit, node).is_none());
        if names_user(membership, users) {
            n_memberships += 1;
            groups.extend(membership.items(groups_of));
        }
    }
    let attachment = |group: AttributeValue| NewEntity {
        near: entity.extent,
        anchor: false,
        data_source: false,
        resource_type: "aws_iam_group_policy_attachment".to_owned(),
        name: name.to_owned(),
        attributes: vec![
            ("group".to_owned(), group),
            ("policy_arn".to_owned(), AttributeValue::Copy { from: policy.span }),
        ],
    };
    if let ([group], 1, false) = (groups.as_slice(), n_memberships, unknown_members) {
        let shown = match (&group.kind, node_reference(group)) {
            (NodeKind::String(Value::Known(name)), _) => format!(" `{name}`"),
            (_, Some(reference)) => format!(" `{}`", reference.entity),
            _ => String::new(),
        };
        let title = format!(
            "Attach the policy to the user's group{shown} instead, which gives it to every member; the direct attachment is destroyed at the next apply"
        );
        let with = vec![attachment(AttributeValue::Copy { from: group.span })];
        return Some((title, PolicyEdit::ReplaceEntity { entity: entity.extent, with, state: Vec::new() }));
    }
    // The name of the new group comes from the user's.
    let user_name = key.strip_prefix('\0').map_or(Some(key.as_str()), |_| None)?;
    let first =
        unit.entities.iter().filter(|other| other.resource_type == entity.resource_type).find(|other| {
            other.attribute("user").and_then(|attr| user_key(unit, &attr.value)).as_deref() == Some(&key)
        });
    if first.map(|first| first.address.as_str()) != Some(entity.address.as_str()) {
        return None;
    }
    let label: String =
        user_name.chars().map(|ch| if ch.is_ascii_alphanumeric() { ch.to_ascii_lowercase() } else { '_' }).collect();
    let label = format!("{}_direct", label.trim_matches('_'));
    let group_name = format!("{user_name}-direct");
    let group_ref =
        AttributeValue::Reference { entity: format!("aws_iam_group.{label}"), attribute: "name".to_owned() };
    let group = NewEntity {
        near: entity.extent,
        anchor: false,
        data_source: false,
        resource_type: "aws_iam_group".to_owned(),
        name: label.clone(),
        attributes: vec![("name".to_owned(), AttributeValue::string(group_name.clone()))],
    };
    let membership = NewEntity {
        near: entity.extent,
        anchor: false,
        data_source: false,
        resource_type: "aws_iam_user_group_membership".to_owned(),
        name: label,
        attributes: vec![
            ("user".to_owned(), AttributeValue::Copy { from: user.span }),
            ("groups".to_owned(), AttributeValue::List(vec![group_ref.clone()])),
        ],
    };
    let title = format!(
        "Create group `{group_name}` with the user in it and attach the policy to the group instead; the direct attachment is destroyed at the next apply"
    );
    let with = vec![group, membership, attachment(group_ref)];
    Some((title, PolicyEdit::ReplaceEntity { entity: entity.extent, with, state: Vec::new() }))
}

impl Rule for UserDirectPolicy {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for entity in &unit.entities {
            match entity.kind {
                EntityKind::PolicyAttachment => report_users(unit, entity, "A managed policy", ctx),
                EntityKind::InlinePolicy | EntityKind::ManagedPolicy => report_users(unit, entity, "A policy", ctx),
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
            // The user's one group takes the policy.
            .fix(
                case::hcl(
                    r#"resource "aws_iam_user_policy_attachment" "alice_ro" {
  user       = aws_iam_user.alice.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_user_group_membership" "alice" {
  user   = "alice"
  groups = [aws_iam_group.readers.name]
}
"#,
                ),
                r#"resource "aws_iam_group_policy_attachment" "alice_ro" {
  group      = aws_iam_group.readers.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_user_group_membership" "alice" {
  user   = "alice"
  groups = [aws_iam_group.readers.name]
}
"#,
            )
            // A user in no group (or in several) gets a group of their own, written by the fix of
            // their first direct attachment.
            .fix(
                case::hcl(
                    r#"# Alice reads everything.
resource "aws_iam_user_policy_attachment" "alice_ro" {
  user       = "alice"
  policy_arn = aws_iam_policy.ro.arn
}

resource "aws_iam_user_policy_attachment" "alice_logs" {
  user       = aws_iam_user.alice.name
  policy_arn = aws_iam_policy.logs.arn
}

resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_group_membership" "ops" {
  name  = "ops"
  group = "ops"
  users = ["alice"]
}

resource "aws_iam_group_membership" "devs" {
  name  = "devs"
  group = "devs"
  users = ["alice"]
}
"#,
                ),
                r#"# Alice reads everything.
resource "aws_iam_group" "alice_direct" {
  name = "alice-direct"
}

resource "aws_iam_user_group_membership" "alice_direct" {
  user   = "alice"
  groups = [aws_iam_group.alice_direct.name]
}

resource "aws_iam_group_policy_attachment" "alice_ro" {
  group      = aws_iam_group.alice_direct.name
  policy_arn = aws_iam_policy.ro.arn
}

resource "aws_iam_user_policy_attachment" "alice_logs" {
  user       = aws_iam_user.alice.name
  policy_arn = aws_iam_policy.logs.arn
}

resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_group_membership" "ops" {
  name  = "ops"
  group = "ops"
  users = ["alice"]
}

resource "aws_iam_group_membership" "devs" {
  name  = "devs"
  group = "devs"
  users = ["alice"]
}
"#,
            )
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
