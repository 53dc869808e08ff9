//! Conditionals and operators over values known statically: `var.enabled ? 1 : 0`,
//! `var.account_type == "master"`, `!var.disabled`, `local.a || local.b`, and
//! `contains(var.target_regions, "eu-west-1")`.
//!
//! Modules switch resources on and off with them (`count = var.x ? 1 : 0`), so a conditional
//! whose condition is known picks its branch, as Terraform does. An operand that is not known
//! keeps the whole expression unknown, except where the known operand alone decides the result
//! (`false && …`, `true || …`).
//!
//! The parser groups operations by HCL's precedence and keeps traversals with their operand
//! (`!var.on` is `!(var.on)`), so each `Operation` node is evaluated from its operand
//! expressions alone.
//! SOURCE: <https://developer.hashicorp.com/terraform/language/expressions/operators> and
//! <https://developer.hashicorp.com/terraform/language/expressions/conditionals>.

use rein_model::inventory::{node_bool, node_number};
use rein_model::{Node, NodeKind, Value};

use super::Lowerer;
use crate::module::Loc;
use crate::syntax::{Kind, named_children, operator, short};

impl<'m> Lowerer<'m> {
    /// `COND ? A : B`: the branch the condition picks, when it is known.
    pub(super) fn conditional(&self, loc: Loc<'m>, depth: usize) -> Node {
        let parts: Vec<_> =
            named_children(loc.node).into_iter().filter(|part| part.kind() == Kind::Expression).collect();
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

    /// A unary or binary operation, evaluated when its operands are known.
    pub(super) fn operation(&self, loc: Loc<'m>, depth: usize) -> Node {
        let value = self.parsed(loc).and_then(|parsed| operator(parsed, loc.node)).and_then(|op| {
            let operands: Vec<Option<NodeKind>> = named_children(loc.node)
                .into_iter()
                .map(|operand| self.operand(Loc { file: loc.file, node: operand }, depth))
                .collect();
            match operands.as_slice() {
                [operand] => {
                    let operand = Node::new(self.span(loc), operand.clone()?);
                    match op {
                        "!" => node_bool(&operand).map(|value| NodeKind::Bool(!value)),
                        _ => node_number(&operand).map(|value| number(-value)),
                    }
                }
                [lhs, rhs] => binary(op, lhs.clone(), rhs.clone()),
                _ => None,
            }
        });
        match value {
            Some(kind) => Node::new(self.span(loc), kind),
            None => {
                self.unknown(loc, format!("`{}` is an operation on values not known statically", short(self.text(loc))))
            }
        }
    }

    /// The value of one operand when it is a known scalar.
    fn operand(&self, loc: Loc<'m>, depth: usize) -> Option<NodeKind> {
        let value = self.lower(loc, depth + 1);
        scalar(&value.kind).is_some().then_some(value.kind)
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
