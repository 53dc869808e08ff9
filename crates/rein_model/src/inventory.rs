//! The inventory of IaC entities: roles, users, groups, attachments, credentials, account
//! settings, organisation policies, the baseline services, and module calls.
//!
//! Policy documents are kept in [`crate::PolicyDocument`]; an entity here is the resource around
//! them (or next to them) with its attributes, so that configuration-scope rules can answer
//! "which policies reach this role", "is there a multi-region trail", "which users have keys".
//!
//! Attribute names are canonical snake_case names, the same for every frontend (the Terraform
//! frontend uses the provider's argument names; the CloudFormation frontend maps its property
//! names onto them, see [`EntityKind`] for the names each kind uses). Values are the
//! syntax-neutral [`Node`] tree, so a value may be partly known or unknown, and keeps its span.

use rein_text::Span;

use crate::tree::{Node, NodeKind};
use crate::value::{Reference, Value};

/// What an entity is. The canonical attribute names each kind may carry are listed on the variant;
/// an attribute that the source does not set is absent (defaults are the rules' business).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    /// `name`, `path`, `managed_policy_arns` (list), `permissions_boundary`, `max_session_duration`,
    /// `tags` (an object in Terraform; a list of `Key`/`Value` objects in CloudFormation).
    /// The trust policy and inline policies are documents owned by the role's address.
    Role,
    /// `name`, `path`, `managed_policy_arns`, `permissions_boundary`, `groups` (list),
    /// `login_profile` (CFN's embedded `LoginProfile`: `password_reset_required`).
    User,
    /// `name`, `path`, `managed_policy_arns`.
    Group,
    /// A managed policy (`aws_iam_policy`, `AWS::IAM::ManagedPolicy`): `name`, `path`, and for
    /// CloudFormation the principals it is attached to: `roles`, `users`, `groups` (lists).
    ManagedPolicy,
    /// An inline policy resource (`aws_iam_role_policy`, `AWS::IAM::Policy`): `name`, and the
    /// principal(s) it belongs to: `role`, `user`, `group` (single) or `roles`, `users`, `groups`.
    /// `aws_iam_role_policies_exclusive` (and its user and group variants) carries `role`/`user`/
    /// `group` and `policy_names`: the complete list of the principal's inline policies.
    InlinePolicy,
    /// A managed policy attached to principals: `policy_arn`, and `role`/`user`/`group` (single)
    /// or `roles`/`users`/`groups` (lists, `aws_iam_policy_attachment`, which is exclusive).
    /// `aws_iam_role_policy_attachments_exclusive` (and its user and group variants) carries
    /// `role`/`user`/`group` and `policy_arns`: the complete list of the principal's managed
    /// policies.
    PolicyAttachment,
    /// Users in a group, or groups of a user: `group`, `groups`, `user`, `users`.
    GroupMembership,
    /// `user`, `status` (`Active`/`Inactive`), `pgp_key`.
    AccessKey,
    /// `user`, `password_reset_required`, `password_length`, `pgp_key`.
    LoginProfile,
    /// `minimum_password_length`, `require_lowercase_characters`, `require_numbers`,
    /// `require_uppercase_characters`, `require_symbols`, `allow_users_to_change_password`,
    /// `max_password_age`, `password_reuse_prevention`, `hard_expiry`.
    PasswordPolicy,
    /// `name`, `role` (single) or `roles` (list).
    InstanceProfile,
    /// `url`, `client_id_list`, `thumbprint_list`.
    OidcProvider,
    /// `name`, `saml_metadata_document`.
    SamlProvider,
    /// `aws_service_name`, `custom_suffix`.
    ServiceLinkedRole,
    /// An organisations policy: `name`, `type` (`SERVICE_CONTROL_POLICY`, …), `target_ids`.
    OrganizationsPolicy,
    /// `policy_id`, `target_id`.
    OrganizationsPolicyAttachment,
    /// The organisation itself: `feature_set`, `aws_service_access_principals`,
    /// `enabled_policy_types`.
    Organization,
    /// An organizational unit: `name`, `parent_id`.
    OrganizationalUnit,
    /// Centralised root access for member accounts (`aws_iam_organizations_features`):
    /// `enabled_features` (`RootCredentialsManagement`, `RootSessions`).
    OrganizationsFeatures,
    /// An SSO permission set: `name`, `session_duration`, `managed_policies` (list),
    /// `permissions_boundary`.
    PermissionSet,
    /// A managed or customer managed policy, or a boundary, attached to a permission set:
    /// `permission_set_arn`, `managed_policy_arn`, `customer_managed_policy_reference`,
    /// `permissions_boundary`.
    PermissionSetAttachment,
    /// `name`, `is_multi_region_trail`, `enable_log_file_validation`, `kms_key_id`,
    /// `enable_logging`, `is_organization_trail`, `s3_bucket_name`, `cloud_watch_logs_group_arn`,
    /// `include_global_service_events`, `cloud_watch_logs_role_arn`, and the selector blocks as
    /// the provider writes them: `event_selector`, `advanced_event_selector`, `insight_selector`
    /// (lists of objects).
    CloudTrail,
    /// IAM Access Analyzer: `analyzer_name`, `type` (`ACCOUNT`, `ORGANIZATION`, …).
    AccessAnalyzer,
    /// `enable`, `finding_publishing_frequency`.
    GuardDutyDetector,
    /// `name`, `role_arn`, `all_supported`, `include_global_resource_types`, and the whole
    /// `recording_group` object (exclusions, recording strategy).
    ConfigRecorder,
    /// `name`, `is_enabled`.
    ConfigRecorderStatus,
    /// `name`, `s3_bucket_name`.
    ConfigDeliveryChannel,
    /// `name`, `source_identifier` (the managed rule identifier, e.g. `IAM_PASSWORD_POLICY`),
    /// `input_parameters` (JSON text).
    ConfigRule,
    /// A Config conformance pack: `name`, `template_body` (the pack's rules as YAML text).
    ConfigConformancePack,
    /// `enable_default_standards`.
    SecurityHub,
    /// `standards_arn`.
    SecurityHubStandard,
    /// `alternate_contact_type`, `email_address`, `name`, `phone_number`.
    AlternateContact,
    /// Account-level S3 Block Public Access: `block_public_acls`, `block_public_policy`,
    /// `ignore_public_acls`, `restrict_public_buckets`.
    S3AccountPublicAccessBlock,
    /// `bucket`, `acl`, `object_lock_enabled`; the bucket's policy is a document owned by its
    /// address. Terraform's legacy inline blocks are kept as objects: `versioning` (`enabled`,
    /// `mfa_delete`), `logging` (`target_bucket`, `target_prefix`), and `lifecycle_rule` (a list
    /// of objects with `expiration`, `noncurrent_version_expiration`). CloudFormation's
    /// `VersioningConfiguration.Status` is `versioning_status`, its `LoggingConfiguration` is
    /// `logging` (`destination_bucket_name`), its `LifecycleConfiguration.Rules` are `rule`
    /// (objects with `ExpirationInDays`, `NoncurrentVersionExpiration`), its
    /// `PublicAccessBlockConfiguration` is `public_access_block` (an object of the four flags).
    S3Bucket,
    /// A bucket policy resource (`aws_s3_bucket_policy`, `AWS::S3::BucketPolicy`): `bucket`; the
    /// policy is a document owned by its address.
    S3BucketPolicy,
    /// The ACL of one bucket (`aws_s3_bucket_acl`): `bucket`, `acl` (a canned ACL).
    S3BucketAcl,
    /// The lifecycle rules of one bucket (`aws_s3_bucket_lifecycle_configuration`): `bucket`,
    /// `rule` (a list of objects with `status`, `expiration`, `noncurrent_version_expiration`,
    /// `transition`).
    S3BucketLifecycle,
    /// Object Lock of one bucket (`aws_s3_bucket_object_lock_configuration`): `bucket`,
    /// `object_lock_enabled`, `rule`.
    S3BucketObjectLock,
    /// Block Public Access of one bucket: `bucket`, `block_public_acls`, `block_public_policy`,
    /// `ignore_public_acls`, `restrict_public_buckets`.
    S3BucketPublicAccessBlock,
    /// Versioning of one bucket: `bucket`, `status` (`Enabled`, `Suspended`, `Disabled`),
    /// `mfa_delete`.
    S3BucketVersioning,
    /// Server access logging of one bucket: `bucket`, `target_bucket`, `target_prefix`.
    S3BucketLogging,
    /// `log_group_name` (or `name`), `pattern`, `metric_transformation` (an object with the
    /// metric's `name` and `namespace`, which alarms refer to).
    LogMetricFilter,
    /// `alarm_name`, `metric_name`, `namespace`, `alarm_actions` (list).
    MetricAlarm,
    /// `name`, `retention_in_days`, `kms_key_id`.
    LogGroup,
    /// An EventBridge rule: `name`, `event_pattern` (JSON text).
    EventRule,
    /// `enable_key_rotation`, `deletion_window_in_days`, `customer_master_key_spec` (rotation
    /// applies to symmetric keys only).
    KmsKey,
    /// EBS encryption by default for one region: `enabled`.
    EbsEncryptionByDefault,
    /// The default VPC of a region (`aws_default_vpc`).
    DefaultVpc,
    /// The default security group of a VPC (`aws_default_security_group`): `vpc_id`, and the
    /// rule blocks `ingress`, `egress` (lists of objects).
    DefaultSecurityGroup,
    /// The default network ACL of a VPC (`aws_default_network_acl`): `default_network_acl_id`,
    /// and the rule blocks `ingress`, `egress` (lists of objects).
    DefaultNetworkAcl,
    /// VPC flow logs: `vpc_id`, `traffic_type`, `log_destination`.
    FlowLog,
    /// Compute that runs with a role: `role` (Lambda), `iam_instance_profile` (EC2; an object
    /// with `arn` or `name` in a launch template), `task_role_arn` / `execution_role_arn` (ECS).
    /// What the workload is started with: `user_data` (EC2), `environment_variables` (Lambda,
    /// an object), `container_definitions` (ECS: JSON text in Terraform, a list in
    /// CloudFormation).
    Compute,
    /// A grant in a Lambda function's resource policy (`aws_lambda_permission`,
    /// `AWS::Lambda::Permission`): `function_name`, `action`, `principal`, `source_arn`,
    /// `source_account`, `principal_org_id`, `function_url_auth_type`. It is one statement that
    /// the service writes into the function's policy, not a document the source spells out.
    LambdaPermission,
    /// The configuration of the Terraform AWS provider (`provider "aws"`): `access_key`,
    /// `secret_key`, `token`, `region`, `alias`.
    Provider,
    /// A value the configuration exports: a Terraform `output` block or an entry of a template's
    /// `Outputs`: `value`, `sensitive` (Terraform only).
    Output,
    /// A template parameter (CloudFormation `Parameters`): `type`, `default`, `no_echo`.
    TemplateParameter,
    /// An SSM parameter: `type` (`String`, `StringList`, `SecureString`), `value`,
    /// `insecure_value`.
    SsmParameter,
}

