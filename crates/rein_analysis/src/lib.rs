//! The API boundary: source files in, policy documents and findings out.
//!
//! **Architecture invariant:** this crate does no IO and reads no environment. Files and
//! settings come in as values; the CLI and the language server are thin shells around it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use rein_cfn::{CfnRenderer, DocumentRenderer};
use rein_diagnostics::Finding;
use rein_hcl::{HclRenderer, LoadedFile, analyze_module_tree, join_module_dir, local_module_sources};
use rein_model::json::{JsonRenderer, Likelihood, looks_like_policy, parse_policy};
use rein_model::{
    DocumentOrigin, Entity, ModuleCall, PolicyDocument, PolicyKind, SourceSyntax, SpanMap, Suppression, SyntaxIssue,
    SyntaxIssueKind,
};
use rein_rules::{CheckInput, Settings, Unit, UnitSource};
use rein_text::{FileId, SourceDb, Span, TextSize, range_from_offsets};

pub use rein_rules::Settings as RuleSettings;

/// What a file holds, decided from its content (and its name only where content cannot tell).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An IAM policy document in JSON.
    PolicyJson,
    /// A Terraform configuration file (`.tf`, or `.tf.json` in Terraform's JSON syntax); the files
    /// of one directory form a module.
    Terraform,
    /// A CloudFormation (or SAM) template, JSON or YAML.
    CloudFormation,
    /// A Terraform plan as `terraform show -json` writes it; read-only (no fixes).
    TerraformPlan,
    /// A Terraform template (`.tftpl`, `.tpl`), read only where a module's `templatefile()`
    /// names it.
    TerraformTemplate,
}

/// One input file as the caller read it.
#[derive(Clone, Debug)]
pub struct SourceInput {
    /// The path as the user gave it or as the walk found it; used only for display.
    pub path: String,
    pub bytes: Vec<u8>,
    /// What to read it as; `None` to decide from the content.
    pub kind: Option<FileKind>,
    /// The policy type, when the user declared it; `None` to infer it.
    pub policy_kind: Option<PolicyKind>,
}

/// Whether a path names a Terraform configuration file (`.tf`, or `.tf.json` in Terraform's JSON
/// syntax), whatever its case: the files that form a module.
pub fn is_terraform_path(path: &str) -> bool {
    rein_hcl::is_config_path(&path.to_ascii_lowercase())
}

