//! Frontend tests: fixtures under `fixtures/frontends/hcl/` dumped with positions and source
//! slices (insta snapshots), plus exact-span assertions and robustness over truncated input.

use std::path::{Path, PathBuf};

use rein_model::{
    KindSource, PolicyDocument, PolicyKind, PrincipalBody, SourceSyntax, SpannedValue, TemplatePart, Value,
};
use rein_text::{FileId, Span};

use super::{HclOutput, ModuleFile, analyze_file, analyze_module, analyze_module_files};

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/frontends/hcl")
}

/// The files under one directory, recursively, with paths relative to it, sorted.
fn read_dir(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(current) = dirs.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                files.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

pub(crate) fn analyze_texts(texts: &[(String, String)]) -> HclOutput {
    let inputs: Vec<ModuleFile<'_>> = texts
        .iter()
        .enumerate()
        .map(|(idx, (path, text))| ModuleFile { file: FileId(idx as u32), path, text })
        .collect();
    analyze_module_files(&inputs)
}

fn dump(texts: &[(String, String)]) -> String {
    let output = analyze_texts(texts);
    rein_model::dump::dump_model(texts, &output.documents, &output.unknown_policies, &output.issues)
}

fn fixture(name: &str) -> Vec<(String, String)> {
    let path = fixtures().join(name);
    vec![(name.to_owned(), std::fs::read_to_string(path).unwrap())]
}

#[test]
fn snapshot_heredoc() {
    insta::assert_snapshot!(dump(&fixture("heredoc.tf")));
}

#[test]
fn snapshot_quoted_string() {
    insta::assert_snapshot!(dump(&fixture("quoted_string.tf")));
}

#[test]
fn snapshot_jsonencode() {
    insta::assert_snapshot!(dump(&fixture("jsonencode.tf")));
}

#[test]
fn snapshot_policy_document() {
    insta::assert_snapshot!(dump(&fixture("policy_document.tf")));
}

#[test]
fn snapshot_broken() {
    insta::assert_snapshot!(dump(&fixture("broken.tf")));
}

#[test]
fn snapshot_module_tree() {
    insta::assert_snapshot!(dump(&read_dir(&fixtures().join("module_tree/modules/ci_role"))));
}

/// The source slice of a span in a single-file analysis.
fn slice(text: &str, span: Span) -> &str {
    rein_text::slice(text, span.range).unwrap()
}

fn only_doc<'a>(output: &'a HclOutput, owner: &str) -> &'a PolicyDocument {
    let docs: Vec<&PolicyDocument> =
        output.documents.iter().filter(|doc| doc.origin.owner.as_deref() == Some(owner)).collect();
    assert_eq!(docs.len(), 1, "documents of {owner}: {docs:#?}; unknown: {:#?}", output.unknown_policies);
    docs[0]
}

fn action_items(doc: &PolicyDocument) -> Vec<&SpannedValue> {
    doc.statements.iter().flat_map(|stmt| stmt.action.iter().flat_map(|list| list.items.iter())).collect()
}

#[test]
fn jsonencode_action_points_at_the_hcl_literal() {
    let texts = fixture("jsonencode.tf");
    let text = &texts[0].1;
    let output = analyze_file(FileId(0), text);
    let doc = only_doc(&output, "aws_s3_bucket_policy.reports");
    assert_eq!(doc.kind, PolicyKind::Resource { service: Some("s3".to_owned()) });
    assert_eq!(doc.kind_source, KindSource::Declared);
    assert_eq!(doc.origin.syntax, SourceSyntax::Structured);
    assert_eq!(doc.origin.attribute.as_deref(), Some("policy"));
    let actions = action_items(doc);
    let get = actions.iter().find(|item| item.known() == Some("s3:GetObject")).unwrap();
    assert_eq!(slice(text, get.span), "\"s3:GetObject\"");
    // `$${` is Terraform's escape: the policy holds the IAM variable `${aws:username}`.
    let home = doc.statements[1].resource.as_ref().unwrap();
    assert_eq!(home.items[0].known(), Some("arn:aws:s3:::acme-reports/home/${aws:username}/*"));
    assert!(doc.uses_policy_variables());
}

