//! Terraform HCL → model: the IAM policy documents of a module's `.tf` files, with exact spans.
//!
//! One error-tolerant parser (`syntax`, a hand-written recursive-descent parser of HCL's native
//! syntax) serves the CLI and the editor: syntax errors become located issues and the intact rest
//! of the file is read.
//! Expressions are lowered to the syntax-neutral [`rein_model::Node`] tree and read by the shared
//! grammar reader ([`rein_model::read_policy`]); JSON in strings and heredocs goes through the
//! shared JSON reader with a [`rein_model::SpanMap`] back to the file.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

mod edit;
mod embedded;
mod entities;
mod graph;
mod lower;
mod module;
mod policy_document;
mod render;
mod strings;
mod suppress;
mod syntax;
mod templatefile;

use std::collections::BTreeSet;

pub use crate::edit::HclRenderer;
pub use crate::graph::{LoadedFile, Loader, MAX_MODULE_DEPTH, is_local_source, join_module_dir, local_module_sources};

use rein_model::json::parse_policy;
use rein_model::tree::minified_len;
use rein_model::{
    DocumentOrigin, DocumentSize, Node, NodeKind, PolicyDocument, PolicyKind, SourceSyntax, SpanMap, Value, read_policy,
};
use rein_text::{FileId, Span};

use crate::lower::{Lowerer, Source};
use crate::module::{Index, Loc};
use crate::syntax::{attribute, block_parts, blocks, syntax_errors};

/// What a module yields.
#[derive(Debug, Default)]
pub struct HclOutput {
    /// The policy documents, in file and source order of their consuming attribute, then the
    /// policy document data sources that nothing in the module consumes.
    pub documents: Vec<PolicyDocument>,
    /// HCL syntax errors, sorted by file and position.
    pub issues: Vec<(Span, String)>,
    /// Policy-bearing attributes whose value could not be known statically (a variable without
    /// default, a resource attribute, a function call), with the reason; nothing is dropped silently.
    pub unknown_policies: Vec<UnknownPolicy>,
    /// The IaC entities of the module (roles, users, attachments, account settings, baseline
    /// services), in file and source order.
    pub entities: Vec<rein_model::Entity>,
    /// The module's calls of other modules.
    pub modules: Vec<rein_model::ModuleCall>,
    /// Suppressions written in the module's files.
    pub suppressions: Vec<rein_model::Suppression>,
}

pub use rein_model::UnknownPolicy;

/// Reads one `.tf` file as a module of its own.
pub fn analyze_file(file: FileId, text: &str) -> HclOutput {
    analyze_module(&[(file, text)])
}

/// Whether a module file is Terraform configuration: `.tf` (native syntax) or `.tf.json`
/// (Terraform's JSON syntax, as `cdktf synth` writes it).
pub fn is_config_path(path: &str) -> bool {
    path.ends_with(".tf") || syntax::is_json_path(path)
}

/// Whether a module file is in Terraform's JSON syntax (`.tf.json`), where the native-syntax
/// edits of [`HclRenderer`] do not apply.
pub fn is_json_config_path(path: &str) -> bool {
    syntax::is_json_path(path)
}

/// Parses one configuration file in the syntax its path names (`.tf` or `.tf.json`) and gives
/// its syntax errors only, sorted by position.
pub fn syntax_issues_at(file: FileId, path: &str, text: &str) -> Vec<(Span, String)> {
    syntax_errors(&syntax::ParsedFile::parse_path(file, path, text))
}

/// Parses one `.tf` file and gives its syntax errors only, sorted by position.
pub fn syntax_issues(file: FileId, text: &str) -> Vec<(Span, String)> {
    syntax_errors(&syntax::ParsedFile::parse(file, text))
}

/// The syntax tree of one `.tf` file as text, one node a line (a development aid; the format is
/// not stable).
pub fn dump_syntax(text: &str) -> String {
    syntax::ParsedFile::parse(FileId(0), text).tree.dump(text)
}

/// [`dump_syntax`] of a file in the syntax its path names.
pub fn dump_syntax_at(path: &str, text: &str) -> String {
    let parsed = syntax::ParsedFile::parse_path(FileId(0), path, text);
    parsed.tree.dump(&parsed.text)
}

/// One file of a module directory.
#[derive(Clone, Copy, Debug)]
pub struct ModuleFile<'a> {
    pub file: FileId,
    /// The path relative to the module directory, `/`-separated, e.g. `main.tf` or
    /// `policies/deploy.json`. Files whose name ends in `.tf` are read as HCL; the others are
    /// there for `file("…")` to find.
    pub path: &'a str,
    pub text: &'a str,
}

