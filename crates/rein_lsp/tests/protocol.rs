//! The server over an in-process connection: handshake, document sync, diagnostics, code
//! actions, hover, completion, cancellation and shutdown.

mod support;

use serde_json::{Value, json};
use support::{TestServer, cursor};

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

fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({"start": {"line": start.0, "character": start.1}, "end": {"line": end.0, "character": end.1}})
}

/// Applies the edits of one file of a workspace edit to `text` (UTF-16 positions).
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().unwrap() as usize;
        let character = pos["character"].as_u64().unwrap() as usize;
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let line_text = text[line_start..].split('\n').next().unwrap();
        let mut units = 0;
        for (idx, ch) in line_text.char_indices() {
            if units >= character {
                return line_start + idx;
            }
            units += ch.len_utf16();
        }
        line_start + line_text.len()
    };
    let mut sorted: Vec<&Value> = edits.iter().collect();
    sorted.sort_by_key(|edit| std::cmp::Reverse(offset(&edit["range"]["start"])));
    let mut out = text.to_owned();
    for edit in sorted {
        let (start, end) = (offset(&edit["range"]["start"]), offset(&edit["range"]["end"]));
        out.replace_range(start..end, edit["newText"].as_str().unwrap());
    }
    out
}

#[test]
fn handshake_advertises_incremental_sync_and_negotiates_the_encoding() {
    let server = TestServer::new("handshake");
    let caps = &server.initialize_result["capabilities"];
    assert_eq!(caps["textDocumentSync"]["change"], 2);
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(server.initialize_result["serverInfo"]["name"], "rein");
    let utf8 = TestServer::with_capabilities(
        "handshake-utf8",
        json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}}),
        Value::Null,
    );
    assert_eq!(utf8.initialize_result["capabilities"]["positionEncoding"], "utf-8");
}

#[test]
fn diagnostics_follow_incremental_changes() {
    let mut server = TestServer::new("diagnostics");
    let uri = server.open("policy.json", "json", TYPO_POLICY);
    let diagnostics = server.diagnostics(&uri, 1);
    assert_eq!(codes(&diagnostics), ["IAM006"]);
    let typo = &diagnostics[0];
    assert_eq!(typo["range"], range((4, 15), (4, 29)));
    assert_eq!(typo["severity"], 1);
    assert_eq!(typo["source"], "rein");
    assert!(typo["codeDescription"]["href"].as_str().unwrap().ends_with("/docs/rules/IAM006.md"));
    assert!(typo["message"].as_str().unwrap().contains("did you mean `s3:GetObject`"), "{typo}");

    // Fix the typo (`k` → `c`), then break the resource across two changes, the second one
    // spanning lines.
    server.change(&uri, 2, json!([{"range": range((4, 26), (4, 27)), "text": "c"}]));
    assert_eq!(codes(&server.diagnostics(&uri, 2)), Vec::<&str>::new());
    server.change(
        &uri,
        3,
        json!([
            {"range": range((5, 16), (5, 37)), "text": "\"arn:aws:s3:::logs\""},
            {"range": range((4, 14), (5, 0)), "text": "\"s3:GetObject\",\n"},
        ]),
    );
    let diagnostics = server.diagnostics(&uri, 3);
    assert_eq!(codes(&diagnostics), ["IAM106"], "{diagnostics:?}");
    // The finding's label points at the action, as related information.
    let related = &diagnostics[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri);
    assert_eq!(related["location"]["range"], range((4, 14), (4, 28)));
}

#[test]
fn positions_count_utf16_units_unless_utf8_was_negotiated() {
    let text = "{\"Statement\": {\"Sid\": \"日本😀\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"*\"}}";
    let byte_col = text.find("\"s3:").unwrap() as u32;
    let utf16_col = text[..byte_col as usize].encode_utf16().count() as u32;
    let mut server = TestServer::new("utf16");
    let uri = server.open("p.json", "json", text);
    let diagnostics = server.diagnostics(&uri, 1);
    let typo = diagnostics.iter().find(|d| d["code"] == "IAM006").unwrap();
    assert_eq!(typo["range"]["start"]["character"], utf16_col);
    let mut server =
        TestServer::with_capabilities("utf8", json!({"general": {"positionEncodings": ["utf-8"]}}), Value::Null);
    let uri = server.open("p.json", "json", text);
    let diagnostics = server.diagnostics(&uri, 1);
    let typo = diagnostics.iter().find(|d| d["code"] == "IAM006").unwrap();
    assert_eq!(typo["range"]["start"]["character"], byte_col);
    // An edit after the emoji, in UTF-8 columns.
    let k = byte_col + 11;
    server.change(&uri, 2, json!([{"range": range((0, k), (0, k + 1)), "text": "c"}]));
    assert!(server.diagnostics(&uri, 2).iter().all(|d| d["code"] != "IAM006"));
}

