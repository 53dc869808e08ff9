//! Family 0xx: policy grammar and validity.

mod invalid_or_duplicate_sid;
mod invalid_principal;
mod invalid_resource_arn;
mod invalid_suppression;
mod malformed_statement;
mod policy_parse_error;
mod policy_size_quota;
mod policy_type_conformance;
mod policy_version;
mod unknown_action;
mod unresolved_policy_value;
mod unused_suppression;

pub use invalid_or_duplicate_sid::InvalidOrDuplicateSid;
pub use invalid_principal::InvalidPrincipal;
pub use invalid_resource_arn::InvalidResourceArn;
pub use invalid_suppression::InvalidSuppression;
pub use malformed_statement::MalformedStatement;
pub use policy_parse_error::PolicyParseError;
pub use policy_size_quota::PolicySizeQuota;
pub use policy_type_conformance::PolicyTypeConformance;
pub use policy_version::PolicyVersion;
pub use unknown_action::UnknownAction;
pub use unresolved_policy_value::UnresolvedPolicyValue;
pub use unused_suppression::UnusedSuppression;
