//! Tests for ARN pattern parsing and template matching.

use super::*;

const S3_BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
const S3_OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
const IAM_ROLE: &str = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
const IAM_USER: &str = "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}";
const IAM_MFA: &str = "arn:${Partition}:iam::${Account}:mfa/${MfaTokenIdWithPath}";
const KMS_KEY: &str = "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}";
const KMS_ALIAS: &str = "arn:${Partition}:kms:${Region}:${Account}:alias/${Alias}";
const DDB_TABLE: &str = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
const DDB_INDEX: &str = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}";
const LOG_GROUP: &str = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
const LOG_STREAM: &str =
    "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";
const LAMBDA_FUNCTION: &str = "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}";
const LAMBDA_VERSION: &str = "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Version}";
const SQS_QUEUE: &str = "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}";
const SECRET: &str = "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}";
const PARAMETER: &str = "arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}";
const ECR_REPO: &str = "arn:${Partition}:ecr:${Region}:${Account}:repository/${RepositoryName}";
const DMS_CERT: &str = "arn:${Partition}:dms:${Region}:${Account}:cert:*";
const OPSWORKS_BACKUP: &str =
    "arn:${Partition}:opsworks-cm::${Account}:backup/${ServerName}-{Date-and-Time-Stamp-of-Backup}";

/// `(template, pattern, expected)`.
fn check(cases: &[(&str, &str, bool)]) {
    for &(template, pattern, expected) in cases {
        let parsed = ArnPattern::parse(pattern);
        assert_eq!(template_matches(template, &parsed), expected, "template {template} vs pattern {pattern}");
    }
}

#[test]
fn s3_bucket_and_object() {
    check(&[
        (S3_BUCKET, "arn:aws:s3:::reports", true),
        (S3_BUCKET, "arn:aws:s3:::reports/*", false),
        (S3_BUCKET, "arn:aws:s3:::reports/", false),
        (S3_BUCKET, "arn:aws:s3:::reports*", true),
        (S3_BUCKET, "arn:aws:s3:::*", true),
        (S3_BUCKET, "arn:aws:s3:::", false),
        (S3_BUCKET, "arn:aws-cn:s3:::reports", true),
        (S3_BUCKET, "arn:aws:s3:us-east-1::reports", false),
        (S3_BUCKET, "arn:aws:s3:::rep?rts", true),
        (S3_OBJECT, "arn:aws:s3:::reports/*", true),
        (S3_OBJECT, "arn:aws:s3:::reports/2024/jan.csv", true),
        (S3_OBJECT, "arn:aws:s3:::reports", false),
        (S3_OBJECT, "arn:aws:s3:::reports/", false),
        (S3_OBJECT, "arn:aws:s3:::*", true),
        (S3_OBJECT, "arn:aws:s3:::*/*", true),
        (S3_OBJECT, "arn:aws:s3:::reports*", true),
        (S3_OBJECT, "arn:aws:s3:::reports/${aws:username}/*", true),
        (S3_BUCKET, "arn:aws:s3:::reports/${aws:username}", false),
    ]);
}

#[test]
fn service_field_is_case_insensitive_other_fields_are_not() {
    check(&[
        (S3_BUCKET, "arn:aws:S3:::reports", true),
        (S3_BUCKET, "ARN:aws:s3:::reports", false),
        (IAM_ROLE, "arn:aws:iam::123456789012:ROLE/x", false),
        (IAM_ROLE, "arn:aws:IAM::123456789012:role/x", true),
    ]);
}

