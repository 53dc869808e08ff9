//! IAM209 `defense-evasion-actions`.

use super::risk_data::defense_evasion_by_action;
use super::{is_identity_side, listed_hits, report_hits};
use crate::engine::RuleOptions;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `Allow` statements in identity policies that grant, on every resource of its type, an
    /// action that stops, deletes or blinds logging and detection: `cloudtrail:StopLogging`,
    /// `cloudtrail:DeleteTrail`, `guardduty:DeleteDetector`, `config:StopConfigurationRecorder`,
    /// `securityhub:DisableSecurityHub`, `ec2:DeleteFlowLogs`, `organizations:LeaveOrganization`
    /// and the rest of the shipped list (`crates/rein_rules/data/defense_evasion.txt`).
    ///
    /// Read-only audit actions (`cloudtrail:LookupEvents`, `DescribeTrails`), resources narrowed
    /// to named non-audit resources, Deny statements and grants that an unconditional Deny of the
    /// same document takes back are not reported. A statement scoped by a condition on a
    /// scoping key is info. The organization-side converse, an SCP that fails to deny these
    /// actions, is IAM517.
    ///
    /// ## Why it matters
    /// Turning off the trail or the detector is the first step of an intrusion that means to
    /// stay hidden (MITRE ATT&CK T1562.008); whoever holds these actions can make every later
    /// action invisible.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": ["cloudtrail:LookupEvents", "cloudtrail:DescribeTrails"], "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Options
    /// `security-admin-principals` and `break-glass-principals` in `[options]` of `rein.toml`:
    /// policies held by a listed principal are not reported, since running (and, in an
    /// emergency, switching off) logging and detection is their job. An entry is compared with
    /// the IaC address of the resource that holds the policy (`aws_iam_role.security_admin` for
    /// its inline policies, `aws_iam_role_policy.security_admin`); `*` and `?` are globs.
    ///
    /// ## References
    /// - MITRE ATT&CK T1562.008, Impair Defenses: Disable or Modify Cloud Logs
    /// - AWS CloudTrail User Guide: Security best practices in AWS CloudTrail
    /// - The list's sources: `crates/rein_rules/data/SOURCE.md`
    DefenseEvasionActions {
        id: "IAM209",
        aliases: ["T1562.008"],
        category: PrivilegeEscalation,
        severity: Warning,
        fix: None,
        frontends: [PolicyJson],
    }
}

impl Rule for DefenseEvasionActions {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow() || !is_identity_side(doc) {
            return;
        }
        // Security administrators and break-glass principals hold these actions on purpose.
        let options = &ctx.settings().options;
        if let Some(owner) = doc.origin.owner.as_deref()
            && (options.is_break_glass(owner, None)
                || RuleOptions::lists_principal(&options.security_admin_principals, owner, None))
        {
            return;
        }
        let lookup = |action: rein_catalog::Action<'static>| {
            defense_evasion_by_action().get(action).map(|entry| (entry.severity, entry.source.to_owned()))
        };
        let hits = listed_hits(stmt, doc, ctx, &lookup);
        report_hits(stmt, ctx, hits, "it can stop or blind logging and detection");
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn security_admin_and_break_glass_principals_are_not_reported() {
        const HCL: &str = r#"
resource "aws_iam_role_policy" "secops" {
  role   = "secops"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "cloudtrail:StopLogging", Resource = "*" }] })
}
"#;
        let with = |security: &[&str], break_glass: &[&str]| {
            case::hcl(HCL).with_options(crate::RuleOptions {
                security_admin_principals: security.iter().map(|entry| (*entry).to_owned()).collect(),
                break_glass_principals: break_glass.iter().map(|entry| (*entry).to_owned()).collect(),
                ..Default::default()
            })
        };
        RuleTest::new(&super::DefenseEvasionActions)
            .fail(with(&[], &[]))
            .fail(with(&["aws_iam_role_policy.other"], &[]))
            .pass(with(&["aws_iam_role_policy.secops"], &[]))
            .pass(with(&[], &["aws_iam_role_policy.sec*"]))
            .run();
    }

    #[test]
    fn defense_evasion_actions() {
        RuleTest::new(&super::DefenseEvasionActions)
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail"],"Resource":"*"}}"#),
                "`cloudtrail:StopLogging` is allowed on `*`",
            )
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"guardduty:*","Resource":"*"}}"#),
                "`guardduty:*` allows `guardduty:DeleteDetector`",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"cloudtrail:StopLogging","Resource":"arn:aws:cloudtrail:*:*:trail/*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"organizations:LeaveOrganization","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["cloudtrail:LookupEvents","cloudtrail:DescribeTrails"],"Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"cloudtrail:StopLogging","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"cloudtrail:DeleteTrail","Resource":"arn:aws:cloudtrail:eu-west-1:123456789012:trail/dev-sandbox"}}"#))
            .pass(case::policy_json(r#"{"Statement":[{"Effect":"Allow","Action":"cloudtrail:*","Resource":"*"},{"Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail","cloudtrail:UpdateTrail","cloudtrail:PutEventSelectors"],"Resource":"*"}]}"#))
            .run();
    }
}
