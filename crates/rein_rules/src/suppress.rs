//! Applying the suppressions written in the source to findings, and reporting the suppressions
//! themselves (IAM011).
//!
//! A suppression names a rule by our id, our name, or any alias a rule lists (Access Analyzer,
//! checkov, cfn_nag, trivy AVD ids, …). tfsec and trivy comments may also use their long check
//! ids, which are translated to AVD ids by a small table.
//!
//! A rule may declare sub-codes, parts of its findings that a suppression names on its own as
//! `<rule>/<sub-code>` (`IAM403/symbols`). A finding is suppressed when its rule is, or when
//! each of its sub-codes is; a finding with only some of them suppressed stays and says which.

use rein_diagnostics::{Finding, sort_findings};
use rein_model::{Suppression, SuppressionScope, SuppressionSyntax};

use crate::engine::Settings;
use crate::meta::RuleMeta;
use crate::registry::{DeclaredRule, all_rules};
use crate::rules::grammar::InvalidSuppression;

/// tfsec / trivy long check ids → AVD ids, for the checks that rules list as aliases.
/// Source: the `avd_id` and `long_id` fields of the trivy-checks metadata (aquasecurity/trivy-checks,
/// `checks/cloud/aws/iam/*.rego`, `checks/cloud/aws/cloudtrail/*.rego`).
const LONG_IDS: &[(&str, &str)] = &[
    ("aws-cloudtrail-enable-all-regions", "AVD-AWS-0014"),
    ("aws-cloudtrail-enable-at-rest-encryption", "AVD-AWS-0015"),
    ("aws-cloudtrail-enable-log-validation", "AVD-AWS-0016"),
    ("aws-iam-no-password-reuse", "AVD-AWS-0056"),
    ("aws-iam-no-policy-wildcards", "AVD-AWS-0057"),
    ("aws-iam-require-lowercase-in-passwords", "AVD-AWS-0058"),
    ("aws-iam-require-numbers-in-passwords", "AVD-AWS-0059"),
    ("aws-iam-require-symbols-in-passwords", "AVD-AWS-0060"),
    ("aws-iam-require-uppercase-in-passwords", "AVD-AWS-0061"),
    ("aws-iam-set-max-password-age", "AVD-AWS-0062"),
    ("aws-iam-set-minimum-password-length", "AVD-AWS-0063"),
    ("aws-iam-enforce-group-mfa", "AVD-AWS-0123"),
    ("aws-iam-no-root-access-keys", "AVD-AWS-0141"),
    ("aws-iam-no-user-attached-policies", "AVD-AWS-0143"),
];

/// Whether a suppression's rule text names the rule `meta`.
pub fn names_rule(text: &str, meta: &RuleMeta) -> bool {
    names_whole_rule(text, meta) || sub_code_of(text, meta).is_some()
}

fn names_whole_rule(text: &str, meta: &RuleMeta) -> bool {
    if meta.is_named(text) {
        return true;
    }
    LONG_IDS.iter().any(|(long, avd)| long.eq_ignore_ascii_case(text) && meta.is_named(avd))
}

/// The sub-code of `meta` that `text` names as `<rule>/<sub-code>` (`IAM403/symbols`), if any.
fn sub_code_of(text: &str, meta: &RuleMeta) -> Option<&'static str> {
    let (rule, sub) = text.split_once('/')?;
    if !names_whole_rule(rule, meta) {
        return None;
    }
    meta.sub_codes.iter().copied().find(|code| code.eq_ignore_ascii_case(sub))
}

/// Whether a suppression's rule text names any rule.
fn names_any_rule(text: &str) -> bool {
    all_rules().iter().any(|rule| names_rule(text, rule.meta()))
}

/// How much of a finding a suppression covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coverage {
    None,
    /// The whole finding: the suppression names its rule.
    Whole,
    /// One sub-code of the finding (`IAM403/symbols`).
    Part(&'static str),
}

/// How much of `finding` `suppression` covers: same file, the finding starts inside its scope,
/// and it names the finding's rule, or one of the finding's sub-codes.
fn coverage(suppression: &Suppression, finding: &Finding) -> Coverage {
    if suppression.span.file != finding.span.file {
        return Coverage::None;
    }
    let inside = match &suppression.scope {
        SuppressionScope::File => true,
        SuppressionScope::Range(range) => {
            range.file == finding.span.file
                && range.range.start() <= finding.span.range.start()
                && finding.span.range.start() <= range.range.end()
        }
    };
    let Some(rule) = all_rules().iter().find(|rule| rule.meta().id == finding.rule) else { return Coverage::None };
    if !inside {
        Coverage::None
    } else if names_whole_rule(&suppression.rule, rule.meta()) {
        Coverage::Whole
    } else {
        match sub_code_of(&suppression.rule, rule.meta()) {
            Some(code) if finding.sub_codes.contains(&code) => Coverage::Part(code),
            _ => Coverage::None,
        }
    }
}