#[test]
fn a_quick_fix_round_trips_through_code_actions() {
    let mut server = TestServer::new("fix");
    let uri = server.open("policy.json", "json", TYPO_POLICY);
    let diagnostics = server.diagnostics(&uri, 1);
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": diagnostics[0]["range"], "context": {"diagnostics": diagnostics}}),
    );
    let actions = actions.as_array().unwrap();
    // JSON has no comments, so there is no suppression action.
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["title"], "Replace with `s3:GetObject`");
    assert_eq!(actions[0]["kind"], "quickfix");
    let edits = actions[0]["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply(TYPO_POLICY, edits);
    assert!(fixed.contains("[\"s3:GetObject\"]"), "{fixed}");
    server.change(&uri, 2, json!([{"text": fixed}]));
    assert_eq!(server.diagnostics(&uri, 2), Vec::<Value>::new());
}

#[test]
fn suppressing_with_a_reason_inserts_a_comment_that_silences_the_finding() {
    let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = \"s3:GetObjekt\"\n      Resource = \"arn:aws:s3:::logs/*\"\n    }]\n  })\n}\n";
    let mut server = TestServer::new("suppress");
    let uri = server.open("main.tf", "terraform", text);
    let diagnostics = server.diagnostics(&uri, 1);
    assert_eq!(codes(&diagnostics), ["IAM006"]);
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": diagnostics[0]["range"], "context": {"diagnostics": diagnostics}}),
    );
    let suppress = actions.as_array().unwrap().iter().find(|a| a["title"] == "Suppress IAM006 with a reason").unwrap();
    let edits = suppress["edit"]["changes"][&uri].as_array().unwrap();
    let suppressed = apply(text, edits);
    assert!(
        suppressed.contains("\n      # rein:ignore IAM006 <reason>\n      Action   = \"s3:GetObjekt\""),
        "{suppressed}"
    );
    server.change(&uri, 2, json!([{"text": suppressed}]));
    assert_eq!(server.diagnostics(&uri, 2), Vec::<Value>::new());
}

#[test]
fn a_half_typed_terraform_file_reports_its_syntax_errors_and_the_findings_of_what_parses() {
    let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = \"s3:GetObjekt\"\n      Resource = \"*\"\n    }]\n  })\n}\n\nresource \"aws_iam_role\" \"r\" {\n  name = [\n";
    let mut server = TestServer::new("half-typed");
    let uri = server.open("main.tf", "terraform", text);
    let diagnostics = server.diagnostics(&uri, 1);
    let codes = codes(&diagnostics);
    assert!(codes.contains(&"IAM001"), "{codes:?}");
    assert!(codes.contains(&"IAM006"), "{codes:?}");
}

#[test]
fn terraform_buffers_read_the_rest_of_their_module_from_disk() {
    let mut server = TestServer::new("module");
    // The policy is in a file on disk; the local it reads is in the open buffer.
    std::fs::write(
        server.path("policy.tf"),
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = local.actions\n      Resource = \"*\"\n    }]\n  })\n}\n",
    )
    .unwrap();
    let uri = server.open("locals.tf", "terraform", "locals {\n  actions = [\"s3:GetObjekt\"]\n}\n");
    let diagnostics = server.diagnostics(&uri, 1);
    assert!(codes(&diagnostics).contains(&"IAM006"), "{diagnostics:?}");
    assert_eq!(diagnostics.iter().find(|d| d["code"] == "IAM006").unwrap()["range"], range((1, 13), (1, 27)));
}

#[test]
fn cloudformation_yaml_gets_diagnostics_and_suppressions() {
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Policy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObjekt\n            Resource: '*'\n";
    let mut server = TestServer::new("cfn");
    let uri = server.open("template.yaml", "yaml", text);
    let diagnostics = server.diagnostics(&uri, 1);
    assert_eq!(codes(&diagnostics), ["IAM006"]);
    assert_eq!(diagnostics[0]["range"], range((9, 20), (9, 32)));
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": diagnostics[0]["range"], "context": {"diagnostics": diagnostics}}),
    );
    let titles: Vec<&str> = actions.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Replace with `s3:GetObject`", "Suppress IAM006 with a reason"]);
}

