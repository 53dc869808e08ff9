//! Runs the selected rules over policy documents.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rein_diagnostics::{Finding, Severity, sort_findings};
use rein_model::{EditRenderer, PolicyDocument};

use crate::context::{ExpansionCache, RuleContext};
use crate::meta::RuleStatus;
use crate::registry::{Rule, all_rules};

/// Which rules run and how they report.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Rule selectors (id, name, alias, category, or a family prefix such as `IAM1`); empty = all.
    pub select: Vec<String>,
    /// Rule selectors to turn off.
    pub ignore: Vec<String>,
    /// Severity per rule id.
    pub severity: BTreeMap<String, Severity>,
    /// Run rules in preview.
    pub preview: bool,
}

impl Settings {
    fn matches(selector: &str, rule: &dyn Rule) -> bool {
        let meta = rule.meta();
        selector.eq_ignore_ascii_case("all")
            || meta.is_named(selector)
            || meta.category.as_str().eq_ignore_ascii_case(selector)
            || (selector.len() < meta.id.len()
                && meta.id.get(..selector.len()).is_some_and(|prefix| prefix.eq_ignore_ascii_case(selector)))
    }

    /// Whether `rule` runs under these settings.
    pub fn enables(&self, rule: &dyn Rule) -> bool {
        if matches!(rule.meta().status, RuleStatus::Preview { .. }) && !self.preview {
            return false;
        }
        let selected = self.select.is_empty() || self.select.iter().any(|sel| Self::matches(sel, rule));
        selected && !self.ignore.iter().any(|sel| Self::matches(sel, rule))
    }

    /// Selectors in `select` and `ignore` that name no rule, for a usage error.
    pub fn unknown_selectors(&self) -> Vec<&str> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|sel| !all_rules().iter().any(|rule| Self::matches(sel, *rule)))
            .map(String::as_str)
            .collect()
    }
}

/// One document to check, with the renderer of the frontend that owns its text (if fixes can be
/// rendered for it).
pub struct CheckInput<'a> {
    pub document: &'a PolicyDocument,
    pub renderer: Option<&'a dyn EditRenderer>,
}

/// Runs every enabled rule over the documents and returns the findings in report order.
pub fn check(inputs: &[CheckInput<'_>], settings: &Settings) -> Vec<Finding> {
    let catalog = rein_catalog::catalog();
    let rules: Vec<&dyn Rule> = all_rules().iter().copied().filter(|rule| settings.enables(*rule)).collect();
    // Documents are independent: check them in parallel, then sort into report order.
    let mut findings: Vec<Finding> = inputs
        .par_iter()
        .flat_map_iter(|input| {
            let mut findings = Vec::new();
            let expansions = ExpansionCache::default();
            let doc = input.document;
            for rule in &rules {
                let mut ctx =
                    RuleContext::new(catalog, &expansions, settings, input.renderer, rule.meta(), &mut findings);
                rule.check_document(doc, &mut ctx);
                if !doc.is_unreadable() {
                    for stmt in &doc.statements {
                        rule.check_statement(stmt, doc, &mut ctx);
                    }
                }
            }
            findings
        })
        .collect();
    for finding in &mut findings {
        if let Some(severity) = settings.severity.get(finding.rule) {
            finding.severity = *severity;
        }
    }
    sort_findings(&mut findings);
    findings
}
