//! Tests of the real `rein` binary: version line, exit codes and streams.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rein(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rein"))
        .args(args)
        .current_dir(workspace_root())
        .env_remove("NO_COLOR")
        .output()
        .expect("the rein binary runs")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn version_names_the_catalogue() {
    let output = rein(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    let meta = rein_catalog::catalog().meta();
    assert!(stdout.starts_with(&format!("rein {} (IAM catalogue: ", env!("CARGO_PKG_VERSION"))), "{stdout}");
    assert!(stdout.contains(&meta.source), "{stdout}");
    assert!(stdout.contains(&format!("data of {}", meta.date)), "{stdout}");
}

#[test]
fn exit_code_follows_fail_on() {
    let policy = "fixtures/policies/s3-read-typo.json";
    assert_eq!(rein(&["check", policy]).status.code(), Some(1));
    assert_eq!(rein(&["check", "--fail-on", "never", policy]).status.code(), Some(0));
    assert_eq!(rein(&["check", "fixtures/policies/ecr-pull.json"]).status.code(), Some(0));
}

#[test]
fn usage_errors_exit_2() {
    let missing = rein(&["check", "fixtures/policies/does-not-exist.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("does not exist"));
    assert_eq!(rein(&["check", "--select", "IAM999", "fixtures/policies"]).status.code(), Some(2));
    assert_eq!(rein(&["check", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(rein(&["rule", "no-such-rule"]).status.code(), Some(2));
    assert_eq!(rein(&[]).status.code(), Some(2));
}

#[test]
fn piped_output_has_no_colours_and_json_parses() {
    let output = rein(&["check", "--format", "json", "fixtures/policies"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(!stdout.contains('\u{1b}'));
    assert!(stdout.starts_with('{') && stdout.trim_end().ends_with('}'), "{stdout}");
    assert!(stdout.contains("\"rule\": \"IAM106\""), "{stdout}");

    let coloured = rein(&["check", "--color", "always", "fixtures/policies/s3-read-typo.json"]);
    assert!(text(&coloured.stdout).contains('\u{1b}'));
}