#[test]
fn heredoc_action_points_into_the_heredoc() {
    let texts = fixture("heredoc.tf");
    let text = &texts[0].1;
    let output = analyze_file(FileId(0), text);
    let doc = only_doc(&output, "aws_iam_user_policy.self_service");
    assert_eq!(doc.origin.syntax, SourceSyntax::EmbeddedJson);
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
    let create = action_items(doc)[0];
    assert_eq!(create.known(), Some("iam:CreateAccessKey"));
    assert_eq!(slice(text, create.span), "\"iam:CreateAccessKey\"");

    // `<<-` strips the indentation; a resolved local is substituted, an unknown variable is a hole.
    let doc = only_doc(&output, "aws_iam_role_policy.consumer");
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
    let receive = action_items(doc)[0];
    assert_eq!(slice(text, receive.span), "\"sqs:ReceiveMessage\"");
    let queue = &doc.statements[0].resource.as_ref().unwrap().items[0];
    assert_eq!(queue.known(), Some("arn:aws:sqs:eu-west-1:111122223333:orders"));
    let key = &doc.statements[1].resource.as_ref().unwrap().items[0];
    assert_eq!(key.value, Value::Unknown(rein_model::Unknown::new("`var.kms_key_arn` has no default")));
    assert_eq!(slice(text, key.span), "\"${var.kms_key_arn}\"");
}

#[test]
fn quoted_json_maps_through_escapes() {
    let texts = fixture("quoted_string.tf");
    let text = &texts[0].1;
    let output = analyze_file(FileId(0), text);
    let doc = only_doc(&output, "aws_iam_group_policy.readers");
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
    assert_eq!(slice(text, action_items(doc)[0].span), "\\\"s3:GetObject\\\"");
    let resource = &doc.statements[0].resource.as_ref().unwrap().items[0];
    assert_eq!(resource.known(), Some("arn:aws:s3:::café-reports/*"));
}

#[test]
fn policy_document_kinds_owners_and_ampersand_escape() {
    let texts = fixture("policy_document.tf");
    let text = &texts[0].1;
    let output = analyze_file(FileId(0), text);
    let trust =
        output.documents.iter().find(|doc| doc.origin.attribute.as_deref() == Some("assume_role_policy")).unwrap();
    assert_eq!(trust.kind, PolicyKind::Trust);
    assert_eq!(trust.origin.owner.as_deref(), Some("aws_iam_role.app"));
    assert_eq!(slice(text, action_items(trust)[0].span), "\"sts:AssumeRole\"");

    let home = only_doc(&output, "data.aws_iam_policy_document.home_dirs");
    assert_eq!((home.kind.clone(), home.kind_source), (PolicyKind::Identity, KindSource::Inferred));
    let resource = &home.statements[0].resource.as_ref().unwrap().items[0];
    assert_eq!(resource.known(), Some("arn:aws:s3:::acme-home/${aws:username}/*"));
    assert_eq!(slice(text, resource.span), "\"arn:aws:s3:::acme-home/&{aws:username}/*\"");
    assert!(home.issues.is_empty(), "{:#?}", home.issues);

    let scp = only_doc(&output, "aws_organizations_policy.deny_leave");
    assert_eq!(scp.kind, PolicyKind::Scp);
    let rcp = only_doc(&output, "aws_organizations_policy.rcp");
    assert_eq!(rcp.kind, PolicyKind::Rcp);
    let inline =
        output.documents.iter().find(|doc| doc.origin.attribute.as_deref() == Some("inline_policy.policy")).unwrap();
    assert_eq!(inline.kind, PolicyKind::Identity);
}

