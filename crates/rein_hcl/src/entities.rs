//! The inventory entities of a module: every resource whose type is in
//! `rein_tfschema::ENTITY_TYPES`, with its canonical attributes lowered like any other
//! expression (locals and variables with defaults resolve; the rest stays unknown with its
//! reason).
//!
//! Nested blocks become objects: a block that appears at most once (`recording_group`) is one
//! object, a block that may repeat (`event_selector`) a list of objects even when written once,
//! and blocks nested deeper are lists of objects, the shape a plan gives them, so that rules read
//! one shape from either Terraform frontend.
//!
//! A resource with `count = 0` (or an empty `for_each`) is not created by Terraform and yields no
//! entity. One whose `count` or `for_each` is not known statically is kept, with `conditional`
//! saying why. A resource with a known `count` or `for_each` is one entity, not one per instance:
//! the instances share the block's attributes, and the ones that differ by `each.*` or
//! `count.index` are unknown.

use rein_model::inventory::node_number;
use rein_model::tree::{MAX_DEPTH, Member, Object};
use rein_model::{Attribute, Entity, Key, Node, NodeKind, Unknown};
use rein_text::Span;
use rein_tfschema::{AttributeSpec, Shape};

use crate::lower::Lowerer;
use crate::module::{Loc, Resource};
use crate::syntax::{
    BodyItem, Kind, Node as SyntaxNode, ParsedFile, attribute, block_parts, blocks, body_items, named_children,
};

/// The entities of the module's resources, in file and source order.
pub(crate) fn lower_entities<'m>(lowerer: &Lowerer<'m>, resources: &[Resource<'m>]) -> Vec<Entity> {
    let mut entities: Vec<Entity> = resources.iter().filter_map(|resource| lower_entity(lowerer, resource)).collect();
    entities.sort_by_key(|entity| (entity.span.file, entity.span.range.start()));
    entities
}

/// Whether Terraform creates a resource block.
enum Existence {
    Present,
    Absent,
    Conditional(String),
}

fn lower_entity<'m>(lowerer: &Lowerer<'m>, resource: &Resource<'m>) -> Option<Entity> {
    let entry =
        rein_tfschema::entity_type(&resource.kind).or_else(|| rein_tfschema::block_entity_type(&resource.kind))?;
    let parsed = lowerer.files.get(resource.file)?;
    let block = resource.block;
    let conditional = match existence(lowerer, parsed, resource) {
        Existence::Absent => return None,
        Existence::Present => None,
        Existence::Conditional(why) => Some(why),
    };
    let attributes = entry
        .attributes
        .iter()
        .filter_map(|spec| entity_attribute(lowerer, parsed, resource.file, resource.body, spec))
        .collect();
    Some(Entity {
        kind: entry.kind,
        address: resource.address(),
        resource_type: resource.kind.clone(),
        span: labels_span(parsed, block),
        extent: parsed.span(block),
        attributes,
        conditional,
    })
}

/// The span of a block's labels, `"aws_iam_role" "ci"`; the keyword when it has none.
fn labels_span(parsed: &ParsedFile<'_>, block: SyntaxNode<'_>) -> Span {
    let labels: Vec<SyntaxNode<'_>> = named_children(block)
        .into_iter()
        .skip(1)
        .take_while(|child| matches!(child.kind(), Kind::StringLit | Kind::Identifier))
        .collect();
    match (labels.first(), labels.last()) {
        (Some(first), Some(last)) => Span::from_offsets(parsed.file, first.start_byte(), last.end_byte()),
        _ => parsed.span(block),
    }
}

fn existence<'m>(lowerer: &Lowerer<'m>, parsed: &ParsedFile<'_>, resource: &Resource<'m>) -> Existence {
    let at = |node| Loc { file: resource.file, node };
    if let Some((_, value)) = attribute(parsed, resource.body, "count") {
        let node = lowerer.lower(at(value), 0);
        return match (&node.kind, node_number(&node)) {
            (_, Some(count)) if count <= 0.0 => Existence::Absent,
            (_, Some(_)) => Existence::Present,
            (NodeKind::Unknown(unknown), None) => {
                Existence::Conditional(format!("`count` is not known statically: {}", unknown.reason))
            }
            (NodeKind::String(value), None) if !value.is_known() => Existence::Conditional(format!(
                "`count` is not known statically: {}",
                value.unknown_reasons().join("; ")
            )),
            _ => Existence::Conditional(format!("`count = {}` is not a number", lowerer.text(at(value)).trim())),
        };
    }
    if let Some((_, value)) = attribute(parsed, resource.body, "for_each") {
        let node = lowerer.lower(at(value), 0);
        return match &node.kind {
            NodeKind::Object(object) if object.members.is_empty() => Existence::Absent,
            NodeKind::Array(items) if items.is_empty() => Existence::Absent,
            NodeKind::Object(_) | NodeKind::Array(_) => Existence::Present,
            NodeKind::Unknown(unknown) => {
                Existence::Conditional(format!("`for_each` is not known statically: {}", unknown.reason))
            }
            _ => Existence::Conditional(format!("`for_each = {}` is not a collection", lowerer.text(at(value)).trim())),
        };
    }
    Existence::Present
}

