//! Family 1xx: least privilege.

mod action_resource_type_mismatch;
mod full_admin_grant;
mod resource_star_on_restrictable_action;
mod wildcard_action;

pub use action_resource_type_mismatch::ActionResourceTypeMismatch;
pub use full_admin_grant::FullAdminGrant;
pub use resource_star_on_restrictable_action::ResourceStarOnRestrictableAction;
pub use wildcard_action::WildcardAction;
