//! Parse and lowering of a large YAML template (issue 5 target: 3,000 lines in under 10 ms).
//! Run with `cargo bench -p rein_cfn`.
#![allow(clippy::unwrap_used)]

use divan::{Bencher, black_box};
use rein_text::FileId;

fn main() {
    divan::main();
}

/// Repeats the resources of the fixture, renaming logical ids so that they stay unique, until
/// `lines` lines.
fn big_template(lines: usize) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/frontends/cfn/roles.cfn.yaml");
    let fixture = std::fs::read_to_string(path).unwrap();
    let (head, resources) = fixture.split_once("Resources:\n").unwrap();
    let mut out = format!("{head}Resources:\n");
    let mut copy = 0;
    while out.lines().count() < lines {
        for line in resources.lines() {
            let is_logical_id = line.starts_with("  ") && !line.starts_with("   ") && line.ends_with(':');
            if is_logical_id {
                out.push_str(&format!("{}{copy}:\n", line.trim_end_matches(':')));
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
        copy += 1;
    }
    out
}

#[divan::bench(args = [3_000])]
fn analyze_template(bencher: Bencher<'_, '_>, lines: usize) {
    let text = big_template(lines);
    bencher.bench(|| rein_cfn::analyze_template(FileId(0), black_box(&text)));
}

#[divan::bench(args = [3_000])]
fn is_template(bencher: Bencher<'_, '_>, lines: usize) {
    let text = big_template(lines);
    bencher.bench(|| rein_cfn::is_template(black_box(&text)));
}
