//! The shapes of resource attributes whose value is known only after apply but whose form is
//! fixed by the provider: `aws_s3_bucket.x.arn` is `arn:⟨partition⟩:s3:::⟨bucket name⟩`. The
//! `.tf` reader turns a reference to one of them into a typed placeholder (RULES.md §0.2 S8).
//!
//! SOURCE: the ARN formats are those of the Service Authorization Reference as embedded in the
//! catalogue (`rein_catalog`, e.g. `arn:${Partition}:s3:::${BucketName}`); which attribute holds
//! an ARN, a name or a URL is taken from the "Attribute Reference" section of each resource's page
//! in the Terraform AWS provider documentation (registry.terraform.io/providers/hashicorp/aws).

use rein_model::HoleShape;

/// One piece of an attribute's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapePart {
    Text(&'static str),
    /// The partition the resource is in (`aws`, `aws-cn`, `aws-us-gov`).
    Partition,
    /// The region the resource is in.
    Region,
    /// The account the resource is in.
    Account,
    /// A name or generated id of the resource with the given shape (a bucket name never holds
    /// `/`; a role name may carry its path).
    Name(HoleShape),
    /// The partition of the provider's configuration (`data.aws_partition`).
    CurrentPartition,
    /// The region of the provider's configuration (`data.aws_region`).
    CurrentRegion,
    /// The account of the provider's credentials (`data.aws_caller_identity`).
    CurrentAccount,
}

/// The attributes of one resource (or data source) type that have a fixed shape.
struct Row {
    kind: &'static str,
    attributes: &'static [&'static str],
    /// `{partition}`, `{region}`, `{account}`, `{name}` (no `/`), `{path}` (may hold `/`) and the
    /// current-context holes `{current_partition}`, `{current_region}`, `{current_account}`.
    template: &'static str,
}

