//! `cargo xtask check-layers`: the crate layering of STYLE.md §1, checked against
//! `cargo metadata`.
//!
//! Every `rein_*` crate may use only the `rein_*` crates listed for it in [`LAYERS`].
//! Normal and build dependencies count (both end up in the crate's code); dev-dependencies are
//! exempt, so that, e.g., rule tests may parse HCL. A `rein_*` crate missing from the table is
//! itself an error: a new crate has to take a place in the ladder before it can depend on
//! anything. Nothing may depend on `xtask`.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// What each crate may depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowed {
    /// Only these `rein_*` crates (short names, without the `rein_` prefix).
    Only(&'static [&'static str]),
    /// Any `rein_*` crate (the binary, the end-to-end tests, xtask).
    Anything,
}

/// The layer table of STYLE.md §1 (the dependency ladder), by crate name. Keep the two in step.
/// Crates that do not exist yet are simply absent from `cargo metadata`.
pub const LAYERS: &[(&str, Allowed)] = &[
    // L0
    ("rein_text", Allowed::Only(&[])),
    ("rein_catalog", Allowed::Only(&[])),
    ("rein_diagnostics", Allowed::Only(&["text"])),
    ("rein_model", Allowed::Only(&["text"])),
    // L1
    // Facts about the Terraform AWS provider that both Terraform frontends share.
    ("rein_tfschema", Allowed::Only(&["model"])),
    ("rein_hcl", Allowed::Only(&["model", "diagnostics", "text", "tfschema"])),
    ("rein_tfplan", Allowed::Only(&["model", "diagnostics", "text", "tfschema"])),
    ("rein_cfn", Allowed::Only(&["model", "diagnostics", "text"])),
    ("rein_access", Allowed::Only(&["model", "catalog", "text"])),
    ("rein_rules", Allowed::Only(&["model", "catalog", "access", "diagnostics", "text"])),
    // L2
    (
        "rein_analysis",
        Allowed::Only(&["hcl", "tfplan", "cfn", "rules", "access", "model", "diagnostics", "text", "catalog"]),
    ),
    // L3
    ("rein_config", Allowed::Only(&["rules", "diagnostics", "text", "model"])),
    ("rein_report", Allowed::Only(&["diagnostics", "rules", "text", "catalog", "model"])),
    ("rein_lsp", Allowed::Only(&["analysis", "config", "text", "diagnostics", "rules", "model", "catalog"])),
    // L4 and the side crates
    ("rein_cli", Allowed::Anything),
    ("rein_tests", Allowed::Anything),
    ("xtask", Allowed::Anything),
];

/// The table entry for a crate.
pub fn allowed_for(krate: &str) -> Option<Allowed> {
    LAYERS.iter().find(|(name, _)| *name == krate).map(|&(_, allowed)| allowed)
}

/// Whether `from` may use `to` (both full crate names).
pub fn is_allowed(from: &str, to: &str) -> bool {
    match allowed_for(from) {
        Some(Allowed::Anything) => true,
        Some(Allowed::Only(list)) => to.strip_prefix("rein_").is_some_and(|short| list.contains(&short)),
        None => false,
    }
}

/// The subset of `cargo metadata --format-version 1` that the check reads.
#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    #[serde(default)]
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Dependency {
    /// The package name (a `package = "..."` rename is in `rename`, not here).
    name: String,
    /// `null` for normal dependencies, `"dev"` or `"build"`.
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum DepKind {
    Normal,
    Build,
}

impl fmt::Display for DepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DepKind::Normal => "dependency",
            DepKind::Build => "build-dependency",
        })
    }
}

fn is_layered(name: &str) -> bool {
    name.starts_with("rein_") || name == "xtask"
}

/// Checks `cargo metadata --format-version 1` output (with or without `--no-deps`) against
/// [`LAYERS`]. Returns one message per offending edge or unknown crate, sorted; empty when the
/// workspace is layered correctly. Output that cannot be read is reported as one violation.
pub fn check_layers(metadata_json: &str) -> Vec<String> {
    let metadata: Metadata = match serde_json::from_str(metadata_json) {
        Ok(metadata) => metadata,
        Err(err) => return vec![format!("cannot read `cargo metadata` output: {err}")],
    };
    let mut violations = BTreeSet::new();
    for package in &metadata.packages {
        let from = package.name.as_str();
        if !is_layered(from) {
            continue;
        }
        if allowed_for(from).is_none() {
            violations.insert(format!(
                "`{from}` is not in the layer table: add it to the layer table \
                 (STYLE.md §1 and `xtask/src/layers.rs`)"
            ));
        }
        for dep in &package.dependencies {
            let kind = match dep.kind.as_deref() {
                None | Some("normal") => DepKind::Normal,
                Some("build") => DepKind::Build,
                // Dev-dependencies are exempt; unknown future kinds are not layering edges.
                Some(_) => continue,
            };
            let to = dep.name.as_str();
            if to == "xtask" {
                violations.insert(format!("{from} -> xtask ({kind}): nothing may depend on xtask"));
                continue;
            }
            if !to.starts_with("rein_") || is_allowed(from, to) {
                continue;
            }
            // Unknown crates already have their own message.
            if let Some(Allowed::Only(list)) = allowed_for(from) {
                let allowed = if list.is_empty() { "no rein crate".to_owned() } else { list.join(", ") };
                violations.insert(format!(
                    "{from} -> {to} ({kind}): not allowed by the layer table; {from} may use: {allowed}"
                ));
            }
        }
    }
    violations.into_iter().collect()
}

/// Runs `cargo metadata --format-version 1 --no-deps` for the workspace at `workspace_root`,
/// with the `cargo` from `$CARGO` (set by cargo for `cargo run`/`cargo test`) or from `PATH`.
pub fn workspace_metadata(workspace_root: &Path) -> Result<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--manifest-path"])
        .arg(workspace_root.join("Cargo.toml"))
        .output()
        .with_context(|| format!("running `{} metadata`", cargo.to_string_lossy()))?;
    if !output.status.success() {
        bail!("`cargo metadata` failed ({}):\n{}", output.status, String::from_utf8_lossy(&output.stderr));
    }
    String::from_utf8(output.stdout).context("`cargo metadata` printed non-UTF-8 output")
}

/// The workspace root: the parent of the `xtask` directory.
pub fn workspace_root() -> &'static Path {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_unique_and_refer_to_table_crates() {
        let names: Vec<&str> = LAYERS.iter().map(|(name, _)| *name).collect();
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(names.len(), unique.len(), "duplicate crate in LAYERS");
        for (name, allowed) in LAYERS {
            if let Allowed::Only(list) = allowed {
                for short in *list {
                    let full = format!("rein_{short}");
                    assert!(allowed_for(&full).is_some(), "{name} may use `{short}`, which is not in the table");
                    assert_ne!(&full, name, "{name} lists itself");
                }
            }
        }
    }

    #[test]
    fn ladder_has_no_cycles() {
        // Depth-first search over the `Only` edges; `Anything` crates are leaves of the order.
        fn visit(name: &str, stack: &mut Vec<String>) {
            assert!(!stack.iter().any(|seen| seen == name), "cycle in LAYERS: {stack:?} -> {name}");
            stack.push(name.to_owned());
            if let Some(Allowed::Only(list)) = allowed_for(name) {
                for short in list {
                    visit(&format!("rein_{short}"), stack);
                }
            }
            stack.pop();
        }
        for (name, _) in LAYERS {
            visit(name, &mut Vec::new());
        }
    }
}
