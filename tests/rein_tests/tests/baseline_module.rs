//! The secure-baseline check: `rein check --profile baseline` on a root module that sets up an
//! account baseline through a local module with enable toggles (`fixtures/frontends/hcl/baseline`)
//! reports nothing about the controls the module sets up, and switching one toggle off reports
//! exactly the rules of that control.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/frontends/hcl/baseline")
}

/// The baseline rules (IAM401 and the 5xx family) that a run in the `baseline` profile reports,
/// with their severities.
fn baseline_findings(dir: &Path) -> BTreeSet<(String, String)> {
    findings_in_profile(dir, "baseline")
}

fn findings_in_profile(dir: &Path, profile: &str) -> BTreeSet<(String, String)> {
    let argv = ["rein", "check", "--profile", profile, "--format", "json", "--fail-on", "never"]
        .into_iter()
        .map(OsString::from)
        .chain(std::iter::once(dir.as_os_str().to_owned()));
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = rein_cli::run_with(argv, &mut stdout, &mut stderr, false);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| (finding["rule"].as_str().unwrap().to_owned(), finding["severity"].as_str().unwrap().to_owned()))
        .filter(|(rule, _)| rule.starts_with("IAM5") || rule == "IAM401")
        .collect()
}

/// A copy of the fixture with the root variable `toggle` defaulting to false.
fn with_toggle_off(toggle: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rein-baseline-{}-{toggle}", std::process::id()));
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    let module = dir.join("modules/baseline");
    fs::create_dir_all(&module).unwrap();
    for file in ["main.tf", "modules/baseline/main.tf", "modules/baseline/variables.tf"] {
        fs::copy(fixture().join(file), dir.join(file)).unwrap();
    }
    let variables = fs::read_to_string(fixture().join("variables.tf")).unwrap();
    let block = format!("variable \"{toggle}\" {{\n  type    = bool\n  default = true\n}}");
    assert!(variables.contains(&block), "no toggle `{toggle}` in the fixture");
    fs::write(dir.join("variables.tf"), variables.replace(&block, &block.replace("true", "false"))).unwrap();
    dir
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items.iter().map(|(rule, severity)| ((*rule).to_owned(), (*severity).to_owned())).collect()
}

#[test]
fn the_full_baseline_reports_none_of_its_controls() {
    // The one remaining note: the trail writes to a bucket of the same account, which a single
    // account cannot avoid.
    assert_eq!(baseline_findings(&fixture()), set(&[("IAM506", "info")]));
}

#[test]
fn each_switched_off_control_is_reported() {
    let cases: [(&str, &[(&str, &str)]); 7] = [
        ("create_password_policy", &[("IAM401", "warning"), ("IAM506", "info")]),
        ("cloudtrail_enabled", &[("IAM501", "error")]),
        ("alarms_enabled", &[("IAM513", "info"), ("IAM519", "warning"), ("IAM506", "info")]),
        ("guardduty_enabled", &[("IAM509", "warning"), ("IAM506", "info")]),
        ("config_enabled", &[("IAM510", "warning"), ("IAM506", "info")]),
        ("securityhub_enabled", &[("IAM512", "info"), ("IAM506", "info")]),
        ("analyzer_enabled", &[("IAM508", "warning"), ("IAM508", "info"), ("IAM506", "info")]),
    ];
    for (toggle, expected) in cases {
        let dir = with_toggle_off(toggle);
        let found = baseline_findings(&dir);
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found, set(expected), "with `{toggle} = false`");
    }
}

#[test]
fn a_call_of_the_secure_baseline_module_turns_the_baseline_checks_on() {
    let dir = with_toggle_off("guardduty_enabled");
    fs::rename(dir.join("modules/baseline"), dir.join("modules/secure-baseline")).unwrap();
    let main = fs::read_to_string(dir.join("main.tf")).unwrap();
    fs::write(dir.join("main.tf"), main.replace("./modules/baseline", "./modules/secure-baseline")).unwrap();
    let found = findings_in_profile(&dir, "default");
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, set(&[("IAM509", "warning"), ("IAM506", "info")]));
}

#[test]
fn a_baseline_over_no_region_reports_the_regional_controls() {
    let dir = with_toggle_off("analyzer_enabled");
    // Analyzers back on; the regional controls (GuardDuty per region, Security Hub in the home
    // region) go with the region list.
    let variables = fs::read_to_string(dir.join("variables.tf")).unwrap();
    fs::write(dir.join("variables.tf"), variables.replace("default = false", "default = true")).unwrap();
    let main = fs::read_to_string(dir.join("main.tf")).unwrap();
    fs::write(dir.join("main.tf"), main.replace("[\"eu-west-1\", \"eu-central-1\"]", "[]")).unwrap();
    let found = baseline_findings(&dir);
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, set(&[("IAM509", "warning"), ("IAM512", "info"), ("IAM506", "info")]));
}
