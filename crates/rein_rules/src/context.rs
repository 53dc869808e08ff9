//! What a rule sees while it runs, and how it reports.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use rein_catalog::{Action, Catalog};
use rein_diagnostics::{Applicability, Finding, Fix, Severity};
use rein_model::{EditRenderer, PolicyEdit};
use rein_text::Span;

use crate::engine::Settings;
use crate::meta::RuleMeta;

/// Wildcard expansions of one document, shared by every rule that checks it: several rules ask
/// what `*:Describe*` means, and expanding it walks the whole catalogue.
#[derive(Default)]
pub(crate) struct ExpansionCache {
    expansions: RefCell<HashMap<String, Rc<[Action<'static>]>>>,
}

impl ExpansionCache {
    fn expand(&self, catalog: &'static Catalog, pattern: &str) -> Rc<[Action<'static>]> {
        if let Some(found) = self.expansions.borrow().get(pattern) {
            return Rc::clone(found);
        }
        let expanded: Rc<[Action<'static>]> = catalog.expand(pattern).into();
        self.expansions.borrow_mut().insert(pattern.to_owned(), Rc::clone(&expanded));
        expanded
    }
}

/// The context of one rule run over one document.
pub struct RuleContext<'a> {
    catalog: &'static Catalog,
    expansions: &'a ExpansionCache,
    settings: &'a Settings,
    renderer: Option<&'a dyn EditRenderer>,
    rule: &'static RuleMeta,
    findings: &'a mut Vec<Finding>,
}

impl<'a> RuleContext<'a> {
    pub(crate) fn new(
        catalog: &'static Catalog,
        expansions: &'a ExpansionCache,
        settings: &'a Settings,
        renderer: Option<&'a dyn EditRenderer>,
        rule: &'static RuleMeta,
        findings: &'a mut Vec<Finding>,
    ) -> Self {
        Self { catalog, expansions, settings, renderer, rule, findings }
    }

    pub fn catalog(&self) -> &'static Catalog {
        self.catalog
    }

    /// The catalogue actions an action pattern names (case-insensitive, `*` and `?` anywhere),
    /// in catalogue order; empty for unknown names.
    pub fn expand(&self, pattern: &str) -> Rc<[Action<'static>]> {
        self.expansions.expand(self.catalog, pattern)
    }

    pub fn settings(&self) -> &Settings {
        self.settings
    }

    /// Starts a finding at the rule's default severity; it is recorded when the builder drops.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> FindingBuilder<'_, 'a> {
        let finding = Finding::new(self.rule.id, self.rule.name(), self.rule.severity, span, message);
        FindingBuilder { ctx: self, finding: Some(finding) }
    }
}

/// A finding under construction. It is pushed to the results when dropped.
pub struct FindingBuilder<'c, 'a> {
    ctx: &'c mut RuleContext<'a>,
    finding: Option<Finding>,
}

impl FindingBuilder<'_, '_> {
    pub fn severity(mut self, severity: Severity) -> Self {
        if let Some(finding) = &mut self.finding {
            finding.severity = severity;
        }
        self
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        if let Some(finding) = &mut self.finding {
            finding.labels.push(rein_diagnostics::Label { span, message: message.into() });
        }
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        if let Some(finding) = &mut self.finding {
            finding.notes.push(note.into());
        }
        self
    }

    /// Adds a fix made of model edits. The document's frontend renders them into text; when it
    /// cannot render every edit, the fix is dropped (the finding stays).
    pub fn fix(mut self, title: impl Into<String>, applicability: Applicability, edits: Vec<PolicyEdit>) -> Self {
        let Some(renderer) = self.ctx.renderer else {
            return self;
        };
        // No edit, no fix: the rule could not express the change in the model.
        if edits.is_empty() {
            return self;
        }
        let mut text_edits = Vec::new();
        for edit in &edits {
            match renderer.render(edit) {
                Some(rendered) => text_edits.extend(rendered),
                None => return self,
            }
        }
        if let Some(finding) = &mut self.finding {
            finding.fixes.push(Fix::new(title, applicability, text_edits));
        }
        self
    }
}

impl Drop for FindingBuilder<'_, '_> {
    fn drop(&mut self) {
        if let Some(finding) = self.finding.take() {
            self.ctx.findings.push(finding);
        }
    }
}
