//! The grammar of suppression comments, shared by every frontend that has comments.
//!
//! A frontend finds its comments (HCL `#`, `//` and `/* */`, YAML `#`) and decides what each
//! covers; this module reads what a comment asks for:
//!
//! - `rein:ignore IAM105 reason` and `rein:ignore IAM105,IAM106 reason` (rules by id, name or
//!   alias; the reason is the rest of the comment, after an optional `--` or `:`);
//! - `rein:ignore-file IAM105 reason`, for the whole file;
//! - checkov's `checkov:skip=CKV_AWS_111:reason`;
//! - tfsec's `tfsec:ignore:aws-iam-no-policy-wildcards` and trivy's `trivy:ignore:AVD-AWS-0057`
//!   (an `:exp:YYYY-MM-DD` suffix is accepted and ignored), several in one comment.

use crate::inventory::SuppressionSyntax;

/// One request read from a comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub rule: String,
    pub reason: Option<String>,
    pub syntax: SuppressionSyntax,
    /// `rein:ignore-file`: the whole file, wherever the comment is.
    pub file_wide: bool,
}

/// Reads the directives of one comment's text (without its `#`, `//` or `/* */`).
pub fn parse_comment(text: &str) -> Vec<Directive> {
    let text = text.trim();
    let mut out = Vec::new();
    if let Some(rest) = strip_prefix_ci(text, "rein:ignore-file") {
        read_rein(rest, true, &mut out);
    } else if let Some(rest) = strip_prefix_ci(text, "rein:ignore") {
        read_rein(rest, false, &mut out);
    } else if let Some(rest) = strip_prefix_ci(text, "checkov:skip=") {
        let (rule, reason) = match rest.split_once(':') {
            Some((rule, reason)) => (rule, Some(reason)),
            None => (rest.split_whitespace().next().unwrap_or_default(), None),
        };
        let rule = rule.trim();
        if !rule.is_empty() {
            out.push(Directive {
                rule: rule.to_owned(),
                reason: reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned),
                syntax: SuppressionSyntax::Checkov,
                file_wide: false,
            });
        }
    } else {
        for word in text.split_whitespace() {
            let (syntax, rest) = if let Some(rest) = strip_prefix_ci(word, "tfsec:ignore:") {
                (SuppressionSyntax::Tfsec, rest)
            } else if let Some(rest) = strip_prefix_ci(word, "trivy:ignore:") {
                (SuppressionSyntax::Trivy, rest)
            } else {
                continue;
            };
            // `aws-iam-no-policy-wildcards:exp:2025-01-01`: the expiry is not ours to enforce.
            let rule = rest.split(':').next().unwrap_or_default();
            if !rule.is_empty() {
                out.push(Directive { rule: rule.to_owned(), reason: None, syntax, file_wide: false });
            }
        }
    }
    out
}

/// `IAM105,IAM106 reason …` after `rein:ignore`.
fn read_rein(rest: &str, file_wide: bool, out: &mut Vec<Directive>) {
    // `rein:ignorex` is not ours.
    if rest.chars().next().is_some_and(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_') {
        return;
    }
    let rest = rest.trim_start_matches([':', '=']).trim_start();
    let split = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (rules, reason) = rest.split_at(split);
    let reason = reason.trim().trim_start_matches("--").trim_start_matches(':').trim();
    let reason = (!reason.is_empty()).then(|| reason.to_owned());
    for rule in rules.split(',').map(str::trim).filter(|rule| !rule.is_empty()) {
        out.push(Directive {
            rule: rule.to_owned(),
            reason: reason.clone(),
            syntax: SuppressionSyntax::Rein,
            file_wide,
        });
    }
}

fn strip_prefix_ci<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| text.get(prefix.len()..)).flatten()
}

#[cfg(test)]
mod tests {
    use super::{Directive, parse_comment};
    use crate::inventory::SuppressionSyntax;

    fn one(rule: &str, reason: Option<&str>, syntax: SuppressionSyntax) -> Directive {
        Directive { rule: rule.to_owned(), reason: reason.map(str::to_owned), syntax, file_wide: false }
    }

    #[test]
    fn rein_comments_name_rules_and_a_reason() {
        assert_eq!(
            parse_comment(" rein:ignore IAM105 logs are written by every account"),
            vec![one("IAM105", Some("logs are written by every account"), SuppressionSyntax::Rein)]
        );
        let both = parse_comment("rein:ignore IAM105,wildcard-action -- public bucket");
        assert_eq!(both.len(), 2);
        assert_eq!(both[1].rule, "wildcard-action");
        assert_eq!(both[1].reason.as_deref(), Some("public bucket"));
        assert_eq!(parse_comment("rein:ignore IAM105"), vec![one("IAM105", None, SuppressionSyntax::Rein)]);
        assert!(parse_comment("rein:ignore-file IAM010 generated")[0].file_wide);
        assert!(parse_comment("rein:ignored IAM105").is_empty());
        assert!(parse_comment("rein:ignore").is_empty());
        assert!(parse_comment("just a comment about rein:ignore").is_empty());
    }

    #[test]
    fn peer_comments_are_read_as_they_are() {
        assert_eq!(
            parse_comment("checkov:skip=CKV_AWS_111: the role is for break-glass access"),
            vec![one("CKV_AWS_111", Some("the role is for break-glass access"), SuppressionSyntax::Checkov)]
        );
        assert_eq!(
            parse_comment("checkov:skip=CKV_AWS_111"),
            vec![one("CKV_AWS_111", None, SuppressionSyntax::Checkov)]
        );
        assert_eq!(
            parse_comment("tfsec:ignore:aws-iam-no-policy-wildcards:exp:2026-01-01 trivy:ignore:AVD-AWS-0057"),
            vec![
                one("aws-iam-no-policy-wildcards", None, SuppressionSyntax::Tfsec),
                one("AVD-AWS-0057", None, SuppressionSyntax::Trivy)
            ]
        );
    }
}
