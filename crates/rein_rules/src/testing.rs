//! The rule test harness: pass, fail and fix vectors, and the examples of each rule's docs.

use rein_diagnostics::Finding;
use rein_model::json::{JsonRenderer, parse_policy};
use rein_model::{DocumentOrigin, PolicyDocument, PolicyKind, SourceSyntax, SpanMap, SyntaxIssueKind};
use rein_text::{FileId, SourceDb, TextSize, apply_edits};

use crate::docs::RuleDocs;
use crate::engine::{CheckInput, Profile, RuleOptions, Settings, Unit, UnitSource, check, check_units};
use crate::meta::{FixAvailability, Frontend};
use crate::registry::Rule;

/// The syntax a test case is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    PolicyJson,
    /// A `.tf` file of its own (one module).
    Hcl,
    /// A CloudFormation template in YAML or JSON.
    Cfn,
}

impl Syntax {
    fn frontend(self) -> Frontend {
        match self {
            Syntax::PolicyJson => Frontend::PolicyJson,
            Syntax::Hcl => Frontend::Hcl,
            Syntax::Cfn => Frontend::Cfn,
        }
    }

    /// The syntax of a documentation fence, from its first word.
    fn of_fence(lang: &str) -> Option<Syntax> {
        match lang {
            "policy-json" => Some(Syntax::PolicyJson),
            "hcl" => Some(Syntax::Hcl),
            "cfn-yaml" | "cfn-json" => Some(Syntax::Cfn),
            _ => None,
        }
    }
}

/// One input of a rule test.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    text: String,
    kind: Option<PolicyKind>,
    syntax: Syntax,
    options: RuleOptions,
}

impl Case {
    /// The case with a rule option that a documentation fence names after its syntax
    /// (```` ```hcl membership_complete ````, ```` ```policy-json identity forbid=kms:*,* ````),
    /// for rules that run only when it is set.
    fn with_fence_option(mut self, option: Option<&str>) -> Case {
        match option {
            None => {}
            Some("membership_complete") => self.options.membership_complete = true,
            // `forbid=ACTION,RESOURCE[,PRINCIPAL]`: a forbidden access of IAM210.
            Some(other) if other.starts_with("forbid=") => {
                let mut parts = other.trim_start_matches("forbid=").split(',');
                let action = parts.next().unwrap_or_default().to_owned();
                let resource = parts.next().unwrap_or("*").to_owned();
                let principal = parts.next().map(str::to_owned);
                self.options.forbidden_access.push(crate::engine::ForbiddenAccess { action, resource, principal });
            }
            Some(other) => panic!("unknown option `{other}` in a documentation fence"),
        }
        self
    }

    /// The same case run with these rule options.
    pub(crate) fn with_options(mut self, options: RuleOptions) -> Case {
        self.options = options;
        self
    }
}

pub(crate) mod case {
    use super::{Case, RuleOptions, Syntax};
    use rein_model::PolicyKind;

    /// A policy JSON document whose type is inferred.
    pub(crate) fn policy_json(text: &str) -> Case {
        Case { text: text.to_owned(), kind: None, syntax: Syntax::PolicyJson, options: RuleOptions::default() }
    }

    /// A policy JSON document of the given type (`identity`, `trust`, `scp`, …).
    pub(crate) fn policy_json_as(kind: &str, text: &str) -> Case {
        let kind = PolicyKind::parse(kind);
        assert!(kind.is_some(), "unknown policy type in test case");
        Case { text: text.to_owned(), kind, syntax: Syntax::PolicyJson, options: RuleOptions::default() }
    }

    /// A Terraform file; the policy types come from the consuming attributes.
    pub(crate) fn hcl(text: &str) -> Case {
        Case { text: text.to_owned(), kind: None, syntax: Syntax::Hcl, options: RuleOptions::default() }
    }

