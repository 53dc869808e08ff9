//! Code actions in the form the client takes: versioned `documentChanges` or plain `changes`,
//! snippet placeholders for the reason of a suppression, and suppressions in the syntax of each
//! kind of file.

mod support;

use serde_json::{Value, json};
use support::TestServer;

const TYPO_POLICY: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n    \"Action\": [\"s3:GetObjekt\"],\n    \"Resource\": \"arn:aws:s3:::logs/*\"\n  }]\n}\n";

const TYPO_TF: &str = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = \"s3:GetObjekt\"\n      Resource = \"arn:aws:s3:::logs/*\"\n    }]\n  })\n}\n";

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().filter_map(|d| d["code"].as_str()).collect()
}

fn document_changes(snippets: bool) -> Value {
    json!({"workspace": {"workspaceEdit": {"documentChanges": true, "snippetEditSupport": snippets}}})
}

/// The code actions for the first diagnostic of `uri` at `version`.
fn actions_for(server: &mut TestServer, uri: &str, version: i32) -> (Vec<Value>, Vec<Value>) {
    let diagnostics = server.diagnostics(uri, version);
    let first = diagnostics.first().cloned().unwrap_or_else(|| panic!("no diagnostics for {uri}"));
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": first["range"], "context": {"diagnostics": [first]}}),
    );
    (actions.as_array().unwrap().clone(), diagnostics)
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions.iter().find(|a| a["title"] == title).unwrap_or_else(|| panic!("no `{title}` in {actions:?}"))
}

/// Applies one document's text edits (line and UTF-16 column positions; the test texts are
/// ASCII, so columns are bytes).
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().unwrap() as usize;
        let character = pos["character"].as_u64().unwrap() as usize;
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        line_start + character
    };
    let mut sorted: Vec<&Value> = edits.iter().collect();
    sorted.sort_by_key(|edit| std::cmp::Reverse(offset(&edit["range"]["start"])));
    let mut out = text.to_owned();
    for edit in sorted {
        let (start, end) = (offset(&edit["range"]["start"]), offset(&edit["range"]["end"]));
        let new_text = edit["newText"].as_str().unwrap_or_else(|| panic!("not a text edit: {edit}"));
        out.replace_range(start..end, new_text);
    }
    out
}

#[test]
fn a_client_with_document_changes_gets_edits_for_the_analysed_version() {
    let mut server = TestServer::with_capabilities("versioned", document_changes(false), Value::Null);
    let uri = server.open("policy.json", "json", TYPO_POLICY);
    server.change(&uri, 7, json!([{"text": TYPO_POLICY}]));
    let (actions, _) = actions_for(&mut server, &uri, 7);
    let fix = titled(&actions, "Replace with `s3:GetObject`");
    assert_eq!(fix["edit"].get("changes"), None, "{fix}");
    let change = &fix["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"], json!({"uri": uri, "version": 7}));
    let fixed = apply(TYPO_POLICY, change["edits"].as_array().unwrap());
    assert!(fixed.contains("[\"s3:GetObject\"]"), "{fixed}");
    // A plain policy file cannot hold a suppression: none is offered.
    assert_eq!(actions.len(), 1, "{actions:?}");
}

