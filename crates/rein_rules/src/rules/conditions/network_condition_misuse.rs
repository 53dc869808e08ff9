//! IAM611 `network-condition-misuse`.

use std::net::IpAddr;

use crate::rules::prelude::*;
use crate::semantics::{OperatorFamily, has_policy_variable, operator_family};

declare_rule! {
    /// ## What it checks
    /// Network conditions that cannot work as written.
    ///
    /// It reports
    /// `aws:SourceIp` tested only against private ranges (RFC 1918, unique local, loopback,
    /// link-local), which it never holds, since it is the public address of the caller: an
    /// Allow with `IpAddress` never matches and a Deny with `NotIpAddress` denies everything
    /// (errors); a mix of public and private ranges (info);
    /// a CIDR with host bits set (info, with the network it stands for);
    /// `aws:VpcSourceIp` without `aws:SourceVpc` or `aws:SourceVpce` in the same condition
    /// (warning: the same private range exists in every VPC);
    /// a Deny on `aws:SourceIp` without an `aws:ViaAWSService` or `aws:PrincipalIsAWSService`
    /// exemption (info: it breaks services that call on the principal's behalf).
    /// `aws:VpcSourceIp` with private ranges is the intended use and is not reported.
    ///
    /// ## Why it matters
    /// Requests through a VPC endpoint carry no `aws:SourceIp` at all and requests from the
    /// internet carry a public one, so a private range there grants nothing or denies everything.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/8"}, "StringEquals": {"aws:SourceVpc": "vpc-0abc1234"}}}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Clearing the host bits of a CIDR is safe: IAM ignores them already. The other cases have
    /// no mechanical fix.
    ///
    /// ## References
    /// - AWS IAM User Guide: AWS global condition context keys (`aws:SourceIp`, `aws:VpcSourceIp`)
    /// - AWS IAM User Guide: AWS: denies access to AWS based on the source IP
    NetworkConditionMisuse {
        id: "IAM611",
        aliases: [
            "PRIVATE_IP_ADDRESS",
            "PRIVATE_NOT_IP_ADDRESS",
            "PRIVATE_IP_ADDRESS_SUBSET",
            "PRIVATE_NOT_IP_ADDRESS_SUBSET",
            "IMPROVE_IP_RANGE",
            "MISSING_PAIRED_CONDITION_KEYS",
        ],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// A parsed CIDR: address and prefix length.
fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (address, prefix) = text.trim().split_once('/').unwrap_or((text.trim(), ""));
    let ip: IpAddr = address.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = if prefix.is_empty() { max } else { prefix.parse::<u8>().ok()? };
    (bits <= max).then_some((ip, bits))
}

/// RFC 1918, RFC 4193 unique local, loopback and link-local addresses.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            let first = v6.segments().first().copied().unwrap_or(0);
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

/// The network of a CIDR with host bits cleared, when they were set.
fn network_of(ip: IpAddr, bits: u8) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => {
            let raw = u32::from(v4);
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            (raw & mask != raw).then(|| format!("{}/{bits}", std::net::Ipv4Addr::from(raw & mask)))
        }
        IpAddr::V6(v6) => {
            let raw = u128::from(v6);
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            (raw & mask != raw).then(|| format!("{}/{bits}", std::net::Ipv6Addr::from(raw & mask)))
        }
    }
}

fn block_has_key(block: &rein_model::ConditionBlock, keys: &[&str]) -> bool {
    block.entries().any(|(_, entry)| keys.iter().any(|key| entry.key.name.eq_ignore_ascii_case(key)))
}

