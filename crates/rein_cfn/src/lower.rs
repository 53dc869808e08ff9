//! Lowers template values to the syntax-neutral [`Node`] tree, resolving the intrinsic functions
//! that can be resolved statically.
//!
//! `Ref` to a parameter with a `Default` becomes the default (with the span of the default
//! literal); `Fn::Sub` and `Fn::Join` become known or partly known strings; `Fn::FindInMap` and
//! `Fn::Select` with known arguments become the value they pick; `AWS::NoValue` removes the
//! element. `Ref` and `Fn::GetAtt` to a resource of the template become typed placeholders
//! (see [`crate::return_values`]) whose holes refer to the resource; pseudo parameters are holes
//! of one name each. `Fn::If` takes the branch that the current [`Branches`] choose, and is
//! unknown outside of such a choice. `Fn::ImportValue` and every function not evaluated stay
//! unknown with a reason, since `Unknown` is never a wildcard.

use std::cell::RefCell;
use std::collections::HashMap;

use rein_model::HoleShape;
use rein_model::tree::{MAX_DEPTH, Member, Object};
use rein_model::{Key, Node, NodeKind, Reference, TemplatePart, Unknown, Value};
use rein_text::{FileId, Span};

use crate::return_values::{self, Pathed, Piece};
use crate::syntax::{Kind, Scalar, Style, Tree};

/// The pseudo parameters whose values are known only when the stack is deployed.
const PSEUDO_PARAMETERS: [&str; 7] = [
    "AWS::AccountId",
    "AWS::Region",
    "AWS::Partition",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::URLSuffix",
    "AWS::NotificationARNs",
];

/// Pseudo parameters whose values are one name each (never `:` or `/`), so that they are typed
/// holes in an ARN.
const SEGMENT_PSEUDO_PARAMETERS: [&str; 5] =
    ["AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::URLSuffix"];

/// What the lowering needs to know about the template: its parameters and resources.
pub(crate) struct Template<'t> {
    pub file: FileId,
    text: &'t str,
    parameters: HashMap<&'t str, &'t Tree>,
    /// The type and definition of each resource, by logical id.
    resources: HashMap<&'t str, (&'t str, &'t Tree)>,
    mappings: Option<&'t Tree>,
    branches: RefCell<Branches>,
}

/// Which branch each `Fn::If` condition takes while one combination of branches is lowered, and
/// which conditions the lowering met.
#[derive(Clone, Debug, Default)]
pub(crate) struct Branches {
    /// The chosen value of each condition; a condition not listed leaves `Fn::If` unknown.
    pub chosen: Vec<(String, bool)>,
    /// The chosen conditions that the lowering consulted, in order of first use.
    pub consulted: Vec<(String, bool)>,
}

