//! The Terraform resource types that become inventory entities, with the provider arguments each
//! canonical attribute is read from, shared by the `.tf` reader and the plan reader.
//!
//! SOURCE: argument and block names are those of the Terraform AWS provider's resource pages,
//! <https://registry.terraform.io/providers/hashicorp/aws/latest/docs> (provider 5.x), e.g.
//! `r/iam_role`, `r/cloudtrail`, `r/config_configuration_recorder`, `r/lambda_permission`.

use rein_model::EntityKind;

/// How an argument is written in the resource body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// An argument (`name = …`), possibly inside nested blocks (see [`AttributeSpec::path`]).
    Value,
    /// A nested block that appears at most once; it becomes an object.
    Block,
    /// A nested block that may repeat; it becomes a list of objects, even when written once,
    /// so that one rule reads one shape (a plan renders every block as a list).
    Blocks,
}

/// Where one canonical attribute comes from.
#[derive(Clone, Copy, Debug)]
pub struct AttributeSpec {
    /// The canonical name (see [`EntityKind`]).
    pub name: &'static str,
    /// The provider's argument, after the nested blocks it sits in: `["role_name"]`,
    /// `["source", "source_identifier"]`. For [`Shape::Block`] and [`Shape::Blocks`], the block.
    pub path: &'static [&'static str],
    pub shape: Shape,
}

/// One resource type of the inventory.
#[derive(Debug)]
pub struct EntityType {
    pub resource: &'static str,
    pub kind: EntityKind,
    pub attributes: &'static [AttributeSpec],
}

