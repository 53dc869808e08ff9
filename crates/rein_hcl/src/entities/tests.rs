//! Entity tests: the account baseline and IAM module fixtures dumped with positions (insta
//! snapshots), exact spans, existence under `count`/`for_each`, order, and the policy-bearing
//! attribute table checked against a fixture.

use std::collections::BTreeSet;

use rein_model::{Entity, EntityKind, NodeKind, Value};
use rein_text::{FileId, slice};

use crate::{HclOutput, ModuleFile, analyze_module_files};

/// The files of one fixture directory (not recursive), sorted by name.
fn read_module(name: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(fixtures().join(name))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

use crate::tests::{analyze_texts as analyze, fixtures};

fn dump(texts: &[(String, String)]) -> String {
    let output = analyze(texts);
    assert!(output.issues.is_empty(), "{:?}", output.issues);
    rein_model::dump::dump_inventory(texts, &output.entities, &output.modules, &output.suppressions)
}

fn entity<'a>(output: &'a HclOutput, address: &str) -> &'a Entity {
    output.entities.iter().find(|entity| entity.address == address).unwrap_or_else(|| panic!("no {address}"))
}

fn known<'a>(entity: &'a Entity, name: &str) -> Option<&'a str> {
    entity.string(name).and_then(Value::as_known)
}

#[test]
fn snapshot_account_baseline() {
    insta::assert_snapshot!(dump(&read_module("account_baseline")));
}

#[test]
fn snapshot_iam_module() {
    insta::assert_snapshot!(dump(&read_module("iam_module")));
}

#[test]
fn baseline_values_resolve_through_locals_and_variables() {
    let texts = read_module("account_baseline");
    let output = analyze(&texts);

    let policy = entity(&output, "aws_iam_account_password_policy.strict");
    assert_eq!(policy.kind, EntityKind::PasswordPolicy);
    assert_eq!(policy.number("minimum_password_length"), Some(14.0));
    assert_eq!(policy.bool("require_symbols"), Some(true));
    assert_eq!(policy.number("password_reuse_prevention"), Some(24.0));
    assert!(policy.attribute("hard_expiry").is_none(), "an argument that is not set is absent");

    let trail = entity(&output, "aws_cloudtrail.main");
    assert_eq!(trail.bool("is_multi_region_trail"), Some(true));
    assert_eq!(trail.bool("enable_log_file_validation"), Some(true));
    assert_eq!(known(trail, "name"), Some("acme-trail"), "the variable's default fills the template");
    // A variable without a default stays unknown, with a reason that names it.
    let reason = |name: &str| match &trail.attribute(name).unwrap().value.kind {
        NodeKind::Unknown(unknown) => unknown.reason.clone(),
        other => panic!("{name} is {other:?}"),
    };
    assert_eq!(reason("s3_bucket_name"), "`var.trail_bucket_name` has no default");
    // A reference to another resource is a typed placeholder that names it, never a wildcard.
    let key = trail.string("kms_key_id").unwrap();
    assert!(!key.is_known());
    assert_eq!(key.reference().map(|r| r.entity.as_str()), Some("aws_kms_key.cloudtrail"));
    let selectors = trail.items("event_selector");
    assert_eq!(selectors.len(), 1, "a repeatable block is a list even when written once");
    let NodeKind::Object(selector) = &selectors[0].kind else { panic!("{:?}", selectors[0]) };
    let names: Vec<&str> = selector.members.iter().map(|member| member.key.name.as_str()).collect();
    assert_eq!(names, ["read_write_type", "include_management_events", "data_resource"]);

    let log_group = entity(&output, "aws_cloudwatch_log_group.trail");
    assert_eq!(log_group.number("retention_in_days"), Some(365.0));

    let recorder = entity(&output, "aws_config_configuration_recorder.main");
    assert_eq!(recorder.bool("all_supported"), Some(true));
    assert_eq!(recorder.bool("include_global_resource_types"), Some(true));
    assert!(matches!(recorder.attribute("recording_group").map(|a| &a.value.kind), Some(NodeKind::Object(_))));

    let rule = entity(&output, "aws_config_config_rule.mfa_for_console");
    assert_eq!(known(rule, "source_identifier"), Some("MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS"));
    let contact = entity(&output, "aws_account_alternate_contact.security");
    assert_eq!(known(contact, "email_address"), Some("secops@example.com"));
    let versioning = entity(&output, "aws_s3_bucket_versioning.access_logs");
    assert_eq!(known(versioning, "status"), Some("Enabled"));
}

