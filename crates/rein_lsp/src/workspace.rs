//! The workspace folders as the analyses see them: the disk cache, and an index of the
//! Terraform module calls and CloudFormation templates found in the folders.
//!
//! The index answers the question the analysis of a module file asks: which root modules of
//! the workspace call this directory (directly or through other modules)? A file of a local
//! module is analysed from those roots, so that its findings use the caller's arguments.
//!
//! The index is rebuilt from the disk cache when the disk changed (an announced change, when
//! the client watches files) or, without file watching, when it is older than `UNWATCHED_TTL`.
//! Open buffers go over the disk: their module calls are read from the buffer's text.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::analysis::{Overlay, is_tf, local_sources, normalize};
use crate::disk::Disk;

/// How long an index built without file watching is used before it is built again.
const UNWATCHED_TTL: Duration = Duration::from_secs(2);
/// Bounds on the walk of the workspace folders.
const MAX_DIRS: usize = 1024;
const MAX_DEPTH: usize = 8;
const MAX_FILE_BYTES: u64 = 1 << 20;
/// Templates of the workspace read beside a CloudFormation document, at most.
pub const MAX_TEMPLATES: usize = 16;
/// Candidate files whose kind is remembered, at most.
const MAX_CLASSIFIED: usize = 256;
/// Callers followed upward from a module, at most.
const MAX_CALLERS: usize = 64;

/// The module calls and templates of the workspace folders on disk.
struct Index {
    disk_generation: u64,
    built: Instant,
    /// Each `.tf` file on disk → the directories of the local modules it calls.
    calls: BTreeMap<PathBuf, Vec<PathBuf>>,
    /// Files that may be CloudFormation templates (by extension), sorted.
    template_candidates: Vec<PathBuf>,
}

pub struct Workspace {
    pub disk: Disk,
    folders: Vec<PathBuf>,
    index: Option<Index>,
    /// The module calls of each open `.tf` buffer, by the version they were read at.
    buffer_calls: HashMap<PathBuf, (i32, Vec<PathBuf>)>,
    /// Whether each candidate file is a CloudFormation template, with the contents it was
    /// decided on: a file read again is classified again.
    is_template: HashMap<PathBuf, (Arc<[u8]>, bool)>,
}

impl Workspace {
    pub fn new(folders: Vec<PathBuf>, watched: bool) -> Workspace {
        Workspace {
            disk: Disk::new(watched),
            folders,
            index: None,
            buffer_calls: HashMap::new(),
            is_template: HashMap::new(),
        }
    }

    /// Forgets what the disk said about `path`.
    pub fn invalidate(&mut self, path: &Path) {
        self.disk.invalidate(path);
        self.is_template.remove(path);
    }

    fn in_folders(&self, path: &Path) -> bool {
        self.folders.iter().any(|folder| path.starts_with(folder))
    }

    fn index(&mut self) -> &Index {
        let fresh = self.index.as_ref().is_some_and(|index| {
            if self.disk.is_watched() {
                index.disk_generation == self.disk.generation()
            } else {
                index.built.elapsed() < UNWATCHED_TTL
            }
        });
        let index = if fresh { self.index.take() } else { None }.unwrap_or_else(|| self.build_index());
        self.index.insert(index)
    }

    fn build_index(&mut self) -> Index {
        let mut calls = BTreeMap::new();
        let mut template_candidates = Vec::new();
        let mut pending: Vec<(PathBuf, usize)> = self.folders.iter().map(|folder| (folder.clone(), 0)).collect();
        let mut n_dirs = 0;
        while let Some((dir, depth)) = pending.pop() {
            n_dirs += 1;
            if n_dirs > MAX_DIRS {
                break;
            }
            let entries = self.disk.list(&dir);
            for entry in entries.iter() {
                let Some(name) = entry.path.file_name().and_then(|name| name.to_str()) else { continue };
                if crate::analysis::is_hidden_name(name) {
                    continue;
                }
                if entry.is_dir {
                    if depth < MAX_DEPTH {
                        pending.push((entry.path.clone(), depth + 1));
                    }
                } else if entry.is_file && entry.len <= MAX_FILE_BYTES && is_tf(&entry.path) {
                    let Some(bytes) = self.disk.read(&entry.path) else { continue };
                    let called: Vec<PathBuf> = local_sources(&String::from_utf8_lossy(&bytes))
                        .iter()
                        .map(|source| normalize(&dir.join(source)))
                        .collect();
                    calls.insert(entry.path.clone(), called);
                } else if entry.is_plain_file && entry.len <= MAX_FILE_BYTES && is_template_candidate(&entry.path) {
                    template_candidates.push(entry.path.clone());
                }
            }
        }
        template_candidates.sort();
        Index { disk_generation: self.disk.generation(), built: Instant::now(), calls, template_candidates }
    }