/// An argument read under its own name.
const fn arg(name: &'static str, path: &'static [&'static str]) -> AttributeSpec {
    AttributeSpec { name, path, shape: Shape::Value }
}

const fn block(name: &'static str, path: &'static [&'static str]) -> AttributeSpec {
    AttributeSpec { name, path, shape: Shape::Block }
}

const fn blocks(name: &'static str, path: &'static [&'static str]) -> AttributeSpec {
    AttributeSpec { name, path, shape: Shape::Blocks }
}

const fn entity(resource: &'static str, kind: EntityKind, attributes: &'static [AttributeSpec]) -> EntityType {
    EntityType { resource, kind, attributes }
}

const INLINE_EXCLUSIVE_ROLE: &[AttributeSpec] = &[arg("role", &["role_name"]), arg("policy_names", &["policy_names"])];
const INLINE_EXCLUSIVE_USER: &[AttributeSpec] = &[arg("user", &["user_name"]), arg("policy_names", &["policy_names"])];
const INLINE_EXCLUSIVE_GROUP: &[AttributeSpec] =
    &[arg("group", &["group_name"]), arg("policy_names", &["policy_names"])];
const PASSWORD_POLICY: &[AttributeSpec] = &[
    arg("minimum_password_length", &["minimum_password_length"]),
    arg("require_lowercase_characters", &["require_lowercase_characters"]),
    arg("require_numbers", &["require_numbers"]),
    arg("require_uppercase_characters", &["require_uppercase_characters"]),
    arg("require_symbols", &["require_symbols"]),
    arg("allow_users_to_change_password", &["allow_users_to_change_password"]),
    arg("max_password_age", &["max_password_age"]),
    arg("password_reuse_prevention", &["password_reuse_prevention"]),
    arg("hard_expiry", &["hard_expiry"]),
];
const CLOUDTRAIL: &[AttributeSpec] = &[
    arg("name", &["name"]),
    arg("is_multi_region_trail", &["is_multi_region_trail"]),
    arg("enable_log_file_validation", &["enable_log_file_validation"]),
    arg("kms_key_id", &["kms_key_id"]),
    arg("enable_logging", &["enable_logging"]),
    arg("is_organization_trail", &["is_organization_trail"]),
    arg("s3_bucket_name", &["s3_bucket_name"]),
    arg("cloud_watch_logs_group_arn", &["cloud_watch_logs_group_arn"]),
    arg("include_global_service_events", &["include_global_service_events"]),
    blocks("event_selector", &["event_selector"]),
    blocks("advanced_event_selector", &["advanced_event_selector"]),
    arg("cloud_watch_logs_role_arn", &["cloud_watch_logs_role_arn"]),
    blocks("insight_selector", &["insight_selector"]),
];
const PUBLIC_ACCESS_FLAGS: [AttributeSpec; 4] = [
    arg("block_public_acls", &["block_public_acls"]),
    arg("block_public_policy", &["block_public_policy"]),
    arg("ignore_public_acls", &["ignore_public_acls"]),
    arg("restrict_public_buckets", &["restrict_public_buckets"]),
];
const BUCKET_PUBLIC_ACCESS: &[AttributeSpec] = &[
    arg("bucket", &["bucket"]),
    PUBLIC_ACCESS_FLAGS[0],
    PUBLIC_ACCESS_FLAGS[1],
    PUBLIC_ACCESS_FLAGS[2],
    PUBLIC_ACCESS_FLAGS[3],
];

/// Every resource type that becomes an entity, in no particular order.
pub const ENTITY_TYPES: &[EntityType] = &[
    // Principals and their policies.
    entity(
        "aws_iam_role",
        EntityKind::Role,
        &[
            arg("name", &["name"]),
            arg("path", &["path"]),
            arg("managed_policy_arns", &["managed_policy_arns"]),
            arg("permissions_boundary", &["permissions_boundary"]),
            arg("max_session_duration", &["max_session_duration"]),
            arg("tags", &["tags"]),
        ],
    ),
    entity(
        "aws_iam_user",
        EntityKind::User,
        &[arg("name", &["name"]), arg("path", &["path"]), arg("permissions_boundary", &["permissions_boundary"])],
    ),
    entity("aws_iam_group", EntityKind::Group, &[arg("name", &["name"]), arg("path", &["path"])]),
    entity("aws_iam_policy", EntityKind::ManagedPolicy, &[arg("name", &["name"]), arg("path", &["path"])]),
    entity("aws_iam_role_policy", EntityKind::InlinePolicy, &[arg("name", &["name"]), arg("role", &["role"])]),
    entity("aws_iam_user_policy", EntityKind::InlinePolicy, &[arg("name", &["name"]), arg("user", &["user"])]),
    entity("aws_iam_group_policy", EntityKind::InlinePolicy, &[arg("name", &["name"]), arg("group", &["group"])]),
    entity("aws_iam_role_policies_exclusive", EntityKind::InlinePolicy, INLINE_EXCLUSIVE_ROLE),
    entity("aws_iam_user_policies_exclusive", EntityKind::InlinePolicy, INLINE_EXCLUSIVE_USER),
    entity("aws_iam_group_policies_exclusive", EntityKind::InlinePolicy, INLINE_EXCLUSIVE_GROUP),
    entity(
        "aws_iam_role_policy_attachment",
        EntityKind::PolicyAttachment,
        &[arg("role", &["role"]), arg("policy_arn", &["policy_arn"])],
    ),
    entity(
        "aws_iam_user_policy_attachment",
        EntityKind::PolicyAttachment,
        &[arg("user", &["user"]), arg("policy_arn", &["policy_arn"])],
    ),
    entity(
        "aws_iam_group_policy_attachment",
        EntityKind::PolicyAttachment,
        &[arg("group", &["group"]), arg("policy_arn", &["policy_arn"])],
    ),
    entity(
        "aws_iam_policy_attachment",
        EntityKind::PolicyAttachment,
        &[
            arg("name", &["name"]),
            arg("policy_arn", &["policy_arn"]),
            arg("roles", &["roles"]),
            arg("users", &["users"]),
            arg("groups", &["groups"]),
        ],
    ),
    entity(
        "aws_iam_role_policy_attachments_exclusive",
        EntityKind::PolicyAttachment,
        &[arg("role", &["role_name"]), arg("policy_arns", &["policy_arns"])],
    ),
    entity(
        "aws_iam_user_policy_attachments_exclusive",
        EntityKind::PolicyAttachment,
        &[arg("user", &["user_name"]), arg("policy_arns", &["policy_arns"])],
    ),
    entity(
        "aws_iam_group_policy_attachments_exclusive",
        EntityKind::PolicyAttachment,
        &[arg("group", &["group_name"]), arg("policy_arns", &["policy_arns"])],
    ),
    entity(
        "aws_iam_group_membership",
        EntityKind::GroupMembership,
        &[arg("name", &["name"]), arg("group", &["group"]), arg("users", &["users"])],
    ),
    entity(
        "aws_iam_user_group_membership",
        EntityKind::GroupMembership,
        &[arg("user", &["user"]), arg("groups", &["groups"])],
    ),
    // Credentials and account settings.
    entity(
        "aws_iam_access_key",
        EntityKind::AccessKey,
        &[arg("user", &["user"]), arg("status", &["status"]), arg("pgp_key", &["pgp_key"])],
    ),
    entity(
        "aws_iam_user_login_profile",
        EntityKind::LoginProfile,
        &[
            arg("user", &["user"]),
            arg("password_reset_required", &["password_reset_required"]),
            arg("password_length", &["password_length"]),
            arg("pgp_key", &["pgp_key"]),
        ],
    ),
    entity("aws_iam_account_password_policy", EntityKind::PasswordPolicy, PASSWORD_POLICY),
    entity(
        "aws_iam_instance_profile",
        EntityKind::InstanceProfile,
        &[arg("name", &["name"]), arg("path", &["path"]), arg("role", &["role"])],
    ),
    entity(
        "aws_iam_openid_connect_provider",
        EntityKind::OidcProvider,
        &[
            arg("url", &["url"]),
            arg("client_id_list", &["client_id_list"]),
            arg("thumbprint_list", &["thumbprint_list"]),
        ],
    ),
    entity(
        "aws_iam_saml_provider",
        EntityKind::SamlProvider,
        &[arg("name", &["name"]), arg("saml_metadata_document", &["saml_metadata_document"])],
    ),
    entity(
        "aws_iam_service_linked_role",
        EntityKind::ServiceLinkedRole,
        &[arg("aws_service_name", &["aws_service_name"]), arg("custom_suffix", &["custom_suffix"])],
    ),
    // Organizations and IAM Identity Center.
    entity(
        "aws_organizations_policy",
        EntityKind::OrganizationsPolicy,
        &[arg("name", &["name"]), arg("type", &["type"])],
    ),
    entity(
        "aws_organizations_policy_attachment",
        EntityKind::OrganizationsPolicyAttachment,
        &[arg("policy_id", &["policy_id"]), arg("target_id", &["target_id"])],
    ),
    entity(
        "aws_organizations_organization",
        EntityKind::Organization,
        &[
            arg("feature_set", &["feature_set"]),
            arg("aws_service_access_principals", &["aws_service_access_principals"]),
            arg("enabled_policy_types", &["enabled_policy_types"]),
        ],
    ),
    entity(
        "aws_organizations_organizational_unit",
        EntityKind::OrganizationalUnit,
        &[arg("name", &["name"]), arg("parent_id", &["parent_id"])],
    ),
    entity(
        "aws_iam_organizations_features",
        EntityKind::OrganizationsFeatures,
        &[arg("enabled_features", &["enabled_features"])],
    ),
    entity(
        "aws_ssoadmin_permission_set",
        EntityKind::PermissionSet,
        &[arg("name", &["name"]), arg("session_duration", &["session_duration"])],
    ),
    entity(
        "aws_ssoadmin_managed_policy_attachment",
        EntityKind::PermissionSetAttachment,
        &[arg("permission_set_arn", &["permission_set_arn"]), arg("managed_policy_arn", &["managed_policy_arn"])],
    ),
    entity(
        "aws_ssoadmin_customer_managed_policy_attachment",
        EntityKind::PermissionSetAttachment,
        &[
            arg("permission_set_arn", &["permission_set_arn"]),
            block("customer_managed_policy_reference", &["customer_managed_policy_reference"]),
        ],
    ),
    entity(
        "aws_ssoadmin_permissions_boundary_attachment",
        EntityKind::PermissionSetAttachment,
        &[arg("permission_set_arn", &["permission_set_arn"]), block("permissions_boundary", &["permissions_boundary"])],
    ),
    // The account baseline.
    entity("aws_cloudtrail", EntityKind::CloudTrail, CLOUDTRAIL),
    entity(
        "aws_accessanalyzer_analyzer",
        EntityKind::AccessAnalyzer,
        &[arg("analyzer_name", &["analyzer_name"]), arg("type", &["type"])],
    ),
    entity(
        "aws_guardduty_detector",
        EntityKind::GuardDutyDetector,
        &[arg("enable", &["enable"]), arg("finding_publishing_frequency", &["finding_publishing_frequency"])],
    ),
    entity(
        "aws_config_configuration_recorder",
        EntityKind::ConfigRecorder,
        &[
            arg("name", &["name"]),
            arg("role_arn", &["role_arn"]),
            arg("all_supported", &["recording_group", "all_supported"]),
            arg("include_global_resource_types", &["recording_group", "include_global_resource_types"]),
            block("recording_group", &["recording_group"]),
        ],
    ),
    entity(
        "aws_config_configuration_recorder_status",
        EntityKind::ConfigRecorderStatus,
        &[arg("name", &["name"]), arg("is_enabled", &["is_enabled"])],
    ),
    entity(
        "aws_config_delivery_channel",
        EntityKind::ConfigDeliveryChannel,
        &[arg("name", &["name"]), arg("s3_bucket_name", &["s3_bucket_name"])],
    ),
    entity(
        "aws_config_config_rule",
        EntityKind::ConfigRule,
        &[
            arg("name", &["name"]),
            arg("source_identifier", &["source", "source_identifier"]),
            arg("input_parameters", &["input_parameters"]),
        ],
    ),
    entity(
        "aws_config_conformance_pack",
        EntityKind::ConfigConformancePack,
        &[arg("name", &["name"]), arg("template_body", &["template_body"])],
    ),
    entity(
        "aws_securityhub_account",
        EntityKind::SecurityHub,
        &[arg("enable_default_standards", &["enable_default_standards"])],
    ),
    entity(
        "aws_securityhub_standards_subscription",
        EntityKind::SecurityHubStandard,
        &[arg("standards_arn", &["standards_arn"])],
    ),
    entity(
        "aws_account_alternate_contact",
        EntityKind::AlternateContact,
        &[
            arg("alternate_contact_type", &["alternate_contact_type"]),
            arg("email_address", &["email_address"]),
            arg("name", &["name"]),
            arg("phone_number", &["phone_number"]),
        ],
    ),
    entity("aws_s3_account_public_access_block", EntityKind::S3AccountPublicAccessBlock, &PUBLIC_ACCESS_FLAGS),
    entity(
        "aws_s3_bucket",
        EntityKind::S3Bucket,
        &[
            arg("bucket", &["bucket"]),
            arg("acl", &["acl"]),
            arg("object_lock_enabled", &["object_lock_enabled"]),
            block("versioning", &["versioning"]),
            block("logging", &["logging"]),
            blocks("lifecycle_rule", &["lifecycle_rule"]),
        ],
    ),
    entity("aws_s3_bucket_policy", EntityKind::S3BucketPolicy, &[arg("bucket", &["bucket"])]),
    entity("aws_s3_bucket_acl", EntityKind::S3BucketAcl, &[arg("bucket", &["bucket"]), arg("acl", &["acl"])]),
    entity(
        "aws_s3_bucket_lifecycle_configuration",
        EntityKind::S3BucketLifecycle,
        &[arg("bucket", &["bucket"]), blocks("rule", &["rule"])],
    ),
    entity(
        "aws_s3_bucket_object_lock_configuration",
        EntityKind::S3BucketObjectLock,
        &[arg("bucket", &["bucket"]), arg("object_lock_enabled", &["object_lock_enabled"]), block("rule", &["rule"])],
    ),
    entity("aws_s3_bucket_public_access_block", EntityKind::S3BucketPublicAccessBlock, BUCKET_PUBLIC_ACCESS),
    entity(
        "aws_s3_bucket_versioning",
        EntityKind::S3BucketVersioning,
        &[
            arg("bucket", &["bucket"]),
            arg("status", &["versioning_configuration", "status"]),
            arg("mfa_delete", &["versioning_configuration", "mfa_delete"]),
        ],
    ),
    entity(
        "aws_s3_bucket_logging",
        EntityKind::S3BucketLogging,
        &[
            arg("bucket", &["bucket"]),
            arg("target_bucket", &["target_bucket"]),
            arg("target_prefix", &["target_prefix"]),
        ],
    ),
    entity(
        "aws_cloudwatch_log_metric_filter",
        EntityKind::LogMetricFilter,
        &[
            arg("name", &["name"]),
            arg("log_group_name", &["log_group_name"]),
            arg("pattern", &["pattern"]),
            block("metric_transformation", &["metric_transformation"]),
        ],
    ),
    entity(
        "aws_cloudwatch_metric_alarm",
        EntityKind::MetricAlarm,
        &[
            arg("alarm_name", &["alarm_name"]),
            arg("metric_name", &["metric_name"]),
            arg("namespace", &["namespace"]),
            arg("alarm_actions", &["alarm_actions"]),
        ],
    ),
    entity(
        "aws_cloudwatch_log_group",
        EntityKind::LogGroup,
        &[arg("name", &["name"]), arg("retention_in_days", &["retention_in_days"]), arg("kms_key_id", &["kms_key_id"])],
    ),
    entity(
        "aws_cloudwatch_event_rule",
        EntityKind::EventRule,
        &[arg("name", &["name"]), arg("event_pattern", &["event_pattern"])],
    ),
    entity(
        "aws_kms_key",
        EntityKind::KmsKey,
        &[
            arg("enable_key_rotation", &["enable_key_rotation"]),
            arg("deletion_window_in_days", &["deletion_window_in_days"]),
            arg("customer_master_key_spec", &["customer_master_key_spec"]),
        ],
    ),
    // Controls of the account baseline that are not IAM.
    entity("aws_ebs_encryption_by_default", EntityKind::EbsEncryptionByDefault, &[arg("enabled", &["enabled"])]),
    entity("aws_default_vpc", EntityKind::DefaultVpc, &[]),
    entity(
        "aws_default_security_group",
        EntityKind::DefaultSecurityGroup,
        &[arg("vpc_id", &["vpc_id"]), blocks("ingress", &["ingress"]), blocks("egress", &["egress"])],
    ),
    entity(
        "aws_default_network_acl",
        EntityKind::DefaultNetworkAcl,
        &[
            arg("default_network_acl_id", &["default_network_acl_id"]),
            blocks("ingress", &["ingress"]),
            blocks("egress", &["egress"]),
        ],
    ),
    entity(
        "aws_flow_log",
        EntityKind::FlowLog,
        &[
            arg("vpc_id", &["vpc_id"]),
            arg("traffic_type", &["traffic_type"]),
            arg("log_destination", &["log_destination"]),
        ],
    ),
    // Compute that runs with a role.
    entity(
        "aws_lambda_function",
        EntityKind::Compute,
        &[arg("role", &["role"]), arg("environment_variables", &["environment", "variables"])],
    ),
    entity(
        "aws_instance",
        EntityKind::Compute,
        &[arg("iam_instance_profile", &["iam_instance_profile"]), arg("user_data", &["user_data"])],
    ),
    entity(
        "aws_launch_template",
        EntityKind::Compute,
        &[block("iam_instance_profile", &["iam_instance_profile"]), arg("user_data", &["user_data"])],
    ),
    entity(
        "aws_ecs_task_definition",
        EntityKind::Compute,
        &[
            arg("task_role_arn", &["task_role_arn"]),
            arg("execution_role_arn", &["execution_role_arn"]),
            arg("container_definitions", &["container_definitions"]),
        ],
    ),
    entity(
        "aws_ssm_parameter",
        EntityKind::SsmParameter,
        &[arg("type", &["type"]), arg("value", &["value"]), arg("insecure_value", &["insecure_value"])],
    ),
    // A grant in a function's resource policy; see `EntityKind::LambdaPermission` for why it is
    // an entity and not a synthetic document.
    entity(
        "aws_lambda_permission",
        EntityKind::LambdaPermission,
        &[
            arg("function_name", &["function_name"]),
            arg("action", &["action"]),
            arg("principal", &["principal"]),
            arg("source_arn", &["source_arn"]),
            arg("source_account", &["source_account"]),
            arg("principal_org_id", &["principal_org_id"]),
            arg("function_url_auth_type", &["function_url_auth_type"]),
        ],
    ),
];

/// Top-level blocks other than resources that become entities, keyed by their keyword: the
/// AWS provider's configuration (`r/` pages aside, see the provider's index page for
/// `access_key`, `secret_key`, `token`, and `region` and `alias`, which say where a provider
/// creates resources) and `output` blocks.
pub const BLOCK_TYPES: &[EntityType] = &[
    entity(
        "provider",
        EntityKind::Provider,
        &[
            arg("access_key", &["access_key"]),
            arg("secret_key", &["secret_key"]),
            arg("token", &["token"]),
            arg("region", &["region"]),
            arg("alias", &["alias"]),
        ],
    ),
    entity("output", EntityKind::Output, &[arg("value", &["value"]), arg("sensitive", &["sensitive"])]),
];

/// The entity type of a top-level block keyword (`provider`, `output`), when it is one.
pub fn block_entity_type(keyword: &str) -> Option<&'static EntityType> {
    BLOCK_TYPES.iter().find(|entry| entry.resource == keyword)
}

/// The entity type of a Terraform resource type, when it is one the inventory holds.
pub fn entity_type(resource: &str) -> Option<&'static EntityType> {
    ENTITY_TYPES.iter().find(|entry| entry.resource == resource)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn resource_types_are_unique_and_paths_are_not_empty() {
        let mut seen = BTreeSet::new();
        for entry in ENTITY_TYPES {
            assert!(seen.insert(entry.resource), "{} is listed twice", entry.resource);
            let mut names = BTreeSet::new();
            for spec in entry.attributes {
                assert!(!spec.path.is_empty(), "{}.{} has no path", entry.resource, spec.name);
                assert!(names.insert(spec.name), "{}.{} is listed twice", entry.resource, spec.name);
                // A block is read as a whole; only arguments sit inside blocks.
                assert!(spec.shape == Shape::Value || spec.path.len() == 1, "{}.{}", entry.resource, spec.name);
            }
        }
        assert_eq!(entity_type("aws_iam_role").map(|entry| entry.kind), Some(EntityKind::Role));
        assert!(entity_type("aws_vpc").is_none());
    }
}
