//! Benchmarks for the embedded catalogue: load, wildcard expansion, lookups, did-you-mean and
//! ARN template matching. Run with `cargo bench -p rein_catalog`.
//!
//! Before the timings, `main` prints the resident memory the loaded catalogue adds (Linux
//! only, from `/proc/self/statm`), since divan does not measure memory.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use divan::{Bencher, black_box};
use rein_catalog::Catalog;
use rein_catalog::arn::{ArnPattern, template_matches};

fn main() {
    report_rss();
    divan::main();
}

/// Resident set size in KiB, from `/proc/self/statm` (second field, in pages).
fn rss_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

fn report_rss() {
    let (Some(before), start) = (rss_kib(), std::time::Instant::now()) else {
        return;
    };
    let catalog = Catalog::load();
    let first = catalog.action("s3:GetObject").is_some();
    let elapsed = start.elapsed();
    // Touch everything once, as a long-running LSP session eventually would.
    let n_all = catalog.expand("*").len();
    let descriptions: usize = catalog.expand("*").iter().map(|action| action.description().len()).sum();
    let after = rss_kib().unwrap_or(before);
    println!(
        "catalogue: cold load + first lookup {elapsed:?} (found: {first}); {n_all} actions, {descriptions} description bytes; \
         RSS {before} KiB -> {after} KiB (+{} KiB); blob {} bytes",
        after.saturating_sub(before),
        catalog.meta().blob_bytes
    );
    black_box(catalog);
}

#[divan::bench]
fn load_and_first_lookup() -> bool {
    let catalog = Catalog::load();
    black_box(catalog.action(black_box("s3:GetObject")).is_some())
}

#[divan::bench(args = ["*", "s3:Get*", "*:Describe*", "iam:*Policy*", "s3:GetObject"])]
fn expand(bencher: Bencher<'_, '_>, pattern: &str) {
    let catalog = rein_catalog::catalog();
    bencher.bench(|| catalog.expand(black_box(pattern)).len());
}

#[divan::bench(args = ["s3:GetObject", "EC2:describeinstances", "s3:GetObjekt", "nosuch:Thing"])]
fn action(bencher: Bencher<'_, '_>, name: &str) {
    let catalog = rein_catalog::catalog();
    bencher.bench(|| catalog.action(black_box(name)).is_some());
}

#[divan::bench(args = ["s3:GetObjekt", "lamda:InvokeFunction", "s3:HeadObject", "ec2:DescribeInstance"])]
fn suggest_action(bencher: Bencher<'_, '_>, name: &str) {
    let catalog = rein_catalog::catalog();
    bencher.bench(|| catalog.suggest_action(black_box(name)));
}

#[divan::bench(args = ["aws:SourceIp", "aws:ResourceTag/team", "s3:prefix", "s3:ExistingObjectTag/env"])]
fn condition_key(bencher: Bencher<'_, '_>, key: &str) {
    let catalog = rein_catalog::catalog();
    bencher.bench(|| catalog.condition_key(black_box(key)).is_some());
}

const TEMPLATE_CASES: [(&str, &str); 4] = [
    ("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::reports/*"),
    ("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::reports/${aws:username}/*"),
    ("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:*:iam::*:role/app/*"),
    (
        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*",
    ),
];

#[divan::bench(args = [0, 1, 2, 3])]
fn template_match(bencher: Bencher<'_, '_>, case: usize) {
    let (template, pattern) = TEMPLATE_CASES[case];
    let pattern = ArnPattern::parse(pattern);
    bencher.bench(|| template_matches(black_box(template), black_box(&pattern)));
}

/// Parse + match against every resource type of the service, as a rule would.
#[divan::bench]
fn parse_and_match_all_s3_types(bencher: Bencher<'_, '_>) {
    let catalog = rein_catalog::catalog();
    let s3 = catalog.service("s3").unwrap();
    bencher.bench(|| {
        let pattern = ArnPattern::parse(black_box("arn:aws:s3:::reports/*"));
        s3.resource_types().filter(|res| res.matches(&pattern)).count()
    });
}
