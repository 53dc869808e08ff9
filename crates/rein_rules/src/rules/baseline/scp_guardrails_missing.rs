//! IAM517 `scp-guardrails-missing`.

use rein_model::{EntityKind, PolicyDocument};

use super::{attached_scps, denies_root_user, guardrail_scp, is_org};
use crate::engine::{OPTIONAL_SCP_GUARDRAILS, Unit};
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
    /// ## Fix safety
    /// Unsafe: in a Terraform configuration that declares the organization, the fix generates an
    /// SCP (an `aws_iam_policy_document` with a Deny of the missing actions, and a Deny of every
    /// action by a root user) and attaches it to the organization's root. It then applies to
    /// every member account, including the roles a security team uses to repair trails or
    /// detectors: add `ArnNotLike aws:PrincipalArn` exemptions for them before applying.
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
        fix: Sometimes,
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
        // One SCP with every missing Deny: both findings offer the same fix.
        let actions: Vec<&str> = missing.iter().chain(&missing_info).copied().collect();
        let fix = guardrail_scp(unit, "scp_guardrails", &actions, !root);
        if !root {
            missing.push("any action by a root user");
        }
        if !missing.is_empty() {
            ctx.report(anchor, format!("The attached SCPs of {} do not deny: {}", unit.name, missing.join(", ")))
                .note("attach an SCP with these Denies to the root, or to every OU with workload accounts")
                .fix("Attach a guardrail SCP to the organization's root", Applicability::Unsafe, fix.clone());
        }
        if !missing_info.is_empty() {
            ctx.report(anchor, format!("The attached SCPs of {} do not deny: {}", unit.name, missing_info.join(", ")))
                .severity(Severity::Info)
                .fix("Attach a guardrail SCP to the organization's root", Applicability::Unsafe, fix);
        }
    }
}

/// An optional guardrail of `scp_guardrails` (RULES.md IAM517 "switched on in config").
struct Guardrail {
    /// Its name in [`OPTIONAL_SCP_GUARDRAILS`].
    name: &'static str,
    /// What the message calls it.
    label: &'static str,
    /// The actions the SCPs must deny.
    actions: &'static [&'static str],
    /// The condition key a Deny may test and still count (the region a request goes to,
    /// whether a share admits outsiders), and whether a Deny must test it.
    key: Option<&'static str>,
    must_test_key: bool,
}

/// The optional guardrails, in the order of [`OPTIONAL_SCP_GUARDRAILS`].
const OPTIONAL: [Guardrail; 5] = [
    Guardrail {
        name: OPTIONAL_SCP_GUARDRAILS[0],
        label: "requests outside the allowed regions",
        actions: &["ec2:RunInstances"],
        key: Some("aws:RequestedRegion"),
        // An unconditional Deny of everything is not a region restriction, and a region rule is
        // the only Deny of `ec2:RunInstances` in practice.
        must_test_key: true,
    },
    Guardrail {
        name: OPTIONAL_SCP_GUARDRAILS[1],
        label: "iam:CreateUser, iam:CreateAccessKey",
        actions: &["iam:CreateUser", "iam:CreateAccessKey"],
        key: None,
        must_test_key: false,
    },
    Guardrail {
        name: OPTIONAL_SCP_GUARDRAILS[2],
        label: "ec2:DeleteFlowLogs",
        actions: &["ec2:DeleteFlowLogs"],
        key: None,
        must_test_key: false,
    },
    Guardrail {
        name: OPTIONAL_SCP_GUARDRAILS[3],
        label: "s3:PutAccountPublicAccessBlock",
        actions: &["s3:PutAccountPublicAccessBlock"],
        key: None,
        must_test_key: false,
    },
    Guardrail {
        name: OPTIONAL_SCP_GUARDRAILS[4],
        label: "RAM shares outside the organization",
        actions: &["ram:CreateResourceShare", "ram:UpdateResourceShare"],
        key: Some("ram:RequestedAllowsExternalPrincipals"),
        must_test_key: false,
    },
];

