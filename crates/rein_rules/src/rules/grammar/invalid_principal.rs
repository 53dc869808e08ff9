//! IAM008 `invalid-principal`.

use rein_model::{PrincipalBody, PrincipalElement, PrincipalType};

use crate::rules::prelude::*;
use crate::semantics::{arn_fields, has_wildcard};

declare_rule! {
    /// ## What it checks
    /// `Principal` and `NotPrincipal` values that AWS rejects or that silently stop matching:
    /// - a bare string other than `"*"`, or a principal type other than `AWS`, `Service`,
    ///   `Federated` and `CanonicalUser`;
    /// - `AWS` values that are not `"*"`, an account id, or an account-root, user, role,
    ///   assumed-role or federated-user ARN, and ARNs with wildcards (`role/deploy-*`), which
    ///   AWS rejects (use `aws:PrincipalArn` with `ArnLike` instead);
    /// - `Service` values that are not service principals (`….amazonaws.com`);
    /// - `Federated` values that are not an OIDC or SAML provider ARN or a known web identity
    ///   provider;
    /// - unique ids (`AROA…`, `AIDA…`) as a warning: if the role or user is re-created, the
    ///   policy silently stops matching.
    ///
    /// A bare `"*"` in a trust policy is reported too, as IAM Access Analyzer does.
    ///
    /// ## Why it matters
    /// AWS rejects the document, or the statement matches nobody and the intended access fails.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"AWS": "arn:aws:iam::123456789012:role/deploy-*"},
    ///     "Action": "sts:AssumeRole"
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
    ///     "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    ///     "Action": "sts:AssumeRole",
    ///     "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/deploy-*"}}
    ///   }]
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: AWS JSON policy elements: Principal
    InvalidPrincipal {
        id: "IAM008",
        aliases: [
            "INVALID_PRINCIPAL_FORMAT", "INVALID_PRINCIPAL_KEY", "INVALID_SERVICE_PRINCIPAL_FORMAT",
            "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
            "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", "FEDERATED_PRINCIPAL_NOT_SUPPORTED",
            "INVALID_ROLE_REFERENCE", "INVALID_USER_REFERENCE", "EMPTY_OBJECT_PRINCIPAL", "EMPTY_ARRAY_PRINCIPAL",
            "UNKNOWN_PRINCIPAL", "UNKNOWN_FEDERATION_SOURCE"
        ],
        category: Invalid,
        severity: Error,
        fix: None,
        frontends: [PolicyJson],
    }
}

