//! IAM104 `wildcard-reaches-privileged-access-level`.

use rein_catalog::{AccessLevel, Action};

use crate::rules::prelude::*;
use crate::semantics::{action_items, is_all_actions, service_wildcard};

declare_rule! {
    /// ## What it checks
    /// A partial action wildcard in an `Allow` whose expansion, on the statement's resources,
    /// reaches a higher access level than its verb suggests: `s3:Put*` on objects includes
    /// `s3:PutObjectAcl` (permissions management), `iam:Get*` stays at read, `iam:*Policy*`
    /// includes `iam:PutRolePolicy` and `iam:AttachRolePolicy`. A read verb (`Get`, `List`,
    /// `Describe`, …) is reported when the expansion holds write or permissions-management
    /// actions; any other pattern when it holds permissions-management actions.
    /// The message lists the privileged members. Whole-service wildcards are IAM103's; `Deny`
    /// statements are never reported.
    ///
    /// ## Why it matters
    /// A wildcard written for convenience ("all the Put calls") quietly includes the calls that
    /// change who may access the resource.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:Put*", "Resource": "arn:aws:s3:::uploads/*"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::uploads/*"}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered for the first such wildcard of a statement whose `Action` entries are all known
    /// and not one branch of a CloudFormation `Fn::If`: the wildcard is replaced by the actions
    /// it matches today that stay at the level its verb suggests (no permissions-management
    /// actions; for a read verb, no write or tagging actions either) and that apply to the
    /// statement's resources, in catalogue order, keeping the rest of the list. Not offered when
    /// nothing would remain or more than 40 actions would. Always unsafe: the privileged
    /// members and the actions the service adds later are no longer granted.
    ///
    /// ## References
    /// - Service Authorization Reference: access levels
    /// - AWS IAM User Guide: understanding access level summaries within policy summaries
    WildcardReachesPrivilegedAccessLevel {
        id: "IAM104",
        aliases: ["PermissionsManagement"],
        category: OverlyPermissive,
        severity: Info,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// Verbs that promise reading only.
const READ_VERBS: [&str; 10] =
    ["get", "list", "describe", "read", "search", "lookup", "batchget", "head", "view", "query"];

/// The highest access level the pattern's verb suggests.
fn implied_level(name: &str) -> AccessLevel {
    let lower = name.to_ascii_lowercase();
    if READ_VERBS.iter().any(|verb| lower.starts_with(verb)) { AccessLevel::Read } else { AccessLevel::Write }
}

fn rank(level: AccessLevel) -> u8 {
    match level {
        AccessLevel::List | AccessLevel::Read => 0,
        AccessLevel::Tagging | AccessLevel::Write => 1,
        AccessLevel::PermissionsManagement => 2,
    }
}

impl Rule for WildcardReachesPrivilegedAccessLevel {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow() || matches!(doc.kind, PolicyKind::Scp | PolicyKind::Rcp | PolicyKind::Trust) {
            return;
        }
        let resources = super::Resources::of(stmt, ctx);
        let fits = |action: &Action<'static>| resources.fit(action);
        let items = action_items(stmt, ctx);
        // One list replacement per statement, since a second would overlap the first; none on
        // one branch of a CloudFormation `Fn::If`, whose text the other branch shares.
        let mut fixed = doc.origin.branch;
        for (index, item) in items.iter().enumerate() {
            let Some(text) = item.text else { continue };
            if !item.is_wildcard() || is_all_actions(text) || service_wildcard(text).is_some() {
                continue;
            }
            let Some((prefix, name)) = text.split_once(':') else { continue };
            if semantics::has_wildcard(prefix) {
                continue;
            }
            let implied = implied_level(name);
            let ceiling = rank(implied);
            let privileged: Vec<String> = item
                .actions
                .iter()
                .filter(|action| rank(action.access_level()) > ceiling && fits(action))
                .map(|action| format!("`{}` ({})", action.full_name(), action.access_level().as_str()))
                .collect();
            if privileged.is_empty() {
                continue;
            }
            let shown: Vec<&str> = privileged.iter().take(5).map(String::as_str).collect();
            let more = if privileged.len() > 5 { format!(" and {} more", privileged.len() - 5) } else { String::new() };
            let finding = ctx.report(item.value.span, format!("`{text}` also grants {}{more}", shown.join(", ")));
            let kept: Vec<&Action<'static>> =
                item.actions.iter().filter(|action| rank(action.access_level()) <= ceiling && fits(action)).collect();
            let edit = if fixed || kept.is_empty() {
                None
            } else {
                stmt.action.as_ref().and_then(|list| super::explicit_list(list, index, &kept))
            };
            match edit {
                Some(edit) => {
                    fixed = true;
                    let title = match implied {
                        AccessLevel::Read => {
                            format!("Replace `{text}` with its read and list actions on these resources")
                        }
                        _ => format!(
                            "Replace `{text}` with its actions on these resources except permissions management"
                        ),
                    };
                    drop(finding.fix(title, Applicability::Unsafe, vec![edit]));
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
    fn wildcard_reaches_privileged_access_level() {
        RuleTest::new(&super::WildcardReachesPrivilegedAccessLevel)
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:*Policy*","Resource":"*"}}"#),
                "iam:",
            )
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"s3:Put*","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#))
            .fix(
                case::policy_json(
                    r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject*"],"Resource":"arn:aws:s3:::uploads/*"}}"#,
                ),
                r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject", "s3:PutObject", "s3:PutObjectAnnotation", "s3:PutObjectLegalHold", "s3:PutObjectRetention", "s3:PutObjectTagging", "s3:PutObjectVersionAnnotation", "s3:PutObjectVersionTagging"],"Resource":"arn:aws:s3:::uploads/*"}}"#,
            )
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_iam_policy" "upload" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:PutObjectAnnotation", "s3:PutObjectLegalHold", "s3:PutObjectRetention", "s3:PutObjectTagging", "s3:PutObjectVersionAnnotation", "s3:PutObjectVersionTagging"]
      Resource = "arn:aws:s3:::uploads/*"
    }]
  })
}
"#)
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "upload" {
  statement {
    actions   = ["s3:ListBucket", "s3:PutObject", "s3:PutObjectAnnotation", "s3:PutObjectLegalHold", "s3:PutObjectRetention", "s3:PutObjectTagging", "s3:PutObjectVersionAnnotation", "s3:PutObjectVersionTagging"]
    resources = ["arn:aws:s3:::uploads", "arn:aws:s3:::uploads/*"]
  }
}

resource "aws_iam_policy" "upload" {
  policy = data.aws_iam_policy_document.upload.json
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Upload:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action:
              - s3:PutObject
              - s3:PutObjectAnnotation
              - s3:PutObjectLegalHold
              - s3:PutObjectRetention
              - s3:PutObjectTagging
              - s3:PutObjectVersionAnnotation
              - s3:PutObjectVersionTagging
            Resource: arn:aws:s3:::uploads/*
"#)
            .fix(case::cfn(CFN_JSON), r#"{
  "Resources": {
    "Upload": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Properties": {
        "PolicyDocument": {
          "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectAnnotation", "s3:PutObjectLegalHold", "s3:PutObjectRetention", "s3:PutObjectTagging", "s3:PutObjectVersionAnnotation", "s3:PutObjectVersionTagging"], "Resource": "arn:aws:s3:::uploads/*"}]
        }
      }
    }
  }
}
"#)
            .run();
    }

    #[test]
    fn no_fix_on_a_conditional_branch_or_an_unknown_entry() {
        let branch = r#"Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Parameters:
  Stage:
    Type: String
Resources:
  Upload:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: !If [IsProd, 's3:PutObject*', 's3:GetObject']
            Resource: 'arn:aws:s3:::uploads/*'
"#;
        let findings = run_rule(&super::WildcardReachesPrivilegedAccessLevel, &case::cfn(branch));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].fixes.is_empty(), "the wildcard is only the `IsProd` branch");
        let unknown = r#"
variable "extra" {}
resource "aws_iam_policy" "upload" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["s3:PutObject*", var.extra], Resource = "arn:aws:s3:::uploads/*" }]
  })
}
"#;
        let findings = run_rule(&super::WildcardReachesPrivilegedAccessLevel, &case::hcl(unknown));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].fixes.is_empty(), "the list holds an unknown entry");
    }

    #[test]
    fn a_read_verb_keeps_only_reads() {
        let text = r#"{"Statement":{"Effect":"Allow","Action":"redshift:Get*","Resource":"*"}}"#;
        let findings = run_rule(&super::WildcardReachesPrivilegedAccessLevel, &case::policy_json(text));
        assert_eq!(findings.len(), 1, "{findings:?}");
        let fix = &findings[0].fixes[0];
        assert_eq!(fix.title, "Replace `redshift:Get*` with its read and list actions on these resources");
        let fixed = rein_text::apply_edits(text, &fix.edits).unwrap_or_default();
        assert!(fixed.contains("\"redshift:GetReservedNodeExchangeOfferings\""), "{fixed}");
        assert!(!fixed.contains("GetClusterCredentials"), "a write action stays: {fixed}");
        assert!(!fixed.contains("Get*"), "{fixed}");
    }

    const HCL_JSONENCODE: &str = r#"resource "aws_iam_policy" "upload" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:PutObject*"
      Resource = "arn:aws:s3:::uploads/*"
    }]
  })
}
"#;

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "upload" {
  statement {
    actions   = ["s3:ListBucket", "s3:PutObject*"]
    resources = ["arn:aws:s3:::uploads", "arn:aws:s3:::uploads/*"]
  }
}

resource "aws_iam_policy" "upload" {
  policy = data.aws_iam_policy_document.upload.json
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Upload:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:PutObject*
            Resource: arn:aws:s3:::uploads/*
"#;

    const CFN_JSON: &str = r#"{
  "Resources": {
    "Upload": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Properties": {
        "PolicyDocument": {
          "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject*"], "Resource": "arn:aws:s3:::uploads/*"}]
        }
      }
    }
  }
}
"#;
}
