//! Family 6xx: conditions and policy variables.

mod condition_key_not_supported_by_action;
mod condition_type_mismatch;
mod ifexists_broadens_allow;
mod mfa_condition_antipattern;
mod missing_set_operator_on_multivalued_key;
mod set_operator_misuse;
mod unknown_condition_key;
mod unknown_condition_operator;
mod wildcard_without_like_operator;

pub use condition_key_not_supported_by_action::ConditionKeyNotSupportedByAction;
pub use condition_type_mismatch::ConditionTypeMismatch;
pub use ifexists_broadens_allow::IfexistsBroadensAllow;
pub use mfa_condition_antipattern::MfaConditionAntipattern;
pub use missing_set_operator_on_multivalued_key::MissingSetOperatorOnMultivaluedKey;
pub use set_operator_misuse::SetOperatorMisuse;
pub use unknown_condition_key::UnknownConditionKey;
pub use unknown_condition_operator::UnknownConditionOperator;
pub use wildcard_without_like_operator::WildcardWithoutLikeOperator;
