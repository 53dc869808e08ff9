//! Facts about the Terraform AWS provider shared by the `.tf` reader (`rein_hcl`) and the plan
//! reader (`rein_tfplan`): the resource attributes that consume a policy document, and the kind
//! each gives it (RULES.md §0.2 S9).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod arns;

use rein_model::PolicyKind;

/// One policy-bearing attribute.
pub struct Consumer {
    pub resource: &'static str,
    pub attribute: &'static str,
    kind: KindRule,
}

#[derive(Clone, Copy)]
enum KindRule {
    Identity,
    Trust,
    Resource(&'static str),
    /// `aws_organizations_policy.content`: decided by the `type` attribute.
    Organizations,
}

/// Attributes that hold a policy, in no particular order.
pub const CONSUMERS: &[Consumer] = &[
    Consumer { resource: "aws_iam_role", attribute: "assume_role_policy", kind: KindRule::Trust },
    Consumer { resource: "aws_iam_role_policy", attribute: "policy", kind: KindRule::Identity },
    Consumer { resource: "aws_iam_user_policy", attribute: "policy", kind: KindRule::Identity },
    Consumer { resource: "aws_iam_group_policy", attribute: "policy", kind: KindRule::Identity },
    Consumer { resource: "aws_iam_policy", attribute: "policy", kind: KindRule::Identity },
    Consumer {
        resource: "aws_ssoadmin_permission_set_inline_policy",
        attribute: "inline_policy",
        kind: KindRule::Identity,
    },
    Consumer { resource: "aws_s3_bucket_policy", attribute: "policy", kind: KindRule::Resource("s3") },
    Consumer { resource: "aws_s3_bucket", attribute: "policy", kind: KindRule::Resource("s3") },
    Consumer { resource: "aws_kms_key", attribute: "policy", kind: KindRule::Resource("kms") },
    Consumer { resource: "aws_sqs_queue_policy", attribute: "policy", kind: KindRule::Resource("sqs") },
    Consumer { resource: "aws_sqs_queue", attribute: "policy", kind: KindRule::Resource("sqs") },
    Consumer { resource: "aws_sns_topic_policy", attribute: "policy", kind: KindRule::Resource("sns") },
    Consumer { resource: "aws_sns_topic", attribute: "policy", kind: KindRule::Resource("sns") },
    Consumer { resource: "aws_ecr_repository_policy", attribute: "policy", kind: KindRule::Resource("ecr") },
    Consumer {
        resource: "aws_secretsmanager_secret_policy",
        attribute: "policy",
        kind: KindRule::Resource("secretsmanager"),
    },
    Consumer { resource: "aws_organizations_policy", attribute: "content", kind: KindRule::Organizations },
];

/// The nested block `aws_iam_role { inline_policy { policy = … } }`; in a plan it is a list of objects.
pub const ROLE_INLINE_POLICY: (&str, &str, &str) = ("aws_iam_role", "inline_policy", "policy");

impl Consumer {
    /// The kind of the consumed document; `org_type` is the `type` of an organizations policy.
    /// `None` when the document is not an IAM policy (e.g. a tag or backup policy).
    pub fn kind(&self, org_type: Option<&str>) -> Option<PolicyKind> {
        Some(match self.kind {
            KindRule::Identity => PolicyKind::Identity,
            KindRule::Trust => PolicyKind::Trust,
            KindRule::Resource(service) => PolicyKind::Resource { service: Some(service.to_owned()) },
            // The provider's default type is a service control policy.
            KindRule::Organizations => match org_type.unwrap_or("SERVICE_CONTROL_POLICY") {
                "SERVICE_CONTROL_POLICY" => PolicyKind::Scp,
                "RESOURCE_CONTROL_POLICY" => PolicyKind::Rcp,
                _ => return None,
            },
        })
    }
}

/// The consumers of a resource type.
pub fn consumers_of(resource: &str) -> impl Iterator<Item = &'static Consumer> + '_ {
    CONSUMERS.iter().filter(move |consumer| consumer.resource == resource)
}