/// Reads the `.tf` files of one module (one directory): references to `local.*`, `var.*` and
/// `data.aws_iam_policy_document.*` resolve across them.
pub fn analyze_module(files: &[(FileId, &str)]) -> HclOutput {
    let files: Vec<ModuleFile<'_>> =
        files.iter().map(|(file, text)| ModuleFile { file: *file, path: "main.tf", text }).collect();
    analyze_module_files(&files)
}

/// Reads a module given with paths, so that `file("policy.json")` finds the module's other files.
/// Local module calls are recorded but not followed: see [`analyze_module_tree`].
pub fn analyze_module_files(files: &[ModuleFile<'_>]) -> HclOutput {
    let files: Vec<LoadedFile<'_>> =
        files.iter().map(|file| LoadedFile { file: file.file, path: file.path.to_owned(), text: file.text }).collect();
    analyze_tree("", files, None)
}

/// Reads a root module in directory `dir` and, through `load`, every local module it calls
/// (`source = "./modules/x"`): arguments become the called module's variables, its resources
/// are addressed `module.x.…`, and `module.x.NAME` resolves through its `output` blocks.
pub fn analyze_module_tree<'a>(dir: &str, files: Vec<LoadedFile<'a>>, load: Loader<'_, 'a>) -> HclOutput {
    analyze_tree(dir, files, Some(load))
}

fn analyze_tree<'a>(dir: &str, files: Vec<LoadedFile<'a>>, load: Option<Loader<'_, 'a>>) -> HclOutput {
    let found = graph::discover(dir, files, load);
    let indexes: Vec<Index<'_>> =
        found.parsed.iter().zip(&found.prefixes).map(|(parsed, prefix)| Index::build(parsed, prefix)).collect();
    let module_graph = graph::link(&found, &indexes);
    let mut out = HclOutput::default();
    for parsed in &found.parsed {
        for file in parsed {
            out.issues.extend(syntax_errors(file));
            out.suppressions.extend(suppress::collect(file));
        }
    }
    let mut consumed: BTreeSet<(usize, String)> = BTreeSet::new();
    for node in 0..module_graph.nodes.len() {
        let Some(lowerer) = Lowerer::new(&module_graph, node) else { continue };
        read_resources(&lowerer, &mut out, &mut consumed);
        let mut module_entities = entities::lower_entities(&lowerer, &lowerer.index.resources);
        module_entities.extend(entities::lower_entities(&lowerer, &lowerer.index.blocks));
        module_entities.sort_by_key(|entity| (entity.span.file, entity.span.range.start()));
        out.entities.extend(module_entities);
    }
    for call in &found.calls {
        let Some(lowerer) = Lowerer::new(&module_graph, call.node) else { continue };
        out.modules.push(module_call(&lowerer, call));
    }
    for (node, index) in indexes.iter().enumerate() {
        let Some(lowerer) = Lowerer::new(&module_graph, node) else { continue };
        for (name, (block, body)) in &index.policy_documents {
            if consumed.contains(&(node, name.clone())) {
                continue;
            }
            let doc_node = policy_document::lower_policy_document(&lowerer, *block, *body, 0);
            let origin = DocumentOrigin {
                syntax: SourceSyntax::Structured,
                owner: Some(format!("{}data.aws_iam_policy_document.{name}", lowerer.prefix)),
                attribute: None,
                branch: false,
            };
            // Nothing here says what it is used as (it may be passed to a module or an output), so
            // the kind is inferred from the content: identity unless statements name principals.
            out.documents.push(structured(doc_node, None, origin));
        }
    }
    out.issues.sort_by_key(|(span, _)| (span.file, span.range.start()));
    out
}

/// The report entry of one module call, with its arguments as the calling module sees them.
fn module_call(lowerer: &Lowerer<'_>, call: &graph::CallRecord) -> rein_model::ModuleCall {
    let mut arguments = Vec::new();
    let body = lowerer
        .index
        .module_calls
        .iter()
        .find(|found| found.file == call.file && found.block.start_byte() == call.block_start)
        .map(|found| found.body);
    if let (Some(body), Some(parsed)) = (body, lowerer.files.get(call.file)) {
        for item in syntax::body_items(body) {
            if let syntax::BodyItem::Attribute { name, value: Some(value) } = item {
                let key = parsed.text_of(name);
                if matches!(key, "source" | "version") {
                    continue;
                }
                let value = lowerer.lower(Loc { file: call.file, node: value }, 1);
                arguments.push(rein_model::Attribute { name: key.to_owned(), key_span: parsed.span(name), value });
            }
        }
    }
    rein_model::ModuleCall {
        address: format!("{}module.{}", lowerer.prefix, call.name),
        source: call.source.clone(),
        version: call.version.clone(),
        span: call.span,
        not_analysed: call.target.as_ref().err().cloned(),
        arguments,
    }
}

