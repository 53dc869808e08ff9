//! IAM310 `external-access-grant`.

use rein_catalog::AccessLevel;

use crate::rules::prelude::*;
use crate::semantics::{
    AccountClass, AccountRef, PrincipalShape, action_items, classify_account, condition_account, condition_has_unknown,
    home_accounts, narrowing_entries, principal_items,
};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements of a resource policy that grant access to an account other than the
    /// own account (`own_account`, or the account the policy's resource ARNs are in) and the
    /// `trusted_accounts` of the configuration. The external account may be named by its id,
    /// its root ARN or a user or role ARN in it; by an `aws:PrincipalAccount` or
    /// `aws:SourceAccount` test on a `"*"` principal; by an `aws:SourceAccount` test on a service
    /// principal; or, when `org_id` is set, by an `aws:PrincipalOrgID` test that names another
    /// organization. There is one finding per external account, with the access levels it is
    /// granted. It is info when the statement also requires the caller to be in the own
    /// organization (`aws:PrincipalOrgID` equal to `org_id`): the account is in the organization
    /// but not listed as trusted.
    ///
    /// Public grants (a `"*"` principal without such a test) are IAM302's, and foreign principals
    /// in role trust policies are IAM304's. A condition that is not known statically keeps the
    /// rule silent.
    ///
    /// ## Why it matters
    /// A grant to another account lets everyone that account's administrators choose use the
    /// resource: its security is no longer yours alone. Grants to partners, vendors or old
    /// accounts outlive the relationship unless someone reviews them, which is what IAM Access
    /// Analyzer's external-access findings are for; this rule reports them before deployment.
    ///
    /// ## Example
    /// ```policy-json resource
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
    ///     "Action": "s3:GetObject",
    ///     "Resource": "arn:aws:s3:::reports/*"
    ///   }]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json resource
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"AWS": "arn:aws:iam::123456789012:role/reporting"},
    ///     "Action": "sqs:ReceiveMessage",
    ///     "Resource": "arn:aws:sqs:eu-west-1:123456789012:reports"
    ///   }]
    /// }
    /// ```
    /// An account that is meant to have access belongs in `trusted_accounts`. Without
    /// `own_account`, only the accounts of the policy's own resource ARNs count as own.
    ///
    /// ## References
    /// - AWS IAM Access Analyzer User Guide: external access findings and the resource types they cover
    /// - AWS Security Hub: S3.6 (bucket policies that grant other accounts access)
    /// - AWS IAM User Guide: cross-account policy evaluation logic
    ExternalAccessGrant {
        id: "IAM310",
        aliases: ["S3.6"],
        category: OverlyPermissive,
        severity: Warning,
        fix: None,
        frontends: [PolicyJson],
    }
}

/// The access levels the statement grants, e.g. `Read, Write`, or how it grants them.
fn granted(stmt: &Statement, ctx: &RuleContext<'_>) -> String {
    if stmt.not_action.is_some() {
        return "every action but those in `NotAction`".to_owned();
    }
    let items = action_items(stmt, ctx);
    let levels: Vec<&str> = AccessLevel::ALL
        .iter()
        .filter(|level| items.iter().any(|item| item.actions.iter().any(|action| action.access_level() == **level)))
        .map(|level| level.as_str())
        .collect();
    if levels.is_empty() { "the listed actions".to_owned() } else { levels.join(", ") }
}

/// The accounts named by positive tests of `key`.
fn accounts_in(stmt: &Statement, key: &str) -> Vec<(rein_text::Span, AccountRef)> {
    narrowing_entries(stmt, key, false)
        .into_iter()
        .flat_map(|(_, entry)| entry.values.iter())
        .filter_map(|value| condition_account(&value.value.value).map(|account| (value.value.span, account)))
        .collect()
}

