//! IAM105 `resource-star-on-restrictable-action`.

use rein_model::EditValue;

use crate::rules::prelude::*;
use crate::semantics::{action_items, is_condition_scoped, is_effective_star, star_means_this_resource};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements whose `Resource` is effectively `*` although some of their actions
    /// support resource-level permissions and could name specific ARNs.
    /// One finding per statement lists only those restrictable actions, with the ARN formats
    /// they accept.
    ///
    /// Actions that only accept `"Resource": "*"` (such as `ecr:GetAuthorizationToken`) are never
    /// reported, nor are object ARNs such as `bucket/*`, ARNs with policy variables, Deny
    /// statements, `NotResource` (IAM108), or resource policies of KMS keys, secrets, ECR
    /// repositories and backup vaults, where `*` means "this resource".
    /// A statement scoped by a condition on a scoping key (for example `aws:ResourceTag/…` or
    /// `aws:PrincipalOrgID`) is reported as info.
    ///
    /// ## Why it matters
    /// `*` reaches every resource of the service in every account the principal can touch,
    /// including resources created later. Naming the ARNs limits the damage of a leaked
    /// credential or a confused deputy.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    ///     {
    ///       "Effect": "Allow",
    ///       "Action": "ecr:BatchGetImage",
    ///       "Resource": "arn:aws:ecr:eu-west-1:123456789012:repository/app"
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Offered when a statement on `"Resource": "*"` alone, without `Principal` or `Condition`,
    /// names wildcard-only and restrictable actions, each entry of its `Action` being only one
    /// or only the other. The wildcard-only actions stay on `*`; the restrictable ones move to a
    /// new statement after it whose `Resource` is a placeholder built from each action's
    /// simplest ARN format, such as `arn:aws:s3:::BUCKET-NAME/OBJECT-NAME`, to be replaced by
    /// the real ARNs. Always unsafe: until the placeholders are replaced, the moved actions
    /// reach nothing.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: Resource
    /// - Service Authorization Reference: the "Resource types" column of each service
    ResourceStarOnRestrictableAction {
        id: "IAM105",
        aliases: [
            "RESOURCE_STAR", "RESOURCE_EFFECTIVELY_STAR", "CKV_AWS_355", "CKV_AWS_356", "CKV_AWS_111", "CKV_AWS_290",
            "W11", "W12", "W13", "W39", "I3510"
        ],
        category: OverlyPermissive,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// At most this many actions are named in one message; the rest are counted.
const MAX_LISTED: usize = 6;

impl Rule for ResourceStarOnRestrictableAction {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow()
            || !matches!(doc.kind, PolicyKind::Identity | PolicyKind::Session | PolicyKind::Resource { .. })
        {
            return;
        }
        let catalog = ctx.catalog();
        let Some(resources) = &stmt.resource else { return };
        let Some(star) = resources.items.iter().find(|item| is_effective_star(&item.value, catalog)) else { return };
        let items = action_items(stmt, ctx);
        if star_means_this_resource(doc, &items) {
            return;
        }
        // Full admin and whole-service grants are IAM101 and IAM103; this rule is about the rest.
        let mut listed: Vec<String> = Vec::new();
        let mut n_restrictable = 0usize;
        for item in &items {
            let Some(text) = item.text else { continue };
            if semantics::is_all_actions(text) || semantics::service_wildcard(text).is_some() {
                continue;
            }
            let restrictable: Vec<_> = item.actions.iter().filter(|a| !a.is_wildcard_only()).collect();
            if restrictable.is_empty() {
                continue;
            }
            n_restrictable += restrictable.len();
            if item.is_wildcard() {
                listed.push(format!("`{text}` ({} restrictable)", restrictable.len()));
            } else {
                listed.extend(restrictable.iter().map(|a| format!("`{}`", a.full_name())));
            }
        }
        if n_restrictable == 0 {
            return;
        }
        let mut names = listed.iter().take(MAX_LISTED).cloned().collect::<Vec<_>>().join(", ");
        if listed.len() > MAX_LISTED {
            names.push_str(&format!(" and {} more", listed.len() - MAX_LISTED));
        }
        let scoped = is_condition_scoped(stmt, &items);
        let mut message =
            format!("`{}` is used for actions that support resource-level permissions: {names}", star.value);
        if scoped {
            message.push_str(" (scoped by a condition)");
        }
        let split = if doc.origin.branch { None } else { split_fix(stmt, ctx) };
        let mut finding =
            ctx.report(star.span, message).label(stmt.action.as_ref().map_or(star.span, |a| a.span), "these actions");
        if scoped {
            finding = finding.severity(Severity::Info);
        }
        // Name the ARN formats of up to three literal actions, so the author knows what to write.
        let templates: Vec<String> = items
            .iter()
            .filter(|item| !item.is_wildcard())
            .flat_map(|item| item.actions.iter())
            .filter(|a| !a.is_wildcard_only())
            .take(3)
            .filter_map(|a| {
                let templates: Vec<&str> =
                    a.resource_types().flat_map(|ar| ar.resource_type.arn_templates().collect::<Vec<_>>()).collect();
                match templates.as_slice() {
                    [] => None,
                    [_] | [_, _] | [_, _, _] => Some(format!("{} accepts {}", a.full_name(), templates.join(" or "))),
                    [first, second, ..] => Some(format!(
                        "{} accepts {} resource types, such as {first} or {second}",
                        a.full_name(),
                        templates.len()
                    )),
                }
            })
            .collect();
        for note in templates {
            finding = finding.note(note);
        }
        if let Some(edits) = split {
            finding = finding.fix(
                "Split into a wildcard-only statement that keeps `*` and a restrictable statement",
                Applicability::Unsafe,
                edits,
            );
        }
        drop(finding);
    }
}