#[test]
fn count_and_for_each_decide_existence() {
    let texts = read_module("account_baseline");
    let output = analyze(&texts);
    // `count = 0`: Terraform creates nothing, so there is no entity.
    assert!(output.entities.iter().all(|entity| entity.address != "aws_accessanalyzer_analyzer.organization"));
    // `count = var.enable_guardduty ? 1 : 0` with the default `true`: the detector exists.
    assert_eq!(entity(&output, "aws_guardduty_detector.main").conditional, None);
    // A `for_each` over a known local map exists; values of `each` depend on the instance.
    let rules = entity(&output, "aws_config_config_rule.managed");
    assert_eq!(rules.conditional, None);
    let identifier = rules.attribute("source_identifier").unwrap();
    assert!(matches!(&identifier.value.kind, NodeKind::Unknown(unknown) if unknown.reason.contains("iteration")));

    let texts = read_module("iam_module");
    let output = analyze(&texts);
    // A conditional `count` whose condition has no default keeps the entity and says why it may
    // not exist.
    let ci = entity(&output, "aws_iam_user.ci");
    let why = ci.conditional.as_deref().unwrap();
    assert!(why.starts_with("`count` is not known statically: "), "{why}");
    assert!(why.contains("conditional expression"), "{why}");
    assert_eq!(entity(&output, "aws_iam_user.auditor").conditional, None);
}

#[test]
fn spans_point_at_labels_keys_and_values() {
    let texts = read_module("iam_module");
    let output = analyze(&texts);
    let text = &texts.iter().find(|(name, _)| name == "main.tf").unwrap().1;
    let role = entity(&output, "aws_iam_role.github_deploy");
    assert_eq!(slice(text, role.span.range), Some("\"aws_iam_role\" \"github_deploy\""));
    let extent = slice(text, role.extent.range).unwrap();
    assert!(extent.starts_with("resource \"aws_iam_role\" \"github_deploy\" {") && extent.ends_with('}'));
    let duration = role.attribute("max_session_duration").unwrap();
    assert_eq!(slice(text, duration.key_span.range), Some("max_session_duration"));
    assert_eq!(slice(text, duration.value.span.range), Some("3600"));
    let arns = role.items("managed_policy_arns");
    assert_eq!(arns.len(), 1);
    assert_eq!(slice(text, arns[0].span.range), Some("\"arn:aws:iam::aws:policy/PowerUserAccess\""));

    let template = entity(&output, "aws_launch_template.app");
    let profile = template.attribute("iam_instance_profile").unwrap();
    assert_eq!(slice(text, profile.key_span.range), Some("iam_instance_profile"));
    let NodeKind::Object(object) = &profile.value.kind else { panic!("{profile:?}") };
    assert_eq!(slice(text, object.opening.range), Some("iam_instance_profile"));

    let boundary = entity(&output, "aws_ssoadmin_permissions_boundary_attachment.admin");
    let NodeKind::Object(object) = &boundary.attribute("permissions_boundary").unwrap().value.kind else {
        panic!("not an object")
    };
    // Blocks nested in a block are lists of objects, as a plan writes them.
    let reference = &object.members[0];
    assert_eq!(reference.key.name, "customer_managed_policy_reference");
    let NodeKind::Array(items) = &reference.value.kind else { panic!("not a list") };
    let NodeKind::Object(inner) = &items[0].kind else { panic!("not an object") };
    assert_eq!(inner.members[0].value.kind, NodeKind::String(Value::known("workload-boundary")));
}

