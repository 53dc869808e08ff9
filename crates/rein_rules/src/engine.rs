//! Runs the selected rules over policy documents.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rein_diagnostics::{Finding, Severity, sort_findings};
use rein_model::{EditRenderer, Entity, ModuleCall, PolicyDocument};
use rein_text::Span;

use crate::context::RuleContext;
use crate::meta::RuleStatus;
use crate::registry::{Rule, all_rules};

/// Which group of rules runs (RULES.md §0.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    /// Every rule except the checks that something *exists* in an account baseline.
    #[default]
    Default,
    /// Adds the baseline existence checks (a password policy, a trail, an analyzer, …): for a
    /// configuration that sets up an account's security baseline.
    Baseline,
}

impl Profile {
    pub fn parse(text: &str) -> Option<Profile> {
        match text.to_ascii_lowercase().as_str() {
            "default" => Some(Profile::Default),
            "baseline" | "account-baseline" => Some(Profile::Baseline),
            _ => None,
        }
    }
}

/// Which rules run and how they report.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Rule selectors (id, name, alias, category, or a family prefix such as `IAM1`); empty = all.
    pub select: Vec<String>,
    /// Rule selectors to turn off.
    pub ignore: Vec<String>,
    /// Severity per rule id.
    pub severity: BTreeMap<String, Severity>,
    /// Run rules in preview.
    pub preview: bool,
    /// Today's date, to tell whether the catalogue is stale; `None` never calls it stale (so a
    /// run is a pure function of its inputs unless the caller supplies the date).
    pub today: Option<jiff::civil::Date>,
    /// Age in days after which the catalogue counts as stale (RULES.md §0.3, default 120).
    pub stale_data_days: i64,
    /// The rule profile; the baseline existence checks run only under [`Profile::Baseline`].
    pub profile: Profile,
    /// Facts about the user's accounts and CI that rules compare principals with.
    pub options: RuleOptions,
}

/// Rule options about the user's own estate (RULES.md §0.2 S6). Every field defaults to "not
/// configured"; the rules that read them say under `## Options` what they do without them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleOptions {
    /// The 12-digit id of the account the analysed code deploys into.
    pub own_account: Option<String>,
    /// Other account ids whose principals are trusted (a security or CI account).
    pub trusted_accounts: Vec<String>,
    /// The organization id (`o-…`) the own account belongs to.
    pub org_id: Option<String>,
    /// Host names of self-hosted CI OIDC issuers (a GitLab instance), checked like the public
    /// CI issuers by IAM306.
    pub ci_oidc_issuers: Vec<String>,
    /// Every group membership of the account's users is in the analysed code, so a user in no
    /// group and a group with no members are facts, not gaps of the view (IAM410).
    pub membership_complete: bool,
    /// Access that no `Allow` of the configuration may reach (IAM210 "not granted"); empty
    /// turns the check off.
    pub forbidden_access: Vec<ForbiddenAccess>,
    /// The shortest `minimum_password_length` IAM402 accepts; `None` for RULES.md's 14.
    pub password_min_length: Option<u32>,
    /// The `password_reuse_prevention` IAM404 requires; `None` for RULES.md's 24 (the most IAM
    /// remembers).
    pub password_reuse_prevention: Option<u32>,
    /// The longest `max_password_age` IAM405 accepts; `None` for RULES.md's 90 days.
    pub password_max_age: Option<MaxPasswordAge>,
    /// The character classes IAM403 requires, by name ([`PASSWORD_CHARACTER_CLASSES`]); `None`
    /// for all four.
    pub password_character_classes: Option<Vec<String>>,
    /// The ARN of the managed policy that IAM414's fix sets as the permissions boundary of a
    /// role or user without one; `None` offers no fix.
    pub default_boundary_arn: Option<String>,
    /// Emergency-access principals (see [`RuleOptions::lists_principal`] for how an entry names
    /// one): IAM101 and IAM102 report them as info, IAM209 and IAM414 do not report them, and
    /// IAM516 holds them to the break-glass controls.
    pub break_glass_principals: Vec<String>,
    /// Principals whose job is to run logging and detection; IAM209 does not report them.
    pub security_admin_principals: Vec<String>,
    /// IAM users meant to stay (SMTP credentials, a legacy appliance); IAM406 does not report
    /// them.
    pub allowed_iam_users: Vec<String>,
    /// The 12-digit id of the organization's log-archive account: a trail whose bucket lives
    /// there (the configuration deploys into it, or the bucket is named for it) counts as
    /// centralized (IAM506).
    pub log_archive_account_id: Option<String>,
    /// The fewest days IAM507 accepts for keeping audit logs; `None` for RULES.md's 365.
    pub log_retention_days: Option<u32>,
    /// A SIEM outside the configuration consumes the trail, so IAM513 asks for no alarms.
    pub external_monitoring: bool,
    /// The optional IAM517 guardrails switched on, by name ([`OPTIONAL_SCP_GUARDRAILS`]).
    pub scp_guardrails: Vec<String>,
    /// The account's trust policy length quota (IAM009); `None` for the default 2,048.
    pub trust_policy_quota: Option<u32>,
    /// Claim names of the organization's custom GitHub OIDC subject template, in order
    /// (`repository_owner_id`, `repository_id`, `context`, …); IAM306 checks such subjects
    /// claim by claim instead of as `repo:OWNER/REPO:…`.
    pub github_subject_claims: Vec<String>,
    /// Reusable workflows (`OWNER/REPO/.github/workflows/FILE.yml@REF`, globs allowed) whose
    /// `job_workflow_ref` pin makes a GitHub trust narrow enough for IAM306.
    pub github_job_workflow_refs: Vec<String>,
}

