//! Terraform JSON syntax: the tree the lowering reads, spans that point into the JSON file
//! (escapes included), module files mixing both syntaxes, and located errors for bad input.

use proptest::prelude::*;
use rein_text::FileId;

use super::{hcl_text, parse, single_interpolation};
use crate::syntax::ParsedFile;
use crate::tests::analyze_texts;

fn fixture_dir(name: &str) -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/terraform/json").join(name);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn dump(texts: &[(String, String)]) -> String {
    let output = analyze_texts(texts);
    rein_model::dump::dump_model(texts, &output.documents, &output.unknown_policies, &output.issues)
}

/// The syntax errors of a `.tf.json` text as `(source slice, message)`.
fn errors(text: &str) -> Vec<(String, String)> {
    let parsed = ParsedFile::parse_path(FileId(0), "main.tf.json", text);
    crate::syntax::syntax_errors(&parsed)
        .into_iter()
        .map(|(span, message)| (text[std::ops::Range::<usize>::from(span.range)].to_owned(), message))
        .collect()
}

#[test]
fn snapshot_cdktf_synth_output() {
    insta::assert_snapshot!(dump(&fixture_dir("cdktf")));
}

#[test]
fn snapshot_module_mixing_native_and_json_files() {
    insta::assert_snapshot!(dump(&fixture_dir("mixed")));
}

#[test]
fn a_jsonencode_template_points_at_the_escaped_text_of_each_element() {
    let text = r#"{"resource": {"aws_iam_policy": {"p": {
  "policy": "${jsonencode({\"Statement\" = [{\"Effect\" = \"Allow\", \"Action\" = \"s3:GetObject\", \"Resource\" = \"*\"}]})}"
}}}}"#;
    let output = analyze_texts(&[("main.tf.json".to_owned(), text.to_owned())]);
    assert_eq!(output.issues, vec![]);
    let [document] = output.documents.as_slice() else { panic!("one document: {:?}", output.documents.len()) };
    let action = &document.statements[0].action.as_ref().unwrap().items[0];
    let range = std::ops::Range::<usize>::from(action.span.range);
    // The string's opening quote up to the backslash of its closing `\"`.
    assert_eq!(&text[range], r#""s3:GetObject\"#);
    assert_eq!(action.known(), Some("s3:GetObject"));
}

