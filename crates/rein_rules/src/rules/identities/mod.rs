//! Family 4xx: identities and credentials.
//!
//! These rules read the entity inventory of a unit (users, keys, login profiles, the account
//! password policy) rather than policy statements; the helpers here are what several of them
//! share.

mod password_complexity;
mod password_max_age;
mod password_min_length;
mod password_policy_missing;
mod password_reuse_prevention;

pub use password_complexity::PasswordComplexity;
pub use password_max_age::PasswordMaxAge;
pub use password_min_length::PasswordMinLength;
pub use password_policy_missing::PasswordPolicyMissing;
pub use password_reuse_prevention::PasswordReusePrevention;

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