impl Rule for ExternalAccessGrant {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !matches!(doc.kind, PolicyKind::Resource { .. }) || !stmt.is_allow() || condition_has_unknown(stmt) {
            return;
        }
        let Some(principal) = &stmt.principal else { return };
        let options = ctx.settings().options.clone();
        let home = home_accounts(doc);
        let org_values: Vec<(rein_text::Span, String)> = narrowing_entries(stmt, "aws:PrincipalOrgID", false)
            .into_iter()
            .flat_map(|(_, entry)| entry.values.iter())
            .filter_map(|value| value.value.known().map(|text| (value.value.span, text.to_owned())))
            .collect();
        let in_own_org = options
            .org_id
            .as_deref()
            .is_some_and(|org| !org_values.is_empty() && org_values.iter().all(|(_, value)| value == org));
        // Each external account with the span of its first mention.
        let mut external: Vec<(rein_text::Span, String, bool)> = Vec::new();
        let mut add = |span, account: &AccountRef| {
            if let AccountClass::External { configured } = classify_account(account, &options, &home)
                && let AccountRef::Id(id) = account
                && !external.iter().any(|(_, known, _)| known == id)
            {
                external.push((span, id.clone(), configured));
            }
        };
        for item in principal_items(principal) {
            match &item.shape {
                PrincipalShape::AccountRoot(account) | PrincipalShape::Named(account) => add(item.value.span, account),
                PrincipalShape::Anyone => {
                    for key in ["aws:PrincipalAccount", "aws:SourceAccount"] {
                        for (span, account) in accounts_in(stmt, key) {
                            add(span, &account);
                        }
                    }
                }
                PrincipalShape::Service(_) => {
                    for (span, account) in accounts_in(stmt, "aws:SourceAccount") {
                        add(span, &account);
                    }
                }
                PrincipalShape::Federated(_) | PrincipalShape::CanonicalUser | PrincipalShape::Other => {}
            }
        }
        let any_principal = principal_items(principal).iter().any(|item| item.shape == PrincipalShape::Anyone);
        let foreign_orgs: Vec<&(rein_text::Span, String)> = match options.org_id.as_deref() {
            Some(org) if any_principal => org_values.iter().filter(|(_, value)| value != org).collect(),
            _ => Vec::new(),
        };
        if external.is_empty() && foreign_orgs.is_empty() {
            return;
        }
        let levels = granted(stmt, ctx);
        for (span, account, configured) in external {
            let mut finding = ctx.report(span, format!("External account `{account}` is granted {levels}"));
            if in_own_org {
                finding = finding
                    .severity(Severity::Info)
                    .note("the caller must be in the own organization; list the account in `trusted_accounts` if it is meant to have access");
            } else if !configured {
                finding = finding.note(
                    "set `own_account` and `trusted_accounts` in the configuration to tell own and trusted accounts from external ones",
                );
            }
            drop(finding);
        }
        for (span, org) in foreign_orgs {
            ctx.report(*span, format!("Principals of organization `{org}` are granted {levels}"))
                .note("the organization is not the configured `org_id`");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::RuleOptions;
    use crate::testing::{Case, RuleTest, case};

    fn configured(text: &str) -> Case {
        case::policy_json_as("resource", text).with_options(RuleOptions {
            own_account: Some("123456789012".to_owned()),
            trusted_accounts: vec!["111122223333".to_owned()],
            org_id: Some("o-a1b2c3d4e5".to_owned()),
            ..RuleOptions::default()
        })
    }

    #[test]
    fn external_access_grant() {
        let res = |text| case::policy_json_as("resource", text);
        RuleTest::new(&super::ExternalAccessGrant)
            .fail_with(
                res(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}}"#),
                "External account `444455556666` is granted Read",
            )
            // One finding per account, with the access levels of every action.
            .fail_with(
                configured(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:role/etl","444455556666"]},"Action":["sqs:SendMessage","sqs:ReceiveMessage"],"Resource":"arn:aws:sqs:eu-west-1:123456789012:jobs"}}"#),
                "granted Read, Write",
            )
            .fail_with(
                configured(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:123456789012:jobs","Condition":{"StringEquals":{"aws:SourceAccount":"777788889999"}}}}"#),
                "`777788889999`",
            )
            .fail_with(
                configured(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-zz9yy8xx7w"}}}}"#),
                "organization `o-zz9yy8xx7w`",
            )
            .fail_with(
                configured(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"444455556666"}}}}"#),
                "`444455556666`",
            )
            // In the organization but not trusted: info.
            .fail_with(
                configured(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}"#),
                "`444455556666`",
            )
            .pass(configured(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}}"#))
            .pass(res(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/reporting"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:123456789012:jobs"}}"#))
            .pass(configured(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}"#))
            .pass(configured(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:123456789012:jobs","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}}"#))
            // Public grants are IAM302's; Deny statements and trust policies are out of scope.
            .pass(configured(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}}"#))
            .pass(configured(r#"{"Statement":{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:*","Resource":"arn:aws:s3:::reports/*"}}"#))
            .pass(case::policy_json_as("trust", r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}}"#))
            .run();
    }
}