#[test]
fn iam_paths_and_variables() {
    check(&[
        (IAM_ROLE, "arn:aws:iam::123456789012:role/app/deploy", true),
        (IAM_ROLE, "arn:aws:iam::123456789012:role/deploy", true),
        (IAM_ROLE, "arn:aws:iam::123456789012:role/*", true),
        (IAM_ROLE, "arn:*:iam::*:role/*", true),
        (IAM_ROLE, "arn:aws:iam::123456789012:user/deploy", false),
        (IAM_ROLE, "arn:aws:iam::123456789012:role/", false),
        (IAM_USER, "arn:aws:iam::123456789012:user/${aws:username}", true),
        (IAM_USER, "arn:aws:iam::*:user/division/${aws:username}", true),
        (IAM_MFA, "arn:aws:iam::123456789012:mfa/${aws:username}", true),
        (IAM_USER, "arn:aws:iam::123456789012:mfa/${aws:username}", false),
        (IAM_MFA, "arn:aws:iam::*:mfa/*", true),
        // A variable cannot produce ':' so it cannot stand for several fields.
        (IAM_ROLE, "arn:aws:iam::${aws:PrincipalAccount}:role/x", true),
        (IAM_ROLE, "arn:aws:iam:${aws:username}role/x", false),
    ]);
}