/// What applying suppressions leaves.
#[derive(Debug, Default)]
pub struct Suppressed {
    /// The findings no suppression covers, plus the IAM011 findings, in report order.
    pub findings: Vec<Finding>,
    /// How many findings were suppressed.
    pub n_suppressed: usize,
    /// The suppressions that covered no finding, in input order.
    pub unused: Vec<Suppression>,
}

/// Drops the findings that a suppression covers and reports suppressions without a reason or
/// naming no rule (IAM011, when enabled). IAM011's own findings cannot be suppressed by the
/// suppression they are about.
pub fn apply_suppressions(findings: Vec<Finding>, suppressions: &[Suppression], settings: &Settings) -> Suppressed {
    let mut used = vec![false; suppressions.len()];
    let mut kept = Vec::with_capacity(findings.len());
    let mut n_suppressed = 0;
    for mut finding in findings {
        let mut hidden = false;
        let mut parts: Vec<&'static str> = Vec::new();
        for (idx, suppression) in suppressions.iter().enumerate() {
            let covered = coverage(suppression, &finding);
            match covered {
                Coverage::None => continue,
                Coverage::Whole => hidden = true,
                Coverage::Part(code) => parts.push(code),
            }
            if let Some(flag) = used.get_mut(idx) {
                *flag = true;
            }
        }
        // A finding whose every part is suppressed is suppressed; otherwise it keeps the parts
        // that are not, and says which were.
        if !parts.is_empty() {
            finding.sub_codes.retain(|code| !parts.contains(code));
            if finding.sub_codes.is_empty() {
                hidden = true;
            } else {
                parts.sort_unstable();
                parts.dedup();
                let named: Vec<String> = parts.iter().map(|code| format!("`{}/{code}`", finding.rule)).collect();
                finding.notes.push(format!("suppressed here: {}", named.join(", ")));
            }
        }
        if hidden {
            n_suppressed += 1;
        } else {
            kept.push(finding);
        }
    }
    if settings.enables(&InvalidSuppression) {
        let meta = InvalidSuppression.meta();
        let severity = settings.severity.get(meta.id).copied().unwrap_or(meta.severity);
        for suppression in suppressions {
            let unknown_sub_code = suppression.rule.split_once('/').and_then(|(rule, sub)| {
                let rule = all_rules().iter().find(|candidate| names_whole_rule(rule, candidate.meta()))?;
                let codes = rule.meta().sub_codes;
                (!codes.iter().any(|code| code.eq_ignore_ascii_case(sub))).then_some((rule.meta().id, sub, codes))
            });
            let (message, note) = if suppression.syntax == SuppressionSyntax::Rein
                && let Some((id, sub, codes)) = unknown_sub_code
            {
                let message = format!("`{id}` has no sub-code `{sub}`, so this suppression silences nothing");
                let note = if codes.is_empty() {
                    format!("`{id}` has no sub-codes; name the rule alone")
                } else {
                    format!(
                        "the sub-codes of `{id}` are {}",
                        codes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                    )
                };
                (message, note)
            } else if suppression.syntax == SuppressionSyntax::Rein && !names_any_rule(&suppression.rule) {
                let message = format!("`{}` names no rule, so this suppression silences nothing", suppression.rule);
                (
                    message,
                    "a suppression names a rule by its id (`IAM105`), its name, or a peer's id that the rule lists as an alias"
                        .to_owned(),
                )
            } else if suppression.reason.is_none()
                && matches!(
                    suppression.syntax,
                    SuppressionSyntax::Rein | SuppressionSyntax::Checkov | SuppressionSyntax::CfnNag
                )
            {
                let message = format!("The suppression of `{}` gives no reason", suppression.rule);
                (
                    message,
                    "write why the finding is accepted after the rule, e.g. `rein:ignore IAM105 the log groups are created at run time`"
                        .to_owned(),
                )
            } else {
                continue;
            };
            let mut finding = Finding::new(meta.id, meta.name(), severity, suppression.span, message);
            finding.notes.push(note);
            kept.push(finding);
        }
    }
    sort_findings(&mut kept);
    let unused = suppressions.iter().zip(&used).filter(|(_, used)| !**used).map(|(s, _)| s.clone()).collect();
    Suppressed { findings: kept, n_suppressed, unused }
}