const fn row(kind: &'static str, attributes: &'static [&'static str], template: &'static str) -> Row {
    Row { kind, attributes, template }
}

/// Resource types, then data sources that describe the current context. A data source of a
/// resource type (`data.aws_s3_bucket.x.arn`) has the same attributes as the resource.
const ROWS: &[Row] = &[
    // S3: `id` and `bucket` are the bucket name.
    row("aws_s3_bucket", &["arn"], "arn:{partition}:s3:::{name}"),
    row("aws_s3_bucket", &["id", "bucket"], "{name}"),
    // IAM: names may carry a path (`/service-role/x`) in the ARN; `aws_iam_policy.id` and
    // `aws_iam_openid_connect_provider.id` are the ARN itself.
    row("aws_iam_role", &["arn"], "arn:{partition}:iam::{account}:role/{path}"),
    row("aws_iam_role", &["id", "name"], "{name}"),
    row("aws_iam_user", &["arn"], "arn:{partition}:iam::{account}:user/{path}"),
    row("aws_iam_user", &["id", "name"], "{name}"),
    row("aws_iam_group", &["arn"], "arn:{partition}:iam::{account}:group/{path}"),
    row("aws_iam_group", &["id", "name"], "{name}"),
    row("aws_iam_policy", &["arn", "id"], "arn:{partition}:iam::{account}:policy/{path}"),
    row("aws_iam_policy", &["name"], "{name}"),
    row("aws_iam_instance_profile", &["arn"], "arn:{partition}:iam::{account}:instance-profile/{path}"),
    row("aws_iam_instance_profile", &["id", "name"], "{name}"),
    // The provider name is the issuer URL without `https://`, so it holds `/`.
    row("aws_iam_openid_connect_provider", &["arn", "id"], "arn:{partition}:iam::{account}:oidc-provider/{path}"),
    // KMS: `id` and `key_id` are the key id; an alias name starts with `alias/` and may hold `/`.
    row("aws_kms_key", &["arn"], "arn:{partition}:kms:{region}:{account}:key/{name}"),
    row("aws_kms_key", &["id", "key_id"], "{name}"),
    row("aws_kms_alias", &["arn"], "arn:{partition}:kms:{region}:{account}:alias/{path}"),
    row("aws_kms_alias", &["target_key_arn"], "arn:{partition}:kms:{region}:{account}:key/{name}"),
    // SQS: `id` and `url` are the queue URL, not an ARN.
    row("aws_sqs_queue", &["arn"], "arn:{partition}:sqs:{region}:{account}:{name}"),
    row("aws_sqs_queue", &["id", "url"], "https://sqs.{region}.amazonaws.com/{account}/{name}"),
    row("aws_sqs_queue", &["name"], "{name}"),
    // SNS: `id` is the topic ARN.
    row("aws_sns_topic", &["arn", "id"], "arn:{partition}:sns:{region}:{account}:{name}"),
    row("aws_sns_topic", &["name"], "{name}"),
    row("aws_lambda_function", &["arn"], "arn:{partition}:lambda:{region}:{account}:function:{name}"),
    row("aws_lambda_function", &["qualified_arn"], "arn:{partition}:lambda:{region}:{account}:function:{name}:{name}"),
    row("aws_lambda_function", &["id", "function_name"], "{name}"),
    row("aws_dynamodb_table", &["arn"], "arn:{partition}:dynamodb:{region}:{account}:table/{name}"),
    row(
        "aws_dynamodb_table",
        &["stream_arn"],
        "arn:{partition}:dynamodb:{region}:{account}:table/{name}/stream/{name}",
    ),
    row("aws_dynamodb_table", &["id", "name"], "{name}"),
    // Secrets Manager: `id` is the ARN; the name may hold `/` and the ARN ends in a random suffix.
    row("aws_secretsmanager_secret", &["arn", "id"], "arn:{partition}:secretsmanager:{region}:{account}:secret:{path}"),
    // ECR: repository names may hold `/` namespaces; `repository_url` is the registry host and name.
    row("aws_ecr_repository", &["arn"], "arn:{partition}:ecr:{region}:{account}:repository/{path}"),
    row("aws_ecr_repository", &["repository_url"], "{account}.dkr.ecr.{region}.amazonaws.com/{path}"),
    row("aws_ecr_repository", &["id", "name"], "{path}"),
    // CloudWatch Logs: the provider removes the `:*` suffix the API adds to the group ARN
    // ("Any `:*` suffix added by the API, denoting all CloudWatch Log Streams under the CloudWatch
    // Log Group, is removed for greater compatibility with other AWS services that do not accept
    // the suffix", aws_cloudwatch_log_group, Attribute Reference). Group names hold `/`.
    row("aws_cloudwatch_log_group", &["arn"], "arn:{partition}:logs:{region}:{account}:log-group:{path}"),
    row("aws_cloudwatch_log_group", &["id", "name"], "{path}"),
    // Step Functions: `id` is the ARN.
    row("aws_sfn_state_machine", &["arn", "id"], "arn:{partition}:states:{region}:{account}:stateMachine:{name}"),
    row("aws_sfn_state_machine", &["name"], "{name}"),
    // Kinesis and Firehose: `id` is the ARN.
    row("aws_kinesis_stream", &["arn", "id"], "arn:{partition}:kinesis:{region}:{account}:stream/{name}"),
    row("aws_kinesis_stream", &["name"], "{name}"),
    row(
        "aws_kinesis_firehose_delivery_stream",
        &["arn", "id"],
        "arn:{partition}:firehose:{region}:{account}:deliverystream/{name}",
    ),
    row("aws_kinesis_firehose_delivery_stream", &["name"], "{name}"),
    // EventBridge: a rule on a custom bus is `rule/BUS/NAME`.
    row("aws_cloudwatch_event_bus", &["arn"], "arn:{partition}:events:{region}:{account}:event-bus/{name}"),
    row("aws_cloudwatch_event_bus", &["id", "name"], "{name}"),
    row("aws_cloudwatch_event_rule", &["arn"], "arn:{partition}:events:{region}:{account}:rule/{path}"),
    // SSM: hierarchical names start with `/`, which the ARN does not repeat.
    row("aws_ssm_parameter", &["arn"], "arn:{partition}:ssm:{region}:{account}:parameter/{path}"),
    row("aws_ssm_parameter", &["id", "name"], "{path}"),
    // ECS: `aws_ecs_cluster.id` is the ARN; a task definition ARN ends in `FAMILY:REVISION`.
    row("aws_ecs_cluster", &["arn", "id"], "arn:{partition}:ecs:{region}:{account}:cluster/{name}"),
    row("aws_ecs_cluster", &["name"], "{name}"),
    row("aws_ecs_task_definition", &["arn"], "arn:{partition}:ecs:{region}:{account}:task-definition/{name}:{name}"),
    row(
        "aws_ecs_task_definition",
        &["arn_without_revision"],
        "arn:{partition}:ecs:{region}:{account}:task-definition/{name}",
    ),
    row("aws_ecs_task_definition", &["family"], "{name}"),
    row("aws_eks_cluster", &["arn"], "arn:{partition}:eks:{region}:{account}:cluster/{name}"),
    row("aws_eks_cluster", &["id", "name"], "{name}"),
    // RDS: `identifier` and `cluster_identifier` are the names in the ARN.
    row("aws_db_instance", &["arn"], "arn:{partition}:rds:{region}:{account}:db:{name}"),
    row("aws_db_instance", &["identifier"], "{name}"),
    row("aws_rds_cluster", &["arn"], "arn:{partition}:rds:{region}:{account}:cluster:{name}"),
    row("aws_rds_cluster", &["id", "cluster_identifier"], "{name}"),
    row("aws_efs_file_system", &["arn"], "arn:{partition}:elasticfilesystem:{region}:{account}:file-system/{name}"),
    row("aws_efs_file_system", &["id"], "{name}"),
    // SSO: permission sets live under their instance and have no region or account.
    row("aws_ssoadmin_permission_set", &["arn"], "arn:{partition}:sso:::permissionSet/{name}/{name}"),
    // The current context.
    row("aws_caller_identity", &["account_id", "id"], "{current_account}"),
    row("aws_partition", &["partition", "id"], "{current_partition}"),
    row("aws_region", &["name", "region", "id"], "{current_region}"),
];

/// The shape of `kind.attribute` (a resource type or data source type and an attribute name),
/// or `None` when the attribute has no fixed shape.
pub fn attribute_shape(kind: &str, attribute: &str) -> Option<Vec<ShapePart>> {
    let row = ROWS.iter().find(|row| row.kind == kind && row.attributes.contains(&attribute))?;
    Some(parse(row.template))
}

/// Whether the type has any attribute with a fixed shape.
pub fn has_shapes(kind: &str) -> bool {
    ROWS.iter().any(|row| row.kind == kind)
}

fn parse(template: &'static str) -> Vec<ShapePart> {
    let mut parts = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let Some(open) = rest.find('{') else {
            parts.push(ShapePart::Text(rest));
            break;
        };
        let Some(close) = rest.get(open..).and_then(|tail| tail.find('}')).map(|idx| open + idx) else {
            parts.push(ShapePart::Text(rest));
            break;
        };
        if let Some(text) = rest.get(..open).filter(|text| !text.is_empty()) {
            parts.push(ShapePart::Text(text));
        }
        let part = match rest.get(open + 1..close).unwrap_or("") {
            "partition" => ShapePart::Partition,
            "region" => ShapePart::Region,
            "account" => ShapePart::Account,
            "name" => ShapePart::Name(HoleShape::Segment),
            "path" => ShapePart::Name(HoleShape::Path),
            "current_partition" => ShapePart::CurrentPartition,
            "current_region" => ShapePart::CurrentRegion,
            "current_account" => ShapePart::CurrentAccount,
            _ => ShapePart::Text(rest.get(open..=close).unwrap_or("")),
        };
        parts.push(part);
        rest = rest.get(close + 1..).unwrap_or("");
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_into_known_parts() {
        for row in ROWS {
            let parts = parse(row.template);
            let rendered: String = parts
                .iter()
                .map(|part| match part {
                    ShapePart::Text(text) => (*text).to_owned(),
                    _ => "X".to_owned(),
                })
                .collect();
            assert!(!rendered.contains(['{', '}']), "{}: {}", row.kind, row.template);
            assert!(!parts.is_empty(), "{}", row.kind);
        }
    }

    /// Every ARN shape, with its holes kept to their fields, matches a resource type of its
    /// service in the catalogue, and only resource types of one name (a bucket is not an object).
    #[test]
    fn arn_shapes_match_one_catalogue_resource_type() {
        use rein_catalog::arn::{ArnPattern, ArnPiece, template_matches};
        let catalog = rein_catalog::catalog();
        for row in ROWS.iter().filter(|row| row.template.starts_with("arn:")) {
            let parts = parse(row.template);
            let pieces: Vec<ArnPiece<'_>> = parts
                .iter()
                .map(|part| match part {
                    ShapePart::Text(text) => ArnPiece::Text(text),
                    ShapePart::Name(HoleShape::Path) => ArnPiece::Name { slash: true },
                    _ => ArnPiece::Name { slash: false },
                })
                .collect();
            let pattern = ArnPattern::from_pieces(&pieces);
            let service = pattern.service().unwrap_or_else(|| panic!("{}: no service", row.template));
            let service = catalog.service(service).unwrap_or_else(|| panic!("{}: unknown service", row.template));
            let mut matched: Vec<&str> = service
                .resource_types()
                .filter(|rt| rt.arn_templates().any(|template| template_matches(template, &pattern)))
                .map(|rt| rt.name())
                .collect();
            matched.dedup();
            // A task definition ARN without its revision names no resource by itself: policies
            // append `:*` to it.
            if row.attributes == ["arn_without_revision"] {
                assert!(matched.is_empty(), "{matched:?}");
                continue;
            }
            // A qualified function ARN may be a version or an alias; a rule ARN may be on the
            // default bus or a custom one.
            let expected = match row.attributes {
                ["qualified_arn"] => 3,
                _ if row.kind == "aws_cloudwatch_event_rule" => 2,
                _ => 1,
            };
            assert_eq!(matched.len(), expected, "{} ({}) matches {matched:?}", row.kind, row.template);
        }
    }

    #[test]
    fn bucket_and_queue_shapes() {
        assert_eq!(
            attribute_shape("aws_s3_bucket", "arn"),
            Some(vec![
                ShapePart::Text("arn:"),
                ShapePart::Partition,
                ShapePart::Text(":s3:::"),
                ShapePart::Name(HoleShape::Segment),
            ])
        );
        // A queue's `url` is not an ARN.
        let url = attribute_shape("aws_sqs_queue", "url").unwrap();
        assert_eq!(url.first(), Some(&ShapePart::Text("https://sqs.")));
        assert_eq!(attribute_shape("aws_s3_bucket", "tags"), None);
        assert_eq!(attribute_shape("aws_caller_identity", "account_id"), Some(vec![ShapePart::CurrentAccount]));
        assert!(has_shapes("aws_kms_key"));
        assert!(!has_shapes("aws_vpc"));
    }
}
