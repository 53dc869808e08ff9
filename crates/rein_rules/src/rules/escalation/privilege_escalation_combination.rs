//! IAM204 `privilege-escalation-combination`.

use rein_text::Span;

use super::is_identity_side;
use super::risk_data::{EscalationPath, PathClass, escalation_paths};
use crate::rules::prelude::*;
use crate::semantics::{
    DenyCover, action_items, deny_cover, downgrade, grants_action, is_condition_scoped, positive_condition_values,
    unnarrowed_resource,
};

declare_rule! {
    /// ## What it checks
    /// Identity policy documents that allow every permission of a catalogued multi-permission
    /// privilege-escalation path (`crates/rein_rules/data/escalation_paths.txt`), such as
    /// lambda-001: `iam:PassRole` with `lambda:CreateFunction` and `lambda:InvokeFunction`, or
    /// ec2-001: `iam:PassRole` with `ec2:RunInstances`.
    ///
    /// The path is an error when `iam:PassRole` reaches every role, and a warning when it is
    /// limited to named roles. An `iam:PassedToService` condition that names another service
    /// breaks the path, and so does an unconditional Deny of any of its permissions in the same
    /// document, or a compute statement whose condition pins the attachable instance profile.
    /// Paths made only of IAM permissions (iam-003, iam-014 to iam-021) are reported where
    /// IAM203 is silent: when each permission is narrowed, for example `iam:AttachRolePolicy`
    /// and `sts:AssumeRole` on the same named role. Their steps must reach the same target
    /// where they name resources of one kind; a role-scoped attach and an assume of another
    /// role do not make a path. A PassRole statement scoped by another scoping condition lowers
    /// the finding one step.
    ///
    /// This rule looks at one document. Paths whose permissions come from several policies of
    /// one principal need the principal's whole set of policies and are not part of it yet.
    ///
    /// ## Why it matters
    /// Each permission looks harmless alone; together they let the holder start compute that
    /// runs as any role it can pass, and so act with that role's permissions.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
    ///     {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}
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
    ///       "Action": "iam:PassRole",
    ///       "Resource": "*",
    ///       "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    ///     },
    ///     {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - pathfinding.cloud, the catalogue of AWS privilege-escalation paths
    /// - Rhino Security Labs: AWS IAM Privilege Escalation, Methods and Mitigation
    /// - The list's sources: `crates/rein_rules/data/SOURCE.md`
    PrivilegeEscalationCombination {
        id: "IAM204",
        aliases: [
            "PRIVILEGE_ESCALATION", "CKV_AWS_110", "CKV_AWS_286", "PrivilegeEscalation", "ec2-001", "lambda-001",
            "lambda-002", "cloudformation-001", "glue-001", "codebuild-001", "ecs-001", "sagemaker-001",
            "datapipeline-001", "apprunner-001", "iam-003", "iam-014", "iam-015", "iam-016", "iam-017", "iam-018",
            "iam-019", "iam-020", "iam-021"
        ],
        category: PrivilegeEscalation,
        severity: Error,
        fix: None,
        frontends: [PolicyJson],
    }
}

/// The service principals that may receive a role passed for a path's compute service.
/// SOURCE: the service principals in the AWS IAM User Guide, "AWS services that work with IAM".
fn receiving_services(prefix: &str) -> &'static [&'static str] {
    match prefix {
        "lambda" => &["lambda.amazonaws.com"],
        "ec2" => &["ec2.amazonaws.com"],
        "cloudformation" => &["cloudformation.amazonaws.com"],
        "glue" => &["glue.amazonaws.com"],
        "codebuild" => &["codebuild.amazonaws.com"],
        "datapipeline" => &["datapipeline.amazonaws.com", "elasticmapreduce.amazonaws.com"],
        "sagemaker" => &["sagemaker.amazonaws.com"],
        "ecs" => &["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"],
        "apprunner" => &["tasks.apprunner.amazonaws.com", "build.apprunner.amazonaws.com"],
        _ => &[],
    }
}

/// Whether `name` alone is a catalogued path (IAM203).
fn is_single_path(name: &str) -> bool {
    escalation_paths().iter().any(|path| matches!(path.actions.as_slice(), [only] if only.eq_ignore_ascii_case(name)))
}

/// How one permission of a path is granted in the document.
struct Step {
    span: Span,
    /// The known `Resource` entries of the granting statement.
    resources: Vec<String>,
    /// `iam:PassRole` limited to named roles.
    named_roles: bool,
    scoped: bool,
}

