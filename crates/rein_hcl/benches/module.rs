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
    bencher.bench(|| rein_hcl::analyze_file(FileId(0), black_box(&text)));
}

#[divan::bench(args = [2_000])]
fn parse_only(bencher: Bencher<'_, '_>, lines: usize) {
    let text = big_file(lines);
    bencher.bench(|| {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&tree_sitter_hcl::LANGUAGE.into()).unwrap();
        parser.parse(black_box(&text), None)
    });
}
