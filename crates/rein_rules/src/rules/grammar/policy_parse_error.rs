//! IAM001 `policy-parse-error`.

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// A policy document that is not one well-formed JSON object: syntax errors, a top-level
    /// value that is not an object, duplicate keys at any depth, and characters IAM rejects
    /// (anything outside TAB, LF, CR and U+0020–U+00FF, typically typographic quotes and dashes
    /// pasted from documents).
    ///
    /// ## Why it matters
    /// AWS rejects such a document, or, with duplicate keys, silently keeps only one of the
    /// blocks: two `StringEquals` blocks in one `Condition` lose one of their conditions.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Action": "s3:GetObject",
    ///     "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {
    ///       "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
    ///       "StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}
    ///     }
    ///   }]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Action": "s3:GetObject",
    ///     "Resource": "arn:aws:s3:::b/*",
    ///     "Condition": {
    ///       "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:SourceVpce": "vpce-1a2b3c4d"}
    ///     }
    ///   }]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Replacing typographic characters with their ASCII forms is unsafe: inside a value it
    /// changes what the policy matches.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy grammar
    /// - AWS IAM User Guide: IAM and AWS STS quotas (character set of policy documents)
    PolicyParseError {
        id: "IAM001",
        aliases: ["JSON_SYNTAX_ERROR", "MALFORMED_JSON", "E3510"],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// The ASCII stand-in for a typographic character.
fn ascii_replacement(ch: char) -> Option<&'static str> {
    Some(match ch {
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{2032}' => "'",
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => "-",
        '\u{2026}' => "...",
        '\u{200b}' | '\u{feff}' => "",
        _ => return None,
    })
}

impl Rule for PolicyParseError {
    fn check_document(&self, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        for issue in &doc.issues {
            match issue.kind {
                SyntaxIssueKind::JsonSyntax | SyntaxIssueKind::NotAnObject | SyntaxIssueKind::DuplicateKey => {
                    ctx.report(issue.span, issue.message.clone());
                }
                SyntaxIssueKind::InvalidCharacter => {
                    let finding = ctx.report(issue.span, issue.message.clone());
                    // The offending character is named in backticks in the message.
                    let ch = issue.message.split('`').nth(1).and_then(|text| text.chars().next());
                    let whole_run = ch.is_some_and(|ch| u32::from(issue.span.range.len()) == ch.len_utf8() as u32);
                    if let Some(replacement) = ch.and_then(ascii_replacement).filter(|_| whole_run) {
                        let edit = rein_model::PolicyEdit::ReplaceInString {
                            target: issue.span,
                            value: replacement.to_owned(),
                        };
                        drop(finding.fix("Replace with its ASCII form", Applicability::Unsafe, vec![edit]));
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn policy_parse_error() {
        RuleTest::new(&super::PolicyParseError)
            .fail(case::policy_json(r#"{"Statement": [{"Effect": "Allow",, }]"#))
            .fail(case::policy_json("[]"))
            .fail(case::policy_json(""))
            .fail_with(case::policy_json("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b\u{2013}c/*\"}}"), "U+2013")
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::caf\u00e9/*"}}"#))
            .fix(
                case::policy_json("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b\u{2013}c/*\"}}"),
                r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b-c/*"}}"#,
            )
            .run();
    }
}
