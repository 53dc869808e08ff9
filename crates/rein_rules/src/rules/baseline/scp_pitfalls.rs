//! IAM518 `scp-pitfalls`.

use rein_model::EntityKind;

use super::{attached_scps, names_entity};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Service control policies that do not do what they seem to.
    ///
    /// The pitfalls are:
    /// - **(a) region deny without exemptions**: a Deny conditioned on
    ///   `StringNotEquals aws:RequestedRegion` that lists its actions in `Action` (so it also
    ///   denies the global services: IAM, Organizations, STS, Support, CloudFront, Route 53,
    ///   budgets) instead of exempting them with `NotAction`;
    /// - **(b) a Deny that blocks AWS services**: a Deny conditioned on
    ///   `Bool aws:MultiFactorAuthPresent "false"` without an `aws:PrincipalIsAWSService` or
    ///   `aws:ViaAWSService` guard; calls that AWS services make on your behalf carry no MFA;
    /// - **(c) an ineffective target**: an SCP attached to nothing, or only to the management
    ///   account (`target_id = aws_organizations_organization.org.master_account_id`), where SCPs
    ///   never apply;
    /// - **(d) allow-list gaps** (info): when the attached SCPs allow named services rather than
    ///   everything (FullAWSAccess replaced by allow-lists), a service that an identity policy of
    ///   the configuration grants but no attached SCP allows: that grant has no effect.
    ///
    /// ## Why it matters
    /// (a) and (b) break IAM, STS and AWS services across the organization, and are then
    /// switched off in a hurry; (c) looks like a guardrail and binds nobody.
    ///
    /// ## Example
    /// ```policy-json scp
    /// {"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
    ///   "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}}
    /// ```
    ///
    /// ```hcl
    /// resource "aws_organizations_policy" "unused" {
    ///   name    = "unused"
    ///   type    = "SERVICE_CONTROL_POLICY"
    ///   content = jsonencode({ Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json scp
    /// {"Statement": {"Effect": "Deny",
    ///   "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*", "budgets:*"],
    ///   "Resource": "*",
    ///   "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}}
    /// ```
    ///
    /// ## References
    /// - AWS Organizations User Guide: example SCP denying access based on the requested Region
    /// - IAM User Guide: `aws:ViaAWSService`, `aws:PrincipalIsAWSService`
    ScpPitfalls {
        id: "IAM518",
        aliases: [],
        category: Suspicious,
        severity: Warning,
        fix: None,
        frontends: [PolicyJson, Hcl],
    }
}

/// Global-service actions that a region deny written with `Action` would also deny.
const GLOBAL_ACTIONS: [&str; 4] =
    ["iam:CreateRole", "sts:AssumeRole", "organizations:DescribeOrganization", "support:CreateCase"];

