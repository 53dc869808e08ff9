//! Finds the files to check: named files as they are, directories walked with `.gitignore` rules.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use rein_analysis::{SourceInput, classify, kind_of_named_file};
use rein_model::PolicyKind;

/// Directories never walked into, whatever the ignore files say.
const SKIPPED_DIRS: &[&str] = &[".git", ".terraform", "node_modules"];

/// The files to analyse, and the problems met while finding and reading them.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<SourceInput>,
    /// One message per path that could not be walked or read, e.g. "cannot read `a.json`: …".
    pub problems: Vec<String>,
}

/// Reads the files named by `paths`, in order; directories are walked in sorted order.
///
/// Files named explicitly are always read: `.tf` files as Terraform, anything else as policy JSON. Files found by a walk are kept when
/// [`classify`] recognises them. A file reached twice (named and walked) is read once.
pub fn discover(paths: &[PathBuf], policy_kind: Option<&PolicyKind>) -> Discovered {
    let mut found = Discovered::default();
    let mut seen = BTreeSet::new();
    for path in paths {
        if path.is_dir() {
            for file in walk(path, &mut found.problems) {
                if !seen.insert(identity(&file)) {
                    continue;
                }
                let Some(bytes) = read(&file, &mut found.problems) else { continue };
                let display = display(&file);
                if let Some(kind) = classify(&display, &bytes) {
                    found.inputs.push(SourceInput {
                        path: display,
                        bytes,
                        kind: Some(kind),
                        policy_kind: policy_kind.cloned(),
                    });
                }
            }
        } else {
            if !seen.insert(identity(path)) {
                continue;
            }
            let Some(bytes) = read(path, &mut found.problems) else { continue };
            let display = display(path);
            found.inputs.push(SourceInput {
                kind: Some(kind_of_named_file(&display, &bytes)),
                path: display,
                bytes,
                policy_kind: policy_kind.cloned(),
            });
        }
    }
    found
}

/// The regular files under `root`, sorted by path.
fn walk(root: &Path, problems: &mut Vec<String>) -> Vec<PathBuf> {
    let mut builder = WalkBuilder::new(root);
    builder
        // Policies often live in dot-directories (`.github/`, `.aws/`); the skip list and the
        // ignore files decide what is left out, not a leading dot.
        .hidden(false)
        // `.gitignore` means "not part of the project" even outside a Git checkout.
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|file_type| file_type.is_dir());
            !(is_dir
                && entry.depth() > 0
                && entry.file_name().to_str().is_some_and(|name| SKIPPED_DIRS.contains(&name)))
        });
    let mut files = Vec::new();
    for result in builder.build() {
        match result {
            Ok(entry) => {
                if entry.file_type().is_some_and(|file_type| file_type.is_file()) {
                    // `rein check` walks `.`; show `iam/a.json`, not `./iam/a.json`.
                    let path = entry.into_path();
                    let path = if root == Path::new(".") {
                        path.strip_prefix(".").map(Path::to_path_buf).unwrap_or(path)
                    } else {
                        path
                    };
                    files.push(path);
                }
            }
            Err(err) => problems.push(format!(
                "cannot walk `{}`: {}",
                display(root),
                rein_text::lowercase_first(&err.to_string())
            )),
        }
    }
    files.sort();
    files
}

fn read(path: &Path, problems: &mut Vec<String>) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(err) => {
            problems.push(format!("cannot read `{}`: {}", display(path), io_reason(&err)));
            None
        }
    }
}

/// The key under which a file counts as seen: its canonical path when it has one.
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The path as the user gave it or as the walk found it.
pub fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// An IO error's reason without the OS error number, lowercased: "permission denied".
pub fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    let text = match text.find(" (os error") {
        Some(idx) => text.get(..idx).unwrap_or(&text).to_owned(),
        None => text,
    };
    rein_text::lowercase_first(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_reasons_are_lowercase_without_os_codes() {
        let err = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&err), "no such file or directory");
        assert_eq!(rein_text::lowercase_first("Is a directory"), "is a directory");
    }
}