/// The names of the password character classes, in the order IAM403 reports them.
pub const PASSWORD_CHARACTER_CLASSES: [&str; 4] = ["lowercase", "uppercase", "numbers", "symbols"];

/// The password expiry IAM405 asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxPasswordAge {
    /// Passwords must expire within this many days.
    Days(u32),
    /// Expiry is not required (NIST SP 800-63B, CIS AWS Foundations 1.4 and later); only the
    /// `allow_users_to_change_password` and `hard_expiry` checks remain.
    Off,
}

/// The names of the IAM517 guardrails that run only when `scp_guardrails` lists them.
pub const OPTIONAL_SCP_GUARDRAILS: [&str; 5] =
    ["region-restriction", "iam-user-creation", "flow-log-deletion", "s3-public-access-block", "ram-external-sharing"];

impl RuleOptions {
    /// Whether `list` (one of the principal lists) names a principal, given by its IaC address
    /// (`aws_iam_role.break_glass`, a CloudFormation logical id) and its name when known.
    /// An entry names it by the address, by the name, or by an IAM ARN whose last path segment
    /// is the name (`arn:aws:iam::111122223333:role/ops/break-glass`); `*` and `?` globs match
    /// any run or one character, and case is ignored as IAM does for names.
    pub fn lists_principal(list: &[String], address: &str, name: Option<&str>) -> bool {
        list.iter().any(|entry| {
            if entry.starts_with("arn:") {
                let last = entry.rsplit(['/', ':']).next().unwrap_or_default();
                return name.is_some_and(|name| crate::semantics::glob_matches(last, name));
            }
            crate::semantics::glob_matches(entry, address)
                || name.is_some_and(|name| crate::semantics::glob_matches(entry, name))
        })
    }

    /// Whether the break-glass list names the principal (see [`RuleOptions::lists_principal`]).
    pub fn is_break_glass(&self, address: &str, name: Option<&str>) -> bool {
        Self::lists_principal(&self.break_glass_principals, address, name)
    }

    /// IAM507's minimum retention in days.
    pub fn log_retention_days(&self) -> u32 {
        self.log_retention_days.unwrap_or(365)
    }

    /// Whether IAM517 checks the optional guardrail `name` (one of [`OPTIONAL_SCP_GUARDRAILS`]).
    pub fn wants_scp_guardrail(&self, name: &str) -> bool {
        self.scp_guardrails.iter().any(|wanted| wanted == name)
    }

