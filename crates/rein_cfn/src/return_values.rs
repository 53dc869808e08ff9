//! What `Ref` and `Fn::GetAtt` return for the resource types of a template, as typed placeholders.
//!
//! Each entry is the shape of the value, written with a few tokens: `{partition}`, `{region}`,
//! `{account}` and `{url_suffix}` are the pseudo parameters, `{name}` is the resource's own name
//! or id (a hole that never contains `:` or `/`), and `{path}` is a name that may contain `/`
//! (a log group, a secret, a parameter). `!GetAtt Bucket.Arn` is thus `arn:⟨partition⟩:s3:::⟨Bucket⟩`
//! and matches only the ARN format of a bucket.
//!
//! SOURCE: the "Return values" section (`Ref` and `Fn::GetAtt`) of each type's page in the
//! CloudFormation resource reference,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html>,
//! e.g. `aws-resource-s3-bucket.html#aws-resource-s3-bucket-return-values`; for the SAM types,
//! the "Referencing" sections of the AWS SAM resource reference
//! (<https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-resources-and-properties.html>).

/// The ARN of an IAM principal or policy depends on its `Path`; the name hole spans the path when
/// one other than `/` is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pathed {
    No,
    /// The name is preceded by the resource's `Path` property.
    Yes,
}

/// The shapes of one resource type: what `Ref` returns and what each `Fn::GetAtt` attribute
/// returns.
struct Entry {
    ty: &'static str,
    reference: Option<&'static str>,
    attributes: &'static [(&'static str, &'static str)],
    pathed: Pathed,
}

const fn entry(
    ty: &'static str,
    reference: Option<&'static str>,
    attributes: &'static [(&'static str, &'static str)],
) -> Entry {
    Entry { ty, reference, attributes, pathed: Pathed::No }
}

const fn pathed(
    ty: &'static str,
    reference: Option<&'static str>,
    attributes: &'static [(&'static str, &'static str)],
) -> Entry {
    Entry { ty, reference, attributes, pathed: Pathed::Yes }
}

const LAMBDA_ARN: &str = "arn:{partition}:lambda:{region}:{account}:function:{name}";
const STATE_MACHINE_ARN: &str = "arn:{partition}:states:{region}:{account}:stateMachine:{name}";

