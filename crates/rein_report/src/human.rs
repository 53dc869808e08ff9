//! The human report: rustc-style code frames (annotate-snippets) and a closing summary line.

use std::io::{self, Write};
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};
use anstyle::{AnsiColor, Style};
use rein_diagnostics::{Applicability, Finding, Fix, Severity};
use rein_text::{ColumnUnit, FileId, SourceDb, SourceFile, TextRange};

use crate::{Summary, clamp_range};

/// How the human report looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HumanOptions {
    /// Emit ANSI colours.
    pub color: bool,
    /// Print only the summary line.
    pub quiet: bool,
}

/// Writes every finding as a code frame, then the summary line.
pub fn write(
    out: &mut dyn Write,
    db: &SourceDb,
    findings: &[Finding],
    summary: &Summary,
    options: &HumanOptions,
) -> io::Result<()> {
    if !options.quiet {
        for finding in findings {
            out.write_all(render_finding(db, finding, options.color).as_bytes())?;
            out.write_all(b"\n\n")?;
        }
    }
    out.write_all(render_summary(summary, options.color).as_bytes())?;
    out.write_all(b"\n")
}

/// One finding as a code frame, without a trailing newline.
pub fn render_finding(db: &SourceDb, finding: &Finding, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let title = level(finding.severity).primary_title(finding.message.as_str()).id(finding.rule);

    // The primary file first, then any other file a label points into, in first-seen order.
    let mut files = vec![finding.span.file];
    for label in &finding.labels {
        if !files.contains(&label.span.file) {
            files.push(label.span.file);
        }
    }
    let mut snippets = Vec::new();
    for file_id in files {
        let Some(file) = db.get(file_id) else { continue };
        let mut marks: Vec<(TextRange, Option<&str>, bool)> = Vec::new();
        if file_id == finding.span.file {
            marks.push((finding.span.range, None, true));
        }
        for label in finding.labels.iter().filter(|label| label.span.file == file_id) {
            marks.push((label.span.range, Some(label.message.as_str()), false));
        }
        let excerpt = Excerpt::new(file, marks.iter().map(|(range, _, _)| *range));
        let mut snippet = Snippet::source(excerpt.text).line_start(excerpt.first_line).path(file.path.as_str());
        for (range, message, primary) in marks {
            let kind = if primary { AnnotationKind::Primary } else { AnnotationKind::Context };
            snippet = snippet.annotation(kind.span(excerpt.local(range)).label(message));
        }
        snippets.push(snippet);
    }
    let notes = finding.notes.iter().map(|note| Level::NOTE.message(note.as_str()));
    let mut report = vec![title.elements(snippets).elements(notes)];
    for fix in &finding.fixes {
        report.push(fix_group(db, fix));
    }
    renderer.render(&report)
}

fn fix_group<'a>(db: &'a SourceDb, fix: &'a Fix) -> Group<'a> {
    let suffix = match fix.applicability {
        Applicability::Safe => "safe fix",
        Applicability::Unsafe => "unsafe fix",
        Applicability::DisplayOnly => "suggestion",
    };
    let title = Level::HELP.secondary_title(format!("{} ({suffix})", fix.title));
    let mut files: Vec<FileId> = Vec::new();
    for edit in &fix.edits {
        if !files.contains(&edit.span.file) {
            files.push(edit.span.file);
        }
    }
    let mut snippets = Vec::new();
    for file_id in files {
        let Some(file) = db.get(file_id) else { continue };
        let edits: Vec<_> = fix.edits.iter().filter(|edit| edit.span.file == file_id).collect();
        let excerpt = Excerpt::new(file, edits.iter().map(|edit| edit.span.range));
        let mut snippet = Snippet::source(excerpt.text).line_start(excerpt.first_line).path(file.path.as_str());
        for edit in edits {
            snippet = snippet.patch(Patch::new(excerpt.local(edit.span.range), edit.new_text.as_str()));
        }
        snippets.push(snippet);
    }
    if snippets.is_empty() { Group::with_title(title) } else { title.elements(snippets) }
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// The whole lines of a file that cover some ranges, so that a frame never hands the renderer a
/// whole (possibly huge) file.
struct Excerpt<'a> {
    text: &'a str,
    /// Byte offset of `text` in the file.
    base: usize,
    /// One-based line number of the first line of `text`.
    first_line: usize,
}

