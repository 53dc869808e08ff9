//! IAM102 `privileged-managed-policy-attached`.

use std::sync::OnceLock;

use rein_model::{Entity, EntityKind, Node, NodeKind, PrincipalBody, PrincipalType};

use crate::engine::Unit;
use crate::rules::identities::named_entity;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// AWS managed policies of the privileged kind attached to a principal: AdministratorAccess,
    /// PowerUserAccess, IAMFullAccess, AWSOrganizationsFullAccess and the others whose digest
    /// (`crates/rein_rules/data/aws_managed_policies.txt`) is administrator, power user or
    /// permissions management. Attachments are read from `aws_iam_{role,user,group}_policy_attachment`,
    /// `aws_iam_policy_attachment`, `managed_policy_arns`, `aws_ssoadmin_managed_policy_attachment`
    /// and CloudFormation `ManagedPolicyArns` / `ManagedPolicies`.
    /// It is an error when the role is also assumable by a compute service (EC2, Lambda, ECS, …),
    /// whose code then runs as administrator. `AWSSupportAccess` and `ReadOnlyAccess` are not
    /// reported.
    ///
    /// ## Why it matters
    /// Whoever holds such a principal can change IAM itself, and so grant themselves anything;
    /// a scoped customer managed policy says what the job needs.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role_policy_attachment" "ci" {
    ///   role       = "ci"
    ///   policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   Ops:
    ///     Type: AWS::IAM::Group
    ///     Properties:
    ///       ManagedPolicyArns:
    ///         - !Sub "arn:${AWS::Partition}:iam::aws:policy/IAMFullAccess"
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_role_policy_attachment" "ci" {
    ///   role       = "ci"
    ///   policy_arn = "arn:aws:iam::123456789012:policy/ci-deploy"
    /// }
    /// ```
    ///
    /// ## Options
    /// `break-glass-principals` in `[options]` of `rein.toml`: an attachment to a listed
    /// principal is info, not a warning or an error, since emergency access is meant to be
    /// privileged (IAM516 checks that it is guarded). An entry names the principal by its IaC
    /// address, its name, or an IAM ARN ending in its name; `*` and `?` are globs.
    ///
    /// ## References
    /// - AWS Managed Policy Reference Guide
    /// - AWS IAM User Guide: security best practices, apply least-privilege permissions
    PrivilegedManagedPolicyAttached {
        id: "IAM102",
        aliases: ["CKV_AWS_274", "CKV_AWS_275", "CKV2_AWS_56", "W43", "W44"],
        category: OverlyPermissive,
        severity: Warning,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

/// The digest of one AWS managed policy.
struct Digest {
    name: &'static str,
    class: &'static str,
}

const DIGESTS: &str = include_str!("../../../data/aws_managed_policies.txt");

fn digests() -> &'static [Digest] {
    static PARSED: OnceLock<Vec<Digest>> = OnceLock::new();
    PARSED.get_or_init(|| {
        DIGESTS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| {
                let mut fields = line.split('|').map(str::trim);
                Some(Digest { name: fields.next()?, class: fields.next()? })
            })
            .collect()
    })
}

/// The privileged digest an ARN value names, if any: `arn:<partition>:iam::aws:policy/<name>`,
/// the partition possibly unknown.
fn privileged(node: &Node) -> Option<&'static Digest> {
    let NodeKind::String(value) = &node.kind else { return None };
    let text = value.to_string();
    let (_, name) = text.split_once(":iam::aws:policy/")?;
    digests()
        .iter()
        .find(|digest| digest.name == name)
        .filter(|digest| matches!(digest.class, "admin" | "power-user" | "permissions-management"))
}

/// The class of the AWS managed policy an ARN names (`admin`, `power-user`,
/// `permissions-management`, …), from its digest; `None` for other ARNs.
pub(crate) fn managed_policy_class(arn: &str) -> Option<(&'static str, &'static str)> {
    let (_, name) = arn.split_once(":iam::aws:policy/")?;
    digests().iter().find(|digest| digest.name == name).map(|digest| (digest.name, digest.class))
}

/// Whether some Allow statement of the role's trust policy lets a compute service assume it.
fn compute_trusted(unit: &Unit<'_>, role: &Entity) -> bool {
    const COMPUTE: [&str; 6] = ["ec2.", "lambda.", "ecs-tasks.", "ecs.", "codebuild.", "batch."];
    unit.documents_of(&role.address).filter(|doc| doc.kind == PolicyKind::Trust).any(|doc| {
        doc.statements.iter().filter(|stmt| stmt.is_allow()).any(|stmt| {
            let Some(PrincipalBody::Map(types)) = stmt.principal.as_ref().map(|p| &p.body) else { return false };
            types.iter().filter(|(ty, _)| *ty == PrincipalType::Service).any(|(_, list)| {
                list.items
                    .iter()
                    .filter_map(|item| item.known())
                    .any(|service| COMPUTE.iter().any(|c| service.starts_with(c)))
            })
        })
    })
}

