//! IAM101 `full-admin-grant`.

use crate::rules::prelude::*;
use crate::semantics::{condition_summary, is_effective_star};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements that grant every action (`"*"` or `"*:*"`) on every resource: a
    /// `Resource` that is effectively `*`, or any `NotResource`.
    ///
    /// Conditions do not clear the finding: a region or MFA condition still leaves full
    /// administrator access, so they are only quoted in the message.
    /// Deny statements, service control policies, resource control policies and permissions
    /// boundaries are never reported (a `*` boundary means "no boundary").
    ///
    /// ## Why it matters
    /// Whoever holds this policy can do anything in the account, including removing every
    /// other control, creating new credentials and deleting audit trails.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::app-data/*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered when every `Resource` entry is an ARN that names its service literally, such as
    /// `arn:aws:s3:::*`: `*` is replaced by `<service>:*` for each service the resources name,
    /// keeping the other actions. Always unsafe: the statement stops granting actions of other
    /// services, and a whole-service wildcard is still broad (IAM103).
    ///
    /// ## Options
    /// `break-glass-principals` in `[options]` of `rein.toml`: a policy held by a listed
    /// principal is reported as info, since emergency access is meant to be full (IAM516 checks
    /// that it is guarded). An entry is compared with the IaC address of the resource that holds
    /// the policy (`aws_iam_role.break_glass` for its inline policies,
    /// `aws_iam_role_policy.break_glass`); `*` and `?` are globs.
    ///
    /// ## References
    /// - AWS IAM User Guide: security best practices, grant least privilege
    /// - AWS Security Hub control IAM.1
    FullAdminGrant {
        id: "IAM101",
        aliases: ["CKV_AWS_1", "CKV_AWS_62", "F3", "F4", "F5", "AVD-AWS-0057", "IAM.1"],
        category: OverlyPermissive,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

impl Rule for FullAdminGrant {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow()
            || !matches!(doc.kind, PolicyKind::Identity | PolicyKind::Session | PolicyKind::Resource { .. })
        {
            return;
        }
        let Some(actions) = &stmt.action else { return };
        let Some(all) = actions.items.iter().find(|item| item.known().is_some_and(semantics::is_all_actions)) else {
            return;
        };
        let catalog = ctx.catalog();
        let (resource_span, resource_text) = match (&stmt.resource, &stmt.not_resource) {
            (Some(list), _) => match list.items.iter().find(|item| is_effective_star(&item.value, catalog)) {
                Some(item) => (item.span, format!("`{}`", item.value)),
                None => return,
            },
            (None, Some(list)) => (list.key.span, "every resource outside `NotResource`".to_owned()),
            // A trust policy has no Resource, and full admin is not a trust concept.
            (None, None) => return,
        };
        let mut message = format!("Statement allows every action on {resource_text}: full administrator access");
        if let Some(conditions) = condition_summary(stmt) {
            message.push_str(&format!(" (conditions {conditions} do not limit which actions)"));
        }
        let fix = if doc.origin.branch { None } else { narrow_to_services(actions, stmt.resource.as_ref(), ctx) };
        let break_glass =
            doc.origin.owner.as_deref().filter(|owner| ctx.settings().options.is_break_glass(owner, None));
        let mut finding = ctx.report(all.span, message).label(resource_span, "on every resource");
        if let Some(owner) = break_glass {
            finding = finding
                .severity(Severity::Info)
                .note(format!("`{owner}` is listed in `break_glass_principals`; IAM516 checks its controls"));
        }
        match fix {
            Some(edit) => {
                drop(finding.fix("Narrow `*` to the services the resources name", Applicability::Unsafe, vec![edit]))
            }
            None => drop(finding),
        }
    }
}

