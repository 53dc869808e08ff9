//! IAM308 `trust-action-principal-mismatch`.

use rein_text::Span;

use crate::context::FindingBuilder;
use crate::rules::prelude::*;
use crate::semantics::{PrincipalShape, arn_fields, principal_items};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements of a role trust policy whose actions are not trust actions, or do not
    /// pair with the principals they name. A trust policy may only use `sts:AssumeRole`,
    /// `sts:AssumeRoleWithSAML`, `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`,
    /// `sts:SetSourceIdentity` and `sts:SetContext`; a wildcard such as `*` or `sts:*` is an error
    /// too. Each kind of principal assumes the role with its own action:
    /// - a SAML provider with `sts:AssumeRoleWithSAML`;
    /// - an OIDC provider or a web identity host with `sts:AssumeRoleWithWebIdentity`;
    /// - an `AWS` or `Service` principal with `sts:AssumeRole`;
    /// - IAM Roles Anywhere (`rolesanywhere.amazonaws.com`) needs `sts:AssumeRole`,
    ///   `sts:TagSession` and `sts:SetSourceIdentity` together.
    ///
    /// `sts:TagSession`, `sts:SetSourceIdentity` and `sts:SetContext` next to the matching assume
    /// action are fine. Values that are not known statically are not judged.
    ///
    /// ## Why it matters
    /// An assume action that does not match its principal never applies: the role cannot be
    /// assumed the way it was meant to be, and the next edit that "fixes" it is often a wildcard.
    /// A wildcard or a non-STS action in a trust policy is rejected by IAM or, where accepted,
    /// grants more session capabilities than the trust needs.
    ///
    /// ## Example
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"},
    ///     "Action": "sts:AssumeRoleWithWebIdentity"
    ///   }]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"},
    ///     "Action": "sts:AssumeRoleWithSAML",
    ///     "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    ///   }]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: when every principal of the statement is of one kind, the fix replaces a
    /// mismatched or wildcard action with that kind's assume action, which makes the role
    /// assumable by those principals.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: Principal (role trust policies)
    /// - AWS STS API Reference: AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity
    /// - IAM Roles Anywhere User Guide: trust model (`sts:AssumeRole`, `sts:TagSession`, `sts:SetSourceIdentity`)
    TrustActionPrincipalMismatch {
        id: "IAM308",
        aliases: [
            "MISMATCHED_ACTION_FOR_PRINCIPAL",
            "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY",
            "UNSUPPORTED_ACTION_IN_POLICY",
            "F2",
            "E3530",
        ],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// The actions a trust policy may use (AWS IAM User Guide, role trust policies).
const TRUST_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

const ROLES_ANYWHERE: &str = "rolesanywhere.amazonaws.com";
const ROLES_ANYWHERE_ACTIONS: &[&str] = &["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"];

/// The assume action a principal pairs with, or `None` when the principal is not known.
fn assume_action(shape: &PrincipalShape) -> Option<&'static str> {
    match shape {
        PrincipalShape::Anyone | PrincipalShape::AccountRoot(_) | PrincipalShape::Named(_) => Some("sts:AssumeRole"),
        PrincipalShape::Service(_) => Some("sts:AssumeRole"),
        PrincipalShape::Federated(federated) => {
            if arn_fields(federated).is_some_and(|fields| fields.resource.starts_with("saml-provider/")) {
                Some("sts:AssumeRoleWithSAML")
            } else {
                Some("sts:AssumeRoleWithWebIdentity")
            }
        }
        PrincipalShape::CanonicalUser | PrincipalShape::Other => None,
    }
}

fn canonical(action: &str) -> Option<&'static str> {
    TRUST_ACTIONS.iter().copied().find(|name| name.eq_ignore_ascii_case(action))
}

fn is_assume(name: &str) -> bool {
    name.starts_with("sts:AssumeRole")
}

/// Adds the fix that replaces the action at `target` with `action`, when there is one.
fn with_fix<'c, 'a>(finding: FindingBuilder<'c, 'a>, action: Option<&str>, target: Span) -> FindingBuilder<'c, 'a> {
    match action {
        Some(action) => finding.fix(
            format!("Use `{action}`"),
            Applicability::Unsafe,
            vec![PolicyEdit::ReplaceString { target, value: action.to_owned() }],
        ),
        None => finding,
    }
}

