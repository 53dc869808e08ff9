//! IAM411 `mfa-not-enforced`.

use rein_model::{Entity, EntityKind};

use super::identity_data::mfa_self_service;
use super::{named_entity, reaching};
use crate::engine::Unit;
use crate::rules::prelude::*;
use crate::semantics::glob_matches;

declare_rule! {
    /// ## What it checks
    /// Users with a console password (`aws_iam_user_login_profile`, or a CloudFormation
    /// `LoginProfile`) that no policy makes use MFA. A user is covered when a policy of the
    /// user or of one of its groups has one of two forms:
    /// - **Deny pattern:** a `Deny` of everything but a self-service allow-list (`NotAction`) on
    ///   `Resource: "*"`, under `BoolIfExists` (or `Bool`) `aws:MultiFactorAuthPresent` `"false"`;
    /// - **Allow pattern:** only `Allow` statements, each under `Bool`
    ///   `aws:MultiFactorAuthPresent` `"true"`.
    ///
    /// The allow-list of a Deny pattern is checked wherever it is written: leaving out the
    /// actions a user needs to enrol a device (`iam:CreateVirtualMFADevice`,
    /// `iam:EnableMFADevice`, `iam:ListMFADevices`, `iam:ListVirtualMFADevices`,
    /// `iam:ResyncMFADevice`, `iam:GetUser`, `iam:ChangePassword`, `sts:GetSessionToken`) is
    /// info (`iam:ChangePassword` is asked for only when the same document allows it, so that
    /// a password change at first sign-in is not blocked); exempting more than self-service
    /// (`iam:*`, `s3:*`) is a warning, because it is a way around the pattern.
    ///
    /// Not reported: users of a configuration whose SCP enforces MFA; users with keys only
    /// (IAM407 is about them); users whose groups or policies are defined elsewhere, since the
    /// enforcement may live there.
    ///
    /// ## Why it matters
    /// A password alone is phished, reused and guessed; MFA is what keeps a stolen password
    /// from being a session. IAM cannot require MFA at sign-in for IAM users, so a policy has to
    /// refuse everything until the session carries MFA.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_user" "alice" {
    ///   name = "alice"
    /// }
    ///
    /// resource "aws_iam_user_login_profile" "alice" {
    ///   user                    = aws_iam_user.alice.name
    ///   password_reset_required = true
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   Alice:
    ///     Type: AWS::IAM::User
    ///     Properties:
    ///       LoginProfile:
    ///         Password: "{{resolve:secretsmanager:alice-initial-password}}"
    ///         PasswordResetRequired: true
    /// ```
    ///
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Deny",
    ///     "NotAction": ["iam:*", "sts:GetSessionToken"],
    ///     "Resource": "*",
    ///     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    ///   }]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_user" "alice" {
    ///   name = "alice"
    /// }
    ///
    /// resource "aws_iam_user_login_profile" "alice" {
    ///   user                    = aws_iam_user.alice.name
    ///   password_reset_required = true
    /// }
    ///
    /// resource "aws_iam_group" "humans" {
    ///   name = "humans"
    /// }
    ///
    /// resource "aws_iam_user_group_membership" "alice" {
    ///   user   = aws_iam_user.alice.name
    ///   groups = [aws_iam_group.humans.name]
    /// }
    ///
    /// resource "aws_iam_group_policy" "require_mfa" {
    ///   group = aws_iam_group.humans.name
    ///   policy = jsonencode({
    ///     Version = "2012-10-17"
    ///     Statement = [{
    ///       Effect    = "Deny"
    ///       NotAction = ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "iam:GetUser", "iam:ChangePassword", "sts:GetSessionToken"]
    ///       Resource  = "*"
    ///       Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    ///     }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: for a Terraform user in a group of the same module, the fix generates the
    /// enforcement policy above (an `aws_iam_policy_document` that denies everything but the MFA
    /// enrolment actions under `BoolIfExists aws:MultiFactorAuthPresent false`) as an inline policy
    /// of the user's first group. Every member of the group, and every session it opens without
    /// MFA (access keys included), is then denied all else until it signs in with MFA. Users in no
    /// group get no fix.
    ///
    /// ## References
    /// - AWS IAM User Guide: "AWS: Allows MFA-authenticated IAM users to manage their own MFA device"
    /// - AWS IAM User Guide: security best practices, require multi-factor authentication
    /// - CIS AWS Foundations Benchmark 1.10; AWS Security Hub IAM.5
    MfaNotEnforced {
        id: "IAM411",
        aliases: ["AVD-AWS-0123", "AVD-AWS-0145", "IAM.5", "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson, Hcl, Cfn],
    }
}

const MFA_KEY: &str = "aws:MultiFactorAuthPresent";
const CHANGE_PASSWORD: &str = "iam:ChangePassword";

/// Whether a statement tests `aws:MultiFactorAuthPresent` with `operator` (`Bool`), with or
/// without `IfExists` as `if_exists` allows, against `value` only.
fn tests_mfa(stmt: &Statement, value: &str, allow_if_exists: bool) -> bool {
    let Some(block) = &stmt.condition else { return false };
    block.entries().any(|(op, entry)| {
        op.name.base.eq_ignore_ascii_case("Bool")
            && op.name.qualifier.is_none()
            && (allow_if_exists || !op.name.if_exists)
            && entry.key.name.eq_ignore_ascii_case(MFA_KEY)
            && !entry.values.is_empty()
            && entry.values.iter().all(|v| v.value.known().is_some_and(|t| t.eq_ignore_ascii_case(value)))
    })
}

/// The Deny pattern: a Deny of (nearly) everything on `*` while the session has no MFA.
fn is_deny_pattern(stmt: &Statement) -> bool {
    let on_everything = stmt.resource.as_ref().is_some_and(|list| list.items.iter().any(|i| i.known() == Some("*")));
    let all_actions = stmt.not_action.is_some()
        || stmt
            .action
            .as_ref()
            .is_some_and(|list| list.items.iter().any(|item| item.known().is_some_and(semantics::is_all_actions)));
    stmt.is_deny() && on_everything && all_actions && tests_mfa(stmt, "false", true)
}

/// The Allow pattern: only Allow statements, each under `Bool aws:MultiFactorAuthPresent "true"`.
fn is_allow_pattern(doc: &PolicyDocument) -> bool {
    !doc.statements.is_empty() && doc.statements.iter().all(|stmt| stmt.is_allow() && tests_mfa(stmt, "true", false))
}

/// Whether a document enforces MFA for whoever it applies to.
fn enforces(doc: &PolicyDocument) -> bool {
    doc.statements.iter().any(is_deny_pattern)
}

/// The console users of the unit: each user with the place of its password.
fn console_users<'a>(unit: &Unit<'a>) -> Vec<(&'a Entity, rein_text::Span)> {
    let mut users: Vec<(&'a Entity, rein_text::Span)> = Vec::new();
    for profile in unit.entities_of(EntityKind::LoginProfile) {
        if let Some(user) = named_entity(unit, profile, "user", EntityKind::User) {
            users.push((user, profile.span));
        }
    }
    for user in unit.entities_of(EntityKind::User) {
        if let Some(profile) = user.attribute("login_profile") {
            users.push((user, profile.key_span));
        }
    }
    users.dedup_by(|a, b| a.0.address == b.0.address);
    users
}

/// The edits that give the first group of `user` an inline policy denying everything but the
/// enrolment actions without MFA: a policy document and an `aws_iam_group_policy` beside the
/// group. None outside Terraform, for a user in no group, and across modules (a reference from
/// one module to a resource of another does not resolve).
fn enforcement_policy(unit: &Unit<'_>, user: &Entity, groups: &[&Entity]) -> Vec<PolicyEdit> {
    let Some(group) = groups.first() else { return Vec::new() };
    let in_root = |entity: &Entity| !entity.address.starts_with("module.") && !entity.address.contains(".module.");
    if unit.source != crate::engine::UnitSource::Terraform || !in_root(user) || !in_root(group) {
        return Vec::new();
    }
    let enrol: Vec<&str> = mfa_self_service().iter().filter(|entry| entry.enrol).map(|entry| entry.action).collect();
    let group_name = group.address.rsplit('.').next().unwrap_or("group");
    let name = format!("{group_name}_require_mfa");
    let statement = AttributeValue::block([
        ("sid", AttributeValue::string("DenyAllExceptMfaEnrolmentWithoutMfa")),
        ("effect", AttributeValue::string("Deny")),
        ("not_actions", AttributeValue::strings(enrol)),
        ("resources", AttributeValue::strings(["*"])),
        (
            "condition",
            AttributeValue::block([
                ("test", AttributeValue::string("BoolIfExists")),
                ("variable", AttributeValue::string("aws:MultiFactorAuthPresent")),
                ("values", AttributeValue::strings(["false"])),
            ]),
        ),
    ]);
    let new_resource = crate::rules::baseline::new_resource;
    let mut document = new_resource(unit, "aws_iam_policy_document", &name, vec![("statement", statement)]);
    document.name = new_resource(unit, "data.aws_iam_policy_document", &name, Vec::new()).name;
    document.data_source = true;
    let policy = new_resource(
        unit,
        "aws_iam_group_policy",
        &name,
        vec![
            ("name", AttributeValue::string("require-mfa")),
            ("group", AttributeValue::Reference { entity: group.address.clone(), attribute: "name".to_owned() }),
            (
                "policy",
                AttributeValue::Reference {
                    entity: format!("data.aws_iam_policy_document.{}", document.name),
                    attribute: "json".to_owned(),
                },
            ),
        ],
    );
    let beside_group = |mut entity: NewEntity| {
        entity.near = group.span;
        entity.anchor = false;
        entity
    };
    crate::rules::baseline::generate([beside_group(document), beside_group(policy)])
}

impl Rule for MfaNotEnforced {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !is_deny_pattern(stmt) {
            return;
        }
        let Some(list) = &stmt.not_action else { return };
        // Unknown entries may hold anything; the check is about what is written.
        let texts: Vec<(&str, rein_text::Span)> =
            list.items.iter().filter_map(|item| Some((item.known()?, item.span))).collect();
        let self_service = mfa_self_service();
        for (text, span) in &texts {
            let beyond: Vec<String> = ctx
                .expand(text)
                .iter()
                .map(|action| action.full_name())
                .filter(|name| !self_service.iter().any(|entry| entry.action.eq_ignore_ascii_case(name)))
                .collect();
            if let Some(first) = beyond.first() {
                let more = if beyond.len() > 1 { format!(" and {} more", beyond.len() - 1) } else { String::new() };
                ctx.report(
                    *span,
                    format!(
                        "`{text}` is exempted from the MFA Deny: without MFA a user can still use `{first}`{more}, so the pattern is a way around MFA"
                    ),
                )
                .note("exempt only the self-service actions a user needs to enrol a device");
            }
        }
        if list.items.len() != texts.len() {
            return;
        }
        // A password change is asked for only where the document lets users change their
        // password: AWS's own device-management example leaves it to another policy.
        let changes_password = doc
            .statements
            .iter()
            .any(|other| other.is_allow() && semantics::grants_action(other, ctx, CHANGE_PASSWORD).is_some());
        let missing: Vec<&str> = self_service
            .iter()
            .filter(|entry| entry.enrol && (changes_password || !entry.action.eq_ignore_ascii_case(CHANGE_PASSWORD)))
            .filter(|entry| !texts.iter().any(|(text, _)| glob_matches(text, entry.action)))
            .map(|entry| entry.action)
            .collect();
        if !missing.is_empty() {
            let listed = missing.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
            // The password change of a first sign-in comes before any device exists.
            let consequence = match missing.as_slice() {
                ["iam:ChangePassword"] => "a user without MFA cannot change an initial password",
                _ => "a user without MFA cannot enrol a device",
            };
            ctx.report(list.key.span, format!("The MFA Deny does not exempt {listed}, so {consequence}"))
                .severity(Severity::Info)
                .note("an administrator then has to do it for the user");
        }
    }

    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        // An SCP of the configuration that denies without MFA covers every user it is attached to.
        if unit.documents.iter().any(|doc| doc.kind == PolicyKind::Scp && enforces(doc)) {
            return;
        }
        for (user, span) in console_users(unit) {
            let reach = reaching(unit, user);
            let docs: Vec<&PolicyDocument> = reach.documents.iter().map(|(doc, _)| *doc).collect();
            if docs.iter().any(|doc| enforces(doc)) {
                continue;
            }
            // AWS managed policies carry no MFA condition; other policies may be the enforcement.
            let foreign = reach.managed_arns.iter().any(|arn| !arn.starts_with("arn:aws:iam::aws:policy/"));
            if !reach.unresolved.is_empty() || foreign {
                continue;
            }
            if !docs.is_empty() && reach.managed_arns.is_empty() && docs.iter().all(|doc| is_allow_pattern(doc)) {
                continue;
            }
            let name = user.string("name").and_then(Value::as_known).unwrap_or(&user.address);
            let groups = if reach.groups.is_empty() { "" } else { " or its groups" };
            let edits = enforcement_policy(unit, user, &reach.groups);
            ctx.report(
                span,
                format!("User `{name}` has a console password, but no policy of the user{groups} requires MFA"),
            )
            .label(user.span, "the user")
            .note(
                "attach a Deny of everything but MFA self-service under `BoolIfExists aws:MultiFactorAuthPresent false` to the user's group",
            )
            .fix("Require MFA through a policy of the user's group", Applicability::Unsafe, edits);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    const ENFORCE: &str = r#"{
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      NotAction = ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "iam:GetUser", "iam:ChangePassword", "sts:GetSessionToken"]
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
  }"#;

    const ALICE_IN_DEV: &str = "resource \"aws_iam_user\" \"alice\" {\n  name = \"alice\"\n}\n\nresource \"aws_iam_user_login_profile\" \"alice\" {\n  user = aws_iam_user.alice.name\n}\n\nresource \"aws_iam_group\" \"dev\" {\n  name = \"dev\"\n}\n\nresource \"aws_iam_user_group_membership\" \"alice\" {\n  user   = aws_iam_user.alice.name\n  groups = [aws_iam_group.dev.name]\n}\n";

    const REQUIRE_MFA: &str = r#"