/// What a name in `Ref` or `${…}` stands for.
enum Target<'t> {
    Default(&'t Tree),
    Hole(Unknown),
    /// A resource of the template, by logical id.
    Resource(&'t str),
    NoValue,
}

impl<'t> Template<'t> {
    pub fn new(file: FileId, text: &'t str, root: &'t Tree) -> Self {
        let parameters = root
            .get("Parameters")
            .map(|params| params.entries().iter().filter_map(|(key, value)| Some((key.as_str()?, value))).collect())
            .unwrap_or_default();
        let resources = root
            .get("Resources")
            .map(|resources| {
                resources
                    .entries()
                    .iter()
                    .filter_map(|(key, value)| Some((key.as_str()?, (value.get("Type")?.as_str()?, value))))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            file,
            text,
            parameters,
            resources,
            mappings: root.get("Mappings"),
            branches: RefCell::new(Branches::default()),
        }
    }

    /// Lowers `tree` with the conditions of `chosen` fixed; returns the value and the conditions
    /// it consulted.
    pub fn lower_with(&self, tree: &Tree, chosen: &[(String, bool)]) -> (Option<Node>, Vec<(String, bool)>) {
        self.branches.replace(Branches { chosen: chosen.to_vec(), consulted: Vec::new() });
        let node = self.lower(tree, 1);
        let branches = self.branches.take();
        (node, branches.consulted)
    }

    /// The branch condition `condition` takes now, noting that it was consulted.
    fn choose(&self, condition: &str) -> Option<bool> {
        let mut branches = self.branches.borrow_mut();
        let value = branches.chosen.iter().find(|(name, _)| name == condition).map(|(_, value)| *value)?;
        if !branches.consulted.iter().any(|(name, _)| name == condition) {
            branches.consulted.push((condition.to_owned(), value));
        }
        Some(value)
    }

    /// The typed placeholder for `Ref` (`attribute` is `None`) or `Fn::GetAtt` on resource `id`.
    fn resource_value(&self, id: &str, attribute: Option<&str>) -> Value {
        let Some((ty, definition)) = self.resources.get(id) else {
            return Value::Unknown(Unknown::new(format!("`{id}` is not a resource of the template")));
        };
        let reference = Reference { entity: id.to_owned(), attribute: attribute.unwrap_or_default().to_owned() };
        let reason = match attribute {
            None => format!("`Ref` to resource `{id}` ({ty})"),
            Some(attribute) => format!("attribute `{attribute}` of resource `{id}` ({ty})"),
        };
        let Some((shape, pathed)) = return_values::shape(ty, attribute) else {
            return Value::Unknown(Unknown::referring(reason, reference));
        };
        // A `Path` other than `/` puts slashes before the name in the ARN.
        let has_path = pathed == Pathed::Yes
            && definition
                .get("Properties")
                .and_then(|properties| properties.get("Path"))
                .is_some_and(|path| path.as_str() != Some("/"));
        let mut parts = Parts::default();
        for piece in return_values::pieces(shape) {
            match piece {
                Piece::Text(text) => parts.text(text),
                Piece::Pseudo(name) => parts.parts.push(TemplatePart::Hole(pseudo_hole(name))),
                Piece::Name if !has_path => {
                    parts.parts.push(TemplatePart::Hole(
                        Unknown::referring(reason.clone(), reference.clone()).with_shape(HoleShape::Segment),
                    ));
                }
                Piece::Name | Piece::Path => {
                    parts.parts.push(TemplatePart::Hole(Unknown::referring(reason.clone(), reference.clone())));
                }
            }
        }
        match parts.into_value() {
            // A shape that is only the name is the hole itself.
            Value::Partial(mut holes) if holes.len() == 1 => match holes.pop() {
                Some(TemplatePart::Hole(unknown)) => Value::Unknown(unknown),
                Some(part) => Value::Partial(vec![part]),
                None => Value::Partial(Vec::new()),
            },
            value => value,
        }
    }

    pub fn span(&self, range: &std::ops::Range<usize>) -> Span {
        Span::from_offsets(self.file, range.start, range.end)
    }

    /// Lowers a value; `None` when it is `AWS::NoValue`, i.e. the element is absent.
    pub fn lower(&self, tree: &Tree, depth: usize) -> Option<Node> {
        let span = self.span(&tree.span);
        if depth > MAX_DEPTH {
            return Some(unknown(span, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        match &tree.kind {
            Kind::Scalar(scalar) => Some(Node::new(span, scalar_kind(scalar))),
            Kind::Missing => Some(unknown(span, "the value is incomplete")),
            Kind::Tagged(name, arg) => self.intrinsic(tree, name, arg, depth),
            Kind::Map(entries) => {
                if let Some((name, arg)) = long_form(tree) {
                    return self.intrinsic(tree, name, arg, depth);
                }
                let mut members = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    let Some(name) = key.as_str() else { continue };
                    let Some(value) = self.lower(value, depth + 1) else { continue };
                    members.push(Member { key: Key { name: name.to_owned(), span: self.span(&key.span) }, value });
                }
                // A flow mapping points at its brace; a block mapping has none, so at its first key.
                let opening = if self.text.as_bytes().get(tree.span.start) == Some(&b'{') {
                    Span::from_offsets(self.file, tree.span.start, tree.span.start + 1)
                } else {
                    entries.first().map_or(span, |(key, _)| self.span(&key.span))
                };
                Some(Node::new(span, NodeKind::Object(Object { opening, members })))
            }
            Kind::Seq(items) => {
                let items = items.iter().filter_map(|item| self.lower(item, depth + 1)).collect();
                Some(Node::new(span, NodeKind::Array(items)))
            }
        }
    }

    fn intrinsic(&self, tree: &Tree, name: &str, arg: &Tree, depth: usize) -> Option<Node> {
        let span = self.span(&tree.span);
        match name {
            "Ref" => {
                let Some(target) = arg.as_str() else {
                    return Some(unknown(span, "`Ref` needs the name of a parameter or resource"));
                };
                match self.target(target) {
                    Target::Default(default) => self.lower(default, depth + 1),
                    Target::Hole(unknown) => Some(Node::new(span, NodeKind::String(Value::Unknown(unknown)))),
                    Target::Resource(id) => Some(Node::new(span, NodeKind::String(self.resource_value(id, None)))),
                    Target::NoValue => None,
                }
            }
            "Fn::GetAtt" => {
                let value = match get_att_parts(arg) {
                    Some((resource, attribute)) => self.resource_value(resource, Some(attribute)),
                    None => Value::Unknown(Unknown::new("`Fn::GetAtt` needs a resource and an attribute")),
                };
                Some(Node::new(span, NodeKind::String(value)))
            }
            "Fn::Sub" => Some(self.sub(tree, arg, depth)),
            "Fn::Join" => Some(self.join(tree, arg, depth)),
            "Fn::If" => {
                let Some((condition, when_true, when_false)) = if_parts(arg) else {
                    return Some(unknown(span, "`Fn::If` takes a condition name and two values"));
                };
                match self.choose(condition) {
                    Some(true) => self.lower(when_true, depth + 1),
                    Some(false) => self.lower(when_false, depth + 1),
                    // Outside of a choice of branches (an entity's attribute, or past the cap on
                    // combinations) the value is one of two.
                    None => Some(unknown(span, format!("`Fn::If` on condition `{condition}`"))),
                }
            }
            "Fn::FindInMap" => self.find_in_map(tree, arg, depth),
            "Fn::Select" => self.select(tree, arg, depth),
            "Fn::Split" => Some(self.split(tree, arg, depth)),
            "Fn::ImportValue" => Some(Node::new(
                span,
                NodeKind::String(Value::Unknown(Unknown::new("`Fn::ImportValue` is known only at deploy time"))),
            )),
            other if other.starts_with('!') => Some(unknown(span, format!("unsupported tag `{other}`"))),
            other => Some(unknown(span, format!("`{other}` is not evaluated"))),
        }
    }

    /// `Fn::FindInMap` with keys that are known: the value in the template's `Mappings`.
    fn find_in_map(&self, tree: &Tree, arg: &Tree, depth: usize) -> Option<Node> {
        let span = self.span(&tree.span);
        let Kind::Seq(items) = &arg.kind else {
            return Some(unknown(span, "`Fn::FindInMap` takes a map name and two keys"));
        };
        let [map, top, second] = items.as_slice() else {
            return Some(unknown(span, "`Fn::FindInMap` takes a map name and two keys"));
        };
        let mut keys = Vec::with_capacity(3);
        for key in [map, top, second] {
            match self.lower(key, depth + 1).map(|node| node.kind) {
                Some(NodeKind::String(Value::Known(text)) | NodeKind::Number(text)) => keys.push(text),
                _ => return Some(unknown(span, "a key of `Fn::FindInMap` is not known statically")),
            }
        }
        let [map, top, second] = keys.as_slice() else { return Some(unknown(span, "`Fn::FindInMap` is malformed")) };
        match self.mappings.and_then(|mappings| mappings.get(map)?.get(top)?.get(second)) {
            Some(value) if has_intrinsic(value) => Some(unknown(span, "a value of `Mappings` is not a literal")),
            Some(value) => self.lower(value, depth + 1),
            None => Some(unknown(span, format!("`Fn::FindInMap` finds nothing at `{map}.{top}.{second}`"))),
        }
    }

    /// `Fn::Select` of a known index from a literal list.
    fn select(&self, tree: &Tree, arg: &Tree, depth: usize) -> Option<Node> {
        let span = self.span(&tree.span);
        let (index, list) = match &arg.kind {
            Kind::Seq(items) => match items.as_slice() {
                [index, list] => (index, list),
                _ => return Some(unknown(span, "`Fn::Select` takes an index and a list")),
            },
            _ => return Some(unknown(span, "`Fn::Select` takes an index and a list")),
        };
        let index = match self.lower(index, depth + 1).map(|node| node.kind) {
            Some(NodeKind::String(Value::Known(text)) | NodeKind::Number(text)) => text.parse::<usize>().ok(),
            _ => None,
        };
        let Some(index) = index else {
            return Some(unknown(span, "the index of `Fn::Select` is not known statically"));
        };
        match &list.kind {
            Kind::Seq(items) => match items.get(index) {
                Some(item) => self.lower(item, depth + 1),
                None => Some(unknown(span, format!("`Fn::Select` index {index} is out of range"))),
            },
            // A list built by an intrinsic, e.g. `!Select [0, !Split [",", !Ref Names]]`.
            _ => match self.lower(list, depth + 1).map(|node| node.kind) {
                Some(NodeKind::Array(items)) => match items.into_iter().nth(index) {
                    Some(item) => Some(item),
                    None => Some(unknown(span, format!("`Fn::Select` index {index} is out of range"))),
                },
                _ => Some(unknown(span, "the list of `Fn::Select` is not known statically")),
            },
        }
    }

    /// `Fn::Split` of a known string: a list of its pieces, each with the span of the split call
    /// (the pieces have no text of their own in the file).
    fn split(&self, tree: &Tree, arg: &Tree, depth: usize) -> Node {
        let span = self.span(&tree.span);
        let Kind::Seq(items) = &arg.kind else { return unknown(span, "`Fn::Split` takes a delimiter and a string") };
        let [delimiter, source] = items.as_slice() else {
            return unknown(span, "`Fn::Split` takes a delimiter and a string");
        };
        let known = |node: Option<Node>| match node.map(|node| node.kind) {
            Some(NodeKind::String(Value::Known(text))) => Some(text),
            _ => None,
        };
        let (Some(delimiter), Some(source)) =
            (known(self.lower(delimiter, depth + 1)), known(self.lower(source, depth + 1)))
        else {
            return unknown(span, "the string of `Fn::Split` is not known statically");
        };
        if delimiter.is_empty() {
            return unknown(span, "`Fn::Split` needs a delimiter");
        }
        let pieces = source
            .split(delimiter.as_str())
            .map(|piece| Node::new(span, NodeKind::String(Value::known(piece))))
            .collect();
        Node::new(span, NodeKind::Array(pieces))
    }

    /// What `name` in `Ref` or `${name}` stands for.
    fn target(&self, name: &str) -> Target<'t> {
        if name == "AWS::NoValue" {
            return Target::NoValue;
        }
        if PSEUDO_PARAMETERS.contains(&name) {
            return Target::Hole(pseudo_hole(name));
        }
        if let Some(param) = self.parameters.get(name) {
            let is_list = param
                .get("Type")
                .and_then(Tree::as_str)
                .is_some_and(|ty| ty.starts_with("List<") || ty == "CommaDelimitedList");
            // The hole names the parameter, so that rules can read its `NoEcho` (parameters and
            // resources share one namespace of logical ids).
            let reference = Reference { entity: name.to_owned(), attribute: String::new() };
            let hole = |reason: String| Target::Hole(Unknown::referring(reason, reference.clone()));
            return match param.get("Default") {
                Some(_) if is_list => hole(format!("list parameter `{name}` is not expanded")),
                // CloudFormation allows only literals here; lowering anything else could recurse
                // through references without end.
                Some(default) if has_intrinsic(default) => {
                    hole(format!("the default of parameter `{name}` is not a literal"))
                }
                Some(default) => Target::Default(default),
                None => hole(format!("parameter `{name}` has no default")),
            };
        }
        if let Some((id, _)) = self.resources.get_key_value(name) {
            return Target::Resource(id);
        }
        let unknown = Unknown::new(format!("`{name}` is not a parameter or resource of the template"));
        // `service:key` is how IAM policy variables are named; in `Fn::Sub` it needs `${!…}`.
        if rein_model::value::is_policy_variable_name(name) {
            Target::Hole(unknown.unescaped_variable(name))
        } else {
            Target::Hole(unknown)
        }
    }

    /// `Fn::Sub`, in the string form and the `[template, {vars}]` form.
    fn sub(&self, tree: &Tree, arg: &Tree, depth: usize) -> Node {
        let (template, vars) = match &arg.kind {
            Kind::Scalar(_) => (arg, None),
            Kind::Seq(items) => match items.as_slice() {
                [template] => (template, None),
                [template, vars] => (template, Some(vars)),
                _ => return unknown(self.span(&tree.span), "`Fn::Sub` takes a template and a map of variables"),
            },
            _ => return unknown(self.span(&tree.span), "`Fn::Sub` needs a template string"),
        };
        let Some(text) = template.as_str() else {
            return unknown(self.span(&tree.span), "the template of `Fn::Sub` is not a string");
        };
        let mut parts = Parts::default();
        let mut rest = text;
        while let Some(open) = rest.find("${") {
            parts.text(rest.get(..open).unwrap_or_default());
            let after = rest.get(open + 2..).unwrap_or_default();
            let Some(close) = after.find('}') else {
                parts.text(rest.get(open..).unwrap_or_default());
                rest = "";
                break;
            };
            let name = after.get(..close).unwrap_or_default();
            if let Some(literal) = name.strip_prefix('!') {
                // `${!Literal}` is the text `${Literal}`, e.g. an IAM policy variable.
                parts.text("${");
                parts.text(literal);
                parts.text("}");
            } else {
                self.sub_variable(name.trim(), vars, depth, &mut parts);
            }
            rest = after.get(close + 1..).unwrap_or_default();
        }
        parts.text(rest);
        Node::new(self.span(&template.span), NodeKind::String(parts.into_value()))
    }

    fn sub_variable(&self, name: &str, vars: Option<&Tree>, depth: usize, parts: &mut Parts) {
        if let Some(value) = vars.and_then(|vars| vars.get(name)) {
            match self.lower(value, depth + 1) {
                Some(node) => parts.node(node, &format!("variable `{name}` of `Fn::Sub`")),
                None => parts.text(""),
            }
            return;
        }
        if let Some((resource, attribute)) = name.split_once('.') {
            parts.value(self.resource_value(resource, Some(attribute)));
            return;
        }
        match self.target(name) {
            Target::Default(default) => match self.lower(default, depth + 1) {
                Some(node) => parts.node(node, &format!("parameter `{name}`")),
                None => parts.text(""),
            },
            Target::Hole(unknown) => parts.parts.push(TemplatePart::Hole(unknown)),
            Target::Resource(id) => parts.value(self.resource_value(id, None)),
            Target::NoValue => parts.text(""),
        }
    }

    /// `Fn::Join` of a delimiter and a list.
    fn join(&self, tree: &Tree, arg: &Tree, depth: usize) -> Node {
        let span = self.span(&tree.span);
        let (delimiter, list) = match &arg.kind {
            Kind::Seq(items) => match items.as_slice() {
                [delimiter, list] => (delimiter, list),
                _ => return unknown(span, "`Fn::Join` takes a delimiter and a list"),
            },
            _ => return unknown(span, "`Fn::Join` takes a delimiter and a list"),
        };
        let Some(delimiter) = delimiter.as_str() else {
            return unknown(span, "the delimiter of `Fn::Join` is not a string");
        };
        let Kind::Seq(items) = &list.kind else {
            let reason = "the list of `Fn::Join` is not known statically";
            return Node::new(span, NodeKind::String(Value::Unknown(Unknown::new(reason))));
        };
        let mut parts = Parts::default();
        let mut first = true;
        for item in items {
            let Some(node) = self.lower(item, depth + 1) else { continue };
            if !first {
                parts.text(delimiter);
            }
            first = false;
            parts.node(node, "an item of `Fn::Join`");
        }
        Node::new(span, NodeKind::String(parts.into_value()))
    }
}

/// The pieces of a string being built from known text and holes.
#[derive(Default)]
struct Parts {
    parts: Vec<TemplatePart>,
}

impl Parts {
    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(TemplatePart::Text(last)) = self.parts.last_mut() {
            last.push_str(text);
        } else {
            self.parts.push(TemplatePart::Text(text.to_owned()));
        }
    }

    fn hole(&mut self, reason: String) {
        self.parts.push(TemplatePart::Hole(Unknown::new(reason)));
    }

    /// Splices a string value in.
    fn value(&mut self, value: Value) {
        match value {
            Value::Known(text) => self.text(&text),
            Value::Partial(parts) => {
                for part in parts {
                    match part {
                        TemplatePart::Text(text) => self.text(&text),
                        TemplatePart::Hole(unknown) => self.parts.push(TemplatePart::Hole(unknown)),
                    }
                }
            }
            Value::Unknown(unknown) => self.parts.push(TemplatePart::Hole(unknown)),
        }
    }

    /// Splices a lowered value in: known text as text, the parts of a partial string as they are.
    fn node(&mut self, node: Node, what: &str) {
        match node.kind {
            NodeKind::String(Value::Known(text)) | NodeKind::Number(text) => self.text(&text),
            NodeKind::Bool(value) => self.text(if value { "true" } else { "false" }),
            NodeKind::String(Value::Partial(parts)) => {
                for part in parts {
                    match part {
                        TemplatePart::Text(text) => self.text(&text),
                        TemplatePart::Hole(unknown) => self.parts.push(TemplatePart::Hole(unknown)),
                    }
                }
            }
            NodeKind::String(Value::Unknown(unknown)) | NodeKind::Unknown(unknown) => {
                self.parts.push(TemplatePart::Hole(unknown));
            }
            NodeKind::Object(_) | NodeKind::Array(_) | NodeKind::Null => {
                self.hole(format!("{what} is not a string"));
            }
        }
    }

    fn into_value(self) -> Value {
        let has_hole = self.parts.iter().any(|part| matches!(part, TemplatePart::Hole(_)));
        if has_hole {
            return Value::Partial(self.parts);
        }
        let text = self
            .parts
            .into_iter()
            .map(|part| match part {
                TemplatePart::Text(text) => text,
                TemplatePart::Hole(_) => String::new(),
            })
            .collect();
        Value::Known(text)
    }
}

/// The hole of a pseudo parameter; those that are one name are segment holes.
pub(crate) fn pseudo_hole(name: &str) -> Unknown {
    let unknown = Unknown::new(format!("pseudo parameter `{name}` is known only at deploy time"));
    if SEGMENT_PSEUDO_PARAMETERS.contains(&name) { unknown.with_shape(HoleShape::Segment) } else { unknown }
}

/// The condition and the two values of `Fn::If`.
pub(crate) fn if_parts(arg: &Tree) -> Option<(&str, &Tree, &Tree)> {
    match &arg.kind {
        Kind::Seq(items) => match items.as_slice() {
            [condition, when_true, when_false] => Some((condition.as_str()?, when_true, when_false)),
            _ => None,
        },
        _ => None,
    }
}

/// The argument of `tree` when it is the intrinsic function `name`, in short or long form.
pub(crate) fn intrinsic_arg<'a>(tree: &'a Tree, name: &str) -> Option<&'a Tree> {
    match &tree.kind {
        Kind::Tagged(tag, arg) if tag == name => Some(arg),
        _ => long_form(tree).and_then(|(tag, arg)| (tag == name).then_some(arg)),
    }
}