/// Whether a file found by a directory walk should be analysed, and as what.
///
/// JSON files are policies when they look like one; broken JSON is analysed too, so that its
/// syntax error is reported. Other JSON (package manifests, templates) is skipped.
pub fn classify(path: &str, bytes: &[u8]) -> Option<FileKind> {
    let lower = path.to_ascii_lowercase();
    if rein_hcl::is_config_path(&lower) {
        return Some(FileKind::Terraform);
    }
    // The extensions Terraform's documentation recommends for `templatefile` templates
    // (`.tftpl`), and the older `.tpl`.
    if lower.ends_with(".tftpl") || lower.ends_with(".tpl") {
        return Some(FileKind::TerraformTemplate);
    }
    let is_json = lower.ends_with(".json");
    let is_yaml = [".yaml", ".yml", ".template"].iter().any(|ext| lower.ends_with(ext));
    if !is_json && !is_yaml {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    if is_json && rein_tfplan::is_plan(&text) {
        return Some(FileKind::TerraformPlan);
    }
    if rein_cfn::is_template(&text) {
        return Some(FileKind::CloudFormation);
    }
    if !is_json {
        return None;
    }
    match looks_like_policy(&text) {
        Likelihood::Policy | Likelihood::Broken => Some(FileKind::PolicyJson),
        Likelihood::NotPolicy => None,
    }
}

/// What to read a file named explicitly by the user as: Terraform for `.tf`, CloudFormation for
/// a template (recognised by content), and policy JSON for anything else.
pub fn kind_of_named_file(path: &str, bytes: &[u8]) -> FileKind {
    let text = String::from_utf8_lossy(bytes);
    if is_terraform_path(path) {
        FileKind::Terraform
    } else if rein_tfplan::is_plan(&text) {
        FileKind::TerraformPlan
    } else if rein_cfn::is_template(&text) {
        FileKind::CloudFormation
    } else {
        FileKind::PolicyJson
    }
}

/// The result of one analysis.
#[derive(Debug, Default)]
pub struct Analysis {
    pub db: SourceDb,
    /// The documents read, with the file each came from.
    pub documents: Vec<PolicyDocument>,
    /// Findings in report order: file, start, rule id.
    pub findings: Vec<Finding>,
    /// The IaC entities of every Terraform module, plan and template read.
    pub entities: Vec<Entity>,
    /// The module calls of every Terraform module read.
    pub modules: Vec<ModuleCall>,
    /// The suppressions written in the files read.
    pub suppressions: Vec<Suppression>,
    /// How many findings the suppressions hid.
    pub n_suppressed: usize,
    /// The suppressions that hid nothing.
    pub unused_suppressions: Vec<Suppression>,
}

/// A document under `Fn::If` is read once per branch, so a finding outside the branches comes once
/// per branch: keep one, and drop the branch from its place note when the copies differ in it.
fn merge_branch_duplicates(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    for finding in findings {
        // Findings are sorted by file, start and rule, so copies sit in one run of equal keys.
        let same_key = |other: &Finding| {
            other.rule == finding.rule
                && other.span.file == finding.span.file
                && other.span.range.start() == finding.span.range.start()
        };
        let copy = out
            .iter_mut()
            .rev()
            .take_while(|other| same_key(other))
            .find(|other| other.span == finding.span && other.message == finding.message);
        if let Some(last) = copy {
            if let (Some(kept), Some(other)) = (last.notes.first_mut(), finding.notes.first())
                && kept != other
                && let Some(at) = kept.find(" (if ")
            {
                let rest = kept.get(at..).and_then(|rest| rest.find(')').map(|end| at + end + 1));
                if let Some(end) = rest {
                    kept.replace_range(at..end, "");
                }
            }
            continue;
        }
        out.push(finding);
    }
    out
}

/// Renders edits of entity attributes in the template that holds them.
struct TemplateEntityRenderer<'r, 'a> {
    templates: &'r BTreeMap<FileId, CfnRenderer<'a>>,
}

impl rein_model::EditRenderer for TemplateEntityRenderer<'_, '_> {
    fn render(&self, edit: &rein_model::PolicyEdit) -> Option<Vec<rein_text::TextEdit>> {
        let file = edit.spans().first()?.file;
        self.templates.get(&file)?.document(SourceSyntax::Structured).render(edit)
    }
}

/// One analysed unit's output, before its parts join the run's lists.
#[derive(Default)]
struct UnitOutput {
    name: String,
    /// The unit's first file.
    anchor: Option<FileId>,
    source: Option<UnitSource>,
    documents: Vec<PolicyDocument>,
    extras: Extras,
}

/// What one frontend run adds besides documents.
#[derive(Default)]
struct Extras {
    entities: Vec<Entity>,
    modules: Vec<ModuleCall>,
    suppressions: Vec<Suppression>,
}

impl Extras {
    fn append(&mut self, other: Extras) {
        self.entities.extend(other.entities);
        self.modules.extend(other.modules);
        self.suppressions.extend(other.suppressions);
    }
}

/// Reads every input into the model and runs the enabled rules.
pub fn analyze(inputs: Vec<SourceInput>, settings: &Settings) -> Analysis {
    let mut db = SourceDb::new();
    let mut pending = Vec::with_capacity(inputs.len());
    let mut modules: BTreeMap<String, Vec<FileId>> = BTreeMap::new();
    let mut templates: Vec<FileId> = Vec::new();
    let mut plans: Vec<FileId> = Vec::new();
    for input in inputs {
        let (text, invalid_at) = decode(&input.bytes);
        let kind = input.kind.unwrap_or_else(|| kind_of_named_file(&input.path, &input.bytes));
        let directory = parent_directory(&input.path).to_owned();
        let file = db.add(input.path, text);
        match (kind, invalid_at) {
            (FileKind::Terraform, None) => modules.entry(directory).or_default().push(file),
            (FileKind::CloudFormation, None) => templates.push(file),
            (FileKind::TerraformPlan, None) => plans.push(file),
            // Only the module that reads it looks at a template.
            (FileKind::TerraformTemplate, None) => {}
            _ => pending.push((file, invalid_at, input.policy_kind)),
        }
    }
    // Files are independent: read them in parallel; the order of `documents` stays the input order.
    let mut documents: Vec<PolicyDocument> = pending
        .into_par_iter()
        .filter_map(|(file, invalid_at, policy_kind)| {
            let source = db.get(file)?;
            let origin = DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None, branch: false };
            Some(match invalid_at {
                Some(offset) => unreadable(file, offset, policy_kind, origin, "file is not valid UTF-8"),
                None => parse_policy(&source.text, &SpanMap::identity(file, TextSize::from(0)), policy_kind, origin),
            })
        })
        .collect();
    let mut extras = Extras::default();
    let roots = terraform_roots(&db, &modules);
    let module_outputs: Vec<UnitOutput> = roots
        .par_iter()
        .map(|directory| {
            let (docs, more) = terraform_module(&db, &modules, directory);
            let name = if directory.is_empty() { "module `.`".to_owned() } else { format!("module `{directory}`") };
            let anchor = modules.get(directory).and_then(|files| files.first().copied());
            UnitOutput { name, anchor, source: Some(UnitSource::Terraform), documents: docs, extras: more }
        })
        .collect();
    let template_outputs: Vec<(Vec<PolicyDocument>, Extras)> = templates
        .par_iter()
        .filter_map(|file| {
            let source = db.get(*file)?;
            let output = rein_cfn::analyze_template(*file, &source.text);
            let unknowns = output.unknown_policies;
            let more = Extras { entities: output.entities, modules: Vec::new(), suppressions: output.suppressions };
            Some((frontend_documents(output.documents, output.issues, unknowns), more))
        })
        .collect();
    let plan_outputs: Vec<UnitOutput> = plans
        .par_iter()
        .filter_map(|file| {
            let source = db.get(*file)?;
            let output = rein_tfplan::analyze_plan(*file, &source.text);
            let more = Extras { entities: output.entities, ..Extras::default() };
            let documents = frontend_documents(output.documents, output.issues, output.unknown_policies);
            let name = format!("plan `{}`", source.path);
            Some(UnitOutput {
                name,
                anchor: Some(*file),
                source: Some(UnitSource::TerraformPlan),
                documents,
                extras: more,
            })
        })
        .collect();
    // The templates of one run form one unit: a baseline is often spread over several stacks.
    let mut template_unit = UnitOutput {
        name: "the templates".to_owned(),
        anchor: templates.first().copied(),
        source: Some(UnitSource::CloudFormation),
        ..UnitOutput::default()
    };
    for (docs, more) in template_outputs {
        template_unit.documents.extend(docs);
        template_unit.extras.append(more);
    }
    let mut unit_ranges = Vec::new();
    let unit_outputs =
        module_outputs.into_iter().chain((!templates.is_empty()).then_some(template_unit)).chain(plan_outputs);
    for unit in unit_outputs {
        let docs = documents.len()..documents.len() + unit.documents.len();
        let entities = extras.entities.len()..extras.entities.len() + unit.extras.entities.len();
        let calls = extras.modules.len()..extras.modules.len() + unit.extras.modules.len();
        documents.extend(unit.documents);
        extras.append(unit.extras);
        unit_ranges.push((unit.name, unit.anchor, unit.source.unwrap_or(UnitSource::Terraform), docs, entities, calls));
    }
    let json_renderers: Vec<JsonRenderer<'_>> = documents
        .iter()
        .map(|doc| JsonRenderer { file: doc.span.file, text: db.get(doc.span.file).map_or("", |f| f.text.as_str()) })
        .collect();
    let hcl_renderer = HclRenderer { db: &db };
    // One renderer per template, which parses it again only when a fix is rendered.
    let template_renderers: BTreeMap<FileId, CfnRenderer<'_>> = templates
        .iter()
        .filter_map(|file| Some((*file, CfnRenderer::new(*file, db.get(*file)?.text.as_str()))))
        .collect();
    let entity_renderer = TemplateEntityRenderer { templates: &template_renderers };
    let document_renderers: Vec<Option<DocumentRenderer<'_, '_>>> = documents
        .iter()
        .map(|doc| template_renderers.get(&doc.span.file).map(|template| template.document(doc.origin.syntax)))
        .collect();
    let inputs: Vec<CheckInput<'_>> = documents
        .iter()
        .zip(&json_renderers)
        .zip(&document_renderers)
        .map(|((document, json_renderer), template_renderer)| {
            let path = db.get(document.span.file).map(|file| file.path.to_ascii_lowercase()).unwrap_or_default();
            let in_terraform = path.ends_with(".tf");
            // The frontend that owns the text renders the fixes: JSON text as JSON, anything
            // inside a `.tf` file as HCL, anything inside a template as YAML or JSON of the
            // template (plans get none: they are read-only).
            // Terraform's JSON syntax gets no fixes: the HCL renderer's edits are native syntax.
            let in_terraform_json = rein_hcl::is_json_config_path(&path);
            let renderer: Option<&dyn rein_model::EditRenderer> = if in_terraform_json {
                None
            } else if let Some(template) = template_renderer {
                Some(template)
            } else if document.origin.syntax == SourceSyntax::Json {
                Some(json_renderer)
            } else if in_terraform {
                Some(&hcl_renderer)
            } else {
                None
            };
            CheckInput { document, renderer }
        })
        .collect();
    let units: Vec<Unit<'_>> = unit_ranges
        .into_iter()
        .map(|(name, anchor, source, docs, entities, calls)| Unit {
            name,
            source,
            documents: documents.get(docs).map(|d| d.iter().collect()).unwrap_or_default(),
            entities: extras.entities.get(entities).map(|e| e.iter().collect()).unwrap_or_default(),
            modules: extras.modules.get(calls).map(|m| m.iter().collect()).unwrap_or_default(),
            anchor: Span::new(anchor.unwrap_or(FileId(0)), range_from_offsets(0, 0)),
            renderer: match source {
                UnitSource::Terraform => Some(&hcl_renderer),
                UnitSource::CloudFormation => Some(&entity_renderer),
                UnitSource::TerraformPlan => None,
            },
        })
        .collect();
    let mut findings = rein_rules::check(&inputs, settings);
    findings.extend(rein_rules::check_units(&units, settings));
    rein_diagnostics::sort_findings(&mut findings);
    let findings = merge_branch_duplicates(findings);
    drop(units);
    let Extras { entities, modules, suppressions } = extras;
    let suppressed = rein_rules::apply_suppressions(findings, &suppressions, settings);
    Analysis {
        db,
        documents,
        findings: suppressed.findings,
        n_suppressed: suppressed.n_suppressed,
        unused_suppressions: suppressed.unused,
        entities,
        modules,
        suppressions,
    }
}

