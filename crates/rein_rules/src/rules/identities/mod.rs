//! Family 4xx: identities and credentials.
//!
//! These rules read the entity inventory of a unit (users, keys, login profiles, the account
//! password policy) rather than policy statements; the helpers here are what several of them
//! share.

mod compute_without_role;
mod delegation_without_boundary_condition;
mod group_membership_hygiene;
mod hardcoded_or_exposed_credentials;
mod identity_data;
mod login_profile_hygiene;
mod long_term_access_key;
mod mfa_not_enforced;
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
pub use group_membership_hygiene::GroupMembershipHygiene;
pub use hardcoded_or_exposed_credentials::HardcodedOrExposedCredentials;
pub use login_profile_hygiene::LoginProfileHygiene;
pub use long_term_access_key::LongTermAccessKey;
pub use mfa_not_enforced::MfaNotEnforced;
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
use rein_model::{AttributeValue, Entity, PolicyDocument, PolicyEdit};

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
/// sets `minimum`), on the resource when it is not (with a fix that adds the setting; `unset`
/// says what applies without it).
pub(crate) fn require_at_least(ctx: &mut RuleContext<'_>, entity: &Entity, name: &str, minimum: f64, unset: &str) {
    match setting(entity, name) {
        Setting::Unset => {
            ctx.report(entity.span, format!("`{name}` is not set, so {unset}; it should be at least {minimum}")).fix(
                format!("Set `{name}` to {minimum}"),
                Applicability::Unsafe,
                vec![PolicyEdit::insert_attribute(entity.extent, name, AttributeValue::literal(minimum))],
            );
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

/// What reaches a principal: the identity documents the unit holds for it, the managed policy
/// ARNs it cannot read, and what it could not resolve (a group or policy defined elsewhere, a
/// value from a variable).
#[derive(Default)]
pub(crate) struct Reaching<'a> {
    /// Each document with the group it comes through, if any.
    pub documents: Vec<(&'a PolicyDocument, Option<&'a Entity>)>,
    /// Managed policies attached by a literal ARN that no policy of the unit has (AWS managed
    /// policies, policies of other stacks).
    pub managed_arns: Vec<String>,
    /// What could not be followed, for messages.
    pub unresolved: Vec<String>,
    /// The principal's groups found in the unit.
    pub groups: Vec<&'a Entity>,
}

/// The attributes that name a principal of `kind` in inline policies, attachments and
/// CloudFormation managed policies.
fn principal_attributes(kind: rein_model::EntityKind) -> [&'static str; 2] {
    match kind {
        rein_model::EntityKind::User => ["user", "users"],
        rein_model::EntityKind::Group => ["group", "groups"],
        _ => ["role", "roles"],
    }
}

/// The managed policy a node names: a policy of the unit (by reference, or by a literal ARN that
/// ends in its name), else the literal ARN, else nothing known.
enum ManagedRef<'a> {
    InUnit(&'a Entity),
    Arn(String),
    Unknown(String),
}

fn managed_ref<'a>(unit: &crate::engine::Unit<'a>, node: &rein_model::Node) -> ManagedRef<'a> {
    if let Some(reference) = rein_model::inventory::node_reference(node) {
        return match unit.entities_of(rein_model::EntityKind::ManagedPolicy).find(|p| p.address == reference.entity) {
            Some(policy) => ManagedRef::InUnit(policy),
            None => ManagedRef::Unknown(format!("`{}`", reference.entity)),
        };
    }
    match &node.kind {
        rein_model::NodeKind::String(rein_model::Value::Known(arn)) => {
            let name = arn.rsplit('/').next().unwrap_or_default();
            let in_unit = unit.entities_of(rein_model::EntityKind::ManagedPolicy).find(|policy| {
                !arn.starts_with("arn:aws:iam::aws:")
                    && policy.string("name").and_then(rein_model::Value::as_known) == Some(name)
            });
            match in_unit {
                Some(policy) => ManagedRef::InUnit(policy),
                None => ManagedRef::Arn(arn.clone()),
            }
        }
        _ => ManagedRef::Unknown("a policy ARN that is not known statically".to_owned()),
    }
}

