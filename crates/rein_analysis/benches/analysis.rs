//! Benchmarks of the analysis entry point with default settings, on generated policy JSON:
//! a typical identity policy, a large policy with many wildcard statements, and a batch of 200
//! policies in one call; plus the JSON reader alone on the large policy.
//! Run with `cargo bench -p rein_analysis`.
//!
//! `main` prints the input sizes first, so the figures can be read as throughput.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::sync::LazyLock;

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use rein_analysis::{FileKind, RuleSettings, SourceInput, analyze};
use rein_model::json::parse_policy;
use rein_model::{DocumentOrigin, SourceSyntax, SpanMap};
use rein_text::{FileId, TextSize};

fn main() {
    let batch_bytes: usize = BATCH.iter().map(String::len).sum();
    println!(
        "inputs: typical {} bytes / {} lines; big {} bytes / {} statements; batch {} policies / {} bytes",
        TYPICAL.len(),
        TYPICAL.lines().count(),
        BIG.len(),
        BIG_STATEMENTS,
        BATCH.len(),
        batch_bytes,
    );
    divan::main();
}

/// A typical hand-written identity policy (30 lines): read a bucket, write one prefix, use one
/// KMS key, with one condition.
const TYPICAL: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ListReports",
      "Effect": "Allow",
      "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
      "Resource": "arn:aws:s3:::acme-reports",
      "Condition": {
        "StringLike": { "s3:prefix": ["team-a/*"] }
      }
    },
    {
      "Sid": "ReadWriteReports",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      "Resource": "arn:aws:s3:::acme-reports/team-a/*"
    },
    {
      "Sid": "UseReportKey",
      "Effect": "Allow",
      "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
      "Resource": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    },
    {
      "Effect": "Deny",
      "Action": "s3:DeleteBucket",
      "Resource": "*"
    }
  ]
}
"#;

const BIG_STATEMENTS: usize = 40;

/// Actions mixing exact names, service wildcards, prefix and infix wildcards, `?`, an unknown
/// action and full `*`, so that expansion, did-you-mean and the wildcard rules all run.
const ACTION_POOL: &[&str] = &[
    "s3:GetObject",
    "s3:Get*",
    "s3:*Object*",
    "ec2:Describe*",
    "ec2:RunInstances",
    "iam:PassRole",
    "iam:*Policy*",
    "iam:Get*",
    "kms:*",
    "lambda:InvokeFunction",
    "lambda:Update*",
    "dynamodb:?etItem",
    "dynamodb:Query",
    "logs:CreateLog*",
    "sts:AssumeRole",
    "sqs:*",
    "*:Describe*",
    "s3:GetObjekt",
    "*",
];

/// Resources mixing `*`, wildcarded ARNs, policy variables and exact ARNs.
const RESOURCE_POOL: &[&str] = &[
    "*",
    "arn:aws:s3:::acme-{i}",
    "arn:aws:s3:::acme-{i}/*",
    "arn:aws:s3:::acme-{i}/${aws:username}/*",
    "arn:aws:iam::111122223333:role/app-{i}/*",
    "arn:aws:ec2:*:111122223333:instance/*",
    "arn:aws:dynamodb:eu-west-1:111122223333:table/t{i}",
    "arn:aws:lambda:eu-west-1:111122223333:function:f{i}",
    "arn:aws:logs:*:*:log-group:/aws/lambda/f{i}:*",
    "arn:aws:kms:*:111122223333:key/*",
];

/// A large policy (about 6.5 KB) of 40 statements, one or two lines each.
static BIG: LazyLock<String> = LazyLock::new(|| big_policy(BIG_STATEMENTS));

fn big_policy(n: usize) -> String {
    let mut out = String::from("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n");
    for i in 0..n {
        let effect = if i % 7 == 6 { "Deny" } else { "Allow" };
        let actions: Vec<String> =
            (0..1 + i % 3).map(|k| format!("\"{}\"", ACTION_POOL[(i * 5 + k * 3) % ACTION_POOL.len()])).collect();
        let resources: Vec<String> = (0..1 + i % 2)
            .map(|k| {
                let template = RESOURCE_POOL[(i * 3 + k * 7) % RESOURCE_POOL.len()];
                format!("\"{}\"", template.replace("{i}", &i.to_string()))
            })
            .collect();
        let _ = write!(
            out,
            "    {{\"Sid\": \"S{i}\", \"Effect\": \"{effect}\", \"Action\": [{}],\n     \"Resource\": [{}]",
            actions.join(", "),
            resources.join(", ")
        );
        if i % 5 == 0 {
            out.push_str(",\n     \"Condition\": {\"StringEquals\": {\"aws:RequestedRegion\": \"eu-west-1\"}}");
        }
        out.push_str(if i + 1 == n { "}\n" } else { "},\n" });
    }
    out.push_str("  ]\n}\n");
    out
}

