//! Tests over the checked-in plan fixtures and small inline plans.

use rein_model::{PolicyDocument, PolicyKind};
use rein_text::{FileId, slice};

use super::*;

const PLAN: &str = include_str!("../../../fixtures/frontends/tfplan/plan.json");
const CHANGES_ONLY: &str = include_str!("../../../fixtures/frontends/tfplan/changes_only.json");

fn summary(out: &PlanOutput) -> Vec<(String, String, &'static str)> {
    out.documents
        .iter()
        .map(|doc| {
            (
                doc.origin.owner.clone().unwrap_or_default(),
                doc.origin.attribute.clone().unwrap_or_default(),
                doc.kind.as_str(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, &'static str)]) -> Vec<(String, String, &'static str)> {
    rows.iter().map(|(owner, attr, kind)| ((*owner).to_owned(), (*attr).to_owned(), *kind)).collect()
}

fn actions<'t>(doc: &PolicyDocument, text: &'t str) -> Vec<&'t str> {
    doc.statements
        .iter()
        .flat_map(|stmt| stmt.action.iter().flat_map(|list| list.items.iter()))
        .filter_map(|item| slice(text, item.span.range))
        .collect()
}

#[test]
fn detects_plans() {
    assert!(is_plan(PLAN));
    assert!(is_plan(CHANGES_ONLY));
    assert!(!is_plan(r#"{"Version":"2012-10-17","Statement":[]}"#));
    assert!(!is_plan(r#"{"format_version":"1.0"}"#));
    assert!(!is_plan("resource \"aws_iam_role\" \"x\" {}"));
}

#[test]
fn kinds_and_owners() {
    let out = analyze_plan(FileId(1), PLAN);
    assert!(out.issues.is_empty(), "{:?}", out.issues);
    assert_eq!(
        summary(&out),
        owned(&[
            ("aws_organizations_policy.deny_leave", "content", "scp"),
            ("aws_s3_bucket_policy.data", "policy", "resource"),
            ("module.app.aws_iam_role.this", "assume_role_policy", "trust"),
            ("module.app.aws_iam_role.this", "inline_policy[0].policy", "identity"),
        ])
    );
    assert_eq!(
        out.documents.get(1).map(|doc| doc.kind.clone()),
        Some(PolicyKind::Resource { service: Some("s3".to_owned()) })
    );
    for doc in &out.documents {
        assert!(doc.issues.is_empty(), "{:?}", doc.issues);
        assert_eq!(doc.origin.syntax, rein_model::SourceSyntax::EmbeddedJson);
        assert_eq!(doc.span.file, FileId(1));
    }
}

#[test]
fn spans_point_at_escaped_tokens() {
    let out = analyze_plan(FileId(0), PLAN);
    let inline = out.documents.get(3).map(|doc| actions(doc, PLAN));
    assert_eq!(inline, Some(vec![r#"\"s3:GetObject\""#, r#"\"s3:PutObject\""#]));
    let trust = out.documents.get(2).map(|doc| actions(doc, PLAN));
    assert_eq!(trust, Some(vec![r#"\"sts:AssumeRole\""#]));
    // The document covers the whole string content, between the plan's own quotes.
    let doc_text = out.documents.get(2).and_then(|doc| slice(PLAN, doc.span.range));
    assert!(doc_text.is_some_and(|text| text.starts_with(r#"{\"Version\""#) && text.ends_with("}]}")));
}

#[test]
fn unicode_escapes_map_onto_the_whole_escape() {
    let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
{"address":"aws_iam_policy.p","mode":"managed","type":"aws_iam_policy","name":"p","values":{"policy":
"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\u0022s3:Get\u002A\u0022,\"Resource\":\"arn:aws:s3:::b/\ud83d\ude00\"}}"}}]}}}"#;
    let out = analyze_plan(FileId(0), plan);
    assert!(out.issues.is_empty(), "{:?}", out.issues);
    let doc = out.documents.first();
    assert_eq!(doc.map(|doc| actions(doc, plan)), Some(vec![r#"\u0022s3:Get\u002A\u0022"#]));
    let stmt = doc.and_then(|doc| doc.statements.first());
    let action = stmt.and_then(|stmt| stmt.action.as_ref()).and_then(|list| list.items.first());
    assert_eq!(action.and_then(|item| item.known()), Some("s3:Get*"));
    let resource = stmt.and_then(|stmt| stmt.resource.as_ref()).and_then(|list| list.items.first());
    assert_eq!(resource.and_then(|item| item.known()), Some("arn:aws:s3:::b/\u{1f600}"));
    assert_eq!(resource.and_then(|item| slice(plan, item.span.range)), Some(r#"\"arn:aws:s3:::b/\ud83d\ude00\""#));
}

#[test]
fn unknown_after_apply() {
    let out = analyze_plan(FileId(0), PLAN);
    let unknown: Vec<_> = out
        .unknown_policies
        .iter()
        .map(|policy| (policy.owner.as_str(), policy.attribute.as_str(), policy.kind.as_str(), policy.reason.as_str()))
        .collect();
    assert_eq!(unknown, vec![("module.app.aws_iam_policy.read", "policy", "identity", AFTER_APPLY)]);
    // The span is the `true` of `after_unknown`, as planned values omit unknown attributes.
    let span = out.unknown_policies.first().and_then(|policy| slice(PLAN, policy.span.range));
    assert_eq!(span, Some("true"));
}

#[test]
fn resource_changes_without_planned_values() {
    let out = analyze_plan(FileId(0), CHANGES_ONLY);
    assert!(out.issues.is_empty(), "{:?}", out.issues);
    assert_eq!(summary(&out).len(), 4);
    assert_eq!(out.unknown_policies.len(), 1);
    let inline = out.documents.get(3).map(|doc| actions(doc, CHANGES_ONLY));
    assert_eq!(inline, Some(vec![r#"\"s3:GetObject\""#, r#"\"s3:PutObject\""#]));
}

#[test]
fn other_organizations_policies_and_data_sources_are_skipped() {
    let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
{"address":"aws_organizations_policy.tags","mode":"managed","type":"aws_organizations_policy","name":"tags","values":{"type":"TAG_POLICY","content":"{}"}},
{"address":"aws_organizations_policy.rcp","mode":"managed","type":"aws_organizations_policy","name":"rcp","values":{"type":"RESOURCE_CONTROL_POLICY","content":"{\"Statement\":[]}"}},
{"address":"data.aws_iam_policy.x","mode":"data","type":"aws_iam_policy","name":"x","values":{"policy":"{}"}}]}}}"#;
    let out = analyze_plan(FileId(0), plan);
    assert_eq!(summary(&out), owned(&[("aws_organizations_policy.rcp", "content", "rcp")]));
}

#[test]
fn broken_plan_gives_an_issue() {
    for text in ["", "[1,2]", "{\"format_version\":", "{\"planned_values\":{}}", "not json"] {
        let out = analyze_plan(FileId(0), text);
        assert_eq!(out.issues.len(), 1, "{text:?}: {:?}", out.issues);
        assert!(out.documents.is_empty());
    }
}

#[test]
fn invalid_policy_inside_a_plan_is_a_document_issue() {
    let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
{"address":"aws_iam_policy.p","mode":"managed","type":"aws_iam_policy","name":"p","values":{"policy":"{\"Statement\": [}"}}]}}}"#;
    let out = analyze_plan(FileId(0), plan);
    assert!(out.issues.is_empty());
    let issue = out.documents.first().and_then(|doc| doc.issues.first());
    assert!(issue.is_some_and(|issue| slice(plan, issue.span.range).is_some()));
}

#[test]
fn cutting_fixtures_at_every_line_never_panics() {
    for fixture in [PLAN, CHANGES_ONLY] {
        let mut cut = 0;
        for line in fixture.split_inclusive('\n') {
            cut += line.len();
            let prefix = fixture.get(..cut).unwrap_or_default();
            let out = analyze_plan(FileId(0), prefix);
            for doc in &out.documents {
                assert!(slice(prefix, doc.span.range).is_some());
            }
            let _ = is_plan(prefix);
        }
    }
}

#[test]
fn module_nesting_is_bounded() {
    let mut module = r#"{"resources":[]}"#.to_owned();
    for _ in 0..(MAX_MODULE_DEPTH + 5) {
        module = format!(r#"{{"child_modules":[{module}]}}"#);
    }
    let plan = format!(r#"{{"format_version":"1.2","planned_values":{{"root_module":{module}}}}}"#);
    let out = analyze_plan(FileId(0), &plan);
    assert_eq!(out.issues.len(), 1);
}

#[test]
fn root_outputs_are_entities_with_the_attribute_they_read() {
    let text = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": []}},
  "configuration": {"root_module": {"outputs": {
    "ci_secret": {"expression": {"references": ["aws_iam_access_key.ci.secret", "aws_iam_access_key.ci"]}},
    "ci_id": {"sensitive": true, "expression": {"references": ["aws_iam_access_key.ci.id", "aws_iam_access_key.ci"]}}
  }}}
}"#;
    let out = analyze_plan(FileId(0), text);
    let outputs: Vec<(String, Option<String>, Option<bool>)> = out
        .entities
        .iter()
        .filter(|entity| entity.kind == rein_model::EntityKind::Output)
        .map(|entity| {
            let reference =
                entity.attribute("value").and_then(|attr| rein_model::inventory::node_reference(&attr.value));
            let read = reference.map(|r| format!("{}.{}", r.entity, r.attribute));
            (entity.address.clone(), read, entity.bool("sensitive"))
        })
        .collect();
    assert_eq!(
        outputs,
        [
            ("output.ci_secret".to_owned(), Some("aws_iam_access_key.ci.secret".to_owned()), None),
            ("output.ci_id".to_owned(), Some("aws_iam_access_key.ci.id".to_owned()), Some(true)),
        ]
    );
}