impl EntityKind {
    /// A short lowercase name for messages and dumps, e.g. `role`, `password-policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Role => "role",
            EntityKind::User => "user",
            EntityKind::Group => "group",
            EntityKind::ManagedPolicy => "managed-policy",
            EntityKind::InlinePolicy => "inline-policy",
            EntityKind::PolicyAttachment => "policy-attachment",
            EntityKind::GroupMembership => "group-membership",
            EntityKind::AccessKey => "access-key",
            EntityKind::LoginProfile => "login-profile",
            EntityKind::PasswordPolicy => "password-policy",
            EntityKind::InstanceProfile => "instance-profile",
            EntityKind::OidcProvider => "oidc-provider",
            EntityKind::SamlProvider => "saml-provider",
            EntityKind::ServiceLinkedRole => "service-linked-role",
            EntityKind::OrganizationsPolicy => "organizations-policy",
            EntityKind::OrganizationsPolicyAttachment => "organizations-policy-attachment",
            EntityKind::Organization => "organization",
            EntityKind::OrganizationalUnit => "organizational-unit",
            EntityKind::OrganizationsFeatures => "organizations-features",
            EntityKind::PermissionSet => "permission-set",
            EntityKind::PermissionSetAttachment => "permission-set-attachment",
            EntityKind::CloudTrail => "cloudtrail",
            EntityKind::AccessAnalyzer => "access-analyzer",
            EntityKind::GuardDutyDetector => "guardduty-detector",
            EntityKind::ConfigRecorder => "config-recorder",
            EntityKind::ConfigRecorderStatus => "config-recorder-status",
            EntityKind::ConfigDeliveryChannel => "config-delivery-channel",
            EntityKind::ConfigRule => "config-rule",
            EntityKind::ConfigConformancePack => "config-conformance-pack",
            EntityKind::SecurityHub => "security-hub",
            EntityKind::SecurityHubStandard => "security-hub-standard",
            EntityKind::AlternateContact => "alternate-contact",
            EntityKind::S3AccountPublicAccessBlock => "s3-account-public-access-block",
            EntityKind::S3Bucket => "s3-bucket",
            EntityKind::S3BucketPolicy => "s3-bucket-policy",
            EntityKind::S3BucketAcl => "s3-bucket-acl",
            EntityKind::S3BucketLifecycle => "s3-bucket-lifecycle",
            EntityKind::S3BucketObjectLock => "s3-bucket-object-lock",
            EntityKind::S3BucketPublicAccessBlock => "s3-bucket-public-access-block",
            EntityKind::S3BucketVersioning => "s3-bucket-versioning",
            EntityKind::S3BucketLogging => "s3-bucket-logging",
            EntityKind::LogMetricFilter => "log-metric-filter",
            EntityKind::MetricAlarm => "metric-alarm",
            EntityKind::LogGroup => "log-group",
            EntityKind::EventRule => "event-rule",
            EntityKind::KmsKey => "kms-key",
            EntityKind::EbsEncryptionByDefault => "ebs-encryption-by-default",
            EntityKind::DefaultVpc => "default-vpc",
            EntityKind::DefaultSecurityGroup => "default-security-group",
            EntityKind::DefaultNetworkAcl => "default-network-acl",
            EntityKind::FlowLog => "flow-log",
            EntityKind::Compute => "compute",
            EntityKind::LambdaPermission => "lambda-permission",
            EntityKind::Provider => "provider",
            EntityKind::Output => "output",
            EntityKind::TemplateParameter => "template-parameter",
            EntityKind::SsmParameter => "ssm-parameter",
        }
    }
}

