//! CloudFormation → model: the IAM policy documents of a YAML or JSON template, with exact spans.
//!
//! YAML is read from saphyr-parser events into a small spanned tree (../shared/CRATES.md §3),
//! JSON with jsonc-parser; both give the same tree, with short-form tags (`!Sub`) kept as
//! intrinsic functions. Policy-bearing properties are lowered to the syntax-neutral
//! [`rein_model::Node`] tree (resolving what intrinsics can be resolved statically) and read by the
//! shared grammar reader ([`rein_model::read_policy`]); policy JSON written as a string goes
//! through the shared JSON reader with a [`rein_model::SpanMap`] back to the file.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

mod edit;
mod embedded;
mod entities;
mod lower;
mod metadata;
mod resources;
mod return_values;
mod sam;
mod suppress;
mod syntax;

use rein_model::json::parse_policy;
use rein_model::tree::minified_len;
use rein_model::{
    DocumentOrigin, DocumentSize, Node, NodeKind, PolicyDocument, PolicyKind, SourceSyntax, Value, read_policy,
};
use rein_text::{FileId, Span};

use crate::lower::Template;
use crate::resources::Site;
use crate::syntax::{Kind, Tree};

/// The transform that makes a template a SAM application.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// What a template yields.
#[derive(Debug, Default)]
pub struct CfnOutput {
    /// The policy documents, in source order of their properties.
    pub documents: Vec<PolicyDocument>,
    /// YAML or JSON syntax errors, sorted by position.
    pub issues: Vec<(Span, String)>,
    /// Policy-bearing properties whose value could not be known statically (`Fn::If`, a
    /// parameter without default, an import), with the reason; nothing is dropped silently.
    pub unknown_policies: Vec<UnknownPolicy>,
    /// Whether the template uses the SAM transform (`Transform: AWS::Serverless-2016-10-31`).
    pub serverless: bool,
    /// The IaC entities of the template (roles, users, attachments, baseline services), in
    /// source order.
    pub entities: Vec<rein_model::Entity>,
    /// Suppressions written in the template (resource `Metadata`, comments).
    pub suppressions: Vec<rein_model::Suppression>,
}

pub use edit::{CfnRenderer, DocumentRenderer};
pub use rein_model::UnknownPolicy;

/// Whether `text` is a CloudFormation template, by content: an `AWSTemplateFormatVersion`, or a
/// `Resources` section with a `Type: AWS::…` in it. JSON or YAML; a scan of the text, no parse.
pub fn is_template(text: &str) -> bool {
    if text.contains("AWSTemplateFormatVersion") {
        return true;
    }
    let has_resources = if syntax::looks_like_json(text) {
        text.contains("\"Resources\"")
    } else {
        text.lines().any(|line| {
            let line = line.trim_start_matches('\u{feff}');
            line.starts_with("Resources:") || line.starts_with("\"Resources\":")
        })
    };
    has_resources && has_aws_type(text)
}

/// Whether some `Type` key has a value starting with `AWS::`.
fn has_aws_type(text: &str) -> bool {
    text.match_indices("Type").any(|(idx, _)| {
        let rest = text.get(idx + "Type".len()..).unwrap_or_default();
        let rest = rest.trim_start_matches(['"', '\'']);
        let Some(rest) = rest.trim_start_matches([' ', '\t']).strip_prefix(':') else { return false };
        rest.trim_start_matches([' ', '\t', '"', '\'']).starts_with("AWS::")
    })
}

