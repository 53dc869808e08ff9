//! The JSON report keeps the shape that `schemas/report.schema.json` describes: every
//! `expected.json` of the golden scenarios, and a fresh report, validate against it.

use std::ffi::OsString;
use std::fs;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root().join("schemas/report.schema.json")).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, name: &str, report: &serde_json::Value) {
    let errors: Vec<String> =
        validator.iter_errors(report).map(|err| format!("{err} at {}", err.instance_path())).collect();
    assert!(errors.is_empty(), "{name} does not match the schema:\n{}", errors.join("\n"));
}

#[test]
fn golden_reports_match_the_schema() {
    let validator = validator();
    let mut n_checked = 0;
    let mut scenarios: Vec<_> = fs::read_dir(root().join("tests/cli")).unwrap().flatten().map(|e| e.path()).collect();
    scenarios.sort();
    for scenario in scenarios {
        let expected = scenario.join("expected.json");
        let Ok(text) = fs::read_to_string(&expected) else { continue };
        // The golden files redact what changes between releases; put real values back.
        let text = text
            .replace("[CATALOG_DATE]", &rein_catalog::catalog().meta().date)
            .replace("[CATALOG_SOURCE]", &rein_catalog::catalog().meta().source)
            .replace("[VERSION]", env!("CARGO_PKG_VERSION"));
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_valid(&validator, &expected.display().to_string(), &report);
        n_checked += 1;
    }
    assert!(n_checked >= 3, "only {n_checked} expected.json files");
}

#[test]
fn a_report_with_fixes_labels_and_notes_matches_the_schema() {
    let validator = validator();
    let fixtures = root().join("fixtures");
    let args: Vec<OsString> = ["rein", "check", "--format", "json", "--fail-on", "never"]
        .into_iter()
        .map(OsString::from)
        .chain([fixtures.join("policies").into_os_string(), fixtures.join("frontends").into_os_string()])
        .collect();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = rein_cli::run_with(args, &mut stdout, &mut stderr, false);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(diagnostics.iter().any(|d| !d["fixes"].as_array().unwrap().is_empty()), "no finding with a fix");
    assert!(diagnostics.iter().any(|d| !d["labels"].as_array().unwrap().is_empty()), "no finding with a label");
    assert_valid(&validator, "report", &report);
}
