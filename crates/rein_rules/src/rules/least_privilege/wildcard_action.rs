//! IAM103 `wildcard-action`.

use rein_model::PrincipalBody;

use crate::rules::prelude::*;
use crate::semantics::{is_cross_service_pattern, is_effective_star, service_wildcard};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements in identity and resource policies whose `Action` is a whole-service
    /// wildcard (`s3:*`), a pattern that spans services (`*:Delete*`, `s*:Get*`), or `*` on
    /// resources that are not everything (`*` on everything is IAM101).
    ///
    /// Wildcards on `iam`, `sts`, `organizations`, `account`, `sso`, `cloudtrail` and `kms`
    /// (outside key policies) are errors.
    /// Deny statements, service and resource control policies, boundaries, and a KMS key policy
    /// that gives `kms:*` to its own account's root (the AWS default key policy) are not reported.
    ///
    /// ## Why it matters
    /// A service wildcard grants every current and future action of the service, including its
    /// permissions-management actions, which are often enough to escalate privileges.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::data/*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered for a service wildcard or cross-service pattern that expands to at most
    /// 40 actions, when every entry of the `Action` list is known: the entry is replaced by the
    /// actions it matches today, in catalogue order, and the rest of the list is kept. When every
    /// `Resource` entry is a known ARN, the actions that fit none of them are left out: the
    /// statement grants nothing for them. Always
    /// unsafe: the grant no longer includes actions the service adds later, and the list is
    /// meant to be trimmed to what the principal needs.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: Action
    /// - AWS IAM User Guide: security best practices, grant least privilege
    WildcardAction {
        id: "IAM103",
        aliases: [
            "WILDCARD_IN_SERVICE_NAME", "CKV_AWS_49", "CKV_AWS_63", "CKV_AWS_72", "CKV2_AWS_40", "F15", "F20", "W38",
            "AVD-AWS-0345", "AVD-AWS-0097"
        ],
        category: OverlyPermissive,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// Services whose whole-service wildcard is an error (RULES.md IAM103).
const CRITICAL_SERVICES: &[&str] = &["iam", "sts", "organizations", "account", "sso", "cloudtrail", "kms"];

/// "Replace with an explicit list": the wildcard at `index` replaced by the actions it matches
/// on the statement's resources, in catalogue order. An expansion longer than the fix writes
/// is not offered, even when fewer of its actions fit the resources.
fn explicit_list_fix(stmt: &Statement, actions: &ValueList, index: usize, ctx: &RuleContext<'_>) -> Option<PolicyEdit> {
    let expanded = ctx.expand(actions.items.get(index)?.known()?);
    if expanded.is_empty() || expanded.len() > super::MAX_EXPANSION {
        return None;
    }
    let resources = super::Resources::of(stmt, ctx);
    let fitting: Vec<&rein_catalog::Action<'static>> = expanded.iter().filter(|action| resources.fit(action)).collect();
    super::explicit_list(actions, index, &fitting)
}

/// A key policy statement that gives `kms:*` to an account root: the AWS default key policy.
fn is_default_key_policy_grant(stmt: &Statement, doc: &PolicyDocument) -> bool {
    if !matches!(doc.kind, PolicyKind::Resource { .. }) {
        return false;
    }
    let Some(principal) = &stmt.principal else { return false };
    let PrincipalBody::Map(entries) = &principal.body else { return false };
    !entries.is_empty()
        && entries.iter().all(|(kind, list)| {
            *kind == rein_model::PrincipalType::Aws
                && !list.items.is_empty()
                && list.items.iter().all(|item| match &item.value {
                    Value::Known(text) => {
                        text.ends_with(":root") || (text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()))
                    }
                    // `arn:${partition}:iam::${account_id}:root`, with the account from the code.
                    Value::Partial(_) => item.value.to_string().ends_with(":root"),
                    Value::Unknown(_) => false,
                })
        })
}

