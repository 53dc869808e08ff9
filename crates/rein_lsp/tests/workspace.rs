//! The workspace on disk: a local module is analysed from the root modules that call it, disk
//! reads are cached until the client announces a change, CloudFormation templates are read
//! together, and a burst of edits is published in version order.

mod support;

use serde_json::{Value, json};
use support::TestServer;

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().filter_map(|d| d["code"].as_str()).collect()
}

fn watching_client() -> Value {
    json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}})
}

fn changed(server: &TestServer, name: &str, typ: u32) {
    let uri = server.uri(name);
    server.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri, "type": typ}]}));
}

const MODULE: &str = "variable \"actions\" {\n  type = list(string)\n}\n\nresource \"aws_iam_policy\" \"p\" {\n  name = \"p\"\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = var.actions\n      Resource = \"*\"\n    }]\n  })\n}\n";

fn root_calling(actions: &str) -> String {
    format!("module \"iam\" {{\n  source  = \"./modules/iam\"\n  actions = [\"{actions}\"]\n}}\n")
}

#[test]
fn a_module_file_is_analysed_from_the_root_that_calls_it() {
    let mut server = TestServer::with_capabilities("module-root", watching_client(), Value::Null);
    std::fs::create_dir_all(server.path("modules/iam")).unwrap();
    std::fs::write(server.path("main.tf"), root_calling("s3:GetObject")).unwrap();
    let uri = server.open("modules/iam/main.tf", "terraform", MODULE);
    let diagnostics = server.diagnostics(&uri, 1);
    // The caller says what `var.actions` is, so `*` is flagged for `s3:GetObject` here, with the
    // caller's value as related information.
    assert!(!codes(&diagnostics).contains(&"IAM010"), "{diagnostics:?}");
    let star = diagnostics.iter().find(|d| d["code"] == "IAM105").unwrap_or_else(|| panic!("{diagnostics:?}"));
    assert_eq!(star["range"]["start"], json!({"line": 11, "character": 17}));
    let related: Vec<&str> = star["relatedInformation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|info| info["location"]["uri"].as_str().unwrap())
        .collect();
    assert!(related.iter().any(|uri| *uri == server.uri("main.tf")), "{related:?}");

    // The root's open buffer goes over its file: its findings come out of the same run.
    let root = server.open("main.tf", "terraform", &root_calling("s3:GetObjekt"));
    assert!(codes(&server.diagnostics(&root, 1)).contains(&"IAM006"));
    server.change(
        &uri,
        2,
        json!([{"range": {"start": {"line": 5, "character": 10}, "end": {"line": 5, "character": 10}}, "text": "q"}]),
    );
    assert!(!codes(&server.diagnostics(&uri, 2)).contains(&"IAM010"));
    assert!(codes(&server.diagnostics(&root, 1)).contains(&"IAM006"));

    // Without a caller, the module is a root of its own, and its variable is unknown.
    server.notify("textDocument/didClose", json!({"textDocument": {"uri": root}}));
    // Closed, the root is read from disk again.
    assert!(!codes(&server.diagnostics(&uri, 2)).contains(&"IAM010"));
    std::fs::remove_file(server.path("main.tf")).unwrap();
    changed(&server, "main.tf", 3);
    let diagnostics = server.diagnostics(&uri, 2);
    assert!(codes(&diagnostics).contains(&"IAM010"), "{diagnostics:?}");
}

#[test]
fn a_module_called_through_another_module_is_analysed_from_the_top() {
    let mut server = TestServer::new("module-chain");
    std::fs::create_dir_all(server.path("modules/iam")).unwrap();
    std::fs::create_dir_all(server.path("modules/app")).unwrap();
    std::fs::write(server.path("main.tf"), "module \"app\" {\n  source = \"./modules/app\"\n}\n").unwrap();
    std::fs::write(
        server.path("modules/app/main.tf"),
        "module \"iam\" {\n  source  = \"../iam\"\n  actions = [\"s3:GetObject\"]\n}\n",
    )
    .unwrap();
    let uri = server.open("modules/iam/main.tf", "terraform", MODULE);
    let diagnostics = server.diagnostics(&uri, 1);
    assert!(codes(&diagnostics).contains(&"IAM105"), "{diagnostics:?}");
    assert!(!codes(&diagnostics).contains(&"IAM010"), "{diagnostics:?}");
}

#[test]
fn disk_reads_are_cached_until_the_client_announces_a_change() {
    let mut server = TestServer::with_capabilities("disk-cache", watching_client(), Value::Null);

    let locals = |action: &str| format!("locals {{\n  actions = [\"{action}\"]\n}}\n");
    std::fs::write(server.path("locals.tf"), locals("s3:GetObject")).unwrap();
    let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = local.actions\n      Resource = \"*\"\n    }]\n  })\n}\n";
    let uri = server.open("main.tf", "terraform", text);
    // `*` is flagged for the actions the file on disk names.
    assert!(codes(&server.diagnostics(&uri, 1)).contains(&"IAM105"));
    let registration = server.requests.iter().find(|request| request.method == "client/registerCapability");
    let registration = &registration.expect("a watcher registration").params["registrations"][0];
    let watchers = registration["registerOptions"]["watchers"].as_array().unwrap();
    let globs: Vec<&str> = watchers.iter().map(|w| w["globPattern"].as_str().unwrap()).collect();
    assert!(globs.contains(&"**/*.tf") && globs.contains(&"**/*.yaml"), "{globs:?}");
    // The file changes to an action without resource types, but nothing announced it: the
    // cached text still counts.
    std::fs::write(server.path("locals.tf"), locals("s3:ListAllMyBuckets")).unwrap();
    let newline =
        json!([{"range": {"start": {"line": 9, "character": 0}, "end": {"line": 9, "character": 0}}, "text": "\n"}]);
    server.change(&uri, 2, newline.clone());
    assert!(codes(&server.diagnostics(&uri, 2)).contains(&"IAM105"));
    // Announced: the document is analysed again with the new text.
    changed(&server, "locals.tf", 2);
    assert!(!codes(&server.diagnostics(&uri, 2)).contains(&"IAM105"));
    // A file created later is heard of the same way.
    std::fs::write(server.path("more.tf"), "locals {\n  more = 1\n}\n").unwrap();
    std::fs::write(server.path("locals.tf"), "").unwrap();
    changed(&server, "locals.tf", 2);
    let diagnostics = server.diagnostics(&uri, 2);
    assert!(codes(&diagnostics).contains(&"IAM010"), "{diagnostics:?}");
}

#[test]
fn an_open_template_is_read_with_the_other_templates_of_the_workspace() {
    let template = |action: &str| {
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Policy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: {action}\n            Resource: 'arn:aws:s3:::logs/*'\n"
        )
    };
    let mut server = TestServer::new("templates");
    let first = server.open("a.yaml", "yaml", &template("s3:GetObjekt"));
    assert_eq!(codes(&server.diagnostics(&first, 1)), ["IAM006"]);
    let second = server.open("b.yaml", "yaml", &template("s3:PutObjekt"));
    assert_eq!(codes(&server.diagnostics(&second, 1)), ["IAM006"]);
    // An edit of one template is analysed with the other, whose diagnostics come along.
    server.notifications.clear();
    server.change(&first, 2, json!([{"text": template("s3:GetObject")}]));
    assert_eq!(codes(&server.diagnostics(&first, 2)), Vec::<&str>::new());
    assert_eq!(codes(&server.diagnostics(&second, 1)), ["IAM006"]);
}

