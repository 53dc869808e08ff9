//! Family 5xx: account and organization baseline.
//!
//! Each rule has an attribute part, which checks a resource that is present and runs in every
//! profile, and an existence part, which asks that the baseline declares the resource at all
//! and runs only in the `baseline` profile (RULES.md §0.4, §6).

mod access_analyzer_missing;
mod alternate_contacts_missing;
mod audit_bucket_not_protected;
mod audit_log_retention_short;
mod cloudtrail_log_validation_disabled;
mod cloudtrail_missing_or_disabled;
mod cloudtrail_not_centralized;
mod cloudtrail_not_kms_encrypted;
mod cloudtrail_not_multi_region;
mod config_recorder_incomplete;
mod guardduty_missing;
mod iam_runtime_config_rules_missing;
mod incident_access_roles;
mod non_iam_baseline_controls;
mod root_user_guardrails;
mod s3_account_public_access_block;
mod scp_guardrails_missing;
mod scp_pitfalls;
mod secure_baseline_module_control_disabled;
mod security_alarms_missing;
mod security_hub_missing;

pub use access_analyzer_missing::AccessAnalyzerMissing;
pub use alternate_contacts_missing::AlternateContactsMissing;
pub use audit_bucket_not_protected::AuditBucketNotProtected;
pub use audit_log_retention_short::AuditLogRetentionShort;
pub use cloudtrail_log_validation_disabled::CloudtrailLogValidationDisabled;
pub use cloudtrail_missing_or_disabled::CloudtrailMissingOrDisabled;
pub use cloudtrail_not_centralized::CloudtrailNotCentralized;
pub use cloudtrail_not_kms_encrypted::CloudtrailNotKmsEncrypted;
pub use cloudtrail_not_multi_region::CloudtrailNotMultiRegion;
pub use config_recorder_incomplete::ConfigRecorderIncomplete;
pub use guardduty_missing::GuarddutyMissing;
pub use iam_runtime_config_rules_missing::IamRuntimeConfigRulesMissing;
pub use incident_access_roles::IncidentAccessRoles;
pub use non_iam_baseline_controls::NonIamBaselineControls;
pub use root_user_guardrails::RootUserGuardrails;
pub use s3_account_public_access_block::S3AccountPublicAccessBlock;
pub use scp_guardrails_missing::ScpGuardrailsMissing;
pub use scp_pitfalls::ScpPitfalls;
pub use secure_baseline_module_control_disabled::SecureBaselineModuleControlDisabled;
pub use security_alarms_missing::SecurityAlarmsMissing;
pub use security_hub_missing::SecurityHubMissing;

use rein_diagnostics::Applicability;
use rein_model::inventory::node_reference;
use rein_model::{AttributeValue, EditValue, Entity, EntityKind, NewEntity, NodeKind, PolicyEdit, Value};

use crate::context::RuleContext;
use crate::engine::{Profile, Unit, UnitSource};

/// Whether the existence checks apply to the unit: the `baseline` profile is on, or the unit
/// calls the secure-baseline module (RULES.md §0.4), and no call of a baseline module whose code
/// is not read sets the controls up (IAM520 judges that module's inputs instead). A baseline
/// module whose code was read is analysed like any other.
pub(crate) fn checks_existence(unit: &Unit<'_>, ctx: &RuleContext<'_>) -> bool {
    baseline_profile(unit, ctx) && !unit.modules.iter().any(|call| is_unread_baseline(call))
}

/// Whether the `baseline` profile applies to the unit: chosen by the user, or turned on by a call
/// of the secure-baseline module (RULES.md §0.4).
pub(crate) fn baseline_profile(unit: &Unit<'_>, ctx: &RuleContext<'_>) -> bool {
    ctx.settings().profile == Profile::Baseline
        || unit.modules.iter().any(|call| call.source.contains("secure-baseline"))
}

/// A call of nozaq/terraform-aws-secure-baseline (or one of its submodules) whose code was not
/// read, a registry or git source.
pub(crate) fn is_unread_baseline(call: &rein_model::ModuleCall) -> bool {
    call.source.contains("secure-baseline") && call.not_analysed.is_some()
}

/// Whether `node` names `target`: a reference to the entity, or its name (the known value of
/// `target`'s attribute `name_attr`) written out.
pub(crate) fn names_entity(node: &rein_model::Node, target: &Entity, name_attr: &str) -> bool {
    if let Some(reference) = node_reference(node) {
        return reference.entity == target.address;
    }
    match (&node.kind, target.string(name_attr).and_then(Value::as_known)) {
        (NodeKind::String(Value::Known(text)), Some(name)) => text == name,
        _ => false,
    }
}

