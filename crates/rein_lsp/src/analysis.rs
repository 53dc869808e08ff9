//! Runs the analysis `rein check` runs, for one open document: the document itself, and for a
//! Terraform file the rest of its module (the other `.tf` files of its directory, the local
//! modules it calls, the files `file()` and `templatefile()` may read), each from its open
//! buffer when there is one and from disk otherwise.
//!
//! A file of a local module is read from the root modules of the workspace that call it (see
//! `workspace`), and a CloudFormation template with the other templates of the workspace.
//!
//! This is the one place of the server that reads the disk for an analysis, through the disk
//! cache of `disk`; it runs on the worker thread. (The main loop reads only `rein.toml` files,
//! see `configs`.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use lsp_types::Uri;
use rein_analysis::{Analysis, FileKind, RuleSettings, SourceInput, analyze, classify};
use rein_config::Config;
use rein_diagnostics::Finding;
use rein_text::FileId;

use crate::disk::Disk;
use crate::workspace::{MAX_TEMPLATES, Workspace};

/// The open buffers an analysis reads instead of the disk: path → (version, text).
pub type Overlay = BTreeMap<PathBuf, (i32, Arc<String>)>;

/// What to analyse: one open document and the open buffers around it.
#[derive(Clone, Debug)]
pub struct Target {
    pub uri: Uri,
    pub version: i32,
    pub text: Arc<String>,
    /// The local path; `None` for a buffer that is not a file.
    pub path: Option<PathBuf>,
    pub language_id: String,
}

/// One finished analysis of a target.
#[derive(Debug)]
pub struct FileAnalysis {
    pub uri: Uri,
    pub version: i32,
    pub analysis: Analysis,
    /// The target's id in `analysis.db`, when it was analysed at all.
    pub file: Option<FileId>,
    pub kind: Option<FileKind>,
    /// The other open documents the analysis read, with the version it read: their diagnostics
    /// come out of the same run.
    pub others: Vec<(PathBuf, FileId, i32)>,
}

impl FileAnalysis {
    /// The text of the target as analysed.
    pub fn text(&self) -> &str {
        self.file.and_then(|file| self.analysis.db.get(file)).map_or("", |source| source.text.as_str())
    }
}

/// Limits on what is read from disk beside the target, so that opening a file in a huge
/// directory tree stays fast.
const MAX_MODULE_DIRS: usize = 32;
const MAX_EXTRA_FILES: usize = 256;
const MAX_EXTRA_FILE_BYTES: u64 = 1 << 20;
const MAX_WALK_DEPTH: usize = 3;
/// Calling roots a module file is analysed from, at most (the first by path).
const MAX_ROOTS: usize = 4;

/// The file extensions that `file()` and `templatefile()` commonly read.
const TEMPLATE_EXTENSIONS: &[&str] = &["tftpl", "tpl", "tmpl", "json", "yaml", "yml", "txt"];

/// The name the kind of a buffer is decided by: its path, or for a buffer without one a name
/// made from its language id.
fn display_name(target: &Target) -> String {
    if let Some(path) = &target.path {
        return path.to_string_lossy().into_owned();
    }
    let extension = match target.language_id.as_str() {
        "terraform" | "hcl" | "tf" => "tf",
        "yaml" | "cloudformation" => "yaml",
        _ => "json",
    };
    format!("untitled.{extension}")
}

