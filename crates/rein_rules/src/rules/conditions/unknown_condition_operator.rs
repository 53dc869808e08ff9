//! IAM601 `unknown-condition-operator`.

use crate::rules::prelude::*;
use crate::semantics::{CONDITION_OPERATORS, closest, operator_family};

declare_rule! {
    /// ## What it checks
    /// Condition operators that IAM does not know.
    ///
    /// Known are the `String…`,
    /// `Numeric…`, `Date…`, `Bool`, `BinaryEquals`, `IpAddress`, `NotIpAddress`, `Arn…` and `Null`
    /// operators, each with an optional `IfExists` suffix and an optional `ForAllValues:` or
    /// `ForAnyValue:` prefix.
    /// Terraform's `condition { test = … }` takes the same names.
    /// `NullIfExists` is left to IAM604, which explains why it cannot work.
    ///
    /// ## Why it matters
    /// AWS rejects the policy, so the deployment fails, or a hand-rolled validator lets a typo
    /// through that never matches.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {"StringEqual": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the corrected operator starts to match requests, which changes what the
    /// statement allows or denies. Offered only when one operator is clearly the closest.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: condition operators
    UnknownConditionOperator {
        id: "IAM601",
        aliases: ["INVALID_CONDITION_OPERATOR", "UNKNOWN_OPERATOR", "E3510"],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// Every valid operator spelling, qualifiers and `IfExists` included.
fn all_spellings() -> Vec<String> {
    let mut out = Vec::new();
    for qualifier in ["", "ForAllValues:", "ForAnyValue:"] {
        for (base, _) in CONDITION_OPERATORS {
            out.push(format!("{qualifier}{base}"));
            if *base != "Null" {
                out.push(format!("{qualifier}{base}IfExists"));
            }
        }
    }
    out
}

impl Rule for UnknownConditionOperator {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(block) = &stmt.condition else { return };
        for op in &block.operators {
            let text = op.key.name.as_str();
            // A qualifier glued without its colon (`ForAllValuesStringEquals`) is unknown too.
            if operator_family(&op.name.base).is_some() {
                continue;
            }
            let spellings = all_spellings();
            let suggestion = closest(text, spellings.iter().map(String::as_str), (text.len() / 5).clamp(2, 4));
            let mut finding = ctx.report(op.key.span, format!("Unknown condition operator `{text}`"));
            if let Some(suggestion) = suggestion {
                finding = finding.note(format!("did you mean `{suggestion}`?")).fix(
                    format!("Replace with `{suggestion}`"),
                    Applicability::Unsafe,
                    vec![PolicyEdit::ReplaceString { target: op.key.span, value: suggestion.to_owned() }],
                );
            }
            drop(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn with_condition(condition: &str) -> String {
        format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{condition}}}}}"#
        )
    }

    #[test]
    fn unknown_condition_operator() {
        RuleTest::new(&super::UnknownConditionOperator)
            .fail_with(case::policy_json(&with_condition(r#"{"StringEqual":{"aws:PrincipalOrgID":"o-1"}}"#)), "`StringEqual`")
            .fail(case::policy_json(&with_condition(r#"{"ForAllValue:StringLike":{"aws:TagKeys":"a*"}}"#)))
            .fail(case::policy_json(&with_condition(r#"{"ForAllValuesStringLike":{"aws:TagKeys":"a*"}}"#)))
            .fail(case::policy_json(&with_condition(r#"{"IpAddr":{"aws:SourceIp":"203.0.113.0/24"}}"#)))
            .pass(case::policy_json(&with_condition(
                r#"{"StringEqualsIgnoreCaseIfExists":{"aws:PrincipalTag/team":"a"},"ForAnyValue:ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"},"Null":{"aws:TokenIssueTime":"false"},"NotIpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#,
            )))
            .pass(case::policy_json(&with_condition(r#"{"NullIfExists":{"aws:TokenIssueTime":"false"}}"#)))
            .fix(
                case::policy_json(&with_condition(r#"{"StringEqual":{"aws:PrincipalOrgID":"o-1"}}"#)),
                &with_condition(r#"{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}"#),
            )
            .run();
    }
}
