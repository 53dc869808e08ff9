//! The server reads the `rein.toml` above each document, reloads it when it changes, and
//! reports its errors on the file itself.

mod support;

use serde_json::{Value, json};
use support::{TestServer, uri_of};

const TYPO_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["s3:GetObjekt"],
    "Resource": "arn:aws:s3:::logs/*"
  }]
}
"#;

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

fn watching_client() -> Value {
    json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}})
}

fn changed(server: &TestServer, name: &str, typ: u32) {
    let uri = server.uri(name);
    server.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri, "type": typ}]}));
}

#[test]
fn the_file_above_a_document_applies_and_a_change_on_disk_reloads_it() {
    let mut server = TestServer::with_capabilities("config-reload", watching_client(), Value::Null);
    std::fs::write(server.path("rein.toml"), "ignore = [\"IAM006\"]\n").unwrap();
    std::fs::create_dir_all(server.path("nested/deeper")).unwrap();
    let uri = server.open("nested/deeper/policy.json", "json", TYPO_POLICY);
    assert_eq!(server.diagnostics(&uri, 1), Vec::<Value>::new());
    let registration = server.requests.iter().find(|request| request.method == "client/registerCapability");
    let registration = registration.expect("the server registers a watcher for rein.toml");
    let registration = &registration.params["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(registration["registerOptions"]["watchers"][0]["globPattern"], "**/rein.toml");

    std::fs::write(server.path("rein.toml"), "# every rule\n").unwrap();
    changed(&server, "rein.toml", 2);
    assert_eq!(codes(&server.diagnostics(&uri, 1)), ["IAM006"]);

    std::fs::write(server.path("rein.toml"), "[severity]\nIAM006 = \"info\"\n").unwrap();
    changed(&server, "rein.toml", 2);
    let diagnostics = server.diagnostics(&uri, 1);
    assert_eq!(codes(&diagnostics), ["IAM006"]);
    assert_eq!(diagnostics[0]["severity"], 3, "{diagnostics:?}");

    std::fs::remove_file(server.path("rein.toml")).unwrap();
    changed(&server, "rein.toml", 3);
    let diagnostics = server.diagnostics(&uri, 1);
    assert_eq!(codes(&diagnostics), ["IAM006"]);
    assert_ne!(diagnostics[0]["severity"], 3, "{diagnostics:?}");
}

#[test]
fn a_file_created_later_is_found() {
    let mut server = TestServer::new("config-created");
    let uri = server.open("policy.json", "json", TYPO_POLICY);
    assert_eq!(codes(&server.diagnostics(&uri, 1)), ["IAM006"]);
    assert!(server.requests.is_empty(), "no dynamic registration without the capability");
    std::fs::write(server.path("rein.toml"), "ignore = [\"IAM006\"]\n").unwrap();
    changed(&server, "rein.toml", 1);
    assert_eq!(server.diagnostics(&uri, 1), Vec::<Value>::new());
}

#[test]
fn overrides_apply_per_path() {
    let mut server = TestServer::new("config-overrides");
    std::fs::write(server.path("rein.toml"), "[[overrides]]\npaths = [\"legacy/*.json\"]\nignore = [\"IAM006\"]\n")
        .unwrap();
    std::fs::create_dir_all(server.path("legacy")).unwrap();
    let legacy = server.open("legacy/policy.json", "json", TYPO_POLICY);
    let current = server.open("policy.json", "json", TYPO_POLICY);
    assert_eq!(server.diagnostics(&legacy, 1), Vec::<Value>::new());
    assert_eq!(codes(&server.diagnostics(&current, 1)), ["IAM006"]);
}

#[test]
fn client_settings_name_the_file_and_go_over_it() {
    let dir = support::temp_dir("config-named-file");
    std::fs::write(dir.join("strict.toml"), "ignore = [\"IAM006\"]\n").unwrap();
    let options = json!({"config": dir.join("strict.toml").to_string_lossy()});
    let mut server = TestServer::with_capabilities("config-named", json!({}), options);
    // The file beside the document is not read when the client names one.
    std::fs::write(server.path("rein.toml"), "select = [\"IAM1\"]\n").unwrap();
    let uri = server.open("policy.json", "json", TYPO_POLICY);
    assert_eq!(server.diagnostics(&uri, 1), Vec::<Value>::new());
    // `select` of the client replaces the file's; its `ignore` adds to the file's.
    server.notify("workspace/didChangeConfiguration", json!({"settings": {"rein": {"select": ["IAM0"]}}}));
    assert_eq!(codes(&server.diagnostics(&uri, 1)), ["IAM006"]);
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"rein": {"select": ["IAM0"], "ignore": ["IAM006"]}}}),
    );
    assert_eq!(server.diagnostics(&uri, 1), Vec::<Value>::new());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_broken_file_is_reported_on_itself_and_documents_are_still_diagnosed() {
    let mut server = TestServer::new("config-broken");
    std::fs::write(server.path("rein.toml"), "ignore = [\"IAM105\"]\nselect = [\"NOPE1\"]\n").unwrap();
    let config = uri_of(&server.path("rein.toml"));
    let uri = server.open("policy.json", "json", TYPO_POLICY);
    let errors = server.unversioned_diagnostics(&config);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["range"]["start"], json!({"line": 1, "character": 10}));
    assert_eq!(errors[0]["severity"], 1);
    assert!(errors[0]["message"].as_str().unwrap().contains("unknown rule selector `NOPE1`"), "{errors:?}");
    // No good configuration yet: the defaults.
    assert_eq!(codes(&server.diagnostics(&uri, 1)), ["IAM006"]);

    // Fixing the file in its buffer clears the error and applies it at once.
    let opened = server.open("rein.toml", "toml", "ignore = [\"IAM006\"]\n");
    assert_eq!(server.diagnostics(&opened, 1), Vec::<Value>::new());
    assert_eq!(server.diagnostics(&uri, 1), Vec::<Value>::new());

    // Breaking it again keeps the last good configuration for the other documents.
    server.change(&opened, 2, json!([{"text": "ignore = [\"IAM006\"\n"}]));
    let errors = server.diagnostics(&opened, 2);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["range"]["start"]["line"], 0);
    assert_eq!(server.diagnostics(&uri, 1), Vec::<Value>::new());
}