data "aws_iam_policy_document" "dev_require_mfa" {
  statement {
    sid         = "DenyAllExceptMfaEnrolmentWithoutMfa"
    effect      = "Deny"
    not_actions = ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "iam:GetUser", "iam:ChangePassword", "sts:GetSessionToken"]
    resources   = ["*"]
    condition {
      test     = "BoolIfExists"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
}

resource "aws_iam_group_policy" "dev_require_mfa" {
  name   = "require-mfa"
  group  = aws_iam_group.dev.name
  policy = data.aws_iam_policy_document.dev_require_mfa.json
}
"#;

    #[test]
    fn a_user_in_no_group_gets_no_fix() {
        let text = "resource \"aws_iam_user\" \"alice\" {\n  name = \"alice\"\n}\n\nresource \"aws_iam_user_login_profile\" \"alice\" {\n  user = aws_iam_user.alice.name\n}\n";
        let findings = crate::testing::run_rule(&super::MfaNotEnforced, &case::hcl(text));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings.iter().all(|finding| finding.fixes.is_empty()));
    }

    #[test]
    fn mfa_not_enforced() {
        RuleTest::new(&super::MfaNotEnforced)
            // The group's policies carry no MFA condition.
            .fail_with(
                case::hcl(
                    r#"
resource "aws_iam_user" "alice" { name = "alice" }
resource "aws_iam_user_login_profile" "alice" { user = aws_iam_user.alice.name }
resource "aws_iam_group" "dev" { name = "dev" }
resource "aws_iam_group_membership" "dev" {
  name  = "dev"
  group = aws_iam_group.dev.name
  users = [aws_iam_user.alice.name]
}
resource "aws_iam_group_policy_attachment" "dev" {
  group      = aws_iam_group.dev.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"#,
                ),
                "User `alice` has a console password, but no policy of the user or its groups requires MFA",
            )
            // Seed 003's three-action allow-list: the enrolment actions are missing.
            .fail_with(
                case::policy_json(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
                ),
                "does not exempt `iam:ListMFADevices`",
            )
            .fail_with(
                case::cfn(
                    r#"
Resources:
  Humans:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: work
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:ListAllMyBuckets
                Resource: "*"
  Alice:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Humans]
      LoginProfile:
        Password: "{{resolve:secretsmanager:alice}}"
"#,
                ),
                "User `Alice` has a console password",
            )
            // A password change allowed by the same document must be exempted too.
            .fail_with(
                case::policy_json(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::*:user/${aws:username}"},{"Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice","iam:GetUser","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
                ),
                "cannot change an initial password",
            )
            // The enforcement policy through a group.
            .pass(case::hcl(&format!(
                r#"
resource "aws_iam_user" "alice" {{ name = "alice" }}
resource "aws_iam_user_login_profile" "alice" {{ user = aws_iam_user.alice.name }}
resource "aws_iam_group" "humans" {{ name = "humans" }}
resource "aws_iam_user_group_membership" "alice" {{
  user   = aws_iam_user.alice.name
  groups = [aws_iam_group.humans.name]
}}
resource "aws_iam_policy" "mfa" {{
  name   = "require-mfa"
  policy = jsonencode({ENFORCE})
}}
resource "aws_iam_group_policy_attachment" "mfa" {{
  group      = aws_iam_group.humans.name
  policy_arn = aws_iam_policy.mfa.arn
}}
"#
            )))
            // The Allow pattern, directly on the user.
            .pass(case::hcl(
                r#"
resource "aws_iam_user" "bob" { name = "bob" }
resource "aws_iam_user_login_profile" "bob" { user = aws_iam_user.bob.name }
resource "aws_iam_user_policy" "bob" {
  user   = aws_iam_user.bob.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:ListAllMyBuckets", Resource = "*", Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } } }]
  })
}
"#,
            ))
            // An SCP of the configuration enforces MFA.
            .pass(case::hcl(&format!(
                r#"
resource "aws_iam_user" "carol" {{ name = "carol" }}
resource "aws_iam_user_login_profile" "carol" {{ user = aws_iam_user.carol.name }}
resource "aws_organizations_policy" "mfa" {{
  name    = "require-mfa"
  type    = "SERVICE_CONTROL_POLICY"
  content = jsonencode({ENFORCE})
}}
"#
            )))
            // A group defined elsewhere may hold the enforcement; a user with keys only has no
            // console password.
            .pass(case::hcl(
                r#"
resource "aws_iam_user" "dave" { name = "dave" }
resource "aws_iam_user_login_profile" "dave" { user = aws_iam_user.dave.name }
resource "aws_iam_user_group_membership" "dave" {
  user   = aws_iam_user.dave.name
  groups = ["humans"]
}
resource "aws_iam_user" "ci" { name = "ci" }
resource "aws_iam_access_key" "ci" { user = aws_iam_user.ci.name }
"#,
            ))
            // A Deny with Bool "true" or an Allow is not the pattern, so its list is not checked.
            .pass(case::policy_json(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
            ))
            // The user's group gets the enforcement policy.
            .fix(case::hcl(ALICE_IN_DEV), &format!("{ALICE_IN_DEV}{REQUIRE_MFA}"))
            .run();
    }
}
