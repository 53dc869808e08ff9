//! IAM210 `reference-access-checks`.

use rein_model::{HoleShape, TemplatePart};

use crate::engine::ForbiddenAccess;
use crate::rules::prelude::*;
use crate::semantics::{
    DenyCover, PrincipalShape, action_items, deny_cover, downgrade, glob_matches, grants_action, is_condition_scoped,
    principal_items, resources_intersect,
};

declare_rule! {
    /// ## What it checks
    /// Grants that reach access the configuration forbids. The option `forbidden_access` lists
    /// (action pattern, resource pattern, optional principal) triples; every `Allow` of an
    /// identity, resource or trust policy that grants one of the actions on a resource the
    /// pattern can name is reported, after the usual Deny subtraction of RULES.md §0.2.
    /// A statement under a scoping condition is reported one severity lower, not left out.
    ///
    /// The rule is off until `forbidden_access` is configured. Resource patterns are compared
    /// field by field as IAM compares ARNs; a value that is not known statically never matches
    /// (it is not a wildcard), while a policy variable such as `${aws:username}` may stand for any
    /// name. A principal in a triple is compared with the principals of resource and trust
    /// policies, and with the address of the resource that owns an identity policy
    /// (`aws_iam_role.ci`).
    ///
    /// ## Why it matters
    /// Some access must never be granted, whoever writes the policy: payroll keys, the audit
    /// bucket, the production deploy role. Writing it down once and checking every change in CI
    /// turns a review habit into a guarantee, offline, before the change is applied.
    ///
    /// ## Example
    /// ```policy-json identity forbid=kms:Decrypt,arn:aws:kms:*:*:key/payroll-*
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json identity forbid=kms:Decrypt,arn:aws:kms:*:*:key/payroll-*
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Action": "kms:Decrypt",
    ///     "Resource": "arn:aws:kms:eu-west-1:123456789012:key/3f1c0e7a-app"
    ///   }]
    /// }
    /// ```
    ///
    /// ## Options
    /// - `forbidden_access`: a list of `{ action, resource, principal }` entries, each an IAM
    ///   glob; `principal` may be left out to mean any principal. Empty by default, which turns
    ///   the rule off.
    ///
    /// ## References
    /// - IAM Access Analyzer: custom policy checks, CheckAccessNotGranted
    /// - AWS IAM User Guide: policy evaluation logic
    ReferenceAccessChecks {
        id: "IAM210",
        aliases: ["SENSITIVE_ACCESS", "CheckAccessNotGranted", "CheckNoNewAccess"],
        category: OverlyPermissive,
        severity: Error,
        fix: None,
        frontends: [PolicyJson, Hcl, Cfn],
    }
}

// FIXME(#6): mode (b) of RULES.md, no new access against a reference revision or a saved
// snapshot, needs the reference as an input of the run.

/// The resource text of a value for matching: known text, with policy variables and
/// typed-placeholder holes standing for any name; `None` for values that may be anything.
fn resource_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Known(text) => text.clone(),
        Value::Partial(parts) => {
            let mut text = String::new();
            for part in parts {
                match part {
                    TemplatePart::Text(piece) => text.push_str(piece),
                    TemplatePart::Hole(unknown) if unknown.shape != HoleShape::Any => text.push('*'),
                    TemplatePart::Hole(_) => return None,
                }
            }
            text
        }
        Value::Unknown(_) => return None,
    };
    Some(replace_variables(&text))
}

