//! `--write-baseline` and `--baseline`: accepted findings stay hidden when lines move, and only
//! new ones are reported.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::Path;

fn rein(args: &[&OsStr]) -> (i32, String, String) {
    let argv: Vec<OsString> = ["rein", "check", "--no-config", "--today", "2026-11-23"]
        .into_iter()
        .map(OsString::from)
        .chain(args.iter().map(|arg| arg.to_os_string()))
        .collect();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = rein_cli::run_with(argv, &mut stdout, &mut stderr, false);
    (code, String::from_utf8_lossy(&stdout).into_owned(), String::from_utf8_lossy(&stderr).into_owned())
}

fn os(text: &str) -> &OsStr {
    OsStr::new(text)
}

fn json_rules(stdout: &str) -> Vec<(String, u64)> {
    let report: serde_json::Value = serde_json::from_str(stdout).unwrap();
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rule"].as_str().unwrap().to_owned(), d["line"].as_u64().unwrap()))
        .collect()
}

const MAIN_TF: &str = r#"resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}
"#;

#[test]
fn a_baseline_hides_moved_findings_and_shows_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let tf = dir.path().join("main.tf");
    let baseline = dir.path().join("rein-baseline.json");
    fs::write(&tf, MAIN_TF).unwrap();
    let dir_arg = dir.path().as_os_str().to_owned();

    let (code, stdout, stderr) = rein(&[os("--format"), os("json"), dir_arg.as_os_str()]);
    assert_eq!(code, 1, "{stderr}");
    let old = json_rules(&stdout);
    assert!(old.len() >= 2, "{old:?}");

    let (code, _, stderr) = rein(&[os("--write-baseline"), baseline.as_os_str(), os("-q"), dir_arg.as_os_str()]);
    assert_eq!(code, 0, "writing a baseline accepts what is found: {stderr}");
    let written: serde_json::Value = serde_json::from_str(&fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(written["version"], 1);
    let entries = written["findings"].as_array().unwrap();
    assert_eq!(entries.len(), old.len());
    let keys: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
            (
                e["path"].as_str().unwrap().into(),
                e["rule"].as_str().unwrap().into(),
                e["fingerprint"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "entries are sorted");

    // Lines inserted above move every finding down; the baseline still holds them.
    let moved = format!("# The platform team owns this file.\n\nlocals {{\n  team = \"platform\"\n}}\n\n{MAIN_TF}");
    fs::write(&tf, &moved).unwrap();
    let (code, stdout, stderr) = rein(&[os("--baseline"), baseline.as_os_str(), dir_arg.as_os_str()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("No problems found"), "{stdout}");
    assert!(stdout.contains(&format!("{} findings hidden by the baseline", old.len())), "{stdout}");

    // A new bad statement is the only thing reported.
    let with_new = format!(
        "{moved}\nresource \"aws_iam_policy\" \"pass\" {{\n  policy = jsonencode({{\n    Version   = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Action = \"iam:PassRole\", Resource = \"*\" }}]\n  }})\n}}\n"
    );
    fs::write(&tf, &with_new).unwrap();
    let (code, stdout, stderr) =
        rein(&[os("--baseline"), baseline.as_os_str(), os("--format"), os("json"), dir_arg.as_os_str()]);
    assert_eq!(code, 1, "{stderr}");
    let new = json_rules(&stdout);
    assert!(!new.is_empty());
    let first_new_line = with_new.lines().position(|line| line.contains("\"pass\"")).unwrap() as u64 + 1;
    assert!(new.iter().all(|(_, line)| *line > first_new_line), "only the new statement: {new:?}");
    assert!(new.iter().any(|(rule, _)| rule == "IAM201"), "{new:?}");
    assert!(stderr.contains(&format!("{} findings hidden by the baseline", old.len())), "{stderr}");
}

#[test]
fn a_broken_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("b.json");
    fs::write(&baseline, "{\"version\": 1, \"findings\": [{\"rule\": 1}]}").unwrap();
    fs::write(dir.path().join("main.tf"), MAIN_TF).unwrap();
    let (code, _, stderr) = rein(&[os("--baseline"), baseline.as_os_str(), dir.path().as_os_str()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a rein baseline"), "{stderr}");
    let missing = Path::new("/nonexistent/b.json");
    let (code, _, stderr) = rein(&[os("--baseline"), missing.as_os_str(), dir.path().as_os_str()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read the baseline"), "{stderr}");
}
