//! The server's settings: the rule selection the client sends in `initializationOptions` and
//! `workspace/didChangeConfiguration`.
//!
//! The settings object has the shape `{"config": "path/to/rein.toml", "select": [...],
//! "ignore": [...], "preview": bool, "profile": "default" | "baseline"}`, either as it is or
//! under a `rein` key (VS Code sends the whole section).
//!
//! The client's settings go over a document's `rein.toml` as `rein check`'s flags go over it:
//! a non-empty `select` replaces the file's selection, `ignore` adds to its ignores, `preview`
//! turns preview on, and `profile` other than `default` wins. `config` names the file to read
//! for every document instead of the one found above it; a relative path is taken from the
//! workspace root.

use std::path::{Path, PathBuf};

use rein_analysis::RuleSettings;
use rein_config::Config;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ClientSettings {
    config: Option<String>,
    select: Vec<String>,
    ignore: Vec<String>,
    preview: bool,
    profile: Option<String>,
}

#[derive(Debug, Default)]
pub struct ServerSettings {
    /// The client's choices, to put over each document's configuration.
    rules: RuleSettings,
    /// Whether the client chose the profile (`default` leaves the file's choice).
    profile_set: bool,
    /// The configuration file the client named, as it named it.
    config: Option<PathBuf>,
    /// Counts updates, so that the worker knows when a cached analysis used older settings.
    generation: u64,
}

impl ServerSettings {
    /// The settings for a document whose configuration is `config`: the file's choices, then
    /// the client's over them.
    pub fn rules(&self, config: Option<&Config>) -> RuleSettings {
        let mut settings = RuleSettings { today: self.rules.today, ..RuleSettings::default() };
        if let Some(config) = config {
            config.apply(&mut settings);
        }
        if !self.rules.select.is_empty() {
            settings.select = self.rules.select.clone();
        }
        settings.ignore.extend(self.rules.ignore.iter().cloned());
        settings.preview |= self.rules.preview;
        if self.profile_set {
            settings.profile = self.rules.profile;
        }
        settings
    }

    /// The configuration file the client named, made absolute against `root` when relative.
    pub fn config_path(&self, root: Option<&Path>) -> Option<PathBuf> {
        let path = self.config.as_ref()?;
        Some(match root {
            Some(root) if path.is_relative() => root.join(path),
            _ => path.clone(),
        })
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Replaces the settings with those in `value`; returns warnings for the user about parts
    /// that were not understood (which are left at their defaults).
    pub fn update(&mut self, value: &Value) -> Vec<String> {
        let value = value.get("rein").unwrap_or(value);
        // Some clients send `null` to say "settings changed, ask for them": keep what we have.
        if value.is_null() {
            return Vec::new();
        }
        let mut warnings = Vec::new();
        let client: ClientSettings = serde_json::from_value(value.clone()).unwrap_or_else(|err| {
            warnings.push(format!("rein: ignoring malformed settings: {err}"));
            ClientSettings::default()
        });
        let profile = match client.profile.as_deref() {
            None => rein_rules::Profile::Default,
            Some(text) => rein_rules::Profile::parse(text).unwrap_or_else(|| {
                warnings.push(format!("rein: unknown profile `{text}`, using `default`"));
                rein_rules::Profile::Default
            }),
        };
        let rules = RuleSettings {
            select: client.select,
            ignore: client.ignore,
            preview: client.preview,
            profile,
            // As `rein check` does: the date decides only whether the catalogue counts as stale.
            today: Some(jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::now()).date()),
            ..RuleSettings::default()
        };
        let unknown = rules.unknown_selectors();
        if !unknown.is_empty() {
            let list = unknown.iter().map(|sel| format!("`{sel}`")).collect::<Vec<_>>().join(", ");
            warnings.push(format!("rein: unknown rule selectors {list} are ignored"));
        }
        self.profile_set = rules.profile != rein_rules::Profile::Default;
        self.rules = rules;
        self.config = client.config.filter(|path| !path.trim().is_empty()).map(PathBuf::from);
        self.generation += 1;
        warnings
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn settings_are_read_with_or_without_the_section() {
        let mut settings = ServerSettings::default();
        assert!(settings.update(&json!({"rein": {"select": ["IAM1"], "profile": "baseline"}})).is_empty());
        assert_eq!(settings.rules(None).select, vec!["IAM1".to_owned()]);
        assert_eq!(settings.rules(None).profile, rein_rules::Profile::Baseline);
        assert!(settings.update(&json!({"ignore": ["IAM105"], "preview": true})).is_empty());
        assert_eq!(settings.rules(None).ignore, vec!["IAM105".to_owned()]);
        assert!(settings.rules(None).preview);
        assert_eq!(settings.generation(), 2);
        assert!(settings.update(&serde_json::Value::Null).is_empty());
        assert_eq!(settings.rules(None).ignore, vec!["IAM105".to_owned()]);
    }

    #[test]
    fn client_settings_go_over_the_file_as_flags_do() {
        let config = rein_config::parse(
            "select = [\"IAM0\"]\nignore = [\"IAM105\"]\nprofile = \"baseline\"\n",
            "rein.toml",
            PathBuf::from("/w"),
        )
        .unwrap();
        let mut settings = ServerSettings::default();
        assert!(
            settings.update(&json!({"ignore": ["IAM006"], "profile": "default", "config": "cfg/rein.toml"})).is_empty()
        );
        let rules = settings.rules(Some(&config));
        assert_eq!(rules.select, vec!["IAM0".to_owned()]);
        assert_eq!(rules.ignore, vec!["IAM105".to_owned(), "IAM006".to_owned()]);
        assert_eq!(rules.profile, rein_rules::Profile::Baseline);
        assert_eq!(settings.config_path(Some(Path::new("/w"))), Some(PathBuf::from("/w/cfg/rein.toml")));
        assert!(settings.update(&json!({"select": ["IAM1"]})).is_empty());
        assert_eq!(settings.rules(Some(&config)).select, vec!["IAM1".to_owned()]);
        assert_eq!(settings.config_path(None), None);
    }

    #[test]
    fn bad_settings_are_reported_and_defaulted() {
        let mut settings = ServerSettings::default();
        let warnings = settings.update(&json!({"select": "IAM1", "profile": "nope"}));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let warnings = settings.update(&json!({"select": ["NOPE999"], "profile": "nope"}));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }
}
