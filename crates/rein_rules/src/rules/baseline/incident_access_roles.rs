//! IAM516 `incident-access-roles`.

use rein_model::{Entity, EntityKind, Node, NodeKind, PolicyKind};

use super::{alarm_patterns, checks_existence, names_entity, object_member};
use crate::engine::Unit;
use crate::rules::prelude::*;
use crate::semantics::{PrincipalShape, grants_assume_role, positive_condition_values, principal_items};

declare_rule! {
    /// ## What it checks
    /// The roles that incident response relies on.
    /// - **Support role** (info, `baseline` profile): a role with
    ///   `arn:aws:iam::aws:policy/AWSSupportAccess` attached, so that someone can open cases
    ///   with AWS Support (CIS 1.17).
    /// - **Break-glass roles** (warning): roles tagged `rein:break-glass = "true"`, or listed in
    ///   `break_glass_principals`, must
    ///   - trust only named principals (a role or user ARN, not an account root or anyone);
    ///   - require MFA in every statement that allows assuming them:
    ///     `Bool aws:MultiFactorAuthPresent "true"`, without `IfExists`;
    ///   - keep `max_session_duration` at 3600 seconds or less;
    ///   - have an alarm (a metric filter or EventBridge rule) on `AssumeRole` of the role.
    ///
    /// ## Why it matters
    /// Emergency access is the most powerful access an account has; it must be narrow, strongly
    /// authenticated, short-lived and loud when used.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role" "break_glass" {
    ///   name = "break-glass"
    ///   tags = { "rein:break-glass" = "true" }
    ///   assume_role_policy = jsonencode({
    ///     Statement = [{
    ///       Effect    = "Allow"
    ///       Action    = "sts:AssumeRole"
    ///       Principal = { AWS = "arn:aws:iam::123456789012:root" }
    ///     }]
    ///   })
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   BreakGlass:
    ///     Type: AWS::IAM::Role
    ///     Properties:
    ///       MaxSessionDuration: 43200
    ///       Tags:
    ///         - Key: rein:break-glass
    ///           Value: "true"
    ///       AssumeRolePolicyDocument:
    ///         Statement:
    ///           - Effect: Allow
    ///             Action: sts:AssumeRole
    ///             Principal:
    ///               AWS: arn:aws:iam::999900001111:role/security-oncall
    ///             Condition:
    ///               Bool:
    ///                 aws:MultiFactorAuthPresent: "true"
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_role" "support" {
    ///   name = "support"
    ///   assume_role_policy = jsonencode({
    ///     Statement = [{
    ///       Effect    = "Allow"
    ///       Action    = "sts:AssumeRole"
    ///       Principal = { AWS = "arn:aws:iam::999900001111:role/security-oncall" }
    ///     }]
    ///   })
    /// }
    ///
    /// resource "aws_iam_role_policy_attachment" "support" {
    ///   role       = aws_iam_role.support.name
    ///   policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
    /// }
    ///
    /// resource "aws_iam_role" "break_glass" {
    ///   name = "break-glass"
    ///   tags = { "rein:break-glass" = "true" }
    ///   assume_role_policy = jsonencode({
    ///     Statement = [{
    ///       Effect    = "Allow"
    ///       Action    = "sts:AssumeRole"
    ///       Principal = { AWS = "arn:aws:iam::999900001111:role/security-oncall" }
    ///       Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    ///     }]
    ///   })
    /// }
    ///
    /// resource "aws_cloudwatch_event_rule" "break_glass" {
    ///   name = "break-glass-used"
    ///   event_pattern = jsonencode({
    ///     detail = {
    ///       eventName         = ["AssumeRole"]
    ///       requestParameters = { roleArn = ["arn:aws:iam::123456789012:role/break-glass"] }
    ///     }
    ///   })
    /// }
    /// ```
    ///
    /// ## Options
    /// `break-glass-principals` in `[options]` of `rein.toml` names break-glass roles besides
    /// the tagged ones, by IaC address, role name, or a role ARN ending in the name (`*` and `?`
    /// are globs). The same list makes IAM101 and IAM102 report those roles as info.
    ///
    /// ## References
    /// - AWS Well-Architected Security Pillar: SEC03-BP03 establish emergency access process
    /// - CIS AWS Foundations Benchmark 1.17
    IncidentAccessRoles {
        id: "IAM516",
        aliases: ["AVD-AWS-0169"],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

const SUPPORT_POLICY: &str = "arn:aws:iam::aws:policy/AWSSupportAccess";
const BREAK_GLASS_TAG: &str = "rein:break-glass";

impl Rule for IncidentAccessRoles {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        let roles: Vec<&Entity> = unit.entities_of(EntityKind::Role).collect();
        if checks_existence(unit, ctx) && !roles.iter().any(|role| has_support_policy(unit, role)) {
            ctx.report(
                unit.anchor,
                format!("The account baseline in {} declares no role with `AWSSupportAccess` for incidents", unit.name),
            );
        }
        let patterns = alarm_patterns(unit);
        let listed = |role: &Entity| {
            let name = role.string("name").and_then(Value::as_known);
            ctx.settings().options.is_break_glass(&role.address, name)
        };
        let break_glass: Vec<&Entity> = roles.into_iter().filter(|role| is_break_glass(role) || listed(role)).collect();
        for role in break_glass {
            check_break_glass(unit, ctx, role, &patterns);
        }
    }
}

fn has_support_policy(unit: &Unit<'_>, role: &Entity) -> bool {
    let support = |node: &Node| matches!(&node.kind, NodeKind::String(Value::Known(arn)) if arn == SUPPORT_POLICY);
    role.items("managed_policy_arns").into_iter().any(support)
        || unit.entities_of(EntityKind::PolicyAttachment).any(|attachment| {
            attachment.attribute("policy_arn").is_some_and(|attr| support(&attr.value))
                && ["role", "roles"]
                    .iter()
                    .any(|name| attachment.items(name).into_iter().any(|node| names_entity(node, role, "name")))
        })
}

fn is_break_glass(role: &Entity) -> bool {
    let Some(tags) = role.attribute("tags") else { return false };
    let truthy = |node: &Node| rein_model::inventory::node_bool(node) == Some(true);
    if let Some(value) = object_member(&tags.value, BREAK_GLASS_TAG) {
        return truthy(value);
    }
    // CloudFormation: a list of `Key`/`Value` objects.
    role.items("tags").into_iter().any(|tag| {
        object_member(tag, "Key")
            .is_some_and(|key| matches!(&key.kind, NodeKind::String(Value::Known(k)) if k == BREAK_GLASS_TAG))
            && object_member(tag, "Value").is_some_and(truthy)
    })
}

fn check_break_glass(unit: &Unit<'_>, ctx: &mut RuleContext<'_>, role: &Entity, patterns: &[String]) {
    let name = &role.address;
    for doc in unit.documents_of(&role.address).filter(|doc| doc.kind == PolicyKind::Trust) {
        for stmt in doc.statements.iter().filter(|stmt| stmt.is_allow()) {
            let items = semantics::action_items(stmt, ctx);
            if !grants_assume_role(&items) {
                continue;
            }
            if let Some(principal) = &stmt.principal {
                for item in principal_items(principal) {
                    if matches!(item.shape, PrincipalShape::Anyone | PrincipalShape::AccountRoot(_)) {
                        ctx.report(
                            item.value.span,
                            format!("The break-glass role `{name}` trusts a whole account, not named principals"),
                        )
                        .severity(Severity::Warning);
                    }
                }
            }
            let mfa = positive_condition_values(stmt, "aws:MultiFactorAuthPresent")
                .is_some_and(|values| values.iter().any(|value| value.eq_ignore_ascii_case("true")));
            if !mfa && !semantics::condition_has_unknown(stmt) {
                ctx.report(stmt.span, format!("Assuming the break-glass role `{name}` does not require MFA"))
                    .severity(Severity::Warning)
                    .note(
                        "add `\"Condition\": {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}}`, without IfExists",
                    );
            }
        }
    }
    if let Some(attr) = role.attribute("max_session_duration")
        && let Some(seconds) = rein_model::inventory::node_number(&attr.value).filter(|seconds| *seconds > 3600.0)
    {
        ctx.report(
            attr.value.span,
            format!("Sessions of the break-glass role `{name}` last up to {seconds} seconds, more than an hour"),
        )
        .severity(Severity::Warning);
    }
    let role_name = role.string("name").and_then(Value::as_known);
    let alarmed = patterns.iter().any(|pattern| pattern.contains("AssumeRole"))
        && role_name.is_none_or(|role_name| patterns.iter().any(|pattern| pattern.contains(role_name)));
    if !alarmed {
        ctx.report(role.span, format!("No alarm watches `AssumeRole` of the break-glass role `{name}`"))
            .severity(Severity::Warning);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn listed_roles_are_break_glass_roles() {
        const HCL: &str = "resource \"aws_iam_role\" \"s\" {\n  name                = \"emergency\"\n  managed_policy_arns = [\"arn:aws:iam::aws:policy/AWSSupportAccess\"]\n  max_session_duration = 43200\n}\n";
        let listed = |entry: &str| {
            case::hcl(HCL).with_options(crate::RuleOptions {
                break_glass_principals: vec![entry.to_owned()],
                ..Default::default()
            })
        };
        RuleTest::new(&super::IncidentAccessRoles)
            .pass(case::hcl(HCL))
            .pass(listed("someone-else"))
            .fail_with(listed("emergency"), "more than an hour")
            .fail_with(listed("arn:aws:iam::111122223333:role/emergency"), "No alarm watches `AssumeRole`")
            .fail_with(listed("aws_iam_role.s"), "more than an hour")
            .run();
    }

    #[test]
    fn incident_access_roles() {
        RuleTest::new(&super::IncidentAccessRoles)
            .fail_with(case::hcl("resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n}\n"), "no role with `AWSSupportAccess`")
            .pass(case::hcl("resource \"aws_iam_role\" \"s\" {\n  name                = \"support\"\n  managed_policy_arns = [\"arn:aws:iam::aws:policy/AWSSupportAccess\"]\n}\n"))
            .fail_with(
                case::hcl("resource \"aws_iam_role\" \"s\" {\n  name                = \"support\"\n  managed_policy_arns = [\"arn:aws:iam::aws:policy/AWSSupportAccess\"]\n  tags                = { \"rein:break-glass\" = \"true\" }\n}\n"),
                "No alarm watches `AssumeRole`",
            )
            .run();
    }
}
