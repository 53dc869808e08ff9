//! Finds the files to check: named files as they are, standard input for `-`, directories walked
//! with `.gitignore` and `.reinignore` rules.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use rein_analysis::{SourceInput, classify, kind_of_named_file};
use rein_model::PolicyKind;
use rein_report::Problem;

use crate::progress::Progress;

/// Directories never walked into, whatever the ignore files say.
const SKIPPED_DIRS: &[&str] = &[".git", ".terraform", "node_modules"];

/// The ignore file of rein's own, in gitignore syntax, honoured beside `.gitignore`.
pub const IGNORE_FILENAME: &str = ".reinignore";

/// The path that means standard input.
pub const STDIN_PATH: &str = "-";

/// The files to analyse, and the problems met while finding and reading them.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<SourceInput>,
    /// One per path that could not be walked or read, e.g. "cannot read `a.json`: …".
    pub problems: Vec<Problem>,
    /// What the walk skipped on purpose and the user should know, e.g. a symlink loop.
    pub warnings: Vec<String>,
}

/// Standard input, when a path is `-`: its bytes (read by the caller) and the name it goes by.
#[derive(Debug)]
pub struct Stdin {
    pub name: String,
    pub bytes: std::io::Result<Vec<u8>>,
}

/// A file to read: named on the command line (always read) or found by a walk (read when
/// [`classify`] recognises it).
struct Candidate {
    path: PathBuf,
    named: bool,
}

/// Reads the files named by `paths`, in order; directories are walked in sorted order.
///
/// Files named explicitly are always read: `.tf` and `.tf.json` files as Terraform, anything else as policy JSON. Files found by a walk are kept when
/// [`classify`] recognises them. A file reached twice (named and walked) is read once. The path
/// `-` is standard input, read as a named file called `stdin.name`.
pub fn discover(
    paths: &[PathBuf],
    policy_kind: Option<&PolicyKind>,
    mut stdin: Option<Stdin>,
    progress: &Progress,
) -> Discovered {
    let mut found = Discovered::default();
    let mut seen = BTreeSet::new();
    let mut candidates = Vec::new();
    for path in paths {
        if path.as_os_str() == STDIN_PATH {
            let Some(Stdin { name, bytes }) = stdin.take() else { continue };
            match bytes {
                Ok(bytes) => found.inputs.push(SourceInput {
                    kind: Some(kind_of_named_file(&name, &bytes)),
                    path: name,
                    bytes,
                    policy_kind: policy_kind.cloned(),
                }),
                Err(err) => found
                    .problems
                    .push(Problem { message: format!("cannot read `{name}`: {}", io_reason(&err)), path: name }),
            }
        } else if path.is_dir() {
            for file in walk(path, &mut found) {
                if seen.insert(identity(&file)) {
                    candidates.push(Candidate { path: file, named: false });
                }
            }
        } else if seen.insert(identity(path)) {
            candidates.push(Candidate { path: path.clone(), named: true });
        }
    }
    let reading = progress.bar(candidates.len(), "reading");
    for candidate in candidates {
        reading.inc();
        let Some(bytes) = read(&candidate.path, &mut found.problems) else { continue };
        let display = display(&candidate.path);
        let kind =
            if candidate.named { Some(kind_of_named_file(&display, &bytes)) } else { classify(&display, &bytes) };
        if let Some(kind) = kind {
            found.inputs.push(SourceInput {
                path: display,
                bytes,
                kind: Some(kind),
                policy_kind: policy_kind.cloned(),
            });
        }
    }
    found
}

/// The regular files under `root`, sorted by path.
///
/// Symbolic links are followed, so a linked policy is checked; a link back into one of its own
/// ancestors is reported once as a warning and not followed.
fn walk(root: &Path, found: &mut Discovered) -> Vec<PathBuf> {
    let mut builder = WalkBuilder::new(root);
    builder
        // Policies often live in dot-directories (`.github/`, `.aws/`); the skip list and the
        // ignore files decide what is left out, not a leading dot.
        .hidden(false)
        // `.gitignore` means "not part of the project" even outside a Git checkout.
        .require_git(false)
        .add_custom_ignore_filename(IGNORE_FILENAME)
        .follow_links(true)
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
            Err(err) => match symlink_loop(&err) {
                Some((ancestor, child)) => {
                    let warning = format!(
                        "skipping `{}`: a symbolic link back to `{}`, which is already being checked",
                        display(child),
                        display(ancestor)
                    );
                    if !found.warnings.contains(&warning) {
                        found.warnings.push(warning);
                    }
                }
                None => match error_path(&err) {
                    // A link to nothing is not a file of the project; like Git, skip it.
                    Some(path) if is_dangling_link(path) => {
                        found.warnings.push(format!(
                            "skipping `{}`: a symbolic link to a path that does not exist",
                            display(path)
                        ));
                    }
                    Some(path) => found.problems.push(Problem {
                        path: display(path),
                        message: format!("cannot read `{}`: {}", display(path), walk_reason(&err)),
                    }),
                    None => found.problems.push(Problem {
                        path: display(root),
                        message: format!("cannot walk `{}`: {}", display(root), walk_reason(&err)),
                    }),
                },
            },
        }
    }
    files.sort();
    files
}

/// The loop inside a walk error, as (the ancestor it leads back to, the link).
fn symlink_loop(err: &ignore::Error) -> Option<(&Path, &Path)> {
    match err {
        ignore::Error::Loop { ancestor, child } => Some((ancestor, child)),
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => symlink_loop(err),
        ignore::Error::Partial(errs) => errs.iter().find_map(symlink_loop),
        _ => None,
    }
}

