//! What a rule sees while it runs, and how it reports.

use foldhash::HashMap;
use std::cell::RefCell;
use std::rc::Rc;

use rein_catalog::{Action, Catalog};
use rein_diagnostics::{Applicability, Finding, Fix, Severity};
use rein_model::{EditRenderer, PolicyEdit};
use rein_text::Span;

use crate::engine::Settings;
use crate::meta::RuleMeta;

/// How many distinct patterns a thread keeps expanded before it starts afresh.
const MAX_CACHED_EXPANSIONS: usize = 4096;

thread_local! {
    /// Wildcard expansions, shared by every rule and every document a thread checks: several
    /// rules ask what `*:Describe*` means, the same patterns recur across the files of a
    /// configuration, and expanding one can walk the whole catalogue. The catalogue never changes,
    /// so an entry never goes stale; the bound keeps a long-running process from growing.
    static EXPANSIONS: RefCell<Expansions> = RefCell::new(Expansions::default());
}

/// The expansions of one catalogue (the embedded one, in practice).
#[derive(Default)]
struct Expansions {
    catalog: usize,
    by_pattern: HashMap<Box<str>, Rc<[Action<'static>]>>,
}

fn expand_cached(catalog: &'static Catalog, pattern: &str) -> Rc<[Action<'static>]> {
    let catalog_id = std::ptr::from_ref(catalog) as usize;
    EXPANSIONS.with_borrow_mut(|cache| {
        if cache.catalog != catalog_id || cache.by_pattern.len() >= MAX_CACHED_EXPANSIONS {
            cache.catalog = catalog_id;
            cache.by_pattern.clear();
        }
        if let Some(found) = cache.by_pattern.get(pattern) {
            return Rc::clone(found);
        }
        let expanded: Rc<[Action<'static>]> = catalog.expand(pattern).into();
        cache.by_pattern.insert(pattern.into(), Rc::clone(&expanded));
        expanded
    })
}

/// The context of one rule run over one document.
pub struct RuleContext<'a> {
    catalog: &'static Catalog,
    settings: &'a Settings,
    renderer: Option<&'a dyn EditRenderer>,
    rule: &'static RuleMeta,
    findings: &'a mut Vec<Finding>,
}

impl<'a> RuleContext<'a> {
    pub(crate) fn new(
        catalog: &'static Catalog,
        settings: &'a Settings,
        renderer: Option<&'a dyn EditRenderer>,
        rule: &'static RuleMeta,
        findings: &'a mut Vec<Finding>,
    ) -> Self {
        Self { catalog, settings, renderer, rule, findings }
    }

    pub fn catalog(&self) -> &'static Catalog {
        self.catalog
    }

    /// The catalogue actions an action pattern names (case-insensitive, `*` and `?` anywhere),
    /// in catalogue order; empty for unknown names.
    pub fn expand(&self, pattern: &str) -> Rc<[Action<'static>]> {
        expand_cached(self.catalog, pattern)
    }

    /// The catalogue action called `name` (case-insensitive), as [`Catalog::action`] answers,
    /// remembered per thread with the expansions: rules look up the same names in every
    /// statement that lists them.
    pub fn action(&self, name: &str) -> Option<Action<'static>> {
        if name.contains(['*', '?']) {
            return None;
        }
        expand_cached(self.catalog, name.trim()).first().copied()
    }

    pub fn settings(&self) -> &Settings {
        self.settings
    }

    /// What another rule reports for one document, with this run's catalogue, expansions and
    /// settings and no fixes: for rules that build on another rule's verdict (IAM309 asks
    /// whether a role's policies trigger IAM101 or IAM203).
    pub(crate) fn findings_of(
        &self,
        rule: &dyn crate::registry::Rule,
        doc: &rein_model::PolicyDocument,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut ctx = RuleContext::new(self.catalog, self.settings, None, rule.meta(), &mut findings);
        rule.check_document(doc, &mut ctx);
        if !doc.is_unreadable() {
            for stmt in &doc.statements {
                rule.check_statement(stmt, doc, &mut ctx);
            }
        }
        findings
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

    /// Names a part of the finding that a suppression may name on its own (`IAM403/symbols`);
    /// it must be one of the rule's declared sub-codes.
    pub fn sub_code(mut self, code: &'static str) -> Self {
        debug_assert!(self.ctx.rule.sub_codes.contains(&code), "undeclared sub-code `{code}`");
        if let Some(finding) = &mut self.finding {
            finding.sub_codes.push(code);
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
