//! IAM606 `missing-set-operator-on-multivalued-key`.

use crate::rules::prelude::*;
use crate::semantics::{OperatorFamily, is_federated_claim_key, operator_family};

declare_rule! {
    /// ## What it checks
    /// Multi-valued condition keys tested without a set qualifier.
    ///
    /// A multi-valued condition key (an `ArrayOf…` key such as `aws:TagKeys`, `aws:CalledVia`,
    /// `aws:PrincipalOrgPaths` or `kms:EncryptionContextKeys`) tested by a plain operator,
    /// without `ForAllValues:` or `ForAnyValue:`.
    /// `Null` is fine: it tests only whether the key is present.
    /// Identity-provider claims are not reported.
    ///
    /// ## Why it matters
    /// How a plain operator compares a set of request values with the policy values surprises
    /// readers and differs between keys. Say what is meant: `ForAllValues` to restrict the
    /// request to an allowed set (with a `Null` guard, since an empty set passes), or
    /// `ForAnyValue` to require at least one value.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
    ///     "Condition": {"StringEquals": {"aws:TagKeys": ["Env", "Owner"]}}}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
    ///     "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["Env", "Owner"]}, "Null": {"aws:TagKeys": "false"}}}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered for `Allow` statements whose operator tests only this key: the operator becomes
    /// `ForAllValues:…` and a `Null` guard (`false`) is added, so that the request must carry the
    /// key and every value of it must be listed. Always unsafe: requests that carried other
    /// values, or none, are no longer allowed. An operator that also tests other keys, or whose
    /// `ForAllValues:` form is already in the block, is left to you.
    ///
    /// ## References
    /// - AWS IAM User Guide: single-valued vs. multivalued context keys
    MissingSetOperatorOnMultivaluedKey {
        id: "IAM606",
        aliases: ["MISSING_QUALIFIER"],
        category: Suspicious,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for MissingSetOperatorOnMultivaluedKey {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(block) = &stmt.condition else { return };
        for (op, entry) in block.entries() {
            if op.name.qualifier.is_some() {
                continue;
            }
            let Some((_, family)) = operator_family(&op.name.base) else { continue };
            let key = entry.key.name.as_str();
            if family == OperatorFamily::Null || is_federated_claim_key(key) {
                continue;
            }
            let Some(info) = ctx.catalog().condition_key(key) else { continue };
            if !info.multi_valued() {
                continue;
            }
            let qualified = format!("ForAllValues:{}", op.key.name);
            let fixable = stmt.is_allow()
                && op.entries.len() == 1
                && !block.operators.iter().any(|other| other.key.name == qualified);
            let mut finding = ctx.report(entry.key.span, format!("`{key}` holds a set of values but `{}` has no `ForAllValues:` or `ForAnyValue:`", op.key.name))
                .label(op.key.span, "operator")
                .note(format!("use `ForAllValues:{}` with `Null` `{key}`: `false` to allow only listed values, or `ForAnyValue:{}` to require one of them", op.key.name, op.key.name));
            if fixable && let Some(guard) = PolicyEdit::insert_condition(stmt, "Null", key, &["false".to_owned()]) {
                let rename = PolicyEdit::ReplaceString { target: op.key.span, value: qualified.clone() };
                finding = finding.fix(
                    format!("Use `{qualified}` and require `{key}` to be present"),
                    Applicability::Unsafe,
                    vec![rename, guard],
                );
            }
            drop(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn stmt(condition: &str) -> String {
        format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{condition}}}}}"#
        )
    }

    #[test]
    fn missing_set_operator_on_multivalued_key() {
        RuleTest::new(&super::MissingSetOperatorOnMultivaluedKey)
            .fail_with(case::policy_json(&stmt(r#"{"StringEquals":{"aws:TagKeys":["Env","Owner"]}}"#)), "`aws:TagKeys`")
            .fail(case::policy_json(&stmt(
                r#"{"StringLike":{"aws:PrincipalOrgPaths":"o-1/r-ab12/ou-ab12-11111111/*"}}"#,
            )))
            .pass(case::policy_json(&stmt(r#"{"ForAnyValue:StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}}"#)))
            .pass(case::policy_json(&stmt(r#"{"Null":{"aws:TagKeys":"false"}}"#)))
            .pass(case::policy_json(&stmt(r#"{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}"#)))
            .fix(case::policy_json(&stmt(r#"{"StringEquals":{"aws:TagKeys":["Env","Owner"]}}"#)), r#"{"Statement":{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["Env","Owner"]},"Null":{"aws:TagKeys":"false"}}}}"#)
            .fix(case::policy_json(&stmt(r#"{"StringLike":{"aws:TagKeys":"Env*"},"Null":{"aws:RequestTag/Env":"false"}}"#)), r#"{"Statement":{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":"Env*"},"Null":{"aws:RequestTag/Env":"false","aws:TagKeys":"false"}}}}"#)
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "tagging" {
  statement {
    actions   = ["ec2:CreateTags"]
    resources = ["*"]
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["Env", "Owner"]
    }
    condition {
      test     = "Null"
      variable = "aws:TagKeys"
      values   = ["false"]
    }
  }
}

resource "aws_iam_policy" "tagging" {
  policy = data.aws_iam_policy_document.tagging.json
}
"#)
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_iam_policy" "tagging" {
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "ec2:CreateTags"
      Resource  = "*"
      Condition = { "ForAllValues:StringEquals" = { "aws:TagKeys" = ["Env", "Owner"] }, Null = { "aws:TagKeys" = "false" } }
    }]
  })
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Tagging:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: ec2:CreateTags
            Resource: '*'
            Condition:
              ForAllValues:StringEquals:
                aws:TagKeys: [Env, Owner]
              'Null':
                aws:TagKeys: 'false'
"#)
            .run();
    }

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "tagging" {
  statement {
    actions   = ["ec2:CreateTags"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:TagKeys"
      values   = ["Env", "Owner"]
    }
  }
}

resource "aws_iam_policy" "tagging" {
  policy = data.aws_iam_policy_document.tagging.json
}
"#;

    const HCL_JSONENCODE: &str = r#"resource "aws_iam_policy" "tagging" {
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "ec2:CreateTags"
      Resource  = "*"
      Condition = { StringEquals = { "aws:TagKeys" = ["Env", "Owner"] } }
    }]
  })
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Tagging:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: ec2:CreateTags
            Resource: '*'
            Condition:
              StringEquals:
                aws:TagKeys: [Env, Owner]
"#;
}
