//! Findings as the rules report them: rule id, severity, message, primary span, labels and fixes.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

use std::fmt;

use rein_text::Span;

/// How serious a finding is. The order is `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }

    /// One step down, as scoping conditions lower risk findings (RULES.md §0.2 S7).
    pub fn downgraded(self) -> Severity {
        match self {
            Severity::Error => Severity::Warning,
            Severity::Warning | Severity::Info => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a fix may be applied without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown as a suggestion, never applied automatically.
    DisplayOnly,
    /// Changes effective permissions; applied only on explicit request.
    Unsafe,
    /// Keeps effective permissions, or only touches formatting.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// A text edit: replace the text of a span.
pub use rein_text::TextEdit as Edit;

/// A titled set of edits that together repair one finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    /// Imperative, e.g. "Replace with `s3:GetObject`".
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(title: impl Into<String>, applicability: Applicability, edits: Vec<Edit>) -> Self {
        Self { title: title.into(), applicability, edits }
    }
}

/// A secondary location with a short message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One reported problem.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    /// The rule's stable id, e.g. `IAM106`.
    pub rule: &'static str,
    /// The rule's kebab-case name, e.g. `action-resource-type-mismatch`.
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The narrowest span that shows the problem.
    pub span: Span,
    pub labels: Vec<Label>,
    /// Extra lines of advice ("did you mean …").
    pub notes: Vec<String>,
    pub fixes: Vec<Fix>,
    /// The parts of the finding that a suppression may name on their own, e.g. `symbols` of
    /// `IAM403/symbols`: a finding about several missing settings lists one per setting.
    pub sub_codes: Vec<&'static str>,
}

impl Finding {
    pub fn new(
        rule: &'static str,
        name: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            name,
            severity,
            message: message.into(),
            span,
            labels: Vec::new(),
            notes: Vec::new(),
            fixes: Vec::new(),
            sub_codes: Vec::new(),
        }
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    /// The order every report uses: file, start, end, rule id, message.
    pub fn sort_key(&self) -> (Span, &'static str, &str) {
        (self.span, self.rule, self.message.as_str())
    }
}

/// Sorts findings into report order and removes exact duplicates.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
}