/// Decodes UTF-8, replacing invalid sequences; returns the offset of the first invalid byte.
fn decode(bytes: &[u8]) -> (String, Option<usize>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), None),
        Err(err) => (String::from_utf8_lossy(bytes).into_owned(), Some(err.valid_up_to())),
    }
}

/// The directory part of a path as given (`a/b/main.tf` → `a/b`), `""` for a bare name.
fn parent_directory(path: &str) -> &str {
    path.rfind(['/', '\\']).and_then(|idx| path.get(..idx)).unwrap_or("")
}

/// The files of one Terraform module directory for `rein_hcl`: its `.tf` files, and every other
/// file below it for `file()` and `templatefile()`, with paths relative to the directory.
fn module_files<'a>(db: &'a SourceDb, directory: &str, tf_files: &[FileId]) -> Vec<LoadedFile<'a>> {
    let relative = |path: &str| -> String {
        let rest = if directory.is_empty() { path } else { path.get(directory.len() + 1..).unwrap_or(path) };
        rest.replace('\\', "/")
    };
    db.iter()
        .filter(|source| {
            let inside = directory.is_empty()
                || source.path.strip_prefix(directory).is_some_and(|rest| rest.starts_with(['/', '\\']));
            let is_tf = is_terraform_path(&source.path);
            // This module's `.tf` files, and any other file below it for `file()`; never the
            // `.tf` files of another module.
            tf_files.contains(&source.id) || (inside && !is_tf)
        })
        .map(|source| LoadedFile { file: source.id, path: relative(&source.path), text: source.text.as_str() })
        .collect()
}