/// One canonical attribute, when the resource sets it.
fn entity_attribute<'m>(
    lowerer: &Lowerer<'m>,
    parsed: &ParsedFile<'_>,
    file: usize,
    body: SyntaxNode<'m>,
    spec: &AttributeSpec,
) -> Option<Attribute> {
    let at = |node| Loc { file, node };
    let (last, outer) = spec.path.split_last()?;
    // Arguments inside nested blocks: the first block of each name on the way.
    let mut body = body;
    for name in outer {
        match blocks(parsed, body, name).first().and_then(|block| block_parts(parsed, *block)?.body) {
            Some(inner) => body = inner,
            None => return dynamic_attribute(parsed, body, name, spec),
        }
    }
    if let Some((ident, value)) = attribute(parsed, body, last) {
        // `jsonencode({…})` (an event pattern, rule parameters) is read as the structure it encodes.
        let value = match lowerer.jsonencode_argument(at(value)) {
            Some(argument) => lowerer.lower(argument, 0),
            None => lowerer.lower(at(value), 0),
        };
        return Some(Attribute { name: spec.name.to_owned(), key_span: parsed.span(ident), value });
    }
    if spec.shape == Shape::Value {
        return None;
    }
    let found = blocks(parsed, body, last);
    let (first, end) = match (found.first(), found.last()) {
        (Some(first), Some(end)) => (*first, *end),
        _ => return dynamic_attribute(parsed, body, last, spec),
    };
    let key_span = named_children(first).first().map_or_else(|| parsed.span(first), |keyword| parsed.span(*keyword));
    let value = match (spec.shape, found.as_slice()) {
        (Shape::Block, [only]) => block_object(lowerer, parsed, at(*only), 1),
        _ => {
            let items = found.iter().map(|block| block_object(lowerer, parsed, at(*block), 1)).collect();
            Node::new(Span::from_offsets(parsed.file, first.start_byte(), end.end_byte()), NodeKind::Array(items))
        }
    };
    Some(Attribute { name: spec.name.to_owned(), key_span, value })
}

/// A `dynamic "NAME"` block stands where the blocks `NAME` would be; its content is not
/// expanded here, so the attribute is unknown rather than absent.
fn dynamic_attribute(
    parsed: &ParsedFile<'_>,
    body: SyntaxNode<'_>,
    name: &str,
    spec: &AttributeSpec,
) -> Option<Attribute> {
    let block = dynamic_blocks(parsed, body, name).into_iter().next()?;
    let key_span = labels_span(parsed, block);
    let reason = format!("`dynamic \"{name}\"` blocks are not expanded");
    let value = Node::new(parsed.span(block), NodeKind::Unknown(Unknown::new(reason)));
    Some(Attribute { name: spec.name.to_owned(), key_span, value })
}

fn dynamic_blocks<'t>(parsed: &ParsedFile<'_>, body: SyntaxNode<'t>, name: &str) -> Vec<SyntaxNode<'t>> {
    blocks(parsed, body, "dynamic")
        .into_iter()
        .filter(|block| {
            block_parts(parsed, *block).is_some_and(|parts| parts.labels.first().is_some_and(|l| l == name))
        })
        .collect()
}

/// A nested block as an object: its arguments, and its own nested blocks as lists of objects.
fn block_object<'m>(lowerer: &Lowerer<'m>, parsed: &ParsedFile<'_>, block: Loc<'m>, depth: usize) -> Node {
    let span = parsed.span(block.node);
    if depth > MAX_DEPTH {
        let reason = "the block nests too deeply to read";
        return Node::new(span, NodeKind::Unknown(Unknown::new(reason)));
    }
    let children = named_children(block.node);
    let opening = children.first().map_or(span, |keyword| parsed.span(*keyword));
    let Some(body) = block_parts(parsed, block.node).and_then(|parts| parts.body) else {
        return Node::new(span, NodeKind::Object(Object { opening, members: Vec::new() }));
    };
    let mut members: Vec<Member> = Vec::new();
    // Nested blocks of one type are gathered into one list, at the place of the first.
    let mut lists: Vec<(String, usize)> = Vec::new();
    for item in body_items(body) {
        match item {
            BodyItem::Attribute { name, value: Some(value) } => {
                let key = Key { name: parsed.text_of(name).to_owned(), span: parsed.span(name) };
                let value = lowerer.lower(Loc { file: block.file, node: value }, depth);
                members.push(Member { key, value });
            }
            BodyItem::Attribute { value: None, .. } => {}
            BodyItem::Block(nested) => {
                let Some(parts) = block_parts(parsed, nested) else { continue };
                let keyword = parsed.text_of(parts.keyword);
                if keyword == "dynamic" {
                    let name = parts.labels.first().cloned().unwrap_or_default();
                    let key = Key { name: name.clone(), span: labels_span(parsed, nested) };
                    let reason = format!("`dynamic \"{name}\"` blocks are not expanded");
                    let value = Node::new(parsed.span(nested), NodeKind::Unknown(Unknown::new(reason)));
                    members.push(Member { key, value });
                    continue;
                }
                let object = block_object(lowerer, parsed, Loc { file: block.file, node: nested }, depth + 1);
                let existing = lists.iter().find(|(name, _)| name == keyword).map(|(_, idx)| *idx);
                match existing.and_then(|idx| members.get_mut(idx)) {
                    Some(member) => {
                        member.value.span = member.value.span.cover(object.span);
                        if let NodeKind::Array(items) = &mut member.value.kind {
                            items.push(object);
                        }
                    }
                    None => {
                        lists.push((keyword.to_owned(), members.len()));
                        let key = Key { name: keyword.to_owned(), span: parsed.span(parts.keyword) };
                        let list = Node::new(object.span, NodeKind::Array(vec![object]));
                        members.push(Member { key, value: list });
                    }
                }
            }
        }
    }
    Node::new(span, NodeKind::Object(Object { opening, members }))
}

#[cfg(test)]
mod tests;
