//! IAM202 `create-slr-unscoped`.

use crate::rules::prelude::*;
use crate::semantics::{
    DenyCover, action_items, deny_cover, downgrade, grants_action, is_condition_scoped, positive_condition_values,
    unnarrowed_resource,
};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements in identity policies that grant `iam:CreateServiceLinkedRole` (by name,
    /// by wildcard or through `NotAction`) on every resource (`*`, an account-wide role ARN, or
    /// a `NotResource`) with no positive `iam:AWSServiceName` condition.
    ///
    /// An `iam:AWSServiceName` condition, resources under
    /// `role/aws-service-role/<service>.amazonaws.com/*`, and Deny statements are not reported.
    /// Another scoping condition lowers the finding to info.
    ///
    /// ## Why it matters
    /// A service-linked role lets an AWS service act in the account. Whoever can create one for
    /// any service can switch on services the account does not mean to use, with the
    /// permissions AWS gives those services.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {
    ///       "Effect": "Allow",
    ///       "Action": "iam:CreateServiceLinkedRole",
    ///       "Resource": "*",
    ///       "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered when the statement grants only `iam:CreateServiceLinkedRole`: other actions'
    /// requests carry no `iam:AWSServiceName`, so the condition would deny them. Always unsafe:
    /// services that are not named can no longer get their roles. The service is the
    /// placeholder `SERVICE.amazonaws.com`, to be replaced.
    ///
    /// ## References
    /// - AWS IAM User Guide: Service-linked role permissions
    CreateSlrUnscoped {
        id: "IAM202",
        aliases: [
            "CREATE_SLR_WITH_STAR_IN_RESOURCE", "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "CREATE_SLR_WITH_NOTRESOURCE",
            "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOTRESOURCE", "CREATE_SLR_WITH_NOTACTION_AND_NOTRESOURCE",
            "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOTACTION"
        ],
        category: PrivilegeEscalation,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for CreateSlrUnscoped {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        const NAME: &str = "iam:CreateServiceLinkedRole";
        if !stmt.is_allow() || !super::is_identity_side(doc) {
            return;
        }
        let Some(grant) = grants_action(stmt, ctx, NAME) else { return };
        if grant.text.is_some_and(semantics::is_all_actions)
            || positive_condition_values(stmt, "iam:AWSServiceName").is_some()
        {
            return;
        }
        let catalog = ctx.catalog();
        let Some(action) = catalog.action(NAME) else { return };
        let Some(resource) = unnarrowed_resource(stmt, &action, catalog) else { return };
        let deny = deny_cover(doc, ctx, NAME);
        if deny == DenyCover::Unconditional {
            return;
        }
        let subject = match grant.text {
            Some(text) if text.eq_ignore_ascii_case(NAME) => format!("`{NAME}` is allowed"),
            Some(text) => format!("`{text}` allows `{NAME}`"),
            None => format!("`NotAction` allows `{NAME}`"),
        };
        let scoped = is_condition_scoped(stmt, &action_items(stmt, ctx));
        let mut message = format!("{subject} on {} without an `iam:AWSServiceName` condition", resource.text);
        if scoped {
            message.push_str(" (scoped by a condition)");
        }
        let severity = if scoped { downgrade(Severity::Warning) } else { Severity::Warning };
        let mut finding = ctx.report(grant.span, message).severity(severity).label(resource.span, "for any service");
        if let DenyCover::Conditional(span) = deny {
            finding =
                finding.label(span, "a conditional Deny names this action; the grant stays where it does not apply");
        }
        if super::grants_only(stmt, NAME) {
            let edit = PolicyEdit::insert_condition(
                stmt,
                "StringEquals",
                "iam:AWSServiceName",
                &[PLACEHOLDER_SERVICE.to_owned()],
            );
            finding = finding.fix(
                format!("Allow creating the role of one service only (placeholder `{PLACEHOLDER_SERVICE}`)"),
                Applicability::Unsafe,
                edit.into_iter().collect(),
            );
        }
        drop(finding);
    }
}

/// The service the fix names, for the user to replace.
const PLACEHOLDER_SERVICE: &str = "SERVICE.amazonaws.com";

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};
    use rein_diagnostics::Severity;

    #[test]
    fn create_slr_unscoped() {
        RuleTest::new(&super::CreateSlrUnscoped)
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*"}}"#),
                "`iam:CreateServiceLinkedRole` is allowed on `*`",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:Create*","NotResource":"arn:aws:iam::*:user/*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","NotAction":["s3:*","ec2:*"],"Resource":"*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"elasticloadbalancing.amazonaws.com"}}}}"#,
            ))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"arn:aws:iam::*:role/aws-service-role/elasticloadbalancing.amazonaws.com/*"}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"iam:CreateServiceLinkedRole","Resource":"*"}}"#))
            .fix(
                case::policy_json("{\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": \"iam:CreateServiceLinkedRole\",\n    \"Resource\": \"*\"\n  }\n}"), r#"{
  "Statement": {
    "Effect": "Allow",
    "Action": "iam:CreateServiceLinkedRole",
    "Resource": "*",
    "Condition": {
      "StringEquals": {
        "iam:AWSServiceName": "SERVICE.amazonaws.com"
      }
    }
  }
}"#)
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "slr" {
  statement {
    sid       = "Slr"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["SERVICE.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "slr" {
  role   = "ops"
  policy = data.aws_iam_policy_document.slr.json
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Slr:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
        - Effect: Allow
          Action:
          - iam:CreateServiceLinkedRole
          Resource: "*"
          Condition:
            StringEquals:
              iam:AWSServiceName: SERVICE.amazonaws.com
"#)
            .run();
        let scoped = run_rule(
            &super::CreateSlrUnscoped,
            &case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}}"#,
            ),
        );
        assert_eq!(scoped.iter().map(|f| f.severity).collect::<Vec<_>>(), [Severity::Info]);
    }

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "slr" {
  statement {
    sid       = "Slr"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "slr" {
  role   = "ops"
  policy = data.aws_iam_policy_document.slr.json
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Slr:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
        - Effect: Allow
          Action:
          - iam:CreateServiceLinkedRole
          Resource: "*"
"#;
}
