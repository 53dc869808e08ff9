//! "Did you mean" for names that are not IAM actions.
//!
//! Order of evidence: hand-kept API-operation hints (exact facts), then edit distance within the
//! same service, then close service prefixes. Distances use ASCII-lowercased names, because IAM
//! ignores case.

use crate::{Catalog, Service};

const MAX_SUGGESTIONS: usize = 3;

/// Largest edit distance accepted for an action name of `len` characters.
fn action_threshold(len: usize) -> usize {
    (len / 4).clamp(1, 3)
}

/// Largest edit distance accepted for a service prefix of `len` characters.
fn prefix_threshold(len: usize) -> usize {
    if len <= 3 { 1 } else { 2 }
}

pub(crate) fn suggest_action(cat: &Catalog, name: &str) -> Vec<String> {
    let name = name.trim();
    if name.is_empty() || name.contains(['*', '?']) || cat.action(name).is_some() {
        return Vec::new();
    }
    let Some((prefix, action_name)) = name.split_once(':') else {
        return suggest_without_prefix(cat, name);
    };
    if action_name.is_empty() || action_name.contains(':') {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    if let Some(hint) = cat.api_hint(name) {
        out.extend(hint.actions().filter_map(|target| cat.action(target)).map(|action| action.full_name()));
    }
    if let Some(service) = cat.service(prefix) {
        for candidate in close_actions(service, action_name) {
            push_unique(&mut out, candidate);
        }
    } else {
        for service in close_services(cat, prefix) {
            let full = format!("{}:{}", service.prefix(), action_name);
            if let Some(action) = cat.action(&full) {
                push_unique(&mut out, action.full_name());
            } else if let Some(hint) = cat.api_hint(&full) {
                for target in hint.actions().filter_map(|target| cat.action(target)) {
                    push_unique(&mut out, target.full_name());
                }
            } else {
                for candidate in close_actions(service, action_name) {
                    push_unique(&mut out, candidate);
                }
            }
        }
    }
    out.truncate(MAX_SUGGESTIONS);
    out
}

fn push_unique(out: &mut Vec<String>, candidate: String) {
    if !out.contains(&candidate) {
        out.push(candidate);
    }
}

/// A bare action name (`GetObject`): the actions of that exact name in any service.
fn suggest_without_prefix(cat: &Catalog, name: &str) -> Vec<String> {
    let mut out: Vec<String> =
        cat.services().filter_map(|svc| svc.action(name)).map(|action| action.full_name()).collect();
    if out.len() > MAX_SUGGESTIONS {
        // Too ambiguous to be useful (`ListTags` exists in dozens of services).
        out.clear();
    }
    out
}

/// Actions of `service` within the edit-distance threshold of `name`, best first.
fn close_actions(service: Service<'_>, name: &str) -> Vec<String> {
    let wanted = name.to_ascii_lowercase();
    let threshold = action_threshold(wanted.len());
    let mut scored: Vec<(usize, i64, String)> = Vec::new();
    let mut lowered = String::new();
    for action in service.actions() {
        let candidate = action.name();
        if candidate.len().abs_diff(wanted.len()) > threshold {
            continue;
        }
        lowered.clear();
        lowered.extend(candidate.chars().map(|c| c.to_ascii_lowercase()));
        let distance = strsim::damerau_levenshtein(&wanted, &lowered);
        if distance <= threshold {
            // Jaro-Winkler breaks ties in favour of a shared beginning; scaled to an integer
            // so the sort key is totally ordered.
            let similarity = (strsim::jaro_winkler(&wanted, &lowered) * 1_000_000.0) as i64;
            scored.push((distance, -similarity, action.full_name()));
        }
    }
    scored.sort();
    scored.into_iter().take(MAX_SUGGESTIONS).map(|(_, _, full)| full).collect()
}

/// Services whose prefix is within the threshold of `prefix`, best first.
fn close_services<'a>(cat: &'a Catalog, prefix: &str) -> Vec<Service<'a>> {
    let wanted = prefix.to_ascii_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    let threshold = prefix_threshold(wanted.len());
    let mut scored: Vec<(usize, &str, Service<'a>)> = cat
        .services()
        .filter_map(|svc| {
            let distance = strsim::damerau_levenshtein(&wanted, svc.prefix());
            (distance <= threshold).then_some((distance, svc.prefix(), svc))
        })
        .collect();
    scored.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    scored.into_iter().take(MAX_SUGGESTIONS).map(|(_, _, svc)| svc).collect()
}
