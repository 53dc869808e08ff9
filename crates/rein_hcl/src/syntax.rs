//! The parse of one `.tf` file, its syntax errors, and small helpers over the tree.
//!
//! The parser (`parser.rs`, over the tokens of `lexer.rs`, building the tree of `tree.rs`)
//! recovers around errors, so a half-typed file still yields its intact blocks; each syntax error
//! becomes one located issue.

mod json;
mod lexer;
mod parser;
mod tree;

pub(crate) use self::json::is_json_path;

use std::borrow::Cow;

use rein_text::{FileId, Span};

pub(crate) use self::tree::{Kind, Node, Tree};

/// One parsed file of a module.
pub(crate) struct ParsedFile<'a> {
    pub file: FileId,
    /// The text the tree's spans index: the file's own text, or for Terraform JSON syntax a copy
    /// of the same length whose string escapes inside `${…}` are made HCL (see `json.rs`).
    pub text: Cow<'a, str>,
    pub tree: Tree,
    /// The syntax errors, as byte ranges and messages, in source order.
    errors: Vec<(usize, usize, String)>,
}

impl<'a> ParsedFile<'a> {
    pub fn parse(file: FileId, text: &'a str) -> Self {
        let parser::Parse { tree, errors } = parser::parse(text);
        Self { file, text: Cow::Borrowed(text), tree, errors }
    }

    /// Parses a file in the syntax its path names: Terraform's JSON syntax for `.tf.json`, the
    /// native syntax otherwise.
    pub fn parse_path(file: FileId, path: &str, text: &'a str) -> Self {
        if !is_json_path(path) {
            return Self::parse(file, text);
        }
        let hcl = json::hcl_text(text);
        let parser::Parse { tree, errors } = json::parse(text, hcl.as_deref().unwrap_or(text));
        let text = hcl.map_or(Cow::Borrowed(text), Cow::Owned);
        Self { file, text, tree, errors }
    }

    pub fn span(&self, node: Node<'_>) -> Span {
        Span::from_offsets(self.file, node.start_byte(), node.end_byte())
    }

    pub fn text_of(&self, node: Node<'_>) -> &str {
        self.text.get(node.byte_range()).unwrap_or_default()
    }
}

/// Every syntax error of the file, in source order.
pub(crate) fn syntax_errors(parsed: &ParsedFile<'_>) -> Vec<(Span, String)> {
    parsed
        .errors
        .iter()
        .map(|(start, end, message)| (Span::from_offsets(parsed.file, *start, *end), message.clone()))
        .collect()
}

/// The first line of a snippet, cut to 40 characters, for messages.
pub(crate) fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    let mut chars = line.chars();
    let cut: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() || text.trim().lines().nth(1).is_some() { format!("{cut}…") } else { cut }
}

/// The named children of a node, comments left out.
pub(crate) fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    node.children().filter(|child| child.kind() != Kind::Comment).collect()
}

/// The operator of an `Operation` node, as written (`!`, `-`, `==`, `&&`, …): the tree keeps no
/// punctuation, so it is read again from the text, at the start of a unary operation or after
/// the left operand of a binary one.
pub(crate) fn operator(parsed: &ParsedFile<'_>, operation: Node<'_>) -> Option<&'static str> {
    use self::lexer::Tok;
    let operands = named_children(operation);
    let at = match operands.as_slice() {
        [_] => operation.start_byte(),
        [left, _] => left.end_byte(),
        _ => return None,
    };
    let token = lexer::lex(&parsed.text, at, &mut Vec::new(), &mut None);
    let op = match (operands.len(), token.kind) {
        (1, Tok::Bang) => "!",
        (1, Tok::Minus) => "-",
        (2, Tok::OrOr) => "||",
        (2, Tok::AndAnd) => "&&",
        (2, Tok::EqEq) => "==",
        (2, Tok::NotEq) => "!=",
        (2, Tok::Lt) => "<",
        (2, Tok::Le) => "<=",
        (2, Tok::Gt) => ">",
        (2, Tok::Ge) => ">=",
        (2, Tok::Plus) => "+",
        (2, Tok::Minus) => "-",
        (2, Tok::Star) => "*",
        (2, Tok::Slash) => "/",
        (2, Tok::Percent) => "%",
        _ => return None,
    };
    Some(op)
}

