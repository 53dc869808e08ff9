//! IAM417 `compute-without-role`.

use rein_model::{Entity, EntityKind, NodeKind};

use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// EC2 instances and launch templates without an instance profile (`iam_instance_profile`,
    /// CloudFormation `IamInstanceProfile`), and ECS task definitions without a task role
    /// (`task_role_arn`, `TaskRoleArn`). Such a workload that calls AWS has to carry its own
    /// credentials; when its `user_data` or environment sets `AWS_ACCESS_KEY_ID` /
    /// `AWS_SECRET_ACCESS_KEY` or writes `.aws/credentials`, the finding is a warning.
    /// Lambda functions always have a role and are not reported.
    ///
    /// ## Why it matters
    /// A role hands the workload short-lived credentials that rotate by themselves; keys baked
    /// into user data or images end up in logs, snapshots and source control.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_instance" "worker" {
    ///   ami       = "ami-0abcdef1234567890"
    ///   user_data = "export AWS_ACCESS_KEY_ID=$${KEY}"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_instance" "worker" {
    ///   ami                  = "ami-0abcdef1234567890"
    ///   iam_instance_profile = "worker"
    /// }
    /// ```
    ///
    /// ## References
    /// - Amazon EC2 User Guide: IAM roles for Amazon EC2
    /// - Amazon ECS Developer Guide: task IAM role
    ComputeWithoutRole {
        id: "IAM417",
        aliases: ["CKV2_AWS_41"],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl],
    }
}

/// The canonical attributes that give compute its role (`rein_model::EntityKind::Compute`). A
/// function always has one (a SAM function without `Role` refers to the role SAM generates).
const ROLE_ATTRIBUTES: [&str; 3] = ["role", "iam_instance_profile", "task_role_arn"];

/// Whether any known string of the entity shows credentials being carried in.
fn carries_keys(entity: &Entity) -> bool {
    const SIGNS: [&str; 3] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", ".aws/credentials"];
    let mut stack: Vec<&rein_model::Node> = entity.attributes.iter().map(|attr| &attr.value).collect();
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::String(value) => {
                let text = value.to_string();
                if SIGNS.iter().any(|sign| text.contains(sign)) {
                    return true;
                }
            }
            NodeKind::Array(items) => stack.extend(items),
            NodeKind::Object(object) => stack.extend(object.members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    false
}

impl Rule for ComputeWithoutRole {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for compute in unit.entities_of(EntityKind::Compute) {
            if ROLE_ATTRIBUTES.iter().any(|name| compute.attribute(name).is_some()) {
                continue;
            }
            let message =
                format!("`{}` runs without a role: it sets no instance profile or task role", compute.address);
            if carries_keys(compute) {
                ctx.report(compute.span, format!("{message}, and its configuration carries access keys"))
                    .severity(Severity::Warning)
                    .note("attach a role instead of passing keys; literal keys are also reported by IAM408");
            } else {
                ctx.report(compute.span, message)
                    .note("a workload that calls AWS gets temporary credentials from its role");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn compute_without_role() {
        RuleTest::new(&super::ComputeWithoutRole)
            .fail(case::hcl(
                r#"resource "aws_ecs_task_definition" "t" {
  family                = "t"
  container_definitions = "[]"
}"#,
            ))
            .fail_with(
                case::hcl(
                    "resource \"aws_instance\" \"w\" {\n  ami       = \"ami-1\"\n  user_data = \"export AWS_ACCESS_KEY_ID=$${KEY}\"\n}\n",
                ),
                "carries access keys",
            )
            .pass(case::hcl(
                r#"resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "arn:aws:iam::123456789012:role/f"
}"#,
            ))
            .run();
    }
}
