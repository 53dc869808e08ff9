//! Family 2xx: privilege escalation and sensitive access.
//!
//! Every rule here reports an action only when an `Allow` reaches it on unnarrowed resources
//! (effective star, account-wide, or `NotResource`) and no unconditional Deny of the same document
//! takes it back; a condition-scoped statement is reported one severity step lower (RULES.md §3).

mod create_slr_unscoped;
mod credentials_exposure;
mod data_exfiltration;
mod defense_evasion_actions;
mod passrole_unscoped;
mod privilege_escalation_combination;
mod privilege_escalation_single_permission;
mod reference_access_checks;
mod resource_exposure;
mod resource_policy_self_escalation;
mod risk_data;

pub use create_slr_unscoped::CreateSlrUnscoped;
pub use credentials_exposure::CredentialsExposure;
pub use data_exfiltration::DataExfiltration;
pub use defense_evasion_actions::DefenseEvasionActions;
pub use passrole_unscoped::PassroleUnscoped;
pub use privilege_escalation_combination::PrivilegeEscalationCombination;
pub use privilege_escalation_single_permission::PrivilegeEscalationSinglePermission;
pub use reference_access_checks::ReferenceAccessChecks;
pub use resource_exposure::ResourceExposure;
pub use resource_policy_self_escalation::ResourcePolicySelfEscalation;

use rein_catalog::Action;
use rein_diagnostics::Severity;
use rein_model::{PolicyDocument, PolicyKind, Statement};

use crate::context::RuleContext;
use crate::semantics::{
    ActionGrant, DenyCover, UnnarrowedEntries, UnnarrowedResource, action_items, deny_cover, downgrade,
    is_condition_scoped,
};

/// At most this many actions are named in one message; the rest are counted.
const MAX_LISTED: usize = 5;

/// The policy types the statement-scope 2xx rules read: what a principal holds.
pub(crate) fn is_identity_side(doc: &PolicyDocument) -> bool {
    matches!(doc.kind, PolicyKind::Identity | PolicyKind::Session)
}

/// Whether the statement's `Action` names only `action` (any case): a condition key that only
/// this action's requests carry then narrows nothing else. Fixes that add such a condition are
/// offered only then, since the condition would deny the statement's other actions outright.
pub(crate) fn grants_only(stmt: &Statement, action: &str) -> bool {
    stmt.not_action.is_none()
        && stmt.action.as_ref().is_some_and(|list| {
            list.unknown.is_none()
                && !list.items.is_empty()
                && list.items.iter().all(|item| item.known().is_some_and(|text| text.eq_ignore_ascii_case(action)))
        })
}

/// One listed action that a statement grants on unnarrowed resources.
pub(crate) struct Hit {
    pub action: Action<'static>,
    pub severity: Severity,
    pub source: String,
    pub resource: UnnarrowedResource,
    pub deny: DenyCover,
}

