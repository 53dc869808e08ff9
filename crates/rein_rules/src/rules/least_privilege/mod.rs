//! Family 1xx: least privilege.

mod action_resource_type_mismatch;
mod allow_with_notaction;
mod allow_with_notresource;
mod full_admin_grant;
mod privileged_managed_policy_attached;
mod redundant_policy_content;
mod resource_star_on_restrictable_action;
mod wildcard_action;
mod wildcard_reaches_privileged_access_level;

pub use action_resource_type_mismatch::ActionResourceTypeMismatch;
pub use allow_with_notaction::AllowWithNotaction;
pub use allow_with_notresource::AllowWithNotresource;
pub use full_admin_grant::FullAdminGrant;
pub use privileged_managed_policy_attached::PrivilegedManagedPolicyAttached;
pub(crate) use privileged_managed_policy_attached::managed_policy_class;
pub use redundant_policy_content::RedundantPolicyContent;
pub use resource_star_on_restrictable_action::ResourceStarOnRestrictableAction;
pub use wildcard_action::WildcardAction;
pub use wildcard_reaches_privileged_access_level::WildcardReachesPrivilegedAccessLevel;