fn hover_at(server: &mut TestServer, name: &str, language: &str, text: &str) -> String {
    let (text, position) = cursor(text);
    let uri = server.open(name, language, &text);
    let result = server.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position}));
    result["contents"]["value"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn hover_explains_actions_wildcards_arns_condition_keys_and_rules() {
    let mut server = TestServer::new("hover");
    let action = hover_at(
        &mut server,
        "a.json",
        "json",
        r#"{"Statement": {"Effect": "Allow", "Action": "s3:Get$0Object", "Resource": "arn:aws:s3:::b/*"}}"#,
    );
    assert!(action.starts_with("**s3:GetObject** (Read)"), "{action}");
    assert!(action.contains("Resource types: `accesspointobject`, `object`"), "{action}");
    assert!(action.contains("`s3:ExistingObjectTag/<key>`"), "{action}");

    let wildcard = hover_at(
        &mut server,
        "w.json",
        "json",
        r#"{"Statement": {"Effect": "Allow", "Action": "s3:Put$0Bucket*", "Resource": "arn:aws:s3:::b"}}"#,
    );
    assert!(wildcard.starts_with("**s3:PutBucket*** matches"), "{wildcard}");
    assert!(wildcard.contains("*Write*"), "{wildcard}");
    assert!(wildcard.contains("*Permissions management*"), "{wildcard}");
    assert!(wildcard.contains("`s3:PutBucketPolicy`"), "{wildcard}");

    let arn = hover_at(
        &mut server,
        "r.tf",
        "terraform",
        "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"s3:GetObject\", \"s3:ListBucket\"]\n    resources = [\"arn:aws:s3:::b$0/*\"]\n  }\n}\n",
    );
    assert!(arn.contains("**s3:object**"), "{arn}");
    assert!(arn.contains("Accepted by `s3:GetObject`"), "{arn}");
    // The resource part says nothing of `s3:ListBucket`, which needs a bucket ARN (the rule
    // reported here does, below it).
    assert!(!arn.split("\n---\n").next().unwrap().contains("s3:ListBucket"), "{arn}");
    assert!(arn.contains("**IAM106**"), "{arn}");

    let key = hover_at(
        &mut server,
        "k.yaml",
        "yaml",
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: [s3:GetObject, sqs:SendMessage]\n            Resource: '*'\n            Condition:\n              StringEquals:\n                s3:Existing$0ObjectTag/team: a\n",
    );
    assert!(key.starts_with("**s3:ExistingObjectTag/<key>** (condition key, `String`)"), "{key}");
    assert!(key.contains("Supported by `s3:GetObject`"), "{key}");
    assert!(key.contains("Not supported by `sqs:SendMessage`"), "{key}");

    let rule = hover_at(
        &mut server,
        "t.json",
        "json",
        r#"{"Statement": {"Effect": "Allow", "Action": "s3:GetObj$0ekt", "Resource": "*"}}"#,
    );
    assert!(rule.contains("is not an action in the IAM catalogue; did you mean `s3:GetObject`?"), "{rule}");
    assert!(rule.contains("**IAM006**"), "{rule}");
    assert!(rule.contains("## What it checks"), "{rule}");

    let comment =
        hover_at(&mut server, "c.tf", "terraform", "# rein:ignore IAM1$005 the groups get random names\nlocals {}\n");
    assert!(comment.starts_with("**IAM105**"), "{comment}");
}

fn labels_at(server: &mut TestServer, name: &str, language: &str, text: &str) -> Vec<String> {
    let (text, position) = cursor(text);
    let uri = server.open(name, language, &text);
    let result = server.request("textDocument/completion", json!({"textDocument": {"uri": uri}, "position": position}));
    result
        .as_array()
        .map(|items| items.iter().map(|i| i["label"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn completion_offers_services_actions_keys_operators_and_arns() {
    let mut server = TestServer::new("completion");
    let services = labels_at(&mut server, "s.json", "json", r#"{"Statement": {"Effect": "Allow", "Action": "s$0"}}"#);
    assert!(services.contains(&"s3".to_owned()) && services.contains(&"sqs".to_owned()), "{services:?}");
    let actions = labels_at(
        &mut server,
        "a.tf",
        "terraform",
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{\n      Action = [\"s3:Get$0\"]\n    }]\n  })\n}\n",
    );
    assert!(actions.contains(&"s3:GetObject".to_owned()), "{actions:?}");
    assert!(actions.iter().all(|label| label.starts_with("s3:")), "{actions:?}");
    let operators = labels_at(
        &mut server,
        "o.tf",
        "terraform",
        "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions = [\"s3:GetObject\"]\n    condition {\n      test = \"$0\"\n    }\n  }\n}\n",
    );
    assert!(operators.contains(&"StringEqualsIfExists".to_owned()), "{operators:?}");
    let keys = labels_at(
        &mut server,
        "k.json",
        "json",
        r#"{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"$0": "x"}}}}"#,
    );
    assert!(keys.contains(&"s3:ExistingObjectTag/<key>".to_owned()), "{keys:?}");
    assert!(keys.contains(&"aws:PrincipalOrgID".to_owned()), "{keys:?}");
    assert!(!keys.iter().any(|key| key.starts_with("sqs:")), "{keys:?}");
    let heredoc = labels_at(
        &mut server,
        "h.tf",
        "terraform",
        "resource \"aws_iam_role_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"sqs:$0\"}}\nEOF\n}\n",
    );
    assert!(heredoc.contains(&"sqs:SendMessage".to_owned()), "{heredoc:?}");
    let template_json = labels_at(
        &mut server,
        "t.json",
        "json",
        r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"$0"}}]}}}}}"#,
    );
    assert!(template_json.contains(&"StringLike".to_owned()), "{template_json:?}");
    let arns = labels_at(
        &mut server,
        "r.yaml",
        "yaml",
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: sqs:SendMessage\n            Resource:\n              - $0\n",
    );
    assert_eq!(arns, ["arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"]);
}

