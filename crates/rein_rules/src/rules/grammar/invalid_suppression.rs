//! IAM011 `invalid-suppression`.

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Suppressions written in the source (`# rein:ignore IAM105 reason`, CloudFormation
    /// `Metadata: rein: ignore:`, and the checkov and cfn_nag forms) that give no reason, and
    /// `rein:ignore` comments that name no rule rein knows (by id, name or alias).
    ///
    /// ## Why it matters
    /// A suppression hides a finding from every later reviewer. Without a reason nobody can tell
    /// whether the risk was accepted on purpose, and a misspelt rule id silences nothing while
    /// looking as if it did.
    ///
    /// ## Example
    /// ```hcl
    /// # rein:ignore IAM105
    /// resource "aws_iam_policy" "logs" {
    ///   policy = jsonencode({ Version = "2012-10-17", Statement = [] })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// # rein:ignore IAM105 the log groups are created at run time with random names
    /// resource "aws_iam_policy" "logs" {
    ///   policy = jsonencode({ Version = "2012-10-17", Statement = [] })
    /// }
    /// ```
    ///
    /// ## References
    /// - rein documentation: suppressing findings
    InvalidSuppression {
        id: "IAM011",
        aliases: [],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl, Cfn],
    }
}

/// The checks live with the suppression machinery (`crate::suppress`), which sees every
/// suppression of the analysed unit; there is no document or statement hook.
impl Rule for InvalidSuppression {}
