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

use crate::lower::{Lowerer, Source};
use crate::module::Loc;
use crate::syntax::{BodyItem, Kind, Node as SyntaxNode, block_parts, body_items, named_children, short};

/// Statement attributes and the policy keys they render as.
const LIST_ATTRIBUTES: [(&str, &str); 4] =
    [("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")];

/// Lowers one policy document data source (`block` is the whole `data` block).
///
/// `source_policy_documents` and `override_policy_documents` are merged by `Sid` as the provider
/// does: the sources' statements come first, then this block's statements replace the ones with
/// the same `Sid` or are appended, then the overrides do the same.
pub(crate) fn lower_policy_document<'m>(
    lowerer: &Lowerer<'m>,
    block: Loc<'m>,
    body: Option<SyntaxNode<'m>>,
    depth: usize,
) -> Node {
    let at = |node| Loc { file: block.file, node };
    let header = header_span(lowerer, block);
    let mut members = Vec::new();
    let mut version = None;
    let mut statements = Vec::new();
    let mut sources: Vec<Node> = Vec::new();
    let mut overrides: Vec<Node> = Vec::new();
    let mut statement_key: Option<Span> = None;
    for item in body.into_iter().flat_map(body_items) {
        match item {
            BodyItem::Attribute { name, value: Some(value) } => {
                let key_span = lowerer.span(at(name));
                match lowerer.text(at(name)) {
                    "version" => version = Some(member("Version", key_span, lowerer.lower(at(value), 1))),
                    "policy_id" => members.push(member("Id", key_span, lowerer.lower(at(value), 1))),
                    name @ ("source_policy_documents" | "source_json") => {
                        sources.extend(merged_statements(lowerer, at(value), name, depth));
                    }
                    name @ ("override_policy_documents" | "override_json") => {
                        overrides.extend(merged_statements(lowerer, at(value), name, depth));
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
                        statements.extend(dynamic_statements(lowerer, at(nested), parts.body));
                    }
                    _ => {}
                }
            }
            BodyItem::Attribute { value: None, .. } => {}
        }
    }
    if !sources.is_empty() || !overrides.is_empty() {
        let mut merged = sources;
        merge_by_sid(&mut merged, statements);
        merge_by_sid(&mut merged, overrides);
        statements = merged;
    }
    let version = version
        .unwrap_or_else(|| member("Version", header, Node::new(header, NodeKind::String(Value::known("2012-10-17")))));
    members.insert(0, version);
    let statement_span = statement_key.unwrap_or(header);
    members.push(member("Statement", statement_span, Node::new(lowerer.span(block), NodeKind::Array(statements))));
    Node::new(lowerer.span(block), NodeKind::Object(Object { opening: header, members }))
}

/// `dynamic "statement" { for_each = …  content { … } }` over a known collection: one statement
/// per element, whose values keep the spans of the literals they came from.
fn dynamic_statements<'m>(lowerer: &Lowerer<'m>, block: Loc<'m>, body: Option<SyntaxNode<'m>>) -> Vec<Node> {
    let whole = lowerer.span(block);
    let Some((body, parsed)) = body.zip(lowerer.parsed(block)) else {
        return vec![unknown(whole, "an empty `dynamic \"statement\"` block".to_owned())];
    };
    let Some((_, for_each)) = crate::syntax::attribute(parsed, body, "for_each") else {
        return vec![unknown(whole, "a `dynamic \"statement\"` block without `for_each`".to_owned())];
    };
    let iterator = crate::syntax::attribute(parsed, body, "iterator")
        .map_or("statement", |(_, value)| lowerer.text(Loc { file: block.file, node: value }).trim());
    let content = crate::syntax::blocks(parsed, body, "content").into_iter().next();
    let Some((content, content_body)) = content.and_then(|node| Some((node, block_parts(parsed, node)?.body))) else {
        return vec![unknown(whole, "a `dynamic \"statement\"` block without `content`".to_owned())];
    };
    let keyword = block_parts(parsed, block.node)
        .map_or(whole, |parts| lowerer.span(Loc { file: block.file, node: parts.keyword }));
    let expanded = lowerer.for_each(Loc { file: block.file, node: for_each }, iterator, |lowerer| {
        lower_statement(lowerer, Loc { file: block.file, node: content }, keyword, content_body)
    });
    match expanded {
        Ok(statements) => statements,
        Err(reason) => {
            let reason = format!("the `for_each` of a `dynamic \"statement\"` block is not known: {}", reason.reason);
            vec![unknown(whole, reason)]
        }
    }
}