const TABLE: &[Entry] = &[
    entry(
        "AWS::S3::Bucket",
        Some("{name}"),
        &[
            ("Arn", "arn:{partition}:s3:::{name}"),
            ("DomainName", "{name}.s3.{url_suffix}"),
            ("RegionalDomainName", "{name}.s3.{region}.{url_suffix}"),
        ],
    ),
    entry(
        "AWS::S3::AccessPoint",
        Some("{name}"),
        &[("Arn", "arn:{partition}:s3:{region}:{account}:accesspoint/{name}"), ("Name", "{name}")],
    ),
    pathed("AWS::IAM::Role", Some("{name}"), &[("Arn", "arn:{partition}:iam::{account}:role/{name}")]),
    pathed("AWS::IAM::User", Some("{name}"), &[("Arn", "arn:{partition}:iam::{account}:user/{name}")]),
    pathed("AWS::IAM::Group", Some("{name}"), &[("Arn", "arn:{partition}:iam::{account}:group/{name}")]),
    pathed(
        "AWS::IAM::ManagedPolicy",
        Some("arn:{partition}:iam::{account}:policy/{name}"),
        &[("PolicyArn", "arn:{partition}:iam::{account}:policy/{name}")],
    ),
    pathed(
        "AWS::IAM::InstanceProfile",
        Some("{name}"),
        &[("Arn", "arn:{partition}:iam::{account}:instance-profile/{name}")],
    ),
    entry(
        "AWS::SNS::Topic",
        Some("arn:{partition}:sns:{region}:{account}:{name}"),
        &[("TopicArn", "arn:{partition}:sns:{region}:{account}:{name}"), ("TopicName", "{name}")],
    ),
    entry(
        "AWS::SQS::Queue",
        Some("https://sqs.{region}.{url_suffix}/{account}/{name}"),
        &[
            ("Arn", "arn:{partition}:sqs:{region}:{account}:{name}"),
            ("QueueName", "{name}"),
            ("QueueUrl", "https://sqs.{region}.{url_suffix}/{account}/{name}"),
        ],
    ),
    entry("AWS::Lambda::Function", Some("{name}"), &[("Arn", LAMBDA_ARN)]),
    entry("AWS::Serverless::Function", Some("{name}"), &[("Arn", LAMBDA_ARN)]),
    entry(
        "AWS::Lambda::LayerVersion",
        Some("arn:{partition}:lambda:{region}:{account}:layer:{name}"),
        &[("LayerVersionArn", "arn:{partition}:lambda:{region}:{account}:layer:{name}")],
    ),
    entry(
        "AWS::DynamoDB::Table",
        Some("{name}"),
        &[
            ("Arn", "arn:{partition}:dynamodb:{region}:{account}:table/{name}"),
            ("StreamArn", "arn:{partition}:dynamodb:{region}:{account}:table/{name}/stream/{path}"),
        ],
    ),
    entry(
        "AWS::DynamoDB::GlobalTable",
        Some("{name}"),
        &[("Arn", "arn:{partition}:dynamodb:{region}:{account}:table/{name}")],
    ),
    entry("AWS::Serverless::SimpleTable", Some("{name}"), &[]),
    entry(
        "AWS::KMS::Key",
        Some("{name}"),
        &[("Arn", "arn:{partition}:kms:{region}:{account}:key/{name}"), ("KeyId", "{name}")],
    ),
    entry(
        "AWS::KMS::ReplicaKey",
        Some("{name}"),
        &[("Arn", "arn:{partition}:kms:{region}:{account}:key/{name}"), ("KeyId", "{name}")],
    ),
    // An alias name is `alias/…`, which is why it is a path.
    entry("AWS::KMS::Alias", Some("{path}"), &[]),
    // Ref of a secret is its ARN; the name may contain `/`, and AWS appends a random suffix.
    entry("AWS::SecretsManager::Secret", Some("arn:{partition}:secretsmanager:{region}:{account}:secret:{path}"), &[]),
    entry(
        "AWS::Logs::LogGroup",
        Some("{path}"),
        &[("Arn", "arn:{partition}:logs:{region}:{account}:log-group:{path}:*")],
    ),
    entry(
        "AWS::StepFunctions::StateMachine",
        Some(STATE_MACHINE_ARN),
        &[("Arn", STATE_MACHINE_ARN), ("Name", "{name}")],
    ),
    entry("AWS::Serverless::StateMachine", Some(STATE_MACHINE_ARN), &[("Arn", STATE_MACHINE_ARN), ("Name", "{name}")]),
    entry(
        "AWS::StepFunctions::Activity",
        Some("arn:{partition}:states:{region}:{account}:activity:{name}"),
        &[("Name", "{name}")],
    ),
    entry(
        "AWS::Kinesis::Stream",
        Some("{name}"),
        &[("Arn", "arn:{partition}:kinesis:{region}:{account}:stream/{name}")],
    ),
    entry(
        "AWS::KinesisFirehose::DeliveryStream",
        Some("{name}"),
        &[("Arn", "arn:{partition}:firehose:{region}:{account}:deliverystream/{name}")],
    ),
    // Parameter names may be paths (`/app/db/password`); there is no `Arn` attribute.
    entry("AWS::SSM::Parameter", Some("{path}"), &[]),
    entry(
        "AWS::ECR::Repository",
        Some("{path}"),
        &[("Arn", "arn:{partition}:ecr:{region}:{account}:repository/{path}")],
    ),
    entry(
        "AWS::Events::EventBus",
        Some("{name}"),
        &[("Arn", "arn:{partition}:events:{region}:{account}:event-bus/{name}"), ("Name", "{name}")],
    ),
    entry("AWS::ECS::Cluster", Some("{name}"), &[("Arn", "arn:{partition}:ecs:{region}:{account}:cluster/{name}")]),
    entry(
        "AWS::EFS::FileSystem",
        Some("{name}"),
        &[
            ("Arn", "arn:{partition}:elasticfilesystem:{region}:{account}:file-system/{name}"),
            ("FileSystemId", "{name}"),
        ],
    ),
    entry(
        "AWS::CloudTrail::Trail",
        Some("{name}"),
        &[("Arn", "arn:{partition}:cloudtrail:{region}:{account}:trail/{name}")],
    ),
    entry(
        "AWS::CodeCommit::Repository",
        Some("{name}"),
        &[("Arn", "arn:{partition}:codecommit:{region}:{account}:{name}"), ("Name", "{name}")],
    ),
    entry(
        "AWS::Cognito::UserPool",
        Some("{name}"),
        &[("Arn", "arn:{partition}:cognito-idp:{region}:{account}:userpool/{name}")],
    ),
    entry("AWS::EC2::Instance", Some("{name}"), &[]),
    entry("AWS::EC2::SecurityGroup", Some("{name}"), &[("GroupId", "{name}")]),
    entry("AWS::EC2::VPC", Some("{name}"), &[("VpcId", "{name}")]),
    entry("AWS::EC2::Subnet", Some("{name}"), &[("SubnetId", "{name}")]),
    entry("AWS::ApiGateway::RestApi", Some("{name}"), &[("RestApiId", "{name}"), ("RootResourceId", "{name}")]),
    entry("AWS::Serverless::Api", Some("{name}"), &[]),
];