#[test]
fn kinds_of_the_iam_module() {
    let texts = read_module("iam_module");
    let output = analyze(&texts);
    let kind = |address: &str| entity(&output, address).kind;
    assert_eq!(kind("aws_iam_user_group_membership.auditor"), EntityKind::GroupMembership);
    assert_eq!(kind("aws_iam_role_policy_attachments_exclusive.github_deploy"), EntityKind::PolicyAttachment);
    assert_eq!(kind("aws_iam_role_policies_exclusive.github_deploy"), EntityKind::InlinePolicy);
    assert_eq!(kind("aws_lambda_permission.from_bucket"), EntityKind::LambdaPermission);
    assert_eq!(kind("aws_ecs_task_definition.app"), EntityKind::Compute);
    let key = entity(&output, "aws_iam_access_key.auditor_old");
    assert_eq!(known(key, "status"), Some("Inactive"));
    let legacy = entity(&output, "aws_iam_policy_attachment.legacy_readonly");
    assert_eq!(legacy.items("users").len(), 1);
    assert!(legacy.items("roles").is_empty());
    // Every resource block of the module has a type of the table, and each is one entity.
    let addresses: BTreeSet<&str> = output.entities.iter().map(|entity| entity.address.as_str()).collect();
    assert_eq!(addresses.len(), output.entities.len(), "addresses are unique");
    let blocks = texts.iter().map(|(_, text)| text.matches("\nresource \"").count()).sum::<usize>();
    assert_eq!(output.entities.len(), blocks);
    assert_eq!(blocks, 38);
}

#[test]
fn order_does_not_depend_on_the_order_files_are_given_in() {
    let texts = read_module("account_baseline");
    let forward = analyze(&texts).entities;
    let mut reversed_texts: Vec<(String, String)> = texts.clone();
    reversed_texts.reverse();
    // The same files under the same ids, handed over in the other order.
    let inputs: Vec<ModuleFile<'_>> = texts
        .iter()
        .enumerate()
        .rev()
        .map(|(idx, (path, text))| ModuleFile { file: FileId(idx as u32), path, text })
        .collect();
    let backward = analyze_module_files(&inputs).entities;
    assert_eq!(forward, backward);
    assert_eq!(forward, analyze(&texts).entities);
    let starts: Vec<_> = forward.iter().map(|entity| (entity.span.file, entity.span.range.start())).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
}

#[test]
fn every_policy_bearing_attribute_is_read_from_the_fixture() {
    let texts = vec![(
        "resource_policies.tf".to_owned(),
        std::fs::read_to_string(fixtures().join("resource_policies.tf")).unwrap(),
    )];
    let output = analyze(&texts);
    assert!(output.issues.is_empty(), "{:?}", output.issues);
    assert!(output.unknown_policies.is_empty(), "{:?}", output.unknown_policies);
    let read: BTreeSet<(String, String)> = output
        .documents
        .iter()
        .filter_map(|doc| {
            let owner = doc.origin.owner.as_deref()?;
            let (resource_type, _) = owner.split_once('.')?;
            Some((resource_type.to_owned(), doc.origin.attribute.clone()?))
        })
        .collect();
    for consumer in rein_tfschema::CONSUMERS {
        let attribute = match consumer.block {
            Some(block) => format!("{block}.{}", consumer.attribute),
            None => consumer.attribute.to_owned(),
        };
        assert!(
            read.contains(&(consumer.resource.to_owned(), attribute.clone())),
            "{}.{attribute} is not read from resource_policies.tf",
            consumer.resource
        );
    }
    for doc in &output.documents {
        assert!(doc.issues.is_empty(), "{:?}: {:?}", doc.origin.owner, doc.issues);
    }
}

