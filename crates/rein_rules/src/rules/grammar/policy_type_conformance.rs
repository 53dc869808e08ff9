//! IAM003 `policy-type-conformance`.

use rein_model::{Key, PrincipalBody, PrincipalElement};

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Elements that the document's policy type does not allow:
    /// - identity policies, permissions boundaries and session policies may not name a
    ///   `Principal` or `NotPrincipal`;
    /// - trust policies may not contain `Resource`, `NotResource` or `NotPrincipal`;
    /// - service control policies may not name a `Principal` or `NotPrincipal`;
    /// - resource control policies must be `Deny` statements with `"Principal": "*"`;
    /// - a resource policy whose service is known may only grant that service's actions.
    ///
    /// The type comes from the attribute that consumes the document, from `--policy-type`, or,
    /// for a standalone JSON file, from its content.
    ///
    /// ## Why it matters
    /// AWS rejects the document when it is attached, or the element is a sign that the author
    /// wrote the wrong kind of policy (a `Principal` in an identity policy usually means a
    /// resource policy was intended).
    ///
    /// ## Example
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"Service": "lambda.amazonaws.com"},
    ///     "Action": "sts:AssumeRole",
    ///     "Resource": "*"
    ///   }]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Deleting `Resource` or `NotResource` from a trust statement is safe: AWS rejects it there.
    /// Deleting a `Principal` from an identity policy is unsafe, because the author may have
    /// meant a resource policy.
    ///
    /// ## References
    /// - AWS IAM User Guide: policy types; IAM JSON policy elements: Principal
    /// - AWS Organizations User Guide: SCP and RCP syntax
    PolicyTypeConformance {
        id: "IAM003",
        aliases: [
            "UNSUPPORTED_PRINCIPAL", "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
            "SCP_SYNTAX_ERROR_PRINCIPAL", "UNSUPPORTED_RESOURCE_ARN_IN_POLICY", "UNSUPPORTED_ACTION_IN_POLICY", "E3514"
        ],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

fn key_value_span(stmt: &Statement, key: &Key) -> Option<rein_text::Span> {
    [&stmt.resource, &stmt.not_resource, &stmt.action, &stmt.not_action]
        .into_iter()
        .flatten()
        .find(|list| list.key.span == key.span)
        .map(|list| list.span)
        .or_else(|| {
            [&stmt.principal, &stmt.not_principal]
                .into_iter()
                .flatten()
                .find(|p| p.key.span == key.span)
                .map(|p| p.span)
        })
}

fn remove(stmt: &Statement, key: &Key) -> Vec<PolicyEdit> {
    key_value_span(stmt, key).map(|value| vec![PolicyEdit::RemoveMember { key: key.span, value }]).unwrap_or_default()
}

fn report_element(
    ctx: &mut RuleContext<'_>,
    stmt: &Statement,
    key: &Key,
    message: String,
    applicability: Applicability,
) {
    let edits = remove(stmt, key);
    let finding = ctx.report(key.span, message);
    if !edits.is_empty() {
        drop(finding.fix(format!("Remove `{}`", key.name), applicability, edits));
    }
}

fn is_star_principal(principal: &PrincipalElement) -> bool {
    match &principal.body {
        PrincipalBody::Scalar(value) => value.known() == Some("*"),
        PrincipalBody::Map(_) | PrincipalBody::Unknown(_) => false,
    }
}

impl Rule for PolicyTypeConformance {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let kind_name = doc.kind.as_str();
        match &doc.kind {
            PolicyKind::Identity | PolicyKind::PermissionsBoundary | PolicyKind::Session | PolicyKind::Scp => {
                for principal in [&stmt.principal, &stmt.not_principal].into_iter().flatten() {
                    let message = format!("A {kind_name} policy cannot name a `{}`", principal.key.name);
                    report_element(ctx, stmt, &principal.key, message, Applicability::Unsafe);
                }
            }
            PolicyKind::Trust => {
                for list in [&stmt.resource, &stmt.not_resource].into_iter().flatten() {
                    let message =
                        format!("A trust policy cannot contain `{}`; the role is the resource", list.key.name);
                    report_element(ctx, stmt, &list.key, message, Applicability::Safe);
                }
                if let Some(not_principal) = &stmt.not_principal {
                    let message = "A trust policy cannot use `NotPrincipal`".to_owned();
                    report_element(ctx, stmt, &not_principal.key, message, Applicability::Unsafe);
                }
            }
            PolicyKind::Rcp => {
                if let Some(effect) = &stmt.effect
                    && stmt.effect() == Some(Effect::Allow)
                {
                    ctx.report(effect.span, "Resource control policies support only `Deny` statements");
                }
                match &stmt.principal {
                    Some(principal) if !is_star_principal(principal) => {
                        ctx.report(principal.span, "Resource control policies must use `\"Principal\": \"*\"`");
                    }
                    _ => {}
                }
            }
            PolicyKind::Resource { service: Some(service) } => {
                let Some(actions) = &stmt.action else { return };
                for item in &actions.items {
                    let Some(text) = item.known() else { continue };
                    let Some((prefix, _)) = text.split_once(':') else { continue };
                    if !semantics::has_wildcard(prefix) && !prefix.eq_ignore_ascii_case(service) {
                        ctx.report(item.span, format!("A `{service}` resource policy cannot grant `{text}`"));
                    }
                }
            }
            PolicyKind::Resource { service: None } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn policy_type_conformance() {
        RuleTest::new(&super::PolicyTypeConformance)
            .fail(case::policy_json_as(
                "identity",
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"*"}}"#,
            ))
            .fail(case::policy_json_as("trust", r#"{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}}"#))
            .fail(case::policy_json_as("scp", r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}"#))
            .fail(case::policy_json_as("rcp", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#))
            .fail(case::policy_json_as("rcp", r#"{"Statement":{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}}"#))
            .pass(case::policy_json_as(
                "rcp",
                r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#))
            .fix(
                case::policy_json_as("trust", r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}"#),
                r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#,
            )
            .run();
    }
}
