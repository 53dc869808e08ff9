//! Findings as protocol diagnostics: the rule id as `code`, a link to the rule's docs, the
//! labels as related information, and the fixes in `data` so that a code action needs no
//! second analysis.

use std::path::Path;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, Range, TextEdit, Uri,
};
use rein_analysis::Analysis;
use rein_diagnostics::{Applicability, Finding, Severity};
use rein_text::{FileId, Span};
use serde::{Deserialize, Serialize};

use crate::proto::{self, PositionEncoding};

/// Where the documentation of a rule lives; `rein rule <ID>` prints the same text.
pub fn rule_docs_url(rule: &str) -> String {
    format!("{}/blob/main/docs/rules/{rule}.md", env!("CARGO_PKG_REPOSITORY"))
}

/// What travels in `Diagnostic.data`: the fixes of the finding as protocol edits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticData {
    pub fixes: Vec<FixData>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixData {
    pub title: String,
    /// `safe`, `unsafe` or `display-only`.
    pub applicability: String,
    pub edits: Vec<FileEdits>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEdits {
    pub uri: Uri,
    /// The version of the document the edits were computed for, when it is the analysed
    /// document; a client that takes versioned edits refuses them once the document changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    pub edits: Vec<TextEdit>,
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The protocol range of a span, when its file is in the analysis.
fn span_range(analysis: &Analysis, encoding: PositionEncoding, span: Span) -> Option<Range> {
    let source = analysis.db.get(span.file)?;
    Some(proto::range(&source.line_index, encoding, span.range))
}

/// The URI of a file of the analysis: the target's own URI, or the file's path as a URI.
fn file_uri(analysis: &Analysis, file: FileId, target: (FileId, &Uri)) -> Option<Uri> {
    if file == target.0 {
        return Some(target.1.clone());
    }
    proto::path_to_uri(Path::new(&analysis.db.get(file)?.path))
}

/// The diagnostics of one file of the analysis, for the document `uri` at `version`.
///
/// A module read from two calling roots yields the same finding once per root: it is kept once.
pub fn file_diagnostics(
    analysis: &Analysis,
    file: FileId,
    uri: &Uri,
    version: i32,
    encoding: PositionEncoding,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for finding in analysis.findings.iter().filter(|finding| finding.span.file == file) {
        let Some(diagnostic) = to_diagnostic(analysis, finding, (file, uri, version), encoding) else { continue };
        // Findings are sorted by start, so a copy sits among those of the same start.
        let copy = out
            .iter()
            .rev()
            .take_while(|other| other.range.start == diagnostic.range.start)
            .any(|other| *other == diagnostic);
        if !copy {
            out.push(diagnostic);
        }
    }
    out
}

fn to_diagnostic(
    analysis: &Analysis,
    finding: &Finding,
    target: (FileId, &Uri, i32),
    encoding: PositionEncoding,
) -> Option<Diagnostic> {
    let range = span_range(analysis, encoding, finding.span)?;
    let related: Vec<DiagnosticRelatedInformation> = finding
        .labels
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: file_uri(analysis, label.span.file, (target.0, target.1))?,
                    range: span_range(analysis, encoding, label.span)?,
                },
                message: label.message.clone(),
            })
        })
        .collect();
    let fixes: Vec<FixData> = finding
        .fixes
        .iter()
        .filter_map(|fix| {
            let mut by_file: Vec<FileEdits> = Vec::new();
            for edit in &fix.edits {
                let edit_file = edit.span.file;
                let uri = file_uri(analysis, edit.span.file, (target.0, target.1))?;
                let edit =
                    TextEdit { range: span_range(analysis, encoding, edit.span)?, new_text: edit.new_text.clone() };
                match by_file.iter_mut().find(|entry| entry.uri == uri) {
                    Some(entry) => entry.edits.push(edit),
                    None => {
                        let version = (edit_file == target.0).then_some(target.2);
                        by_file.push(FileEdits { uri, version, edits: vec![edit] });
                    }
                }
            }
            (!by_file.is_empty()).then(|| FixData {
                title: fix.title.clone(),
                applicability: fix.applicability.as_str().to_owned(),
                edits: by_file,
            })
        })
        .collect();
    let mut message = finding.message.clone();
    for note in &finding.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    Some(Diagnostic {
        range,
        severity: Some(severity(finding.severity)),
        code: Some(lsp_types::NumberOrString::String(finding.rule.to_owned())),
        code_description: rule_docs_url(finding.rule).parse().ok().map(|href| CodeDescription { href }),
        source: Some("rein".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: if fixes.is_empty() { None } else { serde_json::to_value(DiagnosticData { fixes }).ok() },
    })
}

/// Whether a fix of this applicability may be the preferred action (applied by "fix all").
pub fn is_preferred(applicability: &str) -> bool {
    applicability == Applicability::Safe.as_str()
}