fn inline(text: &str) -> HclOutput {
    analyze(&[("main.tf".to_owned(), text.to_owned())])
}

#[test]
fn existence_edge_cases() {
    let output = inline(
        r#"
resource "aws_iam_user" "quoted_zero" {
  count = "0"
  name  = "a"
}
resource "aws_iam_user" "empty_map" {
  for_each = {}
  name     = each.key
}
resource "aws_iam_user" "empty_set" {
  for_each = toset([])
  name     = each.key
}
resource "aws_iam_user" "two" {
  count = 2
  name  = "user-${count.index}"
}
resource "aws_iam_user" "from_var" {
  for_each = var.users
  name     = each.key
}
resource "aws_iam_user" "bad_count" {
  count = "many"
  name  = "b"
}
"#,
    );
    let addresses: Vec<&str> = output.entities.iter().map(|entity| entity.address.as_str()).collect();
    assert_eq!(addresses, ["aws_iam_user.two", "aws_iam_user.from_var", "aws_iam_user.bad_count"]);
    assert_eq!(output.entities[0].conditional, None);
    let why = output.entities[1].conditional.as_deref().unwrap();
    assert_eq!(why, "`for_each` is not known statically: `var.users` is not declared in this module");
    let why = output.entities[2].conditional.as_deref().unwrap();
    assert_eq!(why, "`count = \"many\"` is not a number");
}

#[test]
fn dynamic_empty_and_attribute_form_blocks() {
    let output = inline(
        r#"
resource "aws_cloudtrail" "dynamic" {
  name = "t"
  dynamic "event_selector" {
    for_each = var.selectors
    content {
      read_write_type = event_selector.value
    }
  }
}
resource "aws_config_configuration_recorder" "empty" {
  name = "r"
  recording_group {}
}
resource "aws_config_config_rule" "dynamic_source" {
  name = "c"
  dynamic "source" {
    for_each = [1]
    content {
      owner = "AWS"
    }
  }
}
resource "aws_launch_template" "attr" {
  iam_instance_profile = { name = "app" }
}
"#,
    );
    let trail = entity(&output, "aws_cloudtrail.dynamic");
    let selector = trail.attribute("event_selector").unwrap();
    assert!(
        matches!(&selector.value.kind, NodeKind::Unknown(unknown) if unknown.reason == "`dynamic \"event_selector\"` blocks are not expanded")
    );
    let recorder = entity(&output, "aws_config_configuration_recorder.empty");
    assert!(recorder.attribute("all_supported").is_none());
    assert!(
        matches!(&recorder.attribute("recording_group").unwrap().value.kind, NodeKind::Object(object) if object.members.is_empty())
    );
    let rule = entity(&output, "aws_config_config_rule.dynamic_source");
    assert!(matches!(&rule.attribute("source_identifier").unwrap().value.kind, NodeKind::Unknown(_)));
    let template = entity(&output, "aws_launch_template.attr");
    assert!(matches!(&template.attribute("iam_instance_profile").unwrap().value.kind, NodeKind::Object(_)));
}

#[test]
fn half_typed_resources_do_not_panic() {
    let text = "resource \"aws_iam_role\" \"x\" {\n  name = \n  max_session_duration = 3600\n  inline_policy {\n";
    for end in 0..=text.len() {
        let _ = inline(&text[..end]);
    }
    let output = inline(
        "resource \"aws_iam_role\" {\n  name = \"x\"\n}\nresource \"aws_kms_key\" \"k\" {\n  enable_key_rotation = true\n}\n",
    );
    assert_eq!(entity(&output, "aws_kms_key.k").bool("enable_key_rotation"), Some(true));
}