/// The entities of `kind` that configure `bucket` through their `bucket` attribute.
pub(crate) fn bucket_settings<'a>(unit: &Unit<'a>, bucket: &Entity, kind: EntityKind) -> Vec<&'a Entity> {
    unit.entities_of(kind)
        .filter(|entity| entity.attribute("bucket").is_some_and(|attr| names_entity(&attr.value, bucket, "bucket")))
        .collect()
}

/// Where a trail delivers its log files.
pub(crate) enum TrailBucket<'a> {
    /// A bucket defined in the unit.
    Local(&'a Entity),
    /// A bucket the unit does not define, or whose name is not known; the text says why.
    External(String),
}

/// The bucket of a trail's `s3_bucket_name`; `None` when the trail names none.
pub(crate) fn trail_bucket<'a>(unit: &Unit<'a>, trail: &Entity) -> Option<TrailBucket<'a>> {
    let attr = trail.attribute("s3_bucket_name")?;
    let found = unit.entities_of(EntityKind::S3Bucket).find(|bucket| names_entity(&attr.value, bucket, "bucket"));
    Some(match (found, &attr.value.kind) {
        (Some(bucket), _) => TrailBucket::Local(bucket),
        (None, NodeKind::String(Value::Known(name))) => {
            TrailBucket::External(format!("the bucket `{name}` is not defined in {}", unit.name))
        }
        (None, _) => TrailBucket::External("the bucket name is not known statically".to_owned()),
    })
}

/// Every known string inside a node (a JSON or YAML text, or a structure built in the source),
/// for presence checks of event names and rule identifiers.
pub(crate) fn node_texts(node: &rein_model::Node, out: &mut Vec<String>) {
    match &node.kind {
        NodeKind::String(value) => {
            if let Some(text) = value.as_known() {
                out.push(text.to_owned());
            }
        }
        NodeKind::Array(items) => items.iter().for_each(|item| node_texts(item, out)),
        NodeKind::Object(object) => object.members.iter().for_each(|member| {
            out.push(member.key.name.clone());
            node_texts(&member.value, out);
        }),
        _ => {}
    }
}

/// Whether the unit declares an organization, which turns on the organization checks
/// (RULES.md §0.4 `org`).
pub(crate) fn is_org(unit: &Unit<'_>) -> bool {
    unit.entities.iter().any(|entity| {
        matches!(
            entity.kind,
            EntityKind::Organization
                | EntityKind::OrganizationalUnit
                | EntityKind::OrganizationsPolicy
                | EntityKind::OrganizationsPolicyAttachment
                | EntityKind::OrganizationsFeatures
        )
    })
}

/// Reports, in the `baseline` profile, a unit that declares no entity of `kind`; `true` when it
/// declares one.
pub(crate) fn require_entity(unit: &Unit<'_>, ctx: &mut RuleContext<'_>, kind: EntityKind, what: &str) -> bool {
    if unit.entities_of(kind).next().is_some() {
        return true;
    }
    if checks_existence(unit, ctx) {
        ctx.report(unit.anchor, format!("The account baseline in {} declares no {what}", unit.name));
    }
    false
}

/// Checks a boolean setting that must be `want`. Written with the other value: reported on the
/// value, with an unsafe fix. Not written: reported on the resource when `unset` (the default)
/// is not `want`, with an unsafe fix that adds the setting. A value not known statically is not
/// reported.
pub(crate) fn require_flag(
    ctx: &mut RuleContext<'_>,
    entity: &Entity,
    name: &str,
    want: bool,
    unset: Option<bool>,
    problem: &str,
) {
    match entity.attribute(name) {
        Some(attr) if entity.bool(name) == Some(!want) => {
            ctx.report(attr.value.span, format!("`{name}` is {}: {problem}", !want)).fix(
                format!("Set `{name}` to {want}"),
                Applicability::Unsafe,
                vec![PolicyEdit::ReplaceLiteral { target: attr.value.span, literal: want.to_string() }],
            );
        }
        // The other value, or one not known statically.
        Some(_) => {}
        None if unset != Some(want) => {
            ctx.report(entity.span, format!("`{name}` is not set: {problem}")).fix(
                format!("Set `{name}` to {want}"),
                Applicability::Unsafe,
                vec![PolicyEdit::insert_attribute(entity.extent, name, AttributeValue::literal(want))],
            );
        }
        None => {}
    }
}