/// A listed action with the severity and source its list gives it.
type Listed = (Action<'static>, Severity, String);

/// The listed actions a statement grants, grouped by the `Action` entry (or `NotAction` key)
/// that grants them. `lookup` says whether an action is listed, at which severity and why.
pub(crate) fn listed_hits<'s>(
    stmt: &'s Statement,
    doc: &PolicyDocument,
    ctx: &RuleContext<'_>,
    lookup: &dyn Fn(Action<'static>) -> Option<(Severity, String)>,
) -> Vec<(ActionGrant<'s>, Vec<Hit>)> {
    let catalog = ctx.catalog();
    // A hit needs an unnarrowed resource; a statement on specific resources has none.
    let unnarrowed = UnnarrowedEntries::of(stmt, catalog);
    if unnarrowed.is_empty() {
        return Vec::new();
    }
    let mut candidates: Vec<(ActionGrant<'s>, Vec<Listed>)> = Vec::new();
    let listed = |action: Action<'static>| lookup(action).map(|(severity, source)| (action, severity, source));
    if let Some(list) = &stmt.action {
        for item in &list.items {
            // Every action on every resource is IAM101's finding; listing each risk again adds noise.
            let Some(text) = item.known().filter(|text| !crate::semantics::is_all_actions(text)) else { continue };
            let actions: Vec<_> = ctx.expand(text).iter().copied().filter_map(listed).collect();
            if !actions.is_empty() {
                candidates.push((ActionGrant { span: item.span, text: Some(text) }, actions));
            }
        }
    } else if let Some(list) = &stmt.not_action {
        // An unknown entry may exclude anything, and an unknown is never a wildcard.
        let Some(texts) = list.items.iter().map(|item| item.known()).collect::<Option<Vec<&str>>>() else {
            return Vec::new();
        };
        let actions: Vec<_> = catalog
            .services()
            .flat_map(|service| service.actions().collect::<Vec<_>>())
            .filter_map(listed)
            .filter(|(action, ..)| {
                let name = action.full_name();
                !texts.iter().any(|text| crate::semantics::glob_matches(text, &name))
            })
            .collect();
        if !actions.is_empty() {
            candidates.push((ActionGrant { span: list.key.span, text: None }, actions));
        }
    }
    // Most documents have no Deny; then no action needs its name formatted for the Deny check.
    let has_deny = doc.statements.iter().any(Statement::is_deny);
    candidates
        .into_iter()
        .filter_map(|(grant, actions)| {
            let hits: Vec<Hit> = actions
                .into_iter()
                .filter_map(|(action, severity, source)| {
                    let resource = unnarrowed.for_action(&action)?;
                    let deny = if has_deny { deny_cover(doc, ctx, &action.full_name()) } else { DenyCover::None };
                    (deny != DenyCover::Unconditional).then_some(Hit { action, severity, source, resource, deny })
                })
                .collect();
            (!hits.is_empty()).then_some((grant, hits))
        })
        .collect()
}

/// Reports each group of [`listed_hits`] as one finding on the granting entry.
///
/// `what` completes "… on `*`: <what>", e.g. "it returns credentials".
pub(crate) fn report_hits(
    stmt: &Statement,
    ctx: &mut RuleContext<'_>,
    hits: Vec<(ActionGrant<'_>, Vec<Hit>)>,
    what: &str,
) {
    if hits.is_empty() {
        return;
    }
    let items = action_items(stmt, ctx);
    let scoped = is_condition_scoped(stmt, &items);
    for (grant, hits) in hits {
        let Some(first) = hits.first() else { continue };
        let names: Vec<String> = hits.iter().map(|hit| format!("`{}`", hit.action.full_name())).collect();
        let mut listed = names.iter().take(MAX_LISTED).cloned().collect::<Vec<_>>().join(", ");
        if names.len() > MAX_LISTED {
            listed.push_str(&format!(" and {} more", names.len() - MAX_LISTED));
        }
        let literal =
            grant.text.is_some_and(|text| hits.len() == 1 && text.eq_ignore_ascii_case(&first.action.full_name()));
        let subject = match grant.text {
            _ if literal => format!("{listed} is allowed"),
            Some(text) => format!("`{text}` allows {listed}"),
            None => format!("`NotAction` allows {listed}"),
        };
        let mut message = format!("{subject} on {}: {what}", first.resource.text);
        let mut severity = hits.iter().map(|hit| hit.severity).max().unwrap_or(Severity::Warning);
        if scoped {
            severity = downgrade(severity);
            message.push_str(" (scoped by a condition)");
        }
        let conditional_deny = hits.iter().find_map(|hit| match hit.deny {
            DenyCover::Conditional(span) => Some(span),
            _ => None,
        });
        let mut sources: Vec<&str> = Vec::new();
        for hit in &hits {
            if !sources.contains(&hit.source.as_str()) {
                sources.push(&hit.source);
            }
        }
        let mut source = sources.iter().take(MAX_LISTED).copied().collect::<Vec<_>>().join("; ");
        if sources.len() > MAX_LISTED {
            source.push_str(&format!("; and {} more", sources.len() - MAX_LISTED));
        }
        let mut finding =
            ctx.report(grant.span, message).severity(severity).label(first.resource.span, "on every resource");
        if let Some(span) = conditional_deny {
            finding =
                finding.label(span, "a conditional Deny names this action; the grant stays where it does not apply");
        }
        drop(finding.note(format!("Source: {source}")));
    }
}
