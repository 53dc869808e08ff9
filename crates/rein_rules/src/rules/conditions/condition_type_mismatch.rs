//! IAM604 `condition-type-mismatch`.

use std::net::IpAddr;

use rein_catalog::ConditionType;

use crate::rules::prelude::*;
use crate::semantics::{OperatorFamily, has_policy_variable, is_federated_claim_key, operator_family, operator_text};

declare_rule! {
    /// ## What it checks
    /// Condition operators whose family does not fit the type of the key, and values that do not
    /// parse for their operator.
    ///
    /// Reported are a `String…` operator on `aws:SourceIp`, a `Numeric…` operator on a string
    /// key, values that do not parse for
    /// the operator (numbers, ISO 8601 dates, CIDRs, `true`/`false`, `vpc-`/`vpce-` IDs),
    /// `Bool` given both `true` and `false`, `Null` with anything but `true`/`false`, and
    /// `NullIfExists`.
    /// It is an error when the condition can never match, a warning when it works but in the
    /// wrong family, and info for format advice (`StringLike` on an ARN key, where `ArnLike`
    /// matches per field; an epoch date; a set qualifier on `Null`).
    /// Values with policy variables, and numbers and booleans that `aws_iam_policy_document`
    /// renders as strings, are fine.
    ///
    /// ## Why it matters
    /// A comparison of the wrong type never matches, so an Allow grants nothing and a Deny
    /// protects nothing, and AWS often accepts the policy without a word.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {"StringEquals": {"aws:SourceIp": "203.0.113.0/24"}}}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: switching the operator family (`StringEquals` → `IpAddress`, `StringLike` →
    /// `ArnLike`) makes the condition match, which changes what the statement allows or denies.
    /// Offered when the block has no operator of the new name yet.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: condition operators
    /// - AWS IAM User Guide: AWS global condition context keys (data types)
    ConditionTypeMismatch {
        id: "IAM604",
        aliases: [
            "DATA_TYPE_MISMATCH",
            "INVALID_CONDITION_DATA_TYPE",
            "INVALID_CONDITION_MULTIPLE_BOOLEAN",
            "TYPE_MISMATCH",
            "TYPE_MISMATCH_BOOLEAN",
            "TYPE_MISMATCH_DATE",
            "TYPE_MISMATCH_IP_RANGE",
            "TYPE_MISMATCH_NUMBER",
            "TYPE_MISMATCH_STRING",
            "INVALID_DATE_VALUE",
            "INVALID_VPC_FORMAT",
            "INVALID_VPCE_FORMAT",
            "NULL_WITH_IF_EXISTS",
            "NULL_WITH_QUALIFIER",
            "MISMATCHED_TYPE",
            "MISMATCHED_TYPE_BUT_USABLE",
            "MISMATCHED_TYPE_OPERATION_TO_NULL",
        ],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// The operator family a key type is compared with, and a like-for-like operator for the fix.
fn family_of(ty: ConditionType) -> OperatorFamily {
    match ty.element_type() {
        ConditionType::Arn => OperatorFamily::Arn,
        ConditionType::Bool => OperatorFamily::Bool,
        ConditionType::Date => OperatorFamily::Date,
        ConditionType::IpAddress => OperatorFamily::IpAddress,
        ConditionType::Numeric => OperatorFamily::Numeric,
        ConditionType::Binary => OperatorFamily::Binary,
        _ => OperatorFamily::String,
    }
}

/// How bad an operator family is for a key family: `None` when it fits.
fn mismatch(op: OperatorFamily, key: OperatorFamily, key_name: &str, like: bool) -> Option<Severity> {
    use OperatorFamily as F;
    match (op, key) {
        (a, b) if a == b => None,
        (F::Null, _) => None,
        // String operators compare ARNs as text. An exact `StringEquals` is what AWS's own
        // examples use for `aws:SourceArn`, so only the pattern form is worth a note: `ArnLike`
        // matches per ARN field.
        (F::String, F::Arn) if like => Some(Severity::Info),
        (F::String, F::Arn) => None,
        (F::Arn, F::String) => Some(Severity::Warning),
        // `aws:EpochTime` takes date and numeric operators alike (global key table).
        (F::Numeric, F::Date) if key_name.eq_ignore_ascii_case("aws:EpochTime") => None,
        (F::String, F::Numeric | F::Bool | F::Date) => Some(Severity::Warning),
        _ => Some(Severity::Error),
    }
}

/// The operator of `family` that replaces `base` in the fix.
fn replacement(base: &str, family: OperatorFamily) -> Option<&'static str> {
    let negated = base.contains("Not");
    let like = base.contains("Like");
    Some(match (family, negated, like) {
        (OperatorFamily::IpAddress, false, _) => "IpAddress",
        (OperatorFamily::IpAddress, true, _) => "NotIpAddress",
        (OperatorFamily::Arn, false, false) => "ArnEquals",
        (OperatorFamily::Arn, false, true) => "ArnLike",
        (OperatorFamily::Arn, true, false) => "ArnNotEquals",
        (OperatorFamily::Arn, true, true) => "ArnNotLike",
        (OperatorFamily::Numeric, false, false) => "NumericEquals",
        (OperatorFamily::Numeric, true, false) => "NumericNotEquals",
        (OperatorFamily::Bool, false, false) => "Bool",
        _ => return None,
    })
}

fn is_cidr(text: &str) -> bool {
    let (address, prefix) = text.split_once('/').unwrap_or((text, ""));
    let Ok(ip) = address.parse::<IpAddr>() else { return false };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.is_empty() || prefix.parse::<u8>().is_ok_and(|bits| bits <= max)
}

fn is_date(text: &str) -> bool {
    text.parse::<jiff::Timestamp>().is_ok()
        || text.parse::<jiff::civil::Date>().is_ok()
        || text.parse::<jiff::civil::DateTime>().is_ok()
}

impl Rule for ConditionTypeMismatch {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(block) = &stmt.condition else { return };
        for op in &block.operators {
            let Some((base, family)) = operator_family(&op.name.base) else { continue };
            if family == OperatorFamily::Null {
                if op.name.if_exists {
                    ctx.report(
                        op.key.span,
                        format!("`{}` cannot work: `Null` already tests whether the key exists", op.key.name),
                    );
                } else if op.name.qualifier.is_some() {
                    ctx.report(op.key.span, format!("`{}`: a set qualifier has no effect on `Null`", op.key.name))
                        .severity(Severity::Info);
                }
            }
            for entry in &op.entries {
                self.check_entry(op, entry, base, family, block, ctx);
            }
        }
    }
}