impl Rule for ScpPitfalls {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if doc.kind != PolicyKind::Scp || !stmt.is_deny() {
            return;
        }
        let Some(block) = &stmt.condition else { return };
        let region_deny = block.entries().any(|(op, entry)| {
            semantics::is_negated_operator(&op.name.base) && entry.key.name.eq_ignore_ascii_case("aws:RequestedRegion")
        });
        if region_deny
            && let Some(list) = &stmt.action
            && GLOBAL_ACTIONS.iter().any(|action| semantics::grants_action(stmt, ctx, action).is_some())
        {
            ctx.report(list.key.span, "This region deny also denies global services (IAM, STS, Organizations, Support) outside the allowed regions")
                .note("list the global services in `NotAction` instead of naming actions in `Action`");
        }
        let no_mfa = block.entries().any(|(op, entry)| {
            op.name.base.eq_ignore_ascii_case("Bool")
                && entry.key.name.eq_ignore_ascii_case("aws:MultiFactorAuthPresent")
                && entry.values.iter().any(|value| value.value.known().is_some_and(|v| v.eq_ignore_ascii_case("false")))
        });
        let guarded =
            ["aws:PrincipalIsAWSService", "aws:ViaAWSService"].iter().any(|key| semantics::mentions_key(stmt, key));
        if no_mfa && !guarded {
            ctx.report(stmt.span, "This Deny without MFA also blocks AWS services that act on your behalf")
                .note("add `\"BoolIfExists\": {\"aws:ViaAWSService\": \"false\"}` or test `aws:PrincipalIsAWSService`");
        }
    }

    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        let attached = attached_scps(unit);
        allow_list_gaps(unit, &attached, ctx);
        let attachments: Vec<_> = unit.entities_of(EntityKind::OrganizationsPolicyAttachment).collect();
        for policy in unit.entities_of(EntityKind::OrganizationsPolicy) {
            let is_scp = unit.documents_of(&policy.address).any(|doc| doc.kind == PolicyKind::Scp);
            let is_attached = attached.iter().any(|doc| doc.origin.owner.as_deref() == Some(policy.address.as_str()));
            // An attachment whose policy is not known statically may be this one.
            let maybe = attachments.iter().any(|attachment| {
                let Some(attr) = attachment.attribute("policy_id") else { return false };
                let unresolved = rein_model::inventory::node_reference(&attr.value).is_none()
                    && !matches!(&attr.value.kind, rein_model::NodeKind::String(Value::Known(_)));
                unresolved || names_entity(&attr.value, policy, "name")
            });
            if is_scp && !is_attached && !maybe {
                ctx.report(
                    policy.span,
                    format!("The SCP `{}` is attached to nothing, so it binds nobody", policy.address),
                );
                continue;
            }
            // SCPs never apply to the management account.
            let targets: Vec<_> = attachments
                .iter()
                .filter(|attachment| {
                    attachment.attribute("policy_id").is_some_and(|attr| names_entity(&attr.value, policy, "name"))
                })
                .filter_map(|attachment| attachment.attribute("target_id"))
                .collect();
            let management = |node: &rein_model::Node| {
                rein_model::inventory::node_reference(node).is_some_and(|reference| {
                    reference.attribute == "master_account_id"
                        && unit.entities_of(EntityKind::Organization).any(|org| org.address == reference.entity)
                })
            };
            if is_scp && !targets.is_empty() && targets.iter().all(|target| management(&target.value)) {
                ctx.report(
                    policy.span,
                    format!(
                        "The SCP `{}` is attached only to the management account, where SCPs never apply",
                        policy.address
                    ),
                );
            }
        }
    }
}

