//! Terraform module trees: a called directory is read through its caller only, an uncalled one
//! on its own, and a cycle of calls still reads every directory.

use rein_analysis::{SourceInput, analyze};
use rein_rules::Settings;

fn input(path: &str, text: &str) -> SourceInput {
    SourceInput { path: path.to_owned(), bytes: text.as_bytes().to_vec(), kind: None, policy_kind: None }
}

const ROOT: &str = r#"
module "app" {
  source     = "./modules/app"
  queue_name = "orders"
}
"#;

const APP: &str = r#"
variable "queue_name" {
  type = string
}

resource "aws_iam_policy" "send" {
  name = "send"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sqs:SendMessage", Resource = "arn:aws:sqs:eu-west-1:111122223333:${var.queue_name}" }]
  })
}
"#;

fn owners(inputs: Vec<SourceInput>) -> (Vec<String>, Vec<String>) {
    let analysis = analyze(inputs, &Settings::default());
    let owners = analysis.documents.iter().filter_map(|doc| doc.origin.owner.clone()).collect();
    let rules = analysis.findings.iter().map(|finding| finding.rule.to_owned()).collect();
    (owners, rules)
}

#[test]
fn called_directory_is_read_through_its_caller_only() {
    let (owners, rules) = owners(vec![input("infra/main.tf", ROOT), input("infra/modules/app/main.tf", APP)]);
    assert_eq!(owners, ["module.app.aws_iam_policy.send"]);
    // `var.queue_name` comes from the call: nothing is unknown.
    assert!(!rules.contains(&"IAM010".to_owned()), "{rules:?}");
}

#[test]
fn uncalled_directory_is_read_on_its_own() {
    let (owners, rules) = owners(vec![input("infra/modules/app/main.tf", APP)]);
    assert_eq!(owners, ["aws_iam_policy.send"]);
    assert!(rules.contains(&"IAM010".to_owned()), "{rules:?}");
}

#[test]
fn directories_calling_each_other_are_all_read() {
    let a = "module \"b\" {\n  source = \"../b\"\n}\n";
    let b = format!("module \"a\" {{\n  source = \"../a\"\n}}\n{APP}");
    let (owners, _) = owners(vec![input("a/main.tf", a), input("b/main.tf", &b)]);
    assert_eq!(owners, ["module.b.aws_iam_policy.send"]);
}