/// The split of a statement on `*` into its wildcard-only actions, which keep `*`, and a new
/// statement of its restrictable actions on placeholder ARNs. `None` unless the statement's
/// `Action` is all known and every entry is only wildcard-only or only restrictable, with some
/// of each, and nothing but `Effect`, `Action` and `Resource: "*"` would need copying.
fn split_fix(stmt: &Statement, ctx: &RuleContext<'_>) -> Option<Vec<PolicyEdit>> {
    let actions = stmt.action.as_ref()?;
    let resources = stmt.resource.as_ref()?;
    if stmt.condition.is_some() || stmt.principal.is_some() || stmt.not_principal.is_some() {
        return None;
    }
    if actions.unknown.is_some() || resources.unknown.is_some() || resources.items.len() != 1 {
        return None;
    }
    let star = resources.items.first()?;
    // A `*` that is one branch of a CloudFormation `Fn::If` is not the text of the `Resource`.
    if star.known() != Some("*") || (resources.form == ListForm::Single && resources.span != star.span) {
        return None;
    }
    let (mut keep, mut moved, mut placeholders) = (Vec::new(), Vec::new(), Vec::<String>::new());
    for item in &actions.items {
        let text = item.known()?;
        let expanded = ctx.expand(text);
        if expanded.is_empty() {
            return None;
        }
        if expanded.iter().all(|a| a.is_wildcard_only()) {
            keep.push(text.to_owned());
        } else if expanded.iter().all(|a| !a.is_wildcard_only()) {
            moved.push(text.to_owned());
            for action in expanded.iter() {
                let placeholder = placeholder_arn(arn_format(action)?);
                if !placeholders.contains(&placeholder) {
                    placeholders.push(placeholder);
                }
            }
        } else {
            return None;
        }
    }
    if keep.is_empty() || moved.is_empty() {
        return None;
    }
    // `Action` is a list here: one string cannot hold both kinds.
    let kept = PolicyEdit::ReplaceWithList { target: actions.span, values: keep };
    let statement = vec![
        ("Effect".to_owned(), EditValue::String("Allow".to_owned())),
        ("Action".to_owned(), EditValue::strings(&moved)),
        ("Resource".to_owned(), EditValue::strings(&placeholders)),
    ];
    Some(vec![kept, PolicyEdit::InsertStatement { after: stmt.span, statement }])
}

/// The ARN format the placeholder for `action` is built from: of the required resource types,
/// or of all when none is required, the format with the fewest variables, the first listed on
/// a tie (`bucket/object` for `s3:GetObject` rather than the access point's object).
fn arn_format(action: &rein_catalog::Action<'static>) -> Option<&'static str> {
    let formats = |required: bool| -> Vec<&'static str> {
        action
            .resource_types()
            .filter(|ar| ar.required || !required)
            .filter_map(|ar| ar.resource_type.arn_templates().next())
            .collect()
    };
    let mut candidates = formats(true);
    if candidates.is_empty() {
        candidates = formats(false);
    }
    candidates.into_iter().enumerate().min_by_key(|(i, format)| (format.matches("${").count(), *i)).map(|(_, f)| f)
}

