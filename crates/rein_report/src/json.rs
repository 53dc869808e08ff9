//! The JSON report of `rein check --format json`: its serde types and the renderer.
//!
//! The shape is described by `schemas/report.schema.json`. Fields are only ever added, never
//! renamed or removed.

use std::io::{self, Write};

use rein_diagnostics::{Finding, Fix, Label};
use rein_text::{SourceDb, TextEdit};
use serde::{Deserialize, Serialize};

use crate::{OneBasedRange, Summary, ToolInfo, locate};

/// The whole report: one JSON object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonReport {
    /// The rein version that wrote the report.
    pub version: String,
    pub catalog: JsonCatalog,
    pub summary: JsonSummary,
    /// Findings sorted by file, position and rule id.
    pub diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonCatalog {
    pub source: String,
    pub date: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonSummary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// A one-based position range; columns count characters, `end_column` is just past the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonPosition {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonDiagnostic {
    /// The stable id, e.g. `IAM106`.
    pub rule: String,
    /// The kebab-case name, e.g. `action-resource-type-mismatch`.
    pub name: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// The path as it was found or given.
    pub file: String,
    #[serde(flatten)]
    pub position: JsonPosition,
    pub message: String,
    pub labels: Vec<JsonLabel>,
    pub notes: Vec<String>,
    pub fixes: Vec<JsonFix>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonLabel {
    pub file: String,
    #[serde(flatten)]
    pub position: JsonPosition,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonFix {
    pub title: String,
    /// `safe`, `unsafe` or `display-only`.
    pub applicability: String,
    pub edits: Vec<JsonEdit>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonEdit {
    /// The file the edit applies to; the finding's file except in rare cross-file fixes.
    pub file: String,
    #[serde(flatten)]
    pub position: JsonPosition,
    pub new_text: String,
}

impl From<OneBasedRange> for JsonPosition {
    fn from(range: OneBasedRange) -> JsonPosition {
        JsonPosition { line: range.line, column: range.column, end_line: range.end_line, end_column: range.end_column }
    }
}

/// Builds the report for `findings`, whose spans point into `db`.
pub fn report(db: &SourceDb, findings: &[Finding], summary: &Summary, tool: &ToolInfo) -> JsonReport {
    JsonReport {
        version: tool.version.clone(),
        catalog: JsonCatalog { source: tool.catalog_source.clone(), date: tool.catalog_date.clone() },
        summary: JsonSummary {
            files: summary.n_files,
            errors: summary.n_errors,
            warnings: summary.n_warnings,
            infos: summary.n_infos,
        },
        diagnostics: findings.iter().map(|finding| diagnostic(db, finding)).collect(),
    }
}

fn diagnostic(db: &SourceDb, finding: &Finding) -> JsonDiagnostic {
    let (file, position) = locate(db, finding.span);
    JsonDiagnostic {
        rule: finding.rule.to_owned(),
        name: finding.name.to_owned(),
        severity: finding.severity.as_str().to_owned(),
        file,
        position: position.into(),
        message: finding.message.clone(),
        labels: finding.labels.iter().map(|label| json_label(db, label)).collect(),
        notes: finding.notes.clone(),
        fixes: finding.fixes.iter().map(|fix| json_fix(db, fix)).collect(),
    }
}

fn json_label(db: &SourceDb, label: &Label) -> JsonLabel {
    let (file, position) = locate(db, label.span);
    JsonLabel { file, position: position.into(), message: label.message.clone() }
}

fn json_fix(db: &SourceDb, fix: &Fix) -> JsonFix {
    JsonFix {
        title: fix.title.clone(),
        applicability: fix.applicability.as_str().to_owned(),
        edits: fix.edits.iter().map(|edit| json_edit(db, edit)).collect(),
    }
}

fn json_edit(db: &SourceDb, edit: &TextEdit) -> JsonEdit {
    let (file, position) = locate(db, edit.span);
    JsonEdit { file, position: position.into(), new_text: edit.new_text.clone() }
}

/// The report as pretty-printed JSON with a trailing newline.
pub fn to_string(report: &JsonReport) -> String {
    // Serializing plain structs of strings and integers cannot fail; an empty object keeps the
    // output valid JSON should that ever change.
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// Writes the report for `findings` to `out`.
pub fn write(
    out: &mut dyn Write,
    db: &SourceDb,
    findings: &[Finding],
    summary: &Summary,
    tool: &ToolInfo,
) -> io::Result<()> {
    out.write_all(to_string(&report(db, findings, summary, tool)).as_bytes())
}

#[cfg(test)]
mod tests {
    use rein_diagnostics::{Applicability, Severity};
    use rein_text::{Span, range_from_offsets};

    use super::*;

    #[test]
    fn shape_is_stable() {
        let mut db = SourceDb::new();
        let text = "{\n  \"Resource\": \"\u{e9}arn\"\n}\n";
        let file = db.add("dir/p.json", text);
        let start = text.find("arn").unwrap();
        let span = Span::new(file, range_from_offsets(start, start + 3));
        let finding = Finding::new("IAM106", "action-resource-type-mismatch", Severity::Error, span, "bad `arn`")
            .with_label(Span::new(file, range_from_offsets(0, 1)), "here")
            .with_note("a note")
            .with_fix(Fix::new("Replace it", Applicability::Unsafe, vec![TextEdit::replace(span, "x")]));
        let findings = vec![finding];
        let tool =
            ToolInfo { version: "0.1.0".into(), catalog_source: "src 1".into(), catalog_date: "2026-01-02".into() };
        let report = report(&db, &findings, &Summary::new(1, &findings), &tool);
        let value: serde_json::Value = serde_json::from_str(&to_string(&report)).unwrap();
        let expected = serde_json::json!({
            "version": "0.1.0",
            "catalog": {"source": "src 1", "date": "2026-01-02"},
            "summary": {"files": 1, "errors": 1, "warnings": 0, "infos": 0},
            "diagnostics": [{
                "rule": "IAM106",
                "name": "action-resource-type-mismatch",
                "severity": "error",
                "file": "dir/p.json",
                "line": 2, "column": 17, "end_line": 2, "end_column": 20,
                "message": "bad `arn`",
                "labels": [{"file": "dir/p.json", "line": 1, "column": 1, "end_line": 1, "end_column": 2, "message": "here"}],
                "notes": ["a note"],
                "fixes": [{
                    "title": "Replace it",
                    "applicability": "unsafe",
                    "edits": [{"file": "dir/p.json", "line": 2, "column": 17, "end_line": 2, "end_column": 20, "new_text": "x"}]
                }]
            }]
        });
        assert_eq!(value, expected);
        let round_trip: JsonReport = serde_json::from_value(value).unwrap();
        assert_eq!(round_trip, report);
    }
}