/// The Terraform directories to read as root modules: those that no other analysed directory
/// calls as a local module (`source = "./modules/x"`). A called directory is read as part of
/// each module tree that calls it, never again on its own; directories that are only called
/// from within a cycle are read as roots so that nothing is skipped.
fn terraform_roots(db: &SourceDb, modules: &BTreeMap<String, Vec<FileId>>) -> Vec<String> {
    // One directory is its own root, whatever it calls: no need to parse it for its calls.
    if modules.len() <= 1 {
        return modules.keys().cloned().collect();
    }
    let by_normalized: BTreeMap<String, String> =
        modules.keys().map(|directory| (join_module_dir(directory, "."), directory.clone())).collect();
    let calls: BTreeMap<String, Vec<String>> = modules
        .iter()
        .map(|(directory, files)| {
            // A file without the word `module` has no module block: skip parsing it here.
            let calls_any = files.iter().any(|file| db.get(*file).is_some_and(|source| source.text.contains("module")));
            if !calls_any {
                return (directory.clone(), Vec::new());
            }
            let targets = local_module_sources(&module_files(db, directory, files))
                .iter()
                .filter_map(|source| by_normalized.get(&join_module_dir(directory, source)).cloned())
                .filter(|target| target != directory)
                .collect();
            (directory.clone(), targets)
        })
        .collect();
    let called: BTreeSet<&String> = calls.values().flatten().collect();
    let mut roots: Vec<String> = Vec::new();
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let starts = modules.keys().filter(|directory| !called.contains(directory));
    // Directories called only from within a cycle come after, in order, once nothing reaches them.
    for directory in starts.chain(modules.keys()) {
        if reached.contains(directory) || roots.contains(directory) {
            continue;
        }
        roots.push(directory.clone());
        let mut stack = vec![directory.clone()];
        while let Some(current) = stack.pop() {
            if reached.insert(current.clone())
                && let Some(next) = calls.get(&current)
            {
                stack.extend(next.iter().cloned());
            }
        }
    }
    roots.sort();
    roots
}

