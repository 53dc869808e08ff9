//! Every fix that any rule offers on the repository's fixtures, applied on its own: the edits
//! apply, the file reads again without new syntax errors, the text outside the edited ranges is
//! unchanged, and the finding the fix was for is gone.
//!
//! `fixtures/fixes/` holds a case of each condition-inserting fix in each syntax (policy JSON,
//! `jsonencode`, heredoc and quoted-string JSON, `aws_iam_policy_document`, template YAML in
//! block and flow style, template JSON, and policy JSON inside a template string), so the test
//! also checks that those fixes are offered at all.

mod common;

use std::collections::BTreeSet;

use rein_analysis::{Analysis, SourceInput, analyze};
use rein_model::SyntaxIssueKind;
use rein_rules::Settings;
use rein_text::TextEdit;

fn run(name: &str, text: &str) -> Analysis {
    let input = SourceInput { path: name.to_owned(), bytes: text.as_bytes().to_vec(), kind: None, policy_kind: None };
    analyze(vec![input], &Settings { preview: true, ..Settings::default() })
}

fn syntax_errors(analysis: &Analysis) -> usize {
    analysis
        .documents
        .iter()
        .flat_map(|doc| &doc.issues)
        .filter(|issue| issue.kind == SyntaxIssueKind::JsonSyntax)
        .count()
}

/// How many findings of `rule` say `message`.
fn count(analysis: &Analysis, rule: &str, message: &str) -> usize {
    analysis.findings.iter().filter(|finding| finding.rule == rule && finding.message == message).count()
}

/// Checks that the text outside `edits` is the same in `before` and `after`.
fn assert_only_edited_ranges_changed(before: &str, after: &str, edits: &[TextEdit]) {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|edit| (edit.span.range.start(), edit.span.range.end()));
    let (mut before_at, mut after_at) = (0, 0);
    for edit in sorted {
        let start = usize::from(edit.span.range.start());
        let kept = &before[before_at..start];
        assert_eq!(&after[after_at..after_at + kept.len()], kept, "text before an edit changed");
        after_at += kept.len() + edit.new_text.len();
        before_at = usize::from(edit.span.range.end());
    }
    assert_eq!(&after[after_at..], &before[before_at..], "text after the last edit changed");
}

#[test]
fn every_fix_applies_reparses_and_removes_its_finding() {
    let mut fixed_rules = BTreeSet::new();
    let mut n_fixes = 0;
    for path in common::fixture_files() {
        let file_name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        // Named as a walk would find them: templates by their content, Terraform by `.tf`.
        let name = if file_name.ends_with(".tf") { "main.tf".to_owned() } else { file_name.to_owned() };
        let text = std::fs::read_to_string(&path).unwrap();
        let analysis = run(&name, &text);
        let errors_before = syntax_errors(&analysis);
        for finding in &analysis.findings {
            for fix in &finding.fixes {
                let shown = format!("{}: {} `{}` ({})", path.display(), finding.rule, finding.message, fix.title);
                assert!(!fix.edits.is_empty(), "{shown}: a fix without edits");
                assert!(
                    fix.edits.iter().all(|edit| edit.span.file == finding.span.file),
                    "{shown}: edits another file"
                );
                let fixed = rein_text::apply_edits(&text, &fix.edits)
                    .unwrap_or_else(|| panic!("{shown}: the edits overlap or lie outside the file"));
                assert_only_edited_ranges_changed(&text, &fixed, &fix.edits);
                let again = run(&name, &fixed);
                assert!(syntax_errors(&again) <= errors_before, "{shown}: the fix breaks the syntax:\n{fixed}");
                assert!(
                    count(&again, finding.rule, &finding.message) < count(&analysis, finding.rule, &finding.message),
                    "{shown}: the finding stays after the fix:\n{fixed}"
                );
                fixed_rules.insert(finding.rule);
                n_fixes += 1;
            }
        }
    }
    assert!(n_fixes > 0, "the fixtures offer no fix");
    for rule in
        ["IAM201", "IAM202", "IAM301", "IAM302", "IAM303", "IAM304", "IAM305", "IAM306", "IAM415", "IAM603", "IAM606"]
    {
        assert!(fixed_rules.contains(rule), "no fixture offers a fix of {rule}; fixed: {fixed_rules:?}");
    }
}