/// Reads the policy-bearing attributes of one module's resources.
fn read_resources<'m>(lowerer: &Lowerer<'m>, out: &mut HclOutput, consumed: &mut BTreeSet<(usize, String)>) {
    let index = lowerer.index;
    let parsed = lowerer.files;
    for resource in &index.resources {
        let Some(parsed_file) = parsed.get(resource.file) else { continue };
        let owner = resource.address();
        let mut sites: Vec<(String, PolicyKind, Loc<'_>)> = Vec::new();
        let org_type = attribute(parsed_file, resource.body, "type").and_then(|(_, value)| {
            match lowerer.lower(Loc { file: resource.file, node: value }, 1).kind {
                NodeKind::String(Value::Known(text)) => Some(text),
                _ => None,
            }
        });
        for consumer in rein_tfschema::consumers_of(&resource.kind) {
            let Some(kind) = consumer.kind(org_type.as_deref()) else { continue };
            match consumer.block {
                None => {
                    let Some((_, value)) = attribute(parsed_file, resource.body, consumer.attribute) else { continue };
                    sites.push((consumer.attribute.to_owned(), kind, Loc { file: resource.file, node: value }));
                }
                Some(block_name) => {
                    for nested in blocks(parsed_file, resource.body, block_name) {
                        let Some(body) = block_parts(parsed_file, nested).and_then(|parts| parts.body) else {
                            continue;
                        };
                        if let Some((_, value)) = attribute(parsed_file, body, consumer.attribute) {
                            let loc = Loc { file: resource.file, node: value };
                            sites.push((format!("{block_name}.{}", consumer.attribute), kind.clone(), loc));
                        }
                    }
                }
            }
        }
        sites.sort_by_key(|(_, _, loc)| loc.node.start_byte());
        for (attribute, kind, loc) in sites {
            let origin = |syntax| DocumentOrigin {
                syntax,
                owner: Some(owner.clone()),
                attribute: Some(attribute.clone()),
                branch: false,
            };
            let source = if loc.node.has_error() {
                let reason = format!("the value of `{attribute}` has a syntax error");
                Source::Unknown(lowerer.span(loc), rein_model::Unknown::new(reason))
            } else {
                lowerer.policy_source(loc, 0)
            };
            match read_source(lowerer, source, kind.clone(), &origin, consumed) {
                Ok(doc) => out.documents.push(doc),
                Err(Some((span, unknown))) => out.unknown_policies.push(UnknownPolicy {
                    span,
                    owner: owner.clone(),
                    attribute,
                    kind,
                    reason: unknown.reason,
                }),
                Err(None) => {}
            }
        }
    }
}

/// Reads a policy source as a document of `kind`; `Err` with the unknown that stands for it, or
/// `Err(None)` when there is nothing to read (a document data source that is not declared was
/// already reported as unknown by the lowering).
fn read_source<'m>(
    lowerer: &Lowerer<'m>,
    source: Source<'m>,
    kind: PolicyKind,
    origin: &dyn Fn(SourceSyntax) -> DocumentOrigin,
    consumed: &mut BTreeSet<(usize, String)>,
) -> Result<PolicyDocument, Option<(Span, rein_model::Unknown)>> {
    Ok(match source {
        Source::Tree(node) => structured(node, Some(kind), origin(SourceSyntax::Structured)),
        Source::Text(text_loc) => {
            embedded::read_text(lowerer, text_loc, Some(kind), origin(SourceSyntax::EmbeddedJson))
        }
        Source::File(file, text) => {
            let map = SpanMap::identity(file, rein_text::TextSize::from(0));
            parse_policy(text, &map, Some(kind), origin(SourceSyntax::Json))
        }
        Source::Template(file, text, vars) => {
            embedded::read_template(file, text, &vars, Some(kind), origin(SourceSyntax::EmbeddedJson))
        }
        Source::PolicyDocument(name) => {
            let Some((block, body)) = lowerer.index.policy_documents.get(&name) else { return Err(None) };
            let node = policy_document::lower_policy_document(lowerer, *block, *body, 0);
            consumed.insert((lowerer.node(), name));
            structured(node, Some(kind), origin(SourceSyntax::Structured))
        }
        // A module argument or output: read where it is written.
        Source::Foreign(node, inner) => match Lowerer::new(lowerer.graph(), node) {
            Some(other) => return read_source(&other, *inner, kind, origin, consumed),
            None => return Err(None),
        },
        Source::Unknown(span, unknown) => return Err(Some((span, unknown))),
    })
}

/// Reads a structure built in HCL as a document; its size is that of the JSON Terraform renders.
fn structured(node: Node, kind: Option<PolicyKind>, origin: DocumentOrigin) -> PolicyDocument {
    let size = minified_len(&node).map(|minified| DocumentSize { minified, total: minified });
    let mut doc = read_policy(node, kind, origin);
    doc.size = size;
    doc
}

#[cfg(test)]
mod tests;
