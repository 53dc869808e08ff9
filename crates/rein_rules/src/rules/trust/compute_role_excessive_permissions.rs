//! IAM309 `compute-role-excessive-permissions`.

use rein_model::{Entity, EntityKind, NodeKind};
use rein_text::Span;

use super::trust_data::{ComputeService, compute_service};
use crate::engine::Unit;
use crate::rules::escalation::{PrivilegeEscalationCombination, PrivilegeEscalationSinglePermission};
use crate::rules::identities::{named_entity, reaching};
use crate::rules::least_privilege::{FullAdminGrant, WildcardAction, managed_policy_class};
use crate::rules::prelude::*;
use crate::semantics::{PrincipalShape, grants_assume_role, principal_items};

declare_rule! {
    /// ## What it checks
    /// Roles that a compute service may assume (EC2, Lambda, ECS tasks, EKS pods, Batch,
    /// CodeBuild, Glue, SageMaker, Step Functions, App Runner, …; the list is
    /// `crates/rein_rules/data/compute_services.txt`) whose permissions trigger IAM101 (full
    /// administrator), IAM102 (a privileged AWS managed policy), an error-level IAM103, IAM203 or
    /// IAM204 (privilege escalation). The role's inline policies, the managed policies attached
    /// to it and the AWS managed policy digests count.
    /// It is an error when IAM101 applies.
    ///
    /// Not reported: roles of control-plane services (`config.amazonaws.com`,
    /// `cloudtrail.amazonaws.com`, service-linked roles), which run no customer code, and roles
    /// whose permissions boundary does not let the triggering grant through. A boundary defined
    /// elsewhere cannot be read, so such roles are left alone too.
    ///
    /// ## Why it matters
    /// Whatever code runs on that compute holds the role: a dependency of the function, a
    /// process on the instance, anyone who can change the build or the task definition. The
    /// credentials can be read from the instance metadata service or the environment, and an
    /// attacker who gets code execution there gets the role's permissions with it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role" "fn" {
    ///   assume_role_policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
    ///   })
    /// }
    ///
    /// resource "aws_iam_role_policy_attachment" "fn" {
    ///   role       = aws_iam_role.fn.name
    ///   policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   BuildRole:
    ///     Type: AWS::IAM::Role
    ///     Properties:
    ///       AssumeRolePolicyDocument:
    ///         Version: "2012-10-17"
    ///         Statement:
    ///           - Effect: Allow
    ///             Principal: { Service: codebuild.amazonaws.com }
    ///             Action: sts:AssumeRole
    ///       Policies:
    ///         - PolicyName: deploy
    ///           PolicyDocument:
    ///             Version: "2012-10-17"
    ///             Statement:
    ///               - Effect: Allow
    ///                 Action: iam:AttachRolePolicy
    ///                 Resource: "*"
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_role" "fn" {
    ///   assume_role_policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
    ///   })
    /// }
    ///
    /// resource "aws_iam_role_policy" "fn" {
    ///   role = aws_iam_role.fn.id
    ///   policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Action = "dynamodb:GetItem", Resource = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders" }]
    ///   })
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: security best practices, apply least-privilege permissions
    /// - AWS Lambda Developer Guide: the execution role; Amazon EC2 User Guide: IAM roles for EC2
    /// - cloudsplaining: AssumableByComputeService
    ComputeRoleExcessivePermissions {
        id: "IAM309",
        aliases: ["CKV2_AWS_68", "AssumableByComputeService"],
        category: OverlyPermissive,
        severity: Warning,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

/// One reason a role holds too much, found by one of the rules IAM309 builds on.
struct Trigger {
    rule: &'static str,
    /// What the role holds, for the message.
    what: String,
    span: Span,
    /// IAM101: the role is a full administrator.
    admin: bool,
}

/// The first compute service a trust policy of the role lets assume it, with where it is named.
fn compute_trust(unit: &Unit<'_>, ctx: &RuleContext<'_>, role: &Entity) -> Option<(&'static ComputeService, Span)> {
    unit.documents_of(&role.address).filter(|doc| doc.kind == PolicyKind::Trust).find_map(|doc| {
        doc.statements.iter().filter(|stmt| stmt.is_allow()).find_map(|stmt| {
            let items = semantics::action_items(stmt, ctx);
            if !grants_assume_role(&items) {
                return None;
            }
            principal_items(stmt.principal.as_ref()?).into_iter().find_map(|item| match &item.shape {
                PrincipalShape::Service(service) => compute_service(service).map(|found| (found, item.value.span)),
                _ => None,
            })
        })
    })
}

/// What the documents trigger among the rules IAM309 builds on, worst first.
fn document_triggers(docs: &[&PolicyDocument], ctx: &RuleContext<'_>) -> Vec<Trigger> {
    let mut triggers = Vec::new();
    for doc in docs {
        for finding in ctx.findings_of(&FullAdminGrant, doc) {
            triggers.push(Trigger {
                rule: "IAM101",
                what: "full administrator access".to_owned(),
                span: finding.span,
                admin: true,
            });
        }
        for finding in ctx.findings_of(&WildcardAction, doc) {
            if finding.severity == Severity::Error {
                let what = format!("a wildcard over a critical service ({})", finding.message);
                triggers.push(Trigger { rule: "IAM103", what, span: finding.span, admin: false });
            }
        }
        let escalation: [(&dyn Rule, &'static str); 2] =
            [(&PrivilegeEscalationSinglePermission, "IAM203"), (&PrivilegeEscalationCombination, "IAM204")];
        for (rule, id) in escalation {
            for finding in ctx.findings_of(rule, doc) {
                if finding.severity >= Severity::Warning {
                    let what = format!("a way to escalate its privileges ({})", finding.message);
                    triggers.push(Trigger { rule: id, what, span: finding.span, admin: false });
                }
            }
        }
    }
    triggers
}

/// What the role's attached AWS managed policies trigger (IAM101 through their digest, IAM102).
fn managed_triggers(role: &Entity, unit: &Unit<'_>) -> Vec<Trigger> {
    let mut nodes: Vec<&rein_model::Node> = role.items("managed_policy_arns");
    for attachment in unit.entities_of(EntityKind::PolicyAttachment) {
        if ["role", "roles"].iter().any(|attribute| crate::rules::identities::names_entity(attachment, attribute, role))
        {
            nodes.extend(attachment.items("policy_arn"));
        }
    }
    nodes
        .into_iter()
        .filter_map(|node| {
            let NodeKind::String(value) = &node.kind else { return None };
            let (name, class) = managed_policy_class(&value.to_string())?;
            match class {
                "admin" => Some(Trigger {
                    rule: "IAM101",
                    what: format!("full administrator access through `{name}`"),
                    span: node.span,
                    admin: true,
                }),
                "power-user" | "permissions-management" => Some(Trigger {
                    rule: "IAM102",
                    what: format!("the privileged AWS managed policy `{name}`"),
                    span: node.span,
                    admin: false,
                }),
                _ => None,
            }
        })
        .collect()
}

/// Whether the role's permissions boundary lets a trigger of `rule` through: `Some(true)` when
/// it does (or there is none), `Some(false)` when it does not, `None` when it cannot be read.
fn boundary_allows(unit: &Unit<'_>, role: &Entity, ctx: &RuleContext<'_>, triggers: &[Trigger]) -> Option<Vec<bool>> {
    let Some(attribute) = role.attribute("permissions_boundary") else { return Some(vec![true; triggers.len()]) };
    if let Some(policy) = named_entity(unit, role, "permissions_boundary", EntityKind::ManagedPolicy) {
        let docs: Vec<&PolicyDocument> = unit.documents_of(&policy.address).collect();
        if docs.is_empty() {
            return None;
        }
        let bounded = document_triggers(&docs, ctx);
        let everything = bounded.iter().any(|trigger| trigger.admin);
        return Some(
            triggers
                .iter()
                .map(|trigger| everything || bounded.iter().any(|bound| bound.rule == trigger.rule))
                .collect(),
        );
    }
    let NodeKind::String(value) = &attribute.value.kind else { return None };
    match managed_policy_class(&value.to_string()) {
        Some((_, "admin")) => Some(vec![true; triggers.len()]),
        _ => None,
    }
}

impl Rule for ComputeRoleExcessivePermissions {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for role in unit.entities_of(EntityKind::Role) {
            let Some((service, trust_span)) = compute_trust(unit, ctx, role) else { continue };
            let reach = reaching(unit, role);
            let docs: Vec<&PolicyDocument> = reach.documents.iter().map(|(doc, _)| *doc).collect();
            let mut triggers = managed_triggers(role, unit);
            triggers.extend(document_triggers(&docs, ctx));
            if triggers.is_empty() {
                continue;
            }
            let Some(through) = boundary_allows(unit, role, ctx, &triggers) else { continue };
            let mut kept: Vec<Trigger> =
                triggers.into_iter().zip(through).filter(|(_, allowed)| *allowed).map(|(trigger, _)| trigger).collect();
            // Full administrator first: it decides the severity and leads the message.
            kept.sort_by_key(|trigger| !trigger.admin);
            let Some(first) = kept.first() else { continue };
            let name = role.string("name").and_then(Value::as_known).unwrap_or(&role.address);
            let mut finding = ctx
                .report(
                    role.span,
                    format!(
                        "Role `{name}` runs {} (`{}`) and holds {} ({})",
                        service.what, service.service, first.what, first.rule
                    ),
                )
                .label(trust_span, "the compute service is trusted here")
                .label(first.span, "granted here");
            if first.admin {
                finding = finding.severity(Severity::Error);
            }
            let others: Vec<&str> = kept.iter().skip(1).map(|trigger| trigger.rule).collect();
            if !others.is_empty() {
                let mut others = others;
                others.dedup();
                finding = finding.note(format!("the role also triggers {}", others.join(", ")));
            }
            drop(finding.note(
                "code running there, or anyone who can change that code, holds these permissions; give the role only what the workload needs",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use rein_diagnostics::Severity;

    use crate::testing::{RuleTest, case, run_rule};

    const LAMBDA_TRUST: &str = r#"jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })"#;

    #[test]
    fn compute_role_excessive_permissions() {
        let admin = case::hcl(&format!(
            r#"
resource "aws_iam_role" "fn" {{
  name               = "fn"
  assume_role_policy = {LAMBDA_TRUST}
}}
resource "aws_iam_role_policy" "fn" {{
  role   = aws_iam_role.fn.id
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "*", Resource = "*" }}] }})
}}
"#
        ));
        let findings = run_rule(&super::ComputeRoleExcessivePermissions, &admin);
        assert_eq!(findings.iter().map(|f| f.severity).collect::<Vec<_>>(), [Severity::Error]);
        RuleTest::new(&super::ComputeRoleExcessivePermissions)
            .fail_with(admin, "Role `fn` runs Lambda functions (`lambda.amazonaws.com`) and holds full administrator access (IAM101)")
            .fail_with(
                case::hcl(
                    r#"
resource "aws_iam_role" "web" {
  name = "web"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
}
"#,
                ),
                "holds the privileged AWS managed policy `PowerUserAccess` (IAM102)",
            )
            // A boundary that allows everything does not help.
            .fail(case::hcl(&format!(
                r#"
resource "aws_iam_role" "fn" {{
  name                 = "fn"
  assume_role_policy   = {LAMBDA_TRUST}
  permissions_boundary = "arn:aws:iam::aws:policy/AdministratorAccess"
}}
resource "aws_iam_role_policy_attachment" "fn" {{
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}}
"#
            )))
            // A control-plane service runs no customer code.
            .pass(case::hcl(
                r#"
resource "aws_iam_role" "config" {
  name = "config"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "config.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}
"#,
            ))
            // The boundary does not let the escalation through.
            .pass(case::hcl(&format!(
                r#"
resource "aws_iam_policy" "boundary" {{
  name   = "boundary"
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "dynamodb:*", Resource = "*" }}] }})
}}
resource "aws_iam_role" "fn" {{
  name                 = "fn"
  assume_role_policy   = {LAMBDA_TRUST}
  permissions_boundary = aws_iam_policy.boundary.arn
}}
resource "aws_iam_role_policy" "fn" {{
  role   = aws_iam_role.fn.id
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = "*" }}] }})
}}
"#
            )))
            // A Deny in the same document takes the grant back.
            .pass(case::hcl(&format!(
                r#"
resource "aws_iam_role" "fn" {{
  name               = "fn"
  assume_role_policy = {LAMBDA_TRUST}
}}
resource "aws_iam_role_policy" "fn" {{
  role   = aws_iam_role.fn.id
  policy = jsonencode({{ Version = "2012-10-17", Statement = [
    {{ Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = "*" }},
    {{ Effect = "Deny", Action = "iam:*", Resource = "*" }}
  ] }})
}}
"#
            )))
            .run();
    }
}