    /// The root modules of the workspace that call the module in `directory`, directly or
    /// through other local modules; empty when nothing calls it (it is a root itself).
    pub fn calling_roots(&mut self, directory: &Path, overlay: &Overlay) -> Vec<PathBuf> {
        let directory = normalize(directory);
        if !self.in_folders(&directory) {
            return Vec::new();
        }
        // Open buffers of `.tf` files go over their files on disk.
        let mut open_calls: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
        for (path, (version, text)) in overlay {
            if !is_tf(path) || !self.in_folders(path) {
                continue;
            }
            let called = match self.buffer_calls.get(path) {
                Some((known, called)) if known == version => called.clone(),
                _ => {
                    let dir = path.parent().unwrap_or(Path::new(""));
                    let called: Vec<PathBuf> =
                        local_sources(text).iter().map(|source| normalize(&dir.join(source))).collect();
                    self.buffer_calls.insert(path.clone(), (*version, called.clone()));
                    called
                }
            };
            open_calls.push((path.clone(), called));
        }
        self.buffer_calls.retain(|path, _| overlay.contains_key(path));
        let index = self.index();
        let mut callers: BTreeMap<&Path, BTreeSet<PathBuf>> = BTreeMap::new();
        let from_disk = index.calls.iter().filter(|(path, _)| !overlay.contains_key(*path));
        for (file, called) in from_disk.chain(open_calls.iter().map(|(path, called)| (path, called))) {
            let Some(caller) = file.parent() else { continue };
            for target in called {
                if target.as_path() != caller {
                    callers.entry(target.as_path()).or_default().insert(caller.to_path_buf());
                }
            }
        }
        let mut roots = BTreeSet::new();
        let mut seen = BTreeSet::from([directory.clone()]);
        let mut frontier: Vec<PathBuf> = callers.get(directory.as_path()).into_iter().flatten().cloned().collect();
        while let Some(dir) = frontier.pop() {
            if seen.len() > MAX_CALLERS || !seen.insert(dir.clone()) {
                continue;
            }
            match callers.get(dir.as_path()) {
                Some(up) if !up.is_empty() => frontier.extend(up.iter().cloned()),
                _ => {
                    roots.insert(dir);
                }
            }
        }
        roots.into_iter().collect()
    }

    /// The CloudFormation templates of the workspace on disk other than `target`, at most
    /// `MAX_TEMPLATES`.
    pub fn templates(&mut self, target: &Path) -> Vec<(PathBuf, Arc<[u8]>)> {
        if !self.in_folders(target) {
            return Vec::new();
        }
        let candidates = self.index().template_candidates.clone();
        let mut out = Vec::new();
        for path in candidates {
            if out.len() >= MAX_TEMPLATES {
                break;
            }
            if path == target {
                continue;
            }
            let Some(bytes) = self.disk.read(&path) else { continue };
            let is_template = match self.is_template.get(&path) {
                Some((known, is_template)) if Arc::ptr_eq(known, &bytes) => *is_template,
                _ => {
                    let name = path.to_string_lossy();
                    let is_template =
                        rein_analysis::classify(&name, &bytes) == Some(rein_analysis::FileKind::CloudFormation);
                    if self.is_template.len() >= MAX_CLASSIFIED {
                        self.is_template.clear();
                    }
                    self.is_template.insert(path.clone(), (bytes.clone(), is_template));
                    is_template
                }
            };
            if is_template {
                out.push((path, bytes));
            }
        }
        out
    }
}

/// A file that may hold a CloudFormation template.
fn is_template_candidate(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ["yaml", "yml", "json", "template"].iter().any(|known| known.eq_ignore_ascii_case(ext)))
        && !path.to_string_lossy().ends_with(".tf.json")
}
