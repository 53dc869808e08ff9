//! IAM517 `scp-guardrails-missing`.

use rein_model::{EntityKind, PolicyDocument};

use super::{attached_scps, denies_root_user, is_org};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// In an organization (the configuration declares `aws_organizations_*` resources), whether
    /// the attached service control policies together deny, to every principal, the actions
    /// that switch off the account's security services.
    ///
    /// They must deny:
    /// - `organizations:LeaveOrganization`;
    /// - `cloudtrail:StopLogging` and `cloudtrail:DeleteTrail`;
    /// - `guardduty:DeleteDetector`;
    /// - `config:StopConfigurationRecorder`;
    /// - any action by a root user (`ArnLike aws:PrincipalArn arn:aws:iam::*:root`).
    ///
    /// `access-analyzer:DeleteAnalyzer` and `securityhub:DisableSecurityHub` are reported as
    /// info. A Deny counts when it has no condition, or only conditions on `aws:PrincipalArn`
    /// (exemptions for security roles). Denies are read semantically, so any wording or split
    /// across policies works.
    ///
    /// ## Why it matters
    /// An SCP binds every principal of a member account, administrators and the root user
    /// included; it is the one control an intruder with admin rights in the account cannot
    /// remove.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_organizations_organization" "org" {
    ///   feature_set = "ALL"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_organizations_policy" "guardrails" {
    ///   name = "guardrails"
    ///   type = "SERVICE_CONTROL_POLICY"
    ///   content = jsonencode({
    ///     Version = "2012-10-17"
    ///     Statement = [
    ///       {
    ///         Effect   = "Deny"
    ///         Action   = ["organizations:LeaveOrganization", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector", "config:StopConfigurationRecorder", "access-analyzer:DeleteAnalyzer", "securityhub:DisableSecurityHub"]
    ///         Resource = "*"
    ///       },
    ///       {
    ///         Effect    = "Deny"
    ///         Action    = "*"
    ///         Resource  = "*"
    ///         Condition = { ArnLike = { "aws:PrincipalArn" = "arn:aws:iam::*:root" } }
    ///       },
    ///     ]
    ///   })
    /// }
    ///
    /// resource "aws_organizations_policy_attachment" "root" {
    ///   policy_id = aws_organizations_policy.guardrails.id
    ///   target_id = "r-abcd"
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS Organizations User Guide: service control policy examples
    /// - aws-samples/service-control-policy-examples
    ScpGuardrailsMissing {
        id: "IAM517",
        aliases: [],
        category: Hygiene,
        severity: Warning,
        fix: None,
        frontends: [Hcl],
    }
}

/// The actions the guardrails must deny, and whether a gap is only info.
const GUARDED: [(&str, bool); 8] = [
    ("organizations:LeaveOrganization", false),
    ("cloudtrail:StopLogging", false),
    ("cloudtrail:DeleteTrail", false),
    ("guardduty:DeleteDetector", false),
    ("config:StopConfigurationRecorder", false),
    ("access-analyzer:DeleteAnalyzer", true),
    ("securityhub:DisableSecurityHub", true),
    ("", false),
];

impl Rule for ScpGuardrailsMissing {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        if !is_org(unit) {
            return;
        }
        let scps = attached_scps(unit);
        let anchor = unit
            .entities_of(EntityKind::Organization)
            .next()
            .or_else(|| unit.entities_of(EntityKind::OrganizationsPolicy).next())
            .map_or(unit.anchor, |entity| entity.span);
        let mut missing = Vec::new();
        let mut missing_info = Vec::new();
        for (action, info) in GUARDED.iter().filter(|(action, _)| !action.is_empty()) {
            if !scps.iter().any(|doc| denies(doc, ctx, action)) {
                if *info { missing_info.push(*action) } else { missing.push(*action) }
            }
        }
        let root = denies_root_user(unit);
        if !root {
            missing.push("any action by a root user");
        }
        if !missing.is_empty() {
            ctx.report(anchor, format!("The attached SCPs of {} do not deny: {}", unit.name, missing.join(", ")))
                .note("attach an SCP with these Denies to the root, or to every OU with workload accounts");
        }
        if !missing_info.is_empty() {
            ctx.report(anchor, format!("The attached SCPs of {} do not deny: {}", unit.name, missing_info.join(", ")))
                .severity(Severity::Info);
        }
    }
}

/// Whether a Deny of `doc` takes `action` away on every resource, with at most exemptions by
/// principal ARN as conditions.
fn denies(doc: &PolicyDocument, ctx: &RuleContext<'_>, action: &str) -> bool {
    let catalog = ctx.catalog();
    doc.statements.iter().filter(|stmt| stmt.is_deny()).any(|stmt| {
        let exemptions_only = stmt.condition.as_ref().is_none_or(|block| {
            // `ArnNotLike aws:PrincipalArn …` exempts security roles; any other test narrows
            // the Deny to some principals only.
            block.unknown.is_none()
                && block.entries().all(|(op, entry)| {
                    semantics::is_negated_operator(&op.name.base)
                        && entry.key.name.eq_ignore_ascii_case("aws:PrincipalArn")
                })
        });
        let every_resource = stmt.not_resource.is_none()
            && stmt
                .resource
                .as_ref()
                .is_none_or(|list| list.items.iter().any(|item| semantics::is_effective_star(&item.value, catalog)));
        exemptions_only && every_resource && semantics::grants_action(stmt, ctx, action).is_some()
    })
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    const SCP: &str = r#"
resource "aws_organizations_policy" "guardrails" {
  name = "guardrails"
  type = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Statement = [
      {
        Effect   = "Deny"
        Action   = ["organizations:LeaveOrganization", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector", "config:StopConfigurationRecorder"]
        Resource = "*"
        Condition = { ArnNotLike = { "aws:PrincipalArn" = "arn:aws:iam::*:role/security" } }
      },
      {
        Effect    = "Deny"
        Action    = "*"
        Resource  = "*"
        Condition = { StringLike = { "aws:PrincipalArn" = "arn:aws:iam::*:root" } }
      },
    ]
  })
}
resource "aws_organizations_policy_attachment" "root" {
  policy_id = aws_organizations_policy.guardrails.id
  target_id = "r-abcd"
}
"#;

    #[test]
    fn scp_guardrails_missing() {
        RuleTest::new(&super::ScpGuardrailsMissing)
            .fail_with(case::hcl(SCP), "do not deny: access-analyzer:DeleteAnalyzer")
            .fail_with(
                case::hcl(&SCP.replace("\"cloudtrail:StopLogging\", ", "")),
                "do not deny: cloudtrail:StopLogging",
            )
            // A policy attached to nothing binds nobody.
            .fail_with(
                case::hcl(
                    &SCP.replace("policy_id = aws_organizations_policy.guardrails.id", "policy_id = \"p-other\""),
                ),
                "any action by a root user",
            )
            .pass(case::hcl("resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n}\n"))
            .run();
    }
}
