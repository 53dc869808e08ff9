//! Lowering of HCL expressions to the syntax-neutral [`Node`] tree, resolving `local.*` and
//! `var.*` (with a default) within the module.
//!
//! What cannot be evaluated statically (references to resources, variables without a default,
//! conditionals and operators over values not known, `for` expressions, most function calls) becomes [`NodeKind::Unknown`] or a
//! string hole with a reason that names the expression; nothing is dropped.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use rein_model::tree::{MAX_DEPTH, Member, Object};
use rein_model::{HoleShape, Key, Node, NodeKind, Reference, TemplatePart, Unknown, Value};
use rein_text::{FileId, Span};
use rein_tfschema::arns::ShapePart;

use crate::module::{Index, Loc};

mod operations;
use crate::strings::{Decoded, Hole, decode_template};
use crate::syntax::{Kind, Node as SyntaxNode, ParsedFile, named_children, short};

/// How many expression nodes one module may lower in all; guards against reference chains that
/// fan out exponentially (`a = [local.b, local.b]`, `b = [local.c, local.c]`, …).
const BUDGET: usize = 200_000;

pub(crate) struct Lowerer<'m> {
    pub files: &'m [ParsedFile<'m>],
    pub index: &'m Index<'m>,
    /// The module's other files, by normalised path relative to the module, for `file(…)`.
    pub others: &'m [(String, FileId, &'m str)],
    /// The address prefix of the module's entities: `""` for the root module, `module.app.`
    /// for a module called as `module "app"`.
    pub prefix: &'m str,
    /// The modules read together, and which of them this one is.
    graph: &'m ModuleGraph<'m>,
    node: usize,
    /// The iterators of the `dynamic` blocks being expanded: name, key and value.
    bindings: RefCell<Vec<(String, Node, Node)>>,
}

/// The modules of one analysis: a root module and the local modules it calls, each with its
/// files and its index.
pub(crate) struct ModuleGraph<'m> {
    pub nodes: Vec<GraphNode<'m>>,
    /// Shared by all modules, so that references across module calls cannot fan out unbounded.
    budget: Cell<usize>,
}

impl<'m> ModuleGraph<'m> {
    pub fn new(nodes: Vec<GraphNode<'m>>) -> Self {
        Self { nodes, budget: Cell::new(BUDGET) }
    }
}

/// One module of a [`ModuleGraph`].
pub(crate) struct GraphNode<'m> {
    pub files: &'m [ParsedFile<'m>],
    pub index: &'m Index<'m>,
    pub others: &'m [(String, FileId, &'m str)],
    pub prefix: String,
    /// The calling module, and the arguments of the call (expressions in the caller's files).
    pub caller: Option<(usize, BTreeMap<String, Loc<'m>>)>,
    /// The module's calls by name: the index of the called module, or why it is not read.
    pub calls: BTreeMap<String, Result<usize, String>>,
}

/// The variables of a `templatefile` call, by name.
pub(crate) type TemplateVars = Vec<(String, Node)>;

