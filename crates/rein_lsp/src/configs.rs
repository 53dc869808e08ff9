//! The `rein.toml` files of the open documents: found upward from each document's directory
//! as `rein check` finds them, read with `rein_config`, and cached by path until a change to
//! one (on disk or in its buffer) is announced.
//!
//! A file with an error keeps its last good configuration (or none, so the defaults), and its
//! error is published as a diagnostic on the file itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{Diagnostic, DiagnosticSeverity, Position, Range};
use rein_config::{Config, ConfigError};

use crate::proto::PositionEncoding;

/// One configuration file as last read.
#[derive(Debug, Default)]
pub struct Entry {
    /// The last configuration the file gave without error.
    pub good: Option<Arc<Config>>,
    /// What is wrong with the file as last read, and the text it was read from.
    pub error: Option<(ConfigError, String)>,
}

#[derive(Debug, Default)]
pub struct Configs {
    /// The file found for a directory (`None`: there is none above it).
    located: BTreeMap<PathBuf, Option<PathBuf>>,
    entries: BTreeMap<PathBuf, Entry>,
    /// Counts changes, so that the worker knows when a cached analysis used an older file.
    generation: u64,
}

/// Whether `path` names a configuration file.
pub fn is_config(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == rein_config::FILE_NAME)
}

impl Configs {
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The configuration file for a document in `directory`, found upward and remembered.
    pub fn locate(&mut self, directory: &Path) -> Option<PathBuf> {
        if let Some(found) = self.located.get(directory) {
            return found.clone();
        }
        let found = rein_config::find(directory);
        self.located.insert(directory.to_path_buf(), found.clone());
        found
    }

    /// The entry of the file at `path`, if it was read.
    pub fn get(&self, path: &Path) -> Option<&Entry> {
        self.entries.get(path)
    }

    /// Reads the file at `path` from `text` (its open buffer) or from disk, keeping the last
    /// good configuration when the new text has an error.
    pub fn load(&mut self, path: &Path, text: Option<&str>) -> &Entry {
        let read = match text {
            Some(text) => Ok(text.to_owned()),
            None => std::fs::read_to_string(path),
        };
        let display = path.to_string_lossy().into_owned();
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let parsed = match read {
            Ok(text) => rein_config::parse(&text, &display, root).map_err(|err| (err, text)),
            Err(err) => Err((
                ConfigError {
                    path: display,
                    line: 1,
                    column: 1,
                    message: format!("cannot read the configuration file: {}", lowercase_first(&err.to_string())),
                },
                String::new(),
            )),
        };
        self.generation += 1;
        let entry = self.entries.entry(path.to_path_buf()).or_default();
        match parsed {
            Ok(config) => {
                entry.good = Some(Arc::new(config));
                entry.error = None;
            }
            Err(error) => entry.error = Some(error),
        }
        entry
    }

    /// Forgets where the files of directories are, since one may have appeared or gone away.
    pub fn forget_locations(&mut self) {
        self.located.clear();
        self.generation += 1;
    }

    /// Forgets the file at `path` entirely (it was deleted).
    pub fn remove(&mut self, path: &Path) {
        self.entries.remove(path);
        self.forget_locations();
    }
}

/// The diagnostics of a configuration file entry: its error, if any.
pub fn diagnostics(entry: &Entry, encoding: PositionEncoding) -> Vec<Diagnostic> {
    let Some((error, text)) = &entry.error else { return Vec::new() };
    let start = position(text, error.line, error.column, encoding);
    let end = Position { line: start.line, character: start.character + 1 };
    vec![Diagnostic {
        range: Range { start, end },
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some("rein".to_owned()),
        message: error.message.clone(),
        ..Diagnostic::default()
    }]
}

/// The protocol position of a one-based line and column (in characters) of `text`.
fn position(text: &str, line: usize, column: usize, encoding: PositionEncoding) -> Position {
    let line_text = text.split('\n').nth(line.saturating_sub(1)).unwrap_or_default();
    let before = line_text.chars().take(column.saturating_sub(1));
    let character: usize = match encoding {
        PositionEncoding::Utf8 => before.map(char::len_utf8).sum(),
        PositionEncoding::Utf16 => before.map(char::len_utf16).sum(),
    };
    let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Position { line: to_u32(line.saturating_sub(1)), character: to_u32(character) }
}

/// IO errors start with a capital; rein's messages do not (STYLE.md §4).
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_keeps_its_last_good_configuration() {
        let mut configs = Configs::default();
        let path = Path::new("/w/rein.toml");
        assert!(configs.load(path, Some("ignore = [\"IAM006\"]\n")).error.is_none());
        let entry = configs.load(path, Some("ignore = [\"IAM006\"]\nselect = [\"NOPE1\"]\n"));
        let good = entry.good.as_ref().unwrap();
        assert_eq!(good.ignore, vec!["IAM006".to_owned()]);
        let diagnostics = diagnostics(entry, PositionEncoding::Utf16);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].range.start, Position { line: 1, character: 10 });
        assert!(diagnostics[0].message.contains("NOPE1"), "{}", diagnostics[0].message);
    }

    #[test]
    fn columns_follow_the_encoding() {
        assert_eq!(position("a\n😀x = 1", 2, 2, PositionEncoding::Utf16), Position { line: 1, character: 2 });
        assert_eq!(position("a\n😀x = 1", 2, 2, PositionEncoding::Utf8), Position { line: 1, character: 4 });
        assert_eq!(position("", 5, 9, PositionEncoding::Utf16), Position { line: 4, character: 0 });
    }
}
