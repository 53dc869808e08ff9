//! IAM608 `mfa-condition-antipattern`.

use crate::rules::prelude::*;
use crate::semantics::{OperatorFamily, operator_family, operator_text};

declare_rule! {
    /// ## What it checks
    /// Conditions on `aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge` that do not do
    /// what they look like.
    ///
    /// These keys are absent on calls signed with long-term access keys, so these are reported:
    /// (a) `Bool {"aws:MultiFactorAuthPresent": "false"}` in a Deny: access-key calls escape it;
    /// (b) the same in an Allow: it grants to sessions without MFA;
    /// (c) `BoolIfExists {…: "true"}` in an Allow: it grants to access-key calls without MFA;
    /// (d) `Null {…: "false"}` in an Allow: it proves only that the key exists, and a session
    /// without MFA carries `false`;
    /// (e) a `Numeric…` test of `aws:MultiFactorAuthAge` in a Deny without `IfExists`: nothing is
    /// denied when the key is absent.
    /// A Deny with `BoolIfExists "false"` (the documented pattern) and an Allow with `Bool "true"`
    /// are fine.
    ///
    /// ## Why it matters
    /// The policy claims to require MFA while letting the most exposed credentials, long-term
    /// access keys, through.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Deny", "NotAction": ["iam:ListMFADevices", "sts:GetSessionToken"], "Resource": "*",
    ///     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Deny", "NotAction": ["iam:ListMFADevices", "sts:GetSessionToken"], "Resource": "*",
    ///     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: in case (a) `Bool` becomes `BoolIfExists`, so the Deny starts to apply to
    /// access-key calls. The other cases need a rewrite by hand.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: condition operators (`...IfExists`)
    /// - AWS IAM User Guide: AWS global condition context keys (`aws:MultiFactorAuthPresent`)
    MfaConditionAntipattern {
        id: "IAM608",
        aliases: ["BAD_PATTERN_FOR_MFA", "mfa_condition_antipattern"],
        category: Suspicious,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for MfaConditionAntipattern {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if matches!(doc.kind, PolicyKind::PermissionsBoundary | PolicyKind::Rcp | PolicyKind::Session) {
            return;
        }
        let Some(effect) = stmt.effect() else { return };
        let Some(block) = &stmt.condition else { return };
        for (op, entry) in block.entries() {
            let Some((base, family)) = operator_family(&op.name.base) else { continue };
            let key = entry.key.name.to_ascii_lowercase();
            let values: Vec<String> =
                entry.values.iter().filter_map(|v| v.value.known()).map(str::to_ascii_lowercase).collect();
            let has = |wanted: &str| values.iter().any(|v| v == wanted);
            let message = match (key.as_str(), family, effect) {
                ("aws:multifactorauthpresent", OperatorFamily::Bool, Effect::Deny)
                    if !op.name.if_exists && has("false") =>
                {
                    "`Bool` `false` does not match calls signed with long-term access keys, which carry no `aws:MultiFactorAuthPresent`, so they escape this Deny"
                }
                ("aws:multifactorauthpresent", OperatorFamily::Bool, Effect::Allow)
                    if !op.name.if_exists && has("false") =>
                {
                    "This Allow grants to sessions created without MFA"
                }
                ("aws:multifactorauthpresent", OperatorFamily::Bool, Effect::Allow)
                    if op.name.if_exists && has("true") =>
                {
                    "`BoolIfExists` `true` also matches calls signed with long-term access keys, which never used MFA"
                }
                ("aws:multifactorauthpresent", OperatorFamily::Null, Effect::Allow) if has("false") => {
                    "`Null` `false` proves only that the key is present; sessions without MFA carry `false` and pass"
                }
                ("aws:multifactorauthage", OperatorFamily::Numeric, Effect::Deny) if !op.name.if_exists => {
                    "This Deny does not apply when `aws:MultiFactorAuthAge` is absent, as it is for calls without MFA"
                }
                _ => continue,
            };
            let mut finding = ctx.report(op.key.span, message).label(entry.key.span, "MFA key");
            if base == "Bool" && effect == Effect::Deny {
                let new_name = operator_text(&op.name, "Bool", true);
                finding = super::rename_operator(finding, op, block, &new_name);
            }
            drop(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn stmt(effect: &str, condition: &str) -> String {
        format!(
            r#"{{"Statement":{{"Effect":"{effect}","Action":"ec2:StopInstances","Resource":"*","Condition":{condition}}}}}"#
        )
    }

    #[test]
    fn mfa_condition_antipattern() {
        RuleTest::new(&super::MfaConditionAntipattern)
            .fail_with(case::policy_json(&stmt("Deny", r#"{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#)), "escape")
            .fail_with(
                case::policy_json(&stmt("Allow", r#"{"Bool":{"aws:MultiFactorAuthPresent":false}}"#)),
                "without MFA",
            )
            .fail_with(
                case::policy_json(&stmt("Allow", r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"#)),
                "long-term",
            )
            .fail_with(
                case::policy_json(&stmt("Allow", r#"{"Null":{"aws:MultiFactorAuthPresent":"false"}}"#)),
                "`Null`",
            )
            .fail_with(
                case::policy_json(&stmt("Deny", r#"{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}"#)),
                "absent",
            )
            .pass(case::policy_json(&stmt("Deny", r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}"#)))
            .pass(case::policy_json(&stmt("Allow", r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#)))
            .pass(case::policy_json(&stmt(
                "Deny",
                r#"{"NumericGreaterThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}"#,
            )))
            .pass(case::policy_json(&stmt("Allow", r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"#)))
            .fix(
                case::policy_json(&stmt("Deny", r#"{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#)),
                &stmt("Deny", r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}"#),
            )
            .run();
    }
}
