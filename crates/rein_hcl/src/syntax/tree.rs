//! The syntax tree of one `.tf` file: an arena of nodes with byte spans, built bottom-up by the
//! parser, and a `Copy` handle to walk it.
//!
//! The node kinds follow the HCL native syntax spec (hashicorp/hcl `hclsyntax/spec.md`): an
//! `Expression` holds its term and the traversal operators after it (`a.b[0]` is a `VariableExpr`
//! followed by a `GetAttr` and an `Index`), so the lowering reads references without nesting.
//! Punctuation is not stored; the spans of the nodes around it say where it is. Comments are
//! leaves among the nodes they sit between.

use std::fmt;

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The whole file; holds one `Body` unless the file has no attribute or block.
    ConfigFile,
    /// The attributes and blocks of the file or of a block, with the comments between them.
    Body,
    /// `name = expression`: an `Identifier` and an `Expression`.
    Attribute,
    /// `type "label" label { body }`: an `Identifier`, labels (`StringLit` or `Identifier`), a
    /// `BlockStart`, a `Body` when the block has an attribute or block, and a `BlockEnd`.
    Block,
    BlockStart,
    BlockEnd,
    Identifier,
    /// One term and its traversal operators, or one `Conditional`, or one `Operation`.
    Expression,
    /// A `NumericLit`, `BoolLit`, `NullLit` or `StringLit`.
    LiteralValue,
    NumericLit,
    BoolLit,
    NullLit,
    /// A quoted string without interpolations or directives: `QuotedTemplateStart`,
    /// `QuotedTemplateEnd` (missing when the string is not closed).
    StringLit,
    /// A `QuotedTemplate` or a `HeredocTemplate`.
    TemplateExpr,
    /// A quoted string with interpolations or directives among its children.
    QuotedTemplate,
    QuotedTemplateStart,
    QuotedTemplateEnd,
    /// `<<EOF` or `<<-EOF` … `EOF`: a `HeredocStart`, the opening `HeredocIdentifier`, the holes,
    /// the closing `HeredocIdentifier` (missing when the heredoc is not closed).
    HeredocTemplate,
    HeredocStart,
    HeredocIdentifier,
    /// `${ expression }`, the expression absent when it is empty.
    TemplateInterpolation,
    /// `%{ if … }…%{ endif }` or `%{ for … }…%{ endfor }`, the whole construct.
    TemplateDirective,
    /// A `Tuple` or an `Object`.
    CollectionValue,
    /// `[ expression, … ]`: `TupleStart`, the elements, `TupleEnd`.
    Tuple,
    TupleStart,
    TupleEnd,
    /// `{ key = value, … }`: `ObjectStart`, the `ObjectElem`s, `ObjectEnd`.
    Object,
    ObjectStart,
    ObjectEnd,
    /// `key = value` or `key: value`: two `Expression`s.
    ObjectElem,
    /// `name`, as the term of an expression.
    VariableExpr,
    /// `name(arguments)`: an `Identifier` and, when there are arguments, `FunctionArguments`.
    FunctionCall,
    /// The argument `Expression`s, and an `Ellipsis` when the last one is expanded.
    FunctionArguments,
    Ellipsis,
    /// `.name`: an `Identifier`.
    GetAttr,
    /// `[expression]` (a `NewIndex`) or `.0` (a `LegacyIndex`).
    Index,
    NewIndex,
    LegacyIndex,
    /// `.*` or `[*]` and the operators it applies to each element.
    Splat,
    /// `[for …]` or `{for …}`.
    ForExpr,
    /// `condition ? then : else`: three `Expression`s.
    Conditional,
    /// A unary or binary operation: its operand `Expression`s.
    Operation,
    Comment,
    /// Text that does not fit the grammar, or an empty node where something is missing.
    Error,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::ConfigFile => "config_file",
            Kind::Body => "body",
            Kind::Attribute => "attribute",
            Kind::Block => "block",
            Kind::BlockStart => "block_start",
            Kind::BlockEnd => "block_end",
            Kind::Identifier => "identifier",
            Kind::Expression => "expression",
            Kind::LiteralValue => "literal_value",
            Kind::NumericLit => "numeric_lit",
            Kind::BoolLit => "bool_lit",
            Kind::NullLit => "null_lit",
            Kind::StringLit => "string_lit",
            Kind::TemplateExpr => "template_expr",
            Kind::QuotedTemplate => "quoted_template",
            Kind::QuotedTemplateStart => "quoted_template_start",
            Kind::QuotedTemplateEnd => "quoted_template_end",
            Kind::HeredocTemplate => "heredoc_template",
            Kind::HeredocStart => "heredoc_start",
            Kind::HeredocIdentifier => "heredoc_identifier",
            Kind::TemplateInterpolation => "template_interpolation",
            Kind::TemplateDirective => "template_directive",
            Kind::CollectionValue => "collection_value",
            Kind::Tuple => "tuple",
            Kind::TupleStart => "tuple_start",
            Kind::TupleEnd => "tuple_end",
            Kind::Object => "object",
            Kind::ObjectStart => "object_start",
            Kind::ObjectEnd => "object_end",
            Kind::ObjectElem => "object_elem",
            Kind::VariableExpr => "variable_expr",
            Kind::FunctionCall => "function_call",
            Kind::FunctionArguments => "function_arguments",
            Kind::Ellipsis => "ellipsis",
            Kind::GetAttr => "get_attr",
            Kind::Index => "index",
            Kind::NewIndex => "new_index",
            Kind::LegacyIndex => "legacy_index",
            Kind::Splat => "splat",
            Kind::ForExpr => "for_expr",
            Kind::Conditional => "conditional",
            Kind::Operation => "operation",
            Kind::Comment => "comment",
            Kind::Error => "ERROR",
        }
    }
}