#[test]
fn a_burst_of_edits_is_published_in_order_and_ends_at_the_last_version() {
    let mut server = TestServer::new("burst");
    let mut text = String::new();
    for idx in 0..60 {
        text.push_str(&format!(
            "resource \"aws_iam_policy\" \"p{idx}\" {{\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Effect   = \"Allow\"\n      Action   = \"s3:GetObject\"\n      Resource = \"arn:aws:s3:::logs/*\"\n    }}]\n  }})\n}}\n"
        ));
    }
    let uri = server.open("main.tf", "terraform", &text);
    server.diagnostics(&uri, 1);
    // Type `kt` over the `ct` of the first action and back, 40 times, without waiting.
    for version in 2..=41 {
        let typed = if version % 2 == 0 { "k" } else { "c" };
        let at = json!({"start": {"line": 5, "character": 28}, "end": {"line": 5, "character": 29}});
        server.change(&uri, version, json!([{"range": at, "text": typed}]));
    }
    // The last edit restores `c`: clean.
    assert_eq!(codes(&server.diagnostics(&uri, 41)), Vec::<&str>::new());
    let versions: Vec<i64> = server
        .notifications
        .iter()
        .filter(|n| n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri.as_str())
        .map(|n| n.params["version"].as_i64().unwrap())
        .collect();
    assert!(versions.windows(2).all(|pair| pair[0] < pair[1]), "{versions:?}");
    // Every version published has the diagnostics of its own text.
    for notification in &server.notifications {
        if notification.method != "textDocument/publishDiagnostics" || notification.params["uri"] != uri.as_str() {
            continue;
        }
        let version = notification.params["version"].as_i64().unwrap();
        let typo = codes(notification.params["diagnostics"].as_array().unwrap()).contains(&"IAM006");
        assert_eq!(typo, version % 2 == 0, "version {version}");
    }
}