#[test]
fn toggles_with_known_values_decide_existence() {
    let text = r#"
variable "on" {
  default = true
}
variable "kind" {
  default = "individual"
}
locals {
  trail = var.kind == "individual" || var.kind == "master"
}
resource "aws_guardduty_detector" "on" {
  count = var.on ? 1 : 0
}
resource "aws_guardduty_detector" "off" {
  count = !var.on ? 1 : 0
}
resource "aws_cloudtrail" "trail" {
  count = local.trail && var.on ? 1 : 0
}
resource "aws_cloudtrail" "member" {
  count = var.kind != "individual" ? 1 : 0
}
resource "aws_accessanalyzer_analyzer" "sum" {
  count = 2 - 1 > 0 ? 1 : 0
}
resource "aws_config_config_rule" "each" {
  for_each = var.on ? toset(["a"]) : toset([])
}
resource "aws_config_config_rule" "unknown" {
  count = var.unset ? 1 : 0
}
resource "aws_securityhub_account" "region" {
  count = contains(["eu-west-1"], "eu-west-1") ? 1 : 0
}
resource "aws_securityhub_account" "other_region" {
  count = contains(["eu-west-1"], "us-east-1") ? 1 : 0
}
"#;
    let output = analyze(&[("main.tf".to_owned(), text.to_owned())]);
    let addresses: Vec<(&str, bool)> =
        output.entities.iter().map(|entity| (entity.address.as_str(), entity.conditional.is_some())).collect();
    assert_eq!(
        addresses,
        [
            ("aws_guardduty_detector.on", false),
            ("aws_cloudtrail.trail", false),
            ("aws_accessanalyzer_analyzer.sum", false),
            ("aws_config_config_rule.each", false),
            ("aws_config_config_rule.unknown", true),
            ("aws_securityhub_account.region", false),
        ]
    );
}

/// Whether `count = CONDITION ? 1 : 0` keeps the resource: `Some(true)` present,
/// `Some(false)` absent, `None` present only conditionally (the condition is not known).
fn kept(condition: &str) -> Option<bool> {
    let text = format!(
        r#"
variable "on" {{
  default = true
}}
variable "off" {{
  default = false
}}
variable "kind" {{
  default = "master"
}}
variable "n" {{
  default = 3
}}
variable "unset" {{}}
resource "aws_guardduty_detector" "toggled" {{
  count = {condition} ? 1 : 0
}}
"#
    );
    let output = inline(&text);
    match output.entities.as_slice() {
        [] => Some(false),
        [entity] => entity.conditional.is_none().then_some(true),
        more => panic!("one resource at most, got {more:?}"),
    }
}

#[test]
fn operations_follow_hcl_precedence_and_grouping() {
    let cases = [
        // `&&` binds tighter than `||`; `*` tighter than `+`; `-` and `==` group to the left.
        ("var.on || var.on && var.off", Some(true)),
        ("1 + 2 * 3 == 7", Some(true)),
        ("(1 + 2) * 3 == 9", Some(true)),
        ("10 - 4 - 3 == 3", Some(true)),
        // A unary operator takes the whole traversal after it, and binds tighter than `+`.
        ("-var.n + 4 == 1", Some(true)),
        ("!var.on", Some(false)),
        ("!var.off && var.kind == \"master\"", Some(true)),
        ("!!var.on", Some(true)),
        // One known operand decides `&&` and `||`; otherwise an unknown keeps it unknown.
        ("var.unset && var.off", Some(false)),
        ("var.unset || var.on", Some(true)),
        ("var.unset && var.on", None),
        ("var.unset == 1", None),
        ("!var.unset", None),
        // Comments and newlines inside brackets sit between operands and operators.
        ("var.n /* n */ > 2 && /* odd */ var.n % 2 == 1", Some(true)),
        ("(var.on &&\n    var.off)", Some(false)),
        // Values of different types are never equal; a division by zero is not known.
        ("\"1\" == 1", Some(false)),
        ("1 / 0 > 0", None),
        ("var.kind != \"master\" || var.n <= 2", Some(false)),
    ];
    for (condition, expected) in cases {
        assert_eq!(kept(condition), expected, "count = {condition} ? 1 : 0");
    }
}
