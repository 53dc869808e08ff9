//! IAM307 `service-principal-without-source`.

use rein_model::{Entity, EntityKind, NodeKind};

use super::trust_data::{ServiceSource, SourcePin, service_sources};
use crate::engine::{RuleOptions, Unit};
use crate::rules::prelude::*;
use crate::semantics::{
    PrincipalShape, arn_fields, condition_has_unknown, glob_matches, has_narrowing_key, home_accounts, mentions_key,
    principal_is_unknown, principal_items,
};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements of resource policies that grant to a `Service` principal
    /// (`sns.amazonaws.com`) with no condition on the source the service acts for:
    /// `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths`.
    /// In Terraform, an `aws_lambda_permission` for a service principal without `source_arn`
    /// or `source_account`.
    ///
    /// A test of `aws:Referer` instead gets its own message: services do not send it. Keys about
    /// the calling principal (`aws:PrincipalOrgID`) never match a service principal, so they do
    /// not count (IAM613 reports them).
    /// Trust policies of service roles, Deny statements and the services listed as sending no
    /// source key are not reported; for some services a key of their own pins the source
    /// (`kms:EncryptionContext:aws:cloudtrail:arn` for CloudTrail), and so does an object path
    /// with a fixed account where the service writes under `AWSLogs/<account id>/` (CloudTrail,
    /// Config, VPC flow logs, load balancer logs).
    ///
    /// ## Why it matters
    /// A service principal stands for the service acting for *any* customer. Without a source
    /// condition, anyone's SNS topic, S3 bucket or EventBridge rule can be pointed at your queue,
    /// function or key, and the service will use the access you granted: the confused deputy
    /// problem.
    ///
    /// ## Example
    /// ```policy-json resource
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"Service": "sns.amazonaws.com"},
    ///     "Action": "sqs:SendMessage",
    ///     "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs"
    ///   }]
    /// }
    /// ```
    ///
    /// ```hcl
    /// resource "aws_lambda_permission" "from_bucket" {
    ///   statement_id  = "AllowS3"
    ///   action        = "lambda:InvokeFunction"
    ///   function_name = "thumbnails"
    ///   principal     = "s3.amazonaws.com"
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   FromBucket:
    ///     Type: AWS::Lambda::Permission
    ///     Properties:
    ///       Action: lambda:InvokeFunction
    ///       FunctionName: thumbnails
    ///       Principal: s3.amazonaws.com
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json resource
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"Service": "sns.amazonaws.com"},
    ///     "Action": "sqs:SendMessage",
    ///     "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs",
    ///     "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:123456789012:events"}}
    ///   }]
    /// }
    /// ```
    ///
    /// ```hcl
    /// resource "aws_lambda_permission" "from_bucket" {
    ///   statement_id   = "AllowS3"
    ///   action         = "lambda:InvokeFunction"
    ///   function_name  = "thumbnails"
    ///   principal      = "s3.amazonaws.com"
    ///   source_arn     = "arn:aws:s3:::uploads"
    ///   source_account = "123456789012"
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered for a statement of a resource policy, when the account is known: the fix adds
    /// `"Condition": {"StringEquals": {"aws:SourceAccount": "<account>"}}`, with the account
    /// `own_account` when configured, else the one account that the statement's (or failing
    /// that, the document's) `Resource` ARNs are in, since a resource policy lives in its
    /// resource's account. Not offered when no account is known, nor on one branch of a
    /// CloudFormation `Fn::If`. Always unsafe: the service then acts only for resources of that
    /// account, and a source in another account (a topic of a partner account) stops working.
    /// `aws_lambda_permission` findings have no fix.
    ///
    /// ## References
    /// - AWS IAM User Guide: the confused deputy problem; `aws:SourceArn`, `aws:SourceAccount`
    /// - AWS Lambda Developer Guide: granting function access to AWS services
    /// - IAM Access Analyzer policy checks: RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL
    ServicePrincipalWithoutSource {
        id: "IAM307",
        aliases: [
            "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", "CKV_AWS_364",
            "AVD-AWS-0067"
        ],
        category: OverlyPermissive,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson, Hcl, Cfn],
    }
}

// FIXME(#6): RULES.md prefers `aws:SourceArn` inferred from a Terraform reference (the
// `aws_sns_topic_subscription` whose `endpoint` is the queue). That needs the subscription in
// the inventory and an `EditValue` that writes a reference (`aws_sns_topic.events.arn`, `!Ref
// Topic`) rather than a string; until then the fix pins `aws:SourceAccount`. The fix of an
// `aws_lambda_permission` (adding `source_account`) is an edit of the entity, not of a policy.