/// `snake_case` as `PascalCase` (`log_file_validation` → `LogFileValidation`): Terraform's
/// argument names as CloudFormation's property names.
pub(crate) fn pascal_case(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// A boolean setting written flat (`all_supported`) or inside a nested block or property
/// (`recording_group { all_supported }`, `RecordingGroup: {AllSupported}`): its value node, if
/// written.
pub(crate) fn nested<'e>(entity: &'e Entity, block: &str, name: &str) -> Option<&'e rein_model::Node> {
    if let Some(attr) = entity.attribute(name) {
        return Some(&attr.value);
    }
    let pascal = pascal_case(name);
    let mut outer = entity.items(block);
    let object = outer.pop()?;
    let rein_model::NodeKind::Object(object) = &object.kind else { return None };
    object
        .members
        .iter()
        .find(|member| member.key.name == name || member.key.name == pascal)
        .map(|member| &member.value)
}

/// The patterns the unit alerts on: metric filters that an alarm watches (by reference, or by
/// metric name), and EventBridge rules. A filter whose alarm cannot be matched because a name
/// is not known counts as watched, since an unknown is not a gap.
pub(crate) fn alarm_patterns(unit: &Unit<'_>) -> Vec<String> {
    let alarms: Vec<&Entity> = unit.entities_of(EntityKind::MetricAlarm).collect();
    let mut patterns = Vec::new();
    for filter in unit.entities_of(EntityKind::LogMetricFilter) {
        let metric = filter
            .attribute("metric_transformation")
            .and_then(|attr| object_member(&attr.value, "name"))
            .and_then(|node| match &node.kind {
                NodeKind::String(value) => Some(value.as_known().map(str::to_owned)),
                _ => None,
            });
        let watched = alarms.iter().any(|alarm| {
            let Some(attr) = alarm.attribute("metric_name") else { return false };
            if let Some(reference) = node_reference(&attr.value) {
                return reference.entity == filter.address;
            }
            match (&attr.value.kind, &metric) {
                (NodeKind::String(Value::Known(name)), Some(Some(metric))) => name == metric,
                _ => true,
            }
        });
        // CloudFormation alarms name the metric by text only; a template without alarms has none.
        if watched && let Some(attr) = filter.attribute("pattern") {
            node_texts(&attr.value, &mut patterns);
        }
    }
    for rule in unit.entities_of(EntityKind::EventRule) {
        if let Some(attr) = rule.attribute("event_pattern") {
            node_texts(&attr.value, &mut patterns);
        }
    }
    patterns
}

/// A member of an object node, by key.
pub(crate) fn object_member<'n>(node: &'n rein_model::Node, key: &str) -> Option<&'n rein_model::Node> {
    let NodeKind::Object(object) = &node.kind else { return None };
    object.members.iter().find(|member| member.key.name == key).map(|member| &member.value)
}

/// The managed rule identifiers the unit's Config rules and conformance packs name, and whether
/// some identifier is not known statically (then nothing can be said to be missing).
pub(crate) fn config_rule_identifiers(unit: &Unit<'_>) -> (Vec<String>, bool) {
    let mut identifiers = Vec::new();
    let mut unknown = false;
    for rule in unit.entities_of(EntityKind::ConfigRule) {
        match (rule.attribute("source_identifier"), rule.string("source_identifier").and_then(Value::as_known)) {
            (_, Some(identifier)) => identifiers.push(identifier.to_owned()),
            // `each.value` of a `for_each`, a variable: any rule at all.
            (Some(_), None) => unknown = true,
            (None, None) => {}
        }
    }
    for pack in unit.entities_of(EntityKind::ConfigConformancePack) {
        match pack.string("template_body").map(Value::as_known) {
            Some(Some(body)) => identifiers.push(body.to_owned()),
            _ => unknown = true,
        }
    }
    (identifiers, unknown)
}

