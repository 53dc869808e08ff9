//! IAM305 `federated-trust-missing-claims`.

use rein_model::SetQualifier;

use crate::context::FindingBuilder;
use crate::rules::prelude::*;
use crate::semantics::{
    PrincipalShape, action_items, arn_fields, ci_issuer, condition_has_unknown, has_narrowing_key,
    is_narrowing_operator, items_grant_action, narrowing_entries, oidc_issuer, principal_items,
};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements of a role trust policy that let a federated identity provider assume
    /// the role without the claims that say whose tokens count:
    /// - an OIDC provider (`oidc-provider/<issuer>` with `sts:AssumeRoleWithWebIdentity`) must
    ///   test both `<issuer>:aud` and `<issuer>:sub` with a positive operator; for EKS (IRSA) the
    ///   subject is `system:serviceaccount:<namespace>:<service-account>`;
    /// - Google, Facebook and Login with Amazon must test their audience (`accounts.google.com:aud`,
    ///   `graph.facebook.com:app_id`, `www.amazon.com:app_id`);
    /// - a Cognito identity pool must test `cognito-identity.amazonaws.com:aud`; without an
    ///   `cognito-identity.amazonaws.com:amr` test for `authenticated`, unauthenticated
    ///   identities may assume the role too (a warning);
    /// - a SAML provider should require `SAML:aud` to be the AWS sign-in endpoint (info).
    ///
    /// A set operator on the audience is accepted, since some providers send a list. Claim keys
    /// are compared without regard to case, as IAM does. CI issuers (GitHub Actions, GitLab,
    /// Terraform Cloud, CircleCI, Bitbucket) are IAM306's, which checks their subjects more
    /// strictly. A condition that is not known statically keeps the rule silent.
    ///
    /// ## Why it matters
    /// Without an audience and a subject, every token the provider issues, for any client and
    /// any user of it, can assume the role. For a shared provider such as an EKS cluster that is
    /// every pod with a service-account token.
    ///
    /// ## Example
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
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
    ///     "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
    ///     "Action": "sts:AssumeRoleWithWebIdentity",
    ///     "Condition": {"StringEquals": {
    ///       "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
    ///       "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:app:api"
    ///     }}
    ///   }]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Always unsafe: the conditions shut out tokens that do not carry the claims. `SAML:aud`
    /// gets the AWS sign-in endpoint, an EKS audience `sts.amazonaws.com`; the other values are
    /// placeholders to replace: `IDENTITY-POOL-ID-PLACEHOLDER`, `CLIENT-ID-PLACEHOLDER`,
    /// `APP-ID-PLACEHOLDER`, `SUBJECT-PLACEHOLDER`, and for EKS
    /// `system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT`.
    ///
    /// ## References
    /// - AWS IAM User Guide: creating a role for web identity or OpenID Connect federation
    /// - AWS IAM User Guide: available keys for AWS web identity federation and for SAML federation
    /// - Amazon EKS User Guide: IAM roles for service accounts
    FederatedTrustMissingClaims {
        id: "IAM305",
        aliases: ["MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", "CONFIRM_AUDIENCE_CLAIM_TYPE", "trust_policy_validation"],
        category: OverlyPermissive,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// Public web identity providers and the claim that names the client application.
const WEB_IDENTITY_AUDIENCE: &[(&str, &str)] = &[
    ("accounts.google.com", "accounts.google.com:aud"),
    ("graph.facebook.com", "graph.facebook.com:app_id"),
    ("www.amazon.com", "www.amazon.com:app_id"),
];

const COGNITO: &str = "cognito-identity.amazonaws.com";

/// The audience of SAML assertions for the AWS sign-in endpoint.
const SAML_AUDIENCE: &str = "https://signin.aws.amazon.com/saml";

/// The value the fix writes for a missing claim: EKS's fixed audience, else a placeholder.
fn claim_placeholder(key: &str, eks: bool) -> &'static str {
    let claim = key.rsplit(':').next().unwrap_or_default();
    match (claim, eks) {
        ("aud", true) => "sts.amazonaws.com",
        ("aud", false) => "CLIENT-ID-PLACEHOLDER",
        ("app_id", _) => "APP-ID-PLACEHOLDER",
        (_, true) => "system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT",
        _ => "SUBJECT-PLACEHOLDER",
    }
}

