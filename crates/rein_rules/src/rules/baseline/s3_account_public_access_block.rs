//! IAM515 `s3-account-public-access-block`.

use rein_model::EntityKind;

use super::{require_entity, require_flag};
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The account-level S3 Block Public Access (`aws_s3_account_public_access_block`) with any
    /// of its four flags false or not set (each defaults to false), in every profile; in the
    /// `baseline` profile also a baseline that does not declare it.
    ///
    /// ## Why it matters
    /// It is the account-wide backstop behind every bucket policy: with all four flags on, no
    /// bucket of the account can be made public by a policy or an ACL mistake.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_account_public_access_block" "this" {
    ///   block_public_acls       = true
    ///   block_public_policy     = false
    ///   ignore_public_acls      = true
    ///   restrict_public_buckets = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_account_public_access_block" "this" {
    ///   block_public_acls       = true
    ///   block_public_policy     = true
    ///   ignore_public_acls      = true
    ///   restrict_public_buckets = true
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: buckets that are public on purpose (websites) stop being reachable.
    ///
    /// ## References
    /// - Amazon S3 User Guide: blocking public access to your Amazon S3 storage
    /// - AWS Security Hub control S3.1
    S3AccountPublicAccessBlock {
        id: "IAM515",
        aliases: ["S3.1"],
        category: Hygiene,
        severity: Warning,
        fix: Sometimes,
        frontends: [Hcl],
    }
}

const FLAGS: [(&str, &str); 4] = [
    ("block_public_acls", "new public ACLs are accepted"),
    ("block_public_policy", "bucket policies may make buckets public"),
    ("ignore_public_acls", "existing public ACLs take effect"),
    ("restrict_public_buckets", "public bucket policies take effect"),
];

impl Rule for S3AccountPublicAccessBlock {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        require_entity(unit, ctx, EntityKind::S3AccountPublicAccessBlock, "account-level S3 Block Public Access");
        for block in unit.entities_of(EntityKind::S3AccountPublicAccessBlock) {
            for (flag, problem) in FLAGS {
                require_flag(ctx, block, flag, true, Some(false), problem);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn s3_account_public_access_block() {
        RuleTest::new(&super::S3AccountPublicAccessBlock)
            .fail_with(case::hcl(r#"resource "aws_s3_account_public_access_block" "a" { block_public_acls = true }"#), "is not set")
            .fix(
                case::hcl("resource \"aws_s3_account_public_access_block\" \"a\" {\n  block_public_acls = true\n  block_public_policy = false\n  ignore_public_acls = true\n  restrict_public_buckets = true\n}\n"),
                "resource \"aws_s3_account_public_access_block\" \"a\" {\n  block_public_acls = true\n  block_public_policy = true\n  ignore_public_acls = true\n  restrict_public_buckets = true\n}\n",
            )
            .run();
    }
}