impl Rule for PrivilegeEscalationCombination {
    fn check_document(&self, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !is_identity_side(doc) {
            return;
        }
        // A path needs an action of each of its services; most documents name none of them.
        let services = semantics::allowed_services(doc);
        let named = |action: &str| {
            services.as_ref().is_none_or(|services| {
                action
                    .split_once(':')
                    .is_some_and(|(prefix, _)| services.iter().any(|s| s.eq_ignore_ascii_case(prefix)))
            })
        };
        for path in escalation_paths().iter().filter(|path| path.actions.len() > 1) {
            if !path.actions.iter().all(|action| named(action)) {
                continue;
            }
            let Some(steps) =
                path.actions.iter().map(|name| find_step(doc, ctx, path, name)).collect::<Option<Vec<Step>>>()
            else {
                continue;
            };
            if path.class == PathClass::Iam && !same_targets(&steps) {
                continue;
            }
            report(path, &steps, ctx);
        }
    }
}

fn known_resources(stmt: &Statement) -> Vec<String> {
    stmt.resource.as_ref().map_or_else(Vec::new, |list| {
        list.items.iter().filter_map(|item| item.value.as_known().map(str::to_owned)).collect()
    })
}

/// The resource-type keyword of an ARN (`role` in `arn:aws:iam::1:role/ops`), `None` for `*`.
fn type_keyword(resource: &str) -> Option<&str> {
    semantics::arn_fields(resource)?.resource.split(['/', ':']).next()
}

/// The IAM-only paths act on one target: `iam:AttachRolePolicy` and `sts:AssumeRole` must reach
/// the same role. Steps on different kinds of resource (a policy and a role) are not compared.
fn same_targets(steps: &[Step]) -> bool {
    steps.iter().enumerate().all(|(i, a)| {
        steps.iter().skip(i + 1).all(|b| {
            a.resources.iter().any(|ra| {
                b.resources.iter().any(|rb| {
                    let comparable =
                        matches!((type_keyword(ra), type_keyword(rb)), (Some(x), Some(y)) if x.eq_ignore_ascii_case(y));
                    !comparable || semantics::glob_matches(ra, rb) || semantics::glob_matches(rb, ra)
                })
            })
        })
    })
}

/// The first Allow of `doc` that grants `name` in a way that keeps `path` open.
fn find_step(doc: &PolicyDocument, ctx: &RuleContext<'_>, path: &EscalationPath, name: &str) -> Option<Step> {
    // Most documents grant none of a path's actions: find that out with the cheap name match
    // before the Deny statements and the catalogue are consulted.
    if !doc.statements.iter().any(|stmt| stmt.is_allow() && grants_action(stmt, ctx, name).is_some()) {
        return None;
    }
    if deny_cover(doc, ctx, name) == DenyCover::Unconditional {
        return None;
    }
    let catalog = ctx.catalog();
    let action = ctx.action(name)?;
    let compute = path.actions.iter().find(|a| !a.eq_ignore_ascii_case("iam:PassRole")).and_then(|a| a.split_once(':'));
    doc.statements.iter().filter(|stmt| stmt.is_allow()).find_map(|stmt| {
        let grant = grants_action(stmt, ctx, name)?;
        // Every action on every resource is IAM101's finding.
        if grant.text.is_some_and(semantics::is_all_actions) {
            return None;
        }
        let scoped = is_condition_scoped(stmt, &action_items(stmt, ctx));
        let unnarrowed = unnarrowed_resource(stmt, &action, catalog);
        if name.eq_ignore_ascii_case("iam:PassRole") {
            if let Some(services) = positive_condition_values(stmt, "iam:PassedToService") {
                let receivers = compute.map_or(&[][..], |(prefix, _)| receiving_services(prefix));
                if !services.iter().any(|s| receivers.iter().any(|r| semantics::glob_matches(s, r))) {
                    return None;
                }
            }
            let named_roles = unnarrowed.is_none();
            // A PassRole whose resources are all unknown may name any role or none: no claim.
            let known =
                stmt.resource.as_ref().is_some_and(|list| list.items.iter().any(|i| i.value.as_known().is_some()))
                    || stmt.not_resource.is_some();
            return known.then_some(Step { span: grant.span, resources: known_resources(stmt), named_roles, scoped });
        }
        // A step that alone is an escalation on every resource is IAM203's finding; the
        // combination adds something only where each step is narrowed (attach a policy to the
        // named role, then assume that role).
        if path.class == PathClass::Iam && unnarrowed.is_some() && is_single_path(name) {
            return None;
        }
        // A compute statement that pins the instance profile it may attach does not pass any role.
        if positive_condition_values(stmt, "ec2:InstanceProfile").is_some() {
            return None;
        }
        Some(Step { span: grant.span, resources: known_resources(stmt), named_roles: false, scoped })
    })
}