/// The global keys that tie a service's request to the resource it acts for.
const SOURCE_KEYS: &[&str] = &["aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceOrgPaths"];

/// Keys about the calling principal, which a service principal never carries.
const PRINCIPAL_KEYS: &[&str] = &["aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount"];

/// The account the fix pins the source to: `own_account`, else the one account of the
/// statement's resource ARNs, else the one account of the document's.
fn source_account(stmt: &Statement, doc: &PolicyDocument, options: &RuleOptions) -> Option<String> {
    if let Some(own) = options.own_account.as_deref().filter(|own| semantics::is_account_id(own)) {
        return Some(own.to_owned());
    }
    let mut accounts: Vec<String> = stmt
        .resource
        .iter()
        .flat_map(|list| list.items.iter().filter_map(|item| item.known().and_then(arn_fields)))
        .map(|fields| fields.account.to_owned())
        .filter(|account| semantics::is_account_id(account))
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    if accounts.is_empty() {
        accounts = home_accounts(doc);
    }
    match accounts.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The data entries of a service principal.
fn entries(service: &str) -> Vec<&'static ServiceSource> {
    service_sources().iter().filter(|entry| glob_matches(entry.service, service)).collect()
}

/// Whether every resource of the statement lies under `<segment><account id>/` for a fixed
/// account (`arn:aws:s3:::logs/AWSLogs/123456789012/*`).
fn path_pins_account(stmt: &Statement, segment: &str) -> bool {
    let Some(list) = &stmt.resource else { return false };
    !list.items.is_empty()
        && list.items.iter().all(|item| {
            item.known().is_some_and(|text| {
                text.match_indices(segment).any(|(at, _)| {
                    let rest = text.get(at + segment.len()..).unwrap_or_default();
                    rest.get(..12).is_some_and(semantics::is_account_id) && rest.get(12..13) == Some("/")
                })
            })
        })
}

/// Whether something besides the global source keys pins the source, or the service sends no
/// source key; returns the service's own key for the message otherwise.
fn pinned_otherwise(stmt: &Statement, service: &str) -> Result<(), Option<&'static str>> {
    let mut own_key = None;
    for entry in entries(service) {
        match entry.key {
            None => return Ok(()),
            Some(SourcePin::Key(key)) if has_narrowing_key(stmt, key) => return Ok(()),
            Some(SourcePin::Key(key)) => own_key = Some(key),
            Some(SourcePin::Path(segment)) if path_pins_account(stmt, segment) => return Ok(()),
            Some(SourcePin::Path(_)) => {}
        }
    }
    Err(own_key)
}

impl Rule for ServicePrincipalWithoutSource {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !matches!(doc.kind, PolicyKind::Resource { .. }) || !stmt.is_allow() || condition_has_unknown(stmt) {
            return;
        }
        let Some(principal) = &stmt.principal else { return };
        if principal_is_unknown(principal) || SOURCE_KEYS.iter().any(|key| has_narrowing_key(stmt, key)) {
            return;
        }
        // One condition per statement: it pins every service principal of the statement.
        let mut fix = if doc.origin.branch {
            None
        } else {
            source_account(stmt, doc, &ctx.settings().options).and_then(|account| {
                let edit = PolicyEdit::insert_condition(
                    stmt,
                    "StringEquals",
                    "aws:SourceAccount",
                    std::slice::from_ref(&account),
                )?;
                Some((
                    format!("Allow the service only for resources of account `{account}` (`aws:SourceAccount`)"),
                    edit,
                ))
            })
        };
        for item in principal_items(principal) {
            let PrincipalShape::Service(service) = &item.shape else { continue };
            let Err(own_key) = pinned_otherwise(stmt, service) else { continue };
            let message = if mentions_key(stmt, "aws:Referer") {
                format!(
                    "`{service}` is limited by `aws:Referer`, which services do not send; test `aws:SourceArn` or `aws:SourceAccount` instead"
                )
            } else {
                format!(
                    "`{service}` is allowed without `aws:SourceArn` or `aws:SourceAccount`, so the service acting for any customer can use this grant"
                )
            };
            let mut finding = ctx.report(item.value.span, message);
            if let Some(key) = own_key {
                finding = finding.note(format!("for this service `{key}` pins the source as well"));
            }
            if let Some(key) = PRINCIPAL_KEYS.iter().find(|key| mentions_key(stmt, key)) {
                finding =
                    finding.note(format!("`{key}` describes the caller's account, and a service principal has none"));
            }
            finding = finding.note(
                "name the resource the service acts for in `aws:SourceArn`, or the account in `aws:SourceAccount`",
            );
            if let Some((title, edit)) = fix.take() {
                finding = finding.fix(title, Applicability::Unsafe, vec![edit]);
            }
            drop(finding);
        }
    }

    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for permission in unit.entities_of(EntityKind::LambdaPermission) {
            check_permission(permission, ctx);
        }
    }
}

