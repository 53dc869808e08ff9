//! IAM605 `set-operator-misuse`.

use rein_model::SetQualifier;

use crate::rules::prelude::*;
use crate::semantics::{OperatorFamily, is_federated_claim_key, is_negated_operator, operator_family, operator_text};

declare_rule! {
    /// ## What it checks
    /// `ForAllValues:` and `ForAnyValue:` used where they do not mean what they seem.
    ///
    /// It reports
    /// `ForAllValues` on a single-valued key in an Allow (a warning: the test is true when the
    /// key is missing, so requests without it pass);
    /// `ForAnyValue` on a single-valued key (works, but misleads);
    /// `ForAllValues` on a multi-valued key in an Allow without a `Null` guard for the key
    /// (requests without tags pass);
    /// `ForAnyValue` with a negated operator (true when any one value differs).
    /// `ForAllValues` in a Deny errs on the strict side and is not reported, nor are identity
    /// provider claims such as OIDC `aud`, which may hold several values.
    ///
    /// ## Why it matters
    /// `ForAllValues` is vacuously true for an empty or absent set, so a condition that looks
    /// like a restriction lets every request without the key through.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {"ForAllValues:StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]
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
    /// Unsafe: dropping the qualifier of a single-valued key tightens the condition, since an
    /// absent key stops matching. Offered when the block has no operator of the new name yet.
    ///
    /// ## References
    /// - AWS IAM User Guide: single-valued vs. multivalued context keys
    SetOperatorMisuse {
        id: "IAM605",
        aliases: [
            "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
            "EMPTY_ARRAY_CONDITION_FORALLVALUES",
            "EMPTY_ARRAY_CONDITION_FORANYVALUE",
            "CONFIRM_AUDIENCE_CLAIM_TYPE",
            "SINGLE_VALUE_CONDITION_TOO_PERMISSIVE",
            "set_operator_validation",
        ],
        category: Suspicious,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for SetOperatorMisuse {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(block) = &stmt.condition else { return };
        let allow = stmt.is_allow();
        let null_guarded = |key: &str| {
            block.entries().any(|(op, entry)| {
                operator_family(&op.name.base).is_some_and(|(_, family)| family == OperatorFamily::Null)
                    && entry.key.name.eq_ignore_ascii_case(key)
                    && entry.values.iter().any(|v| v.value.known().is_some_and(|t| t.eq_ignore_ascii_case("false")))
            })
        };
        for (op, entry) in block.entries() {
            let Some(qualifier) = op.name.qualifier else { continue };
            let Some((base, _)) = operator_family(&op.name.base) else { continue };
            let key = entry.key.name.as_str();
            if is_federated_claim_key(key) {
                continue;
            }
            let Some(info) = ctx.catalog().condition_key(key) else { continue };
            let multi = info.multi_valued();
            let (severity, message) = match (qualifier, multi) {
                (SetQualifier::ForAllValues, false) if allow => (
                    Severity::Warning,
                    format!(
                        "`{key}` is single-valued, and `ForAllValues` is true when it is absent, so requests without it pass"
                    ),
                ),
                (SetQualifier::ForAnyValue, false) => {
                    (Severity::Info, format!("`{key}` is single-valued; `ForAnyValue` works but suggests a set"))
                }
                (SetQualifier::ForAllValues, true) if allow && !null_guarded(key) => (
                    Severity::Info,
                    format!(
                        "`ForAllValues` on `{key}` is true when the request carries no value; add `Null` `{key}`: `false`"
                    ),
                ),
                (SetQualifier::ForAnyValue, true) if is_negated_operator(base) => (
                    Severity::Info,
                    format!("`{}` is true when any one value of `{key}` differs, which is rarely meant", op.key.name),
                ),
                _ => continue,
            };
            let mut finding =
                ctx.report(op.key.span, message).severity(severity).label(entry.key.span, "condition key");
            if !multi {
                let new_name = operator_text(
                    &rein_model::OperatorName { qualifier: None, ..op.name.clone() },
                    base,
                    op.name.if_exists,
                );
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
            r#"{{"Statement":{{"Effect":"{effect}","Action":"ec2:CreateTags","Resource":"*","Condition":{condition}}}}}"#
        )
    }

    #[test]
    fn set_operator_misuse() {
        RuleTest::new(&super::SetOperatorMisuse)
            .fail_with(
                case::policy_json(&stmt("Allow", r#"{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":"o-1"}}"#)),
                "single-valued",
            )
            .fail_with(
                case::policy_json(&stmt("Deny", r#"{"ForAnyValue:StringEquals":{"aws:PrincipalOrgID":"o-1"}}"#)),
                "`ForAnyValue` works",
            )
            .fail_with(
                case::policy_json(&stmt("Allow", r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["Env"]}}"#)),
                "`Null`",
            )
            .fail_with(
                case::policy_json(&stmt("Allow", r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["Env"]}}"#)),
                "differs",
            )
            .pass(case::policy_json(&stmt(
                "Allow",
                r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["Env"]},"Null":{"aws:TagKeys":"false"}}"#,
            )))
            .pass(case::policy_json(&stmt("Deny", r#"{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":"o-1"}}"#)))
            .pass(case::policy_json(&stmt("Allow", r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["Env"]}}"#)))
            .pass(case::policy_json(&stmt("Allow", r#"{"ForAnyValue:StringEquals":{"accounts.google.com:aud":"x"}}"#)))
            .fix(
                case::policy_json(&stmt(
                    "Allow",
                    r#"{"ForAllValues:StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#,
                )),
                &stmt("Allow", r#"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#),
            )
            .run();
    }
}
