//! Entities of the checked-in baseline plan: a dump with positions (insta snapshot), values
//! known only after apply, nested blocks, child modules, and the fallback without planned values.

use rein_model::{Entity, EntityKind, NodeKind};
use rein_text::{FileId, slice};

use crate::{AFTER_APPLY, PlanOutput, analyze_plan};

const BASELINE: &str = include_str!("../../../../fixtures/frontends/tfplan/baseline.json");

fn entity<'a>(out: &'a PlanOutput, address: &str) -> &'a Entity {
    out.entities.iter().find(|entity| entity.address == address).unwrap_or_else(|| panic!("no {address}"))
}

fn unknown_reason(entity: &Entity, name: &str) -> Option<String> {
    match &entity.attribute(name)?.value.kind {
        NodeKind::Unknown(unknown) => Some(unknown.reason.clone()),
        _ => None,
    }
}

#[test]
fn snapshot_baseline() {
    let out = analyze_plan(FileId(0), BASELINE);
    assert!(out.issues.is_empty(), "{:?}", out.issues);
    let texts = vec![("baseline.json".to_owned(), BASELINE.to_owned())];
    insta::assert_snapshot!(rein_model::dump::dump_inventory(&texts, &out.entities, &[], &[]));
}

#[test]
fn planned_values_with_after_unknown() {
    let out = analyze_plan(FileId(0), BASELINE);
    let addresses: Vec<&str> = out.entities.iter().map(|entity| entity.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "aws_iam_account_password_policy.strict",
            "aws_cloudtrail.main",
            "aws_config_configuration_recorder.main",
            "aws_config_config_rule.managed[\"root_mfa\"]",
            "module.iam.aws_iam_role.deploy",
            "module.iam.aws_iam_user.auditor",
            "module.iam.aws_iam_access_key.auditor",
        ]
    );

    let policy = entity(&out, "aws_iam_account_password_policy.strict");
    assert_eq!(policy.number("minimum_password_length"), Some(14.0));
    assert_eq!(policy.bool("hard_expiry"), Some(false));

    let trail = entity(&out, "aws_cloudtrail.main");
    assert_eq!(slice(BASELINE, trail.span.range), Some("\"aws_cloudtrail.main\""));
    assert!(slice(BASELINE, trail.extent.range).is_some_and(|text| text.starts_with('{') && text.ends_with('}')));
    assert_eq!(trail.bool("is_multi_region_trail"), Some(true));
    // Missing from `values`, marked in `after_unknown`: unknown, pointing at the marker.
    assert_eq!(unknown_reason(trail, "kms_key_id").as_deref(), Some(AFTER_APPLY));
    let kms = trail.attribute("kms_key_id").unwrap();
    assert_eq!(slice(BASELINE, kms.key_span.range), Some("\"kms_key_id\""));
    assert_eq!(slice(BASELINE, kms.value.span.range), Some("true"));
    // Null is "not set", and an empty block list is no block.
    assert!(trail.attribute("cloud_watch_logs_group_arn").is_some(), "unknown, not null");
    assert!(trail.attribute("advanced_event_selector").is_none());
    assert_eq!(trail.items("event_selector").len(), 1);

    let recorder = entity(&out, "aws_config_configuration_recorder.main");
    assert_eq!(recorder.bool("all_supported"), Some(true));
    assert!(matches!(recorder.attribute("recording_group").map(|a| &a.value.kind), Some(NodeKind::Object(_))));
    let rule = entity(&out, "aws_config_config_rule.managed[\"root_mfa\"]");
    assert_eq!(rule.kind, EntityKind::ConfigRule);
    assert_eq!(rule.string("source_identifier").and_then(|v| v.as_known()), Some("ROOT_ACCOUNT_MFA_ENABLED"));

    // One item of a list known only after apply.
    let role = entity(&out, "module.iam.aws_iam_role.deploy");
    let arns = role.items("managed_policy_arns");
    assert_eq!(arns.len(), 2);
    assert!(matches!(&arns[1].kind, NodeKind::Unknown(unknown) if unknown.reason == AFTER_APPLY));
    assert!(role.attribute("permissions_boundary").is_none());
    assert_eq!(role.number("max_session_duration"), Some(3600.0));

    let key = entity(&out, "module.iam.aws_iam_access_key.auditor");
    assert_eq!(unknown_reason(key, "user").as_deref(), Some(AFTER_APPLY));
    assert!(out.entities.iter().all(|entity| entity.conditional.is_none()));
}

#[test]
fn policies_in_nested_blocks_are_read() {
    let out = analyze_plan(FileId(0), BASELINE);
    let doc = out
        .documents
        .iter()
        .find(|doc| doc.origin.owner.as_deref() == Some("aws_s3control_multi_region_access_point_policy.global"))
        .unwrap();
    assert_eq!(doc.origin.attribute.as_deref(), Some("details[0].policy"));
    assert!(doc.issues.is_empty(), "{:?}", doc.issues);
    let action = doc.statements[0].action.as_ref().unwrap();
    assert_eq!(slice(BASELINE, action.items[0].span.range), Some("\\\"s3:GetObject\\\""));
}

#[test]
fn without_planned_values_entities_come_from_resource_changes() {
    let plan = r#"{
  "format_version": "1.2",
  "resource_changes": [
    {
      "address": "aws_iam_user.ci",
      "mode": "managed",
      "type": "aws_iam_user",
      "name": "ci",
      "change": {
        "actions": ["create"],
        "after": { "name": "ci", "path": "/" },
        "after_unknown": { "arn": true, "permissions_boundary": true }
      }
    },
    {
      "address": "aws_iam_user.gone",
      "mode": "managed",
      "type": "aws_iam_user",
      "name": "gone",
      "change": { "actions": ["delete"], "after": null }
    }
  ]
}"#;
    let out = analyze_plan(FileId(0), plan);
    assert_eq!(out.entities.len(), 1, "a deleted resource is no entity");
    let user = &out.entities[0];
    assert_eq!(user.kind, EntityKind::User);
    assert_eq!(slice(plan, user.span.range), Some("\"aws_iam_user.ci\""));
    assert_eq!(unknown_reason(user, "permissions_boundary").as_deref(), Some(AFTER_APPLY));
}

/// Every cut of the plan at a line boundary reads without panicking.
#[test]
fn truncated_plans_do_not_panic() {
    let mut end = 0;
    for line in BASELINE.split_inclusive('\n') {
        end += line.len();
        let _ = analyze_plan(FileId(0), &BASELINE[..end]);
    }
}
