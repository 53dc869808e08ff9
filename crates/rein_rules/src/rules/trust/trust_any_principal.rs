//! IAM301 `trust-any-principal`.

use crate::rules::prelude::*;
use crate::semantics::{
    CALLER_PINNING_KEYS, PrincipalArnPin, PrincipalShape, action_items, condition_has_unknown, grants_assume_role,
    has_narrowing_key, principal_arn_pin, principal_items,
};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements of a role trust policy that let `{"AWS": "*"}` (or a bare `"*"`)
    /// assume the role, unless a positive condition pins the caller to known principals:
    /// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, or an
    /// `aws:PrincipalArn` whose ARNs name specific accounts.
    ///
    /// A statement narrowed only by `sts:ExternalId`, or by an `aws:PrincipalArn` with a
    /// wildcard account, is reported as a warning. Deny statements are never reported, and a
    /// condition that is not known statically keeps the rule silent (IAM010 lists it).
    ///
    /// ## Why it matters
    /// Anyone with credentials in any AWS account can assume the role and act with its
    /// permissions. An external id is a shared secret handed to a vendor, not a check of who
    /// the caller is.
    ///
    /// ## Example
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"AWS": "*"},
    ///     "Action": "sts:AssumeRole",
    ///     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    ///   }]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Always unsafe: the condition shuts out every caller outside the organization. The
    /// organization id is `org_id` when configured, else the placeholder `o-xxxxxxxxxx`, to be
    /// replaced with your own.
    ///
    /// ## References
    /// - AWS IAM User Guide: AWS JSON policy elements: Principal (anonymous users and `"*"`)
    /// - AWS IAM User Guide: AWS global condition context keys (`aws:PrincipalOrgID`, `aws:PrincipalArn`)
    TrustAnyPrincipal {
        id: "IAM301",
        aliases: ["CKV_AWS_60", "AssumableByAnyPrincipal", "AssumableByAnyPrincipalWithConditions"],
        category: OverlyPermissive,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for TrustAnyPrincipal {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if doc.kind != PolicyKind::Trust || !stmt.is_allow() || condition_has_unknown(stmt) {
            return;
        }
        let Some(principal) = &stmt.principal else { return };
        let items = action_items(stmt, ctx);
        if !grants_assume_role(&items) {
            return;
        }
        let pinned_by_key = CALLER_PINNING_KEYS.iter().any(|key| has_narrowing_key(stmt, key));
        let arn_pin = principal_arn_pin(stmt);
        if pinned_by_key || arn_pin == PrincipalArnPin::Accounts {
            return;
        }
        let external_id = has_narrowing_key(stmt, "sts:ExternalId");
        // One fix per statement: the condition it adds covers every principal of it.
        let mut fix_offered = false;
        let org_id = ctx.settings().options.org_id.clone();
        for item in principal_items(principal) {
            if item.shape != PrincipalShape::Anyone {
                continue;
            }
            let text = item.value.value.to_string();
            if arn_pin == PrincipalArnPin::AnyAccount {
                let finding = ctx
                    .report(
                        item.value.span,
                        format!("`{text}` may assume this role: `aws:PrincipalArn` allows callers from any account"),
                    )
                    .severity(Severity::Warning)
                    .note("pin the account in `aws:PrincipalArn`, or add `aws:PrincipalOrgID`");
                drop(super::pin_to_organization(finding, stmt, org_id.as_deref(), &mut fix_offered));
            } else if external_id {
                ctx.report(
                    item.value.span,
                    format!("`{text}` may assume this role with only an external id to stop it"),
                )
                .severity(Severity::Warning)
                .note("an external id is a shared secret, not an identity check; name the vendor's account as the principal");
            } else {
                let finding = ctx
                    .report(item.value.span, format!("`{text}` lets anyone in any AWS account assume this role"))
                    .note("name the trusted accounts or roles, or pin the caller with `aws:PrincipalOrgID`");
                drop(super::pin_to_organization(finding, stmt, org_id.as_deref(), &mut fix_offered));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn trust_any_principal() {
        let trust = |text| case::policy_json_as("trust", text);
        RuleTest::new(&super::TrustAnyPrincipal)
            .fail_with(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}}"#), "anyone")
            .fail(trust(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":["sts:AssumeRole","sts:TagSession"]}}"#))
            .fail(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"sts:*"}}"#))
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"7f3c"}}}}"#),
                "external id",
            )
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/deploy"}}}}"#),
                "any account",
            )
            // A negated test or `IfExists` does not pin the caller.
            .fail(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}"#))
            .fail(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEqualsIfExists":{"aws:PrincipalAccount":"123456789012"}}}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:principalorgid":"o-a1b2c3d4e5"}}}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/deploy-*"}}}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":["123456789012","210987654321"]}}}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#))
            // Resource policies are IAM302's.
            .pass(case::policy_json_as("resource", r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}}"#))
            .fix(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["*","*"]},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}"#),
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["*","*"]},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"StringEquals":{"aws:PrincipalOrgID":"o-xxxxxxxxxx"}}}}"#,
            )
            .fix(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}"#)
                    .with_options(crate::RuleOptions { org_id: Some("o-a1b2c3d4e5".into()), ..Default::default() }),
                r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}"#,
            )
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-xxxxxxxxxx"]
    }
  }
}

resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"#)
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole", Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-xxxxxxxxxx" } } }]
  })
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS: '*'
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                aws:PrincipalOrgID: o-xxxxxxxxxx
"#)
            .run();
    }

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"#;

    const HCL_JSONENCODE: &str = r#"resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }]
  })
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS: '*'
            Action: sts:AssumeRole
"#;
}
