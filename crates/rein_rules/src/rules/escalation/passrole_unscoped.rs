//! IAM201 `passrole-unscoped`.

use crate::rules::prelude::*;
use crate::semantics::{
    DenyCover, action_items, deny_cover, downgrade, grants_action, is_condition_scoped, positive_condition_values,
    unnarrowed_resource,
};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements in identity policies that grant `iam:PassRole` (by name, through
    /// `iam:*` or `iam:Pass*`, or through a `NotAction` that leaves it out) on every role: `*`,
    /// `arn:aws:iam::<account>:role/*`, or a `NotResource`, with no positive
    /// `iam:PassedToService` condition.
    ///
    /// Role ARNs with a name prefix or a dedicated path (`role/ecs-tasks/*`) are not reported,
    /// nor are Deny statements and service control policies. An `iam:PassedToService` condition
    /// (`StringEquals` or `StringLike`, without `IfExists`) leaves info when the resource is still
    /// `*`; another scoping condition lowers the finding to info.
    /// IAM204 reports the escalation path, as an error, when the same document also allows an
    /// action that creates compute with the passed role.
    ///
    /// ## Why it matters
    /// Passing a role hands its permissions to a service the holder controls: a new Lambda
    /// function, EC2 instance or ECS task then runs as that role. On every role, this includes
    /// the most privileged role in the account.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
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
    ///       "Action": "iam:PassRole",
    ///       "Resource": "arn:aws:iam::123456789012:role/app-task",
    ///       "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered when the statement grants only `iam:PassRole`: other actions' requests carry no
    /// `iam:PassedToService`, so the condition would deny them. Always unsafe: the condition
    /// narrows the grant, and a service that the policy's holder passes roles to but that is
    /// not named stops working. The service comes from the actions
    /// that create compute in the same document (`ecs:RunTask` → `ecs-tasks.amazonaws.com`,
    /// `lambda:CreateFunction` → `lambda.amazonaws.com`, `ec2:RunInstances` →
    /// `ec2.amazonaws.com`); when they name none or several, the value is the placeholder
    /// `SERVICE.amazonaws.com`, to be replaced.
    ///
    /// ## References
    /// - AWS IAM User Guide: Granting a user permissions to pass a role to an AWS service
    /// - AWS IAM User Guide: IAM and AWS STS condition context keys, `iam:PassedToService`
    PassroleUnscoped {
        id: "IAM201",
        aliases: [
            "PASS_ROLE_WITH_STAR_IN_RESOURCE", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "PASS_ROLE_WITH_NOTRESOURCE",
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOTRESOURCE", "PASS_ROLE_WITH_NOTACTION_AND_NOTRESOURCE",
            "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOTACTION", "F38", "F39", "F40", "AVD-AWS-0342"
        ],
        category: PrivilegeEscalation,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for PassroleUnscoped {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow() || !super::is_identity_side(doc) {
            return;
        }
        let Some(grant) = grants_action(stmt, ctx, "iam:PassRole") else { return };
        if grant.text.is_some_and(semantics::is_all_actions) {
            return;
        }
        let catalog = ctx.catalog();
        let Some(action) = catalog.action("iam:PassRole") else { return };
        let Some(resource) = unnarrowed_resource(stmt, &action, catalog) else { return };
        let deny = deny_cover(doc, ctx, "iam:PassRole");
        if deny == DenyCover::Unconditional {
            return;
        }
        let services = positive_condition_values(stmt, "iam:PassedToService");
        let subject = match grant.text {
            Some(text) if text.eq_ignore_ascii_case("iam:PassRole") => "`iam:PassRole` is allowed".to_owned(),
            Some(text) => format!("`{text}` allows `iam:PassRole`"),
            None => "`NotAction` allows `iam:PassRole`".to_owned(),
        };
        let unscoped = services.is_none();
        let (message, severity) = match services {
            Some(_) if !resource.star => return,
            Some(services) => (
                format!(
                    "{subject} on {}, limited to {} by `iam:PassedToService`",
                    resource.text,
                    services.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                ),
                Severity::Info,
            ),
            None => {
                let items = action_items(stmt, ctx);
                let scoped = is_condition_scoped(stmt, &items);
                let mut message = format!("{subject} on {} without an `iam:PassedToService` condition", resource.text);
                if scoped {
                    message.push_str(" (scoped by a condition)");
                }
                (message, if scoped { downgrade(Severity::Warning) } else { Severity::Warning })
            }
        };
        let mut finding = ctx.report(grant.span, message).severity(severity).label(resource.span, "every role");
        if let DenyCover::Conditional(span) = deny {
            finding =
                finding.label(span, "a conditional Deny names this action; the grant stays where it does not apply");
        }
        finding = finding.note("Name the roles, or add `\"Condition\": {\"StringEquals\": {\"iam:PassedToService\": \"<service>.amazonaws.com\"}}`");
        if unscoped && super::grants_only(stmt, "iam:PassRole") {
            let (service, title) = match passed_to_service(doc) {
                Some(service) => (service.to_owned(), format!("Allow passing roles only to `{service}`")),
                None => (
                    PLACEHOLDER_SERVICE.to_owned(),
                    format!("Allow passing roles only to one service (placeholder `{PLACEHOLDER_SERVICE}`)"),
                ),
            };
            finding = finding.fix(
                title,
                Applicability::Unsafe,
                PolicyEdit::insert_condition(stmt, "StringEquals", "iam:PassedToService", &[service])
                    .into_iter()
                    .collect(),
            );
        }
        drop(finding);
    }
}

/// The service principal the fix names when the document shows none.
const PLACEHOLDER_SERVICE: &str = "SERVICE.amazonaws.com";

/// Actions that start compute with a passed role, and the service the role is passed to
/// (AWS IAM User Guide, "Granting a user permissions to pass a role to an AWS service").
const COMPUTE_ACTIONS: [(&str, &str); 8] = [
    ("ecs:runtask", "ecs-tasks.amazonaws.com"),
    ("ecs:starttask", "ecs-tasks.amazonaws.com"),
    ("ecs:registertaskdefinition", "ecs-tasks.amazonaws.com"),
    ("lambda:createfunction", "lambda.amazonaws.com"),
    ("lambda:updatefunctionconfiguration", "lambda.amazonaws.com"),
    ("ec2:runinstances", "ec2.amazonaws.com"),
    ("ec2:associateiaminstanceprofile", "ec2.amazonaws.com"),
    ("glue:createjob", "glue.amazonaws.com"),
];

/// The one service that the document's Allow statements start compute in, by exact action name.
fn passed_to_service(doc: &PolicyDocument) -> Option<&'static str> {
    let mut services: Vec<&'static str> = doc
        .statements
        .iter()
        .filter(|stmt| stmt.is_allow())
        .filter_map(|stmt| stmt.action.as_ref())
        .flat_map(|list| list.items.iter().filter_map(|item| item.known()))
        .filter_map(|action| {
            let action = action.to_ascii_lowercase();
            COMPUTE_ACTIONS.iter().find(|(name, _)| *name == action).map(|(_, service)| *service)
        })
        .collect();
    services.sort_unstable();
    services.dedup();
    match services.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};
    use rein_diagnostics::Severity;

    fn severities(text: &str) -> Vec<Severity> {
        run_rule(&super::PassroleUnscoped, &case::policy_json(text)).iter().map(|f| f.severity).collect()
    }

    #[test]
    fn passrole_unscoped() {
        RuleTest::new(&super::PassroleUnscoped)
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}"#),
                "`iam:PassRole` is allowed on `*` without an `iam:PassedToService` condition",
            )
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:Pass*","Resource":"arn:aws:iam::123456789012:role/*"}}"#),
                "`iam:Pass*` allows `iam:PassRole`",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:s3:::b"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:role/*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app-task","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ecs-tasks/*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/*","Condition":{"StringLike":{"iam:PassedToService":"lambda.amazonaws.com"}}}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}}"#))
            .pass(case::policy_json_as("scp", r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}]}"#))
            .fix(
                case::policy_json(r#"{"Statement":[{"Effect":"Allow","Action":"ecs:RunTask","Resource":"*"},{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/*"}]}"#),
                r#"{"Statement":[{"Effect":"Allow","Action":"ecs:RunTask","Resource":"*"},{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/*","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}"#,
            )
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_iam_policy" "deploy" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:PassRole"]
      Resource = "arn:aws:iam::111122223333:role/*"
      Condition = {
        StringEquals = {
          "iam:PassedToService" = "lambda.amazonaws.com"
        }
      }
      }, {
      Effect   = "Allow"
      Action   = "lambda:CreateFunction"
      Resource = "*"
    }]
  })
}
"#)
            .fix(case::hcl(HCL_HEREDOC), r#"resource "aws_iam_policy" "deploy" {
  policy = <<EOF
{
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::111122223333:role/*",
      "Condition": {"StringEquals": {"aws:ResourceTag/team": "web", "iam:PassedToService": "SERVICE.amazonaws.com"}}
    }
  ]
}
EOF
}
"#)
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "deploy" {
  statement {
    actions   = ["ec2:RunInstances"]
    resources = ["*"]
  }

  statement {
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::111122223333:role/*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "deploy" {
  policy = data.aws_iam_policy_document.deploy.json
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Deploy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: iam:PassRole
            Resource: 'arn:aws:iam::111122223333:role/*'
            Condition:
              StringEquals:
                iam:PassedToService: SERVICE.amazonaws.com
"#)
            .run();
    }

    const HCL_JSONENCODE: &str = r#"resource "aws_iam_policy" "deploy" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:PassRole"]
      Resource = "arn:aws:iam::111122223333:role/*"
      }, {
      Effect   = "Allow"
      Action   = "lambda:CreateFunction"
      Resource = "*"
    }]
  })
}
"#;

    const HCL_HEREDOC: &str = r#"resource "aws_iam_policy" "deploy" {
  policy = <<EOF
{
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::111122223333:role/*",
      "Condition": {"StringEquals": {"aws:ResourceTag/team": "web"}}
    }
  ]
}
EOF
}
"#;

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "deploy" {
  statement {
    actions   = ["ec2:RunInstances"]
    resources = ["*"]
  }

  statement {
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::111122223333:role/*"]
  }
}

resource "aws_iam_policy" "deploy" {
  policy = data.aws_iam_policy_document.deploy.json
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Deploy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: iam:PassRole
            Resource: 'arn:aws:iam::111122223333:role/*'
"#;

    #[test]
    fn severity_cases() {
        assert_eq!(
            severities(r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}"#),
            [Severity::Warning]
        );
        assert_eq!(
            severities(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}}"#
            ),
            [Severity::Info]
        );
        // `IfExists` and negated operators never scope an Allow.
        assert_eq!(
            severities(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEqualsIfExists":{"iam:PassedToService":"ec2.amazonaws.com"}}}}"#
            ),
            [Severity::Warning]
        );
        assert_eq!(
            severities(
                r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}}}"#
            ),
            [Severity::Info]
        );
    }
}