/// Adds what is attached to `principal` itself (not through groups).
fn add_direct<'a>(
    unit: &crate::engine::Unit<'a>,
    principal: &'a Entity,
    via: Option<&'a Entity>,
    out: &mut Reaching<'a>,
) {
    let attributes = principal_attributes(principal.kind);
    let names = |entity: &Entity| attributes.iter().any(|attribute| names_entity(entity, attribute, principal));
    let add_managed = |node: &rein_model::Node, out: &mut Reaching<'a>| match managed_ref(unit, node) {
        ManagedRef::InUnit(policy) => {
            out.documents.extend(unit.documents_of(&policy.address).map(|doc| (doc, via)));
        }
        ManagedRef::Arn(arn) => out.managed_arns.push(arn),
        ManagedRef::Unknown(what) => out.unresolved.push(what),
    };
    for doc in unit.documents_of(&principal.address) {
        if crate::rules::escalation::is_identity_side(doc) {
            out.documents.push((doc, via));
        }
    }
    for node in principal.items("managed_policy_arns") {
        add_managed(node, out);
    }
    for entity in &unit.entities {
        match entity.kind {
            rein_model::EntityKind::InlinePolicy if names(entity) => {
                out.documents.extend(unit.documents_of(&entity.address).map(|doc| (doc, via)));
            }
            rein_model::EntityKind::ManagedPolicy if names(entity) => {
                out.documents.extend(unit.documents_of(&entity.address).map(|doc| (doc, via)));
            }
            rein_model::EntityKind::PolicyAttachment if names(entity) => {
                for node in entity.items("policy_arn") {
                    add_managed(node, out);
                }
            }
            _ => {}
        }
    }
}

/// The groups of a user: memberships (either direction) and the user's own `groups`.
fn groups_of<'a>(unit: &crate::engine::Unit<'a>, user: &'a Entity, out: &mut Reaching<'a>) {
    let mut nodes: Vec<&'a rein_model::Node> = user.items("groups");
    for membership in unit.entities_of(rein_model::EntityKind::GroupMembership) {
        if ["user", "users"].iter().any(|attribute| names_entity(membership, attribute, user)) {
            nodes.extend(membership.items("group"));
            nodes.extend(membership.items("groups"));
        }
    }
    for node in nodes {
        let group = match rein_model::inventory::node_reference(node) {
            Some(reference) => unit.entities_of(rein_model::EntityKind::Group).find(|g| g.address == reference.entity),
            None => match &node.kind {
                rein_model::NodeKind::String(rein_model::Value::Known(name)) => unit
                    .entities_of(rein_model::EntityKind::Group)
                    .find(|g| g.string("name").and_then(rein_model::Value::as_known) == Some(name)),
                _ => None,
            },
        };
        match group {
            Some(group) if !out.groups.iter().any(|known| known.address == group.address) => out.groups.push(group),
            Some(_) => {}
            None => out.unresolved.push(match &node.kind {
                rein_model::NodeKind::String(rein_model::Value::Known(name)) => format!("group `{name}`"),
                _ => "a group that is not known statically".to_owned(),
            }),
        }
    }
}

/// Everything that reaches `principal` (a user, group or role), groups included for users.
pub(crate) fn reaching<'a>(unit: &crate::engine::Unit<'a>, principal: &'a Entity) -> Reaching<'a> {
    let mut out = Reaching::default();
    add_direct(unit, principal, None, &mut out);
    if principal.kind == rein_model::EntityKind::User {
        groups_of(unit, principal, &mut out);
        for group in out.groups.clone() {
            add_direct(unit, group, Some(group), &mut out);
        }
    }
    out.documents.dedup_by(|a, b| std::ptr::eq(a.0, b.0));
    out
}
