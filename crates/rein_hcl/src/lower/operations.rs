//! Conditionals and operators over values known statically: `var.enabled ? 1 : 0`,
//! `var.account_type == "master"`, `!var.disabled`, `local.a || local.b`, and
//! `contains(var.target_regions, "eu-west-1")`.
//!
//! Modules switch resources on and off with them (`count = var.x ? 1 : 0`), so a conditional
//! whose condition is known picks its branch, as Terraform does. An operand that is not known
//! keeps the whole expression unknown, except where the known operand alone decides the result
//! (`false && …`, `true || …`).
//!
//! The grammar does not group operators by precedence, and binds a traversal after an operand
//! to the operation before it (`a == "x" || b.c` is read as `((a == "x") || b).c`), so an
//! operation is flattened to its operands and operators and regrouped here.
//! SOURCE: <https://developer.hashicorp.com/terraform/language/expressions/operators> and
//! <https://developer.hashicorp.com/terraform/language/expressions/conditionals>.

use rein_model::inventory::{node_bool, node_number};
use rein_model::tree::MAX_DEPTH;
use rein_model::{Node, NodeKind, Value};

use super::Lowerer;
use crate::module::Loc;
use crate::syntax::{named_children, short};

type SyntaxNode<'m> = tree_sitter::Node<'m>;

