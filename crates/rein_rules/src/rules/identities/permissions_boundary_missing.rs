//! IAM414 `permissions-boundary-missing`.

use rein_model::{Entity, EntityKind};

use super::{named_entity, names_entity};
use crate::engine::Unit;
use crate::rules::prelude::*;
use crate::semantics::{DenyCover, deny_cover, grants_action};

declare_rule! {
    /// ## What it checks
    /// IAM roles and users (`aws_iam_role`, `aws_iam_user`, `AWS::IAM::Role`, `AWS::IAM::User`)
    /// without a permissions boundary (`permissions_boundary`, `PermissionsBoundary`). A boundary
    /// whose policy, defined in the same configuration or AWS's `AdministratorAccess`, allows `*`
    /// on `*` counts as missing. The finding is a warning when the principal's own policies let
    /// it create or change roles (`iam:CreateRole`, `iam:PutRolePolicy`, `iam:AttachRolePolicy`,
    /// or `lambda:CreateFunction` together with `iam:PassRole`), and information otherwise.
    /// Service-linked roles, whose policies AWS owns, are not reported.
    ///
    /// ## Why it matters
    /// A boundary caps what a principal can ever do, whatever policies are attached to it later.
    /// Principals that create roles without one can hand those roles, or themselves, more than
    /// they were meant to have.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role" "dev" {
    ///   name               = "developer"
    ///   assume_role_policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_role" "dev" {
    ///   name                 = "developer"
    ///   permissions_boundary = "arn:aws:iam::123456789012:policy/dev-boundary"
    ///   assume_role_policy   = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `permissions_boundary` (`PermissionsBoundary`) to the boundary
    /// configured as `default-boundary-arn`, which caps what the principal may do from the next
    /// deployment on; anything it does beyond the boundary is then denied. Without the option
    /// there is no fix.
    ///
    /// ## Options
    /// `default-boundary-arn` in `[options]` of `rein.toml` names the managed policy the fix
    /// sets as the boundary (`arn:aws:iam::123456789012:policy/dev-boundary`).
    ///
    /// `break-glass-principals` in `[options]` of `rein.toml`: listed roles and users (by IaC
    /// address, name, or an ARN ending in the name; `*` and `?` are globs) are not reported,
    /// since emergency access must not be capped.
    ///
    /// ## References
    /// - AWS IAM User Guide: permissions boundaries for IAM entities
    /// - Terraform AWS provider: `aws_iam_role` and `aws_iam_user`, argument `permissions_boundary`
    PermissionsBoundaryMissing {
        id: "IAM414",
        aliases: [],
        category: Hygiene,
        severity: Info,
        fix: Sometimes,
        frontends: [Hcl, Cfn],
    }
}

/// The AWS managed policy that allows `*` on `*`; as a boundary it bounds nothing.
const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// The inline policy attributes that name a principal of `kind`.
fn owner_attributes(kind: EntityKind) -> [&'static str; 2] {
    if kind == EntityKind::User { ["user", "users"] } else { ["role", "roles"] }
}

/// The identity documents of `principal`: its own inline policies and the inline policy
/// resources that name it.
fn documents<'a>(unit: &Unit<'a>, principal: &Entity) -> Vec<&'a PolicyDocument> {
    let mut docs: Vec<&PolicyDocument> = unit.documents_of(&principal.address).collect();
    for inline in unit.entities_of(EntityKind::InlinePolicy) {
        if owner_attributes(principal.kind).iter().any(|attribute| names_entity(inline, attribute, principal)) {
            docs.extend(unit.documents_of(&inline.address));
        }
    }
    docs.retain(|doc| crate::rules::escalation::is_identity_side(doc));
    docs
}

/// Whether an Allow of `docs` grants `name`, not taken back by an unconditional Deny.
fn allows(docs: &[&PolicyDocument], ctx: &RuleContext<'_>, name: &str) -> bool {
    docs.iter().any(|doc| {
        deny_cover(doc, ctx, name) != DenyCover::Unconditional
            && doc.statements.iter().any(|stmt| stmt.is_allow() && grants_action(stmt, ctx, name).is_some())
    })
}

