//! The tree-sitter parse of one `.tf` file, its syntax errors, and small helpers over the tree.
//!
//! tree-sitter-hcl recovers around errors (../shared/CRATES.md §2), so a half-typed file still
//! yields its intact blocks; each `ERROR` or `MISSING` node becomes one located issue.

use rein_text::{FileId, Span};
use tree_sitter::{Node, Parser, Tree};

/// One parsed file of a module.
pub(crate) struct ParsedFile<'a> {
    pub file: FileId,
    pub text: &'a str,
    /// `None` only when tree-sitter gave up (it does not on any input we know of).
    pub tree: Option<Tree>,
}

impl<'a> ParsedFile<'a> {
    pub fn parse(file: FileId, text: &'a str) -> Self {
        let mut parser = Parser::new();
        let tree = match parser.set_language(&tree_sitter_hcl::LANGUAGE.into()) {
            Ok(()) => parser.parse(text, None),
            Err(_) => None,
        };
        Self { file, text, tree }
    }

    pub fn span(&self, node: Node<'_>) -> Span {
        Span::from_offsets(self.file, node.start_byte(), node.end_byte())
    }

    pub fn text_of(&self, node: Node<'_>) -> &'a str {
        self.text.get(node.byte_range()).unwrap_or_default()
    }
}

/// Every syntax error of the file: the outermost `ERROR` nodes and every `MISSING` token.
pub(crate) fn syntax_errors(parsed: &ParsedFile<'_>) -> Vec<(Span, String)> {
    let Some(tree) = &parsed.tree else {
        return vec![(Span::from_offsets(parsed.file, 0, 0), "the file could not be parsed".to_owned())];
    };
    let mut issues = Vec::new();
    // An explicit stack: trees of deeply nested input must not exhaust the call stack.
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.is_missing() {
            let what = node.kind();
            let message = if what.chars().all(|ch| ch.is_ascii_punctuation()) {
                format!("syntax error: missing `{what}`")
            } else {
                format!("syntax error: missing {}", what.replace('_', " "))
            };
            issues.push((parsed.span(node), message));
            continue;
        }
        if node.is_error() {
            let text = parsed.text_of(node);
            let snippet = short(text);
            if node.end_byte() >= parsed.text.trim_end().len() && text.contains('\n') {
                // A half-typed file: one error from the unfinished construct to the end. Point at
                // its first line rather than at the rest of the file.
                let first_line = text.find('\n').unwrap_or(text.len());
                let span = Span::from_offsets(parsed.file, node.start_byte(), node.start_byte() + first_line);
                issues.push((span, format!("syntax error: the file ends before `{snippet}` is complete")));
                continue;
            }
            let message = if snippet.is_empty() {
                "syntax error".to_owned()
            } else {
                format!("syntax error: unexpected `{snippet}`")
            };
            issues.push((parsed.span(node), message));
            continue;
        }
        if node.has_error() {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    issues.sort_by_key(|(span, _)| (span.range.start(), span.range.end()));
    issues
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
    let mut cursor = node.walk();
    node.named_children(&mut cursor).filter(|child| child.kind() != "comment").collect()
}

/// A block's parts: its type identifier, its labels (decoded), and its body.
pub(crate) struct BlockParts<'t> {
    pub keyword: Node<'t>,
    pub labels: Vec<String>,
    pub body: Option<Node<'t>>,
}

pub(crate) fn block_parts<'t>(parsed: &ParsedFile<'_>, block: Node<'t>) -> Option<BlockParts<'t>> {
    let children = named_children(block);
    let keyword = children.first().copied().filter(|node| node.kind() == "identifier")?;
    let mut labels = Vec::new();
    let mut body = None;
    for child in children.iter().skip(1) {
        match child.kind() {
            "string_lit" => labels.push(crate::strings::decode_quoted(parsed, *child).text),
            "identifier" => labels.push(parsed.text_of(*child).to_owned()),
            "body" => body = Some(*child),
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

pub(crate) fn body_items(body: Node<'_>) -> Vec<BodyItem<'_>> {
    named_children(body)
        .into_iter()
        .filter_map(|child| match child.kind() {
            "attribute" => {
                let parts = named_children(child);
                let name = parts.first().copied().filter(|node| node.kind() == "identifier")?;
                let value = parts.iter().copied().find(|node| node.kind() == "expression");
                Some(BodyItem::Attribute { name, value })
            }
            "block" => Some(BodyItem::Block(child)),
            _ => None,
        })
        .collect()
}

/// The value expression of the attribute `name` in a body.
pub(crate) fn attribute<'t>(parsed: &ParsedFile<'_>, body: Node<'t>, name: &str) -> Option<(Node<'t>, Node<'t>)> {
    body_items(body).into_iter().find_map(|item| match item {
        BodyItem::Attribute { name: ident, value: Some(value) } if parsed.text_of(ident) == name => {
            Some((ident, value))
        }
        _ => None,
    })
}

/// The nested blocks of a body whose type is `name`.
pub(crate) fn blocks<'t>(parsed: &ParsedFile<'_>, body: Node<'t>, name: &str) -> Vec<Node<'t>> {
    body_items(body)
        .into_iter()
        .filter_map(|item| match item {
            BodyItem::Block(block) => {
                let keyword = named_children(block).into_iter().next()?;
                (parsed.text_of(keyword) == name).then_some(block)
            }
            BodyItem::Attribute { .. } => None,
        })
        .collect()
}

/// Block types that only appear at the top level of a Terraform file.
const TOP_LEVEL_KEYWORDS: [&str; 8] =
    ["resource", "data", "locals", "variable", "module", "output", "provider", "terraform"];

/// The blocks of a file that are not nested in another block, including those that error
/// recovery wrapped in `ERROR` nodes or swallowed into the block before them (a half-typed
/// attribute can make the next `resource` block look nested).
pub(crate) fn top_level_blocks<'t>(tree: &'t Tree, text: &str) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        if node.kind() == "block" {
            found.push(node);
            if !node.has_error() {
                continue;
            }
            // Only top-level block types are taken out of a broken block's body.
            for body in children.iter().filter(|child| child.kind() == "body") {
                let nested = named_children(*body).into_iter().filter(|child| {
                    child.kind() == "block"
                        && named_children(*child)
                            .first()
                            .and_then(|keyword| text.get(keyword.byte_range()))
                            .is_some_and(|keyword| TOP_LEVEL_KEYWORDS.contains(&keyword))
                });
                stack.extend(nested.rev());
            }
            continue;
        }
        stack.extend(children.into_iter().rev());
    }
    found.sort_by_key(Node::start_byte);
    found
}
