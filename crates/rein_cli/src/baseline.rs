//! Baseline files: the findings a team has accepted for now, recognised again by fingerprint
//! (`rein_report::fingerprint`) after lines moved.
//!
//! The file is JSON: `{"version": 1, "findings": [{"rule", "path", "fingerprint", "message"}]}`,
//! sorted by path, rule and fingerprint so that rewriting it gives a small diff. Only the
//! fingerprints decide; rule, path and message are there for people reading the file.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, anyhow};
use rein_diagnostics::Finding;
use rein_text::SourceDb;
use serde::{Deserialize, Serialize};

/// The version of the file format.
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    rule: String,
    fingerprint: String,
    message: String,
}

/// The fingerprints of a baseline file.
#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: BTreeSet<String>,
}

impl Baseline {
    pub fn read(path: &Path) -> anyhow::Result<Baseline> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read the baseline `{}`", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|err| {
            anyhow!("{}:{}:{}: not a rein baseline: {err:#}", path.display(), err.line(), err.column())
        })?;
        if file.version != VERSION {
            return Err(anyhow!(
                "{}: baseline version {} is not supported (this rein writes version {VERSION})",
                path.display(),
                file.version
            ));
        }
        Ok(Baseline { fingerprints: file.findings.into_iter().map(|entry| entry.fingerprint).collect() })
    }

    /// Removes the findings the baseline holds; returns how many were removed. `findings` must
    /// be in report order, as the fingerprints number repeated findings by occurrence.
    pub fn filter(&self, db: &SourceDb, findings: &mut Vec<Finding>) -> usize {
        let prints = rein_report::fingerprint::fingerprints(db, findings);
        let before = findings.len();
        let mut keep = prints.iter().map(|print| !self.fingerprints.contains(print));
        findings.retain(|_| keep.next().unwrap_or(true));
        before - findings.len()
    }
}

/// Writes `findings` (in report order) as a baseline file.
pub fn write(path: &Path, db: &SourceDb, findings: &[Finding]) -> anyhow::Result<()> {
    let prints = rein_report::fingerprint::fingerprints(db, findings);
    let mut entries: Vec<Entry> = findings
        .iter()
        .zip(prints)
        .map(|(finding, fingerprint)| Entry {
            path: db.get(finding.span.file).map(|file| file.path.clone()).unwrap_or_default(),
            rule: finding.rule.to_owned(),
            fingerprint,
            message: finding.message.clone(),
        })
        .collect();
    entries.sort();
    let file = BaselineFile { version: VERSION, findings: entries };
    let mut text = serde_json::to_string_pretty(&file).context("cannot serialise the baseline")?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write the baseline `{}`", path.display()))
}
