//! Facts about the Terraform AWS provider shared by the `.tf` reader (`rein_hcl`) and the plan
//! reader (`rein_tfplan`): the resource attributes that consume a policy document, and the kind
//! each gives it (RULES.md §0.2 S9).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod arns;

use rein_model::PolicyKind;

mod entities;

pub use entities::{AttributeSpec, BLOCK_TYPES, ENTITY_TYPES, EntityType, Shape, block_entity_type, entity_type};

/// One policy-bearing attribute.
pub struct Consumer {
    pub resource: &'static str,
    /// The nested block the attribute sits in, when it is not an argument of the resource
    /// itself: `aws_iam_role { inline_policy { policy = … } }`. The block may repeat; a plan
    /// renders it as a list of objects.
    pub block: Option<&'static str>,
    pub attribute: &'static str,
    kind: KindRule,
}

#[derive(Clone, Copy)]
enum KindRule {
    Identity,
    Trust,
    /// A resource policy; the service is the action prefix the policy may grant.
    Resource(&'static str),
    /// A resource policy whose actions belong to other services (a VPC endpoint policy filters
    /// the calls of every service reached through the endpoint).
    AnyResource,
    /// A session policy: AWS Transfer Family's scope-down policies.
    Session,
    /// `aws_organizations_policy.content`: decided by the `type` attribute.
    Organizations,
}

const fn top(resource: &'static str, attribute: &'static str, kind: KindRule) -> Consumer {
    Consumer { resource, block: None, attribute, kind }
}

const fn res(resource: &'static str, attribute: &'static str, service: &'static str) -> Consumer {
    top(resource, attribute, KindRule::Resource(service))
}

/// Attributes that hold a policy, in no particular order.
///
/// SOURCE: the argument names are those of the Terraform AWS provider's resource pages
/// (<https://registry.terraform.io/providers/hashicorp/aws/latest/docs>, provider 5.x); the set
/// follows the resource types that AWS's IaC policy validator for Terraform
/// (`awslabs/terraform-iam-policy-validator`, `iam_check/config/default.yaml`) reads, plus the
/// newer standalone policy resources (`aws_kms_key_policy`, `aws_dynamodb_resource_policy`,
/// `aws_kinesis_resource_policy`, …). The service of a resource policy is the IAM action prefix
/// of the service that owns it (<https://docs.aws.amazon.com/service-authorization/latest/reference/>).
/// Left out on purpose: `aws_lambda_permission` (one grant, not a document: it is an inventory
/// entity), `aws_lambda_layer_version_permission` (its `policy` is computed),
/// `aws_opensearchserverless_access_policy` (not IAM policy grammar), and Amazon MQ, which has
/// no resource policies.
pub const CONSUMERS: &[Consumer] = &[
    // Identity-based policies and the role trust policy.
    top("aws_iam_role", "assume_role_policy", KindRule::Trust),
    Consumer { resource: "aws_iam_role", block: Some("inline_policy"), attribute: "policy", kind: KindRule::Identity },
    top("aws_iam_role_policy", "policy", KindRule::Identity),
    top("aws_iam_user_policy", "policy", KindRule::Identity),
    top("aws_iam_group_policy", "policy", KindRule::Identity),
    top("aws_iam_policy", "policy", KindRule::Identity),
    top("aws_ssoadmin_permission_set_inline_policy", "inline_policy", KindRule::Identity),
    // An AWS IoT Core policy is attached to certificates and Cognito identities, and grants
    // `iot:` actions in IAM policy grammar.
    top("aws_iot_policy", "policy", KindRule::Identity),
    top("aws_transfer_user", "policy", KindRule::Session),
    top("aws_transfer_access", "policy", KindRule::Session),
    top("aws_organizations_policy", "content", KindRule::Organizations),
    // S3.
    res("aws_s3_bucket_policy", "policy", "s3"),
    res("aws_s3_bucket", "policy", "s3"),
    res("aws_s3_access_point", "policy", "s3"),
    res("aws_s3control_access_point_policy", "policy", "s3"),
    Consumer {
        resource: "aws_s3control_multi_region_access_point_policy",
        block: Some("details"),
        attribute: "policy",
        kind: KindRule::Resource("s3"),
    },
    res("aws_s3control_object_lambda_access_point_policy", "policy", "s3-object-lambda"),
    // `aws_s3control_bucket_policy` is the policy of an S3 on Outposts bucket.
    res("aws_s3control_bucket_policy", "policy", "s3-outposts"),
    // KMS.
    res("aws_kms_key", "policy", "kms"),
    res("aws_kms_key_policy", "policy", "kms"),
    res("aws_kms_external_key", "policy", "kms"),
    res("aws_kms_replica_key", "policy", "kms"),
    res("aws_kms_replica_external_key", "policy", "kms"),
    // Messaging and events.
    res("aws_sqs_queue_policy", "policy", "sqs"),
    res("aws_sqs_queue", "policy", "sqs"),
    res("aws_sns_topic_policy", "policy", "sns"),
    res("aws_sns_topic", "policy", "sns"),
    res("aws_cloudwatch_event_bus_policy", "policy", "events"),
    res("aws_schemas_registry_policy", "policy", "schemas"),
    res("aws_ses_identity_policy", "policy", "ses"),
    // Logs.
    res("aws_cloudwatch_log_resource_policy", "policy_document", "logs"),
    res("aws_cloudwatch_log_destination_policy", "access_policy", "logs"),
    // Containers and artifacts.
    res("aws_ecr_repository_policy", "policy", "ecr"),
    res("aws_ecr_registry_policy", "policy", "ecr"),
    res("aws_ecrpublic_repository_policy", "policy", "ecr-public"),
    res("aws_codeartifact_domain_permissions_policy", "policy_document", "codeartifact"),
    res("aws_codeartifact_repository_permissions_policy", "policy_document", "codeartifact"),
    res("aws_codebuild_resource_policy", "policy", "codebuild"),
    // Secrets and certificates.
    res("aws_secretsmanager_secret_policy", "policy", "secretsmanager"),
    res("aws_secretsmanager_secret", "policy", "secretsmanager"),
    res("aws_acmpca_policy", "policy", "acm-pca"),
    // Storage and backup.
    res("aws_efs_file_system_policy", "policy", "elasticfilesystem"),
    res("aws_backup_vault_policy", "policy", "backup"),
    res("aws_glacier_vault", "access_policy", "glacier"),
    res("aws_glacier_vault_lock", "policy", "glacier"),
    res("aws_media_store_container_policy", "policy", "mediastore"),
    // Databases, analytics and streams.
    res("aws_dynamodb_resource_policy", "policy", "dynamodb"),
    res("aws_kinesis_resource_policy", "policy", "kinesis"),
    res("aws_glue_resource_policy", "policy", "glue"),
    res("aws_redshift_resource_policy", "policy", "redshift"),
    res("aws_redshiftserverless_resource_policy", "policy", "redshift-serverless"),
    res("aws_elasticsearch_domain", "access_policies", "es"),
    res("aws_elasticsearch_domain_policy", "access_policies", "es"),
    res("aws_opensearch_domain", "access_policies", "es"),
    res("aws_opensearch_domain_policy", "access_policies", "es"),
    res("aws_sagemaker_model_package_group_policy", "resource_policy", "sagemaker"),
    // Networking and APIs.
    res("aws_api_gateway_rest_api", "policy", "execute-api"),
    res("aws_api_gateway_rest_api_policy", "policy", "execute-api"),
    res("aws_networkfirewall_resource_policy", "policy", "network-firewall"),
    top("aws_vpc_endpoint", "policy", KindRule::AnyResource),
    top("aws_vpc_endpoint_policy", "policy", KindRule::AnyResource),
];

impl Consumer {
    /// The kind of the consumed document; `org_type` is the `type` of an organizations policy.
    /// `None` when the document is not an IAM policy (e.g. a tag or backup policy).
    pub fn kind(&self, org_type: Option<&str>) -> Option<PolicyKind> {
        Some(match self.kind {
            KindRule::Identity => PolicyKind::Identity,
            KindRule::Trust => PolicyKind::Trust,
            KindRule::Resource(service) => PolicyKind::Resource { service: Some(service.to_owned()) },
            KindRule::AnyResource => PolicyKind::Resource { service: None },
            KindRule::Session => PolicyKind::Session,
            // The provider's default type is a service control policy.
            KindRule::Organizations => match org_type.unwrap_or("SERVICE_CONTROL_POLICY") {
                "SERVICE_CONTROL_POLICY" => PolicyKind::Scp,
                "RESOURCE_CONTROL_POLICY" => PolicyKind::Rcp,
                _ => return None,
            },
        })
    }
}

/// The consumers of a resource type, arguments of the resource and attributes in its blocks alike.
pub fn consumers_of(resource: &str) -> impl Iterator<Item = &'static Consumer> + '_ {
    CONSUMERS.iter().filter(move |consumer| consumer.resource == resource)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn consumers_are_unique_and_named_like_provider_resources() {
        let mut seen = BTreeSet::new();
        for consumer in CONSUMERS {
            assert!(consumer.resource.starts_with("aws_"), "{}", consumer.resource);
            assert!(
                seen.insert((consumer.resource, consumer.block, consumer.attribute)),
                "{}.{} is listed twice",
                consumer.resource,
                consumer.attribute
            );
        }
        assert!(CONSUMERS.len() >= 60, "{}", CONSUMERS.len());
    }

    #[test]
    fn kinds() {
        let kind = |resource: &str, org_type| consumers_of(resource).next().and_then(|c| c.kind(org_type));
        assert_eq!(kind("aws_vpc_endpoint", None), Some(PolicyKind::Resource { service: None }));
        assert_eq!(kind("aws_transfer_user", None), Some(PolicyKind::Session));
        assert_eq!(
            kind("aws_efs_file_system_policy", None),
            Some(PolicyKind::Resource { service: Some("elasticfilesystem".to_owned()) })
        );
        assert_eq!(kind("aws_organizations_policy", None), Some(PolicyKind::Scp));
        assert_eq!(kind("aws_organizations_policy", Some("RESOURCE_CONTROL_POLICY")), Some(PolicyKind::Rcp));
        assert_eq!(kind("aws_organizations_policy", Some("TAG_POLICY")), None);
    }
}
