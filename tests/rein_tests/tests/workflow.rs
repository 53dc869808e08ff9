//! The sample CI workflow, end to end: the rein commands of `docs/ci/github-workflow.yml` run
//! in order against fixtures in a temporary directory. The baseline is written, the check step
//! (as `action.yml` composes it, `--format sarif --output FILE`) writes SARIF that is valid
//! against the official schema, the baseline hides the accepted findings, a new finding is the
//! only one reported, and the fix step leaves files that parse with the fixed finding gone.
//!
//! This file holds a single test on purpose: it changes the process's working directory, as
//! the workflow's commands use paths relative to the checkout.

use std::ffi::OsString;
use std::fs;
use std::path::Path;

mod common;

/// The SARIF file the check step writes: valid against the official schema, with one result
/// per reported finding, given as (rule, file).
fn sarif_results(path: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(path).unwrap_or_else(|err| panic!("no SARIF file {}: {err}", path.display()));
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    common::assert_valid_sarif(&common::sarif_validator(), &path.display().to_string(), &sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    results
        .iter()
        .map(|result| {
            let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            (result["ruleId"].as_str().unwrap().to_owned(), uri.as_str().unwrap().to_owned())
        })
        .collect()
}

struct Outcome {
    stdout: String,
    stderr: String,
    code: i32,
}

/// Runs one command line of the workflow (`rein check …`), split on spaces as the shell would
/// split these simple lines.
fn run(command: &str) -> Outcome {
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"rein"), "not a rein command: {command}");
    let mut args: Vec<OsString> = words.iter().map(OsString::from).collect();
    // A fixed date keeps the catalogue's staleness out of the outcome.
    args.splice(2..2, [OsString::from("--today"), OsString::from("2026-11-23")]);
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = rein_cli::run_with(args, &mut stdout, &mut stderr, false);
    Outcome {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code,
    }
}

/// The commands of the workflow: every `run: rein …` line, and the check that the action step
/// (`uses: example/rein@…`) composes from its `paths` and `args`, as `action.yml` does.
struct Workflow {
    write_baseline: String,
    check: String,
    fix: String,
    /// The `sarif-file` the action step names.
    sarif_file: String,
}

fn workflow() -> Workflow {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let text = fs::read_to_string(root.join("docs/ci/github-workflow.yml")).unwrap();
    let runs: Vec<String> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("run: "))
        .filter(|command| command.starts_with("rein "))
        .map(str::to_owned)
        .collect();
    let find = |needle: &str| {
        runs.iter().find(|command| command.contains(needle)).cloned().unwrap_or_else(|| panic!("no `{needle}` step"))
    };
    let mut lines = text.lines().skip_while(|line| !line.contains("uses: example/rein@"));
    assert!(lines.next().is_some(), "the workflow does not use the action");
    let mut paths = ".".to_owned();
    let mut args = String::new();
    let mut sarif_file = "rein.sarif".to_owned();
    for line in lines.take_while(|line| !line.trim_start().starts_with("- ")) {
        if let Some(value) = line.trim().strip_prefix("paths: ") {
            value.clone_into(&mut paths);
        } else if let Some(value) = line.trim().strip_prefix("args: ") {
            value.clone_into(&mut args);
        } else if let Some(value) = line.trim().strip_prefix("sarif-file: ") {
            value.clone_into(&mut sarif_file);
        }
    }
    // `action.yml`: rein check --format sarif --output "$REIN_SARIF" "${args[@]}" "${paths[@]}"
    let action = fs::read_to_string(root.join("action.yml")).unwrap();
    assert!(action.contains(r#"rein check --format sarif --output "$REIN_SARIF" "${args[@]}" "${paths[@]}""#));
    Workflow {
        write_baseline: find("--write-baseline"),
        check: format!("rein check --format sarif --output {sarif_file} {args} {paths}"),
        fix: find("--fix"),
        sarif_file,
    }
}

const MAIN_TF: &str = r#"resource "aws_iam_policy" "deploy" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}
"#;

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Reader:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::reports
"#;

const NEW_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["logs:GetLogEvents", "logs:GetLogEvents"],
      "Resource": "arn:aws:logs:eu-west-1:111122223333:log-group:app:*"
    }
  ]
}
"#;

#[test]
fn the_sample_workflow_runs_end_to_end() {
    let steps = workflow();
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("infra/stacks")).unwrap();
    fs::write(dir.path().join("infra/main.tf"), MAIN_TF).unwrap();
    fs::write(dir.path().join("infra/stacks/reader.yaml"), TEMPLATE).unwrap();
    let original_dir = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();

    // The checkout has findings today; the baseline accepts them.
    let before = run(&steps.check.replace("--baseline .rein-baseline.json", ""));
    assert_eq!(before.code, 1, "{}{}", before.stdout, before.stderr);
    let written = run(&steps.write_baseline);
    assert_eq!(written.code, 0, "{}{}", written.stdout, written.stderr);
    assert!(written.stdout.contains("to the baseline `.rein-baseline.json`"), "{}", written.stdout);

    // The check step passes: every finding is in the baseline. The report goes to the SARIF
    // file, so the closing note goes to stderr.
    let sarif = dir.path().join(&steps.sarif_file);
    let check = run(&steps.check);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert_eq!(check.stdout, "", "the report went to the SARIF file");
    assert!(check.stderr.contains("hidden by the baseline"), "{}", check.stderr);
    assert!(!check.stderr.contains("0 findings hidden"), "{}", check.stderr);
    assert_eq!(sarif_results(&sarif), []);

    // Lines added above the accepted findings, and a new policy with a finding of its own: only
    // the new finding is reported.
    fs::write(dir.path().join("infra/main.tf"), format!("# Deploys the app.\n\n{MAIN_TF}")).unwrap();
    fs::write(dir.path().join("infra/logs.json"), NEW_POLICY).unwrap();
    let check = run(&steps.check);
    assert_eq!(check.code, 0, "IAM109 is info, below the default --fail-on: {}{}", check.stdout, check.stderr);
    assert_eq!(sarif_results(&sarif), [("IAM109".to_owned(), "infra/logs.json".to_owned())]);
    let json = run(&format!(
        "{} --format json",
        steps.check.replace(&format!("--format sarif --output {}", steps.sarif_file), "")
    ));
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let found: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rule"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("IAM109", "infra/logs.json")]);

    // The fix step removes the duplicate; every file still parses, and nothing else changed.
    let fixed = run(&steps.fix);
    assert_eq!(fixed.code, 0, "{}{}", fixed.stdout, fixed.stderr);
    assert!(fixed.stdout.contains("Fixed 1 problem in 1 file"), "{}", fixed.stdout);
    assert_eq!(
        fs::read_to_string(dir.path().join("infra/logs.json")).unwrap(),
        NEW_POLICY.replace(r#"["logs:GetLogEvents", "logs:GetLogEvents"]"#, r#"["logs:GetLogEvents"]"#)
    );
    assert_eq!(fs::read_to_string(dir.path().join("infra/stacks/reader.yaml")).unwrap(), TEMPLATE);
    let parse = run("rein check --select IAM001 --fail-on info infra");
    assert_eq!(parse.code, 0, "a fixed file does not parse: {}", parse.stdout);
    let after = run(&steps.check);
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
    assert_eq!(sarif_results(&sarif), [], "the fixed finding is gone");

    std::env::set_current_dir(original_dir).unwrap();
}
