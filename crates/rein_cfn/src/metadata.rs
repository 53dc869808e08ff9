//! Suppressions written in the `Metadata` of a resource, for rein, cfn_nag and checkov.
//!
//! ```yaml
//! Metadata:
//!   rein:
//!     ignore:
//!       - id: IAM105
//!         reason: The function lists every bucket of the account by design.
//!   cfn_nag:
//!     rules_to_suppress:
//!       - id: W11
//!         reason: Needed for X-Ray.
//!   checkov:
//!     skip:
//!       - id: CKV_AWS_111
//!         comment: Log delivery needs it.
//! ```
//!
//! `rein: ignore:` also takes bare ids (`ignore: [IAM105]`), which then have no reason, and a
//! single entry instead of a list. Each suppression covers the whole resource (its logical id
//! and definition).
//!
//! SOURCE: cfn_nag's `rules_to_suppress` metadata (its README, "Per-Resource Rule
//! Suppression"); checkov's `Metadata: checkov: skip:` (checkov documentation, "Suppressing and
//! Skipping Policies", CloudFormation).

use rein_model::{Suppression, SuppressionScope, SuppressionSyntax};
use rein_text::Span;

use crate::syntax::{Kind, Tree};

/// The suppressions in the `Metadata` of one resource; `extent` is the resource's range.
pub(crate) fn suppressions(span: impl Fn(&Tree) -> Span, resource: &Tree, extent: Span) -> Vec<Suppression> {
    let Some(metadata) = resource.get("Metadata") else { return Vec::new() };
    let mut out = Vec::new();
    let tools: [(&str, &str, &str, SuppressionSyntax); 3] = [
        ("rein", "ignore", "reason", SuppressionSyntax::Rein),
        ("cfn_nag", "rules_to_suppress", "reason", SuppressionSyntax::CfnNag),
        ("checkov", "skip", "comment", SuppressionSyntax::Checkov),
    ];
    for (tool, list, reason_key, syntax) in tools {
        let Some(entries) = metadata.get(tool).and_then(|tool| tool.get(list)) else { continue };
        let items: Vec<&Tree> = match &entries.kind {
            Kind::Seq(items) => items.iter().collect(),
            _ => vec![entries],
        };
        for item in items {
            // An entry that names no rule is kept with an empty rule, so that it is reported
            // rather than dropped.
            let (rule, reason) = match &item.kind {
                // A bare id: no reason given.
                Kind::Scalar(scalar) => (scalar.text.trim().to_owned(), None),
                Kind::Map(_) => {
                    let rule = item.get("id").and_then(Tree::as_str).unwrap_or_default();
                    let reason = item.get(reason_key).and_then(Tree::as_str).map(str::trim).filter(|r| !r.is_empty());
                    (rule.trim().to_owned(), reason.map(str::to_owned))
                }
                _ => (String::new(), None),
            };
            out.push(Suppression { rule, reason, span: span(item), scope: SuppressionScope::Range(extent), syntax });
        }
    }
    out
}
