//! IAM303 `allow-with-notprincipal`.

use rein_model::{EditValue, PrincipalBody, PrincipalElement, PrincipalType};

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `NotPrincipal` in resource and trust policies:
    /// - an `Allow` with `NotPrincipal` in a resource policy grants to every principal of every
    ///   account, anonymous callers included, except those listed: it is effectively public;
    /// - a trust policy cannot use `NotPrincipal` at all;
    /// - a `Deny` with `NotPrincipal` in a resource policy is legal but brittle, and is reported
    ///   as info: to work it must list the account, the role and the role's assumed-role
    ///   session, and a principal missing from the list is locked out.
    ///
    /// ## Why it matters
    /// `NotPrincipal` reads as "everyone but these", which is almost never what an `Allow` should
    /// grant. In a `Deny`, a positive `Principal` of `"*"` with an `ArnNotEquals` test of
    /// `aws:PrincipalArn` says the same thing without listing every session.
    ///
    /// ## Example
    /// ```policy-json resource
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:role/admin"},
    ///     "Action": "s3:GetObject",
    ///     "Resource": "arn:aws:s3:::b/*"
    ///   }]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json resource
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Deny",
    ///     "Principal": "*",
    ///     "Action": "s3:*",
    ///     "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    ///     "Condition": {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/admin"}}
    ///   }]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered for the `Deny` case when `NotPrincipal` lists only `AWS` principals: it becomes
    /// `"Principal": "*"` with an `ArnNotLike` test of `aws:PrincipalArn` against the listed IAM
    /// ARNs (assumed-role session ARNs are dropped: a session's `aws:PrincipalArn` is its role's
    /// ARN). Always unsafe: a listed session whose role is not listed is denied afterwards.
    ///
    /// ## References
    /// - AWS IAM User Guide: AWS JSON policy elements: NotPrincipal
    AllowWithNotprincipal {
        id: "IAM303",
        aliases: [
            "ALLOW_WITH_NOTPRINCIPAL", "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", "NOTPRINCIPAL_WITH_ALLOW", "F6",
            "F7", "F8", "F9"
        ],
        category: OverlyPermissive,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for AllowWithNotprincipal {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(not_principal) = &stmt.not_principal else { return };
        let span = not_principal.key.span;
        match (&doc.kind, stmt.effect()) {
            (PolicyKind::Trust, _) => {
                ctx.report(span, "A trust policy cannot use `NotPrincipal`; name the principals in `Principal`");
            }
            (PolicyKind::Resource { .. }, Some(Effect::Allow)) => {
                ctx.report(
                    span,
                    "`Allow` with `NotPrincipal` grants to everyone except the listed principals, anonymous callers included",
                )
                .note("name the principals in `Principal` instead");
            }
            (PolicyKind::Resource { .. }, Some(Effect::Deny)) => {
                ctx.report(
                    span,
                    "`Deny` with `NotPrincipal` must list the account, the role and its assumed-role sessions to work",
                )
                .severity(Severity::Info)
                .note("use `\"Principal\": \"*\"` with an `ArnNotLike` test of `aws:PrincipalArn`")
                .fix(
                    "Deny every principal whose ARN is not listed",
                    Applicability::Unsafe,
                    principal_arn_rewrite(stmt, not_principal).unwrap_or_default(),
                );
            }
            _ => {}
        }
    }
}

/// The edits that turn `NotPrincipal: {AWS: [arns]}` into `Principal: "*"` with
/// `ArnNotLike: {aws:PrincipalArn: [iam arns]}`, when every entry is a known `AWS` principal.
fn principal_arn_rewrite(stmt: &Statement, not_principal: &PrincipalElement) -> Option<Vec<PolicyEdit>> {
    let PrincipalBody::Map(entries) = &not_principal.body else { return None };
    let mut arns = Vec::new();
    for (kind, list) in entries {
        if *kind != PrincipalType::Aws || list.unknown.is_some() {
            return None;
        }
        for item in &list.items {
            let arn = item.known()?;
            if arn.starts_with("arn:") && arn.contains(":iam::") {
                arns.push(arn.to_owned());
            } else if !arn.contains(":assumed-role/") {
                // An account id or another form that `aws:PrincipalArn` does not take as is.
                return None;
            }
        }
    }
    if arns.is_empty() {
        return None;
    }
    Some(vec![
        PolicyEdit::RemoveMember { key: not_principal.key.span, value: not_principal.span },
        PolicyEdit::AppendMember {
            object: stmt.span,
            key: "Principal".to_owned(),
            value: EditValue::String("*".to_owned()),
        },
        PolicyEdit::insert_condition(stmt, "ArnNotLike", "aws:PrincipalArn", &arns)?,
    ])
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn allow_with_notprincipal() {
        let res = |text| case::policy_json_as("resource", text);
        RuleTest::new(&super::AllowWithNotprincipal)
            .fail_with(
                case::policy_json_as("trust", r#"{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/a"},"Action":"sts:AssumeRole"}}"#),
                "trust policy",
            )
            .fail_with(
                res(r#"{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:role/admin","arn:aws:sts::123456789012:assumed-role/admin/s"]},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}}"#),
                "`Deny` with `NotPrincipal`",
            )
            .pass(res(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/admin"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#))
            .fix(
                res(r#"{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:role/admin","arn:aws:sts::123456789012:assumed-role/admin/s"]},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}}"#), r#"{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Principal":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/admin"}}}}"#)
            .fix(res(PRETTY), r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::b/*",
      "Condition": {"Bool": {"aws:SecureTransport": "false"}, "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/admin"}},
      "Principal": "*"
    }
  ]
}"#)
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_s3_bucket_policy" "b" {
  bucket = "b"
  policy = jsonencode({
    Statement = [{
      Effect       = "Deny"
      Action       = "s3:*"
      Resource     = "arn:aws:s3:::b/*"
      Principal = "*"
      Condition = {
        ArnNotLike = {
          "aws:PrincipalArn" = "arn:aws:iam::123456789012:role/admin"
        }
      }
    }]
  })
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: b
      PolicyDocument:
        Statement:
          - Effect: Deny
            Action: s3:*
            Resource: arn:aws:s3:::b/*
            Principal: '*'
            Condition:
              ArnNotLike:
                aws:PrincipalArn: arn:aws:iam::123456789012:role/admin
"#)
            .run();
    }

    const PRETTY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::b/*",
      "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:role/admin"},
      "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    }
  ]
}"#;

    const CFN_YAML: &str = r#"Resources:
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: b
      PolicyDocument:
        Statement:
          - Effect: Deny
            NotPrincipal:
              AWS:
                - arn:aws:iam::123456789012:role/admin
            Action: s3:*
            Resource: arn:aws:s3:::b/*
"#;

    const HCL_JSONENCODE: &str = r#"resource "aws_s3_bucket_policy" "b" {
  bucket = "b"
  policy = jsonencode({
    Statement = [{
      Effect       = "Deny"
      NotPrincipal = { AWS = ["arn:aws:iam::123456789012:role/admin"] }
      Action       = "s3:*"
      Resource     = "arn:aws:s3:::b/*"
    }]
  })
}
"#;
}
