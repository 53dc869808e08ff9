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
mod lower;
mod resources;
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
    let template = Template::new(file, text, &root);
    out.serverless = root.get("Transform").is_some_and(|transform| match &transform.kind {
        Kind::Seq(items) => items.iter().any(|item| item.as_str() == Some(SAM_TRANSFORM)),
        _ => transform.as_str() == Some(SAM_TRANSFORM),
    });
    let Some(resources) = root.get("Resources") else { return out };
    for (id, resource) in resources.entries() {
        let Some(owner) = id.as_str() else { continue };
        let Some(ty) = resource.get("Type").and_then(Tree::as_str) else { continue };
        let Some(properties) = resource.get("Properties") else { continue };
        for site in resources::sites(&template, ty, properties) {
            match site {
                Site::Document { attribute, kind, value } => {
                    let origin = |syntax| DocumentOrigin {
                        syntax,
                        owner: Some(owner.to_owned()),
                        attribute: Some(attribute.clone()),
                    };
                    match read_document(&template, text, value, kind.clone(), origin) {
                        Read::Document(doc) => out.documents.push(*doc),
                        Read::Absent => {}
                        Read::Unknown(span, reason) => out.unknown_policies.push(UnknownPolicy {
                            span,
                            owner: owner.to_owned(),
                            attribute,
                            kind,
                            reason,
                        }),
                    }
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
    origin: impl Fn(SourceSyntax) -> DocumentOrigin,
) -> Read {
    // A string is policy JSON; a plain `null`, number or boolean is read as what it is.
    if let Kind::Scalar(scalar) = &value.kind
        && matches!(lower::scalar_kind(scalar), NodeKind::String(_))
    {
        let map = embedded::scalar_map(template.file, text, value, scalar);
        let doc = parse_policy(&scalar.text, &map, Some(kind), origin(SourceSyntax::EmbeddedJson));
        return Read::Document(Box::new(doc));
    }
    let Some(node) = template.lower(value, 1) else { return Read::Absent };
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
