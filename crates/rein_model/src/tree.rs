//! A syntax-neutral value tree with spans, the input of the policy grammar reader.
//!
//! Every frontend turns its own syntax into this tree: policy JSON from its parser, Terraform from
//! `jsonencode({...})` objects and `aws_iam_policy_document` blocks, CloudFormation from YAML or
//! JSON mappings with intrinsic functions.
//! [`read_policy`](crate::tree_reader::read_policy) then reads the tree into a
//! [`PolicyDocument`](crate::PolicyDocument), so every frontend gets the same model and the same
//! grammar issues.
//!
//! Values a frontend cannot resolve stay in the tree: a string with holes is
//! `String(Value::Partial)`, a string from a variable is `String(Value::Unknown)`, and a value
//! whose shape is not known either (a list from a variable, an unresolved intrinsic) is
//! [`NodeKind::Unknown`].

use rein_text::Span;

use crate::policy::Key;
use crate::value::{Unknown, Value};

/// The deepest nesting of objects and arrays that is read; real policies stay below ten.
///
/// The JSON reader refuses deeper text before parsing, and the tree reader stops descending at
/// this depth, so no recursion over a tree goes deeper.
pub const MAX_DEPTH: usize = 64;

/// One value of the tree with the span of its source.
///
/// For a string the span covers the whole literal, quotes included, as rules point at it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

/// The shape of a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// An object; see [`Object`].
    Object(Object),
    /// An array, items in source order.
    Array(Vec<Node>),
    /// A string that may be partly or wholly unknown.
    String(Value),
    /// A number as written in the source, e.g. `10` or `1.5e3`.
    Number(String),
    Bool(bool),
    Null,
    /// A value whose type is not known statically either: a list from a variable, an unresolved
    /// intrinsic function.
    Unknown(Unknown),
}

/// An object or a block: its members in source order, duplicates kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Object {
    /// Where issues about the object as a whole point, e.g. a missing `Effect`: the opening `{`
    /// in JSON and `jsonencode`, the block keyword of a `statement` block, the first key of a
    /// YAML mapping.
    pub opening: Span,
    pub members: Vec<Member>,
}

/// One `key: value` pair of an object.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Member {
    /// The key as decoded, with the span of its source (quotes included where there are any).
    pub key: Key,
    pub value: Node,
}

impl Node {
    pub fn new(span: Span, kind: NodeKind) -> Self {
        Self { span, kind }
    }

    /// The type of the value with its article, for messages, e.g. "an array".
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Object(_) => "an object",
            NodeKind::Array(_) => "an array",
            NodeKind::String(_) => "a string",
            NodeKind::Number(_) => "a number",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Null => "null",
            NodeKind::Unknown(_) => "an unknown value",
        }
    }
}

/// The length in characters of the minified JSON rendering of `node`, or `None` when any value in
/// it is partly or wholly unknown (or it nests deeper than [`MAX_DEPTH`]).
///
/// Frontends of structured sources (a `jsonencode` object, a CloudFormation mapping) use it for
/// `PolicyDocument::size`, since the text AWS receives is rendered from the structure.
/// Strings are rendered with the shortest JSON escapes (`\"`, `\\`, `\n`, `\u001f`, …), numbers as
/// written; a renderer that escapes more, as Terraform's `jsonencode` does with `<`, `>` and `&`,
/// produces a longer text.
pub fn minified_len(node: &Node) -> Option<usize> {
    minified_len_at(node, 1)
}

fn minified_len_at(node: &Node, depth: usize) -> Option<usize> {
    match &node.kind {
        NodeKind::Object(object) => {
            if depth > MAX_DEPTH {
                return None;
            }
            // The braces plus a comma between members.
            let mut len = 2 + object.members.len().saturating_sub(1);
            for member in &object.members {
                // The key, its colon and the value.
                len += string_len(&member.key.name) + 1 + minified_len_at(&member.value, depth + 1)?;
            }
            Some(len)
        }
        NodeKind::Array(items) => {
            if depth > MAX_DEPTH {
                return None;
            }
            let mut len = 2 + items.len().saturating_sub(1);
            for item in items {
                len += minified_len_at(item, depth + 1)?;
            }
            Some(len)
        }
        NodeKind::String(Value::Known(text)) => Some(string_len(text)),
        NodeKind::String(Value::Partial(_) | Value::Unknown(_)) | NodeKind::Unknown(_) => None,
        NodeKind::Number(text) => Some(text.chars().count()),
        NodeKind::Bool(true) => Some(4),
        NodeKind::Bool(false) => Some(5),
        NodeKind::Null => Some(4),
    }
}

/// The characters of a JSON string literal for `text`, quotes included.
fn string_len(text: &str) -> usize {
    let escapes: usize = text
        .chars()
        .map(|ch| match ch {
            '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 1,
            '\u{0}'..='\u{1f}' => 5,
            _ => 0,
        })
        .sum();
    text.chars().count() + escapes + 2
}

#[cfg(test)]
mod tests {
    use rein_text::{FileId, TextRange};

    use super::*;
    use crate::value::TemplatePart;

    fn span() -> Span {
        Span::new(FileId(0), TextRange::default())
    }

    fn node(kind: NodeKind) -> Node {
        Node::new(span(), kind)
    }

    fn object(members: &[(&str, Node)]) -> Node {
        let members = members
            .iter()
            .map(|(name, value)| Member { key: Key { name: (*name).to_owned(), span: span() }, value: value.clone() })
            .collect();
        node(NodeKind::Object(Object { opening: span(), members }))
    }

    fn string(text: &str) -> Node {
        node(NodeKind::String(Value::known(text)))
    }

    #[test]
    fn minified_len_matches_the_rendering() {
        let tree = object(&[
            ("Version", string("2012-10-17")),
            ("Quote\"d", node(NodeKind::Array(vec![string("a\nb\u{1}é"), node(NodeKind::Number("1.5".to_owned()))]))),
            ("Flags", node(NodeKind::Array(vec![node(NodeKind::Bool(true)), node(NodeKind::Bool(false))]))),
            ("Nothing", node(NodeKind::Null)),
            ("Empty", object(&[])),
            ("None", node(NodeKind::Array(Vec::new()))),
        ]);
        let rendered = r#"{"Version":"2012-10-17","Quote\"d":["a\nb\u0001é",1.5],"Flags":[true,false],"Nothing":null,"Empty":{},"None":[]}"#;
        assert_eq!(minified_len(&tree), Some(rendered.chars().count()));
    }

    #[test]
    fn minified_len_is_unknown_with_any_unknown_value() {
        let hole = Value::Partial(vec![TemplatePart::Text("arn:".to_owned()), TemplatePart::Hole(Unknown::new("var"))]);
        for unknown in [
            node(NodeKind::String(hole)),
            node(NodeKind::String(Value::Unknown(Unknown::new("var")))),
            node(NodeKind::Unknown(Unknown::new("var"))),
        ] {
            let tree = object(&[("Statement", node(NodeKind::Array(vec![string("x"), unknown])))]);
            assert_eq!(minified_len(&tree), None);
        }
    }

    #[test]
    fn minified_len_gives_up_past_the_depth_limit() {
        let mut tree = string("x");
        for _ in 0..MAX_DEPTH {
            tree = node(NodeKind::Array(vec![tree]));
        }
        assert_eq!(minified_len(&tree), Some(2 * MAX_DEPTH + 3));
        let deeper = node(NodeKind::Array(vec![tree]));
        assert_eq!(minified_len(&deeper), None);
    }
}
