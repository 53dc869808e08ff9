//! The configuration file `rein.toml`: where it is, what it may say, and how it turns into the
//! rule engine's [`Settings`].
//!
//! The file's shape is described twice on purpose: by the serde structs in [`file`] (which
//! reject unknown keys) and by `schemas/rein.schema.json` for editors; a test in `rein_tests`
//! keeps the two in agreement.
//!
//! [`Config`] holds a checked file: every rule selector names a rule, every glob compiles, every
//! value is in range. A problem is a [`ConfigError`] that names the file, the line and the column.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod file;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{GlobSet, GlobSetBuilder};
use rein_diagnostics::{Finding, Severity};
use rein_rules::{MaxPasswordAge, Profile, RuleOptions, Settings, all_rules};
use toml::Spanned;

use crate::file::{ConfigFile, Level, MaxAge, OverrideTable, ProfileName};

/// The name of the configuration file.
pub const FILE_NAME: &str = "rein.toml";

/// A configuration problem: the file, a one-based line and column (of the key or value at
/// fault), and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The lowest severity that fails a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// A checked configuration file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file as it was named or found, for messages.
    pub path: String,
    /// The directory that holds the file: `[[overrides]]` paths are relative to it.
    pub root: PathBuf,
    /// `select`, when the file gives it.
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    /// `[severity]` resolved to rule ids; a selector naming several rules sets each of them.
    pub severity: BTreeMap<&'static str, Level>,
    pub preview: Option<bool>,
    pub profile: Option<Profile>,
    pub fail_on: Option<FailOn>,
    /// `[options]`; a key the file does not give stays at its default.
    pub options: RuleOptions,
    pub stale_data_days: Option<i64>,
    pub overrides: Vec<Override>,
}

/// One `[[overrides]]` table: rule selection and severities for the files its globs match.
#[derive(Clone, Debug)]
pub struct Override {
    /// The globs as written.
    pub paths: Vec<String>,
    globs: GlobSet,
    /// Replaces the selection for matching files.
    pub select: Option<Vec<String>>,
    /// Added to the ignored rules for matching files.
    pub ignore: Vec<String>,
    pub severity: BTreeMap<&'static str, Level>,
}

impl Override {
    /// Whether the override applies to `relative`, a path relative to the configuration's
    /// directory with `/` separators. A glob matches the whole relative path, or, when it has
    /// no `/`, the file name alone (so `*.json` matches at any depth).
    pub fn matches(&self, relative: &Path) -> bool {
        self.globs.is_match(relative) || relative.file_name().is_some_and(|name| self.globs.is_match(name))
    }
}

/// The `rein.toml` in `start` or the nearest directory above it. `start` may be a file (its
/// directory is searched first) and may be relative to the current directory.
pub fn find(start: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(start).ok()?;
    let first = if absolute.is_dir() { absolute.as_path() } else { absolute.parent()? };
    first.ancestors().map(|dir| dir.join(FILE_NAME)).find(|candidate| candidate.is_file())
}

/// Reads and checks the file at `path`; `display` is how messages name it.
pub fn load(path: &Path, display: &str) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
        path: display.to_owned(),
        line: 1,
        column: 1,
        message: format!("cannot read the configuration file: {}", rein_text_lowercase(&err.to_string())),
    })?;
    let root = std::path::absolute(path)
        .ok()
        .and_then(|absolute| absolute.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    parse(&text, display, root)
}

