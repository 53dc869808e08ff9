//! IAM607 `ifexists-broadens-allow`.

use crate::rules::prelude::*;
use crate::semantics::is_negated_operator;
use crate::semantics::{
    OperatorFamily, action_items, is_condition_scoped, is_scoping_condition_key, operator_family, operator_text,
};

declare_rule! {
    /// ## What it checks
    /// An Allow whose only scoping condition uses an `…IfExists` operator.
    /// `IfExists` makes the test true whenever the key is absent, so the statement is open to
    /// every request that lacks the key: `aws:SourceVpce` is absent on calls that do not pass
    /// through a VPC endpoint, and a service key is absent for actions that do not support it.
    /// It is info when the key is present on every granted action (the `IfExists` is redundant),
    /// as in the documented `ec2:RunInstances` pattern where only some resource types carry the
    /// key.
    /// A Deny with `IfExists` is the defensive idiom (an absent key still denies) and is never
    /// reported.
    ///
    /// ## Why it matters
    /// The condition reads as a restriction but lets through exactly the requests it was meant to
    /// stop, such as calls from outside the network.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: without `IfExists`, requests that lack the key are no longer allowed. Offered when
    /// the block has no operator of the new name yet.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: condition operators (`...IfExists`)
    IfexistsBroadensAllow {
        id: "IAM607",
        aliases: ["ifexists_condition_usage"],
        category: OverlyPermissive,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// A key of one service (`ec2:InstanceType`), as opposed to a global `aws:` key.
fn is_service_key(key: &str) -> bool {
    key.split_once(':').is_some_and(|(prefix, _)| !prefix.eq_ignore_ascii_case("aws") && !prefix.contains('.'))
}

impl Rule for IfexistsBroadensAllow {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !matches!(doc.kind, PolicyKind::Identity | PolicyKind::Resource { .. } | PolicyKind::Trust)
            || !stmt.is_allow()
        {
            return;
        }
        let Some(block) = &stmt.condition else { return };
        let items = action_items(stmt, ctx);
        // Another positive test without `IfExists` on a scoping or service key still restricts
        // the statement, so the `IfExists` one is not its only restriction.
        let otherwise_restricted = is_condition_scoped(stmt, &items)
            || block.entries().any(|(op, entry)| {
                !op.name.if_exists
                    && !is_negated_operator(&op.name.base)
                    && operator_family(&op.name.base).is_some_and(|(_, family)| family != OperatorFamily::Null)
                    && is_service_key(&entry.key.name)
            });
        if otherwise_restricted {
            return;
        }
        for (op, entry) in block.entries() {
            let Some((base, family)) = operator_family(&op.name.base) else { continue };
            let key = entry.key.name.as_str();
            if !op.name.if_exists
                || family == OperatorFamily::Null
                || !(is_scoping_condition_key(key) || key.eq_ignore_ascii_case("aws:SourceIp") || is_service_key(key))
            {
                continue;
            }
            // A service key is present on the actions that support it; when every granted action
            // does, nothing is broadened beyond the documented multi-resource pattern.
            let is_global = key.to_ascii_lowercase().starts_with("aws:");
            let actions: Vec<_> = items.iter().flat_map(|item| item.actions.iter()).collect();
            let every_action_has_key = !is_global
                && stmt.not_action.is_none()
                && !actions.is_empty()
                && actions.iter().all(|action| action.condition_keys().iter().any(|info| info.matches(key)));
            let (severity, message) = if every_action_has_key {
                (
                    Severity::Info,
                    format!(
                        "`{}` is the only restriction; every granted action supports `{key}`, so `IfExists` only skips resource types without it",
                        op.key.name
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "`{}` is true whenever `{key}` is absent, so this Allow also grants requests without it",
                        op.key.name
                    ),
                )
            };
            let new_name = operator_text(&op.name, base, false);
            let mut finding =
                ctx.report(op.key.span, message).severity(severity).label(entry.key.span, "only scoping key");
            finding = super::rename_operator(finding, op, block, &new_name);
            drop(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn stmt(effect: &str, action: &str, condition: &str) -> String {
        format!(r#"{{"Statement":{{"Effect":"{effect}","Action":"{action}","Resource":"*","Condition":{condition}}}}}"#)
    }

    #[test]
    fn ifexists_broadens_allow() {
        RuleTest::new(&super::IfexistsBroadensAllow)
            .fail_with(
                case::policy_json(&stmt(
                    "Allow",
                    "s3:GetObject",
                    r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#,
                )),
                "absent",
            )
            .fail(case::policy_json(&stmt(
                "Allow",
                "ec2:RunInstances",
                r#"{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:sns:*:1:x"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Deny",
                "s3:GetObject",
                r#"{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Allow",
                "s3:GetObject",
                r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"},"StringEquals":{"aws:PrincipalOrgID":"o-1"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Allow",
                "s3:GetObject",
                r#"{"StringEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"}}"#,
            )))
            .pass(case::policy_json_as(
                "scp",
                &stmt("Allow", "s3:GetObject", r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}"#),
            ))
            .fix(
                case::policy_json(&stmt(
                    "Allow",
                    "s3:GetObject",
                    r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#,
                )),
                &stmt("Allow", "s3:GetObject", r#"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#),
            )
            .run();
    }
}