fn report(path: &EscalationPath, steps: &[Step], ctx: &mut RuleContext<'_>) {
    let Some((first, rest)) = steps.split_first() else { return };
    let named = steps.iter().any(|s| s.named_roles);
    let scoped = steps.iter().any(|s| s.scoped);
    let mut severity = if named { Severity::Warning } else { Severity::Error };
    if scoped {
        severity = downgrade(severity);
    }
    let others: Vec<String> = path.actions.iter().skip(1).map(|a| format!("`{a}`")).collect();
    let lead = path.actions.first().copied().unwrap_or_default();
    let mut message = format!(
        "`{lead}` together with {} in this document completes a privilege-escalation path ({})",
        others.join(", "),
        path.citation()
    );
    if named {
        message.push_str(", through the named roles only");
    }
    if scoped {
        message.push_str(" (scoped by a condition)");
    }
    let mut finding = ctx.report(first.span, message).severity(severity);
    for (step, name) in rest.iter().zip(path.actions.iter().skip(1)) {
        finding = finding.label(step.span, format!("`{name}`"));
    }
    let note = match path.class {
        PathClass::PassRole => {
            "The new resource runs as the passed role; name the roles and add an `iam:PassedToService` condition"
        }
        _ => "Together these let the holder take another principal's permissions or widen its own",
    };
    drop(finding.note(note));
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};
    use rein_diagnostics::Severity;

    fn severities(text: &str) -> Vec<Severity> {
        run_rule(&super::PrivilegeEscalationCombination, &case::policy_json(text)).iter().map(|f| f.severity).collect()
    }

    #[test]
    fn glob_matching() {
        assert!(super::semantics::glob_matches("lambda.amazonaws.com", "LAMBDA.amazonaws.com"));
        assert!(super::semantics::glob_matches("*.amazonaws.com", "ec2.amazonaws.com"));
        assert!(super::semantics::glob_matches("ec?.amazonaws.com", "ec2.amazonaws.com"));
        assert!(!super::semantics::glob_matches("ecs-tasks.amazonaws.com", "lambda.amazonaws.com"));
        assert!(!super::semantics::glob_matches("ec2.*", "lambda.amazonaws.com"));
    }

    #[test]
    fn privilege_escalation_combination() {
        RuleTest::new(&super::PrivilegeEscalationCombination)
            .fail_with(
                case::policy_json(
                    r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#,
                ),
                "pathfinding.cloud lambda-001",
            )
            .fail_with(
                case::policy_json(
                    r#"{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}"#,
                ),
                "ec2-001",
            )
            .fail_with(
                case::policy_json(
                    r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/stack-deployer"},{"Effect":"Allow","Action":"cloudformation:CreateStack","Resource":"arn:aws:cloudformation:eu-west-1:123456789012:stack/app-*/*"}]}"#,
                ),
                "through the named roles only",
            )
            .fail_with(
                case::policy_json(
                    r#"{"Statement":[{"Effect":"Allow","Action":["iam:AttachRolePolicy","sts:AssumeRole"],"Resource":"arn:aws:iam::123456789012:role/ops"}]}"#,
                ),
                "iam-014",
            )
            .pass(case::policy_json(
                r#"{"Statement":[{"Effect":"Allow","Action":["iam:AttachRolePolicy","sts:AssumeRole"],"Resource":"*"}]}"#,
            ))
            .pass(case::policy_json(
                r#"{"Statement":[{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"arn:aws:iam::123456789012:role/app-*"},{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/deploy"}]}"#,
            ))
            .fail_with(
                case::policy_json(
                    r#"{"Statement":[{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"arn:aws:iam::123456789012:policy/ops-managed"},{"Effect":"Allow","Action":"iam:UpdateAssumeRolePolicy","Resource":"arn:aws:iam::123456789012:role/ops"}]}"#,
                ),
                "iam-020",
            )
            .pass(case::policy_json(
                r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}},{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#,
            ))
            .pass(case::policy_json(
                r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"},{"Effect":"Deny","Action":"lambda:CreateFunction","Resource":"*"}]}"#,
            ))
            .pass(case::policy_json(
                r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{"ArnEquals":{"ec2:InstanceProfile":"arn:aws:iam::123456789012:instance-profile/web"}}}]}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":[{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#))
            .pass(case::policy_json(
                r#"{"Statement":[{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}]}"#,
            ))
            .run();
    }

    #[test]
    fn severity_cases() {
        assert_eq!(
            severities(
                r#"{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*"}]}"#
            ),
            [Severity::Error]
        );
        assert_eq!(
            severities(
                r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/web"},{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}"#
            ),
            [Severity::Warning]
        );
    }
}
