//! Parse and lowering of a large `.tf` file (issue 4 target: 2,000 lines in under 5 ms).
//! Run with `cargo bench -p rein_hcl`.
#![allow(clippy::unwrap_used)]

use divan::{Bencher, black_box};
use rein_text::FileId;

fn main() {
    divan::main();
}

/// Concatenates the fixtures, renaming blocks so that names stay unique, until `lines` lines.
fn big_file(lines: usize) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/frontends/hcl");
    let pieces: Vec<String> = ["heredoc.tf", "jsonencode.tf", "policy_document.tf", "quoted_string.tf"]
        .iter()
        .map(|name| std::fs::read_to_string(format!("{dir}/{name}")).unwrap())
        .collect();
    let mut out = String::new();
    let mut copy = 0;
    while out.lines().count() < lines {
        for piece in &pieces {
            // Suffix every block name so that copies are distinct resources and data sources.
            let renamed = piece
                .replace("\" {\n", &format!("_{copy}\" {{\n"))
                .replace("aws_iam_policy_document.ec2_trust", &format!("aws_iam_policy_document.ec2_trust_{copy}"))
                .replace("aws_iam_policy_document.deny_leave", &format!("aws_iam_policy_document.deny_leave_{copy}"));
            out.push_str(&renamed);
            out.push('\n');
        }
        copy += 1;
    }
    out
}

#[divan::bench(args = [2_000])]
fn analyze_file(bencher: Bencher<'_, '_>, lines: usize) {
    let text = big_file(lines);
    assert_clean(&text);
    bencher.bench(|| rein_hcl::analyze_file(FileId(0), black_box(&text)));
}

/// Fails the bench if the input has syntax errors: error recovery takes other paths than a clean
/// parse, so a broken generated input would measure the wrong thing.
fn assert_clean(text: &str) {
    let issues = rein_hcl::syntax_issues(FileId(0), text);
    assert!(issues.is_empty(), "the generated input has syntax errors: {issues:?}");
}

/// The parser's floor: a `locals` block of `lines` one-token attributes (`a = 1`), the simplest
/// input that still goes through the expression rules. It shows what the parser costs per
/// attribute independent of policy content.
#[divan::bench(args = [2_000])]
fn parse_floor(bencher: Bencher<'_, '_>, lines: usize) {
    let text = format!("locals {{\n{}}}\n", "  a = 1\n".repeat(lines));
    assert_clean(&text);
    bencher.bench(|| rein_hcl::syntax_issues(FileId(0), black_box(&text)));
}

/// The parse alone (tree and syntax errors) of the input of `analyze_file`.
#[divan::bench(args = [2_000])]
fn parse_only(bencher: Bencher<'_, '_>, lines: usize) {
    let text = big_file(lines);
    assert_clean(&text);
    bencher.bench(|| rein_hcl::syntax_issues(FileId(0), black_box(&text)));
}