/// Offers the fix that requires the claims `entries` (key, value) under `operator`, once per
/// statement.
fn require_claims<'c, 'a>(
    finding: FindingBuilder<'c, 'a>,
    stmt: &Statement,
    operator: &str,
    entries: Vec<(String, String)>,
    offered: &mut bool,
) -> FindingBuilder<'c, 'a> {
    if std::mem::replace(offered, true) {
        return finding;
    }
    let title = format!(
        "Require {}",
        entries.iter().map(|(key, value)| format!("`{key}` to be `{value}`")).collect::<Vec<_>>().join(" and ")
    );
    let entries = entries.into_iter().map(|(key, value)| (key, vec![value])).collect();
    let edits = PolicyEdit::insert_conditions(stmt, operator, entries).into_iter().collect();
    finding.fix(title, Applicability::Unsafe, edits)
}

/// Whether some positive operator, with or without a set qualifier, tests the audience `key`.
fn tests_audience(stmt: &Statement, key: &str) -> bool {
    stmt.condition.as_ref().is_some_and(|block| {
        block.entries().any(|(op, entry)| is_narrowing_operator(op) && entry.key.name.eq_ignore_ascii_case(key))
    })
}

/// Whether the Cognito `amr` claim is required to contain `authenticated`.
fn requires_authenticated(stmt: &Statement) -> bool {
    let key = format!("{COGNITO}:amr");
    narrowing_entries(stmt, &key, false).iter().any(|(op, entry)| {
        op.name.qualifier != Some(SetQualifier::ForAllValues)
            && !entry.values.is_empty()
            && entry.values.iter().all(|v| v.value.known().is_none_or(|text| text == "authenticated"))
    })
}

fn quoted_list(keys: &[String]) -> String {
    keys.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join(" and ")
}