    /// IAM402's minimum password length.
    pub fn password_min_length(&self) -> u32 {
        self.password_min_length.unwrap_or(14)
    }

    /// IAM404's required number of remembered passwords.
    pub fn password_reuse_prevention(&self) -> u32 {
        self.password_reuse_prevention.unwrap_or(24)
    }

    /// Whether IAM403 requires the character class `name` (one of [`PASSWORD_CHARACTER_CLASSES`]).
    pub fn requires_password_class(&self, name: &str) -> bool {
        self.password_character_classes.as_ref().is_none_or(|classes| classes.iter().any(|class| class == name))
    }

    /// IAM405's longest password life.
    pub fn password_max_age(&self) -> MaxPasswordAge {
        self.password_max_age.unwrap_or(MaxPasswordAge::Days(90))
    }
}

/// One access that must not be granted: an action pattern on a resource pattern, optionally for
/// one principal (IAM `*` and `?` globs, as in policies).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForbiddenAccess {
    /// `kms:Decrypt`, `s3:Get*`.
    pub action: String,
    /// `arn:aws:kms:*:*:key/payroll-*`, `*`.
    pub resource: String,
    /// A principal ARN or an IaC address (`aws_iam_role.ci`); `None` means any principal.
    pub principal: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            preview: false,
            today: None,
            stale_data_days: 120,
            profile: Profile::Default,
            options: RuleOptions::default(),
        }
    }
}

impl Settings {
    /// Whether the embedded catalogue is older than `stale_data_days` on `today`.
    pub fn catalog_is_stale(&self, catalog: &rein_catalog::Catalog) -> bool {
        let Some(today) = self.today else { return false };
        let Ok(date) = catalog.meta().date.parse::<jiff::civil::Date>() else { return false };
        date.until(today).is_ok_and(|age| i64::from(age.get_days()) > self.stale_data_days)
    }
}

impl Settings {
    /// Whether `selector` (an id, name, alias, category, id prefix, or `all`) names `rule`.
    pub fn matches(selector: &str, rule: &dyn Rule) -> bool {
        let meta = rule.meta();
        selector.eq_ignore_ascii_case("all")
            || meta.is_named(selector)
            || meta.category.as_str().eq_ignore_ascii_case(selector)
            || (selector.len() < meta.id.len()
                && meta.id.get(..selector.len()).is_some_and(|prefix| prefix.eq_ignore_ascii_case(selector)))
    }

    /// Whether `rule` runs under these settings.
    pub fn enables(&self, rule: &dyn Rule) -> bool {
        if matches!(rule.meta().status, RuleStatus::Preview { .. }) && !self.preview {
            return false;
        }
        let selected = self.select.is_empty() || self.select.iter().any(|sel| Self::matches(sel, rule));
        selected && !self.ignore.iter().any(|sel| Self::matches(sel, rule))
    }

    /// Selectors in `select` and `ignore` that name no rule, for a usage error.
    pub fn unknown_selectors(&self) -> Vec<&str> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|sel| !all_rules().iter().any(|rule| Self::matches(sel, *rule)))
            .map(String::as_str)
            .collect()
    }
}

/// One document to check, with the renderer of the frontend that owns its text (if fixes can be
/// rendered for it).
pub struct CheckInput<'a> {
    pub document: &'a PolicyDocument,
    pub renderer: Option<&'a dyn EditRenderer>,
}

/// One analysed unit as configuration-scope rules see it: a Terraform root module with its local
/// modules, a plan, or the set of CloudFormation templates of a run.
pub struct Unit<'a> {
    /// What the unit is, for messages: `module \`infra/prod\``, `plan \`plan.json\``.
    pub name: String,
    pub source: UnitSource,
    pub documents: Vec<&'a PolicyDocument>,
    pub entities: Vec<&'a Entity>,
    pub modules: Vec<&'a ModuleCall>,
    /// Where a finding about something the unit lacks points: the start of its first file.
    pub anchor: Span,
    /// The renderer of the unit's frontend, for fixes of entity attributes.
    pub renderer: Option<&'a dyn EditRenderer>,
}

