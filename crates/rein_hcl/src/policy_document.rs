//! `data "aws_iam_policy_document"` blocks lowered to the tree the AWS provider renders as JSON:
//! `Version` (default `2012-10-17`), a `Statement` array, `Principal` maps keyed by type and
//! `Condition` grouped by test, then variable
//! (<https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document>).
//!
//! Every value keeps the span of its HCL literal; keys the provider writes point at the HCL
//! attribute or block that stands for them. In this data source `&{aws:username}` is the
//! provider's escape for the IAM policy variable `${aws:username}`, so `&{` is read as `${`.

use rein_model::tree::{MAX_DEPTH, Member, Object};
use rein_model::{Key, Node, NodeKind, TemplatePart, Unknown, Value};
use rein_text::Span;
use tree_sitter::Node as SyntaxNode;

use crate::lower::Lowerer;
use crate::module::Loc;
use crate::syntax::{BodyItem, block_parts, body_items, named_children};

/// Statement attributes and the policy keys they render as.
const LIST_ATTRIBUTES: [(&str, &str); 4] =
    [("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")];

/// Lowers one policy document data source (`block` is the whole `data` block).
pub(crate) fn lower_policy_document<'m>(lowerer: &Lowerer<'m>, block: Loc<'m>, body: Option<SyntaxNode<'m>>) -> Node {
    let at = |node| Loc { file: block.file, node };
    let header = header_span(lowerer, block);
    let mut members = Vec::new();
    let mut version = None;
    let mut statements = Vec::new();
    let mut statement_key: Option<Span> = None;
    for item in body.map(body_items).unwrap_or_default() {
        match item {
            BodyItem::Attribute { name, value: Some(value) } => {
                let key_span = lowerer.span(at(name));
                match lowerer.text(at(name)) {
                    "version" => version = Some(member("Version", key_span, lowerer.lower(at(value), 1))),
                    "policy_id" => members.push(member("Id", key_span, lowerer.lower(at(value), 1))),
                    other @ ("source_policy_documents"
                    | "override_policy_documents"
                    | "source_json"
                    | "override_json") => {
                        let reason = format!("`{other}` is not merged into the document yet");
                        statement_key.get_or_insert(key_span);
                        statements.push(unknown(lowerer.span(at(value)), reason));
                    }
                    _ => {}
                }
            }
            BodyItem::Block(nested) => {
                let Some(parts) = lowerer.parsed(block).and_then(|parsed| block_parts(parsed, nested)) else {
                    continue;
                };
                let keyword_span = lowerer.span(at(parts.keyword));
                match (lowerer.text(at(parts.keyword)), parts.labels.first().map(String::as_str)) {
                    ("statement", None) => {
                        statement_key.get_or_insert(keyword_span);
                        statements.push(lower_statement(lowerer, at(nested), keyword_span, parts.body));
                    }
                    ("dynamic", Some("statement")) => {
                        statement_key.get_or_insert(keyword_span);
                        let reason = "a `dynamic \"statement\"` block is not expanded yet".to_owned();
                        statements.push(unknown(lowerer.span(at(nested)), reason));
                    }
                    _ => {}
                }
            }
            BodyItem::Attribute { value: None, .. } => {}
        }
    }
    let version = version
        .unwrap_or_else(|| member("Version", header, Node::new(header, NodeKind::String(Value::known("2012-10-17")))));
    members.insert(0, version);
    let statement_span = statement_key.unwrap_or(header);
    members.push(member("Statement", statement_span, Node::new(lowerer.span(block), NodeKind::Array(statements))));
    Node::new(lowerer.span(block), NodeKind::Object(Object { opening: header, members }))
}

/// The span of `data "aws_iam_policy_document" "name"`.
fn header_span(lowerer: &Lowerer<'_>, block: Loc<'_>) -> Span {
    let whole = lowerer.span(block);
    let open = named_children(block.node).into_iter().find(|child| child.kind() == "block_start");
    match open {
        Some(open) => Span::from_offsets(
            whole.file,
            block.node.start_byte(),
            open.start_byte().saturating_sub(1).max(block.node.start_byte()),
        ),
        None => whole,
    }
}

fn member(name: &str, span: Span, value: Node) -> Member {
    Member { key: Key { name: name.to_owned(), span }, value }
}

fn unknown(span: Span, reason: String) -> Node {
    Node::new(span, NodeKind::Unknown(Unknown::new(reason)))
}