/// Checks the text of a configuration file. `root` is the directory that holds it.
pub fn parse(text: &str, display: &str, root: PathBuf) -> Result<Config, ConfigError> {
    let checker = Checker { text, display };
    let error_at = |offset: usize, message: String| checker.error_at(offset, message);
    let file: ConfigFile = toml::from_str(text).map_err(|err| {
        let offset = err.span().map_or(0, |span| span.start);
        error_at(offset, err.message().trim_end().to_owned())
    })?;
    let selectors = |list: &Option<Vec<Spanned<String>>>| checker.selectors(list);
    let severities = |table: &BTreeMap<Spanned<String>, Level>| checker.severities(table);

    let mut config = Config {
        path: display.to_owned(),
        root,
        select: selectors(&file.select)?,
        ignore: selectors(&file.ignore)?.unwrap_or_default(),
        severity: severities(&file.severity)?,
        preview: file.preview,
        profile: file.profile.map(|profile| match profile {
            ProfileName::Default => Profile::Default,
            ProfileName::Baseline => Profile::Baseline,
        }),
        fail_on: file.fail_on.map(|fail_on| match fail_on {
            file::FailOnName::Error => FailOn::Error,
            file::FailOnName::Warning => FailOn::Warning,
            file::FailOnName::Info => FailOn::Info,
            file::FailOnName::Never => FailOn::Never,
        }),
        ..Config::default()
    };

    let options = &file.options;
    if let Some(account) = &options.own_account {
        check_account(account).map_err(|message| error_at(account.span().start, message))?;
        config.options.own_account = Some(account.get_ref().clone());
    }
    for account in &options.trusted_accounts {
        check_account(account).map_err(|message| error_at(account.span().start, message))?;
        config.options.trusted_accounts.push(account.get_ref().clone());
    }
    if let Some(org_id) = &options.org_id {
        if !is_org_id(org_id.get_ref()) {
            return Err(error_at(
                org_id.span().start,
                format!(
                    "`{}` is not an organization id (`o-` and 10 to 32 lowercase letters or digits)",
                    org_id.get_ref()
                ),
            ));
        }
        config.options.org_id = Some(org_id.get_ref().clone());
    }
    config.options.ci_oidc_issuers = options.ci_oidc_issuers.clone();
    config.options.membership_complete = options.membership_complete;
    for entry in &options.forbidden_access {
        for (field, value) in [("action", &entry.action), ("resource", &entry.resource)] {
            if value.get_ref().trim().is_empty() {
                return Err(error_at(value.span().start, format!("`{field}` of `forbidden-access` is empty")));
            }
        }
        config.options.forbidden_access.push(rein_rules::ForbiddenAccess {
            action: entry.action.get_ref().clone(),
            resource: entry.resource.get_ref().clone(),
            principal: entry.principal.clone(),
        });
    }
    // The ranges IAM accepts (IAM API reference, `UpdateAccountPasswordPolicy`).
    let in_range = |value: &Option<Spanned<u32>>, key: &str, range: std::ops::RangeInclusive<u32>| {
        let Some(value) = value else { return Ok(None) };
        if range.contains(value.get_ref()) {
            Ok(Some(*value.get_ref()))
        } else {
            let (low, high) = (range.start(), range.end());
            Err(error_at(value.span().start, format!("`{key}` is {}; IAM accepts {low} to {high}", value.get_ref())))
        }
    };
    config.options.password_min_length = in_range(&options.password_min_length, "password-min-length", 6..=128)?;
    config.options.password_reuse_prevention =
        in_range(&options.password_reuse_prevention, "password-reuse-prevention", 1..=24)?;
    if let Some(age) = &options.password_max_age {
        config.options.password_max_age = Some(match age.get_ref() {
            MaxAge::Days(days) if (1..=1095).contains(days) => MaxPasswordAge::Days(*days),
            MaxAge::Days(days) => {
                let message = format!("`password-max-age` is {days}; IAM accepts 1 to 1095 days, or \"off\"");
                return Err(error_at(age.span().start, message));
            }
            MaxAge::Off => MaxPasswordAge::Off,
        });
    }
    if let Some(classes) = &options.password_character_classes {
        let mut names = Vec::with_capacity(classes.len());
        for class in classes {
            if !rein_rules::PASSWORD_CHARACTER_CLASSES.contains(&class.get_ref().as_str()) {
                let known = rein_rules::PASSWORD_CHARACTER_CLASSES.map(|name| format!("`{name}`")).join(", ");
                let message = format!("unknown character class `{}`, expected one of {known}", class.get_ref());
                return Err(error_at(class.span().start, message));
            }
            names.push(class.get_ref().clone());
        }
        config.options.password_character_classes = Some(names);
    }
    if let Some(arn) = &options.default_boundary_arn {
        if !is_managed_policy_arn(arn.get_ref()) {
            let message = format!(
                "`default-boundary-arn` is `{}`, not the ARN of a managed policy (`arn:aws:iam::123456789012:policy/name`)",
                arn.get_ref()
            );
            return Err(error_at(arn.span().start, message));
        }
        config.options.default_boundary_arn = Some(arn.get_ref().clone());
    }
    let principal_list = |list: &[Spanned<String>], key: &str| -> Result<Vec<String>, ConfigError> {
        list.iter()
            .map(|entry| {
                check_principal(entry.get_ref(), key).map_err(|message| error_at(entry.span().start, message))?;
                Ok(entry.get_ref().clone())
            })
            .collect()
    };
    config.options.break_glass_principals = principal_list(&options.break_glass_principals, "break-glass-principals")?;
    config.options.security_admin_principals =
        principal_list(&options.security_admin_principals, "security-admin-principals")?;
    config.options.allowed_iam_users = principal_list(&options.allowed_iam_users, "allowed-iam-users")?;
    if let Some(account) = &options.log_archive_account_id {
        check_account(account).map_err(|message| error_at(account.span().start, message))?;
        config.options.log_archive_account_id = Some(account.get_ref().clone());
    }
    // In days; CloudWatch Logs keeps events for at most 3,653 days, so a longer minimum could
    // never be met.
    config.options.log_retention_days = whole_number(&options.log_retention_days, "log-retention-days", 1..=3653)
        .map_err(|(offset, message)| error_at(offset, message))?;
    config.options.external_monitoring = options.external_monitoring;
    for guardrail in &options.scp_guardrails {
        if !rein_rules::OPTIONAL_SCP_GUARDRAILS.contains(&guardrail.get_ref().as_str()) {
            let known = rein_rules::OPTIONAL_SCP_GUARDRAILS.map(|name| format!("`{name}`")).join(", ");
            let message = format!("unknown SCP guardrail `{}`, expected one of {known}", guardrail.get_ref());
            return Err(error_at(guardrail.span().start, message));
        }
        config.options.scp_guardrails.push(guardrail.get_ref().clone());
    }
    // IAM's trust policy quota is adjustable from 2,048 up to 4,096 characters.
    config.options.trust_policy_quota = whole_number(&options.trust_policy_quota, "trust-policy-quota", 2048..=4096)
        .map_err(|(offset, message)| error_at(offset, message))?;
    for claim in &options.github_subject_claims {
        let text = claim.get_ref();
        if text.is_empty()
            || !text.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
        {
            let message = format!(
                "`{text}` is not a GitHub OIDC claim name (lowercase letters, digits and `_`, as `repository_id`)"
            );
            return Err(error_at(claim.span().start, message));
        }
        config.options.github_subject_claims.push(text.clone());
    }
    for pin in &options.github_job_workflow_refs {
        let text = pin.get_ref();
        let shaped = text.split_once('@').is_some_and(|(path, reference)| {
            !reference.is_empty() && path.split('/').count() >= 3 && !text.chars().any(char::is_whitespace)
        });
        if !shaped {
            let message = format!("`{text}` is not a workflow reference (`OWNER/REPO/PATH@REF`)");
            return Err(error_at(pin.span().start, message));
        }
        config.options.github_job_workflow_refs.push(text.clone());
    }
    if let Some(days) = &options.stale_data_days
        && *days.get_ref() < 1
    {
        return Err(error_at(days.span().start, "`stale-data-days` must be at least 1".to_owned()));
    }
    config.stale_data_days = options.stale_data_days.as_ref().map(|days| *days.get_ref());

    for table in &file.overrides {
        config.overrides.push(checker.resolve_override(table)?);
    }
    Ok(config)
}