/// Whether Security Hub runs a standard (CIS AWS Foundations or AWS Foundational Security Best
/// Practices) that watches the IAM facts static analysis cannot see: an account with the
/// default standards on (the provider's and CloudFormation's default), or a subscription.
pub(crate) fn security_hub_watches_iam(unit: &Unit<'_>) -> bool {
    let hub = unit.entities_of(EntityKind::SecurityHub).any(|hub| hub.bool("enable_default_standards") != Some(false));
    let standard = unit.entities_of(EntityKind::SecurityHubStandard).any(|standard| {
        match standard.string("standards_arn").map(Value::as_known) {
            Some(Some(arn)) => {
                arn.contains("cis-aws-foundations-benchmark")
                    || arn.contains("aws-foundational-security-best-practices")
            }
            // An ARN built from the partition and region is still one of the standards.
            _ => true,
        }
    });
    hub || (standard && unit.entities_of(EntityKind::SecurityHub).next().is_some())
}

/// Whether some attached SCP of the unit denies any action by a root user
/// (`ArnLike`/`StringLike` `aws:PrincipalArn` `arn:aws:iam::*:root`).
pub(crate) fn denies_root_user(unit: &Unit<'_>) -> bool {
    attached_scps(unit).iter().flat_map(|doc| &doc.statements).any(|stmt| {
        stmt.is_deny()
            && crate::semantics::positive_condition_values(stmt, "aws:PrincipalArn")
                .is_some_and(|values| values.iter().any(|value| value.ends_with(":root")))
    })
}

/// The SCP documents of organisation policies that are attached to a target (through an
/// attachment resource or CloudFormation's `TargetIds`).
pub(crate) fn attached_scps<'a>(unit: &Unit<'a>) -> Vec<&'a rein_model::PolicyDocument> {
    let attachments: Vec<&Entity> = unit.entities_of(EntityKind::OrganizationsPolicyAttachment).collect();
    unit.entities_of(EntityKind::OrganizationsPolicy)
        .filter(|policy| {
            !policy.items("target_ids").is_empty()
                || attachments.iter().any(|attachment| {
                    attachment.attribute("policy_id").is_some_and(|attr| names_entity(&attr.value, policy, "name"))
                })
        })
        .flat_map(|policy| unit.documents_of(&policy.address).collect::<Vec<_>>())
        .filter(|doc| doc.kind == rein_model::PolicyKind::Scp)
        .collect()
}

/// A resource that a fix adds to the unit ([`PolicyEdit::GenerateEntities`]): a Terraform resource block (`aws_…`
/// type, arguments and nested blocks) or a template resource (`AWS::…` type, properties), named
/// `name` unless the unit has an entity of that name, then `name_2`, `Name2`, …. It goes into
/// the unit's anchor file (for Terraform the `main.tf` beside it).
pub(crate) fn new_resource(
    unit: &Unit<'_>,
    resource_type: &str,
    name: &str,
    attributes: Vec<(&str, AttributeValue)>,
) -> NewEntity {
    let template = resource_type.contains("::");
    let taken = |candidate: &str| {
        unit.entities.iter().any(|entity| {
            if template {
                entity.address == candidate
            } else {
                entity.address.strip_prefix(resource_type).and_then(|rest| rest.strip_prefix('.')) == Some(candidate)
            }
        })
    };
    let mut unique = name.to_owned();
    let mut number = 2;
    while taken(&unique) {
        unique = if template { format!("{name}{number}") } else { format!("{name}_{number}") };
        number += 1;
    }
    NewEntity {
        near: unit.anchor,
        anchor: true,
        data_source: false,
        resource_type: resource_type.to_owned(),
        name: unique,
        attributes: attributes.into_iter().map(|(key, value)| (key.to_owned(), value)).collect(),
    }
}

/// The fix's edits that add `entities`: none when there are none (a plan, a syntax without the
/// resource).
pub(crate) fn generate(entities: impl IntoIterator<Item = NewEntity>) -> Vec<PolicyEdit> {
    let entities: Vec<NewEntity> = entities.into_iter().collect();
    if entities.is_empty() { Vec::new() } else { vec![PolicyEdit::GenerateEntities(entities)] }
}