#[test]
fn module_references_resolve_across_files() {
    let texts = read_dir(&fixtures().join("module_tree/modules/ci_role"));
    let output = analyze_texts(&texts);
    let deploy = only_doc(&output, "aws_iam_role_policy.deploy");
    assert!(deploy.issues.is_empty(), "{:#?}", deploy.issues);
    // `Action = local.read_actions`: the items point at the literals in the `locals` block.
    let get = action_items(deploy)[0];
    let (name, locals) = &texts[get.span.file.0 as usize];
    let boundary = only_doc(&output, "aws_iam_policy.boundary");
    assert_eq!(boundary.origin.syntax, SourceSyntax::Json);
    let (json_name, json) = &texts[boundary.span.file.0 as usize];
    assert_eq!(json_name, "policies/boundary.json");
    assert_eq!(slice(json, action_items(boundary)[0].span), "\"s3:*\"");
    // `analyze_module` without paths still reads the `.tf` files.
    let tf_only: Vec<(FileId, &str)> =
        texts.iter().enumerate().map(|(idx, (_, text))| (FileId(idx as u32), text.as_str())).collect();
    assert!(analyze_module(&tf_only).documents.len() >= 2);
    assert_eq!(name, "locals.tf");
    assert_eq!(slice(locals, get.span), "\"s3:GetObject\"");
    let trust = only_doc(&output, "aws_iam_role.ci");
    assert_eq!(trust.kind, PolicyKind::Trust);
    let sub = trust.statements[0].condition.as_ref().unwrap().entries().nth(1).unwrap().1;
    assert_eq!(sub.values[0].value.value.unknown_reasons(), vec!["`var.github_org` has no default"]);
}

#[test]
fn interpolations_and_escapes() {
    let text = r#"
variable "bucket" {}
locals {
  a = local.b
  b = local.a
  prefix = "logs"
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Action = ["s3:Get*", "&{aws:username}"]
      Resource = ["arn:aws:s3:::${var.bucket}/${local.prefix}/*", local.a, "tab\there\u00e9\\", upper("x")]
    }]
  })
}
"#;
    let output = analyze_file(FileId(0), text);
    let doc = only_doc(&output, "aws_iam_policy.p");
    let stmt = &doc.statements[0];
    // Outside `aws_iam_policy_document`, `&{` is literal text.
    assert_eq!(stmt.action.as_ref().unwrap().items[1].known(), Some("&{aws:username}"));
    let items = &stmt.resource.as_ref().unwrap().items;
    assert_eq!(
        items[0].value,
        Value::Partial(vec![
            TemplatePart::Text("arn:aws:s3:::".to_owned()),
            TemplatePart::Hole(rein_model::Unknown::new("`var.bucket` has no default")),
            TemplatePart::Text("/logs/*".to_owned()),
        ])
    );
    // A reference cycle ends as unknown, not as a stack overflow.
    assert!(matches!(items[1].value, Value::Unknown(_)), "{:?}", items[1]);
    assert_eq!(items[2].known(), Some("tab\there\u{e9}\\"));
    assert_eq!(items[3].value.unknown_reasons(), vec!["`upper(…)` is a function call, which is not evaluated"]);
}

#[test]
fn indented_heredoc_with_tabs_and_holes_outside_strings() {
    let text = "variable \"actions\" {}\nresource \"aws_iam_role_policy\" \"p\" {\n  policy = <<-EOT\n\t\t{\"Statement\": [{\"Effect\": \"Allow\",\n\t\t  \"Action\": ${var.actions},\n\t\t  \"Resource\": \"*\"}]}\n\tEOT\n}\n";
    let output = analyze_file(FileId(0), text);
    let doc = only_doc(&output, "aws_iam_role_policy.p");
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
    let action = doc.statements[0].action.as_ref().unwrap();
    assert_eq!(action.unknown.as_ref().map(|u| u.reason.as_str()), Some("`var.actions` has no default"));
    assert!(action.items.is_empty());
    let resource = &doc.statements[0].resource.as_ref().unwrap().items[0];
    assert_eq!(slice(text, resource.span), "\"*\"");
}

#[test]
fn unknown_policy_sources_are_listed() {
    let text = r#"
variable "policy_json" {}
resource "aws_iam_policy" "a" { policy = var.policy_json }
resource "aws_iam_policy" "b" { policy = file("${path.module}/policy.json") }
resource "aws_iam_policy" "c" { policy = data.aws_iam_policy_document.missing.json }
"#;
    let output = analyze_file(FileId(0), text);
    assert!(output.documents.is_empty());
    let reasons: Vec<&str> = output.unknown_policies.iter().map(|u| u.reason.as_str()).collect();
    assert_eq!(
        reasons,
        vec![
            "`var.policy_json` has no default",
            "`./policy.json` is not a file of this module that was given to the analysis",
            "`data.aws_iam_policy_document.missing` is not declared in this module",
        ]
    );
}

