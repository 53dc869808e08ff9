//! IAM104 `wildcard-reaches-privileged-access-level`.

use rein_catalog::AccessLevel;

use crate::rules::prelude::*;
use crate::semantics::{action_fits, action_items, arn_pattern, is_all_actions, service_wildcard};

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
    /// ## References
    /// - Service Authorization Reference: access levels
    /// - AWS IAM User Guide: understanding access level summaries within policy summaries
    WildcardReachesPrivilegedAccessLevel {
        id: "IAM104",
        aliases: ["PermissionsManagement"],
        category: OverlyPermissive,
        severity: Info,
        fix: None,
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
        // The resources the grant is on; `None` when they do not narrow it (absent, unknown, `*`).
        let patterns: Option<Vec<_>> = stmt.resource.as_ref().and_then(|list| {
            let patterns: Vec<_> =
                list.items.iter().filter_map(|item| Some((item, arn_pattern(&item.value)?))).collect();
            (patterns.len() == list.items.len() && patterns.iter().all(|(_, p)| !p.has_unknown() && !p.is_star()))
                .then_some(patterns)
        });
        for item in action_items(stmt, ctx) {
            let Some(text) = item.text else { continue };
            if !item.is_wildcard() || is_all_actions(text) || service_wildcard(text).is_some() {
                continue;
            }
            let Some((prefix, name)) = text.split_once(':') else { continue };
            if semantics::has_wildcard(prefix) {
                continue;
            }
            let ceiling = rank(implied_level(name));
            let privileged: Vec<String> = item
                .actions
                .iter()
                .filter(|action| rank(action.access_level()) > ceiling)
                .filter(|action| {
                    patterns.as_ref().is_none_or(|patterns| {
                        patterns.iter().any(|(value, pattern)| action_fits(action, pattern, value.known()))
                    })
                })
                .map(|action| format!("`{}` ({})", action.full_name(), action.access_level().as_str()))
                .collect();
            if privileged.is_empty() {
                continue;
            }
            let shown: Vec<&str> = privileged.iter().take(5).map(String::as_str).collect();
            let more = if privileged.len() > 5 { format!(" and {} more", privileged.len() - 5) } else { String::new() };
            ctx.report(item.value.span, format!("`{text}` also grants {}{more}", shown.join(", ")));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

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
            .run();
    }
}
