//! IAM105 `resource-star-on-restrictable-action`.

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
        fix: None,
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
        drop(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

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
            .run();
    }
}