/// Checks parts of one file's text, and locates its errors.
struct Checker<'t> {
    text: &'t str,
    display: &'t str,
}

impl Checker<'_> {
    fn error_at(&self, offset: usize, message: String) -> ConfigError {
        let (line, column) = line_column(self.text, offset);
        ConfigError { path: self.display.to_owned(), line, column, message }
    }

    /// A list of rule selectors, each of which must name a rule.
    fn selectors(&self, list: &Option<Vec<Spanned<String>>>) -> Result<Option<Vec<String>>, ConfigError> {
        let Some(list) = list else { return Ok(None) };
        let mut out = Vec::with_capacity(list.len());
        for selector in list {
            if !names_a_rule(selector.get_ref()) {
                return Err(self.error_at(selector.span().start, unknown_selector(selector.get_ref())));
            }
            out.push(selector.get_ref().clone());
        }
        Ok(Some(out))
    }

    /// A `[severity]` table resolved to rule ids.
    fn severities(
        &self,
        table: &BTreeMap<Spanned<String>, Level>,
    ) -> Result<BTreeMap<&'static str, Level>, ConfigError> {
        let mut out = BTreeMap::new();
        for (selector, level) in table {
            let ids = rule_ids(selector.get_ref());
            if ids.is_empty() {
                return Err(self.error_at(selector.span().start, unknown_selector(selector.get_ref())));
            }
            for id in ids {
                out.insert(id, *level);
            }
        }
        Ok(out)
    }

    fn resolve_override(&self, table: &OverrideTable) -> Result<Override, ConfigError> {
        if table.paths.get_ref().is_empty() {
            return Err(self.error_at(table.paths.span().start, "`paths` of an override lists no glob".to_owned()));
        }
        let mut builder = GlobSetBuilder::new();
        let mut paths = Vec::new();
        for pattern in table.paths.get_ref() {
            let glob = globset::GlobBuilder::new(pattern.get_ref())
                .literal_separator(true)
                .build()
                .map_err(|err| self.error_at(pattern.span().start, format!("invalid glob: {}", err.kind())))?;
            builder.add(glob);
            paths.push(pattern.get_ref().clone());
        }
        let globs =
            builder.build().map_err(|err| self.error_at(table.paths.span().start, format!("invalid glob: {err}")))?;
        Ok(Override {
            paths,
            globs,
            select: self.selectors(&table.select)?,
            ignore: self.selectors(&table.ignore)?.unwrap_or_default(),
            severity: self.severities(&table.severity)?,
        })
    }
}

