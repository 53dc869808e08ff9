//! Property tests of the public API of `rein_catalog`: wildcard expansion against a reference
//! glob, case-insensitive lookups, did-you-mean, `Resource` pattern parsing and ARN template
//! matching.
//!
//! Inputs are either arbitrary text (the "never panics" properties, since policy text is user
//! input) or derived from the real catalogue (mutated action names, filled ARN templates), which
//! is what reaches the interesting paths. Case counts are kept small so that the whole file runs
//! in a few seconds in a debug build.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::Index;
use rein_catalog::arn::{ArnPattern, ArnPiece, UNKNOWN_TEXT, template_matches};
use rein_catalog::{Action, catalog};

/// Every action, in catalogue order.
static ACTIONS: LazyLock<Vec<Action<'static>>> = LazyLock::new(|| catalog().expand("*"));

/// Every action's full name, in catalogue order.
static FULL_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| ACTIONS.iter().map(Action::full_name).collect());

/// Every ARN template of every resource type, deduplicated.
static TEMPLATES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut templates: Vec<&'static str> =
        catalog().services().flat_map(|svc| svc.resource_types()).flat_map(|res| res.arn_templates()).collect();
    templates.sort_unstable();
    templates.dedup();
    templates
});

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Reference implementations
// ---------------------------------------------------------------------------------------------

/// Reference IAM action glob, written independently of the crate: `*` any run, `?` exactly one
/// character, everything else ASCII case-insensitive. Dynamic programming over
/// (pattern prefix, text prefix), so it is obviously correct and never exponential.
fn reference_glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // row[j]: pattern[..i] matches text[..j].
    let mut row = vec![false; t.len() + 1];
    row[0] = true;
    for &pc in &p {
        let mut next = vec![false; t.len() + 1];
        if pc == '*' {
            // `*` absorbs text[..j] for any j at or after the first reachable position.
            let mut reachable = false;
            for j in 0..=t.len() {
                reachable |= row[j];
                next[j] = reachable;
            }
        } else {
            for j in 1..=t.len() {
                next[j] = row[j - 1] && (pc == '?' || pc.eq_ignore_ascii_case(&t[j - 1]));
            }
        }
        row = next;
        if !row.contains(&true) {
            return false;
        }
    }
    row[t.len()]
}

/// The parts of an ARN template, as the catalogue documents them: `${Name}` (and `{Name}`,
/// which one template uses) are placeholders, a literal `*` is "any run", the rest is literal.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Lit(char),
    Placeholder,
    Star,
}

fn template_parts(template: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        let body = rest.strip_prefix("${").or_else(|| rest.strip_prefix('{'));
        if let Some((_, after)) = body.and_then(|body| body.split_once('}')) {
            parts.push(Part::Placeholder);
            rest = after;
            continue;
        }
        parts.push(if c == '*' { Part::Star } else { Part::Lit(c) });
        rest = &rest[c.len_utf8()..];
    }
    parts
}

/// Fills every placeholder (and literal `*`) of a template; `fill(n)` gives the text for the
/// `n`-th hole.
fn fill_template(template: &str, mut fill: impl FnMut(usize) -> String) -> String {
    let mut out = String::new();
    let mut hole = 0;
    for part in template_parts(template) {
        match part {
            Part::Lit(c) => out.push(c),
            Part::Placeholder | Part::Star => {
                out.push_str(&fill(hole));
                hole += 1;
            }
        }
    }
    out
}

fn n_holes(template: &str) -> usize {
    template_parts(template).iter().filter(|part| !matches!(part, Part::Lit(_))).count()
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Text that is valid inside any ARN field: no `/`, `:`, wildcard or `${`.
fn safe_value() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9][a-zA-Z0-9._-]{0,11}"
}