#[test]
fn a_module_called_from_a_root_in_json_syntax_is_analysed_from_it() {
    let mut server = TestServer::new("module-root-json");
    std::fs::create_dir_all(server.path("modules/iam")).unwrap();
    std::fs::write(
        server.path("main.tf.json"),
        "{\"module\": {\"iam\": {\"source\": \"./modules/iam\", \"actions\": [\"s3:GetObject\"]}}}\n",
    )
    .unwrap();
    let uri = server.open("modules/iam/main.tf", "terraform", MODULE);
    let diagnostics = server.diagnostics(&uri, 1);
    assert!(codes(&diagnostics).contains(&"IAM105"), "{diagnostics:?}");
    assert!(!codes(&diagnostics).contains(&"IAM010"), "{diagnostics:?}");
}

#[test]
fn without_file_watching_a_changed_file_is_read_again() {
    let mut server = TestServer::new("unwatched");
    let locals = |action: &str| format!("locals {{\n  actions = [\"{action}\"]\n}}\n");
    std::fs::write(server.path("locals.tf"), locals("s3:GetObject")).unwrap();
    let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = local.actions\n      Resource = \"*\"\n    }]\n  })\n}\n";
    let uri = server.open("main.tf", "terraform", text);
    assert!(codes(&server.diagnostics(&uri, 1)).contains(&"IAM105"));
    // No watcher announces it, but the file's length and time tell the cache it changed.
    std::fs::write(server.path("locals.tf"), locals("s3:ListAllMyBuckets")).unwrap();
    let newline =
        json!([{"range": {"start": {"line": 9, "character": 0}, "end": {"line": 9, "character": 0}}, "text": "\n"}]);
    server.change(&uri, 2, newline);
    assert!(!codes(&server.diagnostics(&uri, 2)).contains(&"IAM105"));
}

#[test]
fn a_refused_watcher_registration_falls_back_to_checking_files() {
    let mut server = TestServer::with_capabilities("refused", watching_client(), Value::Null);
    server.refuse.push("client/registerCapability".to_owned());
    let locals = |action: &str| format!("locals {{\n  actions = [\"{action}\"]\n}}\n");
    std::fs::write(server.path("locals.tf"), locals("s3:GetObject")).unwrap();
    let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = local.actions\n      Resource = \"*\"\n    }]\n  })\n}\n";
    let uri = server.open("main.tf", "terraform", text);
    // Waiting for these diagnostics answers (and refuses) the registration on the way.
    assert!(codes(&server.diagnostics(&uri, 1)).contains(&"IAM105"));
    assert!(server.requests.iter().any(|request| request.method == "client/registerCapability"));
    std::fs::write(server.path("locals.tf"), locals("s3:ListAllMyBuckets")).unwrap();
    let newline =
        json!([{"range": {"start": {"line": 9, "character": 0}, "end": {"line": 9, "character": 0}}, "text": "\n"}]);
    server.change(&uri, 2, newline);
    assert!(!codes(&server.diagnostics(&uri, 2)).contains(&"IAM105"));
}

#[test]
fn a_module_called_from_two_roots_is_read_from_both() {
    let mut server = TestServer::new("module-two-roots");
    std::fs::create_dir_all(server.path("modules/iam")).unwrap();
    for (env, action) in [("env/prod", "s3:GetObject"), ("env/test", "s3:PutObject")] {
        std::fs::create_dir_all(server.path(env)).unwrap();
        let call = format!("module \"iam\" {{\n  source  = \"../../modules/iam\"\n  actions = [\"{action}\"]\n}}\n");
        std::fs::write(server.path(&format!("{env}/main.tf")), call).unwrap();
    }
    let uri = server.open("modules/iam/main.tf", "terraform", MODULE);
    let diagnostics = server.diagnostics(&uri, 1);
    assert!(!codes(&diagnostics).contains(&"IAM010"), "{diagnostics:?}");
    let stars: Vec<&str> =
        diagnostics.iter().filter(|d| d["code"] == "IAM105").map(|d| d["message"].as_str().unwrap()).collect();
    // Each caller's actions make their own finding at the module's `*`.
    assert_eq!(stars.len(), 2, "{stars:?}");
    assert!(stars.iter().any(|m| m.contains("s3:GetObject")) && stars.iter().any(|m| m.contains("s3:PutObject")));
}
