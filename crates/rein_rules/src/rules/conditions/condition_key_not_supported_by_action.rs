//! IAM603 `condition-key-not-supported-by-action`.

use crate::rules::prelude::*;
use rein_model::{EditValue, PrincipalBody, PrincipalElement};

use crate::semantics::{
    ActionItem, OperatorFamily, action_items, is_negated_operator, is_service_dependent_tag_key, operator_family,
};

declare_rule! {
    /// ## What it checks
    /// Condition keys that an action of the statement does not support.
    ///
    /// A service condition key (`ec2:ResourceTag/…`, `s3:prefix`, `iam:PassedToService`), or a
    /// tag key whose support depends on the service (`aws:ResourceTag/…`, `aws:RequestTag/…`,
    /// `aws:TagKeys`), tested for an action that does not support it: the key is listed neither
    /// for the action nor for any of its resource types in the Service Authorization Reference.
    /// For such an action the key is absent from the request, so a positive test is false (an
    /// Allow grants nothing for it, a Deny never denies it) and a negated test is always true.
    /// One finding names each unsupported action.
    /// Global keys present on every request (`aws:PrincipalArn`, `aws:SourceIp`,
    /// `aws:RequestedRegion`, …) are not reported, nor are `IfExists` and `Null` tests, nor a
    /// wildcard action with at least one member that supports the key.
    ///
    /// ## Why it matters
    /// A tag-based Deny guardrail that names an action whose service does not populate the key
    /// silently leaks; an Allow silently grants nothing.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Deny", "Action": ["ec2:TerminateInstances", "lambda:DeleteFunction"], "Resource": "*",
    ///     "Condition": {"StringEquals": {"ec2:ResourceTag/protected": "true"}}}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Deny", "Action": ["ec2:TerminateInstances", "lambda:DeleteFunction"], "Resource": "*",
    ///     "Condition": {"StringEquals": {"aws:ResourceTag/protected": "true"}}}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered when the statement's `Action` is a list of known names of which some support the
    /// key: those stay, and the others move to a new statement just after it, with the same
    /// effect, principal and resources and the condition without the keys they do not support.
    /// Always unsafe: for the moved actions an `Allow` then grants what it never granted, and a
    /// `Deny` denies what it never denied; check the new statement before keeping it. Not offered
    /// where `Statement` is a single object.
    ///
    /// ## References
    /// - Service Authorization Reference: actions, resources, and condition keys for AWS services
    /// - AWS IAM User Guide: AWS global condition context keys
    ConditionKeyNotSupportedByAction {
        id: "IAM603",
        aliases: [
            "UNSUPPORTED_ACTION_FOR_CONDITION_KEY",
            "MISSING_ACTION_FOR_CONDITION_KEY",
            "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            "UNKNOWN_CONDITION_FOR_ACTION",
        ],
        category: Invalid,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for ConditionKeyNotSupportedByAction {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(effect) = stmt.effect() else { return };
        let Some(block) = &stmt.condition else { return };
        let catalog = ctx.catalog();
        // Global keys are in every request context, except the tag keys, which only services
        // that support tagging fill in.
        let action_dependent = |key: &str| {
            catalog.condition_key(key).is_some_and(|info| !info.is_global() || is_service_dependent_tag_key(key))
        };
        if !block.entries().any(|(_, entry)| action_dependent(&entry.key.name)) {
            return;
        }
        let items = action_items(stmt, ctx);
        if items.is_empty() {
            return;
        }
        // (item index, key) of each unsupported pair, with what the finding says.
        let mut reports: Vec<(usize, &str, String, Severity)> = Vec::new();
        for (op, entry) in block.entries() {
            let Some((_, family)) = operator_family(&op.name.base) else { continue };
            if op.name.if_exists || family == OperatorFamily::Null {
                continue;
            }
            let key = entry.key.name.as_str();
            if !action_dependent(key) {
                continue;
            }
            for (item_idx, item) in items.iter().enumerate() {
                let Some(text) = item.text else { continue };
                if item.actions.is_empty() {
                    continue;
                }
                let supported = item.actions.iter().any(|action| action.supports_own_condition_key(key));
                if supported {
                    continue;
                }
                let consequence = match (effect, is_negated_operator(&op.name.base)) {
                    (Effect::Deny, false) => "so this Deny never applies to it",
                    (Effect::Allow, false) => "so this Allow grants nothing for it",
                    (Effect::Deny, true) => "so this Deny always applies to it",
                    (Effect::Allow, true) => "so the condition does not restrict it",
                };
                let severity = if effect == Effect::Deny { Severity::Error } else { Severity::Warning };
                let message = format!("`{text}` does not support the condition key `{key}`, {consequence}");
                reports.push((item_idx, key, message, severity));
            }
        }
        let split = split_by_support(stmt, &items, &reports);
        let mut fix_offered = false;
        for (item_idx, key, message, severity) in reports {
            let Some(item) = items.get(item_idx) else { continue };
            let key_span = block.entries().find(|(_, entry)| entry.key.name == key).map(|(_, entry)| entry.key.span);
            let mut finding = ctx.report(item.value.span, message).severity(severity);
            if let Some(span) = key_span {
                finding = finding.label(span, "condition key");
            }
            if let Some((title, edits)) = &split
                && !std::mem::replace(&mut fix_offered, true)
            {
                finding = finding.fix(title.clone(), Applicability::Unsafe, edits.clone());
            }
            drop(finding);
        }
    }
}

/// The edits that keep in the statement the actions that support every key it tests and move
/// the others to a statement of their own, without the keys they do not support.
fn split_by_support(
    stmt: &Statement,
    items: &[ActionItem<'_>],
    reports: &[(usize, &str, String, Severity)],
) -> Option<(String, Vec<PolicyEdit>)> {
    let actions = stmt.action.as_ref().filter(|list| list.unknown.is_none() && list.items.len() == items.len())?;
    let texts: Vec<&str> = items.iter().map(|item| item.text).collect::<Option<_>>()?;
    let moved: Vec<usize> = (0..items.len()).filter(|idx| reports.iter().any(|(at, ..)| at == idx)).collect();
    let kept: Vec<String> = (0..items.len())
        .filter(|idx| !moved.contains(idx))
        .filter_map(|idx| texts.get(idx).map(|text| (*text).to_owned()))
        .collect();
    if kept.is_empty() || moved.is_empty() {
        return None;
    }
    let moved_texts: Vec<String> =
        moved.iter().filter_map(|idx| texts.get(*idx).map(|text| (*text).to_owned())).collect();
    let dropped: Vec<&str> = reports.iter().map(|(_, key, ..)| *key).collect();
    let mut members = vec![("Effect".to_owned(), EditValue::String(stmt.effect.as_ref()?.known()?.to_owned()))];
    for element in [&stmt.principal, &stmt.not_principal].into_iter().flatten() {
        members.push((element.key.name.clone(), principal_value(element)?));
    }
    members.push(("Action".to_owned(), EditValue::strings(&moved_texts)));
    for list in [&stmt.resource, &stmt.not_resource].into_iter().flatten() {
        members.push((list.key.name.clone(), list_value(list)?));
    }
    let block = stmt.condition.as_ref()?;
    let mut operators = Vec::new();
    for op in &block.operators {
        let mut entries = Vec::new();
        for entry in &op.entries {
            if dropped.contains(&entry.key.name.as_str()) {
                continue;
            }
            if entry.unknown.is_some() {
                return None;
            }
            let values: Vec<String> =
                entry.values.iter().map(|value| value.value.known().map(str::to_owned)).collect::<Option<_>>()?;
            let value = match entry.form {
                ListForm::Single => EditValue::strings(&values),
                ListForm::Array => EditValue::List(values),
            };
            entries.push((entry.key.name.clone(), value));
        }
        if op.unknown.is_some() {
            return None;
        }
        if !entries.is_empty() {
            operators.push((op.key.name.clone(), EditValue::Object(entries)));
        }
    }
    if !operators.is_empty() {
        members.push(("Condition".to_owned(), EditValue::Object(operators)));
    }
    let title = format!(
        "Move {} to a statement without the keys {} does not support",
        moved_texts.iter().map(|text| format!("`{text}`")).collect::<Vec<_>>().join(", "),
        if moved_texts.len() == 1 { "it" } else { "they" }
    );
    Some((
        title,
        vec![
            PolicyEdit::ReplaceWithList { target: actions.span, values: kept },
            PolicyEdit::InsertStatement { after: stmt.span, statement: members },
        ],
    ))
}

fn list_value(list: &ValueList) -> Option<EditValue> {
    let values: Vec<String> = list.items.iter().map(|item| item.known().map(str::to_owned)).collect::<Option<_>>()?;
    if list.unknown.is_some() {
        return None;
    }
    Some(match list.form {
        ListForm::Single => EditValue::strings(&values),
        ListForm::Array => EditValue::List(values),
    })
}

fn principal_value(element: &PrincipalElement) -> Option<EditValue> {
    match &element.body {
        PrincipalBody::Scalar(value) => Some(EditValue::String(value.known()?.to_owned())),
        PrincipalBody::Map(entries) => {
            let members: Option<Vec<(String, EditValue)>> =
                entries.iter().map(|(kind, list)| Some((kind.as_str().to_owned(), list_value(list)?))).collect();
            Some(EditValue::Object(members?))
        }
        PrincipalBody::Unknown(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn stmt(effect: &str, actions: &str, condition: &str) -> String {
        format!(r#"{{"Statement":{{"Effect":"{effect}","Action":{actions},"Resource":"*","Condition":{condition}}}}}"#)
    }

    #[test]
    fn condition_key_not_supported_by_action() {
        RuleTest::new(&super::ConditionKeyNotSupportedByAction)
            .fail_with(
                case::policy_json(&stmt(
                    "Deny",
                    r#"["ec2:TerminateInstances","lambda:DeleteFunction"]"#,
                    r#"{"StringEquals":{"ec2:ResourceTag/protected":"true"}}"#,
                )),
                "`lambda:DeleteFunction` does not support",
            )
            .fail_with(
                case::policy_json(&stmt(
                    "Allow",
                    r#""iam:CreateRole""#,
                    r#"{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}"#,
                )),
                "grants nothing",
            )
            .fail(case::policy_json(&stmt("Allow", r#""lambda:Delete*""#, r#"{"StringLike":{"s3:prefix":"a/*"}}"#)))
            .pass(case::policy_json(&stmt(
                "Deny",
                r#"["ec2:TerminateInstances","lambda:DeleteFunction"]"#,
                r#"{"StringEquals":{"aws:ResourceTag/protected":"true"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Allow",
                r#""iam:PassRole""#,
                r#"{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Deny",
                r#""lambda:DeleteFunction""#,
                r#"{"StringEqualsIfExists":{"ec2:ResourceTag/protected":"true"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Allow",
                r#""*""#,
                r#"{"StringEquals":{"ec2:ResourceTag/protected":"true"}}"#,
            )))
            .pass(case::policy_json(&stmt(
                "Allow",
                r#""lambda:DeleteFunction""#,
                r#"{"StringEquals":{"aws:PrincipalOrgID":"o-1"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            )))
            .pass(case::policy_json(&stmt("Allow", r#""s3:ListBucket""#, r#"{"StringLike":{"s3:prefix":"home/*"}}"#)))
            .fix(
                case::policy_json(r#"{"Statement":[{"Effect":"Deny","Action":["ec2:TerminateInstances","lambda:DeleteFunction"],"Resource":"*","Condition":{"StringEquals":{"ec2:ResourceTag/protected":"true"},"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}"#), r#"{"Statement":[{"Effect":"Deny","Action":["ec2:TerminateInstances"],"Resource":"*","Condition":{"StringEquals":{"ec2:ResourceTag/protected":"true"},"Bool":{"aws:MultiFactorAuthPresent":"false"}}},{"Effect":"Deny","Action":"lambda:DeleteFunction","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}"#)
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_iam_policy" "cleanup" {
  policy = jsonencode({
    Statement = [
      {
        Effect    = "Deny"
        Action    = ["ec2:TerminateInstances"]
        Resource  = "*"
        Condition = { StringEquals = { "ec2:ResourceTag/protected" = "true" } }
      },
      {
        Effect = "Deny"
        Action = "lambda:DeleteFunction"
        Resource = "*"
      },
    ]
  })
}
"#)
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "cleanup" {
  statement {
    effect    = "Deny"
    actions   = ["ec2:TerminateInstances"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "ec2:ResourceTag/protected"
      values   = ["true"]
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }

  statement {
    effect    = "Deny"
    actions   = ["lambda:DeleteFunction"]
    resources = ["*"]
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
}

resource "aws_iam_policy" "cleanup" {
  policy = data.aws_iam_policy_document.cleanup.json
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Cleanup:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Deny
            Action:
              - ec2:TerminateInstances
            Resource: '*'
            Condition:
              StringEquals:
                ec2:ResourceTag/protected: 'true'
          - Effect: Deny
            Action: lambda:DeleteFunction
            Resource: '*'
"#)
            .run();
    }

    const HCL_JSONENCODE: &str = r#"resource "aws_iam_policy" "cleanup" {
  policy = jsonencode({
    Statement = [
      {
        Effect    = "Deny"
        Action    = ["ec2:TerminateInstances", "lambda:DeleteFunction"]
        Resource  = "*"
        Condition = { StringEquals = { "ec2:ResourceTag/protected" = "true" } }
      },
    ]
  })
}
"#;

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "cleanup" {
  statement {
    effect    = "Deny"
    actions   = ["ec2:TerminateInstances", "lambda:DeleteFunction"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "ec2:ResourceTag/protected"
      values   = ["true"]
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
}

resource "aws_iam_policy" "cleanup" {
  policy = data.aws_iam_policy_document.cleanup.json
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Cleanup:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Deny
            Action:
              - ec2:TerminateInstances
              - lambda:DeleteFunction
            Resource: '*'
            Condition:
              StringEquals:
                ec2:ResourceTag/protected: 'true'
"#;
}
