//! The server's settings: the rule selection the client sends in `initializationOptions` and
//! `workspace/didChangeConfiguration`.
//!
//! The settings object has the shape `{"select": [...], "ignore": [...], "preview": bool,
//! "profile": "default" | "baseline"}`, either as it is or under a `rein` key (VS Code sends
//! the whole section).
//!
//! FIXME(#8): read and reload `rein.toml` through `rein_config` once that crate exists; until
//! then a change to it (announced by `workspace/didChangeWatchedFiles`) only re-runs the
//! analysis of the open documents.

use std::sync::Arc;

use rein_analysis::RuleSettings;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ClientSettings {
    select: Vec<String>,
    ignore: Vec<String>,
    preview: bool,
    profile: Option<String>,
}

#[derive(Debug, Default)]
pub struct ServerSettings {
    rules: Arc<RuleSettings>,
    /// Counts updates, so that the worker knows when a cached analysis used older settings.
    generation: u64,
}

impl ServerSettings {
    pub fn rules(&self) -> Arc<RuleSettings> {
        self.rules.clone()
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
        self.rules = Arc::new(rules);
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
        assert_eq!(settings.rules().select, vec!["IAM1".to_owned()]);
        assert_eq!(settings.rules().profile, rein_rules::Profile::Baseline);
        assert!(settings.update(&json!({"ignore": ["IAM105"], "preview": true})).is_empty());
        assert_eq!(settings.rules().ignore, vec!["IAM105".to_owned()]);
        assert!(settings.rules().preview);
        assert_eq!(settings.generation(), 2);
        assert!(settings.update(&serde_json::Value::Null).is_empty());
        assert_eq!(settings.rules().ignore, vec!["IAM105".to_owned()]);
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