impl Rule for WildcardAction {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow()
            || !matches!(doc.kind, PolicyKind::Identity | PolicyKind::Session | PolicyKind::Resource { .. })
        {
            return;
        }
        let Some(actions) = &stmt.action else { return };
        let catalog = ctx.catalog();
        let on_everything = match (&stmt.resource, &stmt.not_resource) {
            (Some(list), _) => list.items.iter().any(|item| is_effective_star(&item.value, catalog)),
            (None, Some(_)) => true,
            (None, None) => false,
        };
        let mut fixed = false;
        for (index, item) in actions.items.iter().enumerate() {
            let Some(text) = item.known() else { continue };
            let (message, severity) = if semantics::is_all_actions(text) {
                if on_everything {
                    continue; // IAM101 reports full admin.
                }
                ("`*` grants every action of every service on these resources".to_owned(), Severity::Warning)
            } else if let Some(prefix) = service_wildcard(text) {
                let lower = prefix.to_ascii_lowercase();
                if lower == "kms" && is_default_key_policy_grant(stmt, doc) {
                    continue;
                }
                let n_actions = ctx.expand(text).len();
                let severity =
                    if CRITICAL_SERVICES.contains(&lower.as_str()) { Severity::Error } else { Severity::Warning };
                (
                    format!("`{text}` grants all {n_actions} actions of `{lower}`, and every action it adds later"),
                    severity,
                )
            } else if is_cross_service_pattern(text) {
                let expanded = ctx.expand(text);
                // The expansion is ordered by service: count its runs.
                let n_services = expanded.chunk_by(|a, b| a.service() == b.service()).count();
                (
                    format!(
                        "`{text}` matches {} actions across {n_services} services, and future ones",
                        expanded.len()
                    ),
                    Severity::Warning,
                )
            } else {
                continue;
            };
            // One list replacement per statement: a second would overlap the first.
            let fix = if fixed || semantics::is_all_actions(text) {
                None
            } else {
                explicit_list_fix(stmt, actions, index, ctx)
            };
            let finding = ctx.report(item.span, message).severity(severity);
            match fix {
                Some(edit) => {
                    fixed = true;
                    drop(finding.fix("Replace with an explicit list", Applicability::Unsafe, vec![edit]));
                }
                None => drop(finding),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};

    #[test]
    fn no_list_for_large_expansions() {
        let findings = run_rule(
            &super::WildcardAction,
            &case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b"}}"#),
        );
        assert_eq!(findings.len(), 1);
        assert!(findings[0].fixes.is_empty(), "s3:* expands to far more than 40 actions");
        let findings = run_rule(
            &super::WildcardAction,
            &case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}}"#),
        );
        assert!(findings.iter().all(|f| f.fixes.is_empty()));
    }

    #[test]
    fn wildcard_action() {
        RuleTest::new(&super::WildcardAction)
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*:Delete*","Resource":"*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}}"#))
            .fail_with(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"IAM:*","Resource":"*"}}"#), "`iam`")
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}"#,
            ))
            .pass(case::hcl(
                r#"
data "aws_caller_identity" "current" {}
resource "aws_kms_key" "k" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
"#,
            ))
            .pass(case::policy_json_as("scp", r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#))
            .fix(
                case::policy_json(
                    r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s*:GetCallerIdentity"],"Resource":"*"}}"#,
                ),
                r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject", "sts:GetCallerIdentity"],"Resource":"*"}}"#,
            )
            // On a bucket's objects only, the expansion keeps the actions that apply to them.
            .fix(
                case::policy_json(
                    r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s*:GetCallerIdentity"],"Resource":"arn:aws:s3:::b/*"}}"#,
                ),
                r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}}"#,
            )
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_iam_policy" "sts" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:SetContext", "sts:SetSourceIdentity", "sts:TagSession"]
      Resource = "arn:aws:iam::111122223333:role/app"
    }]
  })
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Caller:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action:
              - s3:ListBucket
            Resource: arn:aws:s3:::b
"#)
            .run();
    }

    const HCL_JSONENCODE: &str = r#"resource "aws_iam_policy" "sts" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "sts:*"
      Resource = "arn:aws:iam::111122223333:role/app"
    }]
  })
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Caller:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action:
              - s3:ListBucket
              - s*:GetCallerIdentity
            Resource: arn:aws:s3:::b
"#;
}