/// The statements of the documents listed in `source_policy_documents` or
/// `override_policy_documents` (or the single document of the older `source_json`).
fn merged_statements<'m>(lowerer: &Lowerer<'m>, value: Loc<'m>, attribute: &str, depth: usize) -> Vec<Node> {
    let tuple = named_children(value.node)
        .into_iter()
        .find(|child| child.kind() == Kind::CollectionValue)
        .and_then(|collection| named_children(collection).into_iter().find(|child| child.kind() == Kind::Tuple));
    let elements: Vec<Loc<'m>> = match (tuple, attribute.ends_with("_json")) {
        (_, true) => vec![value],
        (Some(tuple), false) => named_children(tuple)
            .into_iter()
            .filter(|child| child.kind() == Kind::Expression)
            .map(|node| Loc { file: value.file, node })
            .collect(),
        (None, false) => {
            let reason = format!("`{attribute}` is not a list written out in the block");
            return vec![unknown(lowerer.span(value), reason)];
        }
    };
    let mut statements = Vec::new();
    for element in elements {
        let document = merged_source(lowerer, lowerer.policy_source(element, depth + 1), element, depth);
        let listed = members_of(&document)
            .and_then(|members| members.iter().rev().find(|member| member.key.name == "Statement"))
            .map(|member| member.value.clone());
        match listed {
            Some(Node { kind: NodeKind::Array(items), .. }) => statements.extend(items),
            Some(single @ Node { kind: NodeKind::Object(_), .. }) => statements.push(single),
            Some(other) => statements.push(other),
            None if matches!(document.kind, NodeKind::Unknown(_)) => statements.push(document),
            None => {}
        }
    }
    statements
}

/// The tree of one element of `source_policy_documents` or `override_policy_documents`.
fn merged_source<'m>(lowerer: &Lowerer<'m>, source: Source<'m>, element: Loc<'m>, depth: usize) -> Node {
    match source {
        Source::Tree(node) => node,
        Source::PolicyDocument(name) if depth < MAX_DEPTH => match lowerer.index.policy_documents.get(&name) {
            Some((block, body)) => lower_policy_document(lowerer, *block, *body, depth + 1),
            None => unknown(lowerer.span(element), format!("`{name}` is not declared")),
        },
        // A document passed in from another module is read there.
        Source::Foreign(node, inner) if depth < MAX_DEPTH => match Lowerer::new(lowerer.graph(), node) {
            Some(other) => match *inner {
                Source::PolicyDocument(name) => match other.index.policy_documents.get(&name) {
                    Some((block, body)) => lower_policy_document(&other, *block, *body, depth + 1),
                    None => unknown(lowerer.span(element), format!("`{name}` is not declared")),
                },
                Source::Tree(node) => node,
                Source::Unknown(span, unknown) => Node::new(span, NodeKind::Unknown(unknown)),
                _ => not_merged(lowerer, element),
            },
            None => not_merged(lowerer, element),
        },
        Source::Unknown(span, unknown) => Node::new(span, NodeKind::Unknown(unknown)),
        Source::PolicyDocument(_) | Source::Text(_) | Source::File(..) | Source::Template(..) | Source::Foreign(..) => {
            not_merged(lowerer, element)
        }
    }
}

fn not_merged(lowerer: &Lowerer<'_>, element: Loc<'_>) -> Node {
    let reason = format!("`{}` is not merged into the document yet", short(lowerer.text(element)));
    unknown(lowerer.span(element), reason)
}

/// Adds `statements` to `merged`: one with the `Sid` of an earlier statement replaces it in place,
/// the others are appended.
fn merge_by_sid(merged: &mut Vec<Node>, statements: Vec<Node>) {
    for stmt in statements {
        let position = sid_of(&stmt).and_then(|sid| merged.iter().position(|old| sid_of(old) == Some(sid)));
        match position.and_then(|idx| merged.get_mut(idx)) {
            Some(slot) => *slot = stmt,
            None => merged.push(stmt),
        }
    }
}

/// The known, non-empty `Sid` of a statement node.
fn sid_of(stmt: &Node) -> Option<&str> {
    let sid = members_of(stmt)?.iter().rev().find(|member| member.key.name == "Sid")?;
    match &sid.value.kind {
        NodeKind::String(Value::Known(text)) if !text.is_empty() => Some(text.as_str()),
        _ => None,
    }
}

fn members_of(node: &Node) -> Option<&[Member]> {
    match &node.kind {
        NodeKind::Object(object) => Some(&object.members),
        _ => None,
    }
}

/// The span of `data "aws_iam_policy_document" "name"`.
fn header_span(lowerer: &Lowerer<'_>, block: Loc<'_>) -> Span {
    let whole = lowerer.span(block);
    let open = named_children(block.node).into_iter().find(|child| child.kind() == Kind::BlockStart);
    let start = block.node.start_byte();
    match (open, lowerer.parsed(block)) {
        (Some(open), Some(parsed)) => {
            let header = parsed.text.get(start..open.start_byte()).unwrap_or_default();
            Span::from_offsets(whole.file, start, start + header.trim_end().len())
        }
        _ => whole,
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
    for item in body.into_iter().flat_map(body_items) {
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
        if type_name == "*" {
            // `type = "*"` renders as `"Principal": "*"`, whatever the identifiers say.
            let star = match identifiers.kind {
                NodeKind::Array(items) => items.into_iter().next(),
                _ => None,
            };
            let star = star.unwrap_or_else(|| Node::new(type_span, NodeKind::String(Value::known("*"))));
            return Some(member(key, *first_keyword, star));
        }
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
