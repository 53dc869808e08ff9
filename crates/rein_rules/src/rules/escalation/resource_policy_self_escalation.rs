//! IAM208 `resource-policy-self-escalation`.

use rein_text::Span;

use crate::rules::prelude::*;
use crate::semantics::{grants_action, is_effective_star};

declare_rule! {
    /// ## What it checks
    /// Documents that withhold some actions on a resource while allowing an action that rewrites
    /// that resource's own access policy: `s3:PutBucketPolicy` on the bucket,
    /// `kms:PutKeyPolicy` on the key, `lambda:AddPermission` on the function, or
    /// `iam:UpdateAssumeRolePolicy` on the role.
    ///
    /// - **Withheld by a Deny** of the same document (a warning): the holder cannot lift its own
    ///   Deny, but it can grant the denied access to another principal it controls, or to
    ///   everyone, through the resource policy, and act through that principal.
    /// - **Withheld by omission** (info): the document names the resource without allowing
    ///   the whole service on it, so the holder can grant itself the rest through the resource
    ///   policy. Intent is unknown here, which is why this is only info.
    ///
    /// Not reported: the rewrite action is itself denied on the resource by an unconditional
    /// Deny; the Deny is about a different resource. Rewrite actions on every resource are also
    /// IAM207; this rule reports them only against a Deny.
    /// Denies in the principal's boundary or in SCPs need the whole configuration and are not
    /// part of this rule yet.
    ///
    /// ## Why it matters
    /// A guardrail that the guarded principal can rewrite is advice, not a control: whoever may
    /// edit the bucket policy of `audit` decides who may delete its objects.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::audit/*"},
    ///     {"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::audit"}
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
    ///       "Effect": "Deny",
    ///       "Action": ["s3:DeleteObject", "s3:PutBucketPolicy"],
    ///       "Resource": ["arn:aws:s3:::audit", "arn:aws:s3:::audit/*"]
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: Policy evaluation logic (identity-based and resource-based policies)
    /// - Amazon S3 User Guide: Bucket policies
    ResourcePolicySelfEscalation {
        id: "IAM208",
        aliases: ["RESOURCE_POLICY_PRIVILEGE_ESCALATION"],
        category: PrivilegeEscalation,
        severity: Warning,
        fix: None,
        frontends: [PolicyJson],
    }
}

/// Actions that rewrite the access policy of the resource they act on.
const REWRITE_ACTIONS: &[&str] =
    &["s3:PutBucketPolicy", "kms:PutKeyPolicy", "lambda:AddPermission", "iam:UpdateAssumeRolePolicy"];

/// Whether `inner` (a Deny's resource) lies within `outer` (the rewritten resource): the same
/// ARN, a path below it (`bucket/*`), a version or alias (`function:f:1`), or `outer` is `*`.
fn within(inner: &str, outer: &str) -> bool {
    if outer == "*" || inner == "*" {
        return true;
    }
    inner.eq_ignore_ascii_case(outer)
        || inner.get(..outer.len()).is_some_and(|head| head.eq_ignore_ascii_case(outer))
            && inner.get(outer.len()..).is_some_and(|rest| rest.starts_with('/') || rest.starts_with(':'))
}

/// One known resource entry of an `Allow` that grants a rewrite action.
struct Rewrite<'a> {
    action: &'static str,
    span: Span,
    resource: &'a str,
}