#[test]
fn exponential_reference_fan_out_is_bounded() {
    let mut text = String::from("locals {\n  l0 = \"s3:GetObject\"\n");
    for idx in 1..40 {
        text.push_str(&format!("  l{idx} = [local.l{prev}, local.l{prev}]\n", prev = idx - 1));
    }
    text.push_str(
        "}\nresource \"aws_iam_policy\" \"p\" { policy = jsonencode({ Statement = [{ Action = local.l39 }] }) }\n",
    );
    let output = analyze_file(FileId(0), &text);
    assert_eq!(output.documents.len(), 1);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 5_000;
    let text = format!(
        "resource \"aws_iam_policy\" \"p\" {{ policy = jsonencode({}1{}) }}\nlocals {{ x = {}\"a\"{} }}\n",
        "[".repeat(depth),
        "]".repeat(depth),
        "{ a = ".repeat(depth),
        " }".repeat(depth)
    );
    let _ = analyze_file(FileId(0), &text);
}

/// Every fixture cut at every line boundary runs without panicking (STYLE.md §3.6).
#[test]
fn every_fixture_cut_at_every_line_parses() {
    let mut dirs = vec![fixtures()];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "tf") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 8);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let cuts = text.match_indices('\n').map(|(idx, _)| idx).chain([text.len()]);
        for cut in cuts {
            let prefix = &text[..cut];
            let output = analyze_file(FileId(0), prefix);
            for doc in &output.documents {
                assert!(rein_text::slice(prefix, doc.span.range).is_some(), "{}: {:?}", path.display(), doc.span);
            }
            // The same prefix with the rest of each line cut in the middle, too.
            let mid =
                prefix.rfind('\n').map_or(0, |idx| idx + 1) + (cut - prefix.rfind('\n').map_or(0, |idx| idx + 1)) / 2;
            if let Some(half) = text.get(..mid) {
                let _ = analyze_file(FileId(0), half);
            }
        }
    }
}

#[test]
fn heredoc_jsonencode_interpolation_and_local_data_source() {
    let text = r#"
locals {
  arns  = ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]
  trust = data.aws_iam_policy_document.assume.json
}
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}
data "aws_iam_policy_document" "unused_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}
resource "aws_iam_role" "r" { assume_role_policy = local.trust }
resource "aws_iam_role_policy" "p" {
  policy = <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ${jsonencode(local.arns)}}]}
EOF
}
"#;
    let output = analyze_file(FileId(0), text);
    let trust = only_doc(&output, "aws_iam_role.r");
    assert_eq!(trust.kind, PolicyKind::Trust);
    let unused = only_doc(&output, "data.aws_iam_policy_document.unused_trust");
    assert_eq!((unused.kind.clone(), unused.kind_source), (PolicyKind::Trust, KindSource::Inferred));
    let doc = only_doc(&output, "aws_iam_role_policy.p");
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
    let resources = doc.statements[0].resource.as_ref().unwrap();
    let known: Vec<_> = resources.items.iter().map(|item| item.known().unwrap()).collect();
    assert_eq!(known, ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]);
    // Values produced by the interpolation point at the whole `${…}`.
    assert_eq!(slice(text, resources.items[0].span), "${jsonencode(local.arns)}");
}

