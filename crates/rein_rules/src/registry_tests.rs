//! Checks over the whole registry: unique identities and complete documentation.

use std::collections::HashSet;

use crate::docs::{REQUIRED_SECTIONS, RuleDocs};
use crate::meta::FixAvailability;
use crate::registry::all_rules;

#[test]
fn ids_names_and_aliases_are_unique() {
    let mut seen = HashSet::new();
    for rule in all_rules() {
        let meta = rule.meta();
        assert!(seen.insert(meta.id.to_ascii_lowercase()), "duplicate id {}", meta.id);
        assert!(seen.insert(meta.name().to_owned()), "duplicate name {}", meta.name());
        assert!(meta.id.len() == 6 && meta.id.starts_with("IAM") && meta.id[3..].bytes().all(|b| b.is_ascii_digit()));
    }
    // An alias may be shared by rules that split a peer's check, but never equal an id or name.
    for rule in all_rules() {
        for alias in rule.meta().aliases {
            let lower = alias.to_ascii_lowercase();
            assert!(
                !all_rules()
                    .iter()
                    .any(|other| other.meta().id.eq_ignore_ascii_case(&lower) || other.meta().name() == lower),
                "alias {alias} of {} equals a rule id or name",
                rule.meta().id
            );
        }
    }
}

#[test]
fn rules_are_in_id_order() {
    let ids: Vec<&str> = all_rules().iter().map(|rule| rule.meta().id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
}

#[test]
fn every_rule_has_its_documentation_sections() {
    for rule in all_rules() {
        let meta = rule.meta();
        let docs = RuleDocs::parse(&meta.documentation());
        let titles: Vec<&str> = docs.sections.iter().map(|(title, _)| title.as_str()).collect();
        let mut expected: Vec<&str> = REQUIRED_SECTIONS.to_vec();
        if meta.fix != FixAvailability::None {
            expected.insert(4, "Fix safety");
        }
        let present: Vec<&str> = titles.iter().copied().filter(|t| *t != "Options").collect();
        assert_eq!(present, expected, "{}: documentation sections", meta.id);
        assert!(!docs.summary().is_empty(), "{}: empty summary", meta.id);
        let example = docs.section("Example").unwrap_or_default();
        assert!(example.contains("```"), "{}: `## Example` has no code block", meta.id);
    }
}
