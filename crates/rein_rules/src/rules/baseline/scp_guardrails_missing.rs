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
    /// ## Options
    /// `scp-guardrails` in `[options]` of `rein.toml` switches on optional items, which the
    /// SCPs must then deny too:
    /// - `region-restriction`: requests outside the allowed regions (a Deny that tests
    ///   `aws:RequestedRegion`, usually with `NotAction` for the global services);
    /// - `iam-user-creation`: `iam:CreateUser` and `iam:CreateAccessKey`;
    /// - `flow-log-deletion`: `ec2:DeleteFlowLogs`;
    /// - `s3-public-access-block`: `s3:PutAccountPublicAccessBlock`, which also deletes the
    ///   account's block;
    /// - `ram-external-sharing`: `ram:CreateResourceShare` and `ram:UpdateResourceShare`, at
    ///   least when `ram:RequestedAllowsExternalPrincipals` is true.
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
        missing.extend(missing_optional(&scps, ctx));
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

/// The optional guardrails of `scp_guardrails` (RULES.md IAM517 "switched on in config"): each
/// name, what the message calls it, the actions the SCPs must deny, and the condition key a Deny
/// may test and still count (the region a request goes to, whether a share admits outsiders).
const OPTIONAL: [(&str, &str, &[&str], Option<&str>); 5] = [
    ("region-restriction", "requests outside the allowed regions", &["ec2:RunInstances"], Some("aws:RequestedRegion")),
    ("iam-user-creation", "iam:CreateUser, iam:CreateAccessKey", &["iam:CreateUser", "iam:CreateAccessKey"], None),
    ("flow-log-deletion", "ec2:DeleteFlowLogs", &["ec2:DeleteFlowLogs"], None),
    ("s3-public-access-block", "s3:PutAccountPublicAccessBlock", &["s3:PutAccountPublicAccessBlock"], None),
    (
        "ram-external-sharing",
        "RAM shares outside the organization",
        &["ram:CreateResourceShare", "ram:UpdateResourceShare"],
        Some("ram:RequestedAllowsExternalPrincipals"),
    ),
];

/// The optional guardrails switched on in the configuration that no attached SCP provides.
fn missing_optional(scps: &[&PolicyDocument], ctx: &RuleContext<'_>) -> Vec<&'static str> {
    let options = &ctx.settings().options;
    OPTIONAL
        .iter()
        .filter(|(name, ..)| options.wants_scp_guardrail(name))
        .filter(|(name, _, actions, key)| {
            let denied = |action: &&str| scps.iter().any(|doc| denies_when(doc, ctx, action, *key));
            // A region restriction must test the region: an unconditional Deny of everything is
            // not one, and a region rule is the only Deny of `ec2:RunInstances` in practice.
            let tests_key = key.is_none_or(|key| *name != "region-restriction" || tests(scps, key));
            !(actions.iter().all(denied) && tests_key)
        })
        .map(|(_, label, ..)| *label)
        .collect()
}

/// Whether some Deny of the SCPs tests `key`.
fn tests(scps: &[&PolicyDocument], key: &str) -> bool {
    scps.iter().flat_map(|doc| &doc.statements).filter(|stmt| stmt.is_deny()).any(|stmt| {
        stmt.condition
            .as_ref()
            .is_some_and(|block| block.entries().any(|(_, entry)| entry.key.name.eq_ignore_ascii_case(key)))
    })
}

/// Whether a Deny of `doc` takes `action` away on every resource, with at most exemptions by
/// principal ARN as conditions.
fn denies(doc: &PolicyDocument, ctx: &RuleContext<'_>, action: &str) -> bool {
    denies_when(doc, ctx, action, None)
}

/// [`denies`], where a Deny may also test `key`.
fn denies_when(doc: &PolicyDocument, ctx: &RuleContext<'_>, action: &str, key: Option<&str>) -> bool {
    let catalog = ctx.catalog();
    doc.statements.iter().filter(|stmt| stmt.is_deny()).any(|stmt| {
        let exemptions_only = stmt.condition.as_ref().is_none_or(|block| {
            // `ArnNotLike aws:PrincipalArn …` exempts security roles; any other test narrows
            // the Deny to some principals only.
            block.unknown.is_none()
                && block.entries().all(|(op, entry)| {
                    (semantics::is_negated_operator(&op.name.base)
                        && entry.key.name.eq_ignore_ascii_case("aws:PrincipalArn"))
                        || key.is_some_and(|key| entry.key.name.eq_ignore_ascii_case(key))
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

    /// The SCP with every mandatory item and the given extra statements.
    fn with_statements(extra: &str) -> String {
        SCP.replace("      {\n        Effect    = \"Deny\"\n        Action    = \"*\"", &format!("{extra}      {{\n        Effect    = \"Deny\"\n        Action    = \"*\""))
            .replace("\"config:StopConfigurationRecorder\"]", "\"config:StopConfigurationRecorder\", \"access-analyzer:DeleteAnalyzer\", \"securityhub:DisableSecurityHub\"]")
    }

    #[test]
    fn optional_guardrails_are_checked_when_switched_on() {
        let wants = |names: &[&str]| crate::RuleOptions {
            scp_guardrails: names.iter().map(|name| (*name).to_owned()).collect(),
            ..Default::default()
        };
        let region = "      {\n        Effect    = \"Deny\"\n        NotAction = [\"iam:*\", \"organizations:*\", \"sts:*\"]\n        Resource  = \"*\"\n        Condition = { StringNotEquals = { \"aws:RequestedRegion\" = [\"eu-west-1\"] } }\n      },\n";
        let ram = "      {\n        Effect    = \"Deny\"\n        Action    = [\"ram:CreateResourceShare\", \"ram:UpdateResourceShare\"]\n        Resource  = \"*\"\n        Condition = { Bool = { \"ram:RequestedAllowsExternalPrincipals\" = \"true\" } }\n      },\n";
        let users = "      {\n        Effect   = \"Deny\"\n        Action   = [\"iam:CreateUser\", \"iam:CreateAccessKey\", \"ec2:DeleteFlowLogs\", \"s3:PutAccountPublicAccessBlock\"]\n        Resource = \"*\"\n      },\n";
        let all = [
            "region-restriction",
            "iam-user-creation",
            "flow-log-deletion",
            "s3-public-access-block",
            "ram-external-sharing",
        ];
        RuleTest::new(&super::ScpGuardrailsMissing)
            .pass(case::hcl(&with_statements("")))
            .fail_with(
                case::hcl(&with_statements("")).with_options(wants(&all)),
                "do not deny: requests outside the allowed regions, iam:CreateUser, iam:CreateAccessKey, ec2:DeleteFlowLogs, s3:PutAccountPublicAccessBlock, RAM shares outside the organization",
            )
            .fail_with(
                case::hcl(&with_statements(&format!("{region}{ram}"))).with_options(wants(&all)),
                "do not deny: iam:CreateUser, iam:CreateAccessKey, ec2:DeleteFlowLogs",
            )
            .pass(case::hcl(&with_statements(&format!("{region}{ram}{users}"))).with_options(wants(&all)))
            .pass(case::hcl(&with_statements(region)).with_options(wants(&["region-restriction"])))
            .run();
    }

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
