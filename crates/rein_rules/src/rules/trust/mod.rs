//! Family 3xx: trust and external access.

mod allow_with_notprincipal;
mod ci_oidc_subject_too_broad;
mod compute_role_excessive_permissions;
mod external_access_grant;
mod federated_trust_missing_claims;
mod resource_policy_public;
mod service_principal_without_source;
mod trust_action_principal_mismatch;
mod trust_any_principal;
mod trust_data;
mod trust_principal_too_broad;

pub use allow_with_notprincipal::AllowWithNotprincipal;
pub use ci_oidc_subject_too_broad::CiOidcSubjectTooBroad;
pub use compute_role_excessive_permissions::ComputeRoleExcessivePermissions;
pub use external_access_grant::ExternalAccessGrant;
pub use federated_trust_missing_claims::FederatedTrustMissingClaims;
pub use resource_policy_public::ResourcePolicyPublic;
pub use service_principal_without_source::ServicePrincipalWithoutSource;
pub use trust_action_principal_mismatch::TrustActionPrincipalMismatch;
pub use trust_any_principal::TrustAnyPrincipal;
pub use trust_principal_too_broad::TrustPrincipalTooBroad;

use crate::context::FindingBuilder;
use crate::rules::prelude::*;

/// The organization id the fix writes when `org_id` is not configured, for the user to replace.
pub(super) const PLACEHOLDER_ORG_ID: &str = "o-xxxxxxxxxx";

/// Offers the fix that pins callers to the organization (`org_id` when configured, else a
/// placeholder), on the first finding of a statement.
pub(super) fn pin_to_organization<'c, 'a>(
    finding: FindingBuilder<'c, 'a>,
    stmt: &Statement,
    org_id: Option<&str>,
    offered: &mut bool,
) -> FindingBuilder<'c, 'a> {
    if std::mem::replace(offered, true) {
        return finding;
    }
    let (org_id, title) = match org_id {
        Some(org_id) => (org_id, format!("Allow only principals of organization `{org_id}`")),
        None => (
            PLACEHOLDER_ORG_ID,
            format!("Allow only principals of your organization (placeholder `{PLACEHOLDER_ORG_ID}`)"),
        ),
    };
    let edit = PolicyEdit::insert_condition(stmt, "StringEquals", "aws:PrincipalOrgID", &[org_id.to_owned()]);
    finding.fix(title, Applicability::Unsafe, edit.into_iter().collect())
}
