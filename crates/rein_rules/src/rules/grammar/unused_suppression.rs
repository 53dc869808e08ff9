//! IAM012 `unused-suppression`.

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Suppressions (`# rein:ignore IAM105 reason`, CloudFormation `Metadata: rein: ignore:`,
    /// the peers' comment forms, and the entries of a policy JSON file's `.rein.toml` sidecar)
    /// that hid no finding in the run. It is reported only by `rein check
    /// --report-unused-ignores`, and only for suppressions of rules that ran.
    ///
    /// ## Why it matters
    /// A suppression outlives the finding it was written for: the statement was fixed, moved or
    /// deleted. Left in place it silences the next, unrelated problem of the same rule at that
    /// spot without anyone having looked at it.
    ///
    /// ## Example
    /// ```hcl
    /// # rein:ignore IAM103 the sandbox account holds only this bucket
    /// resource "aws_iam_policy" "read" {
    ///   policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::sandbox/*" }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_policy" "read" {
    ///   policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::sandbox/*" }]
    ///   })
    /// }
    /// ```
    ///
    /// ## References
    /// - rein documentation: suppressing findings
    UnusedSuppression {
        id: "IAM012",
        aliases: [],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl, Cfn, PolicyJson],
    }
}

/// The check runs in `rein check` after suppressions were applied, when it knows which of them
/// hid a finding; there is no document or statement hook.
impl Rule for UnusedSuppression {}
