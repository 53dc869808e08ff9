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
    /// ## Fix safety
    /// Offered for the `Principal` (not `NotPrincipal`) of a statement when its only principal
    /// type is `AWS` and every entry is a user or role ARN with a wildcard in its name but a
    /// fixed partition and account, and the statement does not test `aws:PrincipalArn` with
    /// `ArnLike` already: the entries become the root ARNs of their accounts, and the patterns
    /// move into `"Condition": {"ArnLike": {"aws:PrincipalArn": […]}}`. Not offered on one
    /// branch of a CloudFormation `Fn::If`. Always unsafe: a principal named by its ARN may
    /// assume the role or use the resource on this policy alone, while one matched through the
    /// account root also needs its own identity policy to allow the action.
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
        fix: Sometimes,
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

/// The account root that stands for a principal ARN with a wildcard in its name only
/// (`arn:aws:iam::123456789012:role/deploy-*` → `arn:aws:iam::123456789012:root`).
fn account_root_of_pattern(text: &str) -> Option<String> {
    let fields = arn_fields(text)?;
    let named = ["user/", "role/"].iter().any(|prefix| fields.resource.starts_with(prefix));
    let fixed = !has_wildcard(fields.partition) && is_account_id(fields.account) && fields.region.is_empty();
    (fields.service == "iam" && named && fixed && has_wildcard(fields.resource))
        .then(|| format!("arn:{}:iam::{}:root", fields.partition, fields.account))
}

/// "Move the wildcard ARNs into an `aws:PrincipalArn` condition on the account principal": the
/// `AWS` entries become their account roots, and their patterns an `ArnLike` condition. `None`
/// unless every principal of the statement is such a pattern (a condition on the statement
/// would shut out any other), and the statement has no `aws:PrincipalArn` test of `ArnLike`.
fn principal_arn_fix(stmt: &Statement, principal: &PrincipalElement) -> Option<(String, Vec<PolicyEdit>)> {
    let PrincipalBody::Map(entries) = &principal.body else { return None };
    let [(PrincipalType::Aws, list)] = entries.as_slice() else { return None };
    // A value that is one branch of a CloudFormation `Fn::If` is not the text of the list.
    if list.unknown.is_some()
        || list.items.is_empty()
        || (list.form == ListForm::Single && list.items.iter().any(|item| item.span != list.span))
    {
        return None;
    }
    let (mut roots, mut patterns) = (Vec::<String>::new(), Vec::<String>::new());
    for item in &list.items {
        let text = item.known()?;
        let root = account_root_of_pattern(text)?;
        if !roots.contains(&root) {
            roots.push(root);
        }
        if !patterns.iter().any(|pattern| pattern == text) {
            patterns.push(text.to_owned());
        }
    }
    let condition = PolicyEdit::insert_condition(stmt, "ArnLike", "aws:PrincipalArn", &patterns)?;
    let principals = match (list.form, roots.as_slice()) {
        (ListForm::Single, [root]) => PolicyEdit::ReplaceString { target: list.span, value: root.clone() },
        _ => PolicyEdit::ReplaceWithList { target: list.span, values: roots.clone() },
    };
    let title = match (roots.as_slice(), patterns.as_slice()) {
        ([root], [pattern]) => {
            format!("Trust `{root}` and match `{pattern}` with an `aws:PrincipalArn` condition")
        }
        _ => "Trust the account roots and match the patterns with an `aws:PrincipalArn` condition".to_owned(),
    };
    Some((title, vec![principals, condition]))
}