/// The role-changing permission that makes a missing boundary a warning, for the message.
fn role_changing(docs: &[&PolicyDocument], ctx: &RuleContext<'_>) -> Option<&'static str> {
    ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"]
        .into_iter()
        .find(|name| allows(docs, ctx, name))
        .or_else(|| {
            (allows(docs, ctx, "lambda:CreateFunction") && allows(docs, ctx, "iam:PassRole"))
                .then_some("lambda:CreateFunction` with `iam:PassRole")
        })
}

/// Whether a document allows every action on every resource without a condition.
fn allows_everything(doc: &PolicyDocument) -> bool {
    doc.statements.iter().any(|stmt| {
        let star = |list: &Option<rein_model::ValueList>| {
            list.as_ref().is_some_and(|list| list.items.iter().any(|item| item.known() == Some("*")))
        };
        stmt.is_allow() && !stmt.has_condition() && star(&stmt.action) && star(&stmt.resource)
    })
}

impl Rule for PermissionsBoundaryMissing {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for kind in [EntityKind::Role, EntityKind::User] {
            for principal in unit.entities_of(kind) {
                if is_break_glass(principal, ctx) {
                    continue;
                }
                check_principal(unit, principal, ctx);
            }
        }
    }
}

/// Whether `break_glass_principals` lists the principal: emergency access is not bounded.
fn is_break_glass(principal: &Entity, ctx: &RuleContext<'_>) -> bool {
    let name = principal.string("name").and_then(Value::as_known);
    ctx.settings().options.is_break_glass(&principal.address, name)
}

fn check_principal(unit: &Unit<'_>, principal: &Entity, ctx: &mut RuleContext<'_>) {
    let noun = if principal.kind == EntityKind::User { "User" } else { "Role" };
    let who = match principal.string("name").and_then(Value::as_known) {
        Some(name) => format!("{noun} `{name}`"),
        None => format!("{noun} `{}`", principal.address),
    };
    // Roles under the service-linked path are created and owned by AWS services.
    let path = principal.string("path").and_then(Value::as_known);
    if path.is_some_and(|path| path.starts_with("/aws-service-role/")) {
        return;
    }
    if let Some(attr) = principal.attribute("permissions_boundary") {
        let literal = principal.string("permissions_boundary").and_then(Value::as_known);
        let open = literal.is_some_and(|arn| arn.eq_ignore_ascii_case(ADMINISTRATOR_ACCESS))
            || named_entity(unit, principal, "permissions_boundary", EntityKind::ManagedPolicy)
                .is_some_and(|policy| unit.documents_of(&policy.address).any(allows_everything));
        if open {
            ctx.report(
                attr.value.span,
                format!("The permissions boundary of {who} allows `*` on `*`, so it bounds nothing"),
            );
        }
        return;
    }
    let docs = documents(unit, principal);
    let boundary = ctx.settings().options.default_boundary_arn.clone();
    let finding = match role_changing(&docs, ctx) {
        Some(permission) => ctx
            .report(principal.span, format!("{who} has no permissions boundary but is allowed `{permission}`"))
            .severity(Severity::Warning)
            .note("a principal that creates or changes roles should be capped by a boundary it cannot remove"),
        None => ctx.report(principal.span, format!("{who} has no permissions boundary")),
    };
    let Some(boundary) = boundary else { return };
    finding.fix(
        format!("Set the permissions boundary to `{boundary}`"),
        Applicability::Unsafe,
        vec![PolicyEdit::insert_attribute(principal.extent, "permissions_boundary", AttributeValue::string(&boundary))],
    );
}

#[cfg(test)]
mod tests {
    use rein_diagnostics::Severity;

    use crate::testing::{RuleTest, case, run_rule};

    #[test]
    fn break_glass_principals_are_not_reported() {
        const HCL: &str = "resource \"aws_iam_role\" \"bg\" {\n  name = \"break-glass\"\n}\n";
        const CFN: &str =
            "Resources:\n  BreakGlass:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: break-glass\n";
        let listed = |entry: &str| {
            case::hcl(HCL).with_options(crate::RuleOptions {
                break_glass_principals: vec![entry.to_owned()],
                ..Default::default()
            })
        };
        RuleTest::focused(&super::PermissionsBoundaryMissing)
            .fail(case::hcl(HCL))
            .fail(listed("aws_iam_role.other"))
            .pass(listed("break-glass"))
            .pass(listed("aws_iam_role.bg"))
            .fail(case::cfn(CFN))
            .pass(case::cfn(CFN).with_options(crate::RuleOptions {
                break_glass_principals: vec!["BreakGlass".to_owned()],
                ..Default::default()
            }))
            .run();
    }