/// One attribute of an entity, under its canonical name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Attribute {
    /// The canonical name (see [`EntityKind`]).
    pub name: String,
    /// The key as written in the source (`max_session_duration`, `MaxSessionDuration`).
    pub key_span: Span,
    pub value: Node,
}

/// One IaC resource that the rules know about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entity {
    pub kind: EntityKind,
    /// The resource's address: `aws_iam_role.ci`, `module.app.aws_iam_role.this`, `DeployRole`.
    /// Documents owned by the resource carry the same string in `DocumentOrigin::owner`.
    pub address: String,
    /// The IaC type as written: `aws_iam_role`, `AWS::IAM::Role`.
    pub resource_type: String,
    /// Where findings about the entity as a whole point: the block's type and name labels in
    /// Terraform, the logical id in CloudFormation.
    pub span: Span,
    /// The whole resource block or definition.
    pub extent: Span,
    pub attributes: Vec<Attribute>,
    /// Set when the resource may not exist: `count`/`for_each` not known, a CFN `Condition`;
    /// the text says why.
    pub conditional: Option<String>,
}

impl Entity {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|attr| attr.name == name)
    }

    /// The boolean value of an attribute, when it is a known boolean (or the string
    /// `"true"`/`"false"`, which both IaC languages accept).
    pub fn bool(&self, name: &str) -> Option<bool> {
        node_bool(&self.attribute(name)?.value)
    }

    /// The numeric value of an attribute, when it is known (a number or a numeric string).
    pub fn number(&self, name: &str) -> Option<f64> {
        node_number(&self.attribute(name)?.value)
    }

    /// The string value of an attribute, when it is a string (known or not).
    pub fn string(&self, name: &str) -> Option<&Value> {
        match &self.attribute(name)?.value.kind {
            NodeKind::String(value) => Some(value),
            _ => None,
        }
    }

    /// The items of a list attribute, or the attribute itself when it holds a single value.
    pub fn items(&self, name: &str) -> Vec<&Node> {
        match self.attribute(name) {
            Some(attr) => match &attr.value.kind {
                NodeKind::Array(items) => items.iter().collect(),
                NodeKind::Null => Vec::new(),
                _ => vec![&attr.value],
            },
            None => Vec::new(),
        }
    }

    /// The entities that an attribute refers to (`role = aws_iam_role.ci.name`, `!Ref Role`).
    pub fn references(&self, name: &str) -> Vec<&Reference> {
        self.items(name).into_iter().filter_map(node_reference).collect()
    }
}

