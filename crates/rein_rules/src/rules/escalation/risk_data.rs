//! The risk lists of the 2xx rules, read once from `crates/rein_rules/data/` (see its SOURCE.md).

use foldhash::HashMap;
use std::sync::OnceLock;

use rein_catalog::Action;
use rein_diagnostics::Severity;

/// One action of a risk list.
#[derive(Debug)]
pub struct RiskAction {
    pub action: &'static str,
    pub severity: Severity,
    pub source: &'static str,
}

/// How bad a privilege-escalation path is when its permissions are unnarrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathClass {
    /// Changes IAM itself: the holder's own policies, or another principal's credentials or trust.
    Iam,
    /// Acts through a role already attached to a function, stack, project or instance.
    Existing,
    /// `sts:AssumeRole` on every role.
    Sts,
    /// Passes a role to new compute.
    PassRole,
}

/// One catalogued path.
#[derive(Debug)]
pub struct EscalationPath {
    /// The pathfinding.cloud path id, when it has one.
    pub id: Option<&'static str>,
    /// The Rhino Security Labs method name, when it has one.
    pub rhino: Option<&'static str>,
    pub class: PathClass,
    pub actions: Vec<&'static str>,
}

impl EscalationPath {
    /// How diagnostics cite the path: "pathfinding.cloud iam-001, Rhino CreateNewPolicyVersion".
    pub fn citation(&self) -> String {
        match (self.id, self.rhino) {
            (Some(id), Some(rhino)) => format!("pathfinding.cloud {id}, Rhino method {rhino}"),
            (Some(id), None) => format!("pathfinding.cloud {id}"),
            (None, Some(rhino)) => format!("Rhino method {rhino}"),
            (None, None) => "rein escalation paths".to_owned(),
        }
    }
}

const CREDENTIALS_EXPOSURE: &str = include_str!("../../../data/credentials_exposure.txt");
const DATA_EXFILTRATION: &str = include_str!("../../../data/data_exfiltration.txt");
const RESOURCE_EXPOSURE: &str = include_str!("../../../data/resource_exposure.txt");
const DEFENSE_EVASION: &str = include_str!("../../../data/defense_evasion.txt");
const ESCALATION_PATHS: &str = include_str!("../../../data/escalation_paths.txt");

/// The data lines of a list: without comments, blank lines and surrounding space.
fn data_lines(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.split('|').map(str::trim).collect())
}

/// Lines that do not have the list's shape are skipped here and rejected by the data tests, so
/// a bad edit fails the build without any run-time panic.
fn parse_actions(text: &'static str) -> Vec<RiskAction> {
    data_lines(text)
        .filter_map(|fields| match fields.as_slice() {
            [action, severity, source] => {
                let severity = match *severity {
                    "info" => Severity::Info,
                    "warning" => Severity::Warning,
                    "error" => Severity::Error,
                    _ => return None,
                };
                Some(RiskAction { action, severity, source })
            }
            _ => None,
        })
        .collect()
}

fn parse_paths(text: &'static str) -> Vec<EscalationPath> {
    let optional = |field: &'static str| (field != "-").then_some(field);
    data_lines(text)
        .filter_map(|fields| match fields.as_slice() {
            [id, rhino, class, actions] => {
                let class = match *class {
                    "iam" => PathClass::Iam,
                    "existing" => PathClass::Existing,
                    "sts" => PathClass::Sts,
                    "passrole" => PathClass::PassRole,
                    _ => return None,
                };
                let actions: Vec<&'static str> = actions.split('+').map(str::trim).collect();
                Some(EscalationPath { id: optional(id), rhino: optional(rhino), class, actions })
            }
            _ => None,
        })
        .collect()
}

macro_rules! list {
    ($fn_name:ident, $text:ident, $parse:ident, $ty:ty) => {
        pub fn $fn_name() -> &'static [$ty] {
            static LIST: OnceLock<Vec<$ty>> = OnceLock::new();
            LIST.get_or_init(|| $parse($text))
        }
    };
}

list!(credentials_exposure, CREDENTIALS_EXPOSURE, parse_actions, RiskAction);
list!(data_exfiltration, DATA_EXFILTRATION, parse_actions, RiskAction);
list!(resource_exposure, RESOURCE_EXPOSURE, parse_actions, RiskAction);
list!(defense_evasion, DEFENSE_EVASION, parse_actions, RiskAction);
list!(escalation_paths, ESCALATION_PATHS, parse_paths, EscalationPath);