#[test]
fn kms_dynamodb_logs_lambda() {
    check(&[
        (KMS_KEY, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", true),
        (KMS_KEY, "arn:aws:kms:*:*:key/*", true),
        (KMS_KEY, "arn:aws:kms:us-east-1:123456789012:alias/app", false),
        (KMS_ALIAS, "arn:aws:kms:us-east-1:123456789012:alias/aws/s3", true),
        (KMS_KEY, "arn:aws:kms:us-east-1:123456789012:key/a/b", false),
        (DDB_TABLE, "arn:aws:dynamodb:us-east-1:123456789012:table/Orders", true),
        (DDB_TABLE, "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/*", false),
        (DDB_TABLE, "arn:aws:dynamodb:us-east-1:123456789012:table/Orders*", true),
        (DDB_INDEX, "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/*", true),
        (DDB_INDEX, "arn:aws:dynamodb:us-east-1:123456789012:table/Orders", false),
        (DDB_INDEX, "arn:aws:dynamodb:us-east-1:123456789012:table/*", true),
        (LOG_GROUP, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*", true),
        (LOG_GROUP, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x", true),
        (LOG_GROUP, "arn:aws:logs:us-east-1:123456789012:log-group:*", true),
        (LOG_STREAM, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream:*", true),
        (LOG_STREAM, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*", true),
        (LOG_STREAM, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x", false),
        (LAMBDA_FUNCTION, "arn:aws:lambda:us-east-1:123456789012:function:my-fn", true),
        // Qualified ARNs (version or alias) are authorized against the function type.
        (LAMBDA_FUNCTION, "arn:aws:lambda:us-east-1:123456789012:function:my-fn:*", true),
        (LAMBDA_FUNCTION, "arn:aws:lambda:us-east-1:123456789012:function:my-fn:1", true),
        (LAMBDA_FUNCTION, "arn:aws:lambda:us-east-1:123456789012:function/my-fn", false),
        (LAMBDA_VERSION, "arn:aws:lambda:us-east-1:123456789012:function:my-fn:1", true),
        (LAMBDA_VERSION, "arn:aws:lambda:us-east-1:123456789012:function:my-fn", false),
        (LAMBDA_VERSION, "arn:aws:lambda:us-east-1:123456789012:function:*", true),
    ]);
}

#[test]
fn names_that_contain_slashes() {
    check(&[
        (SQS_QUEUE, "arn:aws:sqs:us-east-1:123456789012:jobs", true),
        (SQS_QUEUE, "arn:aws:sqs:us-east-1:123456789012:jobs/x", false),
        (SECRET, "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db/password-AbCdEf", true),
        (PARAMETER, "arn:aws:ssm:us-east-1:123456789012:parameter/app/prod/*", true),
        (ECR_REPO, "arn:aws:ecr:us-east-1:123456789012:repository/team/app", true),
    ]);
}

#[test]
fn templates_with_literal_wildcards_and_bare_braces() {
    check(&[
        (DMS_CERT, "arn:aws:dms:us-east-1:123456789012:cert:ABC", true),
        (DMS_CERT, "arn:aws:dms:us-east-1:123456789012:cert:", true),
        (DMS_CERT, "arn:aws:dms:us-east-1:123456789012:endpoint:ABC", false),
        (OPSWORKS_BACKUP, "arn:aws:opsworks-cm::123456789012:backup/server-2024-01-01", true),
        (OPSWORKS_BACKUP, "arn:aws:opsworks-cm::123456789012:backup/server", false),
    ]);
}

#[test]
fn star_question_mark_and_non_arns() {
    check(&[
        (S3_OBJECT, "*", true),
        (IAM_ROLE, "*", true),
        (S3_BUCKET, "arn:aws:s3:::a?", true),
        (S3_BUCKET, "arn:aws:s3:::?", true),
        (S3_BUCKET, "arn:aws:s3:::??????", true),
        (IAM_ROLE, "arn:aws:iam::123456789012:role/?", true),
        (S3_BUCKET, "arn:aws:s3:::reports?x", true),
        // `?` is one character, so `reports?*` can produce `reports/x` but also `reportsX`.
        (S3_BUCKET, "arn:aws:s3:::reports?*", true),
        (S3_BUCKET, "reports", false),
        (S3_BUCKET, "", false),
        (S3_BUCKET, "arn:*", true),
        (S3_BUCKET, "arn:aws:iam::*:*", false),
        (S3_BUCKET, "arn:aws:*", true),
    ]);
}

#[test]
fn escapes_are_literal() {
    check(&[
        (S3_OBJECT, "arn:aws:s3:::bucket/${*}", true),
        (S3_BUCKET, "arn:aws:s3:::bucket${*}", true),
        (S3_BUCKET, "arn:aws:s3:::bucket${$}", true),
    ]);
    let pattern = ArnPattern::parse("arn:aws:s3:::bucket/${*}");
    assert!(!pattern.has_wildcard());
    assert!(!pattern.has_policy_variable());
    assert_eq!(pattern.literal().as_deref(), Some("arn:aws:s3:::bucket/*"));
    let unterminated = ArnPattern::parse("arn:aws:s3:::bucket/${aws:username");
    assert!(!unterminated.has_policy_variable());
    assert_eq!(unterminated.literal().as_deref(), Some("arn:aws:s3:::bucket/${aws:username"));
}

#[test]
fn segment_placeholders_match_only_their_type() {
    let hole = |pieces: &[ArnPiece<'_>]| ArnPattern::from_pieces(pieces);
    // `!GetAtt Bucket.Arn`: a bucket, never an object.
    let bucket = hole(&[ArnPiece::Text("arn:"), ArnPiece::Segment, ArnPiece::Text(":s3:::"), ArnPiece::Segment]);
    assert!(!bucket.has_unknown());
    assert!(!bucket.has_wildcard());
    assert_eq!(bucket.literal(), None);
    assert!(template_matches(S3_BUCKET, &bucket));
    assert!(!template_matches(S3_OBJECT, &bucket));
    // `!Sub "${Bucket.Arn}/*"`: objects of the bucket.
    let objects = hole(&[
        ArnPiece::Text("arn:"),
        ArnPiece::Segment,
        ArnPiece::Text(":s3:::"),
        ArnPiece::Segment,
        ArnPiece::Text("/*"),
    ]);
    assert!(template_matches(S3_OBJECT, &objects));
    assert!(!template_matches(S3_BUCKET, &objects));
    // An account placeholder stays inside its field.
    let role = hole(&[ArnPiece::Text("arn:aws:iam::"), ArnPiece::Segment, ArnPiece::Text(":role/app")]);
    assert!(template_matches(IAM_ROLE, &role));
    assert!(!template_matches(IAM_USER, &role));
    assert_eq!(role.text(), format!("arn:aws:iam::{SEGMENT_TEXT}:role/app"));
}

#[test]
fn unknown_holes() {
    let hole = |pieces: &[ArnPiece<'_>]| ArnPattern::from_pieces(pieces);
    let bucket_hole = hole(&[ArnPiece::Text("arn:aws:s3:::"), ArnPiece::Unknown]);
    assert!(bucket_hole.has_unknown());
    assert!(template_matches(S3_BUCKET, &bucket_hole));
    assert!(template_matches(S3_OBJECT, &bucket_hole));
    let object_hole = hole(&[ArnPiece::Text("arn:aws:s3:::"), ArnPiece::Unknown, ArnPiece::Text("/*")]);
    assert!(template_matches(S3_OBJECT, &object_hole));
    assert!(!template_matches(S3_BUCKET, &object_hole));
    let whole = hole(&[ArnPiece::Unknown]);
    assert!(template_matches(IAM_ROLE, &whole));
    assert!(!whole.is_star());
    let account_hole = hole(&[ArnPiece::Text("arn:aws:iam::"), ArnPiece::Unknown, ArnPiece::Text(":role/app")]);
    assert!(template_matches(IAM_ROLE, &account_hole));
    // The hole may stand for `123:user/x`, so the user template can match too: holes are
    // never narrowed.
    assert!(template_matches(IAM_USER, &account_hole));
    let s3_hole = hole(&[ArnPiece::Text("arn:aws:s3:::"), ArnPiece::Unknown]);
    assert!(!template_matches(IAM_USER, &s3_hole));
    assert_eq!(account_hole.text(), format!("arn:aws:iam::{UNKNOWN_TEXT}:role/app"));
    assert_eq!(account_hole.service(), Some("iam"));
    assert_eq!(account_hole.account(), None);
    assert_eq!(account_hole.field_text(ArnField::Account), None);
    assert_eq!(account_hole.resource(), Some("role/app"));
}

#[test]
fn pattern_properties_and_fields() {
    let star = ArnPattern::parse("*");
    assert!(star.is_star());
    assert!(!star.is_arn());
    assert!(!ArnPattern::parse("**").is_star());

    let bucket = ArnPattern::parse("arn:aws:s3:::reports/*");
    assert!(bucket.is_arn());
    assert_eq!(bucket.partition(), Some("aws"));
    assert_eq!(bucket.service(), Some("s3"));
    assert_eq!(bucket.region(), Some(""));
    assert_eq!(bucket.account(), Some(""));
    assert_eq!(bucket.resource(), Some("reports/*"));
    assert_eq!(bucket.field_literal(ArnField::Resource), None);
    assert!(bucket.has_wildcard());
    assert_eq!(bucket.literal(), None);

    let role = ArnPattern::parse("arn:*:iam::*:role/*");
    assert_eq!(role.partition(), None);
    assert_eq!(role.field_text(ArnField::Partition), Some("*"));
    assert_eq!(role.service(), Some("iam"));
    assert_eq!(role.account(), None);
    assert_eq!(role.field_text(ArnField::Account), Some("*"));

    let logs = ArnPattern::parse("arn:aws:logs:us-east-1:123456789012:log-group:/aws/x:*");
    assert_eq!(logs.region(), Some("us-east-1"));
    assert_eq!(logs.account(), Some("123456789012"));
    assert_eq!(logs.resource(), Some("log-group:/aws/x:*"));

    let user = ArnPattern::parse("arn:aws:iam::123456789012:user/${aws:username}");
    assert!(user.has_policy_variable());
    assert_eq!(user.resource(), Some("user/${aws:username}"));
    assert_eq!(user.to_string(), "arn:aws:iam::123456789012:user/${aws:username}");

    assert!(!ArnPattern::parse("arn:aws:s3").is_arn());
    assert!(!ArnPattern::parse("Arn:aws:s3:::x").is_arn());
    assert!(!ArnPattern::parse("").is_arn());
    assert_eq!(ArnPattern::parse("arn:aws:s3:::").resource(), Some(""));
    // Non-ASCII text does not break field slicing.
    let odd = ArnPattern::parse("arn:aws:s3:::bücket/ü*");
    assert_eq!(odd.resource(), Some("bücket/ü*"));
    assert!(template_matches(S3_OBJECT, &odd));
}

#[test]
fn large_inputs_stay_fast_and_permissive() {
    let long = format!("arn:aws:s3:::{}", "*a".repeat(2_000));
    let pattern = ArnPattern::parse(&long);
    assert!(template_matches(S3_OBJECT, &pattern));
    let huge = ArnPattern::parse(&"x".repeat(100_000));
    assert!(!template_matches(S3_OBJECT, &huge));
    // Past the state budget the answer is the permissive one.
    let huge_wild = ArnPattern::parse(&format!("arn:aws:s3:::{}", "?".repeat(100_000)));
    assert!(template_matches(S3_OBJECT, &huge_wild));
}