impl Rule for TrustActionPrincipalMismatch {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if doc.kind != PolicyKind::Trust || !stmt.is_allow() {
            return;
        }
        let Some(actions) = &stmt.action else { return };
        let principals = stmt.principal.as_ref().map(principal_items).unwrap_or_default();
        let known_principals = stmt.principal.as_ref().is_some_and(|p| !crate::semantics::principal_is_unknown(p))
            && !principals.is_empty()
            && principals.iter().all(|item| assume_action(&item.shape).is_some());
        let wanted: Vec<&'static str> = principals.iter().filter_map(|item| assume_action(&item.shape)).collect();
        // The one assume action every principal pairs with, when there is exactly one; fixes use it.
        let single = match wanted.split_first() {
            Some((first, rest)) if known_principals && rest.iter().all(|w| w == first) => Some(*first),
            _ => None,
        };
        let mut listed: Vec<&'static str> = Vec::new();
        let mut action_reported = false;
        for value in &actions.items {
            let Some(text) = value.known() else { continue };
            if text.contains('*') || text.contains('?') {
                action_reported = true;
                let finding = ctx.report(value.span, format!("Wildcard action `{text}` in a trust policy"));
                drop(with_fix(finding, single, value.span));
                continue;
            }
            let Some(name) = canonical(text) else {
                action_reported = true;
                let finding = ctx.report(value.span, format!("`{text}` is not an action a trust policy can grant"));
                drop(with_fix(finding, single, value.span));
                continue;
            };
            listed.push(name);
            if known_principals && is_assume(name) && !wanted.contains(&name) {
                action_reported = true;
                let expected = single.map_or_else(String::new, |action| format!(": use `{action}`"));
                let finding =
                    ctx.report(value.span, format!("`{text}` does not match the statement's principals{expected}"));
                drop(with_fix(finding, single, value.span));
            }
        }
        if !known_principals
            || action_reported
            || actions.unknown.is_some()
            || actions.items.iter().any(|v| v.known().is_none())
        {
            return;
        }
        for item in &principals {
            let Some(needed) = assume_action(&item.shape) else { continue };
            let Some(text) = item.value.known() else { continue };
            if matches!(&item.shape, PrincipalShape::Service(service) if service.eq_ignore_ascii_case(ROLES_ANYWHERE)) {
                let missing: Vec<String> = ROLES_ANYWHERE_ACTIONS
                    .iter()
                    .filter(|action| !listed.contains(action))
                    .map(|action| format!("`{action}`"))
                    .collect();
                if !missing.is_empty() {
                    ctx.report(item.value.span, format!("`{text}` is trusted without {}", missing.join(", "))).note(
                        "IAM Roles Anywhere needs `sts:AssumeRole`, `sts:TagSession` and `sts:SetSourceIdentity`",
                    );
                }
                continue;
            }
            if !listed.contains(&needed) {
                ctx.report(
                    item.value.span,
                    format!("`{text}` is trusted without `{needed}`, the action it assumes roles with"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn trust_action_principal_mismatch() {
        let trust = |text| case::policy_json_as("trust", text);
        RuleTest::new(&super::TrustActionPrincipalMismatch)
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#),
                "use `sts:AssumeRoleWithSAML`",
            )
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:*"}}"#),
                "Wildcard action `sts:*`",
            )
            .fail(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*"}}"#))
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":["sts:AssumeRole","s3:GetObject"]}}"#),
                "`s3:GetObject` is not an action",
            )
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRole"}}"#),
                "use `sts:AssumeRoleWithWebIdentity`",
            )
            // A statement that mixes principal kinds needs every kind's action.
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root","Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRole"}}"#),
                "without `sts:AssumeRoleWithSAML`",
            )
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":"sts:AssumeRole"}}"#),
                "without `sts:TagSession`, `sts:SetSourceIdentity`",
            )
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}}"#))
            // Session tags and source identity next to the matching assume action are fine.
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/deploy"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root","Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":["sts:AssumeRole","sts:AssumeRoleWithSAML"]}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Deny","Principal":{"Service":"ec2.amazonaws.com"},"Action":"*"}}"#))
            // Only trust policies are judged.
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#))
            .fix(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#),
                r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}}"#,
            )
            .fix(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:*"}}"#),
                r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#,
            )
            .run();
    }
}