impl<'a> Unit<'a> {
    /// The entities of one kind, in unit order.
    pub fn entities_of(&self, kind: rein_model::EntityKind) -> impl Iterator<Item = &'a Entity> + '_ {
        self.entities.iter().copied().filter(move |entity| entity.kind == kind)
    }

    /// The documents owned by the entity at `address` (its trust policy, inline policies).
    pub fn documents_of<'s>(&'s self, address: &'s str) -> impl Iterator<Item = &'a PolicyDocument> + 's {
        self.documents.iter().copied().filter(move |doc| doc.origin.owner.as_deref() == Some(address))
    }
}

/// What kind of configuration a unit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitSource {
    Terraform,
    TerraformPlan,
    CloudFormation,
}

/// Runs the unit hook of every enabled rule over each unit; findings in report order.
pub fn check_units(units: &[Unit<'_>], settings: &Settings) -> Vec<Finding> {
    let catalog = rein_catalog::catalog();
    let rules: Vec<&dyn Rule> = all_rules().iter().copied().filter(|rule| settings.enables(*rule)).collect();
    let findings: Vec<Finding> = units
        .par_iter()
        .flat_map_iter(|unit| {
            let mut findings = Vec::new();
            for rule in &rules {
                let mut ctx = RuleContext::new(catalog, settings, unit.renderer, rule.meta(), &mut findings);
                rule.check_unit(unit, &mut ctx);
            }
            findings
        })
        .collect();
    finish(findings, settings)
}

/// Runs every enabled rule over the documents and returns the findings in report order.
pub fn check(inputs: &[CheckInput<'_>], settings: &Settings) -> Vec<Finding> {
    let catalog = rein_catalog::catalog();
    let rules: Vec<&dyn Rule> = all_rules().iter().copied().filter(|rule| settings.enables(*rule)).collect();
    // Documents are independent: check them in parallel, then sort into report order.
    let findings: Vec<Finding> = inputs
        .par_iter()
        .flat_map_iter(|input| {
            let mut findings = Vec::new();
            let doc = input.document;
            for rule in &rules {
                let mut ctx = RuleContext::new(catalog, settings, input.renderer, rule.meta(), &mut findings);
                rule.check_document(doc, &mut ctx);
                if !doc.is_unreadable() {
                    for stmt in &doc.statements {
                        rule.check_statement(stmt, doc, &mut ctx);
                    }
                }
            }
            // Name the owning resource, so a finding in a plan or a large module says where it is.
            if let Some(owner) = &doc.origin.owner {
                let place = match &doc.origin.attribute {
                    Some(attribute) => format!("in `{owner}`, `{attribute}`"),
                    None => format!("in `{owner}`"),
                };
                for finding in &mut findings {
                    finding.notes.insert(0, place.clone());
                }
            }
            findings
        })
        .collect();
    finish(findings, settings)
}

/// Applies the user's severities and puts findings in report order.
fn finish(mut findings: Vec<Finding>, settings: &Settings) -> Vec<Finding> {
    for finding in &mut findings {
        if let Some(severity) = settings.severity.get(finding.rule) {
            finding.severity = *severity;
        }
    }
    sort_findings(&mut findings);
    findings
}

#[cfg(test)]
mod tests {
    use super::Settings;

    #[test]
    fn the_catalogue_is_stale_only_with_a_date_past_the_limit() {
        let catalog = rein_catalog::catalog();
        let date: jiff::civil::Date = catalog.meta().date.parse().unwrap();
        let mut settings = Settings::default();
        assert!(!settings.catalog_is_stale(catalog));
        settings.today = Some(date.checked_add(jiff::Span::new().days(120)).unwrap());
        assert!(!settings.catalog_is_stale(catalog));
        settings.today = Some(date.checked_add(jiff::Span::new().days(121)).unwrap());
        assert!(settings.catalog_is_stale(catalog));
    }
}