impl Rule for NetworkConditionMisuse {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(effect) = stmt.effect() else { return };
        let Some(block) = &stmt.condition else { return };
        for (op, entry) in block.entries() {
            let Some((base, family)) = operator_family(&op.name.base) else { continue };
            if family != OperatorFamily::IpAddress {
                continue;
            }
            let key = entry.key.name.as_str();
            let source_ip = key.eq_ignore_ascii_case("aws:SourceIp");
            let vpc_source_ip = key.eq_ignore_ascii_case("aws:VpcSourceIp");
            if !source_ip && !vpc_source_ip {
                continue;
            }
            let ranges: Vec<(&rein_model::ConditionValue, IpAddr, u8)> = entry
                .values
                .iter()
                .filter_map(|v| {
                    let text = v.value.known().filter(|t| !has_policy_variable(t))?;
                    parse_cidr(text).map(|(ip, bits)| (v, ip, bits))
                })
                .collect();
            for (value, ip, bits) in &ranges {
                if let Some(network) = network_of(*ip, *bits) {
                    let text = value.value.known().unwrap_or_default();
                    ctx.report(value.value.span, format!("`{text}` has host bits set; it stands for `{network}`"))
                        .severity(Severity::Info)
                        .fix(
                            format!("Replace with `{network}`"),
                            Applicability::Safe,
                            vec![PolicyEdit::ReplaceString { target: value.value.span, value: network.clone() }],
                        );
                }
            }
            if vpc_source_ip {
                if !block_has_key(block, &["aws:SourceVpc", "aws:SourceVpce"]) {
                    ctx.report(
                        entry.key.span,
                        "`aws:VpcSourceIp` without `aws:SourceVpc` or `aws:SourceVpce` matches the range in every VPC",
                    )
                    .severity(Severity::Warning);
                }
                continue;
            }
            let n_private = ranges.iter().filter(|(_, ip, _)| is_private(*ip)).count();
            let all_known = ranges.len() == entry.values.len() && !ranges.is_empty();
            let negated = base == "NotIpAddress";
            if n_private > 0 && n_private == ranges.len() && all_known {
                let message = match (effect, negated) {
                    (Effect::Allow, false) => Some(
                        "`aws:SourceIp` holds only public addresses, so private ranges never match and this Allow grants nothing",
                    ),
                    (Effect::Deny, true) => Some(
                        "`aws:SourceIp` holds only public addresses, so `NotIpAddress` with private ranges denies every request",
                    ),
                    _ => None,
                };
                if let Some(message) = message {
                    ctx.report(entry.key.span, message)
                        .note("use `aws:VpcSourceIp` with `aws:SourceVpc` for addresses inside a VPC");
                }
            } else if n_private > 0 {
                for (value, ip, _) in &ranges {
                    if is_private(*ip) {
                        let text = value.value.known().unwrap_or_default();
                        ctx.report(value.value.span, format!("`{text}` is private and never in `aws:SourceIp`"))
                            .severity(Severity::Info);
                    }
                }
            }
            if effect == Effect::Deny && !block_has_key(block, &["aws:ViaAWSService", "aws:PrincipalIsAWSService"]) {
                ctx.report(
                    entry.key.span,
                    "This Deny on `aws:SourceIp` also blocks AWS services that call on the principal's behalf",
                )
                .severity(Severity::Info)
                .note("add `\"Bool\": {\"aws:ViaAWSService\": \"false\"}` to exempt them");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn stmt(effect: &str, condition: &str) -> String {
        format!(
            r#"{{"Statement":{{"Effect":"{effect}","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{condition}}}}}"#
        )
    }

    #[test]
    fn network_condition_misuse() {
        RuleTest::new(&super::NetworkConditionMisuse)
            .fail_with(
                case::policy_json(&stmt("Allow", r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}"#)),
                "grants nothing",
            )
            .fail_with(
                case::policy_json(&stmt(
                    "Deny",
                    r#"{"NotIpAddress":{"aws:SourceIp":"172.16.0.0/12"},"Bool":{"aws:ViaAWSService":"false"}}"#,
                )),
                "denies every request",
            )
            .fail_with(
                case::policy_json(&stmt("Allow", r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","10.0.0.0/8"]}}"#)),
                "is private",
            )
            .fail_with(
                case::policy_json(&stmt("Allow", r#"{"IpAddress":{"aws:SourceIp":"203.0.113.7/24"}}"#)),
                "`203.0.113.0/24`",
            )
            .fail_with(
                case::policy_json(&stmt("Allow", r#"{"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/8"}}"#)),
                "every VPC",
            )
            .fail_with(
                case::policy_json(&stmt("Deny", r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#)),
                "on the principal's behalf",
            )
            .pass(case::policy_json(&stmt(
                "Allow",
                r#"{"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/8"},"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Allow",
                r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Deny",
                r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"},"Bool":{"aws:ViaAWSService":"false"}}"#,
            )))
            .fix(
                case::policy_json(&stmt("Allow", r#"{"IpAddress":{"aws:SourceIp":"203.0.113.7/24"}}"#)),
                &stmt("Allow", r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#),
            )
            .run();
    }
}