/// The known boolean of a node.
pub fn node_bool(node: &Node) -> Option<bool> {
    match &node.kind {
        NodeKind::Bool(value) => Some(*value),
        NodeKind::String(Value::Known(text)) => match text.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The known number of a node.
pub fn node_number(node: &Node) -> Option<f64> {
    match &node.kind {
        NodeKind::Number(text) => text.parse().ok(),
        NodeKind::String(Value::Known(text)) => text.trim().parse().ok(),
        _ => None,
    }
}

/// The entity a node refers to, when it is (or contains) a reference.
pub fn node_reference(node: &Node) -> Option<&Reference> {
    match &node.kind {
        NodeKind::String(value) => value.reference(),
        NodeKind::Unknown(unknown) => unknown.reference.as_ref(),
        _ => None,
    }
}

/// A call of another module.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModuleCall {
    /// `module.network`, `module.app.module.db`.
    pub address: String,
    /// The `source` as written, e.g. `./modules/iam`, `nozaq/secure-baseline/aws`.
    pub source: String,
    pub version: Option<String>,
    /// The block's labels.
    pub span: Span,
    /// Whether the module's own code was read; `None` when it was, else the reason
    /// (a registry or git source, a directory that is not there).
    pub not_analysed: Option<String>,
    /// The arguments of the call, under their names as written.
    pub arguments: Vec<Attribute>,
}

/// Which findings a suppression silences.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SuppressionScope {
    /// Findings that start inside this range: the line a comment is on (or the line below a
    /// comment of its own), or the block or resource the suppression belongs to.
    Range(Span),
    /// Every finding in the file.
    File,
}

/// Which tool's syntax a suppression was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SuppressionSyntax {
    /// `# rein:ignore IAM101 reason`, or `Metadata: rein: ignore:` in CloudFormation.
    Rein,
    /// `#checkov:skip=CKV_AWS_1:reason`, or checkov metadata.
    Checkov,
    /// `#tfsec:ignore:aws-iam-no-policy-wildcards`.
    Tfsec,
    /// `#trivy:ignore:AVD-AWS-0057`.
    Trivy,
    /// `Metadata: cfn_nag: rules_to_suppress:`.
    CfnNag,
}

/// A request, written in the source, not to report some rules somewhere.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Suppression {
    /// The rule as written: our id or name, or an alias (a peer's id).
    pub rule: String,
    /// Why; a suppression without one is itself reported.
    pub reason: Option<String>,
    /// The comment or metadata entry.
    pub span: Span,
    pub scope: SuppressionScope,
    pub syntax: SuppressionSyntax,
}