/// (d) With an allow-list strategy (the attached SCPs allow named services instead of
/// FullAWSAccess's `*`), the services that the configuration's identity policies grant but no
/// attached SCP allows: those grants have no effect in the member accounts.
fn allow_list_gaps(unit: &Unit<'_>, attached: &[&PolicyDocument], ctx: &mut RuleContext<'_>) {
    // FullAWSAccess itself, attached by its id, allows everything.
    let full_access = unit
        .entities_of(EntityKind::OrganizationsPolicyAttachment)
        .any(|attachment| matches!(attachment.string("policy_id"), Some(Value::Known(id)) if id == "p-FullAWSAccess"));
    let allows: Vec<&Statement> =
        attached.iter().flat_map(|doc| &doc.statements).filter(|stmt| stmt.is_allow()).collect();
    if full_access || allows.is_empty() {
        return;
    }
    // The services the allow-lists name; an Allow that may allow every service ends the check.
    if allows.iter().any(|stmt| stmt.action.is_none()) {
        return;
    }
    let mut allowed: Vec<&str> = Vec::new();
    for doc in attached {
        let Some(services) = semantics::allowed_services(doc) else { return };
        allowed.extend(services);
    }
    let mut reported: Vec<String> = Vec::new();
    for doc in unit.documents.iter().filter(|doc| matches!(doc.kind, PolicyKind::Identity)) {
        for stmt in doc.statements.iter().filter(|stmt| stmt.is_allow()) {
            let Some(list) = &stmt.action else { continue };
            for item in &list.items {
                let Some((service, _)) = item.known().and_then(|text| text.split_once(':')) else { continue };
                if semantics::has_wildcard(service)
                    || allowed.iter().any(|known| known.eq_ignore_ascii_case(service))
                    || reported.iter().any(|known| known.eq_ignore_ascii_case(service))
                {
                    continue;
                }
                reported.push(service.to_ascii_lowercase());
                let owner = doc.origin.owner.as_deref().map_or_else(String::new, |owner| format!(" of `{owner}`"));
                ctx.report(
                    item.span,
                    format!(
                        "No attached SCP allows `{service}` actions, which this policy{owner} grants: with the SCPs allow-listing services instead of FullAWSAccess, the grant has no effect in member accounts"
                    ),
                )
                .severity(Severity::Info)
                .note("add the service to an allow-list SCP, or drop the grant");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn scp_pitfalls() {
        RuleTest::new(&super::ScpPitfalls)
            .fail_with(
                case::policy_json_as("scp", r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}}"#),
                "blocks AWS services",
            )
            .pass(case::policy_json_as("scp", r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"},"BoolIfExists":{"aws:ViaAWSService":"false"}}}}"#))
            // Not an SCP: a permissions policy that denies outside a region is the team's choice.
            .pass(case::policy_json_as("identity", r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}}"#))
            .pass(case::hcl("resource \"aws_organizations_policy\" \"p\" {\n  name    = \"p\"\n  type    = \"SERVICE_CONTROL_POLICY\"\n  content = jsonencode({ Statement = [{ Effect = \"Deny\", Action = \"organizations:LeaveOrganization\", Resource = \"*\" }] })\n}\nresource \"aws_organizations_policy_attachment\" \"a\" {\n  policy_id = aws_organizations_policy.p.id\n  target_id = \"r-abcd\"\n}\n"))
            .fail_with(
                case::hcl("resource \"aws_organizations_organization\" \"org\" {}\nresource \"aws_organizations_policy\" \"p\" {\n  name    = \"p\"\n  type    = \"SERVICE_CONTROL_POLICY\"\n  content = jsonencode({ Statement = [{ Effect = \"Deny\", Action = \"organizations:LeaveOrganization\", Resource = \"*\" }] })\n}\nresource \"aws_organizations_policy_attachment\" \"a\" {\n  policy_id = aws_organizations_policy.p.id\n  target_id = aws_organizations_organization.org.master_account_id\n}\n"),
                "only to the management account",
            )
            .run();
    }

    /// An organization whose attached SCP allows `allowed`, next to a role policy granting
    /// DynamoDB and S3.
    fn allow_list(allowed: &str) -> String {
        format!(
            r#"resource "aws_organizations_policy" "allow" {{
  name    = "allow-list"
  type    = "SERVICE_CONTROL_POLICY"
  content = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = {allowed}, Resource = "*" }}] }})
}}

resource "aws_organizations_policy_attachment" "workloads" {{
  policy_id = aws_organizations_policy.allow.id
  target_id = "ou-abcd-11111111"
}}

resource "aws_iam_role_policy" "app" {{
  role   = "app"
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = ["dynamodb:GetItem", "s3:GetObject"], Resource = "*" }}] }})
}}
"#
        )
    }

    #[test]
    fn allow_list_gaps() {
        RuleTest::new(&super::ScpPitfalls)
            .fail_with(case::hcl(&allow_list(r#"["s3:*", "ec2:*"]"#)), "No attached SCP allows `dynamodb` actions")
            .pass(case::hcl(&allow_list(r#"["s3:*", "dynamodb:*"]"#)))
            .pass(case::hcl(&allow_list(r#""*""#)))
            .pass(case::hcl(&allow_list(r#"["*:Get*"]"#)))
            .run();
    }
}