#[test]
fn a_cancelled_request_is_answered_with_request_cancelled() {
    let mut server = TestServer::new("cancel");
    // A large document keeps the worker busy while the request waits behind it.
    let statement = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#;
    let text = format!("{{\"Statement\": [{}]}}", vec![statement; 100].join(",\n"));
    let uri = server.open("big.json", "json", &text);
    let id = server.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 40}}),
    );
    server.notify("$/cancelRequest", json!({"id": id}));
    let response = server.response(&id);
    assert_eq!(response.response_result.unwrap_err().code, -32800);
    server.diagnostics(&uri, 1);
}

#[test]
fn stale_results_are_dropped() {
    let mut server = TestServer::new("stale");
    let uri = server.open("policy.json", "json", TYPO_POLICY);
    for version in 2..=6 {
        server.change(
            &uri,
            version,
            json!([{"range": range((4, 26), (4, 27)), "text": if version % 2 == 0 { "c" } else { "k" }}]),
        );
    }
    assert_eq!(codes(&server.diagnostics(&uri, 6)), Vec::<&str>::new());
    // Whatever was published came in version order, and nothing after the last version.
    let versions: Vec<i64> = server
        .notifications
        .iter()
        .filter(|n| n.method == "textDocument/publishDiagnostics")
        .map(|n| n.params["version"].as_i64().unwrap())
        .collect();
    assert!(versions.windows(2).all(|pair| pair[0] < pair[1]), "{versions:?}");
}

#[test]
fn configuration_changes_apply_to_open_documents() {
    let mut server = TestServer::with_capabilities("config", json!({}), json!({"ignore": ["IAM006"]}));
    let uri = server.open("policy.json", "json", TYPO_POLICY);
    assert_eq!(server.diagnostics(&uri, 1), Vec::<Value>::new());
    server.notify("workspace/didChangeConfiguration", json!({"settings": {"rein": {"ignore": []}}}));
    assert_eq!(codes(&server.diagnostics(&uri, 1)), ["IAM006"]);
}

#[test]
fn closing_a_document_clears_its_diagnostics() {
    let mut server = TestServer::new("close");
    let uri = server.open("policy.json", "json", TYPO_POLICY);
    assert_eq!(server.diagnostics(&uri, 1).len(), 1);
    server.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    let result = server
        .request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 17}}));
    assert_eq!(result, Value::Null);
    let cleared = server.notifications.iter().any(|n| {
        n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri && n.params["diagnostics"] == json!([])
    });
    assert!(cleared);
}

#[test]
fn requests_after_shutdown_are_refused_and_exit_without_shutdown_fails() {
    let mut server = TestServer::new("shutdown");
    assert_eq!(server.request("shutdown", Value::Null), Value::Null);
    let id = server.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(server.response(&id).response_result.unwrap_err().code, -32600);
    server.notify("exit", Value::Null);
    drop(server.take_thread().join().unwrap());

    let mut server = TestServer::new("no-shutdown");
    server.notify("exit", Value::Null);
    assert!(!server.take_thread().join().unwrap().unwrap());
}

#[test]
fn unknown_requests_get_method_not_found() {
    let mut server = TestServer::new("unknown");
    let id = server.send_request("textDocument/rename", json!({}));
    assert_eq!(server.response(&id).response_result.unwrap_err().code, -32601);
}
