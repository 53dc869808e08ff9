//! IAM410 `group-membership-hygiene`.

use rein_model::{Entity, EntityKind};

use super::{names_entity, reaching};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// In a configuration that holds every group membership of the account: users in no group,
    /// groups with no members, and groups with no policies.
    /// Memberships are read from `aws_iam_user_group_membership`, `aws_iam_group_membership`,
    /// `AWS::IAM::UserToGroupAddition` and the `Groups` of `AWS::IAM::User`.
    ///
    /// The rule runs only when the option `membership_complete` is set: memberships are often
    /// managed in another stack, and then a user without a group here is not one in the account.
    ///
    /// ## Why it matters
    /// Permissions given by job function through groups are reviewed once per function; a user
    /// outside every group either holds permissions of its own (IAM409) or none and is unused.
    /// Groups without members or without policies do nothing, and are candidates for deletion:
    /// an unused entity is one more thing to review, and a trap for whoever adds someone to it.
    ///
    /// ## Example
    /// ```hcl membership_complete
    /// resource "aws_iam_user" "bob" {
    ///   name = "bob"
    /// }
    /// ```
    ///
    /// ```cfn-yaml membership_complete
    /// Resources:
    ///   Readers:
    ///     Type: AWS::IAM::Group
    ///     Properties:
    ///       ManagedPolicyArns:
    ///         - arn:aws:iam::aws:policy/ReadOnlyAccess
    /// ```
    ///
    /// ## Use instead
    /// ```hcl membership_complete
    /// resource "aws_iam_user" "bob" {
    ///   name = "bob"
    /// }
    ///
    /// resource "aws_iam_group" "readonly" {
    ///   name = "readonly"
    /// }
    ///
    /// resource "aws_iam_group_policy_attachment" "readonly" {
    ///   group      = aws_iam_group.readonly.name
    ///   policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    /// }
    ///
    /// resource "aws_iam_user_group_membership" "bob" {
    ///   user   = aws_iam_user.bob.name
    ///   groups = [aws_iam_group.readonly.name]
    /// }
    /// ```
    ///
    /// ## Options
    /// - `membership_complete` (default `false`): the analysed code holds every group
    ///   membership of the account. Without it the rule reports nothing.
    ///
    /// ## References
    /// - AWS IAM User Guide: security best practices, use groups to assign permissions; remove
    ///   unused users, roles, permissions, policies and credentials
    /// - AWS Config rule IAM_USER_GROUP_MEMBERSHIP_CHECK
    GroupMembershipHygiene {
        id: "IAM410",
        aliases: ["CKV2_AWS_21", "CKV2_AWS_14", "F2000", "IAM_USER_GROUP_MEMBERSHIP_CHECK"],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

/// How an entity is named in messages: its `name` when known, else its address.
fn name_of(entity: &Entity) -> &str {
    entity.string("name").and_then(Value::as_known).unwrap_or(&entity.address)
}

/// Whether a membership resource adds `user` to `group`, or names it in a way that cannot be
/// known statically (then the membership may be anyone's).
fn membership_names(membership: &Entity, attributes: [&str; 2], target: &Entity) -> bool {
    attributes.iter().any(|attribute| names_entity(membership, attribute, target))
}

/// Whether a membership names principals through values that are not known (a variable, a
/// `for_each` over a list): it may then stand for any user or group.
fn has_unknown_members(membership: &Entity) -> bool {
    ["user", "users", "group", "groups"].iter().any(|attribute| {
        membership.items(attribute).into_iter().any(|node| {
            rein_model::inventory::node_reference(node).is_none()
                && !matches!(&node.kind, rein_model::NodeKind::String(Value::Known(_)))
        })
    })
}

impl Rule for GroupMembershipHygiene {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        if !ctx.settings().options.membership_complete {
            return;
        }
        let memberships: Vec<&Entity> = unit.entities_of(EntityKind::GroupMembership).collect();
        // A membership of unknown principals may be the one that is looked for.
        if memberships.iter().any(|membership| has_unknown_members(membership)) {
            return;
        }
        let users: Vec<&Entity> = unit.entities_of(EntityKind::User).collect();
        for user in &users {
            let in_group = !user.items("groups").is_empty()
                || memberships.iter().any(|membership| membership_names(membership, ["user", "users"], user));
            if !in_group {
                ctx.report(user.span, format!("User `{}` is in no group", name_of(user))).note(
                    "give users their permissions through groups by job function, or delete the user if it is unused",
                );
            }
        }
        for group in unit.entities_of(EntityKind::Group) {
            let has_members =
                memberships.iter().any(|membership| membership_names(membership, ["group", "groups"], group))
                    || users.iter().any(|user| names_entity(user, "groups", group));
            let reach = reaching(unit, group);
            let has_policies =
                !reach.documents.is_empty() || !reach.managed_arns.is_empty() || !reach.unresolved.is_empty();
            let problem = match (has_members, has_policies) {
                (true, true) => continue,
                (false, false) => "has no members and no policies",
                (false, true) => "has no members",
                (true, false) => "has no policies, so its members get nothing from it",
            };
            ctx.report(group.span, format!("Group `{}` {problem}", name_of(group)))
                .note("an unused group is a candidate for deletion");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::RuleOptions;
    use crate::testing::{RuleTest, case};

    fn closed() -> RuleOptions {
        RuleOptions { membership_complete: true, ..RuleOptions::default() }
    }

    #[test]
    fn group_membership_hygiene() {
        let lonely = r#"resource "aws_iam_user" "bob" { name = "bob" }"#;
        RuleTest::new(&super::GroupMembershipHygiene)
            .fail_with(case::hcl(lonely).with_options(closed()), "User `bob` is in no group")
            .fail_with(
                case::hcl(
                    r#"
resource "aws_iam_user" "bob" { name = "bob" }
resource "aws_iam_group" "ops" { name = "ops" }
resource "aws_iam_group_membership" "ops" {
  name  = "ops"
  group = aws_iam_group.ops.name
  users = [aws_iam_user.bob.name]
}
"#,
                )
                .with_options(closed()),
                "Group `ops` has no policies",
            )
            .fail_with(
                case::cfn(
                    r#"
Resources:
  Ops:
    Type: AWS::IAM::Group
"#,
                )
                .with_options(closed()),
                "Group `Ops` has no members and no policies",
            )
            // Open configurations, the default, are not judged.
            .pass(case::hcl(lonely))
            .pass(
                case::cfn(
                    r#"
Resources:
  Ops:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: ops
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: ec2:DescribeInstances
                Resource: "*"
  Bob:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Ops]
"#,
                )
                .with_options(closed()),
            )
            // Memberships of users from a variable may cover anyone.
            .pass(
                case::hcl(
                    r#"
resource "aws_iam_user" "bob" { name = "bob" }
resource "aws_iam_group" "ops" { name = "ops" }
resource "aws_iam_group_policy_attachment" "ops" {
  group      = aws_iam_group.ops.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
resource "aws_iam_group_membership" "ops" {
  name  = "ops"
  group = aws_iam_group.ops.name
  users = var.ops_users
}
"#,
                )
                .with_options(closed()),
            )
            .run();
    }
}
