//! Inventory entities from a plan's planned values, read with the same table of resource types
//! and canonical attributes as the `.tf` reader (`rein_tfschema::ENTITY_TYPES`).
//!
//! A value that Terraform knows only after apply is missing from `values` (or `null` there) and
//! marked `true` at the same path of the change's `after_unknown`; it becomes an unknown with
//! [`AFTER_APPLY`] as its reason, pointing at the marker when `values` has nothing to point at.
//! Nested blocks are lists of objects in a plan; a block that appears at most once becomes the
//! object itself, as in the `.tf` reader.

use jsonc_parser::ast::{Object, ObjectProp, Value as Json};
use jsonc_parser::common::{Range, Ranged};
use rein_model::tree::{MAX_DEPTH, Member, Object as TreeObject};
use rein_model::{Attribute, Entity, EntityKind, Key, Node, NodeKind, Reference, Unknown, Value};
use rein_text::Span;
use rein_tfschema::{AttributeSpec, Shape};

use crate::{AFTER_APPLY, Reader};

/// What one attribute path found: the property in `values` and the `after_unknown` marker at
/// the same place, either of which may be missing.
struct Found<'v, 'a> {
    prop: Option<&'v ObjectProp<'a>>,
    unknown: Option<&'v ObjectProp<'a>>,
}

impl Reader<'_, '_> {
    /// Reads one resource as an entity when its type is in the inventory table.
    pub(crate) fn read_entity(
        &mut self,
        address: &str,
        resource_type: &str,
        resource: &Object<'_>,
        values: &Object<'_>,
        after_unknown: Option<&Object<'_>>,
    ) {
        let Some(entry) = rein_tfschema::entity_type(resource_type) else { return };
        // Findings about the entity point at its address, the plan's name for it.
        let span = match resource.get("address") {
            Some(prop) => self.span(prop.value.range()),
            None => self.span(Range::new(resource.range.start, resource.range.start + 1)),
        };
        let attributes =
            entry.attributes.iter().filter_map(|spec| self.entity_attribute(spec, values, after_unknown)).collect();
        self.out.entities.push(Entity {
            kind: entry.kind,
            address: address.to_owned(),
            resource_type: resource_type.to_owned(),
            span,
            extent: self.span(resource.range),
            attributes,
            // A plan has decided `count` and `for_each`: every planned resource exists.
            conditional: None,
        });
    }

