//! Helpers shared by the end-to-end tests: validation against the vendored official SARIF
//! 2.1.0 JSON Schema (`schemas/vendor/sarif-schema-2.1.0.json`, see its README).

use std::fs;
use std::path::{Path, PathBuf};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).canonicalize().unwrap()
}

/// A validator for the official SARIF 2.1.0 schema.
pub fn sarif_validator() -> jsonschema::Validator {
    let path = root().join("schemas/vendor/sarif-schema-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// Fails with every schema error of `log`, each with where in the log it is; `name` says which
/// log it is.
pub fn assert_valid_sarif(validator: &jsonschema::Validator, name: &str, log: &serde_json::Value) {
    let errors: Vec<String> =
        validator.iter_errors(log).map(|err| format!("{err} at {}", err.instance_path())).collect();
    assert!(errors.is_empty(), "the SARIF of {name} is not valid:\n{}", errors.join("\n"));
}