/// An ARN format of the Service Authorization Reference with its variables made visible
/// placeholders: `arn:${Partition}:s3:::${BucketName}/${ObjectName}` becomes
/// `arn:aws:s3:::BUCKET-NAME/OBJECT-NAME`.
fn placeholder_arn(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        if name == "Partition" {
            out.push_str("aws");
        } else {
            for (i, c) in name.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push('-');
                }
                out.push(c.to_ascii_uppercase());
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};

    #[test]
    fn placeholder_arn() {
        assert_eq!(
            super::placeholder_arn("arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
            "arn:aws:s3:::BUCKET-NAME/OBJECT-NAME"
        );
        assert_eq!(
            super::placeholder_arn("arn:${Partition}:ecr:${Region}:${Account}:repository/${RepositoryName}"),
            "arn:aws:ecr:REGION:ACCOUNT:repository/REPOSITORY-NAME"
        );
        assert_eq!(super::placeholder_arn("arn:${Partition}:s3:::${Broken"), "arn:aws:s3:::${Broken");
    }

    #[test]
    fn no_split_of_a_conditional_branch() {
        let text = r#"Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Parameters:
  Stage:
    Type: String
Resources:
  Read:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action:
              - s3:ListAllMyBuckets
              - s3:GetObject
            Resource: !If [IsProd, '*', 'arn:aws:s3:::b/*']
"#;
        let findings = run_rule(&super::ResourceStarOnRestrictableAction, &case::cfn(text));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].fixes.is_empty(), "the `*` is only the `IsProd` branch");
    }

    #[test]
    fn no_split_when_it_would_drop_a_condition_or_mixed_wildcard() {
        for text in [
            r#"{"Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":["ec2:DescribeInstances","s3:Get*"],"Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"*"}]}"#,
        ] {
            let findings = run_rule(&super::ResourceStarOnRestrictableAction, &case::policy_json(text));
            assert_eq!(findings.len(), 1, "{text}");
            assert!(findings[0].fixes.is_empty(), "{text}");
        }
    }

    #[test]
    fn resource_star_on_restrictable_action() {
        RuleTest::new(&super::ResourceStarOnRestrictableAction)
            .fail_with(
                case::policy_json(
                    r#"{"Statement":{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage"],"Resource":"*"}}"#,
                ),
                "`ecr:BatchGetImage`",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}"#))
            .fail(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["xray:PutTraceSegments","sts:GetCallerIdentity","ec2:DescribeInstances"],"Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#))
            .pass(case::policy_json(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/*"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#))
            .fix(
                case::policy_json(
                    r#"{"Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage"],"Resource":"*"}]}"#,
                ),
                r#"{"Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken"],"Resource":"*"},{"Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"arn:aws:ecr:REGION:ACCOUNT:repository/REPOSITORY-NAME"}]}"#,
            )
            .fix(case::hcl(HCL_JSONENCODE), r#"resource "aws_iam_policy" "pull" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecr:GetAuthorizationToken"]
      Resource = "*"
    },
    {
      Effect = "Allow"
      Action = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Resource = "arn:aws:ecr:REGION:ACCOUNT:repository/REPOSITORY-NAME"
    }]
  })
}
"#)
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "read" {
  statement {
    actions   = ["s3:ListAllMyBuckets"]
    resources = ["*"]
  }

  statement {
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::BUCKET-NAME/OBJECT-NAME"]
  }
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Read:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action:
              - s3:ListAllMyBuckets
            Resource: '*'
          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::BUCKET-NAME/OBJECT-NAME
"#)
            .run();
    }

    const HCL_JSONENCODE: &str = r#"resource "aws_iam_policy" "pull" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Resource = "*"
    }]
  })
}
"#;

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "read" {
  statement {
    actions   = ["s3:ListAllMyBuckets", "s3:GetObject"]
    resources = ["*"]
  }
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Read:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action:
              - s3:ListAllMyBuckets
              - s3:GetObject
            Resource: '*'
"#;
}
