//! `schemas/rein.schema.json` and the serde structs of `rein_config` describe the same file:
//! every example configuration in the docs and the golden scenarios passes both, the full
//! example of the README uses every key the schema knows, and the keys serde accepts are the
//! keys the schema lists, at every level.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn schema() -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(root().join("schemas/rein.schema.json")).unwrap()).unwrap()
}

/// Every `toml` block of the Markdown files under the repository root and `docs/` whose first
/// line is `# rein.toml`.
fn doc_examples() -> Vec<(String, String)> {
    let mut files = vec![root().join("README.md")];
    let mut pending = vec![root().join("docs")];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut examples = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let mut block: Option<String> = None;
        for line in text.lines() {
            match &mut block {
                None if line.trim_start() == "```toml" => block = Some(String::new()),
                Some(body) if line.trim_start() == "```" => {
                    if body.starts_with("# rein.toml") {
                        examples.push((file.display().to_string(), std::mem::take(body)));
                    }
                    block = None;
                }
                Some(body) => {
                    body.push_str(line);
                    body.push('\n');
                }
                None => {}
            }
        }
    }
    examples
}

/// The `rein.toml` of every golden scenario, and the ones under `docs/ci/`.
fn file_examples() -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = fs::read_dir(root().join("tests/cli"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path().join("input/rein.toml"))
        .filter(|path| path.is_file())
        .collect();
    paths.extend(
        fs::read_dir(root().join("docs/ci"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.file_name().is_some_and(|name| name == "rein.toml")),
    );
    paths.sort();
    paths.into_iter().map(|path| (path.display().to_string(), fs::read_to_string(&path).unwrap())).collect()
}

fn check_with_both(name: &str, text: &str) {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let value: serde_json::Value = toml::from_str(text).unwrap_or_else(|err| panic!("{name}: not TOML: {err}"));
    let errors: Vec<String> =
        validator.iter_errors(&value).map(|err| format!("{err} at {}", err.instance_path())).collect();
    assert!(errors.is_empty(), "{name} does not match the schema:\n{}", errors.join("\n"));
    if let Err(err) = rein_config::parse(text, name, PathBuf::from("/repo")) {
        panic!("rein does not accept {name}: {err}");
    }
}

#[test]
fn every_example_passes_the_schema_and_rein() {
    let docs = doc_examples();
    assert!(!docs.is_empty(), "no `# rein.toml` example in the docs");
    let files = file_examples();
    assert!(!files.is_empty(), "no scenario has a rein.toml");
    for (name, text) in docs.iter().chain(&files) {
        if is_broken_on_purpose(name) {
            let value: serde_json::Value = toml::from_str(text).unwrap_or_default();
            assert!(!jsonschema::is_valid(&schema(), &value), "the schema accepts {name}");
            assert!(rein_config::parse(text, name, PathBuf::from("/repo")).is_err(), "rein accepts {name}");
        } else {
            check_with_both(name, text);
        }
    }
}

/// A scenario whose expected output is an error in its `rein.toml`.
fn is_broken_on_purpose(name: &str) -> bool {
    let Some(scenario) = Path::new(name).parent().and_then(Path::parent) else { return false };
    fs::read_to_string(scenario.join("expected.txt")).is_ok_and(|text| text.contains("error: rein.toml:"))
}

/// The property names of the schema object at `pointer`.
fn schema_keys(schema: &serde_json::Value, pointer: &str) -> BTreeSet<String> {
    schema.pointer(pointer).and_then(|props| props.as_object()).unwrap().keys().cloned().collect()
}

/// The keys serde accepts where `text` puts the unknown key `zzz-unknown`, read from its
/// "expected one of …" message; also checks that the error names the key and its position.
fn serde_keys(text: &str) -> BTreeSet<String> {
    let err = rein_config::parse(text, "rein.toml", PathBuf::from("/repo")).unwrap_err();
    assert!(err.message.contains("unknown field `zzz-unknown`"), "{err}");
    let line = text.lines().position(|line| line.starts_with("zzz-unknown")).unwrap() + 1;
    assert_eq!((err.line, err.column), (line, 1), "{err}");
    let (_, list) = err.message.split_once("expected one of ").unwrap();
    list.split(", ").map(|key| key.trim().trim_matches('`').to_owned()).collect()
}

#[test]
fn the_schema_and_the_structs_know_the_same_keys() {
    let schema = schema();
    let levels = [
        ("/properties", "zzz-unknown = 1\n"),
        ("/properties/options/properties", "[options]\nzzz-unknown = 1\n"),
        ("/properties/overrides/items/properties", "[[overrides]]\npaths = [\"a\"]\nzzz-unknown = 1\n"),
    ];
    for (pointer, text) in levels {
        assert_eq!(serde_keys(text), schema_keys(&schema, pointer), "keys at {pointer}");
        // The schema rejects the unknown key too.
        let value: serde_json::Value = toml::from_str(text).unwrap();
        assert!(!jsonschema::is_valid(&schema, &value), "the schema accepts an unknown key at {pointer}");
    }
}

#[test]
fn the_full_example_uses_every_key() {
    let schema = schema();
    let (_, full) = doc_examples()
        .into_iter()
        .find(|(name, _)| name.ends_with("README.md"))
        .expect("README.md has a `# rein.toml` example");
    let value: serde_json::Value = toml::from_str(&full).unwrap();
    let present = |pointer: &str| -> BTreeSet<String> {
        value.pointer(pointer).and_then(|v| v.as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default()
    };
    assert_eq!(present(""), schema_keys(&schema, "/properties"));
    assert_eq!(present("/options"), schema_keys(&schema, "/properties/options/properties"));
    let mut override_keys = BTreeSet::new();
    for item in value["overrides"].as_array().unwrap() {
        override_keys.extend(item.as_object().unwrap().keys().cloned());
    }
    assert_eq!(override_keys, schema_keys(&schema, "/properties/overrides/items/properties"));
}

#[test]
fn values_the_schema_rejects_rein_rejects() {
    let schema = schema();
    for text in [
        "fail-on = \"sometimes\"\n",
        "profile = \"org\"\n",
        "[severity]\nIAM105 = \"loud\"\n",
        "[options]\nown-account = \"1234\"\n",
        "[options]\npassword-reuse-prevention = 25\n",
        "[options]\npassword-max-age = \"never\"\n",
        "[options]\nstale-data-days = 0\n",
        "[[overrides]]\nignore = [\"IAM1\"]\n",
    ] {
        let value: serde_json::Value = toml::from_str(text).unwrap();
        assert!(!jsonschema::is_valid(&schema, &value), "the schema accepts {text:?}");
        assert!(rein_config::parse(text, "rein.toml", PathBuf::from("/repo")).is_err(), "rein accepts {text:?}");
    }
}