fn lower_statement<'m>(lowerer: &Lowerer<'m>, block: Loc<'m>, keyword: Span, body: Option<SyntaxNode<'m>>) -> Node {
    let at = |node| Loc { file: block.file, node };
    let mut members = Vec::new();
    let mut effect = None;
    let mut principals: Vec<(Span, Loc<'m>)> = Vec::new();
    let mut not_principals: Vec<(Span, Loc<'m>)> = Vec::new();
    let mut conditions: Vec<(Span, Loc<'m>)> = Vec::new();
    for item in body.map(body_items).unwrap_or_default() {
        match item {
            BodyItem::Attribute { name, value: Some(value) } => {
                let key_span = lowerer.span(at(name));
                let name = lowerer.text(at(name));
                let lowered = || {
                    let mut node = lowerer.lower(at(value), 1);
                    ampersand_to_dollar(&mut node, 0);
                    node
                };
                match name {
                    "sid" => members.push(member("Sid", key_span, lowered())),
                    "effect" => effect = Some(member("Effect", key_span, lowered())),
                    _ => {
                        if let Some((_, key)) = LIST_ATTRIBUTES.iter().find(|(attr, _)| *attr == name) {
                            members.push(member(key, key_span, lowered()));
                        }
                    }
                }
            }
            BodyItem::Block(nested) => {
                let Some(parts) = lowerer.parsed(block).and_then(|parsed| block_parts(parsed, nested)) else {
                    continue;
                };
                let Some(nested_body) = parts.body else { continue };
                let entry = (lowerer.span(at(parts.keyword)), at(nested_body));
                match (lowerer.text(at(parts.keyword)), parts.labels.first().map(String::as_str)) {
                    ("principals", None) => principals.push(entry),
                    ("not_principals", None) => not_principals.push(entry),
                    ("condition", None) => conditions.push(entry),
                    ("dynamic", Some(kind @ ("principals" | "not_principals" | "condition"))) => {
                        let reason = format!("a `dynamic \"{kind}\"` block is not expanded yet");
                        let node = unknown(lowerer.span(at(nested)), reason);
                        let key = match kind {
                            "principals" => "Principal",
                            "not_principals" => "NotPrincipal",
                            _ => "Condition",
                        };
                        members.push(member(key, entry.0, node));
                    }
                    _ => {}
                }
            }
            BodyItem::Attribute { value: None, .. } => {}
        }
    }
    let effect = effect
        .unwrap_or_else(|| member("Effect", keyword, Node::new(keyword, NodeKind::String(Value::known("Allow")))));
    members.insert(0, effect);
    if let Some(principal) = lower_principals(lowerer, "Principal", &principals) {
        members.push(principal);
    }
    if let Some(principal) = lower_principals(lowerer, "NotPrincipal", &not_principals) {
        members.push(principal);
    }
    if let Some(condition) = lower_conditions(lowerer, &conditions) {
        members.push(condition);
    }
    Node::new(lowerer.span(block), NodeKind::Object(Object { opening: keyword, members }))
}

/// The value of `attr` in a nested block body, lowered, with the span of the attribute name.
fn attr_value<'m>(lowerer: &Lowerer<'m>, body: Loc<'m>, attr: &str) -> Option<Node> {
    let parsed = lowerer.parsed(body)?;
    let (_, value) = crate::syntax::attribute(parsed, body.node, attr)?;
    let mut node = lowerer.lower(Loc { file: body.file, node: value }, 1);
    ampersand_to_dollar(&mut node, 0);
    Some(node)
}

/// `principals { type = "AWS" identifiers = [...] }` blocks → `{"AWS": [...], ...}`.
fn lower_principals<'m>(lowerer: &Lowerer<'m>, key: &str, blocks: &[(Span, Loc<'m>)]) -> Option<Member> {
    let (first_keyword, _) = blocks.first()?;
    let mut by_type: Vec<Member> = Vec::new();
    for (keyword, body) in blocks {
        let type_node = attr_value(lowerer, *body, "type");
        let identifiers = attr_value(lowerer, *body, "identifiers")
            .unwrap_or_else(|| Node::new(*keyword, NodeKind::Array(Vec::new())));
        let Some(Node { kind: NodeKind::String(Value::Known(type_name)), span: type_span }) = type_node else {
            let reason = "the principal `type` is not known statically".to_owned();
            return Some(member(key, *first_keyword, unknown(*keyword, reason)));
        };
        merge_into(&mut by_type, &type_name, type_span, identifiers);
    }
    let span = blocks.iter().map(|(span, _)| *span).fold(*first_keyword, Span::cover);
    Some(member(
        key,
        *first_keyword,
        Node::new(span, NodeKind::Object(Object { opening: *first_keyword, members: by_type })),
    ))
}

/// `condition { test variable values }` blocks → `{"test": {"variable": [values]}}`.
fn lower_conditions<'m>(lowerer: &Lowerer<'m>, blocks: &[(Span, Loc<'m>)]) -> Option<Member> {
    let (first_keyword, _) = blocks.first()?;
    let span = blocks.iter().map(|(span, _)| *span).fold(*first_keyword, Span::cover);
    let mut by_test: Vec<Member> = Vec::new();
    for (keyword, body) in blocks {
        let test = attr_value(lowerer, *body, "test");
        let variable = attr_value(lowerer, *body, "variable");
        let values =
            attr_value(lowerer, *body, "values").unwrap_or_else(|| Node::new(*keyword, NodeKind::Array(Vec::new())));
        let (
            Some(Node { kind: NodeKind::String(Value::Known(test)), span: test_span }),
            Some(Node { kind: NodeKind::String(Value::Known(variable)), span: variable_span }),
        ) = (test, variable)
        else {
            let reason = "the `test` or `variable` of a condition is not known statically".to_owned();
            return Some(member("Condition", *first_keyword, unknown(span, reason)));
        };
        let position = by_test.iter().position(|entry| entry.key.name == test);
        let entry = match position.and_then(|idx| by_test.get_mut(idx)) {
            Some(entry) => entry,
            None => {
                let empty = Node::new(*keyword, NodeKind::Object(Object { opening: *keyword, members: Vec::new() }));
                by_test.push(member(&test, test_span, empty));
                let Some(last) = by_test.last_mut() else { continue };
                last
            }
        };
        if let NodeKind::Object(object) = &mut entry.value.kind {
            merge_into(&mut object.members, &variable, variable_span, values);
        }
    }
    Some(member(
        "Condition",
        *first_keyword,
        Node::new(span, NodeKind::Object(Object { opening: *first_keyword, members: by_test })),
    ))
}

/// Adds `values` under `name`, concatenating with an earlier entry of the same name as the
/// provider does.
fn merge_into(members: &mut Vec<Member>, name: &str, key_span: Span, values: Node) {
    let existing = members.iter_mut().find(|entry| entry.key.name == name);
    match existing {
        Some(entry) => {
            let previous = std::mem::replace(&mut entry.value.kind, NodeKind::Null);
            entry.value.kind = match (previous, values.kind) {
                (NodeKind::Array(mut items), NodeKind::Array(more)) => {
                    items.extend(more);
                    NodeKind::Array(items)
                }
                (NodeKind::Array(mut items), other) => {
                    items.push(Node::new(values.span, other));
                    NodeKind::Array(items)
                }
                (NodeKind::Unknown(unknown), _) | (_, NodeKind::Unknown(unknown)) => NodeKind::Unknown(unknown),
                (previous, other) => {
                    let first = Node::new(entry.value.span, previous);
                    let second = Node::new(values.span, other);
                    NodeKind::Array(vec![first, second])
                }
            };
            entry.value.span = entry.value.span.cover(values.span);
        }
        None => members.push(member(name, key_span, values)),
    }
}

/// Reads the provider's `&{…}` escape as the IAM policy variable `${…}` in every string.
fn ampersand_to_dollar(node: &mut Node, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &mut node.kind {
        NodeKind::String(Value::Known(text)) if text.contains("&{") => *text = text.replace("&{", "${"),
        NodeKind::String(Value::Partial(parts)) => {
            for part in parts {
                if let TemplatePart::Text(text) = part
                    && text.contains("&{")
                {
                    *text = text.replace("&{", "${");
                }
            }
        }
        NodeKind::Array(items) => items.iter_mut().for_each(|item| ampersand_to_dollar(item, depth + 1)),
        NodeKind::Object(object) => {
            object.members.iter_mut().for_each(|member| ampersand_to_dollar(&mut member.value, depth + 1));
        }
        _ => {}
    }
}
