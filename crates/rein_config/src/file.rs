//! The serde shape of `rein.toml`. Unknown keys are errors (`deny_unknown_fields`), and values
//! that are checked after parsing keep their spans, so every error points into the file.
//!
//! `schemas/rein.schema.json` describes the same shape for editors; keep the two in step.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Run only these rules (selectors: id, name, alias, category, id prefix).
    pub select: Option<Vec<Spanned<String>>>,
    /// Do not run these rules.
    pub ignore: Option<Vec<Spanned<String>>>,
    /// A level per rule selector.
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Level>,
    /// Also run rules in preview.
    pub preview: Option<bool>,
    pub profile: Option<ProfileName>,
    pub fail_on: Option<FailOnName>,
    #[serde(default)]
    pub options: Options,
    #[serde(default)]
    pub overrides: Vec<OverrideTable>,
}

/// What a rule reports as, or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    #[serde(alias = "warn")]
    Warning,
    Info,
    Off,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileName {
    Default,
    #[serde(alias = "account-baseline")]
    Baseline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOnName {
    Error,
    Warning,
    Info,
    Never,
}

/// `[options]`: facts about the user's estate and thresholds that rules read (RULES.md).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// The 12-digit id of the account the code deploys into.
    pub own_account: Option<Spanned<String>>,
    #[serde(default)]
    pub trusted_accounts: Vec<Spanned<String>>,
    pub org_id: Option<Spanned<String>>,
    /// Host names of self-hosted CI OIDC issuers.
    #[serde(default)]
    pub ci_oidc_issuers: Vec<String>,
    /// Age in days after which the embedded catalogue counts as stale.
    pub stale_data_days: Option<Spanned<i64>>,
    pub password_min_length: Option<Spanned<u32>>,
    pub password_reuse_prevention: Option<Spanned<u32>>,
    pub password_max_age: Option<Spanned<MaxAge>>,
    pub password_character_classes: Option<Vec<Spanned<String>>>,
    /// The managed policy IAM414's fix sets as a missing permissions boundary.
    pub default_boundary_arn: Option<Spanned<String>>,
    /// Every group membership of the account's users is in the checked code (IAM410).
    #[serde(default)]
    pub membership_complete: bool,
    /// Access no `Allow` may reach (IAM210).
    #[serde(default)]
    pub forbidden_access: Vec<ForbiddenAccess>,
    /// Emergency-access principals: ARNs, names or IaC addresses (IAM101, IAM102, IAM209,
    /// IAM414, IAM516).
    #[serde(default)]
    pub break_glass_principals: Vec<Spanned<String>>,
    /// Principals that run logging and detection (IAM209).
    #[serde(default)]
    pub security_admin_principals: Vec<Spanned<String>>,
    /// IAM users meant to stay (IAM406).
    #[serde(default)]
    pub allowed_iam_users: Vec<Spanned<String>>,
    /// The log-archive account of the organization (IAM506).
    pub log_archive_account_id: Option<Spanned<String>>,
    /// The fewest days audit logs are kept (IAM507).
    pub log_retention_days: Option<Spanned<i64>>,
    /// A SIEM outside the configuration consumes the trail (IAM513).
    #[serde(default)]
    pub external_monitoring: bool,
    /// Optional IAM517 guardrails to require.
    #[serde(default)]
    pub scp_guardrails: Vec<Spanned<String>>,
    /// The account's trust policy length quota (IAM009).
    pub trust_policy_quota: Option<Spanned<i64>>,
    /// The claims of a custom GitHub OIDC subject template (IAM306).
    #[serde(default)]
    pub github_subject_claims: Vec<Spanned<String>>,
    /// Reusable workflows whose `job_workflow_ref` pin narrows a GitHub trust (IAM306).
    #[serde(default)]
    pub github_job_workflow_refs: Vec<Spanned<String>>,
}

/// One `[[options.forbidden-access]]` entry: an action and a resource pattern, optionally for one
/// principal.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ForbiddenAccess {
    pub action: Spanned<String>,
    pub resource: Spanned<String>,
    pub principal: Option<String>,
}

/// `password-max-age`: a number of days, or `"off"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxAge {
    Days(u32),
    Off,
}

impl<'de> Deserialize<'de> for MaxAge {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = MaxAge;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number of days or \"off\"")
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<MaxAge, E> {
                u32::try_from(value)
                    .map(MaxAge::Days)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(value), &self))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<MaxAge, E> {
                u32::try_from(value)
                    .map(MaxAge::Days)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(value), &self))
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<MaxAge, E> {
                if value == "off" {
                    Ok(MaxAge::Off)
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Str(value), &self))
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// One `[[overrides]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OverrideTable {
    /// Globs relative to the directory of `rein.toml`.
    pub paths: Spanned<Vec<Spanned<String>>>,
    pub select: Option<Vec<Spanned<String>>>,
    pub ignore: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Level>,
}
