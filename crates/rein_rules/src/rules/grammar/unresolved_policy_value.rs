//! IAM010 `unresolved-policy-value`.

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Policy elements whose value could not be resolved statically: a value known only after
    /// apply, a variable without a default, a missing `file()` target, a CloudFormation import.
    /// The finding names the rules that could not check the element, so a pass is never silent.
    /// References that resolve to a typed placeholder (for example the ARN of a bucket defined
    /// in the same configuration) are analysed fully and are not reported.
    ///
    /// ## Why it matters
    /// An unknown value is neither a wildcard nor safe: the rules that need it skip it. Knowing
    /// what was skipped tells a reviewer what to check by hand.
    ///
    /// ## Example
    /// ```hcl
    /// data "aws_iam_policy_document" "read" {
    ///   statement {
    ///     actions   = ["s3:GetObject"]
    ///     resources = [data.external.arns.result.bucket]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// data "aws_iam_policy_document" "read" {
    ///   statement {
    ///     actions   = ["s3:GetObject"]
    ///     resources = ["${aws_s3_bucket.logs.arn}/*"]
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - rein documentation: unknown values
    UnresolvedPolicyValue {
        id: "IAM010",
        aliases: [],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

/// The rules that need a concrete value of an element.
fn skipped_rules(element: &str) -> &'static str {
    let first_word = element.split(' ').next().unwrap_or(element);
    match first_word {
        "Action" | "NotAction" => "IAM006/IAM101/IAM103/IAM105",
        "Resource" | "NotResource" => "IAM007/IAM101/IAM105/IAM106",
        "Principal" | "NotPrincipal" => "IAM003/IAM008",
        "Condition" => "scoping checks",
        "Statement" => "every statement rule",
        _ => "IAM002",
    }
}

impl Rule for UnresolvedPolicyValue {
    fn check_document(&self, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        for unknown in doc.unknowns() {
            ctx.report(
                unknown.span,
                format!(
                    "{} unknown ({}): {} not evaluated for this value",
                    unknown.element,
                    unknown.reason,
                    skipped_rules(&unknown.element)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use rein_model::json::parse_policy;
    use rein_model::{DocumentOrigin, SourceSyntax, SpanMap, TemplatePart, Unknown, Value};
    use rein_text::{FileId, TextSize};

    use crate::engine::{CheckInput, Settings, check};

    /// Policy JSON has no unknown values; the IaC frontends produce them. Build one by hand.
    #[test]
    fn reports_unknown_and_partial_values() {
        let text =
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["a","b"]}}"#;
        let origin = DocumentOrigin { syntax: SourceSyntax::Structured, owner: None, attribute: None, branch: false };
        let mut doc = parse_policy(text, &SpanMap::identity(FileId(0), TextSize::from(0)), None, origin);
        let resources = doc.statements[0].resource.as_mut().unwrap();
        resources.items[0].value = Value::Unknown(Unknown::new("known after apply"));
        resources.items[1].value = Value::Partial(vec![
            TemplatePart::Text("arn:aws:s3:::".into()),
            TemplatePart::Hole(Unknown::new("variable `bucket` has no default")),
        ]);
        let settings = Settings { select: vec!["IAM010".into()], ..Settings::default() };
        let findings = check(&[CheckInput { document: &doc, renderer: None }], &settings);
        assert_eq!(findings.len(), 2, "{findings:#?}");
        assert!(findings[0].message.contains("known after apply"));
        assert!(findings[1].message.contains("IAM106"));

        let mut with_unknown_statement =
            parse_policy(text, &SpanMap::identity(FileId(0), TextSize::from(0)), None, doc.origin.clone());
        with_unknown_statement
            .unknown_statements
            .push((with_unknown_statement.span, Unknown::new("`Fn::If` on an unknown condition")));
        let found = check(&[CheckInput { document: &with_unknown_statement, renderer: None }], &settings);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("Fn::If"));

        let clean = parse_policy(text, &SpanMap::identity(FileId(0), TextSize::from(0)), None, doc.origin.clone());
        assert!(check(&[CheckInput { document: &clean, renderer: None }], &settings).is_empty());
    }
}
