//! IAM610 `iac-policy-variable-escape`.

use rein_model::{PrincipalBody, TemplatePart};

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// IaC escapes of IAM policy variables that reach the deployed policy verbatim.
    ///
    /// It reports
    /// `&{aws:username}` outside an `aws_iam_policy_document` data source (in `jsonencode`,
    /// heredocs and `templatefile` text Terraform keeps it as is; write `$${aws:username}`);
    /// `${!aws:username}` outside `Fn::Sub` (CloudFormation removes the `!` only inside
    /// `Fn::Sub`; elsewhere write `${aws:username}`);
    /// a bare `${aws:username}` inside `Fn::Sub`, which CloudFormation reads as a reference
    /// and rejects (write `${!aws:username}` there);
    /// and `%{…}` template directives left in policy text.
    /// An `&` not followed by `{` is fine. (A bare `${aws:username}` in a Terraform string is
    /// a syntax error, reported by IAM001 with the `$${…}` spelling.)
    ///
    /// ## Why it matters
    /// IAM compares the escape as literal text, so the grant meant for each user's own prefix
    /// never matches anything.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/&{aws:username}/*"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the rewritten variable starts to resolve, which turns "never matches" into the
    /// intended grant. The frontend writes it in its own syntax (`$${…}` in Terraform strings).
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM policy elements: variables and tags
    /// - Terraform AWS provider: `aws_iam_policy_document` (`&{…}` interpolation escape)
    /// - AWS CloudFormation User Guide: `Fn::Sub` (`${!Literal}`)
    IacPolicyVariableEscape {
        id: "IAM610",
        aliases: [],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// The escape spellings and what IAM needs instead.
const ESCAPES: &[(&str, &str, &str)] = &[
    (
        "&{",
        "${",
        "`&{…}` is the escape of `aws_iam_policy_document` only; here it reaches IAM verbatim and never matches",
    ),
    ("${!", "${", "`${!…}` is the escape of `Fn::Sub` only; here it reaches IAM verbatim and never matches"),
];

impl IacPolicyVariableEscape {
    fn check(&self, value: &SpannedValue, from_iac: bool, ctx: &mut RuleContext<'_>) {
        // Every escape and directive opens a brace, and a marked hole needs a template: most
        // values have neither.
        let candidate = match &value.value {
            Value::Known(text) => text.contains('{'),
            Value::Partial(_) => true,
            Value::Unknown(_) => false,
        };
        if !candidate {
            return;
        }
        if let Value::Partial(parts) = &value.value {
            let unescaped = parts.iter().filter_map(|part| match part {
                TemplatePart::Hole(hole) => hole.unescaped_variable.as_deref(),
                TemplatePart::Text(_) => None,
            });
            for variable in unescaped {
                ctx.report(
                    value.span,
                    format!(
                        "`${{{variable}}}` in `Fn::Sub` is read as a reference to a parameter or resource, so the stack fails to deploy: write `${{!{variable}}}`"
                    ),
                );
            }
        }
        let texts: Vec<&str> = match &value.value {
            Value::Known(text) => vec![text.as_str()],
            Value::Partial(parts) => parts
                .iter()
                .filter_map(|part| match part {
                    TemplatePart::Text(text) => Some(text.as_str()),
                    TemplatePart::Hole(_) => None,
                })
                .collect(),
            Value::Unknown(_) => Vec::new(),
        };
        // Every escape and directive opens a brace; most values have none.
        if !texts.iter().any(|text| text.contains('{')) {
            return;
        }
        for (escape, replacement, message) in ESCAPES {
            let Some(text) = texts.iter().find(|text| has_escape(text, escape)) else { continue };
            let mut finding = ctx.report(value.span, format!("{message}: `{text}`"));
            if let Some(known) = value.value.as_known() {
                let fixed = known.replace(escape, replacement);
                finding = finding.fix(
                    format!("Write `{replacement}…}}`"),
                    Applicability::Unsafe,
                    vec![PolicyEdit::ReplaceString { target: value.span, value: fixed }],
                );
            }
            drop(finding);
        }
        // A `%{` directive survives only when the text was not rendered by Terraform's template
        // engine; in a plain policy file it may be meant literally.
        if from_iac && let Some(text) = texts.iter().find(|text| text.contains("%{")) {
            ctx.report(value.span, format!("A template directive `%{{…}}` is left in the policy text: `{text}`"));
        }
    }
}

/// Whether `escape` opens a brace that closes later (`&{aws:username}`, not `a&b`).
fn has_escape(text: &str, escape: &str) -> bool {
    text.match_indices(escape).any(|(idx, _)| text.get(idx + escape.len()..).is_some_and(|rest| rest.contains('}')))
}

impl Rule for IacPolicyVariableEscape {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let from_iac = doc.origin.owner.is_some();
        let mut values: Vec<&SpannedValue> = Vec::new();
        for list in [&stmt.action, &stmt.not_action, &stmt.resource, &stmt.not_resource].into_iter().flatten() {
            values.extend(&list.items);
        }
        for element in [&stmt.principal, &stmt.not_principal].into_iter().flatten() {
            if let PrincipalBody::Map(types) = &element.body {
                values.extend(types.iter().flat_map(|(_, list)| list.items.iter()));
            }
        }
        if let Some(block) = &stmt.condition {
            values.extend(block.entries().flat_map(|(_, entry)| entry.values.iter().map(|v| &v.value)));
        }
        for value in values {
            self.check(value, from_iac, ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn with_resource(resource: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{resource}"}}}}"#
        )
    }

    /// A template whose policy builds its resource with `!Sub`, the user's home prefix written
    /// as `home`.
    fn sub_resource(home: &str) -> String {
        format!(
            r#"Resources:
  HomeBucketAccess:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Sub "arn:${{AWS::Partition}}:s3:::home-${{AWS::AccountId}}/{home}/*"
"#
        )
    }

    #[test]
    fn iac_policy_variable_escape() {
        RuleTest::new(&super::IacPolicyVariableEscape)
            .fail_with(case::policy_json(&with_resource("arn:aws:s3:::home/&{aws:username}/*")), "`aws_iam_policy_document`")
            .fail_with(case::policy_json(&with_resource("arn:aws:s3:::home/${!aws:username}/*")), "`Fn::Sub`")
            .fail(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"&{aws:username}/*"}}}}"#,
            ))
            .pass(case::policy_json(&with_resource("arn:aws:s3:::home/${aws:username}/*")))
            .pass(case::policy_json(&with_resource("arn:aws:s3:::r&d/*")))
            .pass(case::policy_json(&with_resource("arn:aws:s3:::odd/%{x}")))
            .fail_with(case::cfn(&sub_resource("${aws:username}")), "write `${!aws:username}`")
            .pass(case::cfn(&sub_resource("${!aws:username}")))
            .fix(
                case::policy_json(&with_resource("arn:aws:s3:::home/&{aws:username}/*")),
                &with_resource("arn:aws:s3:::home/${aws:username}/*"),
            )
            .run();
    }
}