#[test]
fn policy_document_star_principal_and_header() {
    let text = r#"data "aws_iam_policy_document" "public"{
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
resource "aws_s3_bucket_policy" "site" { policy = data.aws_iam_policy_document.public.json }
"#;
    let output = analyze_file(FileId(0), text);
    let doc = only_doc(&output, "aws_s3_bucket_policy.site");
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
    let Some(PrincipalBody::Scalar(star)) = doc.statements[0].principal.as_ref().map(|p| &p.body) else {
        panic!("{:#?}", doc.statements[0].principal)
    };
    assert_eq!(star.known(), Some("*"));
    assert_eq!(slice(text, star.span), "\"*\"");
    assert_eq!(slice(text, doc.version.as_ref().unwrap().span), r#"data "aws_iam_policy_document" "public""#);
}
#[test]
fn syntax_errors_are_located() {
    let half_typed =
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{ Action = [\"s3:GetObject\", ";
    let output = analyze_file(FileId(0), half_typed);
    let [(span, message)] = output.issues.as_slice() else { panic!("{:?}", output.issues) };
    assert_eq!(slice(half_typed, *span), "resource \"aws_iam_policy\" \"p\" {");
    assert!(message.starts_with("syntax error: the file ends before"), "{message}");

    // An unclosed tuple is one located error; the block after it is still read.
    let text = "locals {\n  a = [1, 2\n  b = 3\n}\nresource \"aws_iam_policy\" \"q\" { policy = jsonencode({}) }\n";
    let output = analyze_file(FileId(0), text);
    assert_eq!(output.issues.len(), 1, "{:?}", output.issues);
    assert_eq!(output.issues[0].1, "syntax error: missing `]`");
    assert_eq!(output.documents.len(), 1);
}

#[test]
fn source_and_override_documents_merge_by_sid() {
    let text = r#"
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
  statement {
    sid       = "List"
    actions   = ["s3:ListBucket"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "combined" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [jsonencode({ Statement = [{ Sid = "List", Effect = "Deny", Action = "s3:ListBucket", Resource = "*" }] })]
  statement {
    sid       = "Read"
    actions   = ["s3:GetObjectVersion"]
    resources = ["*"]
  }
  statement {
    actions   = ["sqs:SendMessage"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "loop" {
  source_policy_documents = [data.aws_iam_policy_document.loop.json]
}
resource "aws_iam_policy" "p" { policy = data.aws_iam_policy_document.combined.json }
"#;
    let output = analyze_file(FileId(0), text);
    let doc = only_doc(&output, "aws_iam_policy.p");
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
    let summary: Vec<(Option<&str>, Option<&str>, &str)> = doc
        .statements
        .iter()
        .map(|stmt| {
            let action = stmt.action.as_ref().unwrap().items[0].known().unwrap();
            (stmt.sid.as_ref().and_then(|sid| sid.known()), stmt.effect.as_ref().and_then(|e| e.known()), action)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Some("Read"), Some("Allow"), "s3:GetObjectVersion"),
            (Some("List"), Some("Deny"), "s3:ListBucket"),
            (None, Some("Allow"), "sqs:SendMessage"),
        ]
    );
    // The replaced statement keeps the span of the block that wrote it.
    let read = doc.statements[0].action.as_ref().unwrap();
    assert_eq!(slice(text, read.items[0].span), "\"s3:GetObjectVersion\"");
    // A data source that merges itself ends, as unknown.
    let looped = only_doc(&output, "data.aws_iam_policy_document.loop");
    assert!(looped.statements.is_empty());
}

#[test]
fn dynamic_statements_expand_over_known_collections() {
    let text = r#"
variable "buckets" {
  default = {
    logs    = ["s3:PutObject"]
    reports = ["s3:GetObject", "s3:ListBucket"]
  }
}
variable "unknown_list" {}
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = var.buckets
    iterator = bucket
    content {
      sid       = "Bucket${bucket.key}"
      actions   = bucket.value
      resources = ["arn:aws:s3:::${bucket.key}/*"]
    }
  }
  dynamic "statement" {
    for_each = var.unknown_list
    content {
      actions   = [statement.value]
      resources = ["*"]
    }
  }
}
"#;
    let output = analyze_file(FileId(0), text);
    let doc = only_doc(&output, "data.aws_iam_policy_document.d");
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
    assert_eq!(doc.statements.len(), 2, "{:#?}", doc.statements);
    let reports = &doc.statements[1];
    assert_eq!(reports.sid.as_ref().unwrap().known(), Some("Bucketreports"));
    let actions = &reports.action.as_ref().unwrap().items;
    assert_eq!(actions[1].known(), Some("s3:ListBucket"));
    assert_eq!(slice(text, actions[1].span), "\"s3:ListBucket\"");
    let resource = &reports.resource.as_ref().unwrap().items[0];
    assert_eq!(resource.known(), Some("arn:aws:s3:::reports/*"));
}

#[test]
fn snapshot_typed_placeholders() {
    insta::assert_snapshot!(dump(&fixture("typed_placeholders.tf")));
}

/// `templatefile` reads a module file as a template; the spans of its values point into it.
#[test]
fn templatefile_policy_with_variables() {
    let main = r#"
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_iam_policy" "reports" {
  name = "reports-read"
  policy = templatefile("${path.module}/policies/read.json.tpl", {
    bucket_arn = aws_s3_bucket.reports.arn
    prefix     = "monthly"
    actions    = ["s3:GetObject", "s3:GetObjectVersion"]
    account    = var.account_id
  })
}

variable "account_id" {
  type = string
}
"#;
    let template = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ${jsonencode(actions)},
      "Resource": "${bucket_arn}/${prefix}/*"
    },
    {
      "Sid": "Caller",
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Resource": "arn:aws:iam::${account}:role/reader"
    }%{ if prefix != "" },
    {
      "Sid": "List",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "${bucket_arn}"
    }%{ endif }
  ]
}
"#;
    let texts =
        vec![("main.tf".to_owned(), main.to_owned()), ("policies/read.json.tpl".to_owned(), template.to_owned())];
    let output = analyze_texts(&texts);
    let doc = only_doc(&output, "aws_iam_policy.reports");
    // The document is the template's text; the optional statement behind `%{ if }` is recorded
    // as not evaluated, and the rest is read.
    assert_eq!(doc.span.file, FileId(1));
    assert!(doc.issues.is_empty(), "{:#?}", doc.issues);
    assert_eq!(doc.statements.len(), 2);
    assert_eq!(doc.unknown_statements.len(), 1);
    assert!(doc.unknown_statements[0].1.reason.contains("`%{ if prefix != \"\" }` is a template directive"));
    let read = &doc.statements[0];
    let actions: Vec<&str> = read.action.as_ref().unwrap().items.iter().filter_map(|item| item.known()).collect();
    assert_eq!(actions, ["s3:GetObject", "s3:GetObjectVersion"]);
    let resource = &read.resource.as_ref().unwrap().items[0];
    assert!(resource.value.is_typed_placeholder(), "{:?}", resource.value);
    assert_eq!(
        resource.value.to_string(),
        "arn:\u{27e8}?\u{27e9}:s3:::\u{27e8}aws_s3_bucket.reports\u{27e9}/monthly/*"
    );
    assert_eq!(slice(template, resource.span), "\"${bucket_arn}/${prefix}/*\"");
    let caller = &doc.statements[1].resource.as_ref().unwrap().items[0];
    assert!(!caller.value.is_typed_placeholder());
    assert_eq!(caller.value.unknown_reasons(), ["`var.account_id` has no default"]);
    insta::assert_snapshot!(dump(&texts));
}

