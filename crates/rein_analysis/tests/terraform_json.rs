//! Terraform's JSON syntax: `.tf.json` files are Terraform, and module calls cross between the
//! two syntaxes in both directions.

use rein_analysis::{FileKind, SourceInput, analyze, classify, kind_of_named_file};
use rein_rules::Settings;

fn input(path: &str, text: &str) -> SourceInput {
    SourceInput { path: path.to_owned(), bytes: text.as_bytes().to_vec(), kind: None, policy_kind: None }
}

const APP_JSON: &str = r#"{
  "variable": {"queue_name": {"type": "string"}},
  "resource": {"aws_iam_policy": {"send": {
    "name": "send",
    "policy": "${jsonencode({\"Version\" = \"2012-10-17\", \"Statement\" = [{\"Effect\" = \"Allow\", \"Action\" = \"sqs:SendMesage\", \"Resource\" = \"arn:aws:sqs:eu-west-1:111122223333:${var.queue_name}\"}]})}"
  }}}
}"#;

#[test]
fn terraform_json_is_terraform_by_name() {
    let text = br#"{"resource": {}}"#;
    assert_eq!(classify("stack/cdk.tf.json", text), Some(FileKind::Terraform));
    assert_eq!(classify("stack/MAIN.TF.JSON", text), Some(FileKind::Terraform));
    assert_eq!(kind_of_named_file("main.tf.json", b"not json"), FileKind::Terraform);
    // Other JSON is still read by its content.
    assert_eq!(classify("stack/package.json", br#"{"name": "stack"}"#), None);
}

#[test]
fn a_native_root_calls_a_module_written_in_json() {
    let root = "module \"app\" {\n  source     = \"./modules/app\"\n  queue_name = \"orders\"\n}\n";
    let analysis = analyze(
        vec![input("env/main.tf", root), input("env/modules/app/main.tf.json", APP_JSON)],
        &Settings::default(),
    );
    let owners: Vec<_> = analysis.documents.iter().filter_map(|doc| doc.origin.owner.clone()).collect();
    assert_eq!(owners, ["module.app.aws_iam_policy.send"]);
    let resource = &analysis.documents[0].statements[0].resource.as_ref().unwrap().items[0];
    assert_eq!(resource.known(), Some("arn:aws:sqs:eu-west-1:111122223333:orders"));
    assert!(analysis.findings.iter().any(|finding| finding.rule == "IAM006"));
}

#[test]
fn a_json_root_calls_a_native_module() {
    let root = r#"{"module": {"app": {"source": "./modules/app", "queue_name": "orders"}}}"#;
    let app = "variable \"queue_name\" {}\n\nresource \"aws_iam_policy\" \"send\" {\n  policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", Action = \"sqs:SendMessage\", Resource = \"arn:aws:sqs:eu-west-1:111122223333:${var.queue_name}\" }]\n  })\n}\n";
    let analysis =
        analyze(vec![input("env/main.tf.json", root), input("env/modules/app/main.tf", app)], &Settings::default());
    let owners: Vec<_> = analysis.documents.iter().filter_map(|doc| doc.origin.owner.clone()).collect();
    assert_eq!(owners, ["module.app.aws_iam_policy.send"]);
    let resource = &analysis.documents[0].statements[0].resource.as_ref().unwrap().items[0];
    assert_eq!(resource.known(), Some("arn:aws:sqs:eu-west-1:111122223333:orders"));
}