impl Config {
    /// Puts the file's choices into `settings` (which hold the defaults). Command-line flags are
    /// applied afterwards by the caller, so they win.
    pub fn apply(&self, settings: &mut Settings) {
        if let Some(select) = &self.select {
            settings.select = select.clone();
        }
        settings.ignore.extend(self.ignore.iter().cloned());
        apply_severities(&self.severity, settings);
        if let Some(preview) = self.preview {
            settings.preview = preview;
        }
        if let Some(profile) = self.profile {
            settings.profile = profile;
        }
        settings.options = self.options.clone();
        if let Some(days) = self.stale_data_days {
            settings.stale_data_days = days;
        }
    }

    /// The settings a run must use so that every override can be honoured afterwards by
    /// [`Config::filter`]: with overrides, every rule runs (an override may select a rule the
    /// global selection leaves out), and the selection is applied per file afterwards.
    pub fn run_settings(&self, settings: &Settings) -> Settings {
        let mut run = settings.clone();
        if !self.overrides.is_empty() {
            run.select.clear();
            run.ignore.clear();
        }
        run
    }

    /// Applies the global selection and the overrides to the findings of a run made with
    /// [`Config::run_settings`]: for a finding in a file that overrides match (in file order),
    /// an override's `select` replaces the selection, its `ignore` adds to the ignored rules,
    /// and its `[severity]` entries win. `path_of` gives a finding's file as an absolute path.
    pub fn filter(
        &self,
        settings: &Settings,
        findings: Vec<Finding>,
        path_of: &dyn Fn(&Finding) -> Option<PathBuf>,
    ) -> Vec<Finding> {
        if self.overrides.is_empty() {
            return findings;
        }
        let mut cache: BTreeMap<PathBuf, Settings> = BTreeMap::new();
        findings
            .into_iter()
            .filter_map(|mut finding| {
                let path = path_of(&finding).unwrap_or_default();
                let effective = cache.entry(path.clone()).or_insert_with(|| self.settings_for(settings, &path));
                let rule = all_rules().iter().find(|rule| rule.meta().id == finding.rule)?;
                if !effective.enables(*rule) {
                    return None;
                }
                if let Some(severity) = effective.severity.get(finding.rule) {
                    finding.severity = *severity;
                }
                Some(finding)
            })
            .collect()
    }

    /// The settings for the file at `path` (absolute): the global ones with every matching
    /// override applied in order.
    pub fn settings_for(&self, settings: &Settings, path: &Path) -> Settings {
        let mut effective = settings.clone();
        let relative = relative_to(path, &self.root);
        for table in self.overrides.iter().filter(|table| relative.as_deref().is_some_and(|rel| table.matches(rel))) {
            if let Some(select) = &table.select {
                effective.select = select.clone();
            }
            effective.ignore.extend(table.ignore.iter().cloned());
            apply_severities(&table.severity, &mut effective);
        }
        effective
    }
}

