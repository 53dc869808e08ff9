//! The API boundary: source files in, policy documents and findings out.
//!
//! **Architecture invariant:** this crate does no IO and reads no environment. Files and
//! settings come in as values; the CLI and the language server are thin shells around it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

use rayon::prelude::*;
use rein_diagnostics::Finding;
use rein_model::json::{JsonRenderer, Likelihood, looks_like_policy, parse_policy};
use rein_model::{DocumentOrigin, PolicyDocument, PolicyKind, SourceSyntax, SpanMap, SyntaxIssue, SyntaxIssueKind};
use rein_rules::{CheckInput, Settings};
use rein_text::{FileId, SourceDb, Span, TextSize, range_from_offsets};

pub use rein_rules::Settings as RuleSettings;

/// What a file holds, decided from its content (and its name only where content cannot tell).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An IAM policy document in JSON.
    PolicyJson,
}

/// One input file as the caller read it.
#[derive(Clone, Debug)]
pub struct SourceInput {
    /// The path as the user gave it or as the walk found it; used only for display.
    pub path: String,
    pub bytes: Vec<u8>,
    /// What to read it as; `None` to decide from the content.
    pub kind: Option<FileKind>,
    /// The policy type, when the user declared it; `None` to infer it.
    pub policy_kind: Option<PolicyKind>,
}

/// Whether a file found by a directory walk should be analysed, and as what.
///
/// JSON files are policies when they look like one; broken JSON is analysed too, so that its
/// syntax error is reported. Other JSON (package manifests, templates) is skipped.
pub fn classify(path: &str, bytes: &[u8]) -> Option<FileKind> {
    let lower = path.to_ascii_lowercase();
    if !lower.ends_with(".json") {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    match looks_like_policy(&text) {
        Likelihood::Policy | Likelihood::Broken => Some(FileKind::PolicyJson),
        Likelihood::NotPolicy => None,
    }
}

/// The result of one analysis.
#[derive(Debug, Default)]
pub struct Analysis {
    pub db: SourceDb,
    /// The documents read, with the file each came from.
    pub documents: Vec<PolicyDocument>,
    /// Findings in report order: file, start, rule id.
    pub findings: Vec<Finding>,
}

/// Reads every input into the model and runs the enabled rules.
pub fn analyze(inputs: Vec<SourceInput>, settings: &Settings) -> Analysis {
    let mut db = SourceDb::new();
    let mut pending = Vec::with_capacity(inputs.len());
    for input in inputs {
        let (text, invalid_at) = decode(&input.bytes);
        let file = db.add(input.path, text);
        pending.push((file, invalid_at, input.policy_kind));
    }
    // Files are independent: read them in parallel; the order of `documents` stays the input order.
    let documents: Vec<PolicyDocument> = pending
        .into_par_iter()
        .filter_map(|(file, invalid_at, policy_kind)| {
            let source = db.get(file)?;
            let origin = DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None };
            Some(match invalid_at {
                Some(offset) => unreadable(file, offset, policy_kind, origin),
                None => parse_policy(&source.text, &SpanMap::identity(file, TextSize::from(0)), policy_kind, origin),
            })
        })
        .collect();
    let renderers: Vec<JsonRenderer<'_>> = documents
        .iter()
        .map(|doc| JsonRenderer { file: doc.span.file, text: db.get(doc.span.file).map_or("", |f| f.text.as_str()) })
        .collect();
    let inputs: Vec<CheckInput<'_>> = documents
        .iter()
        .zip(&renderers)
        .map(|(document, renderer)| CheckInput {
            document,
            renderer: (document.origin.syntax == SourceSyntax::Json)
                .then_some(renderer as &dyn rein_model::EditRenderer),
        })
        .collect();
    let findings = rein_rules::check(&inputs, settings);
    Analysis { db, documents, findings }
}

/// Decodes UTF-8, replacing invalid sequences; returns the offset of the first invalid byte.
fn decode(bytes: &[u8]) -> (String, Option<usize>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), None),
        Err(err) => (String::from_utf8_lossy(bytes).into_owned(), Some(err.valid_up_to())),
    }
}

fn unreadable(file: FileId, offset: usize, kind: Option<PolicyKind>, origin: DocumentOrigin) -> PolicyDocument {
    let span = Span::new(file, range_from_offsets(offset, offset + 1));
    let mut doc = PolicyDocument::empty(span, origin);
    if let Some(kind) = kind {
        doc.kind = kind;
        doc.kind_source = rein_model::KindSource::Declared;
    }
    doc.issues.push(SyntaxIssue {
        kind: SyntaxIssueKind::JsonSyntax,
        span,
        message: "file is not valid UTF-8".to_owned(),
    });
    doc
}