impl Rule for ResourcePolicySelfEscalation {
    fn check_document(&self, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !matches!(
            doc.kind,
            PolicyKind::Identity
                | PolicyKind::Session
                | PolicyKind::PermissionsBoundary
                | PolicyKind::Resource { .. }
                | PolicyKind::Scp
        ) {
            return;
        }
        let catalog = ctx.catalog();
        let mut rewrites: Vec<Rewrite<'_>> = Vec::new();
        for stmt in doc.statements.iter().filter(|s| s.is_allow()) {
            let Some(resources) = &stmt.resource else { continue };
            for action in REWRITE_ACTIONS {
                let Some(grant) = grants_action(stmt, ctx, action) else { continue };
                if grant.text.is_some_and(semantics::is_all_actions) {
                    continue;
                }
                let prefix = action.split_once(':').map_or("", |(p, _)| p);
                for item in &resources.items {
                    let Some(text) = item.value.as_known() else { continue };
                    let service_matches = text == "*"
                        || semantics::arn_fields(text).is_some_and(|f| f.service.eq_ignore_ascii_case(prefix));
                    if service_matches {
                        rewrites.push(Rewrite { action, span: grant.span, resource: text });
                    }
                }
            }
        }
        let denies: Vec<&Statement> = doc.statements.iter().filter(|s| s.is_deny()).collect();
        for rewrite in rewrites {
            let rewrite_denied = denies.iter().any(|deny| {
                !deny.has_condition()
                    && grants_action(deny, ctx, rewrite.action).is_some()
                    && deny.resource.as_ref().is_some_and(|list| {
                        list.items.iter().filter_map(|i| i.value.as_known()).any(|r| within(rewrite.resource, r))
                    })
            });
            if rewrite_denied {
                continue;
            }
            // A Deny of other actions on the same resource, or on what lies inside it.
            let withheld = denies.iter().find_map(|deny| {
                let list = deny.resource.as_ref()?;
                list.items
                    .iter()
                    .filter_map(|i| i.value.as_known())
                    .any(|r| within(r, rewrite.resource))
                    .then_some(())?;
                let action = deny.action.as_ref()?.items.iter().find(|a| {
                    a.known().is_some_and(|t| {
                        t.split_once(':').is_some_and(|(p, _)| {
                            rewrite.action.split_once(':').is_some_and(|(rp, _)| rp.eq_ignore_ascii_case(p))
                        })
                    })
                })?;
                Some((action.span, action.known().unwrap_or_default().to_owned()))
            });
            let star = rewrite.resource == "*" || is_effective_star(&Value::known(rewrite.resource), catalog);
            match withheld {
                Some((deny_span, denied)) => {
                    let message = format!(
                        "`{}` on `{}` can rewrite the resource policy and so undo the Deny of `{denied}`",
                        rewrite.action, rewrite.resource
                    );
                    drop(
                        ctx.report(rewrite.span, message)
                            .label(deny_span, "withheld here")
                            .note(format!("Deny `{}` on the same resource as well", rewrite.action)),
                    );
                }
                None if !star && !allows_whole_service(doc, rewrite.action, rewrite.resource) => {
                    let message = format!(
                        "`{}` on `{}` lets the holder grant itself, through the resource policy, what this document does not allow",
                        rewrite.action, rewrite.resource
                    );
                    drop(ctx.report(rewrite.span, message).severity(Severity::Info));
                }
                None => {}
            }
        }
    }
}

/// Whether an Allow of the document grants the rewrite action's whole service on the resource,
/// so that nothing is withheld by omission.
fn allows_whole_service(doc: &PolicyDocument, action: &str, resource: &str) -> bool {
    let Some((prefix, _)) = action.split_once(':') else { return false };
    doc.statements.iter().filter(|s| s.is_allow()).any(|stmt| {
        let whole = stmt.action.as_ref().is_some_and(|list| {
            list.items.iter().filter_map(|i| i.known()).any(|t| {
                semantics::is_all_actions(t)
                    || semantics::service_wildcard(t).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            })
        });
        whole
            && stmt
                .resource
                .as_ref()
                .is_some_and(|list| list.items.iter().filter_map(|i| i.value.as_known()).any(|r| within(resource, r)))
    })
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};
    use rein_diagnostics::Severity;

    fn severities(text: &str) -> Vec<Severity> {
        run_rule(&super::ResourcePolicySelfEscalation, &case::policy_json(text)).iter().map(|f| f.severity).collect()
    }

    #[test]
    fn resource_policy_self_escalation() {
        RuleTest::new(&super::ResourcePolicySelfEscalation)
            .fail_with(
                case::policy_json(
                    r#"{"Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::audit/*"},{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::audit"}]}"#,
                ),
                "undo the Deny of `s3:DeleteObject`",
            )
            .fail(case::policy_json(
                r#"{"Statement":[{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"},{"Effect":"Allow","Action":"kms:PutKeyPolicy","Resource":"arn:aws:kms:eu-west-1:123456789012:key/3f1c0e7a-app"}]}"#,
            ))
            .fail(case::policy_json(r#"{"Statement":[{"Effect":"Allow","Action":"lambda:AddPermission","Resource":"arn:aws:lambda:eu-west-1:123456789012:function:billing"}]}"#))
            .pass(case::policy_json(
                r#"{"Statement":[{"Effect":"Deny","Action":["s3:DeleteObject","s3:PutBucketPolicy"],"Resource":["arn:aws:s3:::audit","arn:aws:s3:::audit/*"]}]}"#,
            ))
            .pass(case::policy_json(
                r#"{"Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::audit/*"},{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::site"},{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::site","arn:aws:s3:::site/*"]}]}"#,
            ))
            .pass(case::policy_json(
                r#"{"Statement":[{"Effect":"Deny","Action":["s3:DeleteObject","s3:PutBucketPolicy"],"Resource":"*"},{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::audit"}]}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":[{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"*"}]}"#))
            .run();
    }

    #[test]
    fn severity_cases() {
        assert_eq!(
            severities(
                r#"{"Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::audit/*"},{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::audit"}]}"#
            ),
            [Severity::Warning]
        );
        assert_eq!(
            severities(
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::site"}]}"#
            ),
            [Severity::Info]
        );
    }

    #[test]
    fn containment() {
        assert!(super::within("arn:aws:s3:::audit/*", "arn:aws:s3:::audit"));
        assert!(super::within("arn:aws:lambda:eu-west-1:1:function:f:1", "arn:aws:lambda:eu-west-1:1:function:f"));
        assert!(!super::within("arn:aws:s3:::audit-logs", "arn:aws:s3:::audit"));
    }
}