    /// A CloudFormation template (YAML or JSON).
    pub(crate) fn cfn(text: &str) -> Case {
        Case { text: text.to_owned(), kind: None, syntax: Syntax::Cfn, options: RuleOptions::default() }
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
    /// The cases test one aspect (an option); the rule's main test shows its fix.
    focused: bool,
}

/// Runs only `rule` over one case.
pub(crate) fn run_rule(rule: &'static dyn Rule, case: &Case) -> Vec<Finding> {
    // The baseline profile, so that the baseline existence checks run on their examples too; the
    // other rules do not depend on the profile.
    run_rule_in_profile(rule, case, Profile::Baseline)
}

pub(crate) fn run_rule_in_profile(rule: &'static dyn Rule, case: &Case, profile: Profile) -> Vec<Finding> {
    let settings = Settings {
        select: vec![rule.meta().id.to_owned()],
        profile,
        options: case.options.clone(),
        ..Settings::default()
    };
    let read = read_case(case);
    let mut db = SourceDb::new();
    let file = db.add("case", case.text.clone());
    let json_renderer = JsonRenderer { file, text: &case.text };
    let hcl_renderer = rein_hcl::HclRenderer { db: &db };
    let cfn_renderer = rein_cfn::CfnRenderer::new(file, &case.text);
    let cfn_documents: Vec<_> = read.documents.iter().map(|doc| cfn_renderer.document(doc.origin.syntax)).collect();
    let cfn_entities = cfn_renderer.document(SourceSyntax::Structured);
    let renderer: Option<&dyn rein_model::EditRenderer> = match case.syntax {
        Syntax::PolicyJson => Some(&json_renderer),
        Syntax::Hcl => Some(&hcl_renderer),
        Syntax::Cfn => Some(&cfn_entities),
    };
    let inputs: Vec<CheckInput<'_>> = read
        .documents
        .iter()
        .zip(&cfn_documents)
        .map(|(document, cfn)| {
            let renderer =
                if case.syntax == Syntax::Cfn { Some(cfn as &dyn rein_model::EditRenderer) } else { renderer };
            CheckInput { document, renderer }
        })
        .collect();
    let mut findings = check(&inputs, &settings);
    if case.syntax != Syntax::PolicyJson {
        let source = if case.syntax == Syntax::Hcl { UnitSource::Terraform } else { UnitSource::CloudFormation };
        let unit = Unit {
            name: "case".to_owned(),
            source,
            documents: read.documents.iter().collect(),
            entities: read.entities.iter().collect(),
            modules: read.modules.iter().collect(),
            anchor: rein_text::Span::new(file, rein_text::range_from_offsets(0, 0)),
            renderer,
        };
        findings.extend(check_units(&[unit], &settings));
    }
    findings
}

/// What a case holds, read by the frontend of its syntax.
struct Read {
    documents: Vec<PolicyDocument>,
    entities: Vec<rein_model::Entity>,
    modules: Vec<rein_model::ModuleCall>,
}

/// The documents a case holds, read by the frontend of its syntax; syntax errors of HCL and
/// templates fail the test, since a broken example documents nothing.
fn read_case(case: &Case) -> Read {
    let file = FileId(0);
    match case.syntax {
        Syntax::PolicyJson => {
            let origin = DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None, branch: false };
            let doc = parse_policy(&case.text, &SpanMap::identity(file, TextSize::from(0)), case.kind.clone(), origin);
            Read { documents: vec![doc], entities: Vec::new(), modules: Vec::new() }
        }
        Syntax::Hcl => {
            let output = rein_hcl::analyze_file(file, &case.text);
            assert!(output.issues.is_empty(), "HCL case does not parse: {:?}\n{}", output.issues, case.text);
            let mut documents = output.documents;
            documents.extend(output.unknown_policies.into_iter().map(rein_model::UnknownPolicy::into_document));
            Read { documents, entities: output.entities, modules: output.modules }
        }
        Syntax::Cfn => {
            let output = rein_cfn::analyze_template(file, &case.text);
            assert!(output.issues.is_empty(), "template case does not parse: {:?}\n{}", output.issues, case.text);
            let mut documents = output.documents;
            documents.extend(output.unknown_policies.into_iter().map(rein_model::UnknownPolicy::into_document));
            Read { documents, entities: output.entities, modules: Vec::new() }
        }
    }
}

fn describe(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("  {} {:?} {}", f.rule, f.span.range, f.message)).collect::<Vec<_>>().join("\n")
}

impl RuleTest {
    pub(crate) fn new(rule: &'static dyn Rule) -> Self {
        Self { rule, cases: Vec::new(), focused: false }
    }

    /// A test of one aspect of the rule, such as an option, whose cases need not show the fix
    /// the rule declares: its main test does.
    pub(crate) fn focused(rule: &'static dyn Rule) -> Self {
        Self { rule, cases: Vec::new(), focused: true }
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
            let Some(syntax) = words.next().and_then(Syntax::of_fence) else { continue };
            let mut case = match (syntax, words.next()) {
                (Syntax::PolicyJson, Some(kind)) => case::policy_json_as(kind, &block.code),
                (Syntax::PolicyJson, None) => case::policy_json(&block.code),
                (Syntax::Hcl, option) => case::hcl(&block.code).with_fence_option(option),
                (Syntax::Cfn, option) => case::cfn(&block.code).with_fence_option(option),
            };
            for option in words {
                case = case.with_fence_option(Some(option));
            }
            match block.section.as_str() {
                "Example" => {
                    if syntax == Syntax::PolicyJson {
                        n_doc_examples += 1;
                    }
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
        // A rule that says it applies to a frontend shows it failing there.
        for frontend in meta.frontends {
            assert!(
                self.cases.iter().any(|(case, e)| case.syntax.frontend() == *frontend && !matches!(e, Expect::Pass)),
                "{id}: lists {frontend:?} but has no failing case in it"
            );
        }
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
                    let reparsed = read_case(&Case { text: fixed.clone(), ..case.clone() });
                    assert!(
                        !reparsed
                            .documents
                            .iter()
                            .any(|doc| doc.issues.iter().any(|i| i.kind == SyntaxIssueKind::JsonSyntax)),
                        "{id}: the fixed text does not parse:\n{fixed}"
                    );
                    // The findings the fixes were for are gone: none with the same message on
                    // the same text remains.
                    let fixed_case = Case { text: fixed.clone(), ..case.clone() };
                    let remaining = run_rule(self.rule, &fixed_case);
                    let text_of = |text: &str, finding: &Finding| {
                        text.get(std::ops::Range::<usize>::from(finding.span.range)).map(str::to_owned)
                    };
                    for finding in findings.iter().filter(|f| !f.fixes.is_empty()) {
                        let same = remaining.iter().find(|other| {
                            other.message == finding.message && text_of(&fixed, other) == text_of(&case.text, finding)
                        });
                        assert!(same.is_none(), "{id}: the fix leaves `{}` in\n{fixed}", finding.message);
                    }
                }
            }
        }
        match meta.fix {
            FixAvailability::None => assert!(!emitted_fix, "{id}: declares `fix: None` but emitted a fix"),
            FixAvailability::Sometimes | FixAvailability::Always if !self.focused => {
                assert!(emitted_fix, "{id}: declares a fix but no case produced one");
                assert!(self.cases.iter().any(|(_, e)| matches!(e, Expect::Fix(_))), "{id}: no fix case");
            }
            FixAvailability::Sometimes | FixAvailability::Always => {}
        }
    }
}
