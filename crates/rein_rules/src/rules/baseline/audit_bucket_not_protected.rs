//! IAM505 `audit-bucket-not-protected`.

use rein_model::inventory::node_bool;
use rein_model::{Entity, EntityKind, NodeKind, PrincipalElement};

use super::{TrailBucket, bucket_settings, checks_existence, object_member, pascal_case, trail_bucket};
use crate::engine::Unit;
use crate::rules::prelude::*;
use crate::semantics::{PrincipalShape, condition_has_unknown, has_narrowing_key, principal_items};

declare_rule! {
    /// ## What it checks
    /// The protection of the bucket a CloudTrail trail delivers to, when the configuration
    /// defines the bucket.
    ///
    /// The bucket must be:
    /// - **not public** (error): no public canned ACL, and no bucket policy statement that
    ///   allows anyone without a condition;
    /// - **Block Public Access** (warning): all four flags of the bucket's public access block,
    ///   or of the account-level one, are true;
    /// - **delivery grant** (warning): statements for `cloudtrail.amazonaws.com` test
    ///   `aws:SourceArn` or `aws:SourceAccount`;
    /// - **versioning** (warning) is enabled, and (info) Object Lock or a Deny of
    ///   `s3:DeleteObject` keeps old versions from being removed;
    /// - **access logging** (warning): server access logs go to another bucket.
    ///
    /// In the `baseline` profile, a trail whose bucket is not defined here (a name from a
    /// variable, an external log archive) gets an info: it cannot be verified.
    ///
    /// ## Why it matters
    /// The trail is only as trustworthy as the bucket it lands in: a public bucket leaks the
    /// account's activity, and a bucket whose objects can be overwritten or deleted lets an
    /// intruder remove the evidence.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "audit" {
    ///   bucket = "acme-audit"
    /// }
    ///
    /// resource "aws_s3_bucket_acl" "audit" {
    ///   bucket = aws_s3_bucket.audit.id
    ///   acl    = "public-read"
    /// }
    ///
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = aws_s3_bucket.audit.id
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   AuditBucket:
    ///     Type: AWS::S3::Bucket
    ///     Properties:
    ///       AccessControl: PublicRead
    ///   Trail:
    ///     Type: AWS::CloudTrail::Trail
    ///     Properties:
    ///       IsLogging: true
    ///       S3BucketName: !Ref AuditBucket
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket" "audit" {
    ///   bucket              = "acme-audit"
    ///   object_lock_enabled = true
    /// }
    ///
    /// resource "aws_s3_bucket_public_access_block" "audit" {
    ///   bucket                  = aws_s3_bucket.audit.id
    ///   block_public_acls       = true
    ///   block_public_policy     = true
    ///   ignore_public_acls      = true
    ///   restrict_public_buckets = true
    /// }
    ///
    /// resource "aws_s3_bucket_versioning" "audit" {
    ///   bucket = aws_s3_bucket.audit.id
    ///   versioning_configuration {
    ///     status = "Enabled"
    ///   }
    /// }
    ///
    /// resource "aws_s3_bucket_logging" "audit" {
    ///   bucket        = aws_s3_bucket.audit.id
    ///   target_bucket = "acme-access-logs"
    /// }
    ///
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = aws_s3_bucket.audit.id
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS CloudTrail User Guide: Amazon S3 bucket policy for CloudTrail
    /// - Amazon S3 User Guide: using S3 Object Lock; logging requests with server access logging
    /// - CIS AWS Foundations Benchmark 3.3, 3.6
    AuditBucketNotProtected {
        id: "IAM505",
        aliases: ["CKV2_AWS_6", "AVD-AWS-0161", "AVD-AWS-0163", "AVD-AWS-0170"],
        category: Hygiene,
        severity: Error,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

/// Canned ACLs that grant access to everyone or to every AWS account, in both spellings.
const PUBLIC_ACLS: [&str; 6] =
    ["public-read", "public-read-write", "authenticated-read", "PublicRead", "PublicReadWrite", "AuthenticatedRead"];

const FLAGS: [&str; 4] = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

impl Rule for AuditBucketNotProtected {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        let mut checked: Vec<&str> = Vec::new();
        for trail in unit.entities_of(EntityKind::CloudTrail) {
            match trail_bucket(unit, trail) {
                Some(TrailBucket::Local(bucket)) if !checked.contains(&bucket.address.as_str()) => {
                    checked.push(&bucket.address);
                    check_bucket(unit, ctx, bucket);
                }
                Some(TrailBucket::External(why)) if checks_existence(unit, ctx) => {
                    let span = trail.attribute("s3_bucket_name").map_or(trail.span, |attr| attr.value.span);
                    ctx.report(span, format!("The trail's log bucket is not verifiable here: {why}"))
                        .severity(Severity::Info);
                }
                _ => {}
            }
        }
    }
}

fn check_bucket(unit: &Unit<'_>, ctx: &mut RuleContext<'_>, bucket: &Entity) {
    let name = &bucket.address;
    // Public ACLs.
    let acl_entities = bucket_settings(unit, bucket, EntityKind::S3BucketAcl);
    let acls = bucket.attribute("acl").into_iter().chain(acl_entities.iter().filter_map(|acl| acl.attribute("acl")));
    for acl in acls {
        if let NodeKind::String(Value::Known(text)) = &acl.value.kind
            && PUBLIC_ACLS.contains(&text.as_str())
        {
            ctx.report(acl.value.span, format!("The audit log bucket `{name}` has the public ACL `{text}`"));
        }
    }
    check_public_access_block(unit, ctx, bucket);
    // The bucket policy: public grants, the delivery grant, and Denies that protect the logs.
    let mut owners = vec![bucket.address.clone()];
    owners.extend(bucket_settings(unit, bucket, EntityKind::S3BucketPolicy).into_iter().map(|p| p.address.clone()));
    let mut deletion_denied = false;
    for owner in &owners {
        for doc in unit.documents_of(owner) {
            for stmt in &doc.statements {
                if stmt.is_deny() {
                    deletion_denied |= semantics::grants_action(stmt, ctx, "s3:DeleteObject").is_some();
                    continue;
                }
                if !stmt.is_allow() {
                    continue;
                }
                let Some(principal) = &stmt.principal else { continue };
                check_grant(ctx, stmt, principal, name);
            }
        }
    }
    // Versioning.
    let versioning = bucket_settings(unit, bucket, EntityKind::S3BucketVersioning);
    let legacy = bucket.attribute("versioning").and_then(|attr| object_member(&attr.value, "enabled"));
    let status =
        versioning.iter().find_map(|entity| entity.attribute("status")).or(bucket.attribute("versioning_status"));
    match (status, legacy) {
        (Some(status), _) => {
            if let NodeKind::String(Value::Known(text)) = &status.value.kind
                && text != "Enabled"
            {
                ctx.report(status.value.span, format!("Versioning of the audit log bucket `{name}` is `{text}`: log files can be overwritten or deleted"))
                    .severity(Severity::Warning);
            }
        }
        (None, Some(enabled)) => {
            if node_bool(enabled) == Some(false) {
                ctx.report(
                    enabled.span,
                    format!(
                        "Versioning of the audit log bucket `{name}` is off: log files can be overwritten or deleted"
                    ),
                )
                .severity(Severity::Warning);
            }
        }
        (None, None) => {
            ctx.report(
                bucket.span,
                format!("The audit log bucket `{name}` has no versioning: log files can be overwritten or deleted"),
            )
            .severity(Severity::Warning);
        }
    }
    // Object Lock, or a Deny of deletion.
    let locked = bucket.attribute("object_lock_enabled").is_some_and(|attr| {
        node_bool(&attr.value) != Some(false)
            && !matches!(&attr.value.kind, NodeKind::String(Value::Known(t)) if t == "Disabled")
    }) || !bucket_settings(unit, bucket, EntityKind::S3BucketObjectLock).is_empty();
    if !locked && !deletion_denied {
        ctx.report(bucket.span, format!("The audit log bucket `{name}` has neither Object Lock nor a Deny of `s3:DeleteObject*`: whoever can write to it can delete old log versions"))
            .severity(Severity::Info);
    }
    // Server access logging to another bucket.
    let logging = bucket_settings(unit, bucket, EntityKind::S3BucketLogging);
    let target =
        logging.iter().find_map(|entity| entity.attribute("target_bucket").map(|attr| &attr.value)).or_else(|| {
            let object = &bucket.attribute("logging")?.value;
            object_member(object, "target_bucket").or_else(|| object_member(object, "DestinationBucketName"))
        });
    match target {
        Some(target) if super::names_entity(target, bucket, "bucket") => {
            ctx.report(target.span, format!("The audit log bucket `{name}` writes its access logs into itself"))
                .severity(Severity::Warning);
        }
        Some(_) => {}
        None if bucket.attribute("logging").is_some() => {}
        None => {
            ctx.report(bucket.span, format!("The audit log bucket `{name}` has no server access logging"))
                .severity(Severity::Warning);
        }
    }
}

/// Block Public Access of the bucket (its own, CloudFormation's embedded one, or the account's).
fn check_public_access_block(unit: &Unit<'_>, ctx: &mut RuleContext<'_>, bucket: &Entity) {
    let name = &bucket.address;
    let account_blocks = unit
        .entities_of(EntityKind::S3AccountPublicAccessBlock)
        .any(|block| FLAGS.iter().all(|flag| block.bool(flag) != Some(false) && block.attribute(flag).is_some()));
    if account_blocks {
        return;
    }
    let blocks = bucket_settings(unit, bucket, EntityKind::S3BucketPublicAccessBlock);
    if let Some(embedded) = bucket.attribute("public_access_block") {
        for flag in FLAGS {
            let pascal = pascal_case(flag);
            match object_member(&embedded.value, &pascal) {
                Some(value) if node_bool(value) == Some(false) => {
                    ctx.report(value.span, format!("`{pascal}` of the audit log bucket `{name}` is false"))
                        .severity(Severity::Warning);
                }
                Some(_) => {}
                None => {
                    ctx.report(embedded.key_span, format!("`{pascal}` of the audit log bucket `{name}` is not set"))
                        .severity(Severity::Warning);
                }
            }
        }
        return;
    }
    let Some(block) = blocks.first() else {
        ctx.report(
            bucket.span,
            format!("The audit log bucket `{name}` has no public access block, nor has the account"),
        )
        .severity(Severity::Warning);
        return;
    };
    for flag in FLAGS {
        match block.attribute(flag) {
            Some(attr) if node_bool(&attr.value) == Some(false) => {
                ctx.report(attr.value.span, format!("`{flag}` of the audit log bucket `{name}` is false"))
                    .severity(Severity::Warning);
            }
            Some(_) => {}
            None => {
                ctx.report(
                    block.span,
                    format!("`{flag}` of the audit log bucket `{name}` is not set (it defaults to false)"),
                )
                .severity(Severity::Warning);
            }
        }
    }
}

/// An Allow of the bucket policy: public, or a delivery grant not scoped to the trail.
fn check_grant(ctx: &mut RuleContext<'_>, stmt: &Statement, principal: &PrincipalElement, name: &str) {
    if condition_has_unknown(stmt) {
        return;
    }
    for item in principal_items(principal) {
        match &item.shape {
            PrincipalShape::Anyone if !stmt.has_condition() => {
                ctx.report(item.value.span, format!("The policy of the audit log bucket `{name}` allows anyone"));
            }
            PrincipalShape::Service(service)
                if service == "cloudtrail.amazonaws.com"
                    && !has_narrowing_key(stmt, "aws:SourceArn")
                    && !has_narrowing_key(stmt, "aws:SourceAccount") =>
            {
                ctx.report(
                    item.value.span,
                    format!(
                        "The policy of the audit log bucket `{name}` lets CloudTrail deliver for any account's trail"
                    ),
                )
                .severity(Severity::Warning)
                .note("test `aws:SourceArn` or `aws:SourceAccount`, so that only this account's trails can write here");
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    const SAFE_BUCKET: &str = r#"
resource "aws_s3_bucket" "audit" {
  bucket = "acme-audit"
}
resource "aws_s3_account_public_access_block" "a" {
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket_versioning" "audit" {
  bucket = aws_s3_bucket.audit.id
  versioning_configuration {
    status = "Enabled"
  }
}
resource "aws_s3_bucket_logging" "audit" {
  bucket        = aws_s3_bucket.audit.id
  target_bucket = "acme-access-logs"
}
resource "aws_s3_bucket_policy" "audit" {
  bucket = aws_s3_bucket.audit.id
  policy = jsonencode({
    Statement = [
      {
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:DeleteObject*"
        Resource  = "arn:aws:s3:::acme-audit/*"
      },
      {
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "arn:aws:s3:::acme-audit/AWSLogs/*"
        Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
      },
    ]
  })
}
resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = "acme-audit"
}
"#;

    #[test]
    fn audit_bucket_not_protected() {
        RuleTest::new(&super::AuditBucketNotProtected)
            .pass(case::hcl(SAFE_BUCKET))
            .fail_with(
                case::hcl(&SAFE_BUCKET.replace("status = \"Enabled\"", "status = \"Suspended\"")),
                "Versioning of the audit log bucket `aws_s3_bucket.audit` is `Suspended`",
            )
            .fail_with(
                case::hcl(&SAFE_BUCKET.replace("Condition = { StringEquals = { \"aws:SourceAccount\" = \"123456789012\" } }", "")),
                "any account's trail",
            )
            .fail_with(case::hcl(&SAFE_BUCKET.replace("Effect    = \"Deny\"", "Effect    = \"Allow\"")), "allows anyone")
            .fail_with(case::hcl(&SAFE_BUCKET.replace("\"acme-access-logs\"", "aws_s3_bucket.audit.id")), "into itself")
            .fail_with(case::hcl(&SAFE_BUCKET.replace("ignore_public_acls      = true\n", "")), "no public access block")
            // A bucket from a variable cannot be checked.
            .fail_with(
                case::hcl("variable \"bucket\" {}\nresource \"aws_cloudtrail\" \"t\" {\n  s3_bucket_name = var.bucket\n}\n"),
                "not verifiable here",
            )
            .pass(case::hcl("resource \"aws_cloudtrail\" \"t\" {\n  s3_bucket_name = \"elsewhere\"\n}\nmodule \"b\" {\n  source = \"nozaq/secure-baseline/aws\"\n}\n"))
            .fail_with(
                case::cfn("Resources:\n  AuditBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n        Status: Enabled\n      ObjectLockEnabled: true\n      LoggingConfiguration:\n        DestinationBucketName: logs\n      PublicAccessBlockConfiguration:\n        BlockPublicAcls: true\n        BlockPublicPolicy: false\n        IgnorePublicAcls: true\n        RestrictPublicBuckets: true\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n      S3BucketName: !Ref AuditBucket\n"),
                "`BlockPublicPolicy` of the audit log bucket `AuditBucket` is false",
            )
            // A bucket policy resource of the template grants to anyone.
            .fail_with(
                case::cfn("Resources:\n  AuditBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      ObjectLockEnabled: true\n      VersioningConfiguration:\n        Status: Enabled\n      LoggingConfiguration:\n        DestinationBucketName: logs\n  AuditPolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref AuditBucket\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: '*'\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::audit/*\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n      S3BucketName: !Ref AuditBucket\n"),
                "allows anyone",
            )
            .run();
    }
}