/// One part of a flattened operation.
enum Token<'m> {
    /// An expression term: a value and the traversals after it (`var`, `.kind`).
    Operand(Vec<SyntaxNode<'m>>),
    Unary(&'static str),
    Binary(&'static str),
}

/// The binary operators by precedence, lowest first.
const BINARY: [(&str, u8); 13] = [
    ("||", 1),
    ("&&", 2),
    ("==", 3),
    ("!=", 3),
    (">", 4),
    (">=", 4),
    ("<", 4),
    ("<=", 4),
    ("+", 5),
    ("-", 5),
    ("*", 6),
    ("/", 6),
    ("%", 6),
];

fn binary_op(kind: &str) -> Option<(&'static str, u8)> {
    BINARY.iter().copied().find(|(op, _)| *op == kind)
}

impl<'m> Lowerer<'m> {
    /// `COND ? A : B`: the branch the condition picks, when it is known.
    pub(super) fn conditional(&self, loc: Loc<'m>, depth: usize) -> Node {
        let parts: Vec<_> = named_children(loc.node).into_iter().filter(|part| part.kind() == "expression").collect();
        let whole = short(self.text(loc));
        let [condition, yes, no] = parts.as_slice() else {
            return self.unknown(loc, format!("`{whole}` is not a complete conditional expression"));
        };
        let at = |node| Loc { file: loc.file, node };
        let value = self.lower(at(*condition), depth + 1);
        match node_bool(&value) {
            Some(true) => self.lower(at(*yes), depth + 1),
            Some(false) => self.lower(at(*no), depth + 1),
            None => self
                .unknown(loc, format!("`{whole}` is a conditional expression whose condition is not known statically")),
        }
    }

    /// An operation (`operation` is the node; `trailing`, traversals written after it), evaluated
    /// when its operands are known.
    pub(super) fn operation(
        &self,
        loc: Loc<'m>,
        operation: SyntaxNode<'m>,
        trailing: &[SyntaxNode<'m>],
        depth: usize,
    ) -> Node {
        let mut tokens = Vec::new();
        let flat = flatten(operation, &mut tokens, 0) && attach(&mut tokens, trailing);
        let mut pos = 0;
        let value = if flat { self.climb(loc, &tokens, &mut pos, 1, depth) } else { None };
        match value {
            Some(kind) if pos == tokens.len() => Node::new(self.span(loc), kind),
            _ => {
                self.unknown(loc, format!("`{}` is an operation on values not known statically", short(self.text(loc))))
            }
        }
    }

    /// Precedence climbing over the tokens from `pos`: the value of the operators of at least
    /// `min_prec`.
    fn climb(
        &self,
        loc: Loc<'m>,
        tokens: &[Token<'m>],
        pos: &mut usize,
        min_prec: u8,
        depth: usize,
    ) -> Option<NodeKind> {
        let mut lhs = self.unary(loc, tokens, pos, depth);
        while let Some(Token::Binary(op)) = tokens.get(*pos) {
            let prec = binary_op(op).map_or(0, |(_, prec)| prec);
            if prec < min_prec {
                break;
            }
            *pos += 1;
            let rhs = self.climb(loc, tokens, pos, prec + 1, depth);
            lhs = binary(op, lhs, rhs);
        }
        lhs
    }

    fn unary(&self, loc: Loc<'m>, tokens: &[Token<'m>], pos: &mut usize, depth: usize) -> Option<NodeKind> {
        let token = tokens.get(*pos)?;
        *pos += 1;
        match token {
            Token::Unary(op) => {
                let operand = self.unary(loc, tokens, pos, depth)?;
                let operand = Node::new(self.span(loc), operand);
                match *op {
                    "!" => node_bool(&operand).map(|value| NodeKind::Bool(!value)),
                    _ => node_number(&operand).map(|value| number(-value)),
                }
            }
            Token::Operand(nodes) => {
                let value = self.term(loc, nodes, depth);
                match value.kind {
                    NodeKind::Unknown(_) => None,
                    NodeKind::String(Value::Known(_)) | NodeKind::Number(_) | NodeKind::Bool(_) | NodeKind::Null => {
                        Some(value.kind)
                    }
                    _ => None,
                }
            }
            Token::Binary(_) => None,
        }
    }

    /// `contains(LIST, VALUE)`, which modules use to switch a control on per region: known when
    /// the value is known and it is in the list, or every item is known.
    pub(super) fn contains(&self, loc: Loc<'m>, list: Loc<'m>, value: Loc<'m>, depth: usize) -> Node {
        let list = self.lower(list, depth + 1);
        let value = self.lower(value, depth + 1);
        let found = match (&list.kind, scalar(&value.kind)) {
            (NodeKind::Array(items), Some(_)) => {
                let verdicts: Vec<Option<bool>> =
                    items.iter().map(|item| scalar(&item.kind).and_then(|item| equal(item, &value.kind))).collect();
                if verdicts.contains(&Some(true)) {
                    Some(true)
                } else if verdicts.iter().all(Option::is_some) {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        };
        match found {
            Some(found) => Node::new(self.span(loc), NodeKind::Bool(found)),
            None => {
                self.unknown(loc, format!("`{}`: the list or the value is not known statically", short(self.text(loc))))
            }
        }
    }

    /// The value of one operand: a value node and the traversals after it.
    fn term(&self, loc: Loc<'m>, nodes: &[SyntaxNode<'m>], depth: usize) -> Node {
        let at = |node| Loc { file: loc.file, node };
        let named: Vec<_> = nodes.iter().copied().filter(|node| node.is_named()).collect();
        match named.split_first() {
            Some((base, ops)) if base.kind() == "variable_expr" => self.reference(loc, *base, ops, depth + 1),
            Some((base, [])) => self.lower(at(*base), depth + 1),
            Some((base, ops)) => {
                let value = self.lower(at(*base), depth + 1);
                self.apply_ops(loc, value, ops, depth + 1)
            }
            None => self.unknown(loc, "an empty operand".to_owned()),
        }
    }
}

/// Appends the operands and operators of `operation` to `tokens`; `false` when it cannot be
/// read (an unknown operator, nesting too deep).
fn flatten<'m>(operation: SyntaxNode<'m>, tokens: &mut Vec<Token<'m>>, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let Some(inner) = named_children(operation).into_iter().next() else { return false };
    let mut cursor = inner.walk();
    let children: Vec<_> = inner.children(&mut cursor).collect();
    let mut operand: Vec<SyntaxNode<'m>> = Vec::new();
    let flush = |operand: &mut Vec<SyntaxNode<'m>>, tokens: &mut Vec<Token<'m>>| -> bool {
        let parts = std::mem::take(operand);
        match parts.split_first() {
            None => true,
            Some((first, rest)) if first.kind() == "operation" => {
                flatten(*first, tokens, depth + 1) && attach(tokens, rest)
            }
            Some(_) => {
                tokens.push(Token::Operand(parts));
                true
            }
        }
    };
    for (idx, child) in children.iter().enumerate() {
        if child.is_named() {
            operand.push(*child);
            continue;
        }
        let kind = child.kind();
        if inner.kind() == "unary_operation" && idx == 0 {
            tokens.push(Token::Unary(if kind == "!" { "!" } else { "-" }));
        } else if let Some((op, _)) = binary_op(kind).filter(|_| inner.kind() == "binary_operation") {
            if !flush(&mut operand, tokens) {
                return false;
            }
            tokens.push(Token::Binary(op));
        } else {
            // Parentheses belong to the operand they enclose.
            operand.push(*child);
        }
    }
    flush(&mut operand, tokens)
}

/// Attaches traversals to the last operand, where the grammar put them after an operation.
fn attach<'m>(tokens: &mut [Token<'m>], trailing: &[SyntaxNode<'m>]) -> bool {
    if trailing.is_empty() {
        return true;
    }
    match tokens.last_mut() {
        Some(Token::Operand(nodes)) => {
            nodes.extend_from_slice(trailing);
            true
        }
        _ => false,
    }
}

/// A binary operator over two values (`None`: not known). `&&` and `||` are decided by one known
/// operand when it is `false` or `true` respectively.
fn binary(op: &str, lhs: Option<NodeKind>, rhs: Option<NodeKind>) -> Option<NodeKind> {
    let as_bool = |kind: &Option<NodeKind>| match kind {
        Some(NodeKind::Bool(value)) => Some(*value),
        Some(NodeKind::String(Value::Known(text))) if text == "true" || text == "false" => Some(text == "true"),
        _ => None,
    };
    let as_number = |kind: &Option<NodeKind>| match kind {
        Some(NodeKind::Number(text)) => text.parse::<f64>().ok(),
        Some(NodeKind::String(Value::Known(text))) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    match op {
        "&&" => match (as_bool(&lhs), as_bool(&rhs)) {
            (Some(false), _) | (_, Some(false)) => Some(NodeKind::Bool(false)),
            (Some(true), Some(true)) => Some(NodeKind::Bool(true)),
            _ => None,
        },
        "||" => match (as_bool(&lhs), as_bool(&rhs)) {
            (Some(true), _) | (_, Some(true)) => Some(NodeKind::Bool(true)),
            (Some(false), Some(false)) => Some(NodeKind::Bool(false)),
            _ => None,
        },
        "==" | "!=" => equal(lhs.as_ref()?, rhs.as_ref()?).map(|same| NodeKind::Bool(same == (op == "=="))),
        _ => {
            let (a, b) = (as_number(&lhs)?, as_number(&rhs)?);
            Some(match op {
                "+" => number(a + b),
                "-" => number(a - b),
                "*" => number(a * b),
                "/" if b != 0.0 => number(a / b),
                "%" if b != 0.0 => number(a % b),
                ">" => NodeKind::Bool(a > b),
                ">=" => NodeKind::Bool(a >= b),
                "<" => NodeKind::Bool(a < b),
                "<=" => NodeKind::Bool(a <= b),
                _ => return None,
            })
        }
    }
}

/// A known scalar (string, number, bool or null).
fn scalar(kind: &NodeKind) -> Option<&NodeKind> {
    matches!(kind, NodeKind::String(Value::Known(_)) | NodeKind::Number(_) | NodeKind::Bool(_) | NodeKind::Null)
        .then_some(kind)
}

/// Whether two known scalars are equal. Values of different types are never equal (`"1" == 1`
/// is false in Terraform).
fn equal(lhs: &NodeKind, rhs: &NodeKind) -> Option<bool> {
    Some(match (lhs, rhs) {
        (NodeKind::String(Value::Known(a)), NodeKind::String(Value::Known(b))) => a == b,
        (NodeKind::Number(a), NodeKind::Number(b)) => a.parse::<f64>().ok()? == b.parse::<f64>().ok()?,
        (NodeKind::Bool(a), NodeKind::Bool(b)) => a == b,
        (NodeKind::Null, NodeKind::Null) => true,
        _ => false,
    })
}

fn number(value: f64) -> NodeKind {
    let text = if value.fract() == 0.0 && value.abs() < 1e15 { format!("{value:.0}") } else { value.to_string() };
    NodeKind::Number(text)
}