/// A block's parts: its type identifier, its labels (decoded), and its body.
pub(crate) struct BlockParts<'t> {
    pub keyword: Node<'t>,
    pub labels: Vec<String>,
    pub body: Option<Node<'t>>,
}

pub(crate) fn block_parts<'t>(parsed: &ParsedFile<'_>, block: Node<'t>) -> Option<BlockParts<'t>> {
    let children = named_children(block);
    let keyword = children.first().copied().filter(|node| node.kind() == Kind::Identifier)?;
    let mut labels = Vec::new();
    let mut body = None;
    for child in children.iter().skip(1) {
        match child.kind() {
            Kind::StringLit => labels.push(crate::strings::decode_quoted(parsed, *child).text),
            Kind::Identifier => labels.push(parsed.text_of(*child).to_owned()),
            Kind::Body => body = Some(*child),
            _ => {}
        }
    }
    Some(BlockParts { keyword, labels, body })
}

/// The attributes and nested blocks of a body, in source order.
pub(crate) enum BodyItem<'t> {
    Attribute { name: Node<'t>, value: Option<Node<'t>> },
    Block(Node<'t>),
}

pub(crate) fn body_items<'t>(body: Node<'t>) -> impl Iterator<Item = BodyItem<'t>> + use<'t> {
    body.children().filter_map(|child| match child.kind() {
        Kind::Attribute => {
            let mut parts = child.children().filter(|node| node.kind() != Kind::Comment);
            let name = parts.next().filter(|node| node.kind() == Kind::Identifier)?;
            let value = parts.find(|node| node.kind() == Kind::Expression);
            Some(BodyItem::Attribute { name, value })
        }
        Kind::Block => Some(BodyItem::Block(child)),
        _ => None,
    })
}

/// The value expression of the attribute `name` in a body.
pub(crate) fn attribute<'t>(parsed: &ParsedFile<'_>, body: Node<'t>, name: &str) -> Option<(Node<'t>, Node<'t>)> {
    body_items(body).find_map(|item| match item {
        BodyItem::Attribute { name: ident, value: Some(value) } if parsed.text_of(ident) == name => {
            Some((ident, value))
        }
        _ => None,
    })
}

/// The nested blocks of a body whose type is `name`.
pub(crate) fn blocks<'t>(parsed: &ParsedFile<'_>, body: Node<'t>, name: &str) -> Vec<Node<'t>> {
    body_items(body)
        .filter_map(|item| match item {
            BodyItem::Block(block) => {
                let keyword = block.first_child()?;
                (parsed.text_of(keyword) == name).then_some(block)
            }
            BodyItem::Attribute { .. } => None,
        })
        .collect()
}

/// Block types that only appear at the top level of a Terraform file.
pub(crate) const TOP_LEVEL_KEYWORDS: [&str; 8] =
    ["resource", "data", "locals", "variable", "module", "output", "provider", "terraform"];

/// The blocks of a file that are not nested in another block, including those that error
/// recovery wrapped in `ERROR` nodes or swallowed into the block before them (a half-typed
/// attribute can make the next `resource` block look nested).
pub(crate) fn top_level_blocks<'t>(tree: &'t Tree, text: &str) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    let mut stack: Vec<Node<'t>> = tree.root().into_iter().collect();
    while let Some(node) = stack.pop() {
        let children: Vec<Node<'t>> = node.children().collect();
        if node.kind() == Kind::Block {
            found.push(node);
            if !node.has_error() {
                continue;
            }
            // Only top-level block types are taken out of a broken block's body.
            for body in children.iter().filter(|child| child.kind() == Kind::Body) {
                let nested = named_children(*body).into_iter().filter(|child| {
                    child.kind() == Kind::Block
                        && named_children(*child)
                            .first()
                            .and_then(|keyword| text.get(keyword.byte_range()))
                            .is_some_and(|keyword| TOP_LEVEL_KEYWORDS.contains(&keyword))
                });
                stack.extend(nested.rev());
            }
            continue;
        }
        // Blocks are in bodies; recovery may leave them in `Error` nodes.
        let holds_blocks = |child: &Node<'t>| matches!(child.kind(), Kind::Body | Kind::Block | Kind::Error);
        stack.extend(children.into_iter().filter(holds_blocks).rev());
    }
    found.sort_by_key(Node::start_byte);
    found
}

#[cfg(test)]
mod tests;
