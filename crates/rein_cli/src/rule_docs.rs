//! Writes the rule reference pages into a directory (`rein rule --all --format markdown
//! --output-dir docs/rules`).

use std::path::Path;

use anyhow::Context;
use rein_rules::RuleMeta;

/// Writes every page of [`rein_report::rules::reference_pages`] into `dir` (created when
/// missing) and removes the pages of rules that no longer exist. Returns how many were written.
pub fn write_pages(dir: &Path, rules: &[&RuleMeta]) -> anyhow::Result<usize> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let pages = rein_report::rules::reference_pages(rules);
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_rule_page = name.starts_with("IAM") && name.ends_with(".md");
        if is_rule_page && !pages.iter().any(|(page, _)| *page == name) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove `{}`", entry.path().display()))?;
        }
    }
    for (name, text) in &pages {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(pages.len())
}
