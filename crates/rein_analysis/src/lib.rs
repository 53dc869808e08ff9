//! The API boundary: source files in, policy documents and findings out.
//!
//! **Architecture invariant:** this crate does no IO and reads no environment. Files and
//! settings come in as values; the CLI and the language server are thin shells around it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

use std::collections::BTreeMap;

use rayon::prelude::*;
use rein_cfn::{CfnRenderer, DocumentRenderer};
use rein_diagnostics::Finding;
use rein_hcl::{HclRenderer, ModuleFile, analyze_module_files};
use rein_model::json::{JsonRenderer, Likelihood, looks_like_policy, parse_policy};
use rein_model::{
    DocumentOrigin, Entity, ModuleCall, PolicyDocument, PolicyKind, SourceSyntax, SpanMap, Suppression, SyntaxIssue,
    SyntaxIssueKind,
};
use rein_rules::{CheckInput, Settings};
use rein_text::{FileId, SourceDb, Span, TextSize, range_from_offsets};

pub use rein_rules::Settings as RuleSettings;

/// What a file holds, decided from its content (and its name only where content cannot tell).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An IAM policy document in JSON.
    PolicyJson,
    /// A Terraform configuration file (`.tf`); the files of one directory form a module.
    Terraform,
    /// A CloudFormation (or SAM) template, JSON or YAML.
    CloudFormation,
    /// A Terraform plan as `terraform show -json` writes it; read-only (no fixes).
    TerraformPlan,
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

/// Whether a file found by a directory walk should be analysed, and as what.
///
/// JSON files are policies when they look like one; broken JSON is analysed too, so that its
/// syntax error is reported. Other JSON (package manifests, templates) is skipped.
pub fn classify(path: &str, bytes: &[u8]) -> Option<FileKind> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".tf") {
        return Some(FileKind::Terraform);
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
    if path.to_ascii_lowercase().ends_with(".tf") {
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
            _ => pending.push((file, invalid_at, input.policy_kind)),
        }
    }
    // Files are independent: read them in parallel; the order of `documents` stays the input order.
    let mut documents: Vec<PolicyDocument> = pending
        .into_par_iter()
        .filter_map(|(file, invalid_at, policy_kind)| {
            let source = db.get(file)?;
            let origin = DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None };
            Some(match invalid_at {
                Some(offset) => unreadable(file, offset, policy_kind, origin, "file is not valid UTF-8"),
                None => parse_policy(&source.text, &SpanMap::identity(file, TextSize::from(0)), policy_kind, origin),
            })
        })
        .collect();
    let mut extras = Extras::default();
    let module_outputs: Vec<(Vec<PolicyDocument>, Extras)> =
        modules.par_iter().map(|(directory, files)| terraform_module(&db, directory, files)).collect();
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
    let plan_outputs: Vec<(Vec<PolicyDocument>, Extras)> = plans
        .par_iter()
        .filter_map(|file| {
            let source = db.get(*file)?;
            let output = rein_tfplan::analyze_plan(*file, &source.text);
            let more = Extras { entities: output.entities, ..Extras::default() };
            Some((frontend_documents(output.documents, output.issues, output.unknown_policies), more))
        })
        .collect();
    for (docs, more) in module_outputs.into_iter().chain(template_outputs).chain(plan_outputs) {
        documents.extend(docs);
        extras.append(more);
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
    let document_renderers: Vec<Option<DocumentRenderer<'_, '_>>> = documents
        .iter()
        .map(|doc| template_renderers.get(&doc.span.file).map(|template| template.document(doc.origin.syntax)))
        .collect();
    let inputs: Vec<CheckInput<'_>> = documents
        .iter()
        .zip(&json_renderers)
        .zip(&document_renderers)
        .map(|((document, json_renderer), template_renderer)| {
            let in_terraform =
                db.get(document.span.file).is_some_and(|file| file.path.to_ascii_lowercase().ends_with(".tf"));
            // The frontend that owns the text renders the fixes: JSON text as JSON, anything
            // inside a `.tf` file as HCL, anything inside a template as YAML or JSON of the
            // template (plans get none: they are read-only).
            let renderer: Option<&dyn rein_model::EditRenderer> = if let Some(template) = template_renderer {
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
    let findings = rein_rules::check(&inputs, settings);
    let Extras { entities, modules, suppressions } = extras;
    Analysis { db, documents, findings, entities, modules, suppressions }
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

/// Reads the `.tf` files of one directory as a Terraform module. The module's other files are
/// passed along so that `file("…")` finds them.
fn terraform_module(db: &SourceDb, directory: &str, tf_files: &[FileId]) -> (Vec<PolicyDocument>, Extras) {
    let relative = |path: &str| -> String {
        let rest = if directory.is_empty() { path } else { path.get(directory.len() + 1..).unwrap_or(path) };
        rest.to_owned()
    };
    let members: Vec<(FileId, String, &str)> = db
        .iter()
        .filter(|source| {
            let inside = directory.is_empty()
                || source.path.strip_prefix(directory).is_some_and(|rest| rest.starts_with(['/', '\\']));
            let is_tf = source.path.to_ascii_lowercase().ends_with(".tf");
            // This module's `.tf` files, and any other file below it for `file()`; never the
            // `.tf` files of another module.
            tf_files.contains(&source.id) || (inside && !is_tf)
        })
        .map(|source| (source.id, relative(&source.path), source.text.as_str()))
        .collect();
    let module_files: Vec<ModuleFile<'_>> =
        members.iter().map(|(file, path, text)| ModuleFile { file: *file, path, text }).collect();
    let output = analyze_module_files(&module_files);
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
        let origin = DocumentOrigin { syntax: SourceSyntax::Structured, owner: None, attribute: None };
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