impl Rule for FederatedTrustMissingClaims {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if doc.kind != PolicyKind::Trust || !stmt.is_allow() || condition_has_unknown(stmt) {
            return;
        }
        let Some(principal) = &stmt.principal else { return };
        let items = action_items(stmt, ctx);
        let web_identity = items_grant_action(&items, "sts:AssumeRoleWithWebIdentity");
        let saml = items_grant_action(&items, "sts:AssumeRoleWithSAML");
        let options = ctx.settings().options.clone();
        // One fix per statement: a second would write the same `Condition` again.
        let mut fix_offered = false;
        for item in principal_items(principal) {
            let PrincipalShape::Federated(federated) = &item.shape else { continue };
            let span = item.value.span;
            let is_saml = arn_fields(federated).is_some_and(|fields| fields.resource.starts_with("saml-provider/"));
            if is_saml {
                if saml && !has_narrowing_key(stmt, "SAML:aud") {
                    let finding = ctx
                        .report(span, format!("`{federated}` is trusted without a `SAML:aud` test"))
                        .severity(Severity::Info)
                        .note("require `SAML:aud` to be `https://signin.aws.amazon.com/saml`");
                    let entries = vec![("SAML:aud".to_owned(), SAML_AUDIENCE.to_owned())];
                    drop(require_claims(finding, stmt, "StringEquals", entries, &mut fix_offered));
                }
                continue;
            }
            if !web_identity {
                continue;
            }
            let Some(issuer) = oidc_issuer(federated) else { continue };
            if ci_issuer(issuer, &options).is_some() {
                continue;
            }
            if issuer.eq_ignore_ascii_case(COGNITO) {
                let aud = format!("{COGNITO}:aud");
                if !tests_audience(stmt, &aud) {
                    let finding = ctx.report(
                        span,
                        format!(
                            "`{federated}` is trusted without a `{aud}` test: any identity pool may assume this role"
                        ),
                    );
                    let entries = vec![(aud, "IDENTITY-POOL-ID-PLACEHOLDER".to_owned())];
                    drop(require_claims(finding, stmt, "StringEquals", entries, &mut fix_offered));
                } else if !requires_authenticated(stmt) {
                    let finding = ctx
                        .report(
                            span,
                            format!("`{federated}` is trusted without requiring `{COGNITO}:amr` to be `authenticated`"),
                        )
                        .severity(Severity::Warning)
                        .note("unauthenticated (guest) identities of the pool may assume this role");
                    let entries = vec![(format!("{COGNITO}:amr"), "authenticated".to_owned())];
                    drop(require_claims(finding, stmt, "ForAnyValue:StringLike", entries, &mut fix_offered));
                }
                continue;
            }
            let missing: Vec<String> =
                match WEB_IDENTITY_AUDIENCE.iter().find(|(host, _)| host.eq_ignore_ascii_case(issuer)) {
                    Some((_, audience)) => {
                        if tests_audience(stmt, audience) {
                            Vec::new()
                        } else {
                            vec![(*audience).to_owned()]
                        }
                    }
                    None => {
                        let aud = format!("{issuer}:aud");
                        let sub = format!("{issuer}:sub");
                        let mut missing = Vec::new();
                        if !tests_audience(stmt, &aud) {
                            missing.push(aud);
                        }
                        if narrowing_entries(stmt, &sub, false).is_empty() {
                            missing.push(sub);
                        }
                        missing
                    }
                };
            if missing.is_empty() {
                continue;
            }
            let mut finding = ctx
                .report(span, format!("`{federated}` is trusted without a positive test of {}", quoted_list(&missing)));
            let eks = issuer.to_ascii_lowercase().starts_with("oidc.eks.");
            if eks {
                finding = finding.note("for EKS, the subject is `system:serviceaccount:<namespace>:<service-account>`");
            }
            let entries = missing.iter().map(|key| (key.clone(), claim_placeholder(key, eks).to_owned())).collect();
            drop(require_claims(finding, stmt, "StringEquals", entries, &mut fix_offered));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn federated_trust_missing_claims() {
        let trust = |text| case::policy_json_as("trust", text);
        RuleTest::new(&super::FederatedTrustMissingClaims)
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud":"sts.amazonaws.com"}}}}"#),
                "`oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub`",
            )
            // A negated test does not constrain the subject.
            .fail(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/auth.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"auth.example.com:aud":"app"},"StringNotEquals":{"auth.example.com:sub":"guest"}}}}"#))
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#),
                "any identity pool",
            )
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"eu-west-1:1234abcd-12ab-34cd-56ef-1234567890ab"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}}}}"#),
                "`authenticated`",
            )
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}}"#),
                "`SAML:aud`",
            )
            .fail(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"eu-west-1:1234abcd-12ab-34cd-56ef-1234567890ab"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}}"#))
            // A set operator on the audience, and keys written in another case.
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/auth.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringEquals":{"auth.example.com:aud":["app","cli"]},"StringEquals":{"AUTH.example.com:SUB":"user-1"}}}}"#))
            // CI issuers are IAM306's.
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Deny","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#))
            .fix(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#), r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud":"sts.amazonaws.com","oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT"}}}}"#)
            .fix(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"eu-west-1:1234abcd-12ab-34cd-56ef-1234567890ab"}}}}"#), r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"eu-west-1:1234abcd-12ab-34cd-56ef-1234567890ab"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}}"#)
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "okta" {
  statement {
    actions = ["sts:AssumeRoleWithSAML"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:saml-provider/Okta"]
    }
    condition {
      test     = "StringEquals"
      variable = "SAML:aud"
      values   = ["https://signin.aws.amazon.com/saml"]
    }
  }
}

resource "aws_iam_role" "okta" {
  assume_role_policy = data.aws_iam_policy_document.okta.json
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Web:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: 'arn:aws:iam::123456789012:oidc-provider/auth.example.com'}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                auth.example.com:aud: CLIENT-ID-PLACEHOLDER
                auth.example.com:sub: SUBJECT-PLACEHOLDER
"#)
            .run();
    }

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "okta" {
  statement {
    actions = ["sts:AssumeRoleWithSAML"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:saml-provider/Okta"]
    }
  }
}

resource "aws_iam_role" "okta" {
  assume_role_policy = data.aws_iam_policy_document.okta.json
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Web:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: 'arn:aws:iam::123456789012:oidc-provider/auth.example.com'}
            Action: sts:AssumeRoleWithWebIdentity
"#;
}
