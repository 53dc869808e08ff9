//! Every fixture, whole and cut at every line boundary, runs through the analysis without a
//! panic; and applying every safe and unsafe fix converges and never breaks the syntax.

mod common;

use std::path::{Path, PathBuf};

use rein_analysis::{SourceInput, analyze};
use rein_model::SyntaxIssueKind;
use rein_rules::Settings;

fn input(path: &str, text: &str) -> SourceInput {
    SourceInput {
        path: path.to_owned(),
        bytes: text.as_bytes().to_vec(),
        // Decided from the name and content, as for a file named on the command line.
        kind: None,
        policy_kind: None,
    }
}

fn has_syntax_error(name: &str, text: &str) -> bool {
    let analysis = analyze(vec![input(name, text)], &Settings::default());
    analysis.documents.iter().any(|doc| doc.issues.iter().any(|issue| issue.kind == SyntaxIssueKind::JsonSyntax))
}

#[test]
fn every_prefix_of_every_fixture_is_analysed() {
    for path in common::fixture_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut cuts: Vec<usize> = text.match_indices('\n').map(|(idx, _)| idx + 1).collect();
        cuts.push(text.len());
        for cut in cuts {
            let prefix = &text[..cut];
            let analysis = analyze(vec![input(&path.display().to_string(), prefix)], &Settings::default());
            for finding in &analysis.findings {
                let end = usize::from(finding.span.range.end());
                assert!(end <= prefix.len(), "{}: span past the end of the text", path.display());
            }
        }
    }
}

#[test]
fn fixes_converge_and_keep_the_syntax() {
    for path in common::fixture_files() {
        let name = match path.extension().and_then(|ext| ext.to_str()) {
            Some("tf") => "main.tf",
            Some("yaml") => "template.yaml",
            _ => "x.json",
        };
        let original = std::fs::read_to_string(&path).unwrap();
        let broken_before = has_syntax_error(name, &original);
        let mut text = original.clone();
        for _round in 0..10 {
            let analysis = analyze(vec![input(name, &text)], &Settings::default());
            let edits: Vec<_> =
                analysis.findings.iter().filter_map(|f| f.fixes.first()).flat_map(|fix| fix.edits.clone()).collect();
            if edits.is_empty() {
                break;
            }
            let next = rein_text::apply_edits(&text, &edits).unwrap();
            if next == text {
                break;
            }
            text = next;
            if !broken_before {
                assert!(!has_syntax_error(name, &text), "{}: a fix broke the syntax:\n{text}", path.display());
            }
        }
        let analysis = analyze(vec![input(name, &text)], &Settings::default());
        let remaining = analysis.findings.iter().filter(|f| !f.fixes.is_empty()).count();
        assert!(
            remaining == 0 || broken_before,
            "{}: fixes did not converge ({remaining} left):\n{text}",
            path.display()
        );
    }
}

/// Realistic, correct policies (AWS's own examples and common shapes) raise no finding at all:
/// a noisy security tool gets switched off.
#[test]
fn clean_policies_raise_nothing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/clean");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(files.len() >= 5);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let analysis = analyze(vec![input(&path.display().to_string(), &text)], &Settings::default());
        let shown: Vec<String> = analysis.findings.iter().map(|f| format!("{} {}", f.rule, f.message)).collect();
        assert!(shown.is_empty(), "{}:\n{}", path.display(), shown.join("\n"));
    }
}