/// Analyses `target` with `settings`, and with the per-path overrides of `config` as
/// `rein check` applies them.
///
/// A Terraform file is read with its module; a module that other modules of the workspace
/// call is read from the root modules that call it, so that its findings use their arguments.
/// A CloudFormation template is read with the other templates of the workspace.
pub fn analyze_target(
    target: &Target,
    overlay: &Overlay,
    settings: &RuleSettings,
    config: Option<&Config>,
    workspace: &mut Workspace,
) -> FileAnalysis {
    let name = display_name(target);
    let kind = classify(&name, target.text.as_bytes());
    let mut inputs =
        vec![SourceInput { path: name.clone(), bytes: target.text.as_bytes().to_vec(), kind, policy_kind: None }];
    let mut others = Vec::new();
    let mut push = |inputs: &mut Vec<SourceInput>, path: PathBuf, bytes: Vec<u8>, kind: FileKind| {
        if let Some((version, _)) = overlay.get(&path) {
            others.push((path.clone(), *version));
        }
        inputs.push(SourceInput {
            path: path.to_string_lossy().into_owned(),
            bytes,
            kind: Some(kind),
            policy_kind: None,
        });
    };
    match (kind, target.path.as_deref()) {
        (Some(FileKind::Terraform), Some(path)) => {
            if let Some(directory) = path.parent() {
                let mut starts = workspace.calling_roots(directory, overlay);
                starts.truncate(MAX_ROOTS);
                starts.push(directory.to_path_buf());
                for (path, bytes, kind) in module_inputs(&starts, target, overlay, &mut workspace.disk) {
                    push(&mut inputs, path, bytes, kind);
                }
            }
        }
        (Some(FileKind::CloudFormation), Some(path)) => {
            let mut n_templates = 0;
            // Open templates first, as their buffers say; then those on disk.
            for (other, (_, text)) in overlay {
                if other.as_path() != path
                    && n_templates < MAX_TEMPLATES
                    && classify(&other.to_string_lossy(), text.as_bytes()) == Some(FileKind::CloudFormation)
                {
                    n_templates += 1;
                    push(&mut inputs, other.clone(), text.as_bytes().to_vec(), FileKind::CloudFormation);
                }
            }
            for (other, bytes) in workspace.templates(path) {
                if n_templates < MAX_TEMPLATES && !overlay.contains_key(&other) {
                    n_templates += 1;
                    push(&mut inputs, other, bytes.to_vec(), FileKind::CloudFormation);
                }
            }
        }
        _ => {}
    }
    let analysis = match (kind, config) {
        (None, _) => Analysis::default(),
        (Some(_), None) => analyze(inputs, settings),
        (Some(_), Some(config)) => {
            let mut analysis = analyze(inputs, &config.run_settings(settings));
            let db = &analysis.db;
            let path_of = |finding: &Finding| db.get(finding.span.file).map(|source| PathBuf::from(&source.path));
            let findings = config.filter(settings, std::mem::take(&mut analysis.findings), &path_of);
            analysis.findings = findings;
            analysis
        }
    };
    let file = kind.and_then(|_| analysis.db.iter().find(|source| source.path == name).map(|source| source.id));
    let others = others
        .into_iter()
        .filter_map(|(path, version)| {
            let path_text = path.to_string_lossy();
            let id = analysis.db.iter().find(|source| source.path == path_text)?.id;
            Some((path, id, version))
        })
        .collect();
    FileAnalysis { uri: target.uri.clone(), version: target.version, analysis, file, kind, others }
}

