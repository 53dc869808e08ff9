//! IAM002 `malformed-statement`.

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Statements and documents that break the IAM policy grammar: unknown or misspelt keys
    /// (keys are case-sensitive), values of the wrong type, an `Effect` other than exactly
    /// `Allow` or `Deny`, a missing `Effect` or `Action`, both `Action` and `NotAction` (or both
    /// forms of `Resource` or `Principal`), a missing `Resource` outside trust policies, a missing
    /// `Principal` in resource and trust policies, and empty arrays or objects.
    ///
    /// `Resource` may be left out of the policies of an ECR repository (private or public) and of
    /// a Redshift Serverless snapshot: the attachment names the resource, and the services' own
    /// examples write them so.
    ///
    /// An empty `Action`, `Resource` or `Condition` is a warning in a Deny (the guardrail denies
    /// nothing) and info in an Allow (the statement grants nothing).
    ///
    /// ## Why it matters
    /// AWS rejects a malformed document when it is saved, so the deployment fails late; or the
    /// statement silently does nothing.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "allow", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Normalising the case of `Effect` (`allow` → `Allow`) is safe: AWS rejects the other
    /// spelling, so no working policy changes meaning.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy grammar
    /// - AWS IAM User Guide: IAM JSON policy elements reference
    MalformedStatement {
        id: "IAM002",
        aliases: [
            "INVALID_POLICY_ELEMENT", "MISSING_STATEMENT", "MISSING_EFFECT", "MISSING_ACTION", "MISSING_RESOURCE",
            "MISSING_PRINCIPAL", "INVALID_EFFECT", "UNSUPPORTED_ELEMENT_COMBINATION", "EMPTY_ARRAY_ACTION",
            "EMPTY_ARRAY_RESOURCE", "EMPTY_ARRAY_CONDITION", "EMPTY_ARRAY_CONDITION_IFEXISTS", "EMPTY_OBJECT_CONDITION",
            "MALFORMED", "E3512", "E3530"
        ],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for MalformedStatement {
    fn check_document(&self, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        for issue in &doc.issues {
            let severity = match issue.kind {
                SyntaxIssueKind::UnknownKey
                | SyntaxIssueKind::WrongType
                | SyntaxIssueKind::MissingElement
                | SyntaxIssueKind::ConflictingElements => Severity::Error,
                SyntaxIssueKind::EmptyElement => {
                    // The statement the empty element belongs to decides how much it matters.
                    let stmt = doc.statements.iter().find(|stmt| stmt.span.range.contains_range(issue.span.range));
                    match stmt.and_then(Statement::effect) {
                        Some(Effect::Deny) => Severity::Warning,
                        _ => Severity::Info,
                    }
                }
                _ => continue,
            };
            ctx.report(issue.span, issue.message.clone()).severity(severity);
        }
    }

    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if let Some(effect) = &stmt.effect
            && let Some(text) = effect.known()
            && stmt.effect().is_none()
        {
            let proper = ["Allow", "Deny"].into_iter().find(|proper| proper.eq_ignore_ascii_case(text.trim()));
            let finding = ctx.report(effect.span, format!("`Effect` must be exactly `Allow` or `Deny`, not `{text}`"));
            if let Some(proper) = proper {
                drop(finding.fix(
                    format!("Replace with `{proper}`"),
                    Applicability::Safe,
                    vec![PolicyEdit::ReplaceString { target: effect.span, value: proper.to_owned() }],
                ));
            }
        }
        let start = rein_text::Span::new(stmt.span.file, rein_text::TextRange::at(stmt.span.range.start(), 1.into()));
        if stmt.resource.is_none()
            && stmt.not_resource.is_none()
            && doc.kind != PolicyKind::Trust
            && !crate::semantics::resource_implied_by_attachment(doc)
        {
            ctx.report(start, "Statement has no `Resource` or `NotResource`; it is required outside trust policies");
        }
        if doc.kind.requires_principal() && stmt.principal.is_none() && stmt.not_principal.is_none() {
            ctx.report(start, format!("Statement in a {} policy has no `Principal`", doc.kind.as_str()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn malformed_statement() {
        RuleTest::new(&super::MalformedStatement)
            // ECR names the repository by the attachment; its policies leave `Resource` out.
            .pass(case::hcl(r#"resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "CrossAccountPull"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::210987654321:root" }
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
  })
}
"#))
            .fail(case::policy_json_as("resource", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}}"#))
            .fail_with(case::policy_json(r#"{"Statement":{"Effect":"Permit","Action":"s3:GetObject","Resource":"*"}}"#), "`Permit`")
            .fail(case::policy_json(r#"{"Statement":{"Action":"s3:GetObject","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":[],"Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Version":"2012-10-17"}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":7}}"#))
            .fail_with(
                case::policy_json_as("resource", r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#),
                "no `Principal`",
            )
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}}"#))
            .pass(case::policy_json_as("trust", r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["sts:AssumeRole","sts:TagSession"]}]}"#))
            .fix(
                case::policy_json(r#"{"Statement":{"Effect":"allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#),
                r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#,
            )
            .run();
    }
}