/// Reads one root Terraform module and the local modules it calls. The module's other files
/// are passed along so that `file("…")` finds them.
fn terraform_module(
    db: &SourceDb,
    modules: &BTreeMap<String, Vec<FileId>>,
    directory: &str,
) -> (Vec<PolicyDocument>, Extras) {
    let by_normalized: BTreeMap<String, &String> =
        modules.keys().map(|directory| (join_module_dir(directory, "."), directory)).collect();
    let load = |wanted: &str| -> Option<Vec<LoadedFile<'_>>> {
        let directory = by_normalized.get(wanted)?;
        Some(module_files(db, directory, modules.get(*directory)?))
    };
    let tf_files = modules.get(directory).map_or(&[][..], Vec::as_slice);
    let output = analyze_module_tree(directory, module_files(db, directory, tf_files), &load);
    let unknowns = output.unknown_policies;
    let extras = Extras { entities: output.entities, modules: output.modules, suppressions: output.suppressions };
    (frontend_documents(output.documents, output.issues, unknowns), extras)
}

/// A frontend's documents, plus one unreadable document per file with syntax errors (so that
/// IAM001 reports them) and one opaque document per unknown policy (so that IAM010 names it).
fn frontend_documents(
    mut documents: Vec<PolicyDocument>,
    issues: Vec<(Span, String)>,
    unknowns: Vec<rein_model::UnknownPolicy>,
) -> Vec<PolicyDocument> {
    let mut by_file: BTreeMap<FileId, Vec<(Span, String)>> = BTreeMap::new();
    for (span, message) in issues {
        by_file.entry(span.file).or_default().push((span, message));
    }
    for (_, issues) in by_file {
        let Some((first, _)) = issues.first() else { continue };
        let origin = DocumentOrigin { syntax: SourceSyntax::Structured, owner: None, attribute: None, branch: false };
        let mut doc = PolicyDocument::empty(*first, origin);
        doc.issues = issues
            .into_iter()
            .map(|(span, message)| SyntaxIssue { kind: SyntaxIssueKind::JsonSyntax, span, message })
            .collect();
        documents.push(doc);
    }
    documents.extend(unknowns.into_iter().map(rein_model::UnknownPolicy::into_document));
    documents
}

fn unreadable(
    file: FileId,
    offset: usize,
    kind: Option<PolicyKind>,
    origin: DocumentOrigin,
    message: &str,
) -> PolicyDocument {
    let span = Span::new(file, range_from_offsets(offset, offset + 1));
    let mut doc = PolicyDocument::empty(span, origin);
    if let Some(kind) = kind {
        doc.kind = kind;
        doc.kind_source = rein_model::KindSource::Declared;
    }
    doc.issues.push(SyntaxIssue { kind: SyntaxIssueKind::JsonSyntax, span, message: message.to_owned() });
    doc
}