/// The entries of a list by the catalogue action they name. Rules ask about every action a
/// wildcard expands to, so a lookup must not format or compare names.
pub struct ByAction<T: 'static> {
    entries: HashMap<u32, &'static T>,
}

impl<T> ByAction<T> {
    fn new(entries: impl Iterator<Item = (&'static str, &'static T)>) -> Self {
        let catalog = rein_catalog::catalog();
        let mut by_id = HashMap::default();
        for (name, entry) in entries {
            // The first entry of an action wins, as a scan of the list finds it.
            if let Some(action) = catalog.action(name) {
                by_id.entry(action.id()).or_insert(entry);
            }
        }
        Self { entries: by_id }
    }

    /// The entry naming `action`, an action of the embedded catalogue.
    pub fn get(&self, action: Action<'_>) -> Option<&'static T> {
        self.entries.get(&action.id()).copied()
    }
}

macro_rules! by_action {
    ($fn_name:ident, $list:ident) => {
        pub fn $fn_name() -> &'static ByAction<RiskAction> {
            static INDEX: OnceLock<ByAction<RiskAction>> = OnceLock::new();
            INDEX.get_or_init(|| ByAction::new($list().iter().map(|entry| (entry.action, entry))))
        }
    };
}

by_action!(credentials_exposure_by_action, credentials_exposure);
by_action!(data_exfiltration_by_action, data_exfiltration);
by_action!(resource_exposure_by_action, resource_exposure);
by_action!(defense_evasion_by_action, defense_evasion);

/// The paths of a single permission, by that permission.
pub fn single_paths_by_action() -> &'static ByAction<EscalationPath> {
    static INDEX: OnceLock<ByAction<EscalationPath>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let singles = escalation_paths().iter().filter_map(|path| match path.actions.as_slice() {
            [only] => Some((*only, path)),
            _ => None,
        });
        ByAction::new(singles)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_texts() -> [(&'static str, &'static str); 5] {
        [
            ("credentials_exposure", CREDENTIALS_EXPOSURE),
            ("data_exfiltration", DATA_EXFILTRATION),
            ("resource_exposure", RESOURCE_EXPOSURE),
            ("defense_evasion", DEFENSE_EVASION),
            ("escalation_paths", ESCALATION_PATHS),
        ]
    }

    #[test]
    fn every_data_line_parses() {
        for (name, text) in all_texts() {
            let lines = data_lines(text).count();
            let parsed = if name == "escalation_paths" { parse_paths(text).len() } else { parse_actions(text).len() };
            assert_eq!(lines, parsed, "{name}: a line does not have the list's shape");
            assert!(parsed > 0, "{name} is empty");
        }
    }

    #[test]
    fn every_listed_action_is_in_the_catalogue() {
        let catalog = rein_catalog::catalog();
        let mut names: Vec<&str> = Vec::new();
        for list in [credentials_exposure(), data_exfiltration(), resource_exposure(), defense_evasion()] {
            names.extend(list.iter().map(|entry| entry.action));
        }
        names.extend(escalation_paths().iter().flat_map(|path| path.actions.iter().copied()));
        let missing: Vec<&str> = names.into_iter().filter(|name| catalog.action(name).is_none()).collect();
        assert!(missing.is_empty(), "actions missing from the catalogue: {missing:?}");
    }

    #[test]
    fn the_indexes_hold_every_entry() {
        let catalog = rein_catalog::catalog();
        for (list, index) in [
            (credentials_exposure(), credentials_exposure_by_action()),
            (data_exfiltration(), data_exfiltration_by_action()),
            (resource_exposure(), resource_exposure_by_action()),
            (defense_evasion(), defense_evasion_by_action()),
        ] {
            for entry in list {
                let action =
                    catalog.action(entry.action).unwrap_or_else(|| panic!("{} is not catalogued", entry.action));
                assert!(index.get(action).is_some_and(|found| found.action.eq_ignore_ascii_case(entry.action)));
            }
        }
        let iam_pass_role = catalog.action("iam:PassRole").expect("catalogued");
        assert!(single_paths_by_action().get(iam_pass_role).is_none(), "PassRole alone is no path");
        let create_version = catalog.action("iam:CreatePolicyVersion").expect("catalogued");
        assert!(single_paths_by_action().get(create_version).is_some());
    }

    #[test]
    fn every_entry_cites_a_source() {
        for list in [credentials_exposure(), data_exfiltration(), resource_exposure(), defense_evasion()] {
            assert!(list.iter().all(|entry| !entry.source.is_empty()));
        }
        assert!(escalation_paths().iter().all(|path| path.id.is_some() || path.rhino.is_some()));
    }
}