impl<'a> Excerpt<'a> {
    fn new(file: &'a SourceFile, ranges: impl Iterator<Item = TextRange>) -> Excerpt<'a> {
        let mut cover: Option<Range<usize>> = None;
        for range in ranges {
            let range = clamp_range(&file.text, range);
            cover = Some(match cover {
                Some(cover) => cover.start.min(range.start)..cover.end.max(range.end),
                None => range,
            });
        }
        let cover = cover.unwrap_or(0..0);
        let index = &file.line_index;
        let first = index.line_col(rein_text::size_from_usize(cover.start), ColumnUnit::Utf8).line;
        let last = index.line_col(rein_text::size_from_usize(cover.end), ColumnUnit::Utf8).line;
        let start = index.line_range(first).map_or(0, |range| usize::from(range.start()));
        let end = index.line_range(last).map_or(file.text.len(), |range| usize::from(range.end())).max(start);
        let text = file.text.get(start..end).unwrap_or_default();
        Excerpt { text, base: start, first_line: first as usize + 1 }
    }

    /// `range` (file offsets) as offsets into the excerpt, clamped to it.
    fn local(&self, range: TextRange) -> Range<usize> {
        let clamp = |offset: usize| {
            let mut offset = offset.saturating_sub(self.base).min(self.text.len());
            while !self.text.is_char_boundary(offset) {
                offset -= 1;
            }
            offset
        };
        let start = clamp(usize::from(range.start()));
        let end = clamp(usize::from(range.end())).max(start);
        start..end
    }
}

/// `Found 3 problems (1 error, 2 warnings) in 2 of 4 files` or `No problems found in 4 files`.
pub fn render_summary(summary: &Summary, color: bool) -> String {
    let n_findings = summary.n_findings();
    let text = if n_findings == 0 {
        format!("No problems found in {}", plural(summary.n_files, "file", "files"))
    } else {
        let mut parts = Vec::new();
        for (count, one, many) in [
            (summary.n_errors, "error", "errors"),
            (summary.n_warnings, "warning", "warnings"),
            (summary.n_infos, "info", "infos"),
        ] {
            if count > 0 {
                parts.push(plural(count, one, many));
            }
        }
        let files = if summary.n_files_with_findings == summary.n_files {
            plural(summary.n_files, "file", "files")
        } else {
            format!("{} of {}", summary.n_files_with_findings, plural(summary.n_files, "file", "files"))
        };
        format!("Found {} ({}) in {files}", plural(n_findings, "problem", "problems"), parts.join(", "))
    };
    if !color {
        return text;
    }
    let style = if summary.n_errors > 0 {
        Style::new().bold().fg_color(Some(AnsiColor::Red.into()))
    } else if n_findings > 0 {
        Style::new().bold().fg_color(Some(AnsiColor::Yellow.into()))
    } else {
        Style::new().bold().fg_color(Some(AnsiColor::Green.into()))
    };
    format!("{style}{text}{style:#}")
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// One value that could not be known statically, as `--show-unknown` lists it.
pub struct UnknownLine<'a> {
    pub span: rein_text::Span,
    /// The owning IaC resource, when the document has one.
    pub owner: Option<&'a str>,
    pub element: String,
    pub reason: &'a str,
}

/// Renders the `--show-unknown` section: every value that no rule could check, with its place.
pub fn render_unknowns(db: &SourceDb, unknowns: &[UnknownLine<'_>]) -> String {
    let mut out = format!("Unknown values ({}):\n", unknowns.len());
    if unknowns.is_empty() {
        out.push_str("  none: every policy value was known statically\n");
    }
    for unknown in unknowns {
        let place = match db.get(unknown.span.file) {
            Some(file) => {
                let pos = file.line_index.line_col(unknown.span.range.start(), ColumnUnit::Char);
                format!("{}:{}:{}", file.path, pos.line + 1, pos.col + 1)
            }
            None => "?".to_owned(),
        };
        let owner = unknown.owner.map(|owner| format!(" {owner}")).unwrap_or_default();
        out.push_str(&format!("  {place}{owner}: {} ({})\n", unknown.element, unknown.reason));
    }
    out
}

#[cfg(test)]
mod tests {
    use rein_text::{Span, TextEdit, range_from_offsets};

    use super::*;

    fn db_with(text: &str) -> (SourceDb, FileId) {
        let mut db = SourceDb::new();
        let file = db.add("policy.json", text);
        (db, file)
    }

    #[test]
    fn frame_points_at_the_span() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Resource\": \"arn:aws:s3:::b\"\n}\n";
        let (db, file) = db_with(text);
        let start = text.find("\"arn").unwrap();
        let span = Span::new(file, range_from_offsets(start, start + 16));
        let finding = Finding::new("IAM106", "x", Severity::Error, span, "wrong resource type")
            .with_label(Span::new(file, range_from_offsets(4, 13)), "declared here")
            .with_note("did you mean `arn:aws:s3:::b/*`?")
            .with_fix(Fix::new(
                "Add `/*`",
                Applicability::Unsafe,
                vec![TextEdit::replace(span, "\"arn:aws:s3:::b/*\"")],
            ));
        let rendered = render_finding(&db, &finding, false);
        let expected = r#"error[IAM106]: wrong resource type
 --> policy.json:3:15
  |
2 |   "Version": "2012-10-17",
  |   --------- declared here
3 |   "Resource": "arn:aws:s3:::b"
  |               ^^^^^^^^^^^^^^^^
  |
  = note: did you mean `arn:aws:s3:::b/*`?
help: Add `/*` (unsafe fix)
  |
3 |   "Resource": "arn:aws:s3:::b/*"
  |                              ++"#;
        assert_eq!(rendered, expected, "\n{rendered}");
    }

    #[test]
    fn empty_and_out_of_range_spans_render() {
        for text in ["", "{", "{\n", "h\u{e9}\u{e9}"] {
            let (db, file) = db_with(text);
            for (start, end) in [(0, 0), (text.len(), text.len()), (2, 99), (1, 2)] {
                let span = Span::new(file, range_from_offsets(start, end));
                let finding = Finding::new("IAM001", "x", Severity::Error, span, "broken");
                assert!(render_finding(&db, &finding, true).contains("IAM001"));
            }
        }
    }

    #[test]
    fn summary_line() {
        let summary = |n_files, n_files_with_findings, n_errors, n_warnings, n_infos| Summary {
            n_files,
            n_files_with_findings,
            n_errors,
            n_warnings,
            n_infos,
        };
        assert_eq!(render_summary(&summary(4, 0, 0, 0, 0), false), "No problems found in 4 files");
        assert_eq!(render_summary(&summary(1, 0, 0, 0, 0), false), "No problems found in 1 file");
        assert_eq!(render_summary(&summary(2, 2, 1, 2, 0), false), "Found 3 problems (1 error, 2 warnings) in 2 files");
        assert_eq!(render_summary(&summary(3, 1, 0, 0, 1), false), "Found 1 problem (1 info) in 1 of 3 files");
        assert!(render_summary(&summary(1, 1, 1, 0, 0), true).starts_with('\u{1b}'));
    }
}