/// The other files of the modules in `starts`: their `.tf` files, those of the local modules
/// they call (transitively), and the template files below them. The target's own module
/// calls are read from its buffer.
fn module_inputs(
    starts: &[PathBuf],
    target: &Target,
    overlay: &Overlay,
    disk: &mut Disk,
) -> Vec<(PathBuf, Vec<u8>, FileKind)> {
    let mut out = Vec::new();
    let mut seen_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut pending: Vec<PathBuf> = Vec::new();
    if let Some(directory) = target.path.as_deref().and_then(Path::parent) {
        pending.extend(local_sources(&target.text).iter().map(|source| normalize(&directory.join(source))));
    }
    // The last start (the target's own directory) is read first, so that the bound on
    // directories never leaves out the target's own module.
    pending.extend(starts.iter().map(|start| normalize(start)));
    let target = target.path.as_deref();
    while let Some(dir) = pending.pop() {
        if seen_dirs.len() >= MAX_MODULE_DIRS || !seen_dirs.insert(dir.clone()) {
            continue;
        }
        for path in tf_files(&dir, overlay, disk) {
            if Some(path.as_path()) == target {
                continue;
            }
            let Some(bytes) = read(&path, overlay, disk) else { continue };
            for source in local_sources(&String::from_utf8_lossy(&bytes)) {
                pending.push(normalize(&dir.join(source)));
            }
            out.push((path, bytes, FileKind::Terraform));
        }
    }
    let mut n_extra = 0;
    for dir in &seen_dirs {
        walk_templates(dir, 0, &mut n_extra, disk, &mut |path, disk| {
            if let Some(bytes) = read(&path, overlay, disk) {
                // Read only where a module's `file()` or `templatefile()` names it.
                out.push((path, bytes, FileKind::TerraformTemplate));
            }
        });
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// The `.tf` and `.tf.json` files of a directory, on disk or open, sorted.
fn tf_files(dir: &Path, overlay: &Overlay, disk: &mut Disk) -> Vec<PathBuf> {
    let mut files: BTreeSet<PathBuf> = disk
        .list(dir)
        .iter()
        .filter(|entry| entry.is_file && is_tf(&entry.path))
        .map(|entry| entry.path.clone())
        .collect();
    files.extend(overlay.keys().filter(|path| path.parent() == Some(dir) && is_tf(path)).cloned());
    files.into_iter().collect()
}

/// A Terraform configuration file: `.tf`, or `.tf.json` in Terraform's JSON syntax.
pub fn is_tf(path: &Path) -> bool {
    path.file_name().is_some_and(|name| rein_analysis::is_terraform_path(&name.to_string_lossy()))
}

fn walk_templates(
    dir: &Path,
    depth: usize,
    n_extra: &mut usize,
    disk: &mut Disk,
    found: &mut dyn FnMut(PathBuf, &mut Disk),
) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    let entries = disk.list(dir);
    for entry in entries.iter() {
        if *n_extra >= MAX_EXTRA_FILES {
            return;
        }
        let hidden = entry.path.file_name().and_then(|name| name.to_str()).is_none_or(is_hidden_name);
        if hidden {
            continue;
        }
        // Links are neither, so that a link loop is not followed.
        if entry.is_dir {
            walk_templates(&entry.path, depth + 1, n_extra, disk, found);
        } else if entry.is_plain_file
            && entry.len <= MAX_EXTRA_FILE_BYTES
            && entry
                .path
                .extension()
                .and_then(|ext| ext.to_str())
                .is_some_and(|ext| TEMPLATE_EXTENSIONS.iter().any(|known| known.eq_ignore_ascii_case(ext)))
        {
            *n_extra += 1;
            found(entry.path.clone(), disk);
        }
    }
}

fn read(path: &Path, overlay: &Overlay, disk: &mut Disk) -> Option<Vec<u8>> {
    match overlay.get(path) {
        Some((_, text)) => Some(text.as_bytes().to_vec()),
        None => disk.read(path).map(|bytes| bytes.to_vec()),
    }
}

/// The local module sources (`source = "./x"`, `source = "../x"`, and `"source": "./x"` in
/// Terraform's JSON syntax) written in a Terraform file. A textual scan, because this crate
/// does not parse HCL; the analysis itself decides which of the files read are really called.
/// It looks only where the word `source` occurs, so a file without it costs one search.
pub fn local_sources(text: &str) -> Vec<String> {
    let is_blank = |ch: char| ch == ' ' || ch == '\t';
    text.match_indices("source")
        .filter_map(|(at, word)| {
            let before = text.get(..at)?;
            let rest = text.get(at + word.len()..)?;
            let rest = match before.strip_suffix('"') {
                // JSON syntax: a quoted key, anywhere on its line.
                Some(_) => rest.strip_prefix('"')?.trim_start_matches(is_blank).strip_prefix(':')?,
                // Native syntax: an attribute at the start of its line.
                None => {
                    let line = before.rsplit('\n').next().unwrap_or(before);
                    if !line.chars().all(is_blank) {
                        return None;
                    }
                    rest.trim_start_matches(is_blank).strip_prefix('=')?
                }
            };
            let value = rest.trim_start_matches(is_blank).strip_prefix('"')?;
            let end = value.find(['"', '\n'])?;
            // A string that runs to the end of its line is not closed.
            let value = value.get(..end).filter(|_| value.get(end..).is_some_and(|rest| rest.starts_with('"')))?;
            (value.starts_with("./") || value.starts_with("../")).then(|| value.to_owned())
        })
        .collect()
}

/// `a/b/../c/.` → `a/c`, without touching the disk (the directory may not exist).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A file or directory name the analyses never read below a workspace: hidden ones
/// (`.terraform`, `.git`) and `node_modules`.
pub(crate) fn is_hidden_name(name: &str) -> bool {
    (name.starts_with('.') && name != "." && name != "..") || name == "node_modules"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_are_found() {
        let text = "module \"a\" {\n  source = \"./modules/a\"\n}\nmodule \"b\" {\n  source = \"hashicorp/x/aws\"\n}\n  source   =   \"../shared\"\n";
        assert_eq!(local_sources(text), vec!["./modules/a".to_owned(), "../shared".to_owned()]);
        let json = r#"{"module": {"a": {"source": "./modules/a"}, "b": {"source" : "git::x"}}}"#;
        assert_eq!(local_sources(json), vec!["./modules/a".to_owned()]);
        // Not an attribute at the start of a line, or not a string: no source.
        assert_eq!(
            local_sources("x = \"source = \\\"./a\\\"\"\nsource = var.x\nsource = \"./b\n\""),
            Vec::<String>::new()
        );
    }

    #[test]
    fn paths_are_normalized() {
        assert_eq!(normalize(Path::new("/w/env/./../modules/x")), PathBuf::from("/w/modules/x"));
    }
}