    /// The root module's `output` blocks as the plan's configuration records them: `value`
    /// stands for the expression (unknown, referring to the first attribute it reads, e.g.
    /// `aws_iam_access_key.ci.secret`), and `sensitive` is kept as written.
    pub(crate) fn read_outputs(&mut self, outputs: &Object<'_>) {
        for prop in &outputs.properties {
            let Json::Object(output) = &prop.value else { continue };
            let name = prop.name.as_str();
            let span = self.span(prop.name.range());
            let mut attributes = Vec::new();
            if let Some(expression) = output.get("expression") {
                let references: Vec<&str> = match &expression.value {
                    Json::Object(expression) => expression
                        .get_array("references")
                        .map(|list| {
                            list.elements
                                .iter()
                                .filter_map(|item| match item {
                                    Json::StringLit(text) => Some(text.value.as_ref()),
                                    _ => None,
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                // Terraform lists `a.b.attr` before `a.b`; the first with an attribute is the one read.
                let reference = references.iter().find_map(|text| {
                    let (entity, attribute) = text.rsplit_once('.')?;
                    entity
                        .contains('.')
                        .then(|| Reference { entity: entity.to_owned(), attribute: attribute.to_owned() })
                });
                let at = self.span(expression.value.range());
                let reason = format!("the value of output `{name}` is computed by Terraform");
                let unknown = match reference {
                    Some(reference) => Unknown::referring(reason, reference),
                    None => Unknown::new(reason),
                };
                attributes.push(Attribute {
                    name: "value".to_owned(),
                    key_span: self.span(expression.name.range()),
                    value: Node::new(at, NodeKind::Unknown(unknown)),
                });
            }
            if let Some(sensitive) = output.get("sensitive") {
                attributes.push(Attribute {
                    name: "sensitive".to_owned(),
                    key_span: self.span(sensitive.name.range()),
                    value: self.node(&sensitive.value, None, 0),
                });
            }
            self.out.entities.push(Entity {
                kind: EntityKind::Output,
                address: format!("output.{name}"),
                resource_type: "output".to_owned(),
                span,
                extent: self.span(prop.range),
                attributes,
                conditional: None,
            });
        }
    }

    fn entity_attribute(
        &self,
        spec: &AttributeSpec,
        values: &Object<'_>,
        after_unknown: Option<&Object<'_>>,
    ) -> Option<Attribute> {
        let found = find(Some(values), after_unknown, spec.path)?;
        let key_span = found.prop.or(found.unknown).map(|prop| self.span(prop.name.range()))?;
        let marker = found.unknown.map(|prop| &prop.value);
        if is_true(marker) {
            let at = found.prop.or(found.unknown).map_or(key_span, |prop| self.span(prop.value.range()));
            return Some(Attribute { name: spec.name.to_owned(), key_span, value: self.after_apply(at) });
        }
        let value = &found.prop?.value;
        let node = match (spec.shape, value) {
            (_, Json::NullKeyword(_)) => return None,
            (Shape::Value, _) => self.node(value, marker, 0),
            (Shape::Block, Json::Array(list)) => match list.elements.as_slice() {
                [] => return None,
                [only] => self.node(only, marker.and_then(|marker| first_element(marker)), 1),
                // Terraform rejects a repeated single block; the items are kept rather than one
                // being picked.
                _ => self.node(value, marker, 0),
            },
            (Shape::Blocks, Json::Array(list)) if list.elements.is_empty() => return None,
            _ => self.node(value, marker, 0),
        };
        Some(Attribute { name: spec.name.to_owned(), key_span, value: node })
    }

    fn after_apply(&self, span: Span) -> Node {
        Node::new(span, NodeKind::Unknown(Unknown::new(AFTER_APPLY)))
    }

    /// A planned value as a tree node, with the unknown parts that `marker` (the same path of
    /// `after_unknown`) marks.
    fn node(&self, value: &Json<'_>, marker: Option<&Json<'_>>, depth: usize) -> Node {
        let span = self.span(value.range());
        if is_true(marker) {
            return self.after_apply(span);
        }
        if depth > MAX_DEPTH {
            let reason = "the value nests too deeply to read";
            return Node::new(span, NodeKind::Unknown(Unknown::new(reason)));
        }
        let kind = match value {
            Json::StringLit(lit) => NodeKind::String(Value::known(lit.value.as_ref())),
            Json::NumberLit(lit) => NodeKind::Number(lit.value.to_owned()),
            Json::BooleanLit(lit) => NodeKind::Bool(lit.value),
            Json::NullKeyword(_) => NodeKind::Null,
            Json::Array(list) => {
                let markers = match marker {
                    Some(Json::Array(markers)) => Some(markers),
                    _ => None,
                };
                let items = list
                    .elements
                    .iter()
                    .enumerate()
                    .map(|(idx, item)| {
                        self.node(item, markers.and_then(|markers| markers.elements.get(idx)), depth + 1)
                    })
                    .collect();
                NodeKind::Array(items)
            }
            Json::Object(object) => {
                let markers = match marker {
                    Some(Json::Object(markers)) => Some(markers),
                    _ => None,
                };
                let mut members: Vec<Member> = object
                    .properties
                    .iter()
                    .map(|prop| {
                        let name = prop.name.as_str();
                        let marker = markers.and_then(|markers| markers.get(name)).map(|prop| &prop.value);
                        let key = Key { name: name.to_owned(), span: self.span(prop.name.range()) };
                        Member { key, value: self.node(&prop.value, marker, depth + 1) }
                    })
                    .collect();
                // Attributes known only after apply are left out of `values`; they are kept as
                // unknowns, pointing at their marker.
                for prop in markers.map(|markers| markers.properties.as_slice()).unwrap_or_default() {
                    let name = prop.name.as_str();
                    if is_true(Some(&prop.value)) && object.get(name).is_none() {
                        let key = Key { name: name.to_owned(), span: self.span(prop.name.range()) };
                        members.push(Member { key, value: self.after_apply(self.span(prop.value.range())) });
                    }
                }
                let opening = self.span(Range::new(object.range.start, object.range.start + 1));
                NodeKind::Object(TreeObject { opening, members })
            }
        };
        Node::new(span, kind)
    }
}

/// Follows `path` through `values` and `after_unknown` together; the steps before the last are
/// nested blocks, which a plan writes as lists of one object.
fn find<'v, 'a>(
    mut values: Option<&'v Object<'a>>,
    mut unknown: Option<&'v Object<'a>>,
    path: &[&str],
) -> Option<Found<'v, 'a>> {
    let (last, blocks) = path.split_last()?;
    for block in blocks {
        let prop = values.and_then(|object| object.get(block));
        let marker = unknown.and_then(|object| object.get(block));
        if marker.is_some_and(|marker| is_true(Some(&marker.value))) {
            // The whole block is known only after apply, and so is everything in it.
            return Some(Found { prop: None, unknown: marker });
        }
        values = prop.and_then(|prop| first_object(&prop.value));
        unknown = marker.and_then(|marker| first_object(&marker.value));
    }
    let prop = values.and_then(|object| object.get(last));
    let marker = unknown.and_then(|object| object.get(last));
    let marker = marker.filter(|marker| !matches!(marker.value, Json::BooleanLit(ref lit) if !lit.value));
    if prop.is_none() && marker.is_none() {
        return None;
    }
    Some(Found { prop, unknown: marker })
}

/// The object of a single nested block: the first item of its list, or the object itself.
fn first_object<'v, 'a>(value: &'v Json<'a>) -> Option<&'v Object<'a>> {
    match value {
        Json::Object(object) => Some(object),
        Json::Array(list) => match list.elements.first() {
            Some(Json::Object(object)) => Some(object),
            _ => None,
        },
        _ => None,
    }
}

fn first_element<'v, 'a>(value: &'v Json<'a>) -> Option<&'v Json<'a>> {
    match value {
        Json::Array(list) => list.elements.first(),
        other => Some(other),
    }
}

fn is_true(value: Option<&Json<'_>>) -> bool {
    crate::is_true(value)
}

#[cfg(test)]
mod tests;
