//! IAM004 `policy-version`.

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// A `Version` other than `"2012-10-17"`, or none at all.
    /// Without it, or with `"2008-10-17"`, policy variables such as `${aws:username}` are
    /// literal text; a document that uses them is then an error, because its ARNs and
    /// condition values match nothing.
    ///
    /// ## Why it matters
    /// The old language version lacks policy variables and some newer features, and the
    /// missing `Version` silently selects it.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2008-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Setting `"Version": "2012-10-17"` is safe when the document has no `${`; otherwise it is
    /// unsafe, because the variables start to resolve and change what the policy matches.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: Version
    /// - AWS IAM User Guide: IAM policy elements: variables and tags
    PolicyVersion {
        id: "IAM004",
        aliases: ["MISSING_VERSION", "INVALID_VERSION", "VARIABLE_UNSUPPORTED_IN_VERSION", "NO_VERSION", "OLD_VERSION", "W2511"],
        category: Invalid,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

const CURRENT: &str = "2012-10-17";

impl Rule for PolicyVersion {
    fn check_document(&self, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if doc.is_unreadable() || doc.is_opaque() {
            return;
        }
        let uses_variables = doc.uses_policy_variables();
        let (severity, applicability) = if uses_variables {
            (Severity::Error, Applicability::Unsafe)
        } else {
            (Severity::Warning, Applicability::Safe)
        };
        let consequence = if uses_variables { "; its policy variables are read as literal text" } else { "" };
        match &doc.version {
            Some(version) => {
                let Some(text) = version.known() else { return };
                if text == CURRENT {
                    return;
                }
                let finding = ctx
                    .report(version.span, format!("Policy version `{text}` is not `{CURRENT}`{consequence}"))
                    .severity(severity);
                drop(finding.fix(
                    format!("Set `Version` to `{CURRENT}`"),
                    applicability,
                    vec![PolicyEdit::ReplaceString { target: version.span, value: CURRENT.to_owned() }],
                ));
            }
            None => {
                let start =
                    rein_text::Span::new(doc.span.file, rein_text::TextRange::at(doc.span.range.start(), 1.into()));
                let finding = ctx
                    .report(start, format!("Policy has no `Version`, so the 2008-10-17 language applies{consequence}"))
                    .severity(severity);
                drop(finding.fix(
                    format!("Add `\"Version\": \"{CURRENT}\"`"),
                    applicability,
                    vec![PolicyEdit::InsertMember {
                        object: doc.span,
                        key: "Version".to_owned(),
                        value: CURRENT.to_owned(),
                    }],
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn policy_version() {
        RuleTest::new(&super::PolicyVersion)
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#))
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::${aws:username}/*"}}"#),
                "literal text",
            )
            .pass(case::policy_json(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#))
            .pass(case::policy_json("{\"Version\": \"2012-10-17\", \"Statement\": ["))
            .fix(
                case::policy_json(r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#),
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#,
            )
            .fix(
                case::policy_json("{\n  \"Statement\": []\n}"),
                "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}",
            )
            .run();
    }
}