/// Web identity providers that may stand as a `Federated` principal by host name.
const WEB_IDENTITY_HOSTS: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "www.amazon.com",
    "graph.facebook.com",
    "accounts.google.com",
    "appleid.apple.com",
];

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_unique_id(text: &str) -> bool {
    ["AROA", "AIDA", "AGPA", "AIPA", "ANPA", "ANVA", "ASIA"].iter().any(|p| text.starts_with(p))
        && text.len() >= 16
        && text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Problems with one `AWS` principal value, or `None` when it is valid.
fn aws_problem(text: &str) -> Option<(String, Severity)> {
    if text == "*" || is_account_id(text) {
        return None;
    }
    if is_unique_id(text) {
        return Some((
            format!("`{text}` is a unique id: if the principal is re-created, the policy silently stops matching it"),
            Severity::Warning,
        ));
    }
    let Some(fields) = arn_fields(text) else {
        return Some((format!("`{text}` is not an account id or an IAM principal ARN"), Severity::Error));
    };
    if has_wildcard(text) {
        return Some((
            format!(
                "Principal ARNs cannot contain wildcards: `{text}`; use `aws:PrincipalArn` with `ArnLike` in a condition"
            ),
            Severity::Error,
        ));
    }
    let resource = fields.resource;
    let valid = match fields.service {
        "iam" => {
            resource == "root"
                || ["user/", "role/", "federated-user/"]
                    .iter()
                    .any(|p| resource.starts_with(p) && resource.len() > p.len())
        }
        "sts" => {
            ["assumed-role/", "federated-user/"].iter().any(|p| resource.starts_with(p) && resource.len() > p.len())
        }
        _ => false,
    };
    let account_ok = is_account_id(fields.account) || fields.account.contains("${");
    (!valid || !account_ok || !fields.region.is_empty()).then(|| {
        (format!("`{text}` is not an account-root, user, role, assumed-role or federated-user ARN"), Severity::Error)
    })
}

fn service_problem(text: &str) -> Option<String> {
    if has_wildcard(text) {
        return Some(format!("Service principals cannot contain wildcards: `{text}`"));
    }
    let valid = [".amazonaws.com", ".amazonaws.com.cn", ".c2s.ic.gov", ".sc2s.sgov.gov", ".amazonaws.eu"]
        .iter()
        .any(|suffix| text.strip_suffix(suffix).is_some_and(|name| !name.is_empty()));
    (!valid).then(|| format!("`{text}` is not a service principal such as `lambda.amazonaws.com`"))
}

fn federated_problem(text: &str) -> Option<String> {
    if WEB_IDENTITY_HOSTS.contains(&text) {
        return None;
    }
    let valid = arn_fields(text).is_some_and(|fields| {
        fields.service == "iam"
            && (fields.resource.starts_with("oidc-provider/") || fields.resource.starts_with("saml-provider/"))
    });
    (!valid).then(|| format!("`{text}` is not an OIDC or SAML provider ARN or a known web identity provider"))
}

fn canonical_problem(text: &str) -> Option<String> {
    let valid = text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit());
    (!valid).then(|| format!("`{text}` is not a canonical user id (64 hexadecimal digits)"))
}

fn check_principal(principal: &PrincipalElement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
    match &principal.body {
        PrincipalBody::Scalar(value) => match value.known() {
            Some("*") if doc.kind == PolicyKind::Trust => {
                ctx.report(value.span, "A trust policy cannot use `\"*\"` as a bare principal; name the principals");
            }
            Some("*") | None => {}
            Some(text) => {
                ctx.report(value.span, format!("A bare principal must be `\"*\"`, not `{text}`; use `{{\"AWS\": …}}`"));
            }
        },
        PrincipalBody::Map(entries) => {
            for (kind, list) in entries {
                for item in &list.items {
                    let Some(text) = item.known() else { continue };
                    let problem = match kind {
                        PrincipalType::Aws => aws_problem(text),
                        PrincipalType::Service => service_problem(text).map(|m| (m, Severity::Error)),
                        PrincipalType::Federated => federated_problem(text).map(|m| (m, Severity::Error)),
                        PrincipalType::CanonicalUser => canonical_problem(text).map(|m| (m, Severity::Error)),
                        PrincipalType::Other(_) => None,
                    };
                    if let Some((message, severity)) = problem {
                        ctx.report(item.span, message).severity(severity);
                    }
                }
                if let PrincipalType::Other(name) = kind {
                    ctx.report(
                        list.key.span,
                        format!(
                            "Unknown principal type `{name}`; use `AWS`, `Service`, `Federated` or `CanonicalUser`"
                        ),
                    );
                }
            }
        }
        PrincipalBody::Unknown(_) => {}
    }
}

impl Rule for InvalidPrincipal {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        for principal in [&stmt.principal, &stmt.not_principal].into_iter().flatten() {
            check_principal(principal, doc, ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn invalid_principal() {
        RuleTest::new(&super::InvalidPrincipal)
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda"},"Action":"sts:AssumeRole"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"token.example.com"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"s3:GetObject","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEID1234567"},"Action":"s3:GetObject","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Principal":{"Group":"x"},"Action":"s3:GetObject","Resource":"*"}}"#))
            .fail(case::policy_json_as("trust", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["*","123456789012","arn:aws:iam::123456789012:role/a/b","arn:aws:sts::123456789012:assumed-role/r/s"],"Service":["ec2.amazonaws.com"],"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"s3:GetObject","Resource":"*"}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#))
            .run();
    }
}