#[test]
fn a_snippet_client_gets_a_tab_stop_for_the_reason() {
    let mut server = TestServer::with_capabilities("snippet", document_changes(true), Value::Null);
    let uri = server.open("main.tf", "terraform", TYPO_TF);
    let (actions, _) = actions_for(&mut server, &uri, 1);
    let suppress = titled(&actions, "Suppress IAM006 with a reason");
    let change = &suppress["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1);
    let edit = &change["edits"][0];
    assert_eq!(edit["snippet"], json!({"kind": "snippet", "value": "      # rein:ignore IAM006 ${1:<reason>}\n"}));
    assert_eq!(edit["range"]["start"], json!({"line": 5, "character": 0}));
    // The fix itself stays a text edit.
    let fix = titled(&actions, "Replace with `s3:GetObject`");
    assert!(fix["edit"]["documentChanges"][0]["edits"][0]["newText"].is_string(), "{fix}");
}

#[test]
fn a_plain_client_gets_changes_with_a_visible_placeholder() {
    let mut server = TestServer::new("plain");
    let uri = server.open("main.tf", "terraform", TYPO_TF);
    let (actions, _) = actions_for(&mut server, &uri, 1);
    let suppress = titled(&actions, "Suppress IAM006 with a reason");
    assert_eq!(suppress["edit"].get("documentChanges"), None);
    let edits = suppress["edit"]["changes"][&uri].as_array().unwrap();
    assert_eq!(edits[0]["newText"], "      # rein:ignore IAM006 <reason>\n");
}

#[test]
fn a_terraform_json_block_gets_a_comment_member() {
    let text = "{\n  \"resource\": {\n    \"aws_iam_policy\": {\n      \"p\": {\n        \"policy\": \"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"s3:GetObjekt\\\", \\\"Resource\\\": \\\"arn:aws:s3:::logs/*\\\"}]}\"\n      }\n    }\n  }\n}\n";
    let mut server = TestServer::new("tfjson-suppress");
    let uri = server.open("main.tf.json", "json", text);
    let (actions, diagnostics) = actions_for(&mut server, &uri, 1);
    assert_eq!(codes(&diagnostics), ["IAM006"]);
    let suppress = titled(&actions, "Suppress IAM006 with a reason");
    let suppressed = apply(text, suppress["edit"]["changes"][&uri].as_array().unwrap());
    assert!(
        suppressed.contains("\"p\": {\n        \"//\": \"rein:ignore IAM006 <reason>\",\n        \"policy\""),
        "{suppressed}"
    );
    server.change(&uri, 2, json!([{"text": suppressed}]));
    assert_eq!(codes(&server.diagnostics(&uri, 2)), Vec::<&str>::new());
}

#[test]
fn a_terraform_json_block_with_a_comment_already_gets_no_second_one() {
    let text = "{\"resource\": {\"aws_iam_policy\": {\"p\": {\"//\": \"generated\", \"policy\": \"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"s3:GetObjekt\\\", \\\"Resource\\\": \\\"arn:aws:s3:::logs/*\\\"}]}\"}}}}\n";
    let mut server = TestServer::new("tfjson-commented");
    let uri = server.open("main.tf.json", "json", text);
    let (actions, _) = actions_for(&mut server, &uri, 1);
    assert!(actions.iter().all(|a| !a["title"].as_str().unwrap().starts_with("Suppress")), "{actions:?}");
}

#[test]
fn a_cloudformation_json_resource_gets_metadata() {
    let text = "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Policy\": {\n      \"Type\": \"AWS::IAM::ManagedPolicy\",\n      \"Properties\": {\n        \"PolicyDocument\": {\n          \"Version\": \"2012-10-17\",\n          \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"arn:aws:s3:::logs/*\"}]\n        }\n      }\n    }\n  }\n}\n";
    let mut server = TestServer::new("cfn-json");
    let uri = server.open("template.json", "json", text);
    let (actions, diagnostics) = actions_for(&mut server, &uri, 1);
    assert_eq!(codes(&diagnostics), ["IAM006"]);
    let suppress = titled(&actions, "Suppress IAM006 with a reason");
    let suppressed = apply(text, suppress["edit"]["changes"][&uri].as_array().unwrap());
    assert!(
        suppressed.contains(
            "\"Policy\": {\n      \"Metadata\": {\"rein\": {\"ignore\": [{\"id\": \"IAM006\", \"reason\": \"<reason>\"}]}},\n      \"Type\""
        ),
        "{suppressed}"
    );
    server.change(&uri, 2, json!([{"text": suppressed}]));
    assert_eq!(codes(&server.diagnostics(&uri, 2)), Vec::<&str>::new());
}
