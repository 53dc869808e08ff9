//! IAM415 `delegation-without-boundary-condition`.

use crate::rules::prelude::*;
use crate::semantics::{ActionGrant, DenyCover, deny_cover, grants_action, positive_condition_values};

declare_rule! {
    /// ## What it checks
    /// Identity policies that let a principal create roles or users (`iam:CreateRole`,
    /// `iam:CreateUser`), set their permissions boundary (`iam:PutRolePermissionsBoundary`,
    /// `iam:PutUserPermissionsBoundary`), or, in a policy that creates them, put or attach
    /// policies on them. Each such Allow must carry a positive `iam:PermissionsBoundary`
    /// condition naming a fixed policy ARN. Once a policy delegates this way, it must not also
    /// allow removing a boundary (`iam:DeleteRolePermissionsBoundary`,
    /// `iam:DeleteUserPermissionsBoundary`) or changing the boundary policy itself
    /// (`iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion`, `iam:DeletePolicy` on it).
    /// Grants of `*` (full administrators, reported by IAM101) and grants taken back by an
    /// unconditional Deny of the same policy are not reported.
    ///
    /// ## Why it matters
    /// Letting developers create roles is safe only when every role they create is capped by a
    /// boundary they cannot change. Without the condition, they can create a role with
    /// `AdministratorAccess` and assume or pass it; with a way to delete the boundary or rewrite
    /// the boundary policy, the condition is worth nothing.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {
    ///       "Effect": "Allow",
    ///       "Action": ["iam:CreateRole", "iam:AttachRolePolicy"],
    ///       "Resource": "arn:aws:iam::123456789012:role/app-*"
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {
    ///       "Effect": "Allow",
    ///       "Action": "iam:CreateRole",
    ///       "Resource": "arn:aws:iam::123456789012:role/app-*",
    ///       "Condition": {"ArnEquals": {"iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/dev-boundary"}}
    ///     },
    ///     {
    ///       "Effect": "Allow",
    ///       "Action": "iam:DeleteRolePermissionsBoundary",
    ///       "Resource": "arn:aws:iam::123456789012:role/app-*"
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {
    ///       "Effect": "Allow",
    ///       "Action": ["iam:CreateRole", "iam:AttachRolePolicy"],
    ///       "Resource": "arn:aws:iam::123456789012:role/app-*",
    ///       "Condition": {"ArnEquals": {"iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/dev-boundary"}}
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered when the statement has no `iam:PermissionsBoundary` condition and grants only
    /// actions whose requests carry that key (the creating and granting actions above); other
    /// actions would be denied by it. Always unsafe: roles and users can then be created only
    /// with that boundary. The boundary ARN is `default-boundary-arn` from `[options]` of
    /// `rein.toml` when it is set; otherwise a placeholder,
    /// `arn:aws:iam::<own_account or 111122223333>:policy/BOUNDARY-POLICY-PLACEHOLDER`, to be
    /// replaced with your boundary policy.
    ///
    /// ## References
    /// - AWS IAM User Guide: permissions boundaries for IAM entities, "delegating responsibility
    ///   to others using permissions boundaries"
    /// - pathfinding.cloud: iam-005 (`iam:PutRolePolicy`), iam-009 (`iam:AttachRolePolicy`)
    DelegationWithoutBoundaryCondition {
        id: "IAM415",
        aliases: [],
        category: PrivilegeEscalation,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// Actions that create a principal or set its boundary: always delegation.
const CREATING: [&str; 4] =
    ["iam:CreateRole", "iam:CreateUser", "iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary"];

/// Actions that give permissions to a principal; delegation when the policy also creates them.
const GRANTING: [&str; 4] = ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:AttachUserPolicy"];

/// The boundary policy ARN the fix writes, for the user to replace.
fn placeholder_boundary(own_account: Option<&str>) -> String {
    format!("arn:aws:iam::{}:policy/BOUNDARY-POLICY-PLACEHOLDER", own_account.unwrap_or("111122223333"))
}

/// The boundary the fix requires, and whether it is the configured one (else a placeholder).
fn fix_boundary(options: &crate::engine::RuleOptions) -> (String, bool) {
    match &options.default_boundary_arn {
        Some(arn) => (arn.clone(), true),
        None => (placeholder_boundary(options.own_account.as_deref()), false),
    }
}

/// Whether the statement's `Action` names only creating and granting actions, whose requests
/// carry `iam:PermissionsBoundary`.
fn only_boundary_actions(stmt: &Statement) -> bool {
    stmt.not_action.is_none()
        && stmt.action.as_ref().is_some_and(|list| {
            list.unknown.is_none()
                && list.items.iter().all(|item| {
                    item.known().is_some_and(|text| {
                        CREATING.iter().chain(&GRANTING).any(|name| name.eq_ignore_ascii_case(text))
                    })
                })
        })
}

/// Actions that take a boundary away.
const REMOVING: [&str; 2] = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"];

/// Actions that change a managed policy, the boundary among them.
const REWRITING: [&str; 3] = ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"];

/// Where `stmt` grants `name` so that this rule cares: an Allow, not of every action (full
/// administrators are IAM101's), and not taken back by an unconditional Deny of the document.
fn live_grant<'a>(
    stmt: &'a Statement,
    doc: &PolicyDocument,
    ctx: &RuleContext<'_>,
    name: &str,
) -> Option<ActionGrant<'a>> {
    if !stmt.is_allow() {
        return None;
    }
    let grant = grants_action(stmt, ctx, name)?;
    if grant.text.is_some_and(semantics::is_all_actions) || deny_cover(doc, ctx, name) == DenyCover::Unconditional {
        return None;
    }
    Some(grant)
}

/// The fixed boundary ARNs a positive `iam:PermissionsBoundary` condition of `stmt` names;
/// `None` when there is no such condition or one of its values is a pattern.
fn fixed_boundaries(stmt: &Statement) -> Option<Vec<&str>> {
    let values = positive_condition_values(stmt, "iam:PermissionsBoundary")?;
    let fixed =
        !values.is_empty() && values.iter().all(|v| !semantics::has_wildcard(v) && !semantics::has_policy_variable(v));
    fixed.then_some(values)
}

/// Whether `stmt` delegates: grants a creating action, or a granting one while the document
/// also grants a creating action.
fn delegates(stmt: &Statement, doc: &PolicyDocument, ctx: &RuleContext<'_>, creates: bool) -> bool {
    CREATING.iter().any(|name| live_grant(stmt, doc, ctx, name).is_some())
        || (creates && GRANTING.iter().any(|name| live_grant(stmt, doc, ctx, name).is_some()))
}

/// Whether the policy resource `pattern`, with IAM's `*` and `?` wildcards, matches the literal
/// ARN `text`; a backtracking matcher that compares characters exactly, as IAM compares paths
/// and names.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// How a message names the grant of `name`: the action itself, or the entry that includes it.
fn subject(grant: &ActionGrant<'_>, name: &str) -> String {
    match grant.text {
        Some(text) if text.eq_ignore_ascii_case(name) => format!("`{name}` is allowed"),
        Some(text) => format!("`{text}` allows `{name}`"),
        None => format!("`NotAction` allows `{name}`"),
    }
}

impl Rule for DelegationWithoutBoundaryCondition {
    fn check_document(&self, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if doc.is_unreadable() || !crate::rules::escalation::is_identity_side(doc) {
            return;
        }
        // Every action of these lists is an `iam:` action: a statement that cannot name one has
        // nothing to say, and what the document as a whole delegates is worked out once.
        let candidates: Vec<&Statement> =
            doc.statements.iter().filter(|stmt| stmt.is_allow() && may_name_iam_action(stmt)).collect();
        if candidates.is_empty() {
            return;
        }
        let creates =
            candidates.iter().any(|other| CREATING.iter().any(|name| live_grant(other, doc, ctx, name).is_some()));
        let delegating: Vec<&Statement> =
            candidates.iter().copied().filter(|other| delegates(other, doc, ctx, creates)).collect();
        let boundaries: Vec<&str> = delegating.iter().filter_map(|other| fixed_boundaries(other)).flatten().collect();
        for stmt in candidates {
            check_candidate(stmt, doc, ctx, creates, &delegating, &boundaries);
        }
    }
}

/// Whether some entry of the statement's actions may name an `iam:` action: a `NotAction`, an
/// unknown entry, or a pattern whose service part matches `iam`.
fn may_name_iam_action(stmt: &Statement) -> bool {
    let Some(list) = &stmt.action else { return true };
    list.items.iter().any(|item| match item.known() {
        None => true,
        Some(text) => match text.split_once(':') {
            Some((service, _)) => semantics::glob_matches(service, "iam"),
            None => text.contains('*'),
        },
    })
}

/// The findings of one Allow statement of an identity-side document.
fn check_candidate(
    stmt: &Statement,
    doc: &PolicyDocument,
    ctx: &mut RuleContext<'_>,
    creates: bool,
    delegating: &[&Statement],
    boundaries: &[&str],
) {
    // One finding per offending entry: `iam:*` names several of these actions, and the first
    // problem found with an entry is the one reported.
    let mut seen = Vec::new();
    // The delegation itself must carry a fixed boundary.
    if fixed_boundaries(stmt).is_none() {
        let mut fix_offered = false;
        let names = CREATING.iter().chain(if creates { GRANTING.iter() } else { [].iter() });
        for name in names {
            let Some(grant) = live_grant(stmt, doc, ctx, name) else { continue };
            if seen.contains(&grant.span) {
                continue;
            }
            seen.push(grant.span);
            let subject = subject(&grant, name);
            let conditioned = positive_condition_values(stmt, "iam:PermissionsBoundary").is_some();
            let message = if conditioned {
                format!("{subject} with an `iam:PermissionsBoundary` condition that is not a fixed policy ARN")
            } else {
                format!("{subject} without an `iam:PermissionsBoundary` condition")
            };
            let (boundary, configured) = fix_boundary(&ctx.settings().options);
            let mut finding = ctx.report(grant.span, message).note(
                "require `iam:PermissionsBoundary` to equal the ARN of a boundary policy the principal cannot change",
            );
            if !conditioned && only_boundary_actions(stmt) && !std::mem::replace(&mut fix_offered, true) {
                let title = if configured {
                    format!("Require the permissions boundary `{boundary}`")
                } else {
                    "Require a fixed permissions boundary (placeholder policy ARN)".to_owned()
                };
                let edit = PolicyEdit::insert_condition(stmt, "ArnEquals", "iam:PermissionsBoundary", &[boundary]);
                finding = finding.fix(title, Applicability::Unsafe, edit.into_iter().collect());
            }
            drop(finding);
        }
    }
    // Once the document delegates, the boundary must stay out of the principal's reach.
    if delegating.is_empty() {
        return;
    }
    for name in REMOVING {
        let Some(grant) = live_grant(stmt, doc, ctx, name) else { continue };
        if seen.contains(&grant.span) {
            continue;
        }
        seen.push(grant.span);
        let subject = subject(&grant, name);
        ctx.report(grant.span, format!("{subject} next to delegated role or user creation; it removes the boundary"))
            .note("deny this action so that the boundary the delegation requires cannot be taken off");
    }
    if boundaries.is_empty() {
        return;
    }
    let Some(resources) = &stmt.resource else { return };
    for name in REWRITING {
        let Some(grant) = live_grant(stmt, doc, ctx, name) else { continue };
        if seen.contains(&grant.span) {
            continue;
        }
        let hit = resources.items.iter().find_map(|item| {
            let text = item.value.as_known()?;
            boundaries.iter().find(|boundary| glob_matches(text, boundary)).map(|boundary| (item.span, *boundary))
        });
        if let Some((span, boundary)) = hit {
            seen.push(grant.span);
            let subject = subject(&grant, name);
            ctx.report(
                grant.span,
                format!("{subject} on the boundary policy `{boundary}`; it can rewrite the boundary"),
            )
            .label(span, "includes the boundary policy");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob_matches;
    use crate::testing::{RuleTest, case, run_rule};

    const BOUNDARY: &str =
        r#""Condition":{"ArnEquals":{"iam:PermissionsBoundary":"arn:aws:iam::123456789012:policy/dev-boundary"}}"#;

    #[test]
    fn glob() {
        assert!(glob_matches("*", "arn:aws:iam::1:policy/x"));
        assert!(glob_matches("arn:aws:iam::*:policy/dev-*", "arn:aws:iam::1:policy/dev-boundary"));
        assert!(!glob_matches("arn:aws:iam::1:policy/app-*", "arn:aws:iam::1:policy/dev-boundary"));
        assert!(glob_matches("arn:aws:iam::1:policy/dev-boundar?", "arn:aws:iam::1:policy/dev-boundary"));
    }

    #[test]
    fn delegation_without_boundary_condition() {
        let fails = case::policy_json(
            r#"{"Statement":{"Effect":"Allow","Action":["iam:CreateRole","iam:AttachRolePolicy"],"Resource":"arn:aws:iam::123456789012:role/app-*"}}"#,
        );
        assert_eq!(run_rule(&super::DelegationWithoutBoundaryCondition, &fails).len(), 2);
        RuleTest::new(&super::DelegationWithoutBoundaryCondition)
            .fail_with(fails, "`iam:CreateRole` is allowed without an `iam:PermissionsBoundary` condition")
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:Create*","Resource":"*"}}"#),
                "`iam:Create*` allows `iam:CreateRole`",
            )
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*","Condition":{"ArnLike":{"iam:PermissionsBoundary":"arn:aws:iam::123456789012:policy/*"}}}}"#),
                "not a fixed policy ARN",
            )
            .fail_with(
                case::policy_json(&format!(
                    r#"{{"Statement":[{{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*",{BOUNDARY}}},{{"Effect":"Allow","Action":"iam:DeleteRolePermissionsBoundary","Resource":"*"}}]}}"#
                )),
                "removes the boundary",
            )
            .fail_with(
                case::policy_json(&format!(
                    r#"{{"Statement":[{{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*",{BOUNDARY}}},{{"Effect":"Allow","Action":["iam:CreatePolicyVersion","iam:GetPolicy"],"Resource":"arn:aws:iam::123456789012:policy/dev-*"}}]}}"#
                )),
                "on the boundary policy `arn:aws:iam::123456789012:policy/dev-boundary`",
            )
            // The boundary condition on the delegation.
            .pass(case::policy_json(&format!(
                r#"{{"Statement":{{"Effect":"Allow","Action":["iam:CreateRole","iam:AttachRolePolicy","iam:PutRolePolicy"],"Resource":"arn:aws:iam::123456789012:role/app-*",{BOUNDARY}}}}}"#
            )))
            // Policy edits on other policies are not edits of the boundary.
            .pass(case::policy_json(&format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*",{BOUNDARY}}},{{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"arn:aws:iam::123456789012:policy/app-*"}}]}}"#
            )))
            // Attaching policies without creating roles is IAM2xx's concern, not delegation.
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"arn:aws:iam::123456789012:role/app-*"}}"#))
            // Full administrators are reported by IAM101.
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#))
            // Deny statements, and grants an unconditional Deny takes back.
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"iam:CreateRole","Resource":"*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":[{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*"},{"Effect":"Deny","Action":"iam:CreateRole","Resource":"*"}]}"#,
            ))
            // Trust policies do not grant IAM actions.
            .pass(case::policy_json_as(
                "trust",
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","iam:CreateRole"]}}"#,
            ))
            .fix(
                case::policy_json(
                    r#"{"Statement":{"Effect":"Allow","Action":["iam:CreateRole","iam:AttachRolePolicy"],"Resource":"arn:aws:iam::123456789012:role/app-*"}}"#,
                ), r#"{"Statement":{"Effect":"Allow","Action":["iam:CreateRole","iam:AttachRolePolicy"],"Resource":"arn:aws:iam::123456789012:role/app-*","Condition":{"ArnEquals":{"iam:PermissionsBoundary":"arn:aws:iam::111122223333:policy/BOUNDARY-POLICY-PLACEHOLDER"}}}}"#)
            .fix(
                case::policy_json(
                    r#"{"Statement":{"Effect":"Allow","Action":["iam:CreateRole","iam:AttachRolePolicy"],"Resource":"arn:aws:iam::123456789012:role/app-*"}}"#,
                )
                .with_options(crate::engine::RuleOptions {
                    default_boundary_arn: Some("arn:aws:iam::123456789012:policy/dev-boundary".to_owned()),
                    ..crate::engine::RuleOptions::default()
                }),
                r#"{"Statement":{"Effect":"Allow","Action":["iam:CreateRole","iam:AttachRolePolicy"],"Resource":"arn:aws:iam::123456789012:role/app-*","Condition":{"ArnEquals":{"iam:PermissionsBoundary":"arn:aws:iam::123456789012:policy/dev-boundary"}}}}"#,
            )
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "dev" {
  statement {
    sid       = "CreateAppRoles"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy"]
    resources = ["arn:aws:iam::123456789012:role/app-*"]
    condition {
      test     = "ArnEquals"
      variable = "iam:PermissionsBoundary"
      values   = ["arn:aws:iam::111122223333:policy/BOUNDARY-POLICY-PLACEHOLDER"]
    }
  }
}

resource "aws_iam_policy" "dev" {
  policy = data.aws_iam_policy_document.dev.json
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Dev:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action:
              - iam:CreateUser
            Resource: '*'
            Condition:
              ArnEquals:
                iam:PermissionsBoundary: arn:aws:iam::111122223333:policy/BOUNDARY-POLICY-PLACEHOLDER
"#)
            .run();
    }

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "dev" {
  statement {
    sid       = "CreateAppRoles"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy"]
    resources = ["arn:aws:iam::123456789012:role/app-*"]
  }
}

resource "aws_iam_policy" "dev" {
  policy = data.aws_iam_policy_document.dev.json
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Dev:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action:
              - iam:CreateUser
            Resource: '*'
"#;
}