/// Marks "no node" in the links of [`NodeData`].
const NONE: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct NodeData {
    kind: Kind,
    start: u32,
    end: u32,
    parent: u32,
    first_child: u32,
    next_sibling: u32,
    /// The node or one of its descendants is an `Error` or was left incomplete.
    has_error: bool,
}

/// A parsed file: the nodes, children before their parents, the root last.
#[derive(Default)]
pub(crate) struct Tree {
    nodes: Vec<NodeData>,
}

impl Tree {
    pub fn root(&self) -> Option<Node<'_>> {
        let id = self.nodes.len().checked_sub(1)?;
        Some(Node { tree: self, id: u32::try_from(id).ok()? })
    }

    /// Every node of the tree, children before their parents.
    pub fn nodes(&self) -> impl Iterator<Item = Node<'_>> {
        (0..u32::try_from(self.nodes.len()).unwrap_or(u32::MAX)).map(move |id| Node { tree: self, id })
    }

    fn data(&self, id: u32) -> Option<&NodeData> {
        self.nodes.get(id as usize)
    }

    /// One line per node, indented by depth: kind, byte range, `!` when an error is inside, and
    /// the start of the node's text.
    pub fn dump(&self, text: &str) -> String {
        let mut out = String::new();
        // An explicit stack: deeply nested trees must not exhaust the call stack.
        let mut stack: Vec<(Node<'_>, usize)> = self.root().into_iter().map(|root| (root, 0)).collect();
        while let Some((node, depth)) = stack.pop() {
            let snippet: String = text.get(node.byte_range()).unwrap_or_default().chars().take(30).collect();
            let error = if node.has_error() { "!" } else { "" };
            let line =
                format!("{:indent$}{:?}{error} {:?}\n", "", node, snippet.replace('\n', "⏎"), indent = depth * 2);
            out.push_str(&line);
            let children: Vec<Node<'_>> = node.children().collect();
            stack.extend(children.into_iter().rev().map(|child| (child, depth + 1)));
        }
        out
    }
}

/// One node of a [`Tree`].
#[derive(Clone, Copy)]
pub(crate) struct Node<'t> {
    tree: &'t Tree,
    id: u32,
}

impl<'t> Node<'t> {
    fn data(&self) -> &'t NodeData {
        // Handles are only made for ids of the tree, so the fallback is never taken.
        static MISSING: NodeData = NodeData {
            kind: Kind::Error,
            start: 0,
            end: 0,
            parent: NONE,
            first_child: NONE,
            next_sibling: NONE,
            has_error: true,
        };
        self.tree.data(self.id).unwrap_or(&MISSING)
    }

    fn at(&self, id: u32) -> Option<Node<'t>> {
        (id != NONE).then_some(Node { tree: self.tree, id })
    }

    pub fn kind(&self) -> Kind {
        self.data().kind
    }

    pub fn start_byte(&self) -> usize {
        self.data().start as usize
    }

    pub fn end_byte(&self) -> usize {
        self.data().end as usize
    }

    pub fn byte_range(&self) -> std::ops::Range<usize> {
        self.start_byte()..self.end_byte()
    }

    pub fn has_error(&self) -> bool {
        self.data().has_error
    }

    pub fn parent(&self) -> Option<Node<'t>> {
        self.at(self.data().parent)
    }

    pub fn next_sibling(&self) -> Option<Node<'t>> {
        self.at(self.data().next_sibling)
    }

    pub fn first_child(&self) -> Option<Node<'t>> {
        self.at(self.data().first_child)
    }

    /// The children, comments included.
    pub fn children(&self) -> impl Iterator<Item = Node<'t>> + use<'t> {
        std::iter::successors(self.first_child(), |child| child.next_sibling())
    }
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}..{}", self.kind().name(), self.start_byte(), self.end_byte())
    }
}