/// The `Action` list with every all-actions entry (`*`, `*:*`) replaced by `<service>:*` for the
/// services that `resources` name, in their order, and the actions those wildcards cover
/// dropped. `None` unless every entry of both lists is
/// known and every resource is an ARN whose service is a literal prefix of the catalogue.
fn narrow_to_services(actions: &ValueList, resources: Option<&ValueList>, ctx: &RuleContext<'_>) -> Option<PolicyEdit> {
    let resources = resources?;
    if actions.unknown.is_some() || resources.unknown.is_some() || resources.items.is_empty() {
        return None;
    }
    let mut services: Vec<String> = Vec::new();
    // A value that is one branch of a CloudFormation `Fn::If` is not the text of the `Resource`.
    if resources.form == ListForm::Single && resources.items.iter().any(|item| item.span != resources.span) {
        return None;
    }
    for item in &resources.items {
        let mut fields = item.known()?.split(':');
        let (Some("arn"), Some(_partition), Some(service)) = (fields.next(), fields.next(), fields.next()) else {
            return None;
        };
        let literal = !service.is_empty() && service.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !literal || fields.next().is_none() {
            return None;
        }
        let wildcard = format!("{}:*", service.to_ascii_lowercase());
        if ctx.expand(&wildcard).is_empty() {
            return None; // An ARN service that is not an action prefix.
        }
        if !services.contains(&wildcard) {
            services.push(wildcard);
        }
    }
    let mut values: Vec<String> = Vec::new();
    for item in &actions.items {
        let text = item.known()?;
        // An action of a service that now has its wildcard is covered by it.
        let covered = text.split_once(':').is_some_and(|(prefix, _)| {
            services.iter().any(|wildcard| wildcard.strip_suffix(":*").is_some_and(|s| s.eq_ignore_ascii_case(prefix)))
        });
        let replacement = if semantics::is_all_actions(text) {
            services.clone()
        } else if covered {
            continue;
        } else {
            vec![text.to_owned()]
        };
        for value in replacement {
            if !values.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
                values.push(value);
            }
        }
    }
    Some(PolicyEdit::ReplaceWithList { target: actions.span, values })
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};

    #[test]
    fn break_glass_principals_are_reported_as_info() {
        use rein_diagnostics::Severity;
        let role = |name: &str| {
            case::hcl(&format!(
                r#"resource "aws_iam_role" "{name}" {{
  name = "{name}"
  inline_policy {{
    name   = "all"
    policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = "*", Resource = "*" }}] }})
  }}
}}
"#
            ))
        };
        let options = crate::RuleOptions {
            break_glass_principals: vec!["aws_iam_role.break_*".to_owned()],
            ..Default::default()
        };
        let listed = run_rule(&super::FullAdminGrant, &role("break_glass").with_options(options.clone()));
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].severity, Severity::Info);
        assert!(listed[0].notes.iter().any(|note| note.contains("break_glass_principals")), "{:?}", listed[0].notes);
        let other = run_rule(&super::FullAdminGrant, &role("ops").with_options(options));
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].severity, Severity::Error);
    }

    #[test]
    fn full_admin_grant() {
        RuleTest::new(&super::FullAdminGrant)
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","*:*"],"Resource":["*"]}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::b"}}"#))
            .fail_with(
                case::policy_json(
                    r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}"#,
                ),
                "aws:MultiFactorAuthPresent",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::*:role/*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}}"#,
            ))
            .pass(case::policy_json_as("scp", r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#))
            .pass(case::policy_json_as("boundary", r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#))
            .fix(
                case::policy_json(
                    r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":["arn:aws:s3:::*","arn:aws:dynamodb:*:*:table/*","arn:aws:s3:::*/*"]}}"#,
                ),
                r#"{"Statement":{"Effect":"Allow","Action":["s3:*", "dynamodb:*"],"Resource":["arn:aws:s3:::*","arn:aws:dynamodb:*:*:table/*","arn:aws:s3:::*/*"]}}"#,
            )
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_iam_policy" "ops" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:*", "sts:GetCallerIdentity"]
      Resource = ["arn:aws:iam::*:role/*"]
    }]
  })
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Ops:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action:
              - 'sqs:*'
            Resource: 'arn:aws:sqs:*:*:*'
"#)
            .run();
    }

    #[test]
    fn no_narrowing_without_literal_services() {
        for text in [
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":["arn:aws:s3:::*","*"]}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:*:*:*:*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::b"}}"#,
        ] {
            let findings = run_rule(&super::FullAdminGrant, &case::policy_json(text));
            assert_eq!(findings.len(), 1, "{text}");
            assert!(findings[0].fixes.is_empty(), "{text}");
        }
    }

    const HCL_JSONENCODE: &str = r#"resource "aws_iam_policy" "ops" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["*", "iam:GetRole", "sts:GetCallerIdentity"]
      Resource = ["arn:aws:iam::*:role/*"]
    }]
  })
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Ops:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: '*'
            Resource: 'arn:aws:sqs:*:*:*'
"#;
}