/// The path a walk error is about.
fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        _ => None,
    }
}

/// The reason of a walk error without the path it is about, in the style of [`io_reason`].
fn walk_reason(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_reason(err),
        ignore::Error::Io(io) => io_reason(io),
        other => rein_text::lowercase_first(&other.to_string()),
    }
}

fn is_dangling_link(path: &Path) -> bool {
    path.symlink_metadata().is_ok_and(|meta| meta.file_type().is_symlink()) && !path.exists()
}

fn read(path: &Path, problems: &mut Vec<Problem>) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(err) => {
            problems.push(Problem {
                path: display(path),
                message: format!("cannot read `{}`: {}", display(path), io_reason(&err)),
            });
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

    /// A fresh directory under the system's temporary directory, removed when dropped.
    struct TempTree(PathBuf);

    impl TempTree {
        fn new(name: &str) -> TempTree {
            let dir = std::env::temp_dir().join(format!("rein-discover-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempTree(dir)
        }

        fn file(&self, path: &str, text: &str) {
            let path = self.0.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    impl Drop for TempTree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": []}"#;

    fn names(found: &Discovered, root: &Path) -> Vec<String> {
        found
            .inputs
            .iter()
            .map(|input| Path::new(&input.path).strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn reinignore_hides_files_with_gitignore_syntax() {
        let tree = TempTree::new("reinignore");
        tree.file("iam/a.json", POLICY);
        tree.file("iam/sandbox-b.json", POLICY);
        tree.file("iam/sandbox-keep.json", POLICY);
        tree.file("generated/c.json", POLICY);
        tree.file(".reinignore", "generated/\niam/sandbox-*.json\n!iam/sandbox-keep.json\n");
        let found = discover(std::slice::from_ref(&tree.0), None, None, &Progress::new(false));
        assert_eq!(names(&found, &tree.0), ["iam/a.json", "iam/sandbox-keep.json"]);
        assert!(found.problems.is_empty() && found.warnings.is_empty(), "{found:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_terminates_and_is_reported_once_and_a_dangling_link_is_skipped() {
        let tree = TempTree::new("loop");
        tree.file("a/p.json", POLICY);
        tree.file("a/b/q.json", POLICY);
        // `a/b/up` leads back to `a`, `a/b/self` to `a/b`; `linked.json` is a link to a file.
        std::os::unix::fs::symlink("..", tree.0.join("a/b/up")).unwrap();
        std::os::unix::fs::symlink(".", tree.0.join("a/b/self")).unwrap();
        std::os::unix::fs::symlink("b/q.json", tree.0.join("a/linked.json")).unwrap();
        std::os::unix::fs::symlink("nowhere.json", tree.0.join("a/dangling.json")).unwrap();
        let found = discover(&[tree.0.join("a")], None, None, &Progress::new(false));
        // The linked file is the same file as `b/q.json`, so it is read once.
        assert_eq!(names(&found, &tree.0), ["a/b/q.json", "a/p.json"]);
        assert!(found.problems.is_empty(), "{:?}", found.problems);
        assert_eq!(found.warnings.len(), 3, "{:?}", found.warnings);
        assert!(found.warnings.iter().any(|warning| warning.contains("a/dangling.json")), "{:?}", found.warnings);
        assert!(found.warnings.iter().any(|warning| warning.contains("a/b/up")), "{:?}", found.warnings);
        assert!(found.warnings.iter().any(|warning| warning.contains("a/b/self")), "{:?}", found.warnings);
    }

    #[test]
    fn stdin_is_read_as_a_named_file() {
        let stdin = Stdin { name: "main.tf".to_owned(), bytes: Ok(b"locals {}".to_vec()) };
        let found = discover(&[PathBuf::from(STDIN_PATH)], None, Some(stdin), &Progress::new(false));
        assert_eq!(found.inputs.len(), 1);
        assert_eq!(found.inputs[0].path, "main.tf");
        assert_eq!(found.inputs[0].kind, Some(rein_analysis::FileKind::Terraform));
        let broken = Stdin { name: "<stdin>".to_owned(), bytes: Err(std::io::Error::other("closed")) };
        let found = discover(&[PathBuf::from(STDIN_PATH)], None, Some(broken), &Progress::new(false));
        assert_eq!(found.problems[0].message, "cannot read `<stdin>`: closed");
    }

    #[test]
    fn terraform_json_files_are_terraform_in_a_walk_and_on_stdin() {
        let tree = TempTree::new("tfjson");
        tree.file("stack/cdk.tf.json", r#"{"resource": {}}"#);
        tree.file("stack/main.tf", "locals {}");
        tree.file("stack/package.json", r#"{"name": "stack"}"#);
        let found = discover(std::slice::from_ref(&tree.0), None, None, &Progress::new(false));
        assert_eq!(names(&found, &tree.0), ["stack/cdk.tf.json", "stack/main.tf"]);
        assert!(found.inputs.iter().all(|input| input.kind == Some(rein_analysis::FileKind::Terraform)));
        let stdin = Stdin { name: "main.tf.json".to_owned(), bytes: Ok(br#"{"locals": {}}"#.to_vec()) };
        let found = discover(&[PathBuf::from(STDIN_PATH)], None, Some(stdin), &Progress::new(false));
        assert_eq!(found.inputs[0].kind, Some(rein_analysis::FileKind::Terraform));
    }

    #[test]
    fn io_reasons_are_lowercase_without_os_codes() {
        let err = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&err), "no such file or directory");
        assert_eq!(rein_text::lowercase_first("Is a directory"), "is a directory");
    }
}
