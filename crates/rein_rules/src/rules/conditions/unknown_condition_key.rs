//! IAM602 `unknown-condition-key`.

use crate::rules::prelude::*;
use crate::semantics::{closest, is_federated_claim_key};

declare_rule! {
    /// ## What it checks
    /// Condition keys that do not exist.
    ///
    /// Reported are keys not of the form `prefix:name`, a tag key without its tag
    /// segment (`aws:RequestTag` instead of `aws:RequestTag/Env`), an `aws:` key that is not a
    /// global condition key, a key that its service does not define, the deprecated `aws:ARN`,
    /// and the same key twice in one operator block with different case.
    /// Names are case-insensitive; templated keys (`kms:EncryptionContext:…`,
    /// `s3:ExistingObjectTag/…`) accept any suffix.
    /// Unknown service keys are errors; an unknown `aws:` key, a deprecated key, and a key of a
    /// service newer than the catalogue are warnings, and so is an unknown service key when the
    /// catalogue is stale.
    /// Identity-provider claim keys (`token.actions.githubusercontent.com:sub`, `saml:aud`) are
    /// accepted in trust policies and in statements with a federated principal.
    ///
    /// ## Why it matters
    /// A key that is never in the request context makes a positive test false and a negated
    /// test true: the Allow grants nothing, or the Deny applies to everything or nothing.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
    ///     "Condition": {"StringLike": {"s3:prefx": "home/*"}}}]
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
    /// Unsafe: the corrected key starts to match requests, which changes what the statement
    /// allows or denies. Offered only when one key is clearly the closest.
    ///
    /// ## References
    /// - AWS IAM User Guide: AWS global condition context keys
    /// - Service Authorization Reference: actions, resources, and condition keys for AWS services
    UnknownConditionKey {
        id: "IAM602",
        aliases: [
            "INVALID_GLOBAL_CONDITION_KEY",
            "INVALID_SERVICE_CONDITION_KEY",
            "INVALID_CONDITION_KEY_FORMAT",
            "MISSING_TAG_KEY_IN_CONDITION",
            "UNSUPPORTED_GLOBAL_CONDITION_KEY",
            "DEPRECATED_GLOBAL_CONDITION_KEY",
            "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
        ],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// The concrete (untemplated) keys a suggestion may come from: the global keys for `aws:`, the
/// service's own keys otherwise.
fn candidates(catalog: &'static rein_catalog::Catalog, prefix: &str) -> Vec<&'static str> {
    let keys: Vec<&'static str> = if prefix.eq_ignore_ascii_case("aws") {
        catalog.global_condition_keys().map(|info| info.key()).collect()
    } else {
        catalog
            .service(prefix)
            .map(|service| service.condition_keys().map(|info| info.key()).collect())
            .unwrap_or_default()
    };
    keys.into_iter().filter(|key| !key.contains(['$', '<'])).collect()
}

fn has_federated_principal(stmt: &Statement) -> bool {
    matches!(&stmt.principal, Some(rein_model::PrincipalElement { body: rein_model::PrincipalBody::Map(types), .. })
        if types.iter().any(|(ty, _)| *ty == rein_model::PrincipalType::Federated))
}

impl Rule for UnknownConditionKey {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(block) = &stmt.condition else { return };
        let catalog = ctx.catalog();
        for op in &block.operators {
            for (idx, entry) in op.entries.iter().enumerate() {
                let key = entry.key.name.as_str();
                if let Some(first) =
                    op.entries.iter().take(idx).find(|earlier| earlier.key.name.eq_ignore_ascii_case(key))
                {
                    if first.key.name != key {
                        ctx.report(
                            entry.key.span,
                            format!("`{key}` repeats `{}` with different case in one operator block", first.key.name),
                        )
                        .label(first.key.span, "first written here");
                    }
                    continue;
                }
                let Some((prefix, name)) = key.split_once(':').filter(|(p, n)| !p.is_empty() && !n.is_empty()) else {
                    ctx.report(
                        entry.key.span,
                        format!("`{key}` is not a condition key: keys are written `prefix:name`"),
                    );
                    continue;
                };
                if catalog.condition_key(key).is_some() {
                    continue;
                }
                if key.eq_ignore_ascii_case("aws:ARN") {
                    ctx.report(entry.key.span, format!("`{key}` is deprecated"))
                        .severity(Severity::Warning)
                        .note("use `aws:PrincipalArn` for the caller or `aws:SourceArn` for the resource on whose behalf a service calls");
                    continue;
                }
                if is_federated_claim_key(key) {
                    if doc.kind == PolicyKind::Trust || has_federated_principal(stmt) {
                        continue;
                    }
                    ctx.report(entry.key.span, format!("`{key}` is an identity-provider claim, present only when a federated principal assumes a role"))
                        .severity(Severity::Warning);
                    continue;
                }
                // A tag key without its tag segment: `aws:RequestTag` or `aws:RequestTag/`.
                let bare = key.trim_end_matches('/');
                if catalog.condition_key(&format!("{bare}/tag")).is_some() && !name.trim_end_matches('/').contains('/')
                {
                    ctx.report(
                        entry.key.span,
                        format!("`{key}` needs the tag key after `/`, as in `{bare}/Environment`"),
                    );
                    continue;
                }
                let is_global = prefix.eq_ignore_ascii_case("aws");
                let known_service = is_global || catalog.is_known_service(prefix);
                let suggestions = candidates(catalog, prefix);
                let suggestion = closest(key, suggestions.iter().copied(), (key.len() / 6).clamp(1, 3));
                let (message, severity) = if is_global {
                    (format!("`{key}` is not a global condition key"), Severity::Warning)
                } else if known_service {
                    (format!("`{key}` is not a condition key of `{prefix}`"), Severity::Error)
                } else {
                    (format!("Unknown service prefix `{prefix}` in condition key `{key}`"), Severity::Warning)
                };
                let date = catalog.meta().date.clone();
                // With a stale catalogue a service key may simply be newer than the data
                // (RULES.md §0.3), as for unknown actions.
                let stale = known_service && !is_global && ctx.settings().catalog_is_stale(catalog);
                let severity = if stale { Severity::Warning } else { severity };
                let mut finding = ctx.report(entry.key.span, message).severity(severity);
                if !known_service {
                    finding = finding.note(format!("the IAM catalogue is of {date}; the service may be newer"));
                } else if stale {
                    finding = finding.note(format!("the IAM catalogue is of {date}; the key may be newer"));
                }
                if let Some(suggestion) = suggestion {
                    finding = finding.note(format!("did you mean `{suggestion}`?")).fix(
                        format!("Replace with `{suggestion}`"),
                        Applicability::Unsafe,
                        vec![PolicyEdit::ReplaceString { target: entry.key.span, value: suggestion.to_owned() }],
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

    fn stmt(condition: &str) -> String {
        format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{condition}}}}}"#
        )
    }

    #[test]
    fn unknown_condition_key() {
        RuleTest::new(&super::UnknownConditionKey)
            .fail_with(case::policy_json(&stmt(r#"{"StringLike":{"s3:prefx":"home/*"}}"#)), "not a condition key of `s3`")
            .fail_with(case::policy_json(&stmt(r#"{"StringEquals":{"aws:PrincipalOrgId2":"o-1"}}"#)), "not a global condition key")
            .fail_with(case::policy_json(&stmt(r#"{"StringEquals":{"aws:RequestTag":"x"}}"#)), "needs the tag key")
            .fail_with(case::policy_json(&stmt(r#"{"StringEquals":{"prefix":"x"}}"#)), "`prefix:name`")
            .fail_with(case::policy_json(&stmt(r#"{"ArnEquals":{"aws:ARN":"arn:aws:iam::1:role/x"}}"#)), "deprecated")
            .fail_with(case::policy_json(&stmt(r#"{"StringEquals":{"aws:SourceVpce":"vpce-1","aws:sourcevpce":"vpce-2"}}"#)), "different case")
            .fail_with(case::policy_json(&stmt(r#"{"StringEquals":{"newsvc:Thing":"x"}}"#)), "Unknown service prefix")
            .fail(case::policy_json(&stmt(r#"{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:o/r:*"}}"#)))
            .pass(case::policy_json(&stmt(r#"{"StringLike":{"S3:Prefix":"home/*","aws:PrincipalTag/team":"a","s3:ExistingObjectTag/env":"p"},"StringEquals":{"kms:EncryptionContext:app":"x"}}"#)))
            .pass(case::policy_json_as(
                "trust",
                r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}}"#,
            ))
            .fix(case::policy_json(&stmt(r#"{"StringLike":{"s3:prefx":"home/*"}}"#)), &stmt(r#"{"StringLike":{"s3:prefix":"home/*"}}"#))
            .run();
    }

    /// With a stale catalogue an unknown key of a known service may be newer than the data.
    #[test]
    fn stale_catalogue_downgrades_service_keys() {
        use rein_diagnostics::Severity;
        use rein_model::json::parse_policy;
        use rein_model::{DocumentOrigin, SourceSyntax, SpanMap};
        use rein_text::{FileId, TextSize};

        use crate::engine::{CheckInput, Settings, check};

        let date: jiff::civil::Date = rein_catalog::catalog().meta().date.parse().unwrap();
        let origin = DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None, branch: false };
        let text = stmt(r#"{"StringLike":{"s3:prefx":"home/*"}}"#);
        let doc = parse_policy(&text, &SpanMap::identity(FileId(0), TextSize::from(0)), None, origin);
        let severities = |today| {
            let settings = Settings { select: vec!["IAM602".into()], today, ..Settings::default() };
            check(&[CheckInput { document: &doc, renderer: None }], &settings)
                .iter()
                .map(|f| f.severity)
                .collect::<Vec<_>>()
        };
        assert_eq!(severities(Some(date)), [Severity::Error]);
        assert_eq!(severities(Some(date.checked_add(jiff::Span::new().days(365)).unwrap())), [Severity::Warning]);
    }
}