/// The optional guardrails switched on in the configuration that no attached SCP provides.
fn missing_optional(scps: &[&PolicyDocument], ctx: &RuleContext<'_>) -> Vec<&'static str> {
    let options = &ctx.settings().options;
    OPTIONAL
        .iter()
        .filter(|guardrail| options.wants_scp_guardrail(guardrail.name))
        .filter(|guardrail| {
            let denied = |action: &&str| scps.iter().any(|doc| denies_when(doc, ctx, action, guardrail.key));
            let tests_key = !guardrail.must_test_key || guardrail.key.is_none_or(|key| tests(scps, key));
            !(guardrail.actions.iter().all(denied) && tests_key)
        })
        .map(|guardrail| guardrail.label)
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
        RuleTest::focused(&super::ScpGuardrailsMissing)
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
            // An organization without the main guardrails gets an SCP attached to its root.
            .fix(case::hcl(PARTIAL), &format!("{PARTIAL}{}", GENERATED.replace(ALL_ACTIONS, MAIN_ACTIONS)))
            .run();
    }

    /// An organization whose attached SCP denies the info-level actions only.
    const PARTIAL: &str = r#"resource "aws_organizations_organization" "org" {
  feature_set = "ALL"
}

resource "aws_organizations_policy" "base" {
  name    = "base"
  content = jsonencode({ Statement = [{ Effect = "Deny", Action = ["access-analyzer:DeleteAnalyzer", "securityhub:DisableSecurityHub"], Resource = "*" }] })
}

resource "aws_organizations_policy_attachment" "base" {
  policy_id = aws_organizations_policy.base.id
  target_id = "r-abcd"
}
"#;

    const ORG: &str = "resource \"aws_organizations_organization\" \"org\" {\n  feature_set = \"ALL\"\n}\n";

    const ALL_ACTIONS: &str = r#"["organizations:LeaveOrganization", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector", "config:StopConfigurationRecorder", "access-analyzer:DeleteAnalyzer", "securityhub:DisableSecurityHub"]"#;

    const MAIN_ACTIONS: &str = r#"["organizations:LeaveOrganization", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector", "config:StopConfigurationRecorder"]"#;

    /// What the fix appends to a bare organization.
    const GENERATED: &str = r#"
data "aws_iam_policy_document" "scp_guardrails" {
  statement {
    sid       = "DenyGuardrailChanges"
    effect    = "Deny"
    actions   = ["organizations:LeaveOrganization", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector", "config:StopConfigurationRecorder", "access-analyzer:DeleteAnalyzer", "securityhub:DisableSecurityHub"]
    resources = ["*"]
  }
  statement {
    sid       = "DenyRootUser"
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::*:root"]
    }
  }
}

resource "aws_organizations_policy" "scp_guardrails" {
  name        = "scp-guardrails"
  description = "Denies changes to the security baseline and the use of root users"
  type        = "SERVICE_CONTROL_POLICY"
  content     = data.aws_iam_policy_document.scp_guardrails.json
}

resource "aws_organizations_policy_attachment" "scp_guardrails" {
  policy_id = aws_organizations_policy.scp_guardrails.id
  target_id = aws_organizations_organization.org.roots[0].id
}
"#;

    /// Both findings of a bare organization offer the same SCP, which removes both, and the
    /// root-user guardrail of IAM519 with them.
    #[test]
    fn one_generated_scp_answers_both_findings() {
        let findings = crate::testing::run_rule(&super::ScpGuardrailsMissing, &case::hcl(ORG));
        assert_eq!(findings.len(), 2, "{findings:?}");
        let fixes: Vec<_> = findings.iter().map(|finding| finding.fixes.first().unwrap().edits.clone()).collect();
        assert_eq!(fixes.first(), fixes.last());
        let fixed = rein_text::apply_edits(ORG, fixes.first().unwrap()).unwrap();
        assert_eq!(fixed, format!("{ORG}{GENERATED}"));
        assert!(crate::testing::run_rule(&super::ScpGuardrailsMissing, &case::hcl(&fixed)).is_empty());
        let root = crate::testing::run_rule(&super::super::RootUserGuardrails, &case::hcl(&fixed));
        assert!(root.iter().all(|finding| !finding.message.contains("denies actions by a root user")), "{root:?}");
    }

    #[test]
    fn no_scp_without_the_organization_to_attach_it_to() {
        let findings = crate::testing::run_rule(&super::ScpGuardrailsMissing, &case::hcl(SCP));
        assert!(!findings.is_empty());
        assert!(findings.iter().all(|finding| finding.fixes.is_empty()), "{findings:?}");
    }
}