/// The names of the `Fn::If` conditions in a value, in order of first appearance; walked
/// without recursion.
pub(crate) fn if_conditions(tree: &Tree) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut todo = vec![tree];
    while let Some(node) = todo.pop() {
        if let Some((condition, _, _)) = intrinsic_arg(node, "Fn::If").and_then(if_parts)
            && !found.iter().any(|name| name == condition)
        {
            found.push(condition.to_owned());
        }
        match &node.kind {
            Kind::Tagged(_, arg) => todo.push(arg),
            // Pushed in reverse so that the walk meets them in source order.
            Kind::Map(entries) => todo.extend(entries.iter().rev().map(|(_, value)| value)),
            Kind::Seq(items) => todo.extend(items.iter().rev()),
            Kind::Scalar(_) | Kind::Missing => {}
        }
    }
    found
}

/// `{"Ref": x}` or `{"Fn::Sub": x}`: a mapping with one key naming an intrinsic function.
///
/// `Condition` is left out: in a policy statement it is an element, not the condition function.
pub(crate) fn long_form(tree: &Tree) -> Option<(&str, &Tree)> {
    match tree.entries() {
        [(key, arg)] => {
            let name = key.as_str()?;
            (name == "Ref" || name.starts_with("Fn::")).then_some((name, arg))
        }
        _ => None,
    }
}

