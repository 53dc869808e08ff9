//! The IaC entities of a template: IAM principals and attachments, organisation and SSO
//! policies, the baseline services, and compute that runs with a role.
//!
//! CloudFormation property names are mapped onto the canonical attribute names of
//! [`rein_model::EntityKind`]; a nested property is written with a dot (`RecordingGroup.AllSupported`).
//! Values are lowered like policy values, so `!Ref Role` is a placeholder that refers to `Role`
//! and `Fn::If` is unknown (an entity is not split by branch). A resource with a `Condition` is
//! conditional.
//!
//! SOURCE: property names from the CloudFormation resource reference
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html>)
//! and the AWS SAM resource reference for `AWS::Serverless::*`.

use rein_model::{Attribute, Entity, EntityKind, Node, NodeKind, Reference, Unknown, Value};
use rein_text::Span;

use crate::lower::Template;
use crate::syntax::Tree;

/// The entity kind of a resource type and its `(property path, canonical name)` pairs.
pub(crate) fn mapping(ty: &str) -> Option<(EntityKind, &'static [(&'static str, &'static str)])> {
    use EntityKind as K;
    Some(match ty {
        "AWS::IAM::Role" => (
            K::Role,
            &[
                ("RoleName", "name"),
                ("Path", "path"),
                ("ManagedPolicyArns", "managed_policy_arns"),
                ("PermissionsBoundary", "permissions_boundary"),
                ("MaxSessionDuration", "max_session_duration"),
                ("Tags", "tags"),
            ],
        ),
        "AWS::IAM::User" => (
            K::User,
            &[
                ("UserName", "name"),
                ("Path", "path"),
                ("ManagedPolicyArns", "managed_policy_arns"),
                ("PermissionsBoundary", "permissions_boundary"),
                ("Groups", "groups"),
                ("LoginProfile", "login_profile"),
            ],
        ),
        "AWS::IAM::Group" => {
            (K::Group, &[("GroupName", "name"), ("Path", "path"), ("ManagedPolicyArns", "managed_policy_arns")])
        }
        "AWS::IAM::ManagedPolicy" => (
            K::ManagedPolicy,
            &[
                ("ManagedPolicyName", "name"),
                ("Path", "path"),
                ("Roles", "roles"),
                ("Users", "users"),
                ("Groups", "groups"),
            ],
        ),
        "AWS::IAM::Policy" => {
            (K::InlinePolicy, &[("PolicyName", "name"), ("Roles", "roles"), ("Users", "users"), ("Groups", "groups")])
        }
        "AWS::IAM::RolePolicy" => (K::InlinePolicy, &[("PolicyName", "name"), ("RoleName", "role")]),
        "AWS::IAM::UserPolicy" => (K::InlinePolicy, &[("PolicyName", "name"), ("UserName", "user")]),
        "AWS::IAM::GroupPolicy" => (K::InlinePolicy, &[("PolicyName", "name"), ("GroupName", "group")]),
        "AWS::IAM::AccessKey" => (K::AccessKey, &[("UserName", "user"), ("Status", "status")]),
        "AWS::IAM::UserToGroupAddition" => (K::GroupMembership, &[("GroupName", "group"), ("Users", "users")]),
        "AWS::IAM::InstanceProfile" => (K::InstanceProfile, &[("InstanceProfileName", "name"), ("Roles", "roles")]),
        "AWS::IAM::OIDCProvider" => (
            K::OidcProvider,
            &[("Url", "url"), ("ClientIdList", "client_id_list"), ("ThumbprintList", "thumbprint_list")],
        ),
        "AWS::IAM::SAMLProvider" => {
            (K::SamlProvider, &[("Name", "name"), ("SamlMetadataDocument", "saml_metadata_document")])
        }
        "AWS::IAM::ServiceLinkedRole" => {
            (K::ServiceLinkedRole, &[("AWSServiceName", "aws_service_name"), ("CustomSuffix", "custom_suffix")])
        }
        "AWS::Organizations::Policy" => {
            (K::OrganizationsPolicy, &[("Name", "name"), ("Type", "type"), ("TargetIds", "target_ids")])
        }
        "AWS::SSO::PermissionSet" => (
            K::PermissionSet,
            &[
                ("Name", "name"),
                ("SessionDuration", "session_duration"),
                ("ManagedPolicies", "managed_policies"),
                ("PermissionsBoundary", "permissions_boundary"),
            ],
        ),
        "AWS::CloudTrail::Trail" => (
            K::CloudTrail,
            &[
                ("TrailName", "name"),
                ("IsMultiRegionTrail", "is_multi_region_trail"),
                ("EnableLogFileValidation", "enable_log_file_validation"),
                ("KMSKeyId", "kms_key_id"),
                ("IsLogging", "enable_logging"),
                ("IsOrganizationTrail", "is_organization_trail"),
                ("S3BucketName", "s3_bucket_name"),
                ("CloudWatchLogsLogGroupArn", "cloud_watch_logs_group_arn"),
                ("IncludeGlobalServiceEvents", "include_global_service_events"),
                ("CloudWatchLogsRoleArn", "cloud_watch_logs_role_arn"),
                ("InsightSelectors", "insight_selector"),
            ],
        ),
        "AWS::AccessAnalyzer::Analyzer" => (K::AccessAnalyzer, &[("AnalyzerName", "analyzer_name"), ("Type", "type")]),
        "AWS::GuardDuty::Detector" => (
            K::GuardDutyDetector,
            &[("Enable", "enable"), ("FindingPublishingFrequency", "finding_publishing_frequency")],
        ),
        "AWS::Config::ConfigurationRecorder" => (
            K::ConfigRecorder,
            &[
                ("Name", "name"),
                ("RoleARN", "role_arn"),
                ("RecordingGroup.AllSupported", "all_supported"),
                ("RecordingGroup.IncludeGlobalResourceTypes", "include_global_resource_types"),
            ],
        ),
        "AWS::Config::DeliveryChannel" => {
            (K::ConfigDeliveryChannel, &[("Name", "name"), ("S3BucketName", "s3_bucket_name")])
        }
        "AWS::Config::ConfigRule" => (
            K::ConfigRule,
            &[
                ("ConfigRuleName", "name"),
                ("Source.SourceIdentifier", "source_identifier"),
                ("InputParameters", "input_parameters"),
            ],
        ),
        "AWS::Config::ConformancePack" => {
            (K::ConfigConformancePack, &[("ConformancePackName", "name"), ("TemplateBody", "template_body")])
        }
        "AWS::SecurityHub::Hub" => (K::SecurityHub, &[("EnableDefaultStandards", "enable_default_standards")]),
        "AWS::S3::Bucket" => (
            K::S3Bucket,
            &[
                ("BucketName", "bucket"),
                ("AccessControl", "acl"),
                ("ObjectLockEnabled", "object_lock_enabled"),
                ("VersioningConfiguration.Status", "versioning_status"),
                ("LoggingConfiguration", "logging"),
                ("LifecycleConfiguration.Rules", "rule"),
                ("PublicAccessBlockConfiguration", "public_access_block"),
            ],
        ),
        "AWS::S3::BucketPolicy" => (K::S3BucketPolicy, &[("Bucket", "bucket")]),
        "AWS::Events::Rule" => (K::EventRule, &[("Name", "name"), ("EventPattern", "event_pattern")]),
        "AWS::EC2::FlowLog" => (
            K::FlowLog,
            &[("ResourceId", "vpc_id"), ("TrafficType", "traffic_type"), ("LogDestination", "log_destination")],
        ),
        "AWS::Organizations::OrganizationalUnit" => {
            (K::OrganizationalUnit, &[("Name", "name"), ("ParentId", "parent_id")])
        }
        "AWS::Logs::LogGroup" => (
            K::LogGroup,
            &[("LogGroupName", "name"), ("RetentionInDays", "retention_in_days"), ("KmsKeyId", "kms_key_id")],
        ),
        "AWS::Logs::MetricFilter" => {
            (K::LogMetricFilter, &[("LogGroupName", "log_group_name"), ("FilterPattern", "pattern")])
        }
        "AWS::CloudWatch::Alarm" => {
            (K::MetricAlarm, &[("AlarmName", "alarm_name"), ("MetricName", "metric_name"), ("Namespace", "namespace")])
        }
        // `PendingWindowInDays` is CloudFormation's name for the deletion window.
        "AWS::KMS::Key" => (
            K::KmsKey,
            &[("EnableKeyRotation", "enable_key_rotation"), ("PendingWindowInDays", "deletion_window_in_days")],
        ),
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => {
            (K::Compute, &[("Role", "role"), ("Environment.Variables", "environment_variables")])
        }
        "AWS::Serverless::StateMachine" => (K::Compute, &[("Role", "role")]),
        "AWS::StepFunctions::StateMachine" => (K::Compute, &[("RoleArn", "role")]),
        "AWS::EC2::Instance" => {
            (K::Compute, &[("IamInstanceProfile", "iam_instance_profile"), ("UserData", "user_data")])
        }
        "AWS::ECS::TaskDefinition" => (
            K::Compute,
            &[
                ("TaskRoleArn", "task_role_arn"),
                ("ExecutionRoleArn", "execution_role_arn"),
                ("ContainerDefinitions", "container_definitions"),
            ],
        ),
        "AWS::SSM::Parameter" => (K::SsmParameter, &[("Type", "type"), ("Value", "value")]),
        _ => return None,
    })
}