/// A policy source expression, resolved through references.
pub(crate) enum Source<'m> {
    /// `jsonencode(…)` of a structure.
    Tree(Node),
    /// JSON text in a quoted string or heredoc.
    Text(Loc<'m>),
    /// `file("policy.json")`: a file of the module, read as policy JSON.
    File(FileId, &'m str),
    /// `templatefile("policy.json.tpl", { … })`: a file of the module read as a template with
    /// the call's variables, then as policy JSON.
    Template(FileId, &'m str, TemplateVars),
    /// `data.aws_iam_policy_document.NAME.json` (or `.minified_json`).
    PolicyDocument(String),
    /// A source found in another module of the graph (a module argument or output), to be read
    /// with that module's lowerer.
    Foreign(usize, Box<Source<'m>>),
    /// Anything else.
    Unknown(Span, Unknown),
}

impl<'m> Lowerer<'m> {
    /// The lowerer of module `node` of the graph.
    pub fn new(graph: &'m ModuleGraph<'m>, node: usize) -> Option<Self> {
        let module = graph.nodes.get(node)?;
        Some(Self {
            files: module.files,
            index: module.index,
            others: module.others,
            prefix: &module.prefix,
            graph,
            node,
            bindings: RefCell::new(Vec::new()),
        })
    }

    pub fn graph(&self) -> &'m ModuleGraph<'m> {
        self.graph
    }

    /// The module this lowerer reads, in the graph.
    pub fn node(&self) -> usize {
        self.node
    }

    /// The caller's lowerer and the expression of argument `name`, when this module was called
    /// with it.
    fn argument(&self, name: &str) -> Option<(Lowerer<'m>, Loc<'m>)> {
        let (caller, args) = self.graph.nodes.get(self.node)?.caller.as_ref()?;
        let arg = *args.get(name)?;
        Some((Lowerer::new(self.graph, *caller)?, arg))
    }

    /// The lowerer of the module called as `module.NAME`, or why it was not read.
    fn called(&self, name: &str) -> Option<Result<Lowerer<'m>, String>> {
        let target = self.graph.nodes.get(self.node)?.calls.get(name)?;
        Some(match target {
            Ok(node) => Lowerer::new(self.graph, *node).ok_or_else(|| "the module was not read".to_owned()),
            Err(reason) => Err(reason.clone()),
        })
    }

    pub fn parsed(&self, loc: Loc<'_>) -> Option<&'m ParsedFile<'m>> {
        self.files.get(loc.file)
    }

    pub fn span(&self, loc: Loc<'_>) -> Span {
        match self.parsed(loc) {
            Some(parsed) => parsed.span(loc.node),
            None => Span::from_offsets(rein_text::FileId(0), 0, 0),
        }
    }

    pub fn text(&self, loc: Loc<'_>) -> &'m str {
        self.parsed(loc).map_or("", |parsed| parsed.text_of(loc.node))
    }

    fn unknown(&self, loc: Loc<'_>, reason: String) -> Node {
        Node::new(self.span(loc), NodeKind::Unknown(Unknown::new(reason)))
    }

    /// Takes one step of the budget; `false` once it is spent.
    fn step(&self) -> bool {
        let left = self.graph.budget.get();
        self.graph.budget.set(left.saturating_sub(1));
        left > 0
    }

    /// Lowers an expression (any expression-like node) to a tree node.
    pub fn lower(&self, loc: Loc<'m>, depth: usize) -> Node {
        if depth > MAX_DEPTH {
            return self.unknown(loc, format!("`{}` nests too deeply to evaluate", short(self.text(loc))));
        }
        if !self.step() {
            return self.unknown(loc, "the module is too large to evaluate completely".to_owned());
        }
        let at = |node| Loc { file: loc.file, node };
        // Most expressions are one term without operators, and most strings have no escapes:
        // neither needs its parts listed or decoded.
        if loc.node.kind() == Kind::Expression
            && let Some(base) = only_child(loc.node)
        {
            return self.lower(at(base), depth + 1);
        }
        if loc.node.kind() == Kind::StringLit
            && let Some(plain) = plain_string(self.text(loc))
        {
            return Node::new(self.span(loc), NodeKind::String(Value::Known(plain.to_owned())));
        }
        match loc.node.kind() {
            Kind::Expression => {
                let parts = named_children(loc.node);
                match parts.split_first() {
                    Some((base, [])) => self.lower(at(*base), depth + 1),
                    Some((base, ops)) if base.kind() == Kind::VariableExpr => self.reference(loc, *base, ops, depth),
                    Some((base, ops)) => {
                        let value = self.lower(at(*base), depth + 1);
                        self.apply_ops(loc, value, ops, depth)
                    }
                    None => self.unknown(loc, "an empty expression".to_owned()),
                }
            }
            Kind::LiteralValue | Kind::CollectionValue | Kind::TemplateExpr => {
                match loc.node.children().find(|child| child.kind() != Kind::Comment) {
                    Some(inner) => self.lower(at(inner), depth + 1),
                    None => self.unknown(loc, "an empty expression".to_owned()),
                }
            }
            Kind::StringLit | Kind::QuotedTemplate | Kind::HeredocTemplate => {
                let value = self.template_value(loc, depth);
                Node::new(self.span(loc), NodeKind::String(value))
            }
            Kind::NumericLit => Node::new(self.span(loc), NodeKind::Number(self.text(loc).to_owned())),
            Kind::BoolLit => Node::new(self.span(loc), NodeKind::Bool(self.text(loc) == "true")),
            Kind::NullLit => Node::new(self.span(loc), NodeKind::Null),
            Kind::Tuple => {
                let items = named_children(loc.node)
                    .into_iter()
                    .filter(|child| child.kind() == Kind::Expression)
                    .map(|child| self.lower(at(child), depth + 1))
                    .collect();
                Node::new(self.span(loc), NodeKind::Array(items))
            }
            Kind::Object => self.object(loc, depth),
            Kind::VariableExpr => self.reference(loc, loc.node, &[], depth),
            Kind::FunctionCall => self.function_call(loc, depth),
            Kind::Conditional => self.conditional(loc, depth),
            Kind::ForExpr => {
                self.unknown(loc, format!("`{}` is a `for` expression, which is not evaluated", short(self.text(loc))))
            }
            Kind::Operation => self.operation(loc, depth),
            Kind::Error if self.text(loc).trim().is_empty() => {
                self.unknown(loc, "the value is missing (a syntax error)".to_owned())
            }
            Kind::Error => self.unknown(loc, format!("`{}` is not valid HCL", short(self.text(loc)))),
            _ => self.unknown(loc, format!("`{}` is not evaluated", short(self.text(loc)))),
        }
    }

    fn object(&self, loc: Loc<'m>, depth: usize) -> Node {
        let mut members = Vec::new();
        let children = named_children(loc.node);
        let opening = children
            .iter()
            .find(|child| child.kind() == Kind::ObjectStart)
            .map_or_else(|| self.span(loc), |start| self.span(Loc { file: loc.file, node: *start }));
        for elem in children.into_iter().filter(|child| child.kind() == Kind::ObjectElem) {
            let [key, value] = named_children(elem)[..] else { continue };
            let key_loc = Loc { file: loc.file, node: key };
            let name = self.key_name(key_loc, depth);
            let value = self.lower(Loc { file: loc.file, node: value }, depth + 1);
            members.push(Member { key: Key { name, span: self.span(key_loc) }, value });
        }
        Node::new(self.span(loc), NodeKind::Object(Object { opening, members }))
    }

    /// The name of an object key: a bare identifier, or a string (a parenthesised expression is
    /// evaluated when it is a known string).
    fn key_name(&self, key: Loc<'m>, depth: usize) -> String {
        let parts = named_children(key.node);
        if let [only] = parts.as_slice()
            && only.kind() == Kind::VariableExpr
        {
            return self.text(Loc { file: key.file, node: *only }).to_owned();
        }
        match self.lower(key, depth + 1).kind {
            NodeKind::String(Value::Known(text)) => text,
            _ => self.text(key).to_owned(),
        }
    }

    /// The value of a template: known text, or text with holes for what cannot be evaluated.
    pub fn template_value(&self, loc: Loc<'m>, depth: usize) -> Value {
        let Some(parsed) = self.parsed(loc) else {
            return Value::Unknown(Unknown::new("the file is missing"));
        };
        let mut parts: Vec<TemplatePart> = Vec::new();
        let mut text_from = 0;
        let decoded = decode_template(parsed, loc.node, |out: &mut Decoded, hole| {
            let node = hole.node();
            let (raw_start, raw_len) = (node.start_byte(), node.end_byte() - node.start_byte());
            let pieces = match self.hole_value(loc.file, &hole, depth) {
                Value::Known(text) => vec![TemplatePart::Text(text)],
                Value::Partial(pieces) => pieces,
                Value::Unknown(unknown) => vec![TemplatePart::Hole(unknown)],
            };
            for piece in pieces {
                match piece {
                    // Text from a partly known value maps to the whole interpolation.
                    TemplatePart::Text(text) => out.push_mapped(&text, raw_start, raw_len),
                    TemplatePart::Hole(unknown) => {
                        if let Some(text) = out.text.get(text_from..)
                            && !text.is_empty()
                        {
                            parts.push(TemplatePart::Text(text.to_owned()));
                        }
                        parts.push(TemplatePart::Hole(unknown));
                        text_from = out.text.len();
                    }
                }
            }
        });
        if parts.is_empty() {
            return Value::Known(decoded.text);
        }
        if let Some(text) = decoded.text.get(text_from..)
            && !text.is_empty()
        {
            parts.push(TemplatePart::Text(text.to_owned()));
        }
        Value::Partial(parts)
    }

    /// The value an interpolation stands for: known text, a partly known string (a typed
    /// placeholder such as `aws_s3_bucket.logs.arn`), or why it is unknown.
    pub fn hole_value(&self, file: usize, hole: &Hole<'m>, depth: usize) -> Value {
        match hole {
            Hole::Interpolation { expr: Some(expr), .. } => {
                let expr = Loc { file, node: *expr };
                if let Some(arg) = self.jsonencode_argument(expr) {
                    // `"Resource": ${jsonencode(local.arns)}` in a heredoc: the JSON text of a known value.
                    let value = self.lower(arg, depth + 1);
                    return match crate::render::to_json(&value) {
                        Some(text) => Value::Known(text),
                        None => {
                            Value::Unknown(Unknown::new(format!("`{}` is not known statically", short(self.text(arg)))))
                        }
                    };
                }
                match self.lower(expr, depth + 1).kind {
                    NodeKind::String(value) => value,
                    NodeKind::Number(text) => Value::Known(text),
                    NodeKind::Bool(flag) => Value::Known(flag.to_string()),
                    NodeKind::Unknown(unknown) => Value::Unknown(unknown),
                    other => Value::Unknown(Unknown::new(format!(
                        "`{}` is {}, not a string",
                        short(self.text(expr)),
                        Node::new(self.span(expr), other).type_name()
                    ))),
                }
            }
            Hole::Interpolation { node, expr: None } => Value::Unknown(Unknown::new(format!(
                "`{}` is an empty interpolation",
                short(self.text(Loc { file, node: *node }))
            ))),
            Hole::Directive(node) => Value::Unknown(Unknown::new(format!(
                "`{}` is a template directive, which is not evaluated",
                short(self.text(Loc { file, node: *node }))
            ))),
        }
    }

    /// Runs `body` once per element of a known `for_each` collection, with `name.key` and
    /// `name.value` bound to the element; `Err` with the reason when the collection is not known.
    pub fn for_each<T>(
        &self,
        collection: Loc<'m>,
        name: &str,
        mut body: impl FnMut(&Self) -> T,
    ) -> Result<Vec<T>, Unknown> {
        let elements: Vec<(Node, Node)> = match self.lower(collection, 1) {
            Node { kind: NodeKind::Array(items), .. } => items
                .into_iter()
                .enumerate()
                .map(|(idx, item)| {
                    // A set's key is its value; a list's is its index.
                    let key = match &item.kind {
                        NodeKind::String(_) => item.clone(),
                        _ => Node::new(item.span, NodeKind::Number(idx.to_string())),
                    };
                    (key, item)
                })
                .collect(),
            Node { kind: NodeKind::Object(mut object), .. } => {
                // Terraform iterates a map in lexical order of its keys.
                object.members.sort_by(|a, b| a.key.name.cmp(&b.key.name));
                object
                    .members
                    .into_iter()
                    .map(|member| {
                        let key = Node::new(member.key.span, NodeKind::String(Value::Known(member.key.name)));
                        (key, member.value)
                    })
                    .collect()
            }
            Node { kind: NodeKind::Unknown(unknown), .. } => return Err(unknown),
            other => {
                let reason = format!("`for_each` is {}, not a collection", other.type_name());
                return Err(Unknown::new(reason));
            }
        };
        let mut results = Vec::with_capacity(elements.len());
        for (key, value) in elements {
            self.bindings.borrow_mut().push((name.to_owned(), key, value));
            results.push(body(self));
            self.bindings.borrow_mut().pop();
        }
        Ok(results)
    }

    /// The argument of `jsonencode(arg)` when `expr` is exactly that call.
    pub(crate) fn jsonencode_argument(&self, expr: Loc<'m>) -> Option<Loc<'m>> {
        let parts = named_children(expr.node);
        let [call] = parts.as_slice() else { return None };
        if call.kind() != Kind::FunctionCall {
            return None;
        }
        let children = named_children(*call);
        let name = children.first().map(|ident| self.text(Loc { file: expr.file, node: *ident }))?;
        let args = children.iter().find(|child| child.kind() == Kind::FunctionArguments)?;
        match (name, named_children(*args).as_slice()) {
            ("jsonencode", [arg]) if arg.kind() == Kind::Expression => Some(Loc { file: expr.file, node: *arg }),
            _ => None,
        }
    }

    /// A reference: `local.x`, `var.x`, or anything else (unknown), followed by traversal operators.
    fn reference(&self, loc: Loc<'m>, base: SyntaxNode<'m>, ops: &[SyntaxNode<'m>], depth: usize) -> Node {
        let root = self.text(Loc { file: loc.file, node: base });
        let first_attr = ops.first().filter(|op| op.kind() == Kind::GetAttr).map(|op| self.attr_name(loc.file, *op));
        let bound =
            self.bindings.borrow().iter().rev().find(|(name, _, _)| name == root).map(
                |(_, key, value)| match first_attr {
                    Some("key") => Some(key.clone()),
                    Some("value") => Some(value.clone()),
                    _ => None,
                },
            );
        if let Some(bound) = bound {
            let rest = ops.get(1..).unwrap_or_default();
            return match bound {
                Some(value) => self.apply_ops(loc, value, rest, depth),
                None => {
                    self.unknown(loc, format!("`{}`: an iterator has only `key` and `value`", short(self.text(loc))))
                }
            };
        }
        let rest = ops.get(1..).unwrap_or_default();
        let whole = short(self.text(loc));
        match (root, first_attr) {
            ("local", Some(name)) => match self.index.locals.get(name) {
                Some(def) => {
                    let value = self.lower(*def, depth + 1);
                    self.apply_ops(loc, value, rest, depth)
                }
                None => self.unknown(loc, format!("`{whole}`: no local value `{name}` in this module")),
            },
            ("var", Some(name)) => match (self.argument(name), self.index.variables.get(name)) {
                // The value the calling module passes, evaluated where the call is written.
                (Some((caller, arg)), Some(_)) => {
                    let value = caller.lower(arg, depth + 1);
                    self.apply_ops(loc, value, rest, depth)
                }
                (_, Some(Some(default))) => {
                    let value = self.lower(*default, depth + 1);
                    self.apply_ops(loc, value, rest, depth)
                }
                (_, Some(None)) => self.unknown(loc, format!("`var.{name}` has no default")),
                (_, None) => self.unknown(loc, format!("`var.{name}` is not declared in this module")),
            },
            ("data", Some(kind)) => {
                let names: Vec<&str> = rest.iter().map(|op| self.op_name(loc.file, *op)).collect();
                match names.as_slice() {
                    [name, attribute, ..] if !name.is_empty() => {
                        let entity = format!("data.{kind}.{name}");
                        self.typed_reference(loc, kind, &entity, attribute, rest.get(2..).unwrap_or_default())
                            .unwrap_or_else(|| {
                                self.unknown(
                                    loc,
                                    format!("`{whole}` is a data source attribute, known only after apply"),
                                )
                            })
                    }
                    _ => self.unknown(loc, format!("`{whole}` is a data source attribute, known only after apply")),
                }
            }
            ("module", Some(call)) => {
                let output = rest.first().map_or("", |op| self.op_name(loc.file, *op));
                match self.called(call) {
                    Some(Ok(child)) => match child.index.outputs.get(output) {
                        Some(value) => {
                            let value = child.lower(*value, depth + 1);
                            self.apply_ops(loc, value, rest.get(1..).unwrap_or_default(), depth)
                        }
                        None => self.unknown(loc, format!("`{whole}`: module `{call}` has no output `{output}`")),
                    },
                    Some(Err(reason)) => self.unknown(
                        loc,
                        format!("`{whole}` is an output of module `{call}`, which is not read: {reason}"),
                    ),
                    None => self.unknown(loc, format!("`{whole}`: no module `{call}` is called in this module")),
                }
            }
            ("each" | "count", _) => self.unknown(loc, format!("`{whole}` depends on the iteration")),
            // Paths given to `file(…)` are relative to the module, which `others` is keyed by.
            ("path", Some("module")) if rest.is_empty() => {
                Node::new(self.span(loc), NodeKind::String(Value::known(".")))
            }
            (_, Some(name)) if !matches!(root, "path" | "terraform" | "self") => {
                // `aws_s3_bucket.logs.arn`, or `aws_s3_bucket.logs[0].arn` under `count` or `for_each`.
                let rest = match rest.first() {
                    Some(op) if op.kind() == Kind::Index => rest.get(1..).unwrap_or_default(),
                    _ => rest,
                };
                let entity = format!("{root}.{name}");
                let typed = match rest.split_first() {
                    Some((op, after)) if op.kind() == Kind::GetAttr => {
                        let attribute = self.attr_name(loc.file, *op);
                        self.typed_reference(loc, root, &entity, attribute, after)
                    }
                    _ => None,
                };
                typed.unwrap_or_else(|| {
                    let reference = Reference {
                        entity: self.address(&entity),
                        attribute: rest.first().map_or("", |op| self.op_name(loc.file, *op)).to_owned(),
                    };
                    let reason = format!("`{whole}` is a resource attribute, known only after apply");
                    Node::new(self.span(loc), NodeKind::Unknown(Unknown::referring(reason, reference)))
                })
            }
            _ => self.unknown(loc, format!("`{whole}` cannot be resolved statically")),
        }
    }

    /// A reference to `entity.attribute` of a resource or data source type whose attribute has
    /// a fixed shape (RULES.md §0.2 S8): an ARN becomes a typed placeholder, a name an unknown
    /// that keeps to one ARN field. `None` when the attribute has no known shape or is followed
    /// by further operators.
    fn typed_reference(
        &self,
        loc: Loc<'m>,
        kind: &str,
        entity: &str,
        attribute: &str,
        after: &[SyntaxNode<'m>],
    ) -> Option<Node> {
        if !after.is_empty() {
            return None;
        }
        let shape = rein_tfschema::arns::attribute_shape(kind, attribute)?;
        let whole = short(self.text(loc));
        let address = self.address(entity);
        let hole = |reason: String, shape: HoleShape| {
            let reference = Reference { entity: address.clone(), attribute: attribute.to_owned() };
            Unknown::referring(reason, reference).with_shape(shape)
        };
        let mut parts: Vec<TemplatePart> = shape
            .iter()
            .map(|part| match part {
                ShapePart::Text(text) => TemplatePart::Text((*text).to_owned()),
                ShapePart::Partition => {
                    TemplatePart::Hole(hole(format!("the partition of `{address}`"), HoleShape::Segment))
                }
                ShapePart::Region => TemplatePart::Hole(hole(format!("the region of `{address}`"), HoleShape::Segment)),
                ShapePart::Account => {
                    TemplatePart::Hole(hole(format!("the account of `{address}`"), HoleShape::Segment))
                }
                ShapePart::Name(shape) => {
                    TemplatePart::Hole(hole(format!("the name in `{whole}`, known only after apply"), *shape))
                }
                ShapePart::CurrentPartition => {
                    TemplatePart::Hole(hole(format!("`{whole}` is the current partition"), HoleShape::Segment))
                }
                ShapePart::CurrentRegion => {
                    TemplatePart::Hole(hole(format!("`{whole}` is the current region"), HoleShape::Segment))
                }
                ShapePart::CurrentAccount => {
                    TemplatePart::Hole(hole(format!("`{whole}` is the current account"), HoleShape::Segment))
                }
            })
            .collect();
        let span = self.span(loc);
        // A lone name is not a policy value by itself (a bucket name is not an ARN): it stays
        // unknown, with its shape for when it is interpolated into an ARN.
        if let [TemplatePart::Hole(only)] = parts.as_mut_slice() {
            let mut unknown = only.clone();
            if matches!(shape.as_slice(), [ShapePart::Name(_)]) {
                unknown.reason = format!("`{whole}` is a name known only after apply");
            }
            return Some(Node::new(span, NodeKind::Unknown(unknown)));
        }
        Some(Node::new(span, NodeKind::String(Value::Partial(parts))))
    }

    /// The address of an entity of this module as seen from the root (`module.app.` prefixed).
    fn address(&self, entity: &str) -> String {
        format!("{}{entity}", self.prefix)
    }

    /// The name of a `.name` operator, or `""` for any other operator.
    fn op_name(&self, file: usize, op: SyntaxNode<'m>) -> &'m str {
        if op.kind() == Kind::GetAttr { self.attr_name(file, op) } else { "" }
    }

    fn attr_name(&self, file: usize, op: SyntaxNode<'m>) -> &'m str {
        named_children(op)
            .into_iter()
            .find(|child| child.kind() == Kind::Identifier)
            .map_or("", |ident| self.text(Loc { file, node: ident }))
    }

    /// Applies `.name` and `[index]` to a lowered value.
    fn apply_ops(&self, loc: Loc<'m>, mut value: Node, ops: &[SyntaxNode<'m>], depth: usize) -> Node {
        for op in ops {
            if matches!(value.kind, NodeKind::Unknown(_)) {
                return value;
            }
            let next = match op.kind() {
                Kind::GetAttr => {
                    let name = self.attr_name(loc.file, *op);
                    match value.kind {
                        NodeKind::Object(object) => {
                            object.members.into_iter().rev().find(|member| member.key.name == name).map(|m| m.value)
                        }
                        _ => None,
                    }
                }
                Kind::Index => {
                    let position = self.index_value(loc.file, *op, depth);
                    match (value.kind, position) {
                        (NodeKind::Array(items), Some(position)) => items.into_iter().nth(position),
                        _ => None,
                    }
                }
                _ => None,
            };
            match next {
                Some(next) => value = next,
                None => {
                    return self.unknown(loc, format!("`{}` cannot be resolved statically", short(self.text(loc))));
                }
            }
        }
        value
    }

    /// The number inside `[N]` or `.N`.
    fn index_value(&self, file: usize, op: SyntaxNode<'m>, depth: usize) -> Option<usize> {
        let inner = named_children(op).into_iter().next()?;
        let text = match inner.kind() {
            Kind::LegacyIndex => self.text(Loc { file, node: inner }).trim_start_matches('.').to_owned(),
            _ => {
                let expr = named_children(inner).into_iter().next()?;
                match self.lower(Loc { file, node: expr }, depth + 1).kind {
                    NodeKind::Number(text) => text,
                    _ => return None,
                }
            }
        };
        text.parse().ok()
    }

    fn function_call(&self, loc: Loc<'m>, depth: usize) -> Node {
        let children = named_children(loc.node);
        let name = children.first().map_or("", |ident| self.text(Loc { file: loc.file, node: *ident }));
        let args: Vec<Loc<'m>> = children
            .iter()
            .find(|child| child.kind() == Kind::FunctionArguments)
            .map(|args| {
                named_children(*args)
                    .into_iter()
                    .filter(|arg| arg.kind() == Kind::Expression)
                    .map(|node| Loc { file: loc.file, node })
                    .collect()
            })
            .unwrap_or_default();
        match (name, args.as_slice()) {
            // Conversions that keep the value as the policy reader sees it.
            ("tolist" | "toset" | "tostring", [arg]) => self.lower(*arg, depth + 1),
            ("contains", [list, value]) => self.contains(loc, *list, *value, depth),
            ("concat", _) => {
                let mut items = Vec::new();
                for arg in &args {
                    match self.lower(*arg, depth + 1).kind {
                        NodeKind::Array(more) => items.extend(more),
                        _ => {
                            return self.unknown(
                                loc,
                                format!("`{}`: an argument of `concat` is not a known list", short(self.text(loc))),
                            );
                        }
                    }
                }
                Node::new(self.span(loc), NodeKind::Array(items))
            }
            ("templatefile", [path, vars]) => match self.template_file(loc, *path, *vars, depth) {
                Ok((file, text, vars)) => {
                    let value = crate::templatefile::to_value(crate::templatefile::expand(file, text, &vars));
                    Node::new(self.span(loc), NodeKind::String(value))
                }
                Err(unknown) => Node::new(self.span(loc), NodeKind::Unknown(unknown)),
            },
            _ => self.unknown(loc, format!("`{name}(…)` is a function call, which is not evaluated")),
        }
    }

    /// The file and the variables of `templatefile(path, vars)`, or why they are not known.
    pub fn template_file(
        &self,
        call: Loc<'m>,
        path: Loc<'m>,
        vars: Loc<'m>,
        depth: usize,
    ) -> Result<(FileId, &'m str, TemplateVars), Unknown> {
        let (file, text) = self.module_file(call, path, depth)?;
        let vars = match self.lower(vars, depth + 1).kind {
            NodeKind::Object(object) => {
                object.members.into_iter().map(|member| (member.key.name, member.value)).collect()
            }
            NodeKind::Unknown(unknown) => return Err(unknown),
            _ => {
                let reason = format!("`{}`: the variables are not an object", short(self.text(call)));
                return Err(Unknown::new(reason));
            }
        };
        Ok((file, text, vars))
    }

    /// The module file that `path` (an argument of `file` or `templatefile`) names.
    fn module_file(&self, call: Loc<'m>, path: Loc<'m>, depth: usize) -> Result<(FileId, &'m str), Unknown> {
        let path = match self.lower(path, depth + 1).kind {
            NodeKind::String(Value::Known(path)) => path,
            _ => {
                let reason = format!("`{}`: the path is not known statically", short(self.text(call)));
                return Err(Unknown::new(reason));
            }
        };
        let wanted = normalize_path(&path);
        match self.others.iter().find(|(other, _, _)| Some(other) == wanted.as_ref()) {
            Some((_, file, text)) => Ok((*file, text)),
            None => {
                let reason = format!("`{path}` is not a file of this module that was given to the analysis");
                Err(Unknown::new(reason))
            }
        }
    }

    /// Resolves the expression of a policy-consuming attribute to the kind of source it is.
    pub fn policy_source(&self, loc: Loc<'m>, depth: usize) -> Source<'m> {
        if depth > MAX_DEPTH || !self.step() {
            let reason = format!("`{}` nests too deeply to evaluate", short(self.text(loc)));
            return Source::Unknown(self.span(loc), Unknown::new(reason));
        }
        let at = |node| Loc { file: loc.file, node };
        match loc.node.kind() {
            Kind::Expression | Kind::LiteralValue | Kind::TemplateExpr => {
                let parts = named_children(loc.node);
                match parts.as_slice() {
                    [only] => return self.policy_source(at(*only), depth + 1),
                    [base, ops @ ..] if base.kind() == Kind::VariableExpr => {
                        if let Some(source) = self.reference_source(loc, *base, ops, depth) {
                            return source;
                        }
                    }
                    _ => {}
                }
            }
            Kind::StringLit | Kind::QuotedTemplate | Kind::HeredocTemplate => return Source::Text(loc),
            Kind::FunctionCall => {
                let children = named_children(loc.node);
                let name = children.first().map_or("", |ident| self.text(at(*ident)));
                let args: Vec<_> = children
                    .iter()
                    .find(|child| child.kind() == Kind::FunctionArguments)
                    .map(|args| {
                        named_children(*args).into_iter().filter(|arg| arg.kind() == Kind::Expression).collect()
                    })
                    .unwrap_or_default();
                match (name, args.as_slice()) {
                    ("jsonencode", [arg]) => return Source::Tree(self.lower(at(*arg), depth + 1)),
                    ("file", [arg]) => return self.file_source(loc, at(*arg), depth),
                    ("templatefile", [path, vars]) => {
                        return match self.template_file(loc, at(*path), at(*vars), depth) {
                            Ok((file, text, vars)) => Source::Template(file, text, vars),
                            Err(unknown) => Source::Unknown(self.span(loc), unknown),
                        };
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        match self.lower(loc, depth + 1) {
            Node { kind: NodeKind::Unknown(unknown), span } => Source::Unknown(span, unknown),
            Node { kind: NodeKind::String(Value::Partial(parts)), span } => {
                let reason = parts
                    .iter()
                    .find_map(|part| match part {
                        TemplatePart::Hole(unknown) => Some(unknown.clone()),
                        TemplatePart::Text(_) => None,
                    })
                    .unwrap_or_else(|| Unknown::new("the policy text is not known statically"));
                Source::Unknown(span, reason)
            }
            node => Source::Tree(node),
        }
    }

    /// `file(path)` with a path that names one of the module's files.
    fn file_source(&self, call: Loc<'m>, arg: Loc<'m>, depth: usize) -> Source<'m> {
        match self.module_file(call, arg, depth) {
            Ok((file, text)) => Source::File(file, text),
            Err(unknown) => Source::Unknown(self.span(call), unknown),
        }
    }

    /// A reference used as a policy: follows `local.*` and `var.*` to their expressions and
    /// recognises `data.aws_iam_policy_document.NAME.json`.
    fn reference_source(
        &self,
        loc: Loc<'m>,
        base: SyntaxNode<'m>,
        ops: &[SyntaxNode<'m>],
        depth: usize,
    ) -> Option<Source<'m>> {
        let root = self.text(Loc { file: loc.file, node: base });
        let names: Vec<&str> =
            ops.iter().map(|op| if op.kind() == Kind::GetAttr { self.attr_name(loc.file, *op) } else { "" }).collect();
        match (root, names.as_slice()) {
            ("local", [name]) => {
                let def = self.index.locals.get(*name)?;
                Some(self.policy_source(*def, depth + 1))
            }
            ("var", [name]) => {
                if let Some((caller, arg)) = self.argument(name) {
                    let source = caller.policy_source(arg, depth + 1);
                    return Some(Source::Foreign(caller.node(), Box::new(source)));
                }
                let default = self.index.variables.get(*name)?.as_ref()?;
                Some(self.policy_source(*default, depth + 1))
            }
            ("module", [call, output]) => match self.called(call)? {
                Ok(child) => {
                    let value = child.index.outputs.get(*output)?;
                    let source = child.policy_source(*value, depth + 1);
                    Some(Source::Foreign(child.node(), Box::new(source)))
                }
                Err(_) => None,
            },
            ("data", ["aws_iam_policy_document", name, "json" | "minified_json"]) => {
                if self.index.policy_documents.contains_key(*name) {
                    Some(Source::PolicyDocument((*name).to_owned()))
                } else {
                    let reason = format!("`data.aws_iam_policy_document.{name}` is not declared in this module");
                    Some(Source::Unknown(self.span(loc), Unknown::new(reason)))
                }
            }
            _ => None,
        }
    }
}

/// The one child of a node that is not a comment, when it has exactly one.
fn only_child(node: SyntaxNode<'_>) -> Option<SyntaxNode<'_>> {
    let mut children = node.children().filter(|child| child.kind() != Kind::Comment);
    let first = children.next()?;
    children.next().is_none().then_some(first)
}

/// The content of a closed quoted string that has no escape sequence, which is its value as
/// written (`strings.rs` decodes the others).
fn plain_string(raw: &str) -> Option<&str> {
    let content = raw.strip_prefix('"')?.strip_suffix('"')?;
    let plain = !content.contains(['\\', '"']) && !content.contains("$${") && !content.contains("%%{");
    plain.then_some(content)
}

/// A relative path with `.` and `..` resolved and `/` separators, or `None` when it leaves the
/// module directory or is absolute.
pub(crate) fn normalize_path(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}
