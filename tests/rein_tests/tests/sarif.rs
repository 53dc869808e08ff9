//! The SARIF report is valid against the official SARIF 2.1.0 JSON Schema
//! (`schemas/vendor/sarif-schema-2.1.0.json`, see its README): the SARIF of real runs over the
//! repository's fixtures (policies, Terraform modules, CloudFormation templates, plans), and a
//! log with a read error, a fix and non-ASCII text.

use std::ffi::OsString;
use std::fs;
use std::path::PathBuf;

use rein_diagnostics::{Applicability, Finding, Fix, Severity};
use rein_report::{Problem, RunInfo, ToolInfo};
use rein_text::{SourceDb, Span, TextEdit};

mod common;

use common::{assert_valid_sarif as assert_valid, root, sarif_validator as validator};

/// Runs `rein check --format sarif` over `paths` and returns the log.
fn sarif_of(paths: &[PathBuf]) -> serde_json::Value {
    let args: Vec<OsString> = ["rein", "check", "--format", "sarif", "--fail-on", "never", "--profile", "baseline"]
        .into_iter()
        .map(OsString::from)
        .chain(paths.iter().map(|path| path.clone().into_os_string()))
        .collect();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = rein_cli::run_with(args, &mut stdout, &mut stderr, false);
    assert!(code == 0 || code == 2, "exit code {code}: {}", String::from_utf8_lossy(&stderr));
    serde_json::from_slice(&stdout).unwrap()
}

#[test]
fn sarif_of_real_runs_matches_the_official_schema() {
    let validator = validator();
    let fixtures = root().join("fixtures");
    let runs: [(&str, Vec<PathBuf>); 5] = [
        ("policies", vec![fixtures.join("policies")]),
        ("terraform modules", vec![fixtures.join("frontends/hcl")]),
        ("cloudformation", vec![fixtures.join("frontends/cfn")]),
        ("plans", vec![fixtures.join("frontends/tfplan")]),
        ("everything", vec![fixtures.clone()]),
    ];
    let mut n_results = 0;
    let mut n_fixes = 0;
    let mut n_related = 0;
    for (name, paths) in &runs {
        let log = sarif_of(paths);
        assert_valid(&validator, name, &log);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{name}: no results");
        n_results += results.len();
        n_fixes += results.iter().filter(|result| result.get("fixes").is_some()).count();
        n_related += results.iter().filter(|result| result.get("relatedLocations").is_some()).count();
        let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        for result in results {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"], "{name}: ruleIndex points at another rule");
        }
    }
    assert!(
        n_results > 20 && n_fixes > 0 && n_related > 0,
        "{n_results} results, {n_fixes} fixes, {n_related} related"
    );
}

/// Puts back what the golden files redact.
fn unredact(text: &str) -> String {
    let meta = rein_catalog::catalog().meta();
    text.replace("[CATALOG_DATE]", &meta.date)
        .replace("[CATALOG_SOURCE]", &meta.source)
        .replace("[VERSION]", env!("CARGO_PKG_VERSION"))
        .replace("[SCENARIO]", "/scenario")
}

#[test]
fn golden_sarif_matches_the_official_schema() {
    let validator = validator();
    let mut n_checked = 0;
    let mut scenarios: Vec<_> = fs::read_dir(root().join("tests/cli")).unwrap().flatten().map(|e| e.path()).collect();
    scenarios.sort();
    for scenario in scenarios {
        let args = fs::read_to_string(scenario.join("args")).unwrap_or_default();
        let mut logs = Vec::new();
        if args.lines().collect::<Vec<_>>().windows(2).any(|pair| pair == ["--format", "sarif"])
            && !args.contains("--output")
        {
            logs.push(scenario.join("expected.txt"));
        }
        if let Ok(entries) = fs::read_dir(scenario.join("expected_files")) {
            logs.extend(
                entries.flatten().map(|entry| entry.path()).filter(|path| path.extension() == Some("sarif".as_ref())),
            );
        }
        for path in logs {
            let text = fs::read_to_string(&path).unwrap();
            let log: serde_json::Value = serde_json::from_str(&unredact(&text)).unwrap();
            assert_valid(&validator, &path.display().to_string(), &log);
            n_checked += 1;
        }
    }
    assert!(n_checked >= 2, "only {n_checked} golden SARIF logs");
}

#[test]
fn a_log_with_a_read_error_a_fix_and_non_ascii_text_matches_the_official_schema() {
    let mut db = SourceDb::new();
    let text = "{\"Sid\": \"\u{1F600}\", \"Action\": \"*\"}\n";
    let file = db.add("dir/h\u{e9}llo world.json", text);
    let start = text.find("\"*\"").unwrap();
    let span = Span::from_offsets(file, start, start + 3);
    let findings = vec![
        Finding::new("IAM103", "wildcard-action", Severity::Warning, span, "`*` grants every action")
            .with_label(Span::from_offsets(file, 0, 1), "this document")
            .with_note("a note")
            .with_fix(Fix::new("Insert", Applicability::Safe, vec![TextEdit::insert(file, span.range.start(), "x")])),
        Finding::new("IAM999", "no-such-rule", Severity::Info, span, "a rule the registry does not know"),
    ];
    let tool = ToolInfo { version: "0.1.0".into(), catalog_source: "src".into(), catalog_date: "2026-01-02".into() };
    let problems = vec![Problem { path: "/elsewhere/gone.json".into(), message: "cannot read: denied".into() }];
    let working_dir = root();
    let run =
        RunInfo { tool: &tool, problems: &problems, warnings: &[], exit_code: 2, working_dir: Some(&working_dir) };
    let log: serde_json::Value = serde_json::from_str(&rein_report::sarif::to_string(&db, &findings, &run)).unwrap();
    let validator = validator();
    assert_valid(&validator, "a constructed log", &log);
    assert_eq!(log["runs"][0]["results"][1].get("ruleIndex"), None);
    // The schema does bite: a level SARIF does not define, or a 0-based line, is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
    let mut broken = log;
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    assert!(!validator.is_valid(&broken));
}
