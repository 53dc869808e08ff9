//! Buffers in Terraform's JSON syntax (`.tf.json`, as `cdktf synth` writes them) get the
//! diagnostics of Terraform files, at the exact text inside the JSON strings.

mod support;

use serde_json::{Value, json};
use support::TestServer;

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().filter_map(|d| d["code"].as_str()).collect()
}

#[test]
fn a_terraform_json_buffer_gets_diagnostics_at_the_escaped_text() {
    let text = "{\n  \"resource\": {\"aws_iam_policy\": {\"p\": {\n    \"policy\": \"{\\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"s3:GetObjekt\\\", \\\"Resource\\\": \\\"*\\\"}]}\"\n  }}}\n}\n";
    let mut server = TestServer::new("tfjson");
    let uri = server.open("main.tf.json", "json", text);
    let diagnostics = server.diagnostics(&uri, 1);
    let typo = diagnostics.iter().find(|d| d["code"] == "IAM006").unwrap_or_else(|| panic!("{diagnostics:?}"));
    let line = text.lines().nth(2).unwrap();
    let column = line.find("\\\"s3:GetObjekt").unwrap() as u64;
    assert_eq!(typo["range"]["start"], json!({"line": 2, "character": column}));
    assert_eq!(typo["range"]["end"], json!({"line": 2, "character": column + "\\\"s3:GetObjekt\\\"".len() as u64}));
}

#[test]
fn a_terraform_json_buffer_reads_the_native_files_of_its_module() {
    let mut server = TestServer::new("tfjson-module");
    std::fs::write(server.path("locals.tf"), "locals {\n  actions = [\"s3:GetObject\"]\n}\n").unwrap();
    let text = "{\"resource\": {\"aws_iam_policy\": {\"p\": {\"policy\": \"${jsonencode({\\\"Statement\\\" = [{\\\"Effect\\\" = \\\"Allow\\\", \\\"Action\\\" = local.actions, \\\"Resource\\\" = \\\"*\\\"}]})}\"}}}}\n";
    let uri = server.open("main.tf.json", "json", text);
    let diagnostics = server.diagnostics(&uri, 1);
    // The actions come from the file on disk; `*` in this buffer is flagged for them.
    let star = diagnostics.iter().find(|d| d["code"] == "IAM105").unwrap_or_else(|| panic!("{diagnostics:?}"));
    let related = star["relatedInformation"][0]["location"]["uri"].as_str().unwrap();
    assert!(related.ends_with("/locals.tf"), "{related}");
    let broken = server.open("broken.tf.json", "json", "{\"locals\": {\"a\": 1,}}\n");
    let diagnostics = server.diagnostics(&broken, 1);
    assert_eq!(codes(&diagnostics), ["IAM001"], "{diagnostics:?}");
}