/// The entity of one resource, when its type is one the rules know about.
pub(crate) fn entity(
    template: &Template<'_>,
    id: &Tree,
    resource: &Tree,
    ty: &str,
    properties: Option<&Tree>,
) -> Option<Entity> {
    let (kind, names) = mapping(ty)?;
    let address = id.as_str()?.to_owned();
    let mut attributes = Vec::new();
    if let Some(properties) = properties {
        for (path, name) in names {
            let Some((key, value)) = property(properties, path) else { continue };
            let Some(value) = template.lower(value, 1) else { continue };
            attributes.push(Attribute { name: (*name).to_owned(), key_span: template.span(&key.span), value });
        }
    }
    let conditional = resource.get("Condition").map(|condition| match condition.as_str() {
        Some(name) => format!("created only when condition `{name}` is true"),
        None => "created only under a condition".to_owned(),
    });
    Some(Entity {
        kind,
        address,
        resource_type: ty.to_owned(),
        span: template.span(&id.span),
        extent: template.span(&(id.span.start..resource.span.end.max(id.span.end))),
        attributes,
        conditional,
    })
}

/// The entities of a template's `Parameters` and `Outputs` sections: what is passed in (with
/// `Type`, `Default` and `NoEcho`, read as written, since a default is what a `Ref` without
/// arguments resolves to) and what is exported (`Value`).
pub(crate) fn section_entities(template: &Template<'_>, root: &Tree) -> Vec<Entity> {
    /// A section, the kind and pseudo type of its entries, and their `(property, name)` pairs.
    type Section = (&'static str, EntityKind, &'static str, &'static [(&'static str, &'static str)]);
    let sections: [Section; 2] = [
        (
            "Parameters",
            EntityKind::TemplateParameter,
            "AWS::CloudFormation::Parameter",
            &[("Type", "type"), ("Default", "default"), ("NoEcho", "no_echo")],
        ),
        ("Outputs", EntityKind::Output, "AWS::CloudFormation::Output", &[("Value", "value")]),
    ];
    let mut entities = Vec::new();
    for (section, kind, resource_type, names) in sections {
        let Some(entries) = root.get(section) else { continue };
        for (id, definition) in entries.entries() {
            let Some(address) = id.as_str() else { continue };
            let mut attributes = Vec::new();
            for (path, name) in names {
                let Some((key, value)) = property(definition, path) else { continue };
                let Some(value) = template.lower(value, 1) else { continue };
                attributes.push(Attribute { name: (*name).to_owned(), key_span: template.span(&key.span), value });
            }
            entities.push(Entity {
                kind,
                address: address.to_owned(),
                resource_type: resource_type.to_owned(),
                span: template.span(&id.span),
                extent: template.span(&(id.span.start..definition.span.end.max(id.span.end))),
                attributes,
                conditional: definition.get("Condition").map(|_| "exported only under a condition".to_owned()),
            });
        }
    }
    entities
}

/// The role SAM generates for a function or state machine without `Role`: `<LogicalId>Role`,
/// with the managed policies of `Policies` and the `PermissionsBoundary`
/// (<https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources-function.html>).
pub(crate) fn generated_role(
    template: &Template<'_>,
    id: &Tree,
    resource: &Tree,
    managed: Vec<Node>,
    boundary: Option<(&Tree, &Tree)>,
) -> Option<Entity> {
    let function = id.as_str()?;
    let span = template.span(&id.span);
    let mut attributes = Vec::new();
    if !managed.is_empty() {
        let list_span = managed.first().map_or(span, |node| node.span);
        attributes.push(Attribute {
            name: "managed_policy_arns".to_owned(),
            key_span: list_span,
            value: Node::new(list_span, NodeKind::Array(managed)),
        });
    }
    if let Some((key, value)) = boundary
        && let Some(value) = template.lower(value, 1)
    {
        attributes.push(Attribute {
            name: "permissions_boundary".to_owned(),
            key_span: template.span(&key.span),
            value,
        });
    }
    Some(Entity {
        kind: EntityKind::Role,
        address: format!("{function}Role"),
        resource_type: "AWS::IAM::Role".to_owned(),
        span,
        extent: template.span(&(id.span.start..resource.span.end.max(id.span.end))),
        attributes,
        conditional: resource
            .get("Condition")
            .and_then(Tree::as_str)
            .map(|name| format!("created only when condition `{name}` is true")),
    })
}

/// The `role` attribute of a SAM function that uses its generated role: a reference to it.
pub(crate) fn generated_role_reference(function: &str, span: Span) -> Attribute {
    let reason = format!("the role SAM generates for `{function}`");
    let reference = Reference { entity: format!("{function}Role"), attribute: "Arn".to_owned() };
    Attribute {
        name: "role".to_owned(),
        key_span: span,
        value: Node::new(span, NodeKind::String(Value::Unknown(Unknown::referring(reason, reference)))),
    }
}

/// The key and value at a dotted property path.
fn property<'a>(properties: &'a Tree, path: &str) -> Option<(&'a Tree, &'a Tree)> {
    let mut current = properties;
    let mut found = None;
    for part in path.split('.') {
        let (key, value) = current.entries().iter().find(|(key, _)| key.as_str() == Some(part))?;
        found = Some((key, value));
        current = value;
    }
    found
}