/// Arbitrary text, biased towards the characters that matter to ARN and action syntax.
fn arn_ish_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        "[a-z0-9:/*?${}_-]{0,60}",
        "arn:[a-z*?]{0,6}:[a-z0-9*?${}]{0,8}:[a-z0-9-*]{0,10}:[0-9*?]{0,12}:[a-zA-Z0-9/:*?${}]{0,30}",
    ]
}

/// An action name mangled into a pattern: per character, keep it, flip its case, replace it by
/// `?`, or replace it (and possibly the following ones) by `*`; sometimes truncate and end in `*`.
fn action_pattern() -> impl Strategy<Value = String> {
    (any::<Index>(), prop::collection::vec(0u8..20, 0..64), prop::option::of(any::<Index>())).prop_map(
        |(idx, ops, truncate)| {
            let name = &FULL_NAMES[idx.index(FULL_NAMES.len())];
            let chars: Vec<char> = name.chars().collect();
            let end = truncate.map_or(chars.len(), |cut| cut.index(chars.len() + 1));
            let mut out = String::new();
            let mut i = 0;
            while i < end {
                let c = chars[i];
                match ops.get(i).copied().unwrap_or(0) {
                    15 | 16 => out.push(c.to_ascii_uppercase()),
                    17 => out.push(c.to_ascii_lowercase()),
                    18 => out.push('?'),
                    19 => {
                        out.push('*');
                        // Swallow up to three more characters into the same star.
                        i += usize::from(ops.get(i + 1).copied().unwrap_or(0) % 4);
                    }
                    _ => out.push(c),
                }
                i += 1;
            }
            if end < chars.len() {
                out.push('*');
            }
            out
        },
    )
}

fn any_action_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => action_pattern(),
        1 => "[a-zA-Z0-9:*?]{0,12}",
        1 => "[a-z0-9-]{1,8}:[A-Za-z]{0,3}\\*",
    ]
}

/// A real action name with one typo (delete, insert, substitute or transpose), or not.
fn typo_name() -> impl Strategy<Value = String> {
    (any::<Index>(), 0u8..5, any::<Index>(), "[a-zA-Z0-9:]").prop_map(|(idx, op, pos, c)| {
        let mut chars: Vec<char> = FULL_NAMES[idx.index(FULL_NAMES.len())].chars().collect();
        let at = pos.index(chars.len());
        let c = c.chars().next().unwrap();
        match op {
            0 => {
                chars.remove(at);
            }
            1 => chars.insert(at, c),
            2 => chars[at] = c,
            3 if at + 1 < chars.len() => chars.swap(at, at + 1),
            _ => {}
        }
        chars.into_iter().collect()
    })
}