/// 200 policies: variants of the typical one (different bucket names), with every tenth one a
/// small wildcard-heavy policy instead.
static BATCH: LazyLock<Vec<String>> = LazyLock::new(|| batch(200));

/// A configuration of 500 policies, for the cost of the rules against the cost of reading.
static BATCH_500: LazyLock<Vec<String>> = LazyLock::new(|| batch(500));

fn batch(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            if i % 10 == 9 {
                big_policy(4).replace("acme-", &format!("batch{i}-"))
            } else {
                TYPICAL.replace("acme-reports", &format!("acme-reports-{i}"))
            }
        })
        .collect()
}

fn input(path: String, text: &str) -> SourceInput {
    SourceInput { path, bytes: text.as_bytes().to_vec(), kind: Some(FileKind::PolicyJson), policy_kind: None }
}

fn bench_analyze(bencher: Bencher<'_, '_>, texts: &[&str]) {
    bench_analyze_with(bencher, texts, &RuleSettings::default());
}

fn bench_analyze_with(bencher: Bencher<'_, '_>, texts: &[&str], settings: &RuleSettings) {
    let bytes: usize = texts.iter().map(|text| text.len()).sum();
    bencher
        .counter(BytesCount::new(bytes))
        .with_inputs(|| {
            texts.iter().enumerate().map(|(i, text)| input(format!("policies/p{i}.json"), text)).collect::<Vec<_>>()
        })
        .bench_local_values(|inputs| {
            let analysis = analyze(inputs, settings);
            analysis.findings.len()
        });
}

/// (a) One typical 30-line identity policy.
#[divan::bench]
fn analyze_typical(bencher: Bencher<'_, '_>) {
    bench_analyze(bencher, &[TYPICAL]);
}

/// (b) One ~6 KB policy of 40 statements mixing wildcards.
#[divan::bench]
fn analyze_big(bencher: Bencher<'_, '_>) {
    bench_analyze(bencher, &[BIG.as_str()]);
}

/// (c) 200 policies in one call.
#[divan::bench]
fn analyze_batch_200(bencher: Bencher<'_, '_>) {
    let texts: Vec<&str> = BATCH.iter().map(String::as_str).collect();
    bench_analyze(bencher, &texts);
}

/// (d) 500 policies with every rule.
#[divan::bench]
fn analyze_batch_500_all_rules(bencher: Bencher<'_, '_>) {
    let texts: Vec<&str> = BATCH_500.iter().map(String::as_str).collect();
    bench_analyze(bencher, &texts);
}

/// (d') The same 500 policies read with no rule enabled: the cost of reading alone.
#[divan::bench]
fn analyze_batch_500_no_rules(bencher: Bencher<'_, '_>) {
    let texts: Vec<&str> = BATCH_500.iter().map(String::as_str).collect();
    let settings = RuleSettings { ignore: vec!["all".to_owned()], ..RuleSettings::default() };
    bench_analyze_with(bencher, &texts, &settings);
}

/// The JSON reader alone on (b).
#[divan::bench]
fn parse_policy_big(bencher: Bencher<'_, '_>) {
    let text = BIG.as_str();
    let map = SpanMap::identity(FileId(0), TextSize::from(0));
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let origin = DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None, branch: false };
        let doc = parse_policy(black_box(text), &map, None, origin);
        doc.statements.len()
    });
}

/// The 500 policies with one rule selected at a time, to show where the time of the rules goes.
#[divan::bench(args = rein_rules::all_rules().iter().map(|rule| rule.meta().id))]
fn analyze_batch_500_one_rule(bencher: Bencher<'_, '_>, rule: &str) {
    let settings = RuleSettings { select: vec![rule.to_owned()], preview: true, ..RuleSettings::default() };
    let texts: Vec<&str> = BATCH_500.iter().map(String::as_str).collect();
    bench_analyze_with(bencher, &texts, &settings);
}

/// (b) with one rule selected at a time, to show where the time of `analyze_big` goes.
#[divan::bench(args = rein_rules::all_rules().iter().map(|rule| rule.meta().id))]
fn analyze_big_one_rule(bencher: Bencher<'_, '_>, rule: &str) {
    let settings = RuleSettings { select: vec![rule.to_owned()], preview: true, ..RuleSettings::default() };
    let text = BIG.as_str();
    bencher
        .with_inputs(|| vec![input("policies/big.json".to_owned(), text)])
        .bench_local_values(|inputs| analyze(inputs, &settings).findings.len());
}