/// An AWS Config managed rule (`IAM_ROOT_ACCESS_KEY_CHECK`) as a new resource of the unit's
/// language, with its parameters; `None` for a plan.
pub(crate) fn new_config_rule(unit: &Unit<'_>, identifier: &str, parameters: &[(&str, &str)]) -> Option<NewEntity> {
    let kebab = identifier.to_ascii_lowercase().replace('_', "-");
    let parameters = (!parameters.is_empty()).then(|| {
        EditValue::object(parameters.iter().map(|(key, value)| (*key, EditValue::String((*value).to_owned()))))
    });
    match unit.source {
        UnitSource::Terraform => {
            let mut attributes = vec![("name", AttributeValue::string(&kebab))];
            if let Some(parameters) = parameters {
                attributes.push(("input_parameters", AttributeValue::Json(parameters)));
            }
            attributes.push((
                "source",
                AttributeValue::block([
                    ("owner", AttributeValue::string("AWS")),
                    ("source_identifier", AttributeValue::string(identifier)),
                ]),
            ));
            Some(new_resource(unit, "aws_config_config_rule", &identifier.to_ascii_lowercase(), attributes))
        }
        UnitSource::CloudFormation => {
            let pascal = pascal_case(&identifier.to_ascii_lowercase());
            let mut attributes = vec![("ConfigRuleName", AttributeValue::string(&kebab))];
            if let Some(parameters) = parameters {
                attributes.push(("InputParameters", AttributeValue::Json(parameters)));
            }
            attributes.push((
                "Source",
                AttributeValue::block([
                    ("Owner", AttributeValue::string("AWS")),
                    ("SourceIdentifier", AttributeValue::string(identifier)),
                ]),
            ));
            Some(new_resource(unit, "AWS::Config::ConfigRule", &format!("{pascal}Rule"), attributes))
        }
        UnitSource::TerraformPlan => None,
    }
}

/// The edits that add an SCP named after `name` (`scp_guardrails`) denying `actions` (and every action of a root user when
/// `deny_root`), attached to the root of the organization the Terraform configuration declares;
/// none without one.
pub(crate) fn guardrail_scp(unit: &Unit<'_>, name: &str, actions: &[&str], deny_root: bool) -> Vec<PolicyEdit> {
    let Some(org) = unit.entities_of(EntityKind::Organization).next() else { return Vec::new() };
    if unit.source != UnitSource::Terraform || (actions.is_empty() && !deny_root) {
        return Vec::new();
    }
    let description = match (actions.is_empty(), deny_root) {
        (false, true) => "Denies changes to the security baseline and the use of root users",
        (false, false) => "Denies changes to the security baseline",
        _ => "Denies the use of root users",
    };
    let mut statements = Vec::new();
    if !actions.is_empty() {
        statements.push((
            "statement",
            AttributeValue::block([
                ("sid", AttributeValue::string("DenyGuardrailChanges")),
                ("effect", AttributeValue::string("Deny")),
                ("actions", AttributeValue::strings(actions.iter().copied())),
                ("resources", AttributeValue::strings(["*"])),
            ]),
        ));
    }
    if deny_root {
        statements.push((
            "statement",
            AttributeValue::block([
                ("sid", AttributeValue::string("DenyRootUser")),
                ("effect", AttributeValue::string("Deny")),
                ("actions", AttributeValue::strings(["*"])),
                ("resources", AttributeValue::strings(["*"])),
                (
                    "condition",
                    AttributeValue::block([
                        ("test", AttributeValue::string("ArnLike")),
                        ("variable", AttributeValue::string("aws:PrincipalArn")),
                        ("values", AttributeValue::strings(["arn:aws:iam::*:root"])),
                    ]),
                ),
            ]),
        ));
    }
    // The three blocks go beside the organization.
    let place = |mut entity: NewEntity| {
        entity.near = org.span;
        entity.anchor = false;
        entity
    };
    let mut document = place(new_resource(unit, "aws_iam_policy_document", name, statements));
    document.data_source = true;
    document.name = new_resource(unit, "data.aws_iam_policy_document", name, Vec::new()).name;
    let policy = place(new_resource(
        unit,
        "aws_organizations_policy",
        name,
        vec![
            ("name", AttributeValue::string(name.replace('_', "-"))),
            ("description", AttributeValue::string(description)),
            ("type", AttributeValue::string("SERVICE_CONTROL_POLICY")),
            (
                "content",
                AttributeValue::Reference {
                    entity: format!("data.aws_iam_policy_document.{}", document.name),
                    attribute: "json".to_owned(),
                },
            ),
        ],
    ));
    let attachment = place(new_resource(
        unit,
        "aws_organizations_policy_attachment",
        name,
        vec![
            (
                "policy_id",
                AttributeValue::Reference {
                    entity: format!("aws_organizations_policy.{}", policy.name),
                    attribute: "id".to_owned(),
                },
            ),
            (
                "target_id",
                AttributeValue::Reference { entity: org.address.clone(), attribute: "roots[0].id".to_owned() },
            ),
        ],
    ));
    generate([document, policy, attachment])
}
