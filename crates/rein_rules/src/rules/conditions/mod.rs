//! Family 6xx: conditions and policy variables.

mod condition_key_irrelevant_for_policy_type;
mod condition_key_not_supported_by_action;
mod condition_type_mismatch;
mod iac_policy_variable_escape;
mod ifexists_broadens_allow;
mod mfa_condition_antipattern;
mod missing_set_operator_on_multivalued_key;
mod network_condition_misuse;
mod policy_variable_misuse;
mod set_operator_misuse;
mod unknown_condition_key;
mod unknown_condition_operator;
mod wildcard_without_like_operator;

pub use condition_key_irrelevant_for_policy_type::ConditionKeyIrrelevantForPolicyType;
pub use condition_key_not_supported_by_action::ConditionKeyNotSupportedByAction;
pub use condition_type_mismatch::ConditionTypeMismatch;
pub use iac_policy_variable_escape::IacPolicyVariableEscape;
pub use ifexists_broadens_allow::IfexistsBroadensAllow;
pub use mfa_condition_antipattern::MfaConditionAntipattern;
pub use missing_set_operator_on_multivalued_key::MissingSetOperatorOnMultivaluedKey;
pub use network_condition_misuse::NetworkConditionMisuse;
pub use policy_variable_misuse::PolicyVariableMisuse;
pub use set_operator_misuse::SetOperatorMisuse;
pub use unknown_condition_key::UnknownConditionKey;
pub use unknown_condition_operator::UnknownConditionOperator;
pub use wildcard_without_like_operator::WildcardWithoutLikeOperator;

/// Offers renaming the operator `op` of `block` to `new_name` (unsafe). Not when the operator
/// tests several keys (the rename would change them all), nor when the block already has an
/// operator of that name (the two would collide).
pub(crate) fn rename_operator<'c, 'a>(
    finding: crate::context::FindingBuilder<'c, 'a>,
    op: &rein_model::ConditionOperator,
    block: &rein_model::ConditionBlock,
    new_name: &str,
) -> crate::context::FindingBuilder<'c, 'a> {
    if op.entries.len() != 1 || block.operators.iter().any(|other| other.key.name.eq_ignore_ascii_case(new_name)) {
        return finding;
    }
    finding.fix(
        format!("Replace `{}` with `{new_name}`", op.key.name),
        rein_diagnostics::Applicability::Unsafe,
        vec![rein_model::PolicyEdit::ReplaceString { target: op.key.span, value: new_name.to_owned() }],
    )
}