/// Whether a value contains an intrinsic function; walked without recursion.
fn has_intrinsic(tree: &Tree) -> bool {
    let mut todo = vec![tree];
    while let Some(node) = todo.pop() {
        if long_form(node).is_some() {
            return true;
        }
        match &node.kind {
            Kind::Tagged(..) => return true,
            Kind::Map(entries) => todo.extend(entries.iter().map(|(_, value)| value)),
            Kind::Seq(items) => todo.extend(items.iter()),
            Kind::Scalar(_) | Kind::Missing => {}
        }
    }
    false
}

/// The resource and attribute of `Fn::GetAtt`: `Bucket.Arn` or `[Bucket, Arn]`.
fn get_att_parts(arg: &Tree) -> Option<(&str, &str)> {
    match &arg.kind {
        Kind::Scalar(scalar) => scalar.text.split_once('.'),
        Kind::Seq(items) => match items.as_slice() {
            [resource, attribute] => Some((resource.as_str()?, attribute.as_str()?)),
            _ => None,
        },
        _ => None,
    }
}

fn unknown(span: Span, reason: impl Into<String>) -> Node {
    Node::new(span, NodeKind::Unknown(Unknown::new(reason)))
}

/// The type of a scalar; plain YAML scalars follow the YAML 1.2 core schema.
pub(crate) fn scalar_kind(scalar: &Scalar) -> NodeKind {
    let text = &scalar.text;
    match scalar.style {
        Style::JsonNumber => NodeKind::Number(text.clone()),
        Style::JsonBool => NodeKind::Bool(text == "true"),
        Style::JsonNull => NodeKind::Null,
        Style::Plain => match text.as_str() {
            "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
            "true" | "True" | "TRUE" => NodeKind::Bool(true),
            "false" | "False" | "FALSE" => NodeKind::Bool(false),
            _ if is_number(text) => NodeKind::Number(text.clone()),
            _ => NodeKind::String(Value::Known(text.clone())),
        },
        Style::SingleQuoted | Style::DoubleQuoted | Style::Literal | Style::Folded | Style::JsonString => {
            NodeKind::String(Value::Known(text.clone()))
        }
    }
}

/// A decimal number of the YAML core schema, e.g. `3600`, `-1.5`, `1e3`.
fn is_number(text: &str) -> bool {
    text.bytes().any(|byte| byte.is_ascii_digit())
        && text.bytes().all(|byte| byte.is_ascii_digit() || matches!(byte, b'-' | b'+' | b'.' | b'e' | b'E'))
        && text.parse::<f64>().is_ok()
}