/// Reads one template.
pub fn analyze_template(file: FileId, text: &str) -> CfnOutput {
    let parsed = syntax::parse(text);
    let mut out = CfnOutput {
        issues: parsed
            .errors
            .iter()
            .map(|(range, message)| (Span::from_offsets(file, range.start, range.end), message.clone()))
            .collect(),
        ..CfnOutput::default()
    };
    let Some(root) = parsed.root else { return out };
    if !syntax::looks_like_json(text) {
        out.suppressions = suppress::collect(file, text, &root);
    }
    let template = Template::new(file, text, &root);
    out.serverless = root.get("Transform").is_some_and(|transform| match &transform.kind {
        Kind::Seq(items) => items.iter().any(|item| item.as_str() == Some(SAM_TRANSFORM)),
        _ => transform.as_str() == Some(SAM_TRANSFORM),
    });
    out.entities.extend(entities::section_entities(&template, &root));
    let Some(resources) = root.get("Resources") else { return out };
    for (id, resource) in resources.entries() {
        let Some(owner) = id.as_str() else { continue };
        let extent = template.span(&(id.span.start..resource.span.end.max(id.span.end)));
        out.suppressions.extend(metadata::suppressions(|tree| template.span(&tree.span), resource, extent));
        let Some(ty) = resource.get("Type").and_then(Tree::as_str) else { continue };
        let properties = resource.get("Properties");
        if let Some(mut entity) = entities::entity(&template, id, resource, ty, properties) {
            let serverless = matches!(ty, "AWS::Serverless::Function" | "AWS::Serverless::StateMachine");
            if serverless && entity.attribute("role").is_none() {
                // Without `Role`, SAM generates `<LogicalId>Role` for the function.
                entity.attributes.push(entities::generated_role_reference(owner, entity.span));
                let boundary = properties
                    .and_then(|properties| property_entry(properties, "PermissionsBoundary"))
                    .or_else(|| global_function_property(&root, ty, "PermissionsBoundary"));
                let managed = properties
                    .and_then(|properties| properties.get("Policies"))
                    .map(|policies| resources::sam_managed_policies(&template, policies))
                    .unwrap_or_default();
                out.entities.push(entity);
                out.entities.extend(entities::generated_role(&template, id, resource, managed, boundary));
            } else {
                out.entities.push(entity);
            }
        }
        let Some(properties) = properties else { continue };
        for site in resources::sites(&template, ty, properties) {
            match site {
                Site::Document { attribute, kind, value, branch } => {
                    read_branches(&template, text, owner, &attribute, value, &kind, &branch, &mut out);
                }
                Site::Built { attribute, kind, node } => {
                    let origin = DocumentOrigin {
                        syntax: SourceSyntax::Structured,
                        owner: Some(owner.to_owned()),
                        attribute: Some(attribute),
                        branch: false,
                    };
                    out.documents.push(structured(node, kind, origin));
                }
                Site::Unknown { attribute, kind, span, reason } => {
                    out.unknown_policies.push(UnknownPolicy { span, owner: owner.to_owned(), attribute, kind, reason });
                }
            }
        }
    }
    out.issues.sort_by_key(|(span, _)| span.range.start());
    out
}

/// The most `Fn::If` conditions inside one document whose branches are combined; 2⁴ lowerings at
/// most. Conditions past these stay unknown values.
const MAX_CONDITIONS: usize = 4;

/// Reads a policy-bearing property once per combination of the `Fn::If` branches in it, naming
/// the branches in the attribute (`Policies[0].PolicyDocument (if IsProd: true)`). Combinations
/// that consult the same branches give the same document and are read once.
#[allow(clippy::too_many_arguments)]
fn read_branches(
    template: &Template<'_>,
    text: &str,
    owner: &str,
    attribute: &str,
    value: &Tree,
    kind: &PolicyKind,
    outer: &[(String, bool)],
    out: &mut CfnOutput,
) {
    let mut conditions = lower::if_conditions(value);
    conditions.retain(|condition| !outer.iter().any(|(name, _)| name == condition));
    conditions.truncate(MAX_CONDITIONS);
    let mut seen: Vec<Vec<(String, bool)>> = Vec::new();
    for mask in 0..(1_usize << conditions.len()) {
        let mut chosen = outer.to_vec();
        // Mask 0 takes every true branch first, as the template reads.
        chosen.extend(conditions.iter().enumerate().map(|(bit, name)| (name.clone(), mask & (1 << bit) == 0)));
        let (read, consulted) = read_document(template, text, value, kind.clone(), &chosen, |syntax| DocumentOrigin {
            syntax,
            owner: Some(owner.to_owned()),
            attribute: Some(attribute.to_owned()),
            branch: false,
        });
        let mut key = consulted.clone();
        key.sort();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let mut branch = outer.to_vec();
        branch.extend(consulted.into_iter().filter(|(name, _)| !outer.iter().any(|(outer, _)| outer == name)));
        let attribute = format!("{attribute}{}", resources::branch_label(&branch));
        match read {
            Read::Document(mut doc) => {
                doc.origin.attribute = Some(attribute);
                doc.origin.branch = !branch.is_empty();
                out.documents.push(*doc);
            }
            Read::Absent => {}
            Read::Unknown(span, reason) => out.unknown_policies.push(UnknownPolicy {
                span,
                owner: owner.to_owned(),
                attribute,
                kind: kind.clone(),
                reason,
            }),
        }
    }
}