impl ConditionTypeMismatch {
    fn check_entry(
        &self,
        op: &rein_model::ConditionOperator,
        entry: &rein_model::ConditionEntry,
        base: &str,
        family: OperatorFamily,
        block: &rein_model::ConditionBlock,
        ctx: &mut RuleContext<'_>,
    ) {
        let key = entry.key.name.as_str();
        let values: Vec<(&rein_model::ConditionValue, &str)> = entry
            .values
            .iter()
            .filter(|v| v.kind != rein_model::ScalarKind::Compound)
            .filter_map(|v| v.value.known().map(|text| (v, text)))
            .filter(|(_, text)| !has_policy_variable(text))
            .collect();
        let key_info = (!is_federated_claim_key(key)).then(|| ctx.catalog().condition_key(key)).flatten();
        if let Some(info) = key_info {
            let key_family = family_of(info.ty());
            if let Some(severity) = mismatch(family, key_family, key, base.contains("Like")) {
                let mut finding = ctx
                    .report(
                        op.key.span,
                        format!("`{}` does not fit `{key}`, which is of type {}", op.key.name, info.ty()),
                    )
                    .severity(severity)
                    .label(entry.key.span, "condition key");
                if let Some(new_base) = replacement(base, key_family) {
                    let new_name = operator_text(&op.name, new_base, op.name.if_exists);
                    finding = super::rename_operator(finding, op, block, &new_name);
                }
                drop(finding);
                return;
            }
        }
        match family {
            OperatorFamily::Numeric => {
                for (value, text) in &values {
                    if text.trim().parse::<f64>().is_err() {
                        ctx.report(
                            value.value.span,
                            format!("`{text}` is not a number, so `{}` never matches", op.key.name),
                        );
                    }
                }
            }
            OperatorFamily::Date => {
                for (value, text) in &values {
                    if text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() {
                        ctx.report(
                            value.value.span,
                            format!("`{text}` is an epoch time; ISO 8601 (`2026-01-01T00:00:00Z`) is clearer"),
                        )
                        .severity(Severity::Info);
                    } else if !is_date(text) {
                        ctx.report(
                            value.value.span,
                            format!("`{text}` is not a date, so `{}` never matches", op.key.name),
                        );
                    }
                }
            }
            OperatorFamily::IpAddress => {
                for (value, text) in &values {
                    if !is_cidr(text) {
                        ctx.report(value.value.span, format!("`{text}` is not an IP address or CIDR range"));
                    }
                }
            }
            OperatorFamily::Bool | OperatorFamily::Null => {
                for (value, text) in &values {
                    if !text.eq_ignore_ascii_case("true") && !text.eq_ignore_ascii_case("false") {
                        ctx.report(
                            value.value.span,
                            format!("`{}` takes `true` or `false`, not `{text}`", op.key.name),
                        );
                    }
                }
                let has = |wanted: &str| values.iter().any(|(_, t)| t.eq_ignore_ascii_case(wanted));
                if has("true") && has("false") {
                    ctx.report(
                        entry.span,
                        format!("`{key}` is tested against both `true` and `false`, so the test always passes"),
                    );
                }
            }
            OperatorFamily::String => {
                let prefix = match key.to_ascii_lowercase().as_str() {
                    "aws:sourcevpc" => "vpc-",
                    "aws:sourcevpce" => "vpce-",
                    _ => return,
                };
                for (value, text) in &values {
                    if !text.starts_with(prefix) && !text.contains(['*', '?']) {
                        ctx.report(
                            value.value.span,
                            format!("`{text}` is not a `{prefix}` ID, so `{key}` never equals it"),
                        );
                    }
                }
            }
            OperatorFamily::Arn | OperatorFamily::Binary => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn stmt(condition: &str) -> String {
        format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{condition}}}}}"#
        )
    }

    #[test]
    fn condition_type_mismatch() {
        RuleTest::new(&super::ConditionTypeMismatch)
            .fail_with(case::policy_json(&stmt(r#"{"StringEquals":{"aws:SourceIp":"203.0.113.0/24"}}"#)), "IPAddress")
            .fail_with(case::policy_json(&stmt(r#"{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"}}"#)), "ARN")
            .fail_with(case::policy_json(&stmt(r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"one hour"}}"#)), "not a number")
            .fail_with(case::policy_json(&stmt(r#"{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}"#)), "not a date")
            .fail_with(case::policy_json(&stmt(r#"{"DateGreaterThan":{"aws:CurrentTime":"1700000000"}}"#)), "epoch")
            .fail_with(case::policy_json(&stmt(r#"{"IpAddress":{"aws:SourceIp":"203.0.113.300/24"}}"#)), "not an IP")
            .fail_with(case::policy_json(&stmt(r#"{"Bool":{"aws:SecureTransport":["true","false"]}}"#)), "always passes")
            .fail_with(case::policy_json(&stmt(r#"{"Null":{"aws:TokenIssueTime":"no"}}"#)), "`true` or `false`")
            .fail_with(case::policy_json(&stmt(r#"{"NullIfExists":{"aws:TokenIssueTime":"true"}}"#)), "cannot work")
            .fail_with(case::policy_json(&stmt(r#"{"StringEquals":{"aws:SourceVpce":"1a2b3c4d"}}"#)), "`vpce-`")
            .fail(case::policy_json(&stmt(r#"{"NumericEquals":{"aws:PrincipalOrgID":"1"}}"#)))
            .pass(case::policy_json(&stmt(
                r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32","198.51.100.7"]},"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"aws:MultiFactorAuthAge":3600},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"},"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d","aws:PrincipalTag/team":"${aws:username}"}}"#,
            )))
            .pass(case::policy_json(&stmt(r#"{"NumericGreaterThan":{"aws:EpochTime":"1700000000"}}"#)))
            // AWS's own bucket policy examples compare `aws:SourceArn` with `StringEquals`.
            .pass(case::policy_json(&stmt(r#"{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}}"#)))
            .pass(case::policy_json(&stmt(r#"{"StringEquals":{"aws:SourceVpce":["vpce-1",{"x":1}]}}"#)))
            .fix(
                case::policy_json(&stmt(r#"{"StringEquals":{"aws:SourceIp":"203.0.113.0/24"}}"#)),
                &stmt(r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#),
            )
            .run();
    }
}
