//! IAM304 `trust-principal-too-broad`.

use crate::rules::prelude::*;
use crate::semantics::{
    AccountClass, AccountRef, PrincipalShape, action_items, classify_account, condition_has_unknown, has_narrowing_key,
    items_grant_action, principal_items,
};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements of a role trust policy that let principals assume the role with
    /// `sts:AssumeRole` too broadly:
    /// - **(a) cross-account**, a warning: an account id, account root, user or role of an
    ///   account outside `own_account` and `trusted_accounts`, with no narrowing condition
    ///   (`sts:ExternalId`, the documented pattern for a vendor, `aws:PrincipalOrgID` or
    ///   `aws:PrincipalArn`);
    /// - **(b) a whole own or trusted account**, as info: its account id or root without an
    ///   `aws:PrincipalArn` or `aws:PrincipalTag/…` test. It hands the decision to every identity
    ///   policy in that account that allows `sts:AssumeRole` on `*`.
    ///
    /// Specific users and roles of own or trusted accounts are not reported, nor are principals
    /// whose account is not known statically (IAM010 lists them), `{"AWS": "*"}` (IAM301) and
    /// Deny statements.
    ///
    /// ## Why it matters
    /// Every principal the trust reaches can act with the role's permissions. A foreign account
    /// without an external id is open to the confused-deputy problem; an account root in the
    /// trust means anyone there with a broad `sts:AssumeRole` grant can become the role.
    ///
    /// ## Example
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
    ///     "Action": "sts:AssumeRole"
    ///   }]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
    ///     "Action": "sts:AssumeRole",
    ///     "Condition": {"StringEquals": {"sts:ExternalId": "7f3c-tenant-42"}}
    ///   }]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Always unsafe: the condition stops callers that do not meet it. A foreign account gets an
    /// `sts:ExternalId` condition with the placeholder `EXTERNAL-ID-PLACEHOLDER`, to be replaced
    /// with the id the vendor gave; the own account's root gets an `aws:PrincipalArn` condition
    /// naming the placeholder role `ROLE-NAME-PLACEHOLDER` in that account.
    ///
    /// ## Options
    /// - `own_account`: the account the code deploys into. Without it, literal account ids count
    ///   as external (case a), and a reference to the deploying account
    ///   (`data.aws_caller_identity`, `AWS::AccountId`) counts as own. User and role ARNs are
    ///   reported only once `own_account` is set, because until then they cannot be told apart.
    /// - `trusted_accounts`: accounts treated like the own account.
    ///
    /// ## References
    /// - AWS IAM User Guide: how to use an external ID when granting access to a third party
    /// - AWS IAM User Guide: cross-account resource access in IAM
    TrustPrincipalTooBroad {
        id: "IAM304",
        aliases: ["CKV_AWS_61", "AssumableByCrossAccountPrincipal"],
        category: OverlyPermissive,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// The external id the fix writes, for the user to replace with the vendor's.
const PLACEHOLDER_EXTERNAL_ID: &str = "EXTERNAL-ID-PLACEHOLDER";

/// The role name the fix writes, for the user to replace.
const PLACEHOLDER_ROLE: &str = "ROLE-NAME-PLACEHOLDER";

fn account_text(account: &AccountRef) -> &str {
    match account {
        AccountRef::Id(id) => id,
        AccountRef::SelfAccount => "the own account",
    }
}

/// Whether any narrowing operator tests a `aws:PrincipalTag/…` key.
fn has_principal_tag_test(stmt: &Statement) -> bool {
    stmt.condition.as_ref().is_some_and(|block| {
        block.entries().any(|(op, entry)| {
            crate::semantics::is_narrowing_operator(op)
                && entry.key.name.to_ascii_lowercase().starts_with("aws:principaltag/")
        })
    })
}

impl Rule for TrustPrincipalTooBroad {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if doc.kind != PolicyKind::Trust || !stmt.is_allow() || condition_has_unknown(stmt) {
            return;
        }
        let Some(principal) = &stmt.principal else { return };
        let items = action_items(stmt, ctx);
        if !items_grant_action(&items, "sts:AssumeRole") {
            return;
        }
        let by_arn = has_narrowing_key(stmt, "aws:PrincipalArn");
        let cross_account_narrowed =
            by_arn || has_narrowing_key(stmt, "sts:ExternalId") || has_narrowing_key(stmt, "aws:PrincipalOrgID");
        let own_account_narrowed = by_arn || has_principal_tag_test(stmt);
        let options = ctx.settings().options.clone();
        // One fix per statement: the condition it adds covers every principal of it.
        let mut fix_offered = false;
        for item in principal_items(principal) {
            let (account, whole_account) = match &item.shape {
                PrincipalShape::AccountRoot(account) => (account, true),
                PrincipalShape::Named(account) => (account, false),
                _ => continue,
            };
            let text = item.value.value.to_string();
            match classify_account(account, &options, &[]) {
                AccountClass::External { configured } => {
                    if cross_account_narrowed || (!whole_account && !configured) {
                        continue;
                    }
                    let mut finding = ctx.report(
                        item.value.span,
                        format!(
                            "`{text}` lets account `{}` assume this role without an external id or a principal condition",
                            account_text(account)
                        ),
                    );
                    finding = finding
                        .note("add an `sts:ExternalId` condition for a vendor, or `aws:PrincipalArn` for named roles");
                    if !configured {
                        finding = finding.note("`own_account` is not configured, so this account counts as external");
                    }
                    if !std::mem::replace(&mut fix_offered, true) {
                        finding = finding.fix(
                            format!("Require an external id (placeholder `{PLACEHOLDER_EXTERNAL_ID}`)"),
                            Applicability::Unsafe,
                            PolicyEdit::insert_condition(
                                stmt,
                                "StringEquals",
                                "sts:ExternalId",
                                &[PLACEHOLDER_EXTERNAL_ID.to_owned()],
                            )
                            .into_iter()
                            .collect(),
                        );
                    }
                    drop(finding);
                }
                AccountClass::Own | AccountClass::Trusted => {
                    if !whole_account || own_account_narrowed {
                        continue;
                    }
                    let mut finding = ctx
                        .report(
                            item.value.span,
                            format!(
                                "`{text}` lets every principal of {} that may call `sts:AssumeRole` assume this role",
                                match account {
                                    AccountRef::Id(id) => format!("account `{id}`"),
                                    AccountRef::SelfAccount => "the own account".to_owned(),
                                }
                            ),
                        )
                        .severity(Severity::Info)
                        .note("name the roles, or test `aws:PrincipalArn` or `aws:PrincipalTag/…`");
                    if let AccountRef::Id(id) = account
                        && !std::mem::replace(&mut fix_offered, true)
                    {
                        let role = format!("arn:aws:iam::{id}:role/{PLACEHOLDER_ROLE}");
                        finding = finding.fix(
                            format!("Allow only the role `{role}` (placeholder name)"),
                            Applicability::Unsafe,
                            PolicyEdit::insert_condition(stmt, "ArnEquals", "aws:PrincipalArn", &[role])
                                .into_iter()
                                .collect(),
                        );
                    }
                    drop(finding);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::RuleOptions;
    use crate::testing::{RuleTest, case};

    #[test]
    fn trust_principal_too_broad() {
        let trust = |text| case::policy_json_as("trust", text);
        let own = || RuleOptions {
            own_account: Some("123456789012".into()),
            trusted_accounts: vec!["210987654321".into()],
            ..RuleOptions::default()
        };
        RuleTest::new(&super::TrustPrincipalTooBroad)
            .fail_with(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"999988887777"},"Action":"sts:AssumeRole"}}"#), "account `999988887777`")
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:role/ci"},"Action":["sts:AssumeRole","sts:TagSession"]}}"#).with_options(own()),
                "account `999988887777`",
            )
            // Case (b): the own account's root, or a trusted one, as info.
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}}"#).with_options(own()),
                "every principal of account `123456789012`",
            )
            .fail(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}}"#).with_options(own()))
            // A negated test does not narrow.
            .fail(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"sts:ExternalId":"x"}}}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/ops-*"}}}}"#).with_options(own()))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalTag/team":"ops"}}}}"#).with_options(own()))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::210987654321:role/deploy","arn:aws:iam::123456789012:user/support"]},"Action":"sts:AssumeRole"}}"#).with_options(own()))
            // Without `own_account`, named roles cannot be judged.
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:role/ci"},"Action":"sts:AssumeRole"}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}}"#))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}}"#))
            .fix(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["999988887777","arn:aws:iam::999988887777:root"]},"Action":"sts:AssumeRole"}}"#),
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["999988887777","arn:aws:iam::999988887777:root"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"EXTERNAL-ID-PLACEHOLDER"}}}}"#,
            )
            .fix(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}}"#).with_options(own()),
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/ROLE-NAME-PLACEHOLDER"}}}}"#,
            )
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "vendor" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::999988887777:root"]
    }

    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = ["EXTERNAL-ID-PLACEHOLDER"]
    }
  }
}

resource "aws_iam_role" "vendor" {
  assume_role_policy = data.aws_iam_policy_document.vendor.json
}
"#)
            .fix(case::cfn(CFN_YAML_FLOW), r#"Resources:
  Vendor:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: '999988887777'}, Action: 'sts:AssumeRole', Condition: {StringEquals: {sts:ExternalId: EXTERNAL-ID-PLACEHOLDER}}}
"#)
            .run();
    }

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "vendor" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::999988887777:root"]
    }
  }
}

resource "aws_iam_role" "vendor" {
  assume_role_policy = data.aws_iam_policy_document.vendor.json
}
"#;

    const CFN_YAML_FLOW: &str = r#"Resources:
  Vendor:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: '999988887777'}, Action: 'sts:AssumeRole'}
"#;
}