fn arn_pieces() -> impl Strategy<Value = Vec<Option<String>>> {
    prop::collection::vec(prop::option::weighted(0.8, arn_ish_text()), 0..5)
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

#[test]
fn reference_glob_sanity() {
    assert!(reference_glob("s3:Get*", "s3:GetObject"));
    assert!(reference_glob("S3:GET?BJECT", "s3:GetObject"));
    assert!(reference_glob("*", ""));
    assert!(reference_glob("a*b*c", "aXbYbZc"));
    assert!(!reference_glob("a*b*c", "aXbYbZ"));
    assert!(!reference_glob("?", ""));
    assert!(!reference_glob("s3:*Object", "s3:GetObjectAcl"));
}

/// Every template matches the ARN obtained by filling its placeholders with `abc`, and `*`
/// matches every template. Exhaustive over the catalogue.
#[test]
fn every_template_matches_its_own_filled_arn_and_star() {
    let star = ArnPattern::parse("*");
    assert!(!TEMPLATES.is_empty());
    for template in TEMPLATES.iter() {
        let concrete = fill_template(template, |_| "abc".to_owned());
        let pattern = ArnPattern::parse(&concrete);
        assert!(template_matches(template, &pattern), "{template} does not match its own instance {concrete}");
        assert!(template_matches(template, &star), "`*` vs {template}");
    }
}

/// `action(name)` finds every action under its lower- and upper-cased names. Exhaustive.
#[test]
fn action_lookup_ignores_case_for_every_action() {
    for (action, full) in ACTIONS.iter().zip(FULL_NAMES.iter()) {
        for name in [full.to_ascii_lowercase(), full.to_ascii_uppercase()] {
            let found = catalog().action(&name);
            assert_eq!(found, Some(*action), "{name}");
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn template_matches_never_panics(template in arn_ish_text(), pattern in arn_ish_text()) {
        let _ = template_matches(&template, &ArnPattern::parse(&pattern));
    }

    #[test]
    fn template_matches_never_panics_on_real_templates(
        idx in any::<Index>(),
        pattern in arn_ish_text(),
    ) {
        let template = TEMPLATES[idx.index(TEMPLATES.len())];
        let _ = template_matches(template, &ArnPattern::parse(&pattern));
    }

    /// Any safe filling of a template's placeholders matches it; so does the same ARN with one
    /// filled value generalised to `*`, or one character of it to `?`.
    #[test]
    fn filled_template_matches(
        idx in any::<Index>(),
        values in prop::collection::vec(safe_value(), 8),
        widened in any::<Index>(),
        star in any::<bool>(),
    ) {
        let template = TEMPLATES[idx.index(TEMPLATES.len())];
        let value = |n: usize| values[n % values.len()].clone();
        let concrete = fill_template(template, value);
        prop_assert!(
            template_matches(template, &ArnPattern::parse(&concrete)),
            "{} vs {}", template, concrete
        );
        let holes = n_holes(template);
        if holes > 0 {
            let target = widened.index(holes);
            let general = fill_template(template, |n| {
                if n != target {
                    value(n)
                } else if star {
                    "*".to_owned()
                } else {
                    let mut v = value(n);
                    v.replace_range(..1, "?");
                    v
                }
            });
            prop_assert!(
                template_matches(template, &ArnPattern::parse(&general)),
                "{} vs {}", template, general
            );
        }
    }

    /// An ARN filled in with another literal service never matches a template whose service
    /// field is literal (the colons cannot shift: non-last placeholders never match `:`).
    #[test]
    fn other_service_never_matches(idx in any::<Index>(), value in safe_value()) {
        let template = TEMPLATES[idx.index(TEMPLATES.len())];
        let fields: Vec<&str> = template.splitn(4, ':').collect();
        prop_assume!(fields.len() == 4 && fields[0] == "arn");
        prop_assume!(template_parts(fields[2]).iter().all(|p| matches!(p, Part::Lit(_))));
        let concrete = fill_template(template, |_| value.clone());
        let service_field = concrete.split(':').nth(2).unwrap().to_owned();
        let other = concrete.replacen(
            &format!(":{service_field}:"),
            ":notaservicezz:",
            1,
        );
        prop_assert!(
            !template_matches(template, &ArnPattern::parse(&other)),
            "{} vs {}", template, other
        );
    }

    /// Parsing never panics, keeps the text verbatim, and every accessor is total.
    #[test]
    fn arn_pattern_parse_never_panics(text in arn_ish_text()) {
        let pattern = ArnPattern::parse(&text);
        prop_assert_eq!(pattern.text(), text.as_str());
        let _ = (
            pattern.is_star(),
            pattern.has_policy_variable(),
            pattern.has_wildcard(),
            pattern.is_arn(),
            pattern.partition(),
            pattern.service(),
            pattern.region(),
            pattern.account(),
            pattern.resource(),
        );
        prop_assert!(!pattern.has_unknown());
        if let Some(literal) = pattern.literal() {
            prop_assert!(!pattern.has_wildcard());
            if !text.contains("${") {
                prop_assert_eq!(literal, text);
            }
        }
    }

    #[test]
    fn arn_pattern_from_pieces_never_panics(pieces in arn_pieces()) {
        let borrowed: Vec<ArnPiece<'_>> = pieces
            .iter()
            .map(|piece| piece.as_deref().map_or(ArnPiece::Unknown, ArnPiece::Text))
            .collect();
        let pattern = ArnPattern::from_pieces(&borrowed);
        let expected: String = pieces.iter().map(|p| p.as_deref().unwrap_or(UNKNOWN_TEXT)).collect();
        prop_assert_eq!(pattern.text(), expected.as_str());
        prop_assert_eq!(pattern.has_unknown(), pieces.iter().any(Option::is_none));
        let _ = (pattern.resource(), pattern.service(), pattern.literal());
        if let Some(template) = TEMPLATES.first() {
            let _ = template_matches(template, &pattern);
        }
    }

    /// `action(name)` ignores case: random case changes of a real name find the same action.
    #[test]
    fn action_lookup_is_case_insensitive(idx in any::<Index>(), flips in prop::collection::vec(any::<bool>(), 64)) {
        let i = idx.index(ACTIONS.len());
        let mangled: String = FULL_NAMES[i]
            .chars()
            .zip(flips.iter().cycle())
            .map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
            .collect();
        let found = catalog().action(&mangled);
        prop_assert_eq!(found, Some(ACTIONS[i]));
        prop_assert_eq!(found.unwrap().full_name(), FULL_NAMES[i].clone());
    }

    /// `suggest_action` never panics, never suggests its input (in any case), and suggests only
    /// known actions in canonical spelling, at most three.
    #[test]
    fn suggest_action_is_total_and_never_echoes(name in prop_oneof![3 => typo_name(), 1 => arn_ish_text()]) {
        let suggestions = catalog().suggest_action(&name);
        prop_assert!(suggestions.len() <= 3, "{:?}", suggestions);
        for suggestion in &suggestions {
            prop_assert!(
                !suggestion.eq_ignore_ascii_case(name.trim()),
                "{:?} suggests itself", name
            );
            let action = catalog().action(suggestion);
            prop_assert!(action.is_some(), "{:?} suggests unknown {}", name, suggestion);
            prop_assert_eq!(&action.unwrap().full_name(), suggestion);
        }
        if catalog().action(&name).is_some() {
            prop_assert!(suggestions.is_empty());
        }
    }
}

proptest! {
    // Each case scans every action with the reference glob, so fewer cases.
    #![proptest_config(config(64))]

    /// `expand` returns exactly the actions whose full name the (trimmed) pattern matches under
    /// the reference glob; in particular `expand(p)` ⊆ that set.
    #[test]
    fn expand_agrees_with_reference_glob(pattern in any_action_pattern()) {
        let expanded: Vec<String> = catalog().expand(&pattern).iter().map(Action::full_name).collect();
        let trimmed = pattern.trim();
        let reference: Vec<String> = FULL_NAMES
            .iter()
            .filter(|name| reference_glob(trimmed, name))
            .cloned()
            .collect();
        for name in &expanded {
            prop_assert!(reference_glob(trimmed, name), "{:?} expanded to non-matching {}", pattern, name);
        }
        prop_assert_eq!(expanded, reference, "pattern {:?}", pattern);
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// `expand` is deterministic and sorted by (service prefix, action name), case-insensitively,
    /// without duplicates.
    #[test]
    fn expand_is_deterministic_and_sorted(pattern in any_action_pattern()) {
        let first = catalog().expand(&pattern);
        let second = catalog().expand(&pattern);
        prop_assert_eq!(&first, &second);
        let keys: Vec<(String, String)> = first
            .iter()
            .map(|a| (a.service().prefix().to_ascii_lowercase(), a.name().to_ascii_lowercase()))
            .collect();
        for pair in keys.windows(2) {
            prop_assert!(pair[0] < pair[1], "{:?}: {:?} before {:?}", pattern, pair[0], pair[1]);
        }
    }
}