/// An `aws_lambda_permission` for a service principal needs `source_arn` or `source_account`
/// (an unknown value counts: it is there).
fn check_permission(permission: &Entity, ctx: &mut RuleContext<'_>) {
    let Some(attribute) = permission.attribute("principal") else { return };
    let NodeKind::String(Value::Known(principal)) = &attribute.value.kind else { return };
    if !principal.ends_with(".amazonaws.com") || entries(principal).iter().any(|entry| entry.key.is_none()) {
        return;
    }
    if permission.attribute("source_arn").is_some() || permission.attribute("source_account").is_some() {
        return;
    }
    ctx.report(
        attribute.value.span,
        format!(
            "`{principal}` may invoke the function without `source_arn` or `source_account`, so the service acting for any customer can"
        ),
    )
    .note("set `source_arn` to the resource that invokes the function, or `source_account` to its account");
}

#[cfg(test)]
mod tests {
    use crate::engine::RuleOptions;
    use crate::testing::{RuleTest, case, run_rule};

    #[test]
    fn service_principal_without_source() {
        let res = |text| case::policy_json_as("resource", text);
        RuleTest::new(&super::ServicePrincipalWithoutSource)
            .fail_with(
                res(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"arn:aws:sns:eu-west-1:123456789012:alerts","Condition":{"StringEquals":{"aws:Referer":"123456789012"}}}]}"#,
                ),
                "is limited by `aws:Referer`",
            )
            .fail_with(
                res(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#,
                ),
                "`s3.amazonaws.com` is allowed without",
            )
            // Negated or `IfExists` tests do not pin the source.
            .fail(res(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*","Condition":{"ArnEqualsIfExists":{"aws:SourceArn":"arn:aws:sns:eu-west-1:123456789012:events"}}}]}"#,
            ))
            .fail_with(
                case::hcl(
                    r#"
resource "aws_sqs_queue_policy" "jobs" {
  queue_url = aws_sqs_queue.jobs.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "sns.amazonaws.com" }, Action = "sqs:SendMessage", Resource = aws_sqs_queue.jobs.arn }]
  })
}
"#,
                ),
                "`sns.amazonaws.com` is allowed without",
            )
            // A service role's trust policy, a Deny, and an AWS principal are not this rule's.
            .pass(case::policy_json_as(
                "trust",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            ))
            .pass(res(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:*","Resource":"*"}]}"#,
            ))
            .pass(res(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sqs:SendMessage","Resource":"*"}]}"#,
            ))
            // The CloudTrail key policy pins the trail through the encryption context.
            .pass(res(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:123456789012:trail/*"}}}]}"#,
            ))
            // CloudTrail writes under `AWSLogs/<account>/`: the object path pins the account.
            .pass(res(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/123456789012/*"}]}"#,
            ))
            .fail(res(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/*"}]}"#,
            ))
            // A source condition from a reference is there, even if its value is not known.
            .pass(case::hcl(
                r#"
resource "aws_lambda_permission" "from_bucket" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.thumbnails.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = aws_s3_bucket.uploads.arn
}
resource "aws_lambda_permission" "from_account" {
  action        = "lambda:InvokeFunction"
  function_name = "thumbnails"
  principal     = "123456789012"
}
"#,
            ))
            .pass(case::cfn(
                r#"
Resources:
  FromBucket:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: thumbnails
      Principal: s3.amazonaws.com
      SourceAccount: !Ref AWS::AccountId
"#,
            ))
            .fix(
                res(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:123456789012:jobs"}]}"#,
                ),
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:123456789012:jobs","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#,
            )
            // `own_account` wins over the accounts of the resource ARNs.
            .fix(
                res(
                    r#"{"Statement":{"Effect":"Allow","Principal":{"Service":["events.amazonaws.com","sns.amazonaws.com"]},"Action":"sns:Publish","Resource":"*","Condition":{"StringEquals":{"aws:Referer":"x"}}}}"#,
                )
                .with_options(RuleOptions { own_account: Some("111122223333".to_owned()), ..RuleOptions::default() }),
                r#"{"Statement":{"Effect":"Allow","Principal":{"Service":["events.amazonaws.com","sns.amazonaws.com"]},"Action":"sns:Publish","Resource":"*","Condition":{"StringEquals":{"aws:Referer":"x","aws:SourceAccount":"111122223333"}}}}"#,
            )
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_sqs_queue_policy" "jobs" {
  queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:jobs"
      Condition = {
        StringEquals = {
          "aws:SourceAccount" = "123456789012"
        }
      }
    }]
  })
}
"#)
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "alerts" {
  statement {
    actions   = ["sns:Publish"]
    resources = ["arn:aws:sns:eu-west-1:123456789012:alerts"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["123456789012"]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = "arn:aws:sns:eu-west-1:123456789012:alerts"
  policy = data.aws_iam_policy_document.alerts.json
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  JobsPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [https://sqs.eu-west-1.amazonaws.com/123456789012/jobs]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: sns.amazonaws.com
            Action: sqs:SendMessage
            Resource: arn:aws:sqs:eu-west-1:123456789012:jobs
            Condition:
              StringEquals:
                aws:SourceAccount: '123456789012'
"#)
            .fix(case::cfn(CFN_JSON), r#"{
  "Resources": {
    "AlertsPolicy": {
      "Type": "AWS::SNS::TopicPolicy",
      "Properties": {
        "Topics": ["arn:aws:sns:eu-west-1:123456789012:alerts"],
        "PolicyDocument": {
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": {"Service": "events.amazonaws.com"},
              "Action": "sns:Publish",
              "Resource": "arn:aws:sns:eu-west-1:123456789012:alerts",
              "Condition": {"StringEquals": {"aws:Referer": "123456789012", "aws:SourceAccount": "123456789012"}}
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
    fn no_fix_without_a_known_account_or_on_a_conditional_branch() {
        // A bucket ARN has no account field, and the queue's ARN is a reference.
        for case in [
            case::policy_json_as(
                "resource",
                r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/*"}}"#,
            ),
            case::hcl(
                r#"
resource "aws_sqs_queue_policy" "jobs" {
  queue_url = aws_sqs_queue.jobs.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "sns.amazonaws.com" }, Action = "sqs:SendMessage", Resource = aws_sqs_queue.jobs.arn }]
  })
}
"#,
            ),
            case::cfn(
                r#"Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Parameters:
  Stage:
    Type: String
Resources:
  JobsPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [https://sqs.eu-west-1.amazonaws.com/123456789012/jobs]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Service: !If [IsProd, sns.amazonaws.com, s3.amazonaws.com]
            Action: sqs:SendMessage
            Resource: arn:aws:sqs:eu-west-1:123456789012:jobs
"#,
            ),
        ] {
            let findings = run_rule(&super::ServicePrincipalWithoutSource, &case);
            assert!(!findings.is_empty(), "{case:?}");
            assert!(findings.iter().all(|f| f.fixes.is_empty()), "{findings:?}");
        }
    }

    const HCL_JSONENCODE: &str = r#"resource "aws_sqs_queue_policy" "jobs" {
  queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:jobs"
    }]
  })
}
"#;

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "alerts" {
  statement {
    actions   = ["sns:Publish"]
    resources = ["arn:aws:sns:eu-west-1:123456789012:alerts"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = "arn:aws:sns:eu-west-1:123456789012:alerts"
  policy = data.aws_iam_policy_document.alerts.json
}
"#;

    const CFN_YAML: &str = r#"Resources:
  JobsPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [https://sqs.eu-west-1.amazonaws.com/123456789012/jobs]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: sns.amazonaws.com
            Action: sqs:SendMessage
            Resource: arn:aws:sqs:eu-west-1:123456789012:jobs
"#;

    const CFN_JSON: &str = r#"{
  "Resources": {
    "AlertsPolicy": {
      "Type": "AWS::SNS::TopicPolicy",
      "Properties": {
        "Topics": ["arn:aws:sns:eu-west-1:123456789012:alerts"],
        "PolicyDocument": {
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": {"Service": "events.amazonaws.com"},
              "Action": "sns:Publish",
              "Resource": "arn:aws:sns:eu-west-1:123456789012:alerts",
              "Condition": {"StringEquals": {"aws:Referer": "123456789012"}}
            }
          ]
        }
      }
    }
  }
}
"#;
}
