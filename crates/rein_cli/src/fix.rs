//! `--fix`, `--unsafe-fixes` and `--diff`: choosing the fixes of one round, applying them per
//! file, and checking that every fixed file still parses.
//!
//! A round takes the first applicable fix of every reported finding, file by file, and skips a
//! fix whose edits overlap an edit already chosen (two insertions at one offset count as
//! overlapping, since their order would be a guess). The caller analyses the fixed text again
//! and runs another round, so a skipped fix gets its turn once the text it needs is settled.

use std::collections::BTreeMap;

use rein_analysis::{FileKind, SourceInput, kind_of_named_file};
use rein_diagnostics::{Applicability, Edit, Finding};
use rein_model::{DocumentOrigin, SourceSyntax, SpanMap, SyntaxIssueKind};
use rein_text::{FileId, SourceDb, TextSize};

/// The most rounds of fixing; fixes that need more are left for the next run.
pub const MAX_ROUNDS: usize = 4;

/// The edits chosen in one round, per file path, and how many fixes they make up.
#[derive(Debug, Default)]
pub struct Round {
    pub edits: BTreeMap<String, Vec<Edit>>,
    pub n_fixes: BTreeMap<String, usize>,
}

impl Round {
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }
}

/// Chooses the fixes to apply from `findings` (in report order): safe ones, and unsafe ones when
/// `allow_unsafe`; display-only fixes never.
pub fn choose(db: &SourceDb, findings: &[Finding], allow_unsafe: bool) -> Round {
    let mut round = Round::default();
    let mut chosen: BTreeMap<FileId, Vec<Edit>> = BTreeMap::new();
    for finding in findings {
        let applicable = finding.fixes.iter().find(|fix| match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => allow_unsafe,
            Applicability::DisplayOnly => false,
        });
        let Some(fix) = applicable else { continue };
        if fix.edits.is_empty() {
            continue;
        }
        // The same fix reached through two findings (a duplicate reported twice) is made once.
        if fix.edits.iter().all(|edit| chosen.get(&edit.span.file).is_some_and(|edits| edits.contains(edit))) {
            continue;
        }
        let clashes = fix.edits.iter().any(|edit| {
            chosen.get(&edit.span.file).is_some_and(|edits| edits.iter().any(|other| overlaps(edit, other)))
        });
        // Edits of one fix that overlap each other cannot all be made.
        let self_clash = fix
            .edits
            .iter()
            .enumerate()
            .any(|(idx, edit)| fix.edits.iter().skip(idx + 1).any(|other| overlaps(edit, other)));
        if clashes || self_clash {
            continue;
        }
        for edit in &fix.edits {
            chosen.entry(edit.span.file).or_default().push(edit.clone());
        }
        if let Some(file) = fix.edits.first().and_then(|edit| db.get(edit.span.file)) {
            *round.n_fixes.entry(file.path.clone()).or_default() += 1;
        }
    }
    for (file, edits) in chosen {
        if let Some(source) = db.get(file) {
            round.edits.insert(source.path.clone(), edits);
        }
    }
    round
}

fn overlaps(a: &Edit, b: &Edit) -> bool {
    if a.span.file != b.span.file {
        return false;
    }
    let (a, b) = (a.span.range, b.span.range);
    (a.start() < b.end() && b.start() < a.end()) || (a.start() == b.start() && (a.is_empty() || b.is_empty()))
}

