//! IAM416 `session-duration-excessive`.

use rein_model::{Entity, EntityKind, PrincipalBody, PrincipalType};

use super::{Setting, setting};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Roles that people can assume (trusted by accounts, roles or users, or by a SAML or OIDC
    /// identity provider) whose `max_session_duration` is longer than 4 hours (14,400 seconds),
    /// and SSO permission sets whose `session_duration` is longer than 4 hours.
    /// Roles trusted only by AWS services are not reported, nor is the default of one hour.
    ///
    /// ## Why it matters
    /// Session credentials stay valid for their whole duration even after the person leaves or
    /// the laptop is stolen; a short session narrows that window.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role" "admin" {
    ///   name                 = "admin"
    ///   max_session_duration = 43200
    ///   assume_role_policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_role" "admin" {
    ///   name                 = "admin"
    ///   max_session_duration = 3600
    ///   assume_role_policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: sessions requested for longer than the new maximum are refused.
    ///
    /// ## References
    /// - AWS IAM User Guide: modifying a role's maximum session duration
    /// - IAM Identity Center User Guide: set session duration
    SessionDurationExcessive {
        id: "IAM416",
        aliases: [],
        category: Hygiene,
        severity: Info,
        fix: Sometimes,
        frontends: [Hcl],
    }
}

/// Four hours, the longest session RULES.md accepts by default (option `max_session_seconds`).
const MAX_SECONDS: f64 = 14_400.0;

/// Whether some Allow statement of the role's trust policy lets a person in: an AWS account,
/// role or user principal, or a federated identity provider.
fn assumable_by_people(unit: &Unit<'_>, role: &Entity) -> bool {
    unit.documents_of(&role.address).filter(|doc| doc.kind == PolicyKind::Trust).any(|doc| {
        doc.statements.iter().filter(|stmt| stmt.is_allow()).any(|stmt| {
            match stmt.principal.as_ref().map(|p| &p.body) {
                Some(PrincipalBody::Map(types)) => {
                    types.iter().any(|(ty, _)| matches!(ty, PrincipalType::Aws | PrincipalType::Federated))
                }
                Some(PrincipalBody::Scalar(_)) => true,
                _ => false,
            }
        })
    })
}

/// Seconds in an ISO 8601 duration of hours and minutes (`PT4H`, `PT12H30M`).
fn iso_seconds(text: &str) -> Option<f64> {
    let rest = text.strip_prefix("PT")?;
    let mut total = 0.0;
    let mut number = String::new();
    for ch in rest.chars() {
        match ch {
            '0'..='9' | '.' => number.push(ch),
            'H' | 'M' | 'S' => {
                let value: f64 = number.parse().ok()?;
                total += value
                    * match ch {
                        'H' => 3600.0,
                        'M' => 60.0,
                        _ => 1.0,
                    };
                number.clear();
            }
            _ => return None,
        }
    }
    number.is_empty().then_some(total)
}

impl Rule for SessionDurationExcessive {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for role in unit.entities_of(EntityKind::Role) {
            let Setting::Known(seconds) = setting(role, "max_session_duration") else { continue };
            let Some(attr) = role.attribute("max_session_duration") else { continue };
            if seconds > MAX_SECONDS && assumable_by_people(unit, role) {
                ctx.report(
                    attr.value.span,
                    format!(
                        "Sessions of this role people can assume last up to {} hours; keep them to {} hours or less",
                        seconds / 3600.0,
                        MAX_SECONDS / 3600.0
                    ),
                )
                .fix(
                    format!("Set `max_session_duration` to {MAX_SECONDS}"),
                    Applicability::Unsafe,
                    vec![PolicyEdit::ReplaceLiteral { target: attr.value.span, literal: format!("{MAX_SECONDS}") }],
                );
            }
        }
        for set in unit.entities_of(EntityKind::PermissionSet) {
            let Some(attr) = set.attribute("session_duration") else { continue };
            let Some(seconds) = set.string("session_duration").and_then(Value::as_known).and_then(iso_seconds) else {
                continue;
            };
            if seconds > MAX_SECONDS {
                ctx.report(
                    attr.value.span,
                    format!(
                        "Permission set sessions last up to {} hours; keep them to 4 hours or less",
                        seconds / 3600.0
                    ),
                )
                .fix(
                    "Set `session_duration` to `PT4H`",
                    Applicability::Unsafe,
                    vec![PolicyEdit::ReplaceString { target: attr.value.span, value: "PT4H".to_owned() }],
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn session_duration_excessive() {
        RuleTest::new(&super::SessionDurationExcessive)
            .fail(case::hcl(r#"resource "aws_ssoadmin_permission_set" "admin" {
  name             = "admin"
  instance_arn     = "arn:aws:sso:::instance/ssoins-1"
  session_duration = "PT12H"
}"#))
            .pass(case::hcl(
                r#"
resource "aws_iam_role" "batch" {
  name                 = "batch"
  max_session_duration = 43200
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "batch.amazonaws.com" } }]
  })
}
"#,
            ))
            .fix(
                case::hcl("resource \"aws_iam_role\" \"r\" {\n  max_session_duration = 28800\n  assume_role_policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = \"123456789012\" } }] })\n}\n"),
                "resource \"aws_iam_role\" \"r\" {\n  max_session_duration = 14400\n  assume_role_policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = \"123456789012\" } }] })\n}\n",
            )
            .run();
    }

    #[test]
    fn iso_durations() {
        assert_eq!(super::iso_seconds("PT4H"), Some(14_400.0));
        assert_eq!(super::iso_seconds("PT1H30M"), Some(5_400.0));
        assert_eq!(super::iso_seconds("P1D"), None);
    }
}