/// A position in the list of nodes waiting for a parent: the children of the node that will be
/// finished there.
#[derive(Clone, Copy)]
pub(crate) struct Marker {
    pending: usize,
    errors: usize,
}

/// Builds a [`Tree`] bottom-up: finished nodes wait on a stack until the node that holds them is
/// finished, so a node can be wrapped around nodes already built (the left operand of a binary
/// operation) without moving anything.
#[derive(Default)]
pub(crate) struct Builder {
    nodes: Vec<NodeData>,
    pending: Vec<u32>,
}

impl Builder {
    pub fn with_capacity(text_len: usize) -> Self {
        // About one node for every six bytes of Terraform.
        Self { nodes: Vec::with_capacity(text_len / 6 + 8), pending: Vec::with_capacity(64) }
    }

    /// Where the children of the next node start; `errors` is the parser's error count now, so
    /// that the node knows whether an error was found inside it.
    pub fn marker(&self, errors: usize) -> Marker {
        Marker { pending: self.pending.len(), errors }
    }

    /// Whether a node was finished since `marker`.
    pub fn has_children(&self, marker: Marker) -> bool {
        self.pending.len() > marker.pending
    }

    /// Adds a leaf.
    pub fn leaf(&mut self, kind: Kind, start: usize, end: usize, has_error: bool) {
        let id = self.push(kind, start, end, has_error);
        self.pending.push(id);
    }

    /// Finishes a node over the nodes added since `marker`, from its first child (or `at` when
    /// it has none) to `at` or its last child, whichever ends later.
    pub fn finish(&mut self, kind: Kind, marker: Marker, at: usize, errors: usize) {
        self.finish_span(kind, marker, None, at, errors);
    }

    /// Finishes a node that starts at `start`, before its first child (punctuation that is not a
    /// node, such as `(` or `${`).
    pub fn finish_from(&mut self, kind: Kind, marker: Marker, start: usize, at: usize, errors: usize) {
        self.finish_span(kind, marker, Some(start), at, errors);
    }

    fn finish_span(&mut self, kind: Kind, marker: Marker, start: Option<usize>, at: usize, errors: usize) {
        let children_from = marker.pending.min(self.pending.len());
        let children = self.pending.get(children_from..).unwrap_or_default();
        let first = children.first().and_then(|id| self.nodes.get(*id as usize));
        let start = start.or(first.map(|node| node.start as usize)).unwrap_or(at);
        // An empty node (something missing) can sit after a comment, so every child counts.
        let mut end = at;
        let mut child_error = false;
        for node in children.iter().filter_map(|id| self.nodes.get(*id as usize)) {
            end = end.max(node.end as usize);
            child_error |= node.has_error;
        }
        let has_error = child_error || errors > marker.errors || kind == Kind::Error;
        let id = self.push(kind, start, end, has_error);
        let mut previous: Option<u32> = None;
        for child in self.pending.drain(children_from..) {
            if let Some(node) = self.nodes.get_mut(child as usize) {
                node.parent = id;
            }
            let link = match previous {
                Some(previous) => self.nodes.get_mut(previous as usize).map(|node| &mut node.next_sibling),
                None => self.nodes.get_mut(id as usize).map(|node| &mut node.first_child),
            };
            if let Some(link) = link {
                *link = child;
            }
            previous = Some(child);
        }
        self.pending.push(id);
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize, has_error: bool) -> u32 {
        let id = u32::try_from(self.nodes.len()).unwrap_or(NONE - 1);
        let clamp = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        self.nodes.push(NodeData {
            kind,
            start: clamp(start),
            end: clamp(end.max(start)),
            parent: NONE,
            first_child: NONE,
            next_sibling: NONE,
            has_error,
        });
        id
    }

    /// The tree; everything still pending is wrapped in the root `ConfigFile`.
    pub fn build(mut self, marker: Marker, at: usize, errors: usize) -> Tree {
        self.finish(Kind::ConfigFile, marker, at, errors);
        Tree { nodes: self.nodes }
    }
}
