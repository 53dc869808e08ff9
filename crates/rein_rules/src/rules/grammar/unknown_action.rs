//! IAM006 `unknown-action`.

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `Action` and `NotAction` entries that name no IAM action: not of the form
    /// `service:action`, a service prefix the catalogue does not know, an action the service
    /// does not have, or a wildcard pattern that matches nothing.
    /// Case differences are fine (`S3:getobject` is `s3:GetObject`).
    /// The message suggests the closest action, and the IAM action behind an API operation name
    /// (`s3:CreateMultipartUpload` is authorised by `s3:PutObject`).
    ///
    /// ## Why it matters
    /// AWS accepts unknown actions in most policies and ignores them, so the grant silently
    /// does nothing. In a Deny the guardrail protects nothing.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObjct", "Resource": "arn:aws:s3:::b/*"}]
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
    /// Unsafe: replacing the name with the suggestion changes what the policy grants. It is
    /// offered only when one candidate is clearly the best.
    ///
    /// ## References
    /// - Service Authorization Reference: actions, resources, and condition keys for AWS services
    UnknownAction {
        id: "IAM006",
        aliases: ["INVALID_ACTION", "INVALID_SERVICE", "INVALID_SERVICE_IN_ACTION", "UNKNOWN_ACTION", "UNKNOWN_PREFIX", "W3037"],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

fn check_item(item: &SpannedValue, in_deny: bool, ctx: &mut RuleContext<'_>) {
    let Some(text) = item.known() else { return };
    if text == "*" {
        return;
    }
    let catalog = ctx.catalog();
    let Some((prefix, name)) = text.split_once(':') else {
        ctx.report(item.span, format!("`{text}` is not an action: actions are written `service:Action`"));
        return;
    };
    if name.is_empty() || prefix.is_empty() {
        ctx.report(item.span, format!("`{text}` is not an action: actions are written `service:Action`"));
        return;
    }
    let prefix_has_wildcard = semantics::has_wildcard(prefix);
    if !prefix_has_wildcard && !catalog.is_known_service(prefix) {
        report_with_suggestions(
            ctx,
            item,
            format!("Unknown service prefix `{prefix}` in `{text}`"),
            catalog.suggest_action(text),
            in_deny,
        );
        return;
    }
    if semantics::has_wildcard(text) {
        if ctx.expand(text).is_empty() {
            ctx.report(item.span, format!("`{text}` matches no action"));
        }
        return;
    }
    if ctx.action(text).is_none() {
        report_with_suggestions(ctx, item, format!("Unknown action `{text}`"), catalog.suggest_action(text), in_deny);
    }
}

fn report_with_suggestions(
    ctx: &mut RuleContext<'_>,
    item: &SpannedValue,
    message: String,
    suggestions: Vec<String>,
    in_deny: bool,
) {
    let stale = !in_deny && ctx.settings().catalog_is_stale(ctx.catalog());
    let date = ctx.catalog().meta().date.clone();
    let mut finding = ctx.report(item.span, message);
    // With a stale catalogue the action may simply be newer than the data (RULES.md §0.3); in a
    // Deny the guardrail still does nothing, so that stays an error.
    if stale {
        finding = finding
            .severity(Severity::Warning)
            .note(format!("the IAM catalogue is of {date}; the action may be newer"));
    }
    match suggestions.as_slice() {
        [] => {}
        [only] => {
            finding = finding.note(format!("did you mean `{only}`?")).fix(
                format!("Replace with `{only}`"),
                Applicability::Unsafe,
                vec![PolicyEdit::ReplaceString { target: item.span, value: only.clone() }],
            );
        }
        several => {
            let listed: Vec<String> = several.iter().map(|s| format!("`{s}`")).collect();
            finding = finding.note(format!("did you mean one of {}?", listed.join(", ")));
        }
    }
    drop(finding);
}

impl Rule for UnknownAction {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        for list in [&stmt.action, &stmt.not_action].into_iter().flatten() {
            for item in &list.items {
                check_item(item, stmt.is_deny(), ctx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn unknown_action() {
        RuleTest::new(&super::UnknownAction)
            .fail_with(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObjct","Resource":"*"}}"#), "Unknown action")
            .fail_with(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s4:GetObject","Resource":"*"}}"#), "Unknown service")
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:Fly*","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Deny","NotAction":"s3:CreateMultipartUpload","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["S3:getobject","iam:List*Tags","*","s*:Get*"],"Resource":"*"}}"#))
            .fix(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObjct","Resource":"*"}}"#),
                r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
            )
            .run();
    }

    /// With a stale catalogue an unknown action may just be newer than the data: a warning,
    /// except in a Deny, whose guardrail does nothing either way.
    #[test]
    fn stale_catalogue_downgrades_except_in_deny() {
        use rein_diagnostics::Severity;
        use rein_model::json::parse_policy;
        use rein_model::{DocumentOrigin, SourceSyntax, SpanMap};
        use rein_text::{FileId, TextSize};

        use crate::engine::{CheckInput, Settings, check};

        let date: jiff::civil::Date = rein_catalog::catalog().meta().date.parse().unwrap();
        let settings = Settings {
            select: vec!["IAM006".into()],
            today: Some(date.checked_add(jiff::Span::new().days(365)).unwrap()),
            ..Settings::default()
        };
        let origin = DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None, branch: false };
        let severity_of = |text: &str| {
            let doc = parse_policy(text, &SpanMap::identity(FileId(0), TextSize::from(0)), None, origin.clone());
            let findings = check(&[CheckInput { document: &doc, renderer: None }], &settings);
            findings.iter().map(|f| f.severity).collect::<Vec<_>>()
        };
        assert_eq!(
            severity_of(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObjct","Resource":"*"}}"#),
            [Severity::Warning]
        );
        assert_eq!(
            severity_of(r#"{"Statement":{"Effect":"Deny","Action":"s3:GetObjct","Resource":"*"}}"#),
            [Severity::Error]
        );
    }
}