/// Whether `break_glass_principals` lists the principal that receives the policy: the holder
/// itself (a role, user or group, or an attachment by its address), the principal an attachment
/// names by reference or literal name, or that principal's entity.
fn is_break_glass(unit: &Unit<'_>, holder: &Entity, ctx: &RuleContext<'_>) -> bool {
    let options = &ctx.settings().options;
    let name = |entity: &Entity| entity.string("name").and_then(Value::as_known).map(str::to_owned);
    if options.is_break_glass(&holder.address, name(holder).as_deref()) {
        return true;
    }
    [("role", EntityKind::Role), ("user", EntityKind::User), ("group", EntityKind::Group)].iter().any(
        |(attribute, kind)| match named_entity(unit, holder, attribute, *kind) {
            Some(principal) => options.is_break_glass(&principal.address, name(principal).as_deref()),
            None => holder.items(attribute).into_iter().any(|node| {
                matches!(&node.kind, NodeKind::String(Value::Known(literal)) if options.is_break_glass("", Some(literal)))
            }),
        },
    )
}

fn report(unit: &Unit<'_>, holder: &Entity, role: Option<&Entity>, node: &Node, ctx: &mut RuleContext<'_>) {
    let Some(digest) = privileged(node) else { return };
    if is_break_glass(unit, holder, ctx) {
        ctx.report(
            node.span,
            format!("`{}` is attached to `{}`, a break-glass principal", digest.name, holder.address),
        )
        .severity(Severity::Info)
        .note("listed in `break_glass_principals`; IAM516 checks that its use is guarded");
        return;
    }
    let what = match digest.class {
        "admin" => "full administrator access",
        "power-user" => "every action outside IAM and Organizations",
        _ => "the power to change IAM or the organisation",
    };
    let mut finding =
        ctx.report(node.span, format!("`{}` is attached to `{}`: it grants {what}", digest.name, holder.address));
    if let Some(role) = role
        && compute_trusted(unit, role)
    {
        finding = finding
            .severity(Severity::Error)
            .note(format!("`{}` is assumable by a compute service, whose code then holds it", role.address));
    }
    drop(finding);
}

impl Rule for PrivilegedManagedPolicyAttached {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for entity in &unit.entities {
            match entity.kind {
                EntityKind::PolicyAttachment => {
                    let role = named_entity(unit, entity, "role", EntityKind::Role);
                    for node in entity.items("policy_arn") {
                        report(unit, entity, role, node, ctx);
                    }
                }
                EntityKind::Role | EntityKind::User | EntityKind::Group => {
                    let role = (entity.kind == EntityKind::Role).then_some(*entity);
                    for node in entity.items("managed_policy_arns") {
                        report(unit, entity, role, node, ctx);
                    }
                }
                EntityKind::PermissionSetAttachment | EntityKind::PermissionSet => {
                    for name in ["managed_policy_arn", "managed_policies"] {
                        for node in entity.items(name) {
                            report(unit, entity, None, node, ctx);
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
    fn break_glass_principals_are_reported_as_info() {
        use rein_diagnostics::Severity;
        const HCL: &str = r#"
resource "aws_iam_role" "emergency" {
  name = "break-glass"
}
resource "aws_iam_role_policy_attachment" "emergency" {
  role       = aws_iam_role.emergency.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
resource "aws_iam_user_policy_attachment" "ops" {
  user       = "ops"
  policy_arn = "arn:aws:iam::aws:policy/IAMFullAccess"
}
"#;
        let run = |list: &[&str]| {
            let options = crate::RuleOptions {
                break_glass_principals: list.iter().map(|entry| (*entry).to_owned()).collect(),
                ..Default::default()
            };
            let findings = crate::testing::run_rule(
                &super::PrivilegedManagedPolicyAttached,
                &case::hcl(HCL).with_options(options),
            );
            findings.iter().map(|finding| finding.severity).collect::<Vec<_>>()
        };
        assert_eq!(run(&[]), [Severity::Warning, Severity::Warning]);
        // By the role's ARN (its name is the last segment), and by a literal user name.
        assert_eq!(run(&["arn:aws:iam::111122223333:role/break-glass"]), [Severity::Info, Severity::Warning]);
        assert_eq!(run(&["ops"]), [Severity::Warning, Severity::Info]);
    }

    #[test]
    fn privileged_managed_policy_attached() {
        RuleTest::new(&super::PrivilegedManagedPolicyAttached)
            .fail(case::hcl(
                r#"
resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}
resource "aws_iam_role_policy_attachment" "worker" {
  role       = aws_iam_role.worker.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}
"#,
            ))
            .pass(case::hcl(
                r#"resource "aws_iam_role_policy_attachment" "support" {
  role       = "support"
  policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
}"#,
            ))
            .pass(case::hcl(
                r#"resource "aws_iam_group_policy_attachment" "ro" {
  group      = "auditors"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}"#,
            ))
            .run();
    }

    #[test]
    fn every_digest_line_parses() {
        let n_lines = super::DIGESTS.lines().filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#')).count();
        assert_eq!(super::digests().len(), n_lines);
        assert!(super::digests().iter().all(|d| d.name.len() > 3 && !d.class.is_empty()));
    }
}