fn apply_severities(levels: &BTreeMap<&'static str, Level>, settings: &mut Settings) {
    for (id, level) in levels {
        match level.severity() {
            Some(severity) => {
                settings.severity.insert((*id).to_owned(), severity);
            }
            None => settings.ignore.push((*id).to_owned()),
        }
    }
}

/// `path` relative to `root`, both made absolute and free of `.` and `..` where possible.
fn relative_to(path: &Path, root: &Path) -> Option<PathBuf> {
    let clean = |path: &Path| path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    clean(path).strip_prefix(clean(root)).ok().map(Path::to_path_buf)
}

impl Level {
    /// The severity this level sets, or `None` for `off`.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Off => None,
        }
    }
}

/// Whether `selector` names at least one rule.
fn names_a_rule(selector: &str) -> bool {
    !rule_ids(selector).is_empty()
}

/// The ids of the rules `selector` names.
fn rule_ids(selector: &str) -> Vec<&'static str> {
    all_rules().iter().filter(|rule| Settings::matches(selector, **rule)).map(|rule| rule.meta().id).collect()
}

fn unknown_selector(selector: &str) -> String {
    format!(
        "unknown rule selector `{selector}` (a selector is a rule id, name or alias, a category, or an id prefix such as `IAM1`)"
    )
}

fn check_account(account: &Spanned<String>) -> Result<(), String> {
    let text = account.get_ref();
    if text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("`{text}` is not an AWS account id (12 digits)"))
    }
}

/// A whole number option in `range`, or the byte offset and text of the error.
fn whole_number(
    value: &Option<Spanned<i64>>,
    key: &str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<Option<u32>, (usize, String)> {
    let Some(value) = value else { return Ok(None) };
    match u32::try_from(*value.get_ref()) {
        Ok(number) if range.contains(&number) => Ok(Some(number)),
        _ => Err((
            value.span().start,
            format!("`{key}` is {}; it must be {} to {}", value.get_ref(), range.start(), range.end()),
        )),
    }
}

/// An entry of a principal list: an IAM role, user or group ARN, a name, or an IaC address;
/// `*` and `?` are globs.
fn check_principal(text: &str, key: &str) -> Result<(), String> {
    if text.trim().is_empty() || text.chars().any(char::is_whitespace) {
        return Err(format!("an entry of `{key}` is empty or has spaces; write an ARN, a name or an IaC address"));
    }
    if text.starts_with("arn:") {
        let mut fields = text.splitn(6, ':');
        let (_, _partition, service, _region, account, resource) =
            (fields.next(), fields.next(), fields.next(), fields.next(), fields.next(), fields.next());
        let iam_principal = service == Some("iam")
            && account.is_some_and(|account| {
                account == "*" || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
            })
            && resource.is_some_and(|resource| {
                ["role/", "user/", "group/"]
                    .iter()
                    .any(|kind| resource.len() > kind.len() && resource.starts_with(kind))
            });
        if !iam_principal {
            return Err(format!(
                "`{text}` in `{key}` is not an IAM role, user or group ARN (`arn:aws:iam::111122223333:role/NAME`)"
            ));
        }
    }
    Ok(())
}

fn is_org_id(text: &str) -> bool {
    text.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len()) && rest.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
    })
}

/// The one-based line and column (in characters) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |idx| idx + 1);
    let column = before.get(line_start..).map_or(0, |rest| rest.chars().count()) + 1;
    (line, column)
}

/// Error text is lowercase (STYLE.md §4); the standard library's IO errors start with a capital.
fn rein_text_lowercase(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Info => "info",
            FailOn::Never => "never",
        })
    }
}

#[cfg(test)]
mod tests;

/// Whether `arn` names a managed policy: `arn:<partition>:iam::<account or aws>:policy/<path and
/// name>`.
fn is_managed_policy_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let account_ok = account == "aws" || (account.len() == 12 && account.bytes().all(|byte| byte.is_ascii_digit()));
    let name = resource.strip_prefix("policy/").and_then(|rest| rest.rsplit('/').next()).unwrap_or_default();
    partition.starts_with("aws")
        && account_ok
        && !name.is_empty()
        && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"+=,.@-_".contains(&byte))
}