#[test]
fn a_plain_json_string_policy_is_embedded_json_with_spans_in_the_file() {
    let text = r#"{"resource": {"aws_iam_policy": {"p": {"policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"}}}}"#;
    let output = analyze_texts(&[("main.tf.json".to_owned(), text.to_owned())]);
    let [document] = output.documents.as_slice() else { panic!("one document") };
    let action = &document.statements[0].action.as_ref().unwrap().items[0];
    let range = std::ops::Range::<usize>::from(action.span.range);
    assert_eq!(&text[range], r#"\"s3:GetObject\""#);
}

#[test]
fn the_rewrite_keeps_the_length_and_only_touches_quotes_inside_interpolations() {
    let text = r#"{"a": "x \"y\" ${f(\"z\", {k = \"${v}\"})} $${\"lit\"}", "b": "\"q\""}"#;
    let hcl = hcl_text(text).unwrap();
    assert_eq!(hcl.len(), text.len());
    assert_eq!(hcl, r#"{"a": "x \"y\" ${f( "z" , {k =  "${v}" })} $${\"lit\"}", "b": "\"q\""}"#);
    assert_eq!(hcl_text(r#"{"a": "\"no interpolation\""}"#), None);
    // A `$$` that escapes nothing does not swallow the closing quote.
    let text = r#"{"a": "cost$$", "b": "${f(\"x\")}"}"#;
    assert_eq!(hcl_text(text).unwrap(), r#"{"a": "cost$$", "b": "${f( "x" )}"}"#);
}

#[test]
fn only_a_string_that_is_one_interpolation_is_unwrapped() {
    let range = |text: &str| jsonc_parser::common::Range { start: 0, end: text.len() };
    let whole = r#""${jsonencode({\"A\" = \"}\"})}""#;
    let (start, end) = single_interpolation(whole, range(whole)).unwrap();
    assert_eq!(&whole[start..end], r#"jsonencode({\"A\" = \"}\"})"#);
    for text in [r#""${a}-${b}""#, r#""arn:${a}""#, r#""${a}/*""#, r#""${~a~}""#, r#""plain""#] {
        assert_eq!(single_interpolation(text, range(text)), None, "{text}");
    }
}

#[test]
fn invalid_json_and_wrong_shapes_are_located_errors() {
    assert_eq!(errors(r#"{"resource": {"aws_iam_role": {"r": {"name": "x",}}}}"#).len(), 1);
    assert_eq!(
        errors("[1]"),
        vec![("[1]".to_owned(), "a Terraform JSON file holds one object, not an array".to_owned())]
    );
    assert_eq!(
        errors(r#"{"resource": {"aws_iam_role": {"r": 3}}}"#),
        vec![(
            "3".to_owned(),
            "`resource.aws_iam_role.r` must be an object or an array of objects, not a number".to_owned()
        )]
    );
    assert_eq!(
        errors(r#"{"resources": {}}"#),
        vec![("\"resources\"".to_owned(), "`resources` is not a top-level block type of Terraform".to_owned())]
    );
    assert_eq!(
        errors(r#"{"locals": {"x": "${local.}"}}"#).first().map(|(_, message)| message.starts_with("syntax error")),
        Some(true)
    );
    assert_eq!(errors(""), vec![]);
    let deep = [
        r#"{"locals": [{}], "data": {"aws_iam_policy_document": {"d": "#,
        &r#"{"statement": "#.repeat(200),
        "{}",
        &"}".repeat(200),
        "}}}",
    ]
    .concat();
    assert_eq!(
        errors(&deep).iter().map(|(_, message)| message.as_str()).collect::<Vec<_>>(),
        ["blocks nest deeper than 128 levels"]
    );
}

#[test]
fn blocks_given_as_arrays_and_dynamic_blocks_are_read() {
    let text = r#"{"data": {"aws_iam_policy_document": {"d": [{
  "statement": [{"actions": ["s3:GetObject"], "resources": ["*"]}, {"actions": ["s3:PutObject"], "resources": ["*"]}],
  "dynamic": {"statement": {"for_each": ["sqs:SendMessage"], "content": {"actions": ["${statement.value}"], "resources": ["*"]}}}
}]}}}"#;
    let output = analyze_texts(&[("main.tf.json".to_owned(), text.to_owned())]);
    assert_eq!(output.issues, vec![]);
    let actions: Vec<String> = output
        .documents
        .iter()
        .flat_map(|doc| &doc.statements)
        .flat_map(|statement| statement.action.as_ref().map(|list| list.items.clone()).unwrap_or_default())
        .filter_map(|action| action.known().map(str::to_owned))
        .collect();
    assert_eq!(actions, ["s3:GetObject", "s3:PutObject", "sqs:SendMessage"]);
}

#[test]
fn a_comment_member_suppresses_findings_in_its_block() {
    let text = r#"{
  "//": "rein:ignore-file IAM004 versions come from the module",
  "resource": {"aws_iam_policy": {"p": {
    "//": "rein:ignore IAM103 break-glass policy",
    "policy": "{}"
  }}}
}"#;
    let output = analyze_texts(&[("main.tf.json".to_owned(), text.to_owned())]);
    let found: Vec<(String, String, Option<String>)> = output
        .suppressions
        .iter()
        .map(|suppression| {
            let scope = match &suppression.scope {
                rein_model::SuppressionScope::Range(span) => {
                    text[std::ops::Range::<usize>::from(span.range)].to_owned()
                }
                other => format!("{other:?}"),
            };
            (suppression.rule.clone(), scope, suppression.reason.clone())
        })
        .collect();
    // A resource block runs from its type label to the end of its object.
    let block = &text[text.find("\"aws_iam_policy\"").unwrap()..text.find("}}}").unwrap() + 1];
    assert_eq!(
        found,
        [
            ("IAM004".to_owned(), "File".to_owned(), Some("versions come from the module".to_owned())),
            ("IAM103".to_owned(), block.to_owned(), Some("break-glass policy".to_owned())),
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any prefix of a real file, and any text at all, parses without a panic.
    #[test]
    fn damaged_input_never_panics(cut in 0usize..4000, noise in "[{}\\[\\]\":,$\\\\a-z0-9 ]{0,80}") {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/terraform/json/cdktf/cdk.tf.json"),
        )
        .unwrap();
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        for input in [format!("{}{noise}", &text[..cut]), noise.clone()] {
            let hcl = hcl_text(&input);
            let parsed = parse(&input, hcl.as_deref().unwrap_or(&input));
            prop_assert!(parsed.tree.root().is_some());
            let _ = analyze_texts(&[("main.tf.json".to_owned(), input.clone())]);
        }
    }
}
