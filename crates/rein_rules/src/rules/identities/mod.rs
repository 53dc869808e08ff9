//! Family 4xx: identities and credentials.
//!
//! These rules read the entity inventory of a unit (users, keys, login profiles, the account
//! password policy) rather than policy statements; the helpers here are what several of them
//! share.

mod compute_without_role;
mod delegation_without_boundary_condition;
mod hardcoded_or_exposed_credentials;
mod identity_data;
mod login_profile_hygiene;
mod long_term_access_key;
mod password_complexity;
mod password_max_age;
mod password_min_length;
mod password_policy_missing;
mod password_reuse_prevention;
mod permissions_boundary_missing;
mod policy_attachment_hygiene;
mod prefer_federated_identities;
mod session_duration_excessive;
mod user_direct_policy;

pub use compute_without_role::ComputeWithoutRole;
pub use delegation_without_boundary_condition::DelegationWithoutBoundaryCondition;
pub use hardcoded_or_exposed_credentials::HardcodedOrExposedCredentials;
pub use login_profile_hygiene::LoginProfileHygiene;
pub use long_term_access_key::LongTermAccessKey;
pub use password_complexity::PasswordComplexity;
pub use password_max_age::PasswordMaxAge;
pub use password_min_length::PasswordMinLength;
pub use password_policy_missing::PasswordPolicyMissing;
pub use password_reuse_prevention::PasswordReusePrevention;
pub use permissions_boundary_missing::PermissionsBoundaryMissing;
pub use policy_attachment_hygiene::PolicyAttachmentHygiene;
pub use prefer_federated_identities::PreferFederatedIdentities;
pub use session_duration_excessive::SessionDurationExcessive;
pub use user_direct_policy::UserDirectPolicy;

use rein_diagnostics::Applicability;
use rein_model::{Entity, PolicyEdit};

use crate::context::RuleContext;

/// What a numeric setting of an entity is.
pub(crate) enum Setting {
    /// Not written; the provider's default applies.
    Unset,
    /// A known number.
    Known(f64),
    /// Written, but not known statically (a variable without default, a reference).
    Unknown,
}

pub(crate) fn setting(entity: &Entity, name: &str) -> Setting {
    match entity.attribute(name) {
        None => Setting::Unset,
        Some(_) => entity.number(name).map_or(Setting::Unknown, Setting::Known),
    }
}

/// Reports a numeric setting below `minimum`: on the value when it is written (with a fix that
/// sets `minimum`), on the resource when it is not (`unset` says what then applies).
pub(crate) fn require_at_least(ctx: &mut RuleContext<'_>, entity: &Entity, name: &str, minimum: f64, unset: &str) {
    match setting(entity, name) {
        Setting::Unset => {
            ctx.report(entity.span, format!("`{name}` is not set, so {unset}; it should be at least {minimum}"));
        }
        Setting::Known(value) if value < minimum => {
            let Some(attr) = entity.attribute(name) else { return };
            let literal = format!("{minimum}");
            ctx.report(attr.value.span, format!("`{name}` is {value}; it should be at least {minimum}")).fix(
                format!("Set `{name}` to {minimum}"),
                Applicability::Unsafe,
                vec![PolicyEdit::ReplaceLiteral { target: attr.value.span, literal }],
            );
        }
        Setting::Known(_) | Setting::Unknown => {}
    }
}

/// The entity of `kind` that an attribute of `entity` names: by reference
/// (`aws_iam_user.ci.name`, `!Ref User`), or by a literal name equal to the entity's `name`.
pub(crate) fn named_entity<'a>(
    unit: &crate::engine::Unit<'a>,
    entity: &Entity,
    attribute: &str,
    kind: rein_model::EntityKind,
) -> Option<&'a Entity> {
    let node = entity.items(attribute).into_iter().next()?;
    if let Some(reference) = rein_model::inventory::node_reference(node) {
        return unit.entities_of(kind).find(|candidate| candidate.address == reference.entity);
    }
    let rein_model::NodeKind::String(rein_model::Value::Known(name)) = &node.kind else { return None };
    unit.entities_of(kind)
        .find(|candidate| candidate.string("name").and_then(rein_model::Value::as_known) == Some(name))
}

/// Whether an attribute of `entity` names `target` (by reference or by its literal name), in a
/// single-valued attribute or in any item of a list.
pub(crate) fn names_entity(entity: &Entity, attribute: &str, target: &Entity) -> bool {
    let target_name = target.string("name").and_then(rein_model::Value::as_known);
    entity.items(attribute).into_iter().any(|node| match rein_model::inventory::node_reference(node) {
        Some(reference) => reference.entity == target.address,
        None => match &node.kind {
            rein_model::NodeKind::String(rein_model::Value::Known(name)) => Some(name.as_str()) == target_name,
            _ => false,
        },
    })
}
