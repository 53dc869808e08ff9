//! IAM005 `invalid-or-duplicate-sid`.

use std::collections::HashMap;

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Statement ids that AWS rejects or that collide.
    /// In identity policies, permissions boundaries, session policies and SCPs a `Sid` may hold
    /// only ASCII letters and digits, and must be unique (a duplicate is an error).
    /// In resource and trust policies a `Sid` may contain spaces and punctuation but should
    /// still be unique (a duplicate is a warning). An empty `Sid` is info.
    ///
    /// ## Why it matters
    /// AWS rejects the document when it is saved. Duplicate ids also break tools that merge
    /// statements by id, such as `aws_iam_policy_document` overrides.
    ///
    /// ## Example
    /// ```policy-json identity
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Sid": "Read S3", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
    ///     {"Sid": "Read S3", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json identity
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Sid": "ReadObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
    ///     {"Sid": "ListBucket", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Stripping the characters AWS rejects is unsafe: tools that merge statements by `Sid`
    /// would treat the statement as a different one.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: Sid
    InvalidOrDuplicateSid {
        id: "IAM005",
        aliases: [
            "UNIQUE_SIDS_REQUIRED", "UNIQUE_SIDS_RECOMMENDED", "UNSUPPORTED_SID", "EMPTY_SID_VALUE", "DUPLICATE_SID", "INVALID_SID",
            "aws_iam_policy_sid_invalid_characters"
        ],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for InvalidOrDuplicateSid {
    fn check_document(&self, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let strict = matches!(
            doc.kind,
            PolicyKind::Identity | PolicyKind::PermissionsBoundary | PolicyKind::Session | PolicyKind::Scp
        );
        let mut first_seen: HashMap<&str, rein_text::Span> = HashMap::new();
        for stmt in &doc.statements {
            let Some(sid) = &stmt.sid else { continue };
            let Some(text) = sid.known() else { continue };
            if text.is_empty() {
                ctx.report(sid.span, "`Sid` is empty").severity(Severity::Info);
                continue;
            }
            if strict && !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
                let cleaned: String = text.chars().filter(char::is_ascii_alphanumeric).collect();
                let finding = ctx.report(
                    sid.span,
                    format!(
                        "`Sid` `{text}` may contain only ASCII letters and digits in a {} policy",
                        doc.kind.as_str()
                    ),
                );
                if !cleaned.is_empty() {
                    drop(finding.fix(
                        format!("Rename to `{cleaned}`"),
                        Applicability::Unsafe,
                        vec![PolicyEdit::ReplaceString { target: sid.span, value: cleaned }],
                    ));
                }
            }
            match first_seen.get(text) {
                Some(first) => {
                    let severity = if strict { Severity::Error } else { Severity::Warning };
                    ctx.report(sid.span, format!("`Sid` `{text}` is used by an earlier statement too"))
                        .severity(severity)
                        .label(*first, "first used here");
                }
                None => {
                    first_seen.insert(text, sid.span);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn invalid_or_duplicate_sid() {
        RuleTest::new(&super::InvalidOrDuplicateSid)
            .fail_with(
                case::policy_json(
                    r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#,
                ),
                "earlier statement",
            )
            .fail(case::policy_json(r#"{"Statement":{"Sid":"","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":[{"Sid":"A1","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"B2","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#))
            .fix(
                case::policy_json(r#"{"Statement":{"Sid":"read-s3","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#),
                r#"{"Statement":{"Sid":"reads3","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
            )
            .run();
    }
}
