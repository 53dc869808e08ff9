//! The rule test harness: pass, fail and fix vectors, and the examples of each rule's docs.

use rein_diagnostics::Finding;
use rein_model::json::{JsonRenderer, parse_policy};
use rein_model::{DocumentOrigin, PolicyKind, SourceSyntax, SpanMap, SyntaxIssueKind};
use rein_text::{FileId, TextSize, apply_edits};

use crate::docs::RuleDocs;
use crate::engine::{CheckInput, RuleOptions, Settings, check};
use crate::meta::{FixAvailability, Frontend};
use crate::registry::Rule;

/// One input of a rule test.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    text: String,
    kind: Option<PolicyKind>,
    options: RuleOptions,
}

impl Case {
    /// The same case run with these rule options.
    pub(crate) fn with_options(mut self, options: RuleOptions) -> Case {
        self.options = options;
        self
    }
}

pub(crate) mod case {
    use super::Case;
    use rein_model::PolicyKind;

    /// A policy JSON document whose type is inferred.
    pub(crate) fn policy_json(text: &str) -> Case {
        Case { text: text.to_owned(), kind: None, options: Default::default() }
    }

    /// A policy JSON document of the given type (`identity`, `trust`, `scp`, …).
    pub(crate) fn policy_json_as(kind: &str, text: &str) -> Case {
        let kind = PolicyKind::parse(kind);
        assert!(kind.is_some(), "unknown policy type in test case");
        Case { text: text.to_owned(), kind, options: Default::default() }
    }
}

enum Expect {
    Pass,
    Fail,
    /// At least one finding whose message contains this text.
    FailWith(String),
    Fix(String),
}

/// Runs one rule over cases and checks what it reports.
pub(crate) struct RuleTest {
    rule: &'static dyn Rule,
    cases: Vec<(Case, Expect)>,
}

/// Runs only `rule` over one case.
pub(crate) fn run_rule(rule: &'static dyn Rule, case: &Case) -> Vec<Finding> {
    let file = FileId(0);
    let origin = DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None };
    let doc = parse_policy(&case.text, &SpanMap::identity(file, TextSize::from(0)), case.kind.clone(), origin);
    let renderer = JsonRenderer { file, text: &case.text };
    let settings =
        Settings { select: vec![rule.meta().id.to_owned()], options: case.options.clone(), ..Settings::default() };
    check(&[CheckInput { document: &doc, renderer: Some(&renderer) }], &settings)
}

fn describe(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("  {} {:?} {}", f.rule, f.span.range, f.message)).collect::<Vec<_>>().join("\n")
}

impl RuleTest {
    pub(crate) fn new(rule: &'static dyn Rule) -> Self {
        Self { rule, cases: Vec::new() }
    }

    pub(crate) fn pass(mut self, case: Case) -> Self {
        self.cases.push((case, Expect::Pass));
        self
    }

    pub(crate) fn fail(mut self, case: Case) -> Self {
        self.cases.push((case, Expect::Fail));
        self
    }

    pub(crate) fn fail_with(mut self, case: Case, message_part: &str) -> Self {
        self.cases.push((case, Expect::FailWith(message_part.to_owned())));
        self
    }

    /// Applying the first fix of every finding turns `case` into `after`, which re-parses.
    pub(crate) fn fix(mut self, case: Case, after: &str) -> Self {
        self.cases.push((case, Expect::Fix(after.to_owned())));
        self
    }

    pub(crate) fn run(mut self) {
        let meta = self.rule.meta();
        let id = meta.id;
        // The examples of the rule's own documentation are test cases too.
        let docs = RuleDocs::parse(&meta.documentation());
        let mut n_doc_examples = 0;
        for block in docs.code_blocks() {
            let mut words = block.lang.split_whitespace();
            if words.next() != Some("policy-json") {
                continue;
            }
            let case = match words.next() {
                Some(kind) => case::policy_json_as(kind, &block.code),
                None => case::policy_json(&block.code),
            };
            match block.section.as_str() {
                "Example" => {
                    n_doc_examples += 1;
                    self.cases.push((case, Expect::Fail));
                }
                "Use instead" => self.cases.push((case, Expect::Pass)),
                _ => {}
            }
        }
        if meta.frontends.contains(&Frontend::PolicyJson) {
            assert!(n_doc_examples > 0, "{id}: `## Example` has no `policy-json` block");
        }
        assert!(self.cases.iter().any(|(_, e)| !matches!(e, Expect::Pass)), "{id}: no failing case");
        assert!(self.cases.iter().any(|(_, e)| matches!(e, Expect::Pass)), "{id}: no passing case");

        let mut emitted_fix = false;
        for (case, expect) in &self.cases {
            let findings = run_rule(self.rule, case);
            assert!(findings.iter().all(|f| f.rule == id), "{id}: reported another rule's id");
            emitted_fix |= findings.iter().any(|f| !f.fixes.is_empty());
            for finding in &findings {
                for fix in &finding.fixes {
                    assert!(!fix.title.is_empty(), "{id}: a fix without a title");
                }
            }
            match expect {
                Expect::Pass => {
                    assert!(
                        findings.is_empty(),
                        "{id}: expected no finding for\n{}\ngot:\n{}",
                        case.text,
                        describe(&findings)
                    )
                }
                Expect::Fail => assert!(!findings.is_empty(), "{id}: expected a finding for\n{}", case.text),
                Expect::FailWith(part) => assert!(
                    findings.iter().any(|f| f.message.contains(part.as_str())),
                    "{id}: expected a finding containing `{part}` for\n{}\ngot:\n{}",
                    case.text,
                    describe(&findings)
                ),
                Expect::Fix(after) => {
                    let edits: Vec<_> =
                        findings.iter().filter_map(|f| f.fixes.first()).flat_map(|fix| fix.edits.clone()).collect();
                    assert!(
                        !edits.is_empty(),
                        "{id}: expected a fix for\n{}\ngot:\n{}",
                        case.text,
                        describe(&findings)
                    );
                    let fixed = apply_edits(&case.text, &edits).unwrap_or_default();
                    assert_eq!(fixed, *after, "{id}: fix result differs");
                    let reparsed = parse_policy(
                        &fixed,
                        &SpanMap::identity(FileId(0), TextSize::from(0)),
                        case.kind.clone(),
                        DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None },
                    );
                    assert!(
                        !reparsed.issues.iter().any(|i| i.kind == SyntaxIssueKind::JsonSyntax),
                        "{id}: the fixed text does not parse:\n{fixed}"
                    );
                }
            }
        }
        match meta.fix {
            FixAvailability::None => assert!(!emitted_fix, "{id}: declares `fix: None` but emitted a fix"),
            FixAvailability::Sometimes | FixAvailability::Always => {
                assert!(emitted_fix, "{id}: declares a fix but no case produced one");
                assert!(self.cases.iter().any(|(_, e)| matches!(e, Expect::Fix(_))), "{id}: no fix case");
            }
        }
    }
}
