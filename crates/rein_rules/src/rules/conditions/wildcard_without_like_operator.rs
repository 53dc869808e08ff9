//! IAM612 `wildcard-without-like-operator`.

use crate::rules::prelude::*;
use crate::semantics::{operator_family, operator_text};

declare_rule! {
    /// ## What it checks
    /// `StringEquals`, `StringNotEquals` and their `IgnoreCase` forms with a value that contains
    /// `*` or `?`.
    /// These operators compare the characters literally, so `"s3:prefix": "home/*"` matches only
    /// a request whose prefix is exactly `home/*`.
    /// `ArnEquals` and `ArnNotEquals` are not reported: they honour wildcards per ARN field, as
    /// `ArnLike` does. The escapes `${*}` and `${?}` are literal characters on purpose.
    ///
    /// ## Why it matters
    /// An Allow written this way grants nothing the author meant; a Deny written this way
    /// protects nothing (or, with `StringNotEquals`, denies more than meant).
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
    ///     "Condition": {"StringEquals": {"s3:prefix": "home/*"}}}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
    ///     "Condition": {"StringLike": {"s3:prefix": "home/*"}}}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: turning `Equals` into `Like` makes the wildcard match, which broadens the
    /// condition. Offered for `StringEquals` and `StringNotEquals` when the block has no
    /// operator of the new name yet; the `IgnoreCase` forms have no `Like` counterpart.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: condition operators (string operators)
    WildcardWithoutLikeOperator {
        id: "IAM612",
        aliases: ["WILDCARD_WITHOUT_LIKE_OPERATOR"],
        category: Suspicious,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// Whether a value holds `*` or `?` other than the `${*}` and `${?}` escapes.
fn has_literal_wildcard(text: &str) -> bool {
    text.replace("${*}", "").replace("${?}", "").contains(['*', '?'])
}

impl Rule for WildcardWithoutLikeOperator {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(block) = &stmt.condition else { return };
        for op in &block.operators {
            let Some((base, _)) = operator_family(&op.name.base) else { continue };
            let like = match base {
                "StringEquals" => Some("StringLike"),
                "StringNotEquals" => Some("StringNotLike"),
                "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => None,
                _ => continue,
            };
            let new_name = like.map(|like| operator_text(&op.name, like, op.name.if_exists));
            let can_fix = new_name
                .as_ref()
                .is_some_and(|name| !block.operators.iter().any(|other| other.key.name.eq_ignore_ascii_case(name)));
            let mut fix_offered = false;
            for (entry, value) in op.entries.iter().flat_map(|entry| entry.values.iter().map(move |v| (entry, v))) {
                let Some(text) = value.value.known() else { continue };
                if !has_literal_wildcard(text) {
                    continue;
                }
                let mut finding = ctx
                    .report(
                        value.value.span,
                        format!("`{}` compares `{text}` literally, so its wildcard matches only itself", op.key.name),
                    )
                    .label(entry.key.span, "condition key");
                // One edit per operator: the first finding carries it, so applying every fix
                // does not rename the operator twice.
                if let (Some(name), true, false) = (&new_name, can_fix, fix_offered) {
                    fix_offered = true;
                    finding = finding.fix(
                        format!("Replace `{}` with `{name}`", op.key.name),
                        Applicability::Unsafe,
                        vec![PolicyEdit::ReplaceString { target: op.key.span, value: name.clone() }],
                    );
                }
                drop(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn with_condition(condition: &str) -> String {
        format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{condition}}}}}"#
        )
    }

    #[test]
    fn wildcard_without_like_operator() {
        RuleTest::new(&super::WildcardWithoutLikeOperator)
            .fail_with(case::policy_json(&with_condition(r#"{"StringEquals":{"s3:prefix":"home/*"}}"#)), "`home/*`")
            .fail(case::policy_json(&with_condition(
                r#"{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/team":"dev?"}}"#,
            )))
            .fail(case::policy_json(&with_condition(
                r#"{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["a","b*"]}}"#,
            )))
            .pass(case::policy_json(&with_condition(r#"{"StringLike":{"s3:prefix":"home/*"}}"#)))
            .pass(case::policy_json(&with_condition(
                r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:111122223333:*"}}"#,
            )))
            .pass(case::policy_json(&with_condition(r#"{"StringEquals":{"s3:prefix":"home/${*}"}}"#)))
            .pass(case::policy_json(&with_condition(r#"{"StringEquals":{"s3:prefix":"home/${aws:username}/"}}"#)))
            .fix(
                case::policy_json(&with_condition(r#"{"StringEquals":{"s3:prefix":["home/*","pub/*"]}}"#)),
                &with_condition(r#"{"StringLike":{"s3:prefix":["home/*","pub/*"]}}"#),
            )
            .run();
    }
}