    const TRUST: &str = r#"jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
  })"#;

    #[test]
    fn permissions_boundary_missing() {
        let developer = case::hcl(&format!(
            r#"resource "aws_iam_role" "dev" {{
  name               = "developer"
  assume_role_policy = {TRUST}
}}

resource "aws_iam_role_policy" "dev" {{
  role   = aws_iam_role.dev.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["iam:CreateRole", "iam:TagRole"], Resource = "arn:aws:iam::123456789012:role/app-*" }}]
  }})
}}"#
        ));
        let findings = run_rule(&super::PermissionsBoundaryMissing, &developer);
        assert_eq!(findings.iter().map(|f| f.severity).collect::<Vec<_>>(), [Severity::Warning]);
        let reader = case::hcl(&format!(
            r#"resource "aws_iam_role" "reader" {{
  name               = "reader"
  assume_role_policy = {TRUST}
}}"#
        ));
        assert_eq!(
            run_rule(&super::PermissionsBoundaryMissing, &reader).iter().map(|f| f.severity).collect::<Vec<_>>(),
            [Severity::Info]
        );
        RuleTest::new(&super::PermissionsBoundaryMissing)
            .fail_with(developer, "has no permissions boundary but is allowed `iam:CreateRole`")
            .fail_with(reader, "Role `reader` has no permissions boundary")
            .fail_with(
                case::cfn(
                    r#"Resources:
  Builder:
    Type: AWS::IAM::User
    Properties:
      UserName: builder
      Policies:
        - PolicyName: deploy
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [lambda:CreateFunction, iam:PassRole]
                Resource: "*"
"#,
                ),
                "is allowed `lambda:CreateFunction` with `iam:PassRole`",
            )
            .fail_with(
                case::hcl(&format!(
                    r#"resource "aws_iam_policy" "boundary" {{
  name   = "boundary"
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "*", Resource = "*" }}] }})
}}

resource "aws_iam_role" "dev" {{
  name                 = "developer"
  permissions_boundary = aws_iam_policy.boundary.arn
  assume_role_policy   = {TRUST}
}}"#
                )),
                "bounds nothing",
            )
            .pass(case::hcl(&format!(
                r#"resource "aws_iam_role" "dev" {{
  name                 = "developer"
  permissions_boundary = "arn:aws:iam::123456789012:policy/dev-boundary"
  assume_role_policy   = {TRUST}
}}"#
            )))
            .pass(case::hcl(&format!(
                r#"resource "aws_iam_role" "dev" {{
  name                 = "developer"
  permissions_boundary = var.boundary_arn
  assume_role_policy   = {TRUST}
}}"#
            )))
            .pass(case::hcl(
                r#"resource "aws_iam_service_linked_role" "es" {
  aws_service_name = "opensearchservice.amazonaws.com"
}"#,
            ))
            // With a default boundary configured, the fix sets it.
            .fix(
                case::hcl(&format!(
                    "resource \"aws_iam_role\" \"reader\" {{\n  name               = \"reader\"\n  assume_role_policy = {TRUST}\n}}\n"
                ))
                .with_options(boundary()),
                &format!(
                    "resource \"aws_iam_role\" \"reader\" {{\n  name               = \"reader\"\n  assume_role_policy = {TRUST}\n  permissions_boundary = \"{BOUNDARY}\"\n}}\n"
                ),
            )
            .fix(
                case::cfn("Resources:\n  Builder:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: builder\n")
                    .with_options(boundary()),
                &format!(
                    "Resources:\n  Builder:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: builder\n      PermissionsBoundary: {BOUNDARY}\n"
                ),
            )
            .fix(
                case::cfn("{\"Resources\": {\"Builder\": {\"Type\": \"AWS::IAM::Role\"}}}").with_options(boundary()),
                &format!(
                    "{{\"Resources\": {{\"Builder\": {{\"Type\": \"AWS::IAM::Role\", \"Properties\": {{\"PermissionsBoundary\": \"{BOUNDARY}\"}}}}}}}}"
                ),
            )
            .run();
    }

    const BOUNDARY: &str = "arn:aws:iam::123456789012:policy/dev-boundary";

    fn boundary() -> crate::RuleOptions {
        crate::RuleOptions { default_boundary_arn: Some(BOUNDARY.to_owned()), ..crate::RuleOptions::default() }
    }

    #[test]
    fn no_fix_without_a_configured_boundary() {
        let reader = case::hcl("resource \"aws_iam_role\" \"reader\" {\n  name = \"reader\"\n}\n");
        let findings = run_rule(&super::PermissionsBoundaryMissing, &reader);
        assert_eq!(findings.len(), 1);
        assert!(findings.iter().all(|finding| finding.fixes.is_empty()));
    }
}