/// `${aws:username}` → `*`: a policy variable is some name inside its field.
fn replace_variables(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("${") {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 2..).unwrap_or_default();
        match after.find('}') {
            Some(close) => {
                out.push('*');
                rest = after.get(close + 1..).unwrap_or_default();
            }
            None => {
                rest = rest.get(open..).unwrap_or_default();
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first resource entry of the statement that can name a resource of `pattern`, with its
/// span and text; `NotResource` reaches it unless an entry covers the whole pattern.
fn reached_resource(stmt: &Statement, pattern: &str) -> Option<(rein_text::Span, String)> {
    if let Some(list) = &stmt.not_resource {
        let covered = list.items.iter().any(|item| item.known().is_some_and(|text| glob_matches(text, pattern)));
        let unknown = list.items.iter().any(|item| item.known().is_none());
        return (!covered && !unknown).then(|| (list.key.span, "every resource outside `NotResource`".to_owned()));
    }
    // A trust policy names no resource: the role is the resource, whose ARN is some role's.
    let Some(list) = &stmt.resource else {
        return resources_intersect(pattern, "arn:*:iam::*:role/*").then(|| (stmt.span, "the role".to_owned()));
    };
    list.items.iter().find_map(|item| {
        let text = resource_text(&item.value)?;
        resources_intersect(&text, pattern).then(|| (item.span, format!("`{text}`")))
    })
}

/// Whether the statement applies to the principal of the triple (any principal when it names
/// none).
fn reaches_principal(stmt: &Statement, doc: &PolicyDocument, principal: Option<&str>) -> bool {
    let Some(wanted) = principal else { return true };
    match &stmt.principal {
        Some(element) => principal_items(element).iter().any(|item| match (&item.shape, item.value.known()) {
            (PrincipalShape::Anyone, _) => true,
            (_, Some(text)) => glob_matches(wanted, text) || glob_matches(text, wanted),
            (_, None) => false,
        }),
        None => doc.origin.owner.as_deref().is_some_and(|owner| glob_matches(wanted, owner)),
    }
}

fn describe(entry: &ForbiddenAccess) -> String {
    match &entry.principal {
        Some(principal) => format!("`{}` on `{}` for `{principal}`", entry.action, entry.resource),
        None => format!("`{}` on `{}`", entry.action, entry.resource),
    }
}

impl Rule for ReferenceAccessChecks {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let forbidden = ctx.settings().options.forbidden_access.clone();
        if forbidden.is_empty() || !stmt.is_allow() {
            return;
        }
        let grants = matches!(
            doc.kind,
            PolicyKind::Identity | PolicyKind::Session | PolicyKind::Resource { .. } | PolicyKind::Trust
        );
        if !grants {
            return;
        }
        let items = action_items(stmt, ctx);
        let scoped = is_condition_scoped(stmt, &items);
        for entry in &forbidden {
            if !reaches_principal(stmt, doc, entry.principal.as_deref()) {
                continue;
            }
            let Some((resource_span, resource)) = reached_resource(stmt, &entry.resource) else { continue };
            let reached = ctx.expand(&entry.action).iter().find_map(|action| {
                let name = action.full_name();
                let grant = grants_action(stmt, ctx, &name)?;
                (deny_cover(doc, ctx, &name) != DenyCover::Unconditional).then_some((name, grant.span, grant.text))
            });
            let Some((name, span, text)) = reached else { continue };
            let via = match text {
                Some(text) if text.eq_ignore_ascii_case(&name) => String::new(),
                Some(text) => format!(" through `{text}`"),
                None => " through `NotAction`".to_owned(),
            };
            let mut message =
                format!("`{name}` is allowed{via} on {resource}, which reaches forbidden access {}", describe(entry));
            let mut severity = Severity::Error;
            if scoped {
                severity = downgrade(severity);
                message.push_str(" (scoped by a condition)");
            }
            ctx.report(span, message).severity(severity).label(resource_span, "the resource it reaches");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::{ForbiddenAccess, RuleOptions};
    use crate::testing::{Case, RuleTest, case};

    fn forbid(case: Case, action: &str, resource: &str, principal: Option<&str>) -> Case {
        case.with_options(RuleOptions {
            forbidden_access: vec![ForbiddenAccess {
                action: action.to_owned(),
                resource: resource.to_owned(),
                principal: principal.map(str::to_owned),
            }],
            ..RuleOptions::default()
        })
    }

    const PAYROLL: &str = "arn:aws:kms:*:*:key/payroll-*";

    #[test]
    fn reference_access_checks() {
        let id = |text| case::policy_json_as("identity", text);
        RuleTest::new(&super::ReferenceAccessChecks)
            .fail_with(
                forbid(id(r#"{"Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}"#), "kms:Decrypt", PAYROLL, None),
                "`kms:Decrypt` is allowed through `NotAction` on `*`",
            )
            .fail_with(
                forbid(
                    id(r#"{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:eu-west-1:123456789012:key/payroll-2024","Condition":{"StringEquals":{"kms:ViaService":"s3.eu-west-1.amazonaws.com"}}}]}"#),
                    "kms:Decrypt",
                    PAYROLL,
                    None,
                ),
                "(scoped by a condition)",
            )
            .fail_with(
                forbid(
                    case::hcl(
                        r#"
resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::audit-logs/*" }] })
}
"#,
                    ),
                    "s3:Get*",
                    "arn:aws:s3:::audit-logs/*",
                    Some("aws_iam_role_policy.*"),
                ),
                "`s3:GetObject` is allowed on `arn:aws:s3:::audit-logs/*`",
            )
            .fail_with(
                forbid(
                    case::cfn(
                        r#"
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { AWS: "arn:aws:iam::444455556666:root" }
            Action: sts:AssumeRole
"#,
                    ),
                    "sts:AssumeRole",
                    "*",
                    Some("arn:aws:iam::444455556666:*"),
                ),
                "`sts:AssumeRole` is allowed on the role",
            )
            // Another key, an unknown resource, a Deny that takes it back, another principal.
            .pass(forbid(
                id(r#"{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:eu-west-1:123456789012:key/app-1"}]}"#),
                "kms:Decrypt",
                PAYROLL,
                None,
            ))
            .pass(forbid(
                case::hcl(
                    r#"
resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "kms:Decrypt", Resource = var.key_arn }] })
}
"#,
                ),
                "kms:Decrypt",
                PAYROLL,
                None,
            ))
            .pass(forbid(
                id(r#"{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}"#),
                "kms:Decrypt",
                PAYROLL,
                None,
            ))
            .pass(forbid(
                case::policy_json_as(
                    "resource",
                    r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":"kms:Decrypt","Resource":"*"}]}"#,
                ),
                "kms:Decrypt",
                "*",
                Some("arn:aws:iam::*:role/payroll-*"),
            ))
            // Off until configured.
            .pass(id(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#))
            .run();
    }
}
