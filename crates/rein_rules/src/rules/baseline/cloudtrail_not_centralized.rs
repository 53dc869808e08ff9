//! IAM506 `cloudtrail-not-centralized`.

use rein_model::EntityKind;

use super::{TrailBucket, baseline_profile, is_org, trail_bucket};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Where the trails deliver their log files.
    /// - In an organization (the configuration declares `aws_organizations_*` resources): a
    ///   warning when no trail is an organization trail (`is_organization_trail = true`) and
    ///   every trail writes to a bucket created in the same configuration, next to the
    ///   workload, rather than to a log-archive bucket elsewhere.
    /// - For a single account, in the `baseline` profile: an info when the trail writes to a
    ///   bucket of the same configuration, suggesting a bucket owned by a separate security
    ///   account.
    ///
    /// A bucket that is only named (a log-archive bucket defined elsewhere) is not reported.
    ///
    /// ## Why it matters
    /// Whoever controls the account that holds the logs can rewrite them. Logs delivered to a
    /// separate log-archive account survive a compromise of the workload account.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_organizations_organization" "org" {
    ///   feature_set = "ALL"
    /// }
    ///
    /// resource "aws_s3_bucket" "local_logs" {
    ///   bucket = "local-logs"
    /// }
    ///
    /// resource "aws_cloudtrail" "main" {
    ///   name                  = "main"
    ///   is_organization_trail = false
    ///   s3_bucket_name        = aws_s3_bucket.local_logs.id
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   Unit:
    ///     Type: AWS::Organizations::OrganizationalUnit
    ///     Properties:
    ///       Name: workloads
    ///       ParentId: r-abcd
    ///   Logs:
    ///     Type: AWS::S3::Bucket
    ///   Trail:
    ///     Type: AWS::CloudTrail::Trail
    ///     Properties:
    ///       IsLogging: true
    ///       S3BucketName: !Ref Logs
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_organizations_organization" "org" {
    ///   feature_set = "ALL"
    /// }
    ///
    /// resource "aws_cloudtrail" "main" {
    ///   name                  = "main"
    ///   is_organization_trail = true
    ///   s3_bucket_name        = "org-audit-logs-111122223333"
    /// }
    /// ```
    ///
    /// ## Options
    /// `log-archive-account-id` in `[options]` of `rein.toml` names the log-archive account. A
    /// trail whose bucket lives there counts as centralized: every bucket does when
    /// `own-account` is that account (the configuration is the log archive's own), and so does
    /// a bucket whose name holds the account id, as one created there through a provider alias
    /// usually does.
    ///
    /// ## References
    /// - AWS CloudTrail User Guide: creating a trail for an organization
    /// - AWS Security Reference Architecture: the Log Archive account
    CloudtrailNotCentralized {
        id: "IAM506",
        aliases: [],
        category: Hygiene,
        severity: Warning,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

/// Whether a bucket of the configuration lives in the configured log-archive account: the
/// configuration deploys into that account (`own_account`), or the bucket is named for it
/// (`org-audit-logs-999900001111`), as a bucket created there through a provider alias is.
fn in_archive(ctx: &RuleContext<'_>, bucket: &rein_model::Entity) -> bool {
    let options = &ctx.settings().options;
    let Some(archive) = options.log_archive_account_id.as_deref() else { return false };
    options.own_account.as_deref() == Some(archive)
        || bucket.string("bucket").and_then(Value::as_known).is_some_and(|name| name.contains(archive))
}

impl Rule for CloudtrailNotCentralized {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        let trails: Vec<_> = unit.entities_of(EntityKind::CloudTrail).collect();
        let org = is_org(unit);
        if trails.iter().any(|trail| trail.bool("is_organization_trail") == Some(true)) {
            return;
        }
        let archive = ctx.settings().options.log_archive_account_id.clone();
        let local: Vec<_> = trails
            .iter()
            .filter_map(|trail| match trail_bucket(unit, trail) {
                Some(TrailBucket::Local(bucket)) if !in_archive(ctx, bucket) => Some((trail, bucket)),
                _ => None,
            })
            .collect();
        // One trail that delivers elsewhere (or whose bucket is not known) is the central copy.
        if local.is_empty() || local.len() < trails.len() {
            return;
        }
        if !org && !baseline_profile(unit, ctx) {
            return;
        }
        for (trail, bucket) in local {
            let span = trail.attribute("s3_bucket_name").map_or(trail.span, |attr| attr.value.span);
            if org {
                let builder = ctx.report(
                    span,
                    format!(
                        "The trail `{}` is not an organization trail and writes to `{}`, a bucket created next to the workload",
                        trail.address, bucket.address
                    ),
                );
                let archive = archive.as_deref().map_or(String::new(), |account| format!(" `{account}`"));
                builder.note(format!(
                    "use an organization trail, or deliver to a bucket in the log-archive account{archive}"
                ));
            } else {
                ctx.report(
                    span,
                    format!("The trail `{}` writes to `{}`, a bucket of the same account", trail.address, bucket.address),
                )
                .severity(Severity::Info)
                .note("deliver to a bucket owned by a separate security account, so a compromised account cannot rewrite its own trail");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn a_bucket_of_the_log_archive_account_is_central() {
        const ORG: &str = "resource \"aws_organizations_organization\" \"org\" {\n  feature_set = \"ALL\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"audit-999900001111\"\n}\nresource \"aws_cloudtrail\" \"t\" {\n  s3_bucket_name = aws_s3_bucket.b.id\n}\n";
        let options = |archive: &str, own: Option<&str>| crate::RuleOptions {
            log_archive_account_id: Some(archive.to_owned()),
            own_account: own.map(str::to_owned),
            ..Default::default()
        };
        let other = ORG.replace("audit-999900001111", "audit-local");
        RuleTest::new(&super::CloudtrailNotCentralized)
            .fail_with(case::hcl(ORG), "not an organization trail")
            .fail(case::hcl(ORG).with_options(options("111122223333", None)))
            .pass(case::hcl(ORG).with_options(options("999900001111", None)))
            .fail(case::hcl(&other).with_options(options("999900001111", None)))
            .pass(case::hcl(&other).with_options(options("999900001111", Some("999900001111"))))
            .run();
    }

    #[test]
    fn cloudtrail_not_centralized() {
        RuleTest::new(&super::CloudtrailNotCentralized)
            .fail_with(
                case::hcl("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\nresource \"aws_cloudtrail\" \"t\" {\n  s3_bucket_name = \"b\"\n}\n"),
                "a bucket of the same account",
            )
            // A trail that writes to a bucket defined elsewhere.
            .pass(case::hcl("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\nresource \"aws_cloudtrail\" \"t\" {\n  s3_bucket_name = \"archive\"\n}\n"))
            .run();
    }
}
