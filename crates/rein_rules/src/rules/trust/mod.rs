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
