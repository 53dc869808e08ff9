//! CLI golden scenarios: every `tests/cli/<scenario>/` runs in-process through `rein_cli` and its
//! output is compared with the expectations stored beside it.
//!
//! A scenario directory holds:
//! - `input/`: the files to check, copied into a fresh temporary directory that becomes the
//!   working directory (a name starting with `dot-` is copied as `.`, so a `.gitignore` in a
//!   scenario does not hide files from Git itself);
//! - `args`: the arguments after `rein`, one per line;
//! - `expected.txt`: stdout, then stderr after a `--- stderr ---` line, without colours;
//! - `expected.json` (optional): stdout of a second run with `--format json` appended;
//! - `exit_code`: the expected exit code (the same for both runs);
//! - `stdin` (optional): what the runs read as standard input;
//! - `expected_files/` (optional): files the first run must have written (`--output`), by their
//!   path relative to the working directory, compared after redaction like stdout.
//!
//! The rein version, the catalogue's source and date, and the temporary directory are redacted.
//! `UPDATE_EXPECT=1 cargo test -p rein_tests --test cli` rewrites the expectations (never in CI).
//!
//! This file holds a single test on purpose: it changes the process's working directory.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

#[test]
fn cli_scenarios() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli");
    let update = std::env::var_os("UPDATE_EXPECT").is_some_and(|value| value == "1");
    assert!(!(update && std::env::var_os("CI").is_some()), "UPDATE_EXPECT must not be set in CI");
    let mut scenarios: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    scenarios.sort();
    assert!(!scenarios.is_empty(), "no scenarios in {}", root.display());

    let original_dir = std::env::current_dir().unwrap();
    let mut failures = Vec::new();
    for scenario in &scenarios {
        if let Err(message) = run_scenario(scenario, update) {
            failures.push(message);
        }
    }
    std::env::set_current_dir(original_dir).unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed (rerun with UPDATE_EXPECT=1 to accept the new output):\n\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n\n")
    );
}

struct Outcome {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run_scenario(scenario: &Path, update: bool) -> Result<(), String> {
    let name = scenario.file_name().unwrap().to_string_lossy().into_owned();
    let args_text =
        fs::read_to_string(scenario.join("args")).map_err(|err| format!("{name}: cannot read `args`: {err}"))?;
    let args: Vec<String> =
        args_text.lines().map(|line| line.trim_end_matches('\r').to_owned()).filter(|line| !line.is_empty()).collect();

    let work_dir = std::env::temp_dir().join(format!("rein-cli-{}-{name}", std::process::id()));
    if work_dir.exists() {
        fs::remove_dir_all(&work_dir).unwrap();
    }
    fs::create_dir_all(&work_dir).unwrap();
    let input = scenario.join("input");
    if input.is_dir() {
        copy_tree(&input, &work_dir);
    }
    std::env::set_current_dir(&work_dir).unwrap();

    let stdin = fs::read(scenario.join("stdin")).unwrap_or_default();
    let human = run(&args, &stdin);
    let redact = |text: &str| redact(text, &work_dir);
    let expected_files = scenario.join("expected_files");
    let mut written = Vec::new();
    if expected_files.is_dir() {
        for expected in files_under(&expected_files) {
            let relative = expected.strip_prefix(&expected_files).unwrap().to_path_buf();
            let actual = fs::read_to_string(work_dir.join(&relative)).unwrap_or_else(|_| "[NOT WRITTEN]\n".to_owned());
            written.push((expected, redact(&actual)));
        }
    }
    let json_path = scenario.join("expected.json");
    let json = json_path.exists().then(|| {
        let mut json_args = args.clone();
        json_args.extend(["--format".to_owned(), "json".to_owned()]);
        run(&json_args, &stdin)
    });
    let _ = fs::remove_dir_all(&work_dir);

    let mut actual_txt = redact(&human.stdout);
    if !human.stderr.is_empty() {
        actual_txt.push_str("--- stderr ---\n");
        actual_txt.push_str(&redact(&human.stderr));
    }
    let mut files =
        vec![(scenario.join("expected.txt"), actual_txt), (scenario.join("exit_code"), format!("{}\n", human.code))];
    if let Some(json) = &json {
        files.push((json_path.clone(), redact(&json.stdout)));
    }
    files.extend(written);

    let mut problems = Vec::new();
    if let Some(json) = &json
        && let Err(err) = serde_json::from_str::<rein_report::json::JsonReport>(&json.stdout)
    {
        problems.push(format!("the JSON report does not have the report's shape: {err}"));
    }
    if let Some(json) = &json
        && json.code != human.code
    {
        problems.push(format!("exit code with --format json: {} (human format: {})", json.code, human.code));
    }
    for (path, actual) in files {
        let file = path.strip_prefix(scenario).unwrap_or(&path).display().to_string();
        let expected = fs::read_to_string(&path).unwrap_or_default().replace("\r\n", "\n");
        if expected == actual {
            continue;
        }
        if update {
            fs::write(&path, &actual).unwrap();
        } else {
            problems.push(format!("{file} differs\n--- expected\n{expected}\n--- actual\n{actual}"));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(format!("scenario `{name}`: {}", problems.join("\n"))) }
}

/// The date every scenario runs on, so that the catalogue's staleness never depends on the clock.
const TODAY: &str = "2026-11-23";

fn run(args: &[String], stdin: &[u8]) -> Outcome {
    let mut args = args.to_vec();
    if args.first().is_some_and(|command| command == "check") {
        args.splice(1..1, ["--today".to_owned(), TODAY.to_owned()]);
    }
    let argv = std::iter::once(OsString::from("rein")).chain(args.iter().map(OsString::from));
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = rein_cli::run_with_stdin(argv, &mut &stdin[..], &mut stdout, &mut stderr, false);
    Outcome {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code,
    }
}

/// Replaces what changes between machines and releases with placeholders.
fn redact(text: &str, work_dir: &Path) -> String {
    let meta = rein_catalog::catalog().meta();
    let version = env!("CARGO_PKG_VERSION");
    let mut text = text.replace(&format!("rein {version}"), "rein [VERSION]");
    text = text.replace(&format!("\"version\": \"{version}\""), "\"version\": \"[VERSION]\"");
    text = text.replace(&meta.source, "[CATALOG_SOURCE]").replace(&meta.date, "[CATALOG_DATE]");
    if let Ok(canonical) = work_dir.canonicalize() {
        text = text.replace(&canonical.to_string_lossy().into_owned(), "[SCENARIO]");
    }
    text.replace(&work_dir.to_string_lossy().into_owned(), "[SCENARIO]")
}

/// The regular files under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Copies `from` into `to`, turning a leading `dot-` in a name into `.`.
fn copy_tree(from: &Path, to: &Path) {
    let mut entries: Vec<_> = fs::read_dir(from).unwrap().map(|entry| entry.unwrap()).collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let target = to.join(match name.strip_prefix("dot-") {
            Some(rest) => format!(".{rest}"),
            None => name,
        });
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}
