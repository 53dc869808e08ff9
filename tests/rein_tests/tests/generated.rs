//! What is generated from the code stays current and complete: the committed rule reference in
//! `docs/rules/`, the shell completions and the manual page.

use std::ffi::OsString;
use std::fs;
use std::path::Path;

use rein_rules::RuleMeta;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn rein(args: &[&str]) -> (i32, String) {
    let argv = std::iter::once("rein").chain(args.iter().copied()).map(OsString::from);
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = rein_cli::run_with(argv, &mut stdout, &mut stderr, false);
    assert!(stderr.is_empty(), "{}", String::from_utf8_lossy(&stderr));
    (code, String::from_utf8(stdout).unwrap())
}

#[test]
fn committed_rule_docs_are_current() {
    let dir = root().join("docs/rules");
    let metas: Vec<&RuleMeta> = rein_rules::all_rules().iter().map(|rule| rule.meta()).collect();
    let pages = rein_report::rules::reference_pages(&metas);
    let mut stale = Vec::new();
    for (name, expected) in &pages {
        let committed = fs::read_to_string(dir.join(name)).unwrap_or_default().replace("\r\n", "\n");
        if committed != *expected {
            stale.push(name.clone());
        }
    }
    let mut extra: Vec<String> = fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|entry| entry.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    extra.retain(|name| !pages.iter().any(|(page, _)| page == name));
    assert!(
        stale.is_empty() && extra.is_empty(),
        "docs/rules is stale (pages out of date: {stale:?}; pages of no rule: {extra:?}); regenerate it with `cargo run -p rein_cli -- {}`",
        rein_report::rules::REGENERATE.trim_start_matches("rein ")
    );
}

#[test]
fn the_printed_index_is_the_committed_one() {
    let (code, index) = rein(&["rule", "--all", "--format", "markdown"]);
    assert_eq!(code, 0);
    let committed = fs::read_to_string(root().join("docs/rules/README.md")).unwrap().replace("\r\n", "\n");
    assert_eq!(index, committed);
}

#[test]
fn completions_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, script) = rein(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        for subcommand in ["check", "rule", "completions", "man"] {
            assert!(script.contains(subcommand), "the {shell} completions do not name `{subcommand}`");
        }
        assert!(script.contains("--format"), "the {shell} completions do not name `--format`");
    }
}

#[test]
fn the_manual_page_names_every_subcommand() {
    let (code, page) = rein(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH rein 1"), "{page}");
    for subcommand in ["check", "rule", "completions", "man"] {
        assert!(page.contains(subcommand), "the manual page does not name `{subcommand}`");
    }
    let dir = std::env::temp_dir().join(format!("rein-man-{}", std::process::id()));
    let (code, _) = rein(&["man", "--output-dir", dir.to_str().unwrap()]);
    assert_eq!(code, 0);
    let check = fs::read_to_string(dir.join("rein-check.1")).unwrap();
    let _ = fs::remove_dir_all(&dir);
    assert!(check.contains("\\-\\-format") && check.contains("\\-\\-output"), "{check}");
}