/// The files of `module_calls/` below `dir` (a module directory relative to the fixture).
fn module_calls_loader(all: &[(String, String)], dir: &str) -> Option<Vec<crate::LoadedFile<'static>>> {
    let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    let files: Vec<crate::LoadedFile<'static>> = all
        .iter()
        .enumerate()
        .filter_map(|(idx, (path, text))| {
            let rest = path.strip_prefix(&prefix)?;
            // A module's `.tf` files are those of its own directory.
            if rest.ends_with(".tf") && rest.contains('/') {
                return None;
            }
            let text: &'static str = Box::leak(text.clone().into_boxed_str());
            Some(crate::LoadedFile { file: FileId(idx as u32), path: rest.to_owned(), text })
        })
        .collect();
    (!files.is_empty()).then_some(files)
}

fn analyze_module_calls() -> (Vec<(String, String)>, HclOutput) {
    let all = read_dir(&fixtures().join("module_calls"));
    let root = module_calls_loader(&all, "").unwrap();
    let load = |dir: &str| module_calls_loader(&all, dir);
    let output = crate::analyze_module_tree("", root, &load);
    (all, output)
}

#[test]
fn snapshot_module_calls() {
    let (all, output) = analyze_module_calls();
    let mut text = rein_model::dump::dump_model(&all, &output.documents, &output.unknown_policies, &output.issues);
    for call in &output.modules {
        text.push_str(&format!(
            "module {} source={} version={:?} not_analysed={:?} arguments={:?}\n",
            call.address,
            call.source,
            call.version,
            call.not_analysed,
            call.arguments.iter().map(|arg| arg.name.as_str()).collect::<Vec<_>>()
        ));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn module_arguments_outputs_and_addresses() {
    let (_, output) = analyze_module_calls();
    let owners: Vec<&str> = output.documents.iter().filter_map(|doc| doc.origin.owner.as_deref()).collect();
    assert_eq!(
        owners,
        [
            "aws_s3_bucket_policy.reports",
            "module.deploy_role.aws_iam_role.this",
            "module.deploy_role.aws_iam_role_policy.inline",
            "module.deploy_role.aws_iam_role_policy.reports",
        ]
    );
    // The data source passed as `policy_json` is read once, as the inline policy, with spans in the root.
    let inline = only_doc(&output, "module.deploy_role.aws_iam_role_policy.inline");
    assert_eq!(inline.statements.len(), 2);
    assert_eq!(inline.span.file, inline.statements[0].span.file);
    // `var.trusted_account` is the caller's local.
    let trust = only_doc(&output, "module.deploy_role.aws_iam_role.this");
    let Some(PrincipalBody::Map(map)) = trust.statements[0].principal.as_ref().map(|p| &p.body) else { panic!() };
    assert_eq!(map[0].1.items[0].known(), Some("arn:aws:iam::111122223333:root"));
    // `module.deploy_role.role_arn` is the role's typed placeholder, addressed inside the module.
    let bucket = only_doc(&output, "aws_s3_bucket_policy.reports");
    let Some(PrincipalBody::Map(map)) = bucket.statements[1].principal.as_ref().map(|p| &p.body) else { panic!() };
    let principal = &map[0].1.items[0].value;
    assert!(principal.is_typed_placeholder(), "{principal:?}");
    assert_eq!(principal.reference().map(|r| r.entity.as_str()), Some("module.deploy_role.aws_iam_role.this"));
    let not_analysed: Vec<(&str, bool)> =
        output.modules.iter().map(|call| (call.address.as_str(), call.not_analysed.is_some())).collect();
    assert_eq!(not_analysed, [("module.deploy_role", false), ("module.audit_role", true), ("module.legacy", true)]);
}

/// A module that calls itself, and a chain deeper than the limit, stop with a reason.
#[test]
fn module_cycles_and_depth_are_bounded() {
    let main = r#"
module "again" {
  source = "./"
}
module "down" {
  source = "./a"
}
"#;
    let nested = r#"
module "down" {
  source = "./a"
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
"#;
    let load = |dir: &str| -> Option<Vec<crate::LoadedFile<'static>>> {
        let text = if dir.is_empty() { main } else { nested };
        Some(vec![crate::LoadedFile { file: FileId(dir.len() as u32), path: "main.tf".to_owned(), text }])
    };
    let root = load("").unwrap();
    let output = crate::analyze_module_tree("", root, &load);
    let again = output.modules.iter().find(|call| call.address == "module.again").unwrap();
    assert!(again.not_analysed.as_deref().unwrap().contains("cycle"), "{again:?}");
    let deepest = output.modules.iter().filter(|call| call.not_analysed.is_none()).count();
    assert_eq!(deepest, crate::MAX_MODULE_DEPTH);
    let too_deep =
        output.modules.iter().find(|call| call.not_analysed.as_deref().is_some_and(|r| r.contains("deeper")));
    assert!(too_deep.is_some());
    assert_eq!(output.documents.len(), crate::MAX_MODULE_DEPTH);
}

/// Every prefix of the module tree's files (cut at a character boundary) is read without a panic.
#[test]
fn truncated_module_trees_do_not_panic() {
    let all = read_dir(&fixtures().join("module_calls"));
    for (victim, (_, text)) in all.iter().enumerate() {
        let mut cut = 0;
        while cut <= text.len() {
            if text.is_char_boundary(cut) {
                let mut files = all.clone();
                files[victim].1 = text[..cut].to_owned();
                let root = module_calls_loader(&files, "").unwrap();
                let load = |dir: &str| module_calls_loader(&files, dir);
                let _ = crate::analyze_module_tree("", root, &load);
            }
            cut += 17;
        }
    }
}