/// The shape of `Ref` (`attribute` is `None`) or `Fn::GetAtt` on a resource of type `ty`, and
/// whether the name follows the resource's `Path`; `None` when the table has no entry.
pub(crate) fn shape(ty: &str, attribute: Option<&str>) -> Option<(&'static str, Pathed)> {
    let entry = TABLE.iter().find(|entry| entry.ty == ty)?;
    let shape = match attribute {
        None => entry.reference?,
        Some(attribute) => entry.attributes.iter().find(|(name, _)| *name == attribute).map(|(_, shape)| *shape)?,
    };
    Some((shape, entry.pathed))
}

/// One piece of a shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece<'s> {
    Text(&'s str),
    /// A pseudo parameter: `AWS::Partition`, `AWS::Region`, `AWS::AccountId`, `AWS::URLSuffix`.
    Pseudo(&'static str),
    /// The resource's own name or id, without `:` or `/`.
    Name,
    /// The resource's name where it may contain `/`.
    Path,
}

/// Splits a shape into its pieces.
pub(crate) fn pieces(shape: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = shape;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest.get(open..).and_then(|after| after.find('}')).map(|close| open + close) else { break };
        let before = rest.get(..open).unwrap_or_default();
        if !before.is_empty() {
            out.push(Piece::Text(before));
        }
        let token = rest.get(open + 1..close).unwrap_or_default();
        out.push(match token {
            "partition" => Piece::Pseudo("AWS::Partition"),
            "region" => Piece::Pseudo("AWS::Region"),
            "account" => Piece::Pseudo("AWS::AccountId"),
            "url_suffix" => Piece::Pseudo("AWS::URLSuffix"),
            "name" => Piece::Name,
            _ => Piece::Path,
        });
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_is_made_of_known_tokens() {
        for entry in TABLE {
            let shapes = entry.reference.into_iter().chain(entry.attributes.iter().map(|(_, shape)| *shape));
            for shape in shapes {
                let tokens: Vec<&str> =
                    shape.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(t, _)| t).collect();
                for token in tokens {
                    assert!(
                        ["partition", "region", "account", "url_suffix", "name", "path"].contains(&token),
                        "{}: {shape}",
                        entry.ty
                    );
                }
            }
        }
    }

    #[test]
    fn types_are_listed_once() {
        let mut types: Vec<&str> = TABLE.iter().map(|entry| entry.ty).collect();
        types.sort_unstable();
        let len = types.len();
        types.dedup();
        assert_eq!(types.len(), len);
    }

    #[test]
    fn shapes_split_into_pieces() {
        assert_eq!(
            pieces("arn:{partition}:s3:::{name}"),
            [Piece::Text("arn:"), Piece::Pseudo("AWS::Partition"), Piece::Text(":s3:::"), Piece::Name]
        );
        assert_eq!(
            shape("AWS::SQS::Queue", None).map(|(s, _)| s),
            Some("https://sqs.{region}.{url_suffix}/{account}/{name}")
        );
        assert_eq!(shape("AWS::IAM::Role", Some("RoleId")), None);
        assert_eq!(shape("Custom::Thing", None), None);
    }
}