/// Reports the problems of one principal element; `fix`, when given, goes on the first finding.
fn check_principal(
    principal: &PrincipalElement,
    doc: &PolicyDocument,
    mut fix: Option<(String, Vec<PolicyEdit>)>,
    ctx: &mut RuleContext<'_>,
) {
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
                        let finding = ctx.report(item.span, message).severity(severity);
                        // One fix per statement: it rewrites the whole `AWS` list.
                        match fix.take() {
                            Some((title, edits)) => drop(finding.fix(title, Applicability::Unsafe, edits)),
                            None => drop(finding),
                        }
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
        if let Some(principal) = &stmt.principal {
            // A value read from one branch of a CloudFormation `Fn::If` is not the whole text.
            let fix = if doc.origin.branch { None } else { principal_arn_fix(stmt, principal) };
            check_principal(principal, doc, fix, ctx);
        }
        // A `NotPrincipal` pattern would need the negated test, so it has no fix.
        if let Some(principal) = &stmt.not_principal {
            check_principal(principal, doc, None, ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};

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
            .fix(
                case::policy_json_as(
                    "trust",
                    r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/deploy-*","arn:aws:iam::210987654321:user/ci-*"]},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
                ),
                r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root", "arn:aws:iam::210987654321:root"]},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::123456789012:role/deploy-*","arn:aws:iam::210987654321:user/ci-*"]}}}]}"#,
            )
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = "sts:AssumeRole"
      Condition = {
        ArnLike = {
          "aws:PrincipalArn" = "arn:aws:iam::123456789012:role/deploy-*"
        }
      }
    }]
  })
}
"#)
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::123456789012:role/deploy-*"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: arn:aws:iam::123456789012:root
            Action: sts:AssumeRole
            Condition:
              ArnLike:
                aws:PrincipalArn: arn:aws:iam::123456789012:role/deploy-*
"#)
            .fix(case::cfn(CFN_JSON), r#"{
  "Resources": {
    "Deploy": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
              "Action": "sts:AssumeRole",
              "Condition": {
                "ArnLike": {
                  "aws:PrincipalArn": "arn:aws:iam::123456789012:role/deploy-*"
                }
              }
            }
          ]
        }
      }
    }
  }
}
"#)
            .run();
    }

    #[test]
    fn no_fix_that_would_shut_out_other_principals() {
        for text in [
            // The condition would apply to the exact role and the service too.
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/deploy-*","arn:aws:iam::123456789012:role/admin"]},"Action":"sts:AssumeRole"}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/deploy-*","Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#,
            // No account to trust, and an `aws:PrincipalArn` test that the fix would duplicate.
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:role/deploy"},"Action":"sts:AssumeRole"}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/deploy-*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/ci"}}}}"#,
            // A session ARN's pattern does not match `aws:PrincipalArn`, which names the role.
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/deploy/*"},"Action":"sts:AssumeRole"}}"#,
            r#"{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/deploy-*"},"Action":"s3:*","Resource":"*"}}"#,
        ] {
            let findings = run_rule(&super::InvalidPrincipal, &case::policy_json_as("trust", text));
            assert!(!findings.is_empty(), "{text}");
            assert!(findings.iter().all(|f| f.fixes.is_empty()), "{text}: {findings:?}");
        }
    }

    #[test]
    fn no_fix_across_principals_blocks() {
        let text = r#"data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/deploy-*"]
    }

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:user/ci-*"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"#;
        // One list replacement cannot rewrite both blocks.
        let findings = run_rule(&super::InvalidPrincipal, &case::hcl(text));
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert!(findings.iter().all(|f| f.fixes.is_empty()), "{findings:?}");
    }

    #[test]
    fn no_fix_on_a_conditional_branch() {
        let text = r#"Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Parameters:
  Stage:
    Type: String
Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS: !If [IsProd, 'arn:aws:iam::123456789012:role/deploy-*', 'arn:aws:iam::123456789012:root']
            Action: sts:AssumeRole
"#;
        let findings = run_rule(&super::InvalidPrincipal, &case::cfn(text));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].fixes.is_empty(), "the pattern is only the `IsProd` branch");
    }

    const HCL_JSONENCODE: &str = r#"resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:role/deploy-*" }
      Action    = "sts:AssumeRole"
    }]
  })
}
"#;

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/deploy-*"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: arn:aws:iam::123456789012:role/deploy-*
            Action: sts:AssumeRole
"#;

    const CFN_JSON: &str = r#"{
  "Resources": {
    "Deploy": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": {"AWS": ["arn:aws:iam::123456789012:role/deploy-*"]},
              "Action": "sts:AssumeRole"
            }
          ]
        }
      }
    }
  }
}
"#;
}
