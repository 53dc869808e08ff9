//! What the analyses read from disk beside the open buffers: directory listings and file
//! contents, kept between keystrokes.
//!
//! When the client announces file changes (`workspace/didChangeWatchedFiles`, registered at
//! start-up), a cached entry is trusted until an announced change reaches it. Without such a
//! client, each entry is checked against the file's modification time and length before use,
//! which costs a `stat` but no read.
//!
//! The cache is bounded: past `MAX_ENTRIES` entries it starts over, so a huge workspace costs
//! reads again, never memory without end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// Files and directories kept at most; past this the cache is emptied.
const MAX_ENTRIES: usize = 4096;

/// What tells a file's or directory's state without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp { modified: meta.modified().ok(), len: meta.len() })
}

/// One entry of a directory listing.
#[derive(Clone, Debug)]
pub struct Entry {
    pub path: PathBuf,
    /// A directory itself, not a link to one (links are not followed, so a loop is not walked).
    pub is_dir: bool,
    /// A regular file itself, not a link to one.
    pub is_plain_file: bool,
    /// A file, or a link to one.
    pub is_file: bool,
    /// The length of a plain file.
    pub len: u64,
}

struct CachedFile {
    stamp: Option<Stamp>,
    bytes: Option<Arc<[u8]>>,
}

struct CachedDir {
    stamp: Option<Stamp>,
    entries: Arc<[Entry]>,
}

pub struct Disk {
    /// The client announces changes, so entries need no `stat`.
    watched: bool,
    files: HashMap<PathBuf, CachedFile>,
    dirs: HashMap<PathBuf, CachedDir>,
    /// Bumped on every change seen, so that what is computed from the disk knows it is stale.
    generation: u64,
}

impl Disk {
    pub fn new(watched: bool) -> Disk {
        Disk { watched, files: HashMap::new(), dirs: HashMap::new(), generation: 0 }
    }

    /// Entries cached while watched have stamps too, so they are checked from now on.
    pub fn set_watched(&mut self, watched: bool) {
        self.watched = watched;
        self.generation += 1;
    }

    pub fn is_watched(&self) -> bool {
        self.watched
    }

    /// Grows with each invalidation; equal generations saw the same disk (when watched).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn make_room(&mut self) {
        if self.files.len() + self.dirs.len() >= MAX_ENTRIES {
            self.files.clear();
            self.dirs.clear();
            self.generation += 1;
        }
    }

    /// The contents of the file at `path`, `None` when it cannot be read.
    pub fn read(&mut self, path: &Path) -> Option<Arc<[u8]>> {
        let current = if self.watched { None } else { stamp(path) };
        if let Some(cached) = self.files.get(path)
            && (self.watched || cached.stamp == current)
        {
            return cached.bytes.clone();
        }
        let current = if self.watched { stamp(path) } else { current };
        let bytes: Option<Arc<[u8]>> = std::fs::read(path).ok().map(Arc::from);
        self.make_room();
        self.files.insert(path.to_path_buf(), CachedFile { stamp: current, bytes: bytes.clone() });
        bytes
    }

    /// The entries of the directory at `path`, sorted by path; empty when it cannot be read.
    pub fn list(&mut self, path: &Path) -> Arc<[Entry]> {
        let current = if self.watched { None } else { stamp(path) };
        if let Some(cached) = self.dirs.get(path)
            && (self.watched || cached.stamp == current)
        {
            return cached.entries.clone();
        }
        let current = if self.watched { stamp(path) } else { current };
        let mut entries: Vec<Entry> = std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| {
                let path = entry.path();
                let own = entry.file_type().ok();
                let is_dir = own.is_some_and(|kind| kind.is_dir());
                let is_plain_file = own.is_some_and(|kind| kind.is_file());
                let is_file = is_plain_file || (own.is_some_and(|kind| kind.is_symlink()) && path.is_file());
                let len = if is_plain_file { entry.metadata().map_or(0, |meta| meta.len()) } else { 0 };
                Entry { path, is_dir, is_plain_file, is_file, len }
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let entries: Arc<[Entry]> = entries.into();
        self.make_room();
        self.dirs.insert(path.to_path_buf(), CachedDir { stamp: current, entries: entries.clone() });
        entries
    }

    /// Forgets what is known about `path`: the file, the listing of its directory, and when it
    /// is a directory everything below it.
    pub fn invalidate(&mut self, path: &Path) {
        self.generation += 1;
        self.files.remove(path);
        self.dirs.remove(path);
        if let Some(parent) = path.parent() {
            self.dirs.remove(parent);
        }
        if self.files.keys().chain(self.dirs.keys()).any(|known| known.starts_with(path) && known != path) {
            self.files.retain(|known, _| !known.starts_with(path));
            self.dirs.retain(|known, _| !known.starts_with(path));
        }
    }

    /// How many files and directories are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.files.len() + self.dirs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rein-lsp-disk-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_watched_cache_keeps_contents_until_a_change_is_announced() {
        let dir = temp_dir("watched");
        let file = dir.join("a.tf");
        std::fs::write(&file, "one").unwrap();
        let mut disk = Disk::new(true);
        assert_eq!(disk.read(&file).as_deref(), Some(&b"one"[..]));
        assert_eq!(disk.list(&dir).len(), 1);
        std::fs::write(&file, "two, longer").unwrap();
        std::fs::write(dir.join("b.tf"), "").unwrap();
        // Not announced yet: the cache answers.
        assert_eq!(disk.read(&file).as_deref(), Some(&b"one"[..]));
        assert_eq!(disk.list(&dir).len(), 1);
        disk.invalidate(&file);
        assert_eq!(disk.read(&file).as_deref(), Some(&b"two, longer"[..]));
        assert_eq!(disk.list(&dir).len(), 2);
        // A deleted directory takes what is below it along.
        disk.invalidate(&dir);
        assert_eq!(disk.len(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_cache_that_stops_being_watched_checks_its_entries() {
        let dir = temp_dir("unwatched-later");
        let file = dir.join("a.tf");
        std::fs::write(&file, "one").unwrap();
        let mut disk = Disk::new(true);
        assert_eq!(disk.read(&file).as_deref(), Some(&b"one"[..]));
        std::fs::write(&file, "four").unwrap();
        assert_eq!(disk.read(&file).as_deref(), Some(&b"one"[..]));
        disk.set_watched(false);
        assert_eq!(disk.read(&file).as_deref(), Some(&b"four"[..]));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unwatched_cache_notices_changes_by_their_stamp() {
        let dir = temp_dir("stamped");
        let file = dir.join("a.tf");
        std::fs::write(&file, "one").unwrap();
        let mut disk = Disk::new(false);
        assert_eq!(disk.read(&file).as_deref(), Some(&b"one"[..]));
        std::fs::write(&file, "three").unwrap();
        assert_eq!(disk.read(&file).as_deref(), Some(&b"three"[..]));
        std::fs::remove_file(&file).unwrap();
        assert_eq!(disk.read(&file), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
