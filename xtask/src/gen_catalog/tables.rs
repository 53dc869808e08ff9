//! Parsers for the hand-kept tables in `crates/rein_catalog/data/*.txt`: one record per line,
//! fields separated by `|`, `#` starts a comment line.

use std::path::Path;

use anyhow::{Context, Result, bail};
use rein_catalog::{AccessLevel, ConditionType};

pub struct GlobalKey {
    pub key: String,
    pub ty: ConditionType,
    pub description: String,
}

pub struct Override {
    /// `service:Action` as written.
    pub action: String,
    pub level: AccessLevel,
    pub reason: String,
}

pub struct Hint {
    pub operation: String,
    pub targets: Vec<String>,
    pub note: String,
}

/// The records of a table file, as (line number, fields).
fn records(path: &Path, n_fields: usize) -> Result<Vec<(usize, Vec<String>)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<String> = line.splitn(n_fields, '|').map(|field| field.trim().to_owned()).collect();
        if fields.len() != n_fields || fields.iter().any(String::is_empty) {
            bail!("{}:{}: expected {n_fields} non-empty `|`-separated fields", path.display(), idx + 1);
        }
        out.push((idx + 1, fields));
    }
    Ok(out)
}

pub fn global_keys(path: &Path) -> Result<Vec<GlobalKey>> {
    records(path, 3)?
        .into_iter()
        .map(|(line, fields)| {
            let [key, ty, description] = <[String; 3]>::try_from(fields).map_err(|_| anyhow::anyhow!("arity"))?;
            let ty = ConditionType::from_aws_name(&ty)
                .with_context(|| format!("{}:{line}: unknown condition type `{ty}`", path.display()))?;
            Ok(GlobalKey { key, ty, description })
        })
        .collect()
}

pub fn overrides(path: &Path) -> Result<Vec<Override>> {
    records(path, 3)?
        .into_iter()
        .map(|(line, fields)| {
            let [action, level, reason] = <[String; 3]>::try_from(fields).map_err(|_| anyhow::anyhow!("arity"))?;
            let level = AccessLevel::from_aws_label(&level)
                .with_context(|| format!("{}:{line}: unknown access level `{level}`", path.display()))?;
            Ok(Override { action, level, reason })
        })
        .collect()
}

pub fn hints(path: &Path) -> Result<Vec<Hint>> {
    records(path, 3)?
        .into_iter()
        .map(|(_, fields)| {
            let [operation, targets, note] = <[String; 3]>::try_from(fields).map_err(|_| anyhow::anyhow!("arity"))?;
            let targets = targets.split(',').map(|target| target.trim().to_owned()).collect();
            Ok(Hint { operation, targets, note })
        })
        .collect()
}