/// Applies `edits` to the text of `input`. Returns the new text, or the reason the file must
/// not be written: the edits do not fit the text, or the result has a syntax error the file did
/// not have. (A syntax error that was there before, such as a duplicate key a rule reports,
/// does not stop the fixes of other findings.)
pub fn apply(input: &SourceInput, edits: &[Edit]) -> Result<String, String> {
    let text = std::str::from_utf8(&input.bytes).map_err(|_| "the file is not valid UTF-8".to_owned())?;
    let fixed = rein_text::apply_edits(text, edits).ok_or_else(|| "the fixes do not fit the file".to_owned())?;
    let kind = input.kind.unwrap_or_else(|| kind_of_named_file(&input.path, fixed.as_bytes()));
    let mut before = syntax_errors(kind, text);
    let after = syntax_errors(kind, &fixed);
    if after.len() <= before.len() {
        return Ok(fixed);
    }
    // Name an error that is new, as far as the messages tell.
    let new = after
        .iter()
        .find(|message| match before.iter().position(|old| old == *message) {
            Some(idx) => {
                before.swap_remove(idx);
                false
            }
            None => true,
        })
        .or(after.first())
        .cloned()
        .unwrap_or_default();
    Err(format!("the fixed file would not parse ({new}), so it was not written"))
}

/// The syntax errors of `text` read as `kind` by its frontend.
pub fn syntax_errors(kind: FileKind, text: &str) -> Vec<String> {
    let file = FileId(0);
    match kind {
        FileKind::PolicyJson => {
            let origin = DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None, branch: false };
            let doc = rein_model::json::parse_policy(text, &SpanMap::identity(file, TextSize::from(0)), None, origin);
            doc.issues
                .into_iter()
                .filter(|issue| {
                    matches!(
                        issue.kind,
                        SyntaxIssueKind::JsonSyntax | SyntaxIssueKind::DuplicateKey | SyntaxIssueKind::NotAnObject
                    )
                })
                .map(|issue| issue.message)
                .collect()
        }
        FileKind::Terraform => {
            rein_hcl::analyze_file(file, text).issues.into_iter().map(|(_, message)| message).collect()
        }
        FileKind::CloudFormation => {
            let mut errors: Vec<String> =
                rein_cfn::analyze_template(file, text).issues.into_iter().map(|(_, message)| message).collect();
            if errors.is_empty() && !rein_cfn::is_template(text) {
                errors.push("it no longer reads as a CloudFormation template".to_owned());
            }
            errors
        }
        // Plans are read-only and templates are read only through the modules that use them:
        // neither is ever fixed.
        FileKind::TerraformPlan | FileKind::TerraformTemplate => vec!["rein does not fix this kind of file".to_owned()],
    }
}

/// A unified diff of one file, with `a/` and `b/` headers.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rein_text::Span;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit::replace(Span::from_offsets(FileId(0), start, end), text)
    }

    #[test]
    fn overlapping_edits_and_insertions_at_one_point_clash() {
        assert!(overlaps(&edit(0, 5, "a"), &edit(4, 6, "b")));
        assert!(!overlaps(&edit(0, 5, "a"), &edit(5, 6, "b")));
        assert!(overlaps(&edit(3, 3, "a"), &edit(3, 3, "b")));
        assert!(overlaps(&edit(3, 3, "a"), &edit(3, 6, "b")));
        assert!(!overlaps(&edit(3, 3, "a"), &edit(0, 3, "b")));
    }

    #[test]
    fn a_fix_that_breaks_the_syntax_is_refused() {
        let input = SourceInput {
            path: "p.json".to_owned(),
            bytes: br#"{"Statement": []}"#.to_vec(),
            kind: Some(FileKind::PolicyJson),
            policy_kind: None,
        };
        assert_eq!(apply(&input, &[edit(14, 16, "[1]")]).unwrap(), r#"{"Statement": [1]}"#);
        let err = apply(&input, &[edit(14, 16, "[")]).unwrap_err();
        assert!(err.contains("would not parse"), "{err}");
        // A duplicate key that was there before does not stop a fix elsewhere; a new one does.
        let input = SourceInput { bytes: br#"{"A": 1, "A": 2, "B": 3}"#.to_vec(), ..input };
        assert_eq!(apply(&input, &[edit(22, 23, "4")]).unwrap(), r#"{"A": 1, "A": 2, "B": 4}"#);
        let err = apply(&input, &[edit(18, 19, "A")]).unwrap_err();
        assert!(err.contains("duplicate key"), "{err}");
    }
}