/// The key and value of a property.
fn property_entry<'a>(properties: &'a Tree, name: &str) -> Option<(&'a Tree, &'a Tree)> {
    properties.entries().iter().find(|(key, _)| key.as_str() == Some(name)).map(|(key, value)| (key, value))
}

/// A property that SAM functions inherit from `Globals: Function:`. Only `PermissionsBoundary`
/// of the IAM properties is inherited: SAM refuses `Role` and `Policies` there
/// (<https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html>).
fn global_function_property<'a>(root: &'a Tree, ty: &str, name: &str) -> Option<(&'a Tree, &'a Tree)> {
    if ty != "AWS::Serverless::Function" {
        return None;
    }
    property_entry(root.get("Globals")?.get("Function")?, name)
}

enum Read {
    Document(Box<PolicyDocument>),
    /// `AWS::NoValue`: the property is not there.
    Absent,
    Unknown(Span, String),
}

/// Reads the value of a policy-bearing property: a mapping, or policy JSON in a string.
fn read_document(
    template: &Template<'_>,
    text: &str,
    value: &Tree,
    kind: PolicyKind,
    chosen: &[(String, bool)],
    origin: impl Fn(SourceSyntax) -> DocumentOrigin,
) -> (Read, Vec<(String, bool)>) {
    // A string is policy JSON; a plain `null`, number or boolean is read as what it is.
    if let Kind::Scalar(scalar) = &value.kind
        && matches!(lower::scalar_kind(scalar), NodeKind::String(_))
    {
        let map = embedded::scalar_map(template.file, text, value, scalar);
        let doc = parse_policy(&scalar.text, &map, Some(kind), origin(SourceSyntax::EmbeddedJson));
        return (Read::Document(Box::new(doc)), Vec::new());
    }
    let (node, consulted) = template.lower_with(value, chosen);
    (read_node(template, value, node, kind, origin), consulted)
}

fn read_node(
    template: &Template<'_>,
    value: &Tree,
    node: Option<Node>,
    kind: PolicyKind,
    origin: impl Fn(SourceSyntax) -> DocumentOrigin,
) -> Read {
    let Some(node) = node else { return Read::Absent };
    match node.kind {
        NodeKind::String(Value::Known(json)) => {
            // Policy JSON built by `Fn::Sub` or `Fn::Join`: the text has no place of its own.
            let map = embedded::whole(template.file, value.span.start, value.span.len(), json.len());
            Read::Document(Box::new(parse_policy(&json, &map, Some(kind), origin(SourceSyntax::EmbeddedJson))))
        }
        NodeKind::String(unknown @ (Value::Partial(_) | Value::Unknown(_))) => {
            let reason = unknown.unknown_reasons().first().map_or("not known statically", |r| r).to_owned();
            Read::Unknown(node.span, reason)
        }
        NodeKind::Unknown(unknown) => Read::Unknown(node.span, unknown.reason),
        _ => Read::Document(Box::new(structured(node, kind, origin(SourceSyntax::Structured)))),
    }
}

/// Reads a mapping as a document; its size is that of the JSON CloudFormation renders.
fn structured(node: Node, kind: PolicyKind, origin: DocumentOrigin) -> PolicyDocument {
    let size = minified_len(&node).map(|minified| DocumentSize { minified, total: minified });
    let mut doc = read_policy(node, Some(kind), origin);
    doc.size = size;
    doc
}

#[cfg(test)]
mod tests;
