//! Lowers template values to the syntax-neutral [`Node`] tree, resolving the intrinsic functions
//! that can be resolved statically.
//!
//! `Ref` to a parameter with a `Default` becomes the default (with the span of the default
//! literal); `Fn::Sub` and `Fn::Join` become known or partly known strings; `Fn::FindInMap` and
//! `Fn::Select` with known arguments become the value they pick; `AWS::NoValue` removes the
//! element. References to resources and pseudo parameters, `Fn::ImportValue`, and every
//! function not evaluated yet (`Fn::If`, `Fn::Select`, …) stay unknown with a reason, since
//! `Unknown` is never a wildcard.

use std::collections::HashMap;

use rein_model::tree::{MAX_DEPTH, Member, Object};
use rein_model::{Key, Node, NodeKind, TemplatePart, Unknown, Value};
use rein_text::{FileId, Span};

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

/// The pseudo parameters whose values never hold `:` or `/`.
const SEGMENT_PSEUDO_PARAMETERS: [&str; 4] = ["AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix"];

/// What the lowering needs to know about the template: its parameters and resources.
pub(crate) struct Template<'t> {
    pub file: FileId,
    text: &'t str,
    parameters: HashMap<&'t str, &'t Tree>,
    resources: HashMap<&'t str, &'t str>,
    mappings: Option<&'t Tree>,
}

/// What a name in `Ref` or `${…}` stands for.
enum Target<'t> {
    Default(&'t Tree),
    Hole(String),
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
                    .filter_map(|(key, value)| Some((key.as_str()?, value.get("Type")?.as_str()?)))
                    .collect()
            })
            .unwrap_or_default();
        Self { file, text, parameters, resources, mappings: root.get("Mappings") }
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
                    Target::Hole(reason) => {
                        Some(Node::new(span, NodeKind::String(Value::Unknown(Unknown::new(reason)))))
                    }
                    Target::NoValue => None,
                }
            }
            "Fn::GetAtt" => {
                let reason = match get_att_parts(arg) {
                    Some((resource, attribute)) => self.attribute_reason(resource, attribute),
                    None => "`Fn::GetAtt` needs a resource and an attribute".to_owned(),
                };
                Some(Node::new(span, NodeKind::String(Value::Unknown(Unknown::new(reason)))))
            }
            "Fn::Sub" => Some(self.sub(tree, arg, depth)),
            "Fn::Join" => Some(self.join(tree, arg, depth)),
            "Fn::If" => {
                let condition = match &arg.kind {
                    Kind::Seq(items) => items.first().and_then(Tree::as_str),
                    _ => None,
                };
                let reason = match condition {
                    Some(condition) => format!("`Fn::If` on condition `{condition}`"),
                    None => "`Fn::If` without a condition name".to_owned(),
                };
                // FIXME(#5): read both branches.
                Some(unknown(span, reason))
            }
            "Fn::FindInMap" => self.find_in_map(tree, arg, depth),
            "Fn::Select" => self.select(tree, arg, depth),
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
            _ => Some(unknown(span, "the list of `Fn::Select` is not known statically")),
        }
    }

    /// What `name` in `Ref` or `${name}` stands for.
    fn target(&self, name: &str) -> Target<'t> {
        if name == "AWS::NoValue" {
            return Target::NoValue;
        }
        if PSEUDO_PARAMETERS.contains(&name) {
            return Target::Hole(format!("pseudo parameter `{name}` is known only at deploy time"));
        }
        if let Some(param) = self.parameters.get(name) {
            let is_list = param
                .get("Type")
                .and_then(Tree::as_str)
                .is_some_and(|ty| ty.starts_with("List<") || ty == "CommaDelimitedList");
            return match param.get("Default") {
                Some(_) if is_list => Target::Hole(format!("list parameter `{name}` is not expanded")),
                // CloudFormation allows only literals here; lowering anything else could recurse
                // through references without end.
                Some(default) if has_intrinsic(default) => {
                    Target::Hole(format!("the default of parameter `{name}` is not a literal"))
                }
                Some(default) => Target::Default(default),
                None => Target::Hole(format!("parameter `{name}` has no default")),
            };
        }
        if let Some(ty) = self.resources.get(name) {
            return Target::Hole(format!("`Ref` to resource `{name}` ({ty})"));
        }
        Target::Hole(format!("`{name}` is not a parameter or resource of the template"))
    }

    fn attribute_reason(&self, resource: &str, attribute: &str) -> String {
        match self.resources.get(resource) {
            Some(ty) => format!("attribute `{attribute}` of resource `{resource}` ({ty})"),
            None => format!("`{resource}` is not a resource of the template"),
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
            parts.hole(self.attribute_reason(resource, attribute));
            return;
        }
        match self.target(name) {
            Target::Default(default) => match self.lower(default, depth + 1) {
                Some(node) => parts.node(node, &format!("parameter `{name}`")),
                None => parts.text(""),
            },
            // A partition, region, account id or URL suffix is one name inside one ARN field.
            Target::Hole(reason) if SEGMENT_PSEUDO_PARAMETERS.contains(&name) => {
                parts.parts.push(TemplatePart::Hole(Unknown::new(reason).with_shape(rein_model::HoleShape::Segment)));
            }
            Target::Hole(reason) => parts.hole(reason),
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
