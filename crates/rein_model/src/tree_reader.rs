//! Reads a policy document from a syntax-neutral [`Node`] tree and records the grammar facts of
//! IAM001 and IAM002 (duplicate keys, unknown keys, wrong types, missing, conflicting and empty
//! elements). Every frontend goes through this one reader.
//!
//! The grammar is the IAM JSON policy grammar
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>).
//! Keys are case-sensitive.
//!
//! When a single-valued element (`Effect`, `Action`, …) appears twice, the model keeps the last
//! one, as most JSON readers do; the duplicate itself is a `DuplicateKey` issue. Condition
//! operators, condition keys and principal types are lists in the model, so duplicates of those
//! are all kept.
//!
//! Unknown values are never issues and never dropped. A [`NodeKind::Unknown`] element sets the
//! `unknown` field of its model element (`ValueList`, `ConditionEntry`, `ConditionOperator`,
//! `ConditionBlock`) or becomes `PrincipalBody::Unknown`; an unknown item of a list is kept as an
//! item whose value is `Value::Unknown`. A `String` node is a string whatever its value, so a
//! partly known string where an object belongs is still a wrong type.

use std::collections::HashSet;

use rein_text::Span;

use crate::policy::{
    ConditionBlock, ConditionEntry, ConditionOperator, ConditionValue, DocumentOrigin, Key, KindSource, ListForm,
    OperatorName, PolicyDocument, PolicyKind, PrincipalBody, PrincipalElement, PrincipalType, ScalarKind, SpannedValue,
    Statement, SyntaxIssue, SyntaxIssueKind, ValueList,
};
use crate::tree::{MAX_DEPTH, Member, Node, NodeKind, Object};
use crate::value::{Unknown, Value};

const TOP_LEVEL_KEYS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_KEYS: [&str; 9] =
    ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

/// Objects with at most this many members are checked for duplicate keys by comparing pairs,
/// which is faster than hashing for the handful of keys policy objects have.
const SMALL_OBJECT: usize = 16;

/// Reads a policy document from `root`. Never fails: problems are recorded in
/// `PolicyDocument::issues`, sorted by position.
///
/// The tree is consumed so that its strings move into the model; a frontend that needs the tree
/// afterwards (rarely) reads a clone. Compute [`minified_len`](crate::tree::minified_len) first.
///
/// With `kind: None` the kind is inferred from the content (`KindSource::Inferred`).
/// `size` is left `None`: the caller knows the text (see [`crate::tree::minified_len`] for
/// structured sources).
///
/// A root that is not known statically (`NodeKind::Unknown`, or a string that is not fully known)
/// gives a document without statements and without issues.
///
/// A statement that is wholly unknown (`"Statement"` itself unknown, or an unknown item of the
/// statement list, such as a CloudFormation `Fn::If`) is recorded in
/// `PolicyDocument::unknown_statements`, so that it is reported (IAM010) rather than dropped.
pub fn read_policy(root: Node, kind: Option<PolicyKind>, origin: DocumentOrigin) -> PolicyDocument {
    let mut doc = empty_document(root.span, origin);
    let mut reader = Reader { issues: Vec::new(), too_deep_reported: false, unknown_statements: Vec::new() };
    reader.check_duplicate_keys(&root, 1);
    let type_name = root.type_name();
    match root.kind {
        NodeKind::Object(object) => reader.read_document(object, &mut doc),
        NodeKind::Unknown(unknown) => reader.unknown_statements.push((root.span, unknown)),
        NodeKind::String(value @ (Value::Partial(_) | Value::Unknown(_))) => {
            let reason = value.unknown_reasons().first().map_or("not known statically", |r| r).to_owned();
            reader.unknown_statements.push((root.span, Unknown::new(reason)));
        }
        _ => reader.issue(
            SyntaxIssueKind::NotAnObject,
            root.span,
            format!("a policy document must be a JSON object, found {type_name}"),
        ),
    }
    doc.issues = reader.issues;
    doc.unknown_statements = reader.unknown_statements;
    doc.issues.sort_by_key(|issue| issue.span.range.start());
    apply_kind(&mut doc, kind);
    doc
}

/// A document with no elements, spanning `span`.
pub(crate) fn empty_document(span: Span, origin: DocumentOrigin) -> PolicyDocument {
    PolicyDocument::empty(span, origin)
}

impl PolicyDocument {
    /// A document with no elements, spanning `span`, of inferred identity kind.
    pub fn empty(span: Span, origin: DocumentOrigin) -> PolicyDocument {
        PolicyDocument {
            kind: PolicyKind::Identity,
            kind_source: KindSource::Inferred,
            origin,
            span,
            version: None,
            id: None,
            statement_key: None,
            statement_form: ListForm::Array,
            statements: Vec::new(),
            keys: Vec::new(),
            issues: Vec::new(),
            size: None,
            unknown_statements: Vec::new(),
        }
    }
}

/// Sets the declared kind, or infers one from the statements.
pub(crate) fn apply_kind(doc: &mut PolicyDocument, kind: Option<PolicyKind>) {
    match kind {
        Some(kind) => {
            doc.kind = kind;
            doc.kind_source = KindSource::Declared;
        }
        None => {
            doc.kind = infer_kind(&doc.statements);
            doc.kind_source = KindSource::Inferred;
        }
    }
}

/// Guesses the kind of a standalone document.
///
/// Statements with a principal make a resource policy, or a trust policy when every statement
/// only allows the role-assumption actions
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html>).
/// Everything else is read as an identity policy.
/// An action that is not fully known never counts as a role-assumption action.
fn infer_kind(statements: &[Statement]) -> PolicyKind {
    let has_principal =
        |stmt: &Statement| stmt.keys.iter().any(|key| key.name == "Principal" || key.name == "NotPrincipal");
    if !statements.iter().any(has_principal) {
        return PolicyKind::Identity;
    }
    let is_trust_statement = |stmt: &Statement| {
        stmt.not_action.is_none()
            && stmt.action.as_ref().is_some_and(|list| {
                list.unknown.is_none()
                    && !list.items.is_empty()
                    && list.items.iter().all(|item| item.known().is_some_and(is_trust_action))
            })
    };
    if statements.iter().all(is_trust_statement) { PolicyKind::Trust } else { PolicyKind::Resource { service: None } }
}

fn is_trust_action(action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    action.starts_with("sts:assumerole") || action == "sts:tagsession" || action == "sts:setsourceidentity"
}

/// Collects the issues while the document is read.
struct Reader {
    issues: Vec<SyntaxIssue>,
    /// Whether the nesting limit was already reported; once is enough.
    too_deep_reported: bool,
    /// Statements, or statement lists, that are not known statically.
    unknown_statements: Vec<(Span, Unknown)>,
}

impl Reader {
    fn issue(&mut self, kind: SyntaxIssueKind, span: Span, message: String) {
        self.issues.push(SyntaxIssue { kind, span, message });
    }

    /// Reports every key that appears twice in one object, at any depth, at its second occurrence.
    ///
    /// `depth` counts the objects and arrays from the root (1). Containers nested deeper than
    /// [`MAX_DEPTH`] are reported once and not descended into, which bounds the recursion.
    fn check_duplicate_keys(&mut self, node: &Node, depth: usize) {
        let is_container = matches!(node.kind, NodeKind::Object(_) | NodeKind::Array(_));
        if is_container && depth > MAX_DEPTH {
            if !self.too_deep_reported {
                self.too_deep_reported = true;
                self.issue(
                    SyntaxIssueKind::WrongType,
                    node.span,
                    format!("nesting deeper than {MAX_DEPTH} levels: the values inside are not checked"),
                );
            }
            return;
        }
        match &node.kind {
            NodeKind::Object(object) => {
                let members = &object.members;
                if members.len() <= SMALL_OBJECT {
                    for (member_idx, member) in members.iter().enumerate() {
                        let name = member.key.name.as_str();
                        if members.iter().take(member_idx).any(|earlier| earlier.key.name == name) {
                            self.duplicate_key(&member.key);
                        }
                    }
                } else {
                    let mut seen: HashSet<&str> = HashSet::with_capacity(members.len());
                    for member in members {
                        if !seen.insert(member.key.name.as_str()) {
                            self.duplicate_key(&member.key);
                        }
                    }
                }
                for member in members {
                    self.check_duplicate_keys(&member.value, depth + 1);
                }
            }
            NodeKind::Array(items) => {
                for item in items {
                    self.check_duplicate_keys(item, depth + 1);
                }
            }
            NodeKind::String(_) | NodeKind::Number(_) | NodeKind::Bool(_) | NodeKind::Null | NodeKind::Unknown(_) => {}
        }
    }

    fn duplicate_key(&mut self, key: &Key) {
        self.issue(
            SyntaxIssueKind::DuplicateKey,
            key.span,
            format!("duplicate key `{}`: IAM rejects the policy or keeps only one of the values", key.name),
        );
    }

    fn read_document(&mut self, object: Object, doc: &mut PolicyDocument) {
        doc.keys.reserve(object.members.len());
        for Member { key, value } in object.members {
            doc.keys.push(key.clone());
            match key.name.as_str() {
                "Version" => doc.version = self.read_string(&key, value),
                "Id" => doc.id = self.read_string(&key, value),
                "Statement" => {
                    // A duplicate `Statement` replaces the earlier one, as most JSON readers do.
                    doc.statements.clear();
                    doc.statement_form = self.read_statements(&key, value, &mut doc.statements);
                    doc.statement_key = Some(key);
                }
                _ => self.unknown_key(&key, &TOP_LEVEL_KEYS, "at the top level of a policy"),
            }
        }
        if doc.statement_key.is_none() {
            self.issue(SyntaxIssueKind::MissingElement, object.opening, "policy has no `Statement` element".to_owned());
        }
    }

    fn read_statements(&mut self, key: &Key, value: Node, statements: &mut Vec<Statement>) -> ListForm {
        match value.kind {
            NodeKind::Object(object) => {
                statements.push(self.read_statement(object, value.span, 0));
                ListForm::Single
            }
            NodeKind::Array(items) => {
                if items.is_empty() {
                    self.issue(SyntaxIssueKind::EmptyElement, value.span, "`Statement` is an empty list".to_owned());
                }
                statements.reserve(items.len());
                for item in items {
                    let type_name = item.type_name();
                    match item.kind {
                        NodeKind::Object(object) => {
                            let stmt = self.read_statement(object, item.span, statements.len());
                            statements.push(stmt);
                        }
                        NodeKind::Unknown(unknown) => self.unknown_statements.push((item.span, unknown)),
                        _ => self.issue(
                            SyntaxIssueKind::WrongType,
                            item.span,
                            format!("a statement must be an object, found {type_name}"),
                        ),
                    }
                }
                ListForm::Array
            }
            NodeKind::Unknown(unknown) => {
                self.unknown_statements.push((value.span, unknown));
                ListForm::Array
            }
            _ => {
                self.wrong_type(key, &value, "an object or an array of objects");
                ListForm::Array
            }
        }
    }

    fn read_statement(&mut self, object: Object, span: Span, index: usize) -> Statement {
        let mut stmt = Statement {
            index,
            span,
            sid: None,
            effect: None,
            action: None,
            not_action: None,
            resource: None,
            not_resource: None,
            principal: None,
            not_principal: None,
            condition: None,
            keys: Vec::with_capacity(object.members.len()),
        };
        let mut conflicts_reported = [false; 3];
        for Member { key, value } in object.members {
            let pairs = [("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")];
            for ((first, second), reported) in pairs.iter().zip(conflicts_reported.iter_mut()) {
                let partner = if key.name == *first {
                    second
                } else if key.name == *second {
                    first
                } else {
                    continue;
                };
                let earlier = stmt.keys.iter().any(|earlier| earlier.name == *partner);
                if earlier && !*reported {
                    *reported = true;
                    self.issue(
                        SyntaxIssueKind::ConflictingElements,
                        key.span,
                        format!("`{}` cannot be combined with `{partner}` in one statement", key.name),
                    );
                }
            }
            stmt.keys.push(key.clone());
            match key.name.as_str() {
                "Sid" => stmt.sid = self.read_string(&key, value),
                "Effect" => stmt.effect = self.read_string(&key, value),
                "Action" => stmt.action = self.read_value_list(key, value),
                "NotAction" => stmt.not_action = self.read_value_list(key, value),
                "Resource" => stmt.resource = self.read_value_list(key, value),
                "NotResource" => stmt.not_resource = self.read_value_list(key, value),
                "Principal" => stmt.principal = self.read_principal(key, value),
                "NotPrincipal" => stmt.not_principal = self.read_principal(key, value),
                "Condition" => stmt.condition = self.read_condition(key, value),
                _ => self.unknown_key(&key, &STATEMENT_KEYS, "in a statement"),
            }
        }
        let has_key = |name: &str| stmt.keys.iter().any(|key| key.name == name);
        let missing_effect = !has_key("Effect");
        let missing_action = !has_key("Action") && !has_key("NotAction");
        if missing_effect {
            self.issue(SyntaxIssueKind::MissingElement, object.opening, "statement has no `Effect` element".to_owned());
        }
        if missing_action {
            self.issue(
                SyntaxIssueKind::MissingElement,
                object.opening,
                "statement has neither `Action` nor `NotAction`".to_owned(),
            );
        }
        stmt
    }

    fn unknown_key(&mut self, key: &Key, allowed: &[&str], place: &str) {
        let name = key.name.as_str();
        let message = if let Some(known) = allowed.iter().find(|known| known.eq_ignore_ascii_case(name)) {
            format!("unknown key `{name}` {place}: keys are case-sensitive, write `{known}`")
        } else if allowed.len() == TOP_LEVEL_KEYS.len()
            && STATEMENT_KEYS.iter().any(|known| known.eq_ignore_ascii_case(name))
        {
            format!("unknown key `{name}` {place}: statement elements belong inside `Statement`")
        } else if let Some(known) = allowed.iter().find(|known| is_typo_of(known, name)) {
            format!("unknown key `{name}` {place}; did you mean `{known}`?")
        } else {
            let list: Vec<String> = allowed.iter().map(|known| format!("`{known}`")).collect();
            format!("unknown key `{name}` {place}; allowed keys are {}", list.join(", "))
        };
        self.issue(SyntaxIssueKind::UnknownKey, key.span, message);
    }

    fn wrong_type(&mut self, key: &Key, value: &Node, expected: &str) {
        self.issue(
            SyntaxIssueKind::WrongType,
            value.span,
            format!("`{}` must be {expected}, found {}", key.name, value.type_name()),
        );
    }

    fn read_string(&mut self, key: &Key, value: Node) -> Option<SpannedValue> {
        match value.kind {
            NodeKind::String(text) => Some(SpannedValue::new(text, value.span)),
            NodeKind::Unknown(unknown) => Some(SpannedValue::new(Value::Unknown(unknown), value.span)),
            _ => {
                self.wrong_type(key, &value, "a string");
                None
            }
        }
    }

    /// Reads a string-or-list element such as `Action`, or the values of one principal type.
    fn read_value_list(&mut self, key: Key, value: Node) -> Option<ValueList> {
        let span = value.span;
        match value.kind {
            NodeKind::String(text) => Some(ValueList {
                key,
                span,
                form: ListForm::Single,
                items: vec![SpannedValue::new(text, span)],
                unknown: None,
            }),
            NodeKind::Array(elements) => {
                if elements.is_empty() {
                    self.issue(SyntaxIssueKind::EmptyElement, span, format!("`{}` is an empty list", key.name));
                }
                let mut items = Vec::with_capacity(elements.len());
                for element in elements {
                    let type_name = element.type_name();
                    match element.kind {
                        NodeKind::String(text) => items.push(SpannedValue::new(text, element.span)),
                        NodeKind::Unknown(unknown) => {
                            items.push(SpannedValue::new(Value::Unknown(unknown), element.span));
                        }
                        _ => self.issue(
                            SyntaxIssueKind::WrongType,
                            element.span,
                            format!("items of `{}` must be strings, found {type_name}", key.name),
                        ),
                    }
                }
                Some(ValueList { key, span, form: ListForm::Array, items, unknown: None })
            }
            // The list comes from a variable: its form is a guess, its items unknown.
            NodeKind::Unknown(unknown) => {
                Some(ValueList { key, span, form: ListForm::Array, items: Vec::new(), unknown: Some(unknown) })
            }
            _ => {
                self.wrong_type(&key, &value, "a string or an array of strings");
                None
            }
        }
    }

    fn read_principal(&mut self, key: Key, value: Node) -> Option<PrincipalElement> {
        let span = value.span;
        let body = match value.kind {
            NodeKind::String(text) => PrincipalBody::Scalar(SpannedValue::new(text, span)),
            NodeKind::Object(object) => {
                if object.members.is_empty() {
                    self.issue(SyntaxIssueKind::EmptyElement, span, format!("`{}` is an empty object", key.name));
                }
                let mut entries = Vec::with_capacity(object.members.len());
                for Member { key: type_key, value } in object.members {
                    let principal_type = PrincipalType::parse(&type_key.name);
                    if let Some(list) = self.read_value_list(type_key, value) {
                        entries.push((principal_type, list));
                    }
                }
                PrincipalBody::Map(entries)
            }
            NodeKind::Unknown(unknown) => PrincipalBody::Unknown(unknown),
            _ => {
                self.wrong_type(&key, &value, "`\"*\"` or an object of principal types");
                return None;
            }
        };
        Some(PrincipalElement { key, span, body })
    }

    fn read_condition(&mut self, key: Key, value: Node) -> Option<ConditionBlock> {
        let span = value.span;
        let object = match value.kind {
            NodeKind::Object(object) => object,
            NodeKind::Unknown(unknown) => {
                return Some(ConditionBlock { key, span, operators: Vec::new(), unknown: Some(unknown) });
            }
            _ => {
                self.wrong_type(&key, &value, "an object of condition operators");
                return None;
            }
        };
        if object.members.is_empty() {
            self.issue(SyntaxIssueKind::EmptyElement, span, "`Condition` is an empty object".to_owned());
        }
        let mut operators = Vec::with_capacity(object.members.len());
        for Member { key: operator_key, value: block } in object.members {
            let type_name = block.type_name();
            let (entries, unknown) = match block.kind {
                NodeKind::Object(entries) => {
                    if entries.members.is_empty() {
                        self.issue(
                            SyntaxIssueKind::EmptyElement,
                            block.span,
                            format!("condition operator `{}` has no condition keys", operator_key.name),
                        );
                    }
                    (entries.members.into_iter().map(|entry| self.read_condition_entry(entry)).collect(), None)
                }
                NodeKind::Unknown(unknown) => (Vec::new(), Some(unknown)),
                _ => {
                    self.issue(
                        SyntaxIssueKind::WrongType,
                        block.span,
                        format!(
                            "condition operator `{}` must map condition keys to values, found {type_name}",
                            operator_key.name,
                        ),
                    );
                    continue;
                }
            };
            operators.push(ConditionOperator {
                name: OperatorName::parse(&operator_key.name),
                key: operator_key,
                span: block.span,
                entries,
                unknown,
            });
        }
        Some(ConditionBlock { key, span, operators, unknown: None })
    }

    fn read_condition_entry(&mut self, member: Member) -> ConditionEntry {
        let Member { key, value } = member;
        let span = value.span;
        let (form, values, unknown) = match value.kind {
            NodeKind::Array(elements) => {
                if elements.is_empty() {
                    self.issue(
                        SyntaxIssueKind::EmptyElement,
                        span,
                        format!("condition key `{}` has an empty list of values", key.name),
                    );
                }
                let values = elements.into_iter().map(|element| self.read_condition_value(&key, element)).collect();
                (ListForm::Array, values, None)
            }
            // The values come from a variable: the form is a guess, the values unknown.
            NodeKind::Unknown(unknown) => (ListForm::Array, Vec::new(), Some(unknown)),
            kind => (ListForm::Single, vec![self.read_condition_value(&key, Node::new(span, kind))], None),
        };
        ConditionEntry { key, span, form, values, unknown }
    }

    /// Reads one condition value; arrays and objects are kept as `Compound` with a short stand-in
    /// text. A value of unknown type is read as a string whose text is unknown.
    fn read_condition_value(&mut self, key: &Key, value: Node) -> ConditionValue {
        let span = value.span;
        let (kind, text) = match value.kind {
            NodeKind::String(text) => (ScalarKind::String, text),
            NodeKind::Number(number) => (ScalarKind::Number, Value::Known(number)),
            NodeKind::Bool(boolean) => (ScalarKind::Bool, Value::known(boolean.to_string())),
            NodeKind::Null => (ScalarKind::Null, Value::known("null")),
            NodeKind::Unknown(unknown) => (ScalarKind::String, Value::Unknown(unknown)),
            NodeKind::Array(_) | NodeKind::Object(_) => {
                self.issue(
                    SyntaxIssueKind::WrongType,
                    span,
                    format!(
                        "values of condition key `{}` must be strings, numbers or booleans, found {}",
                        key.name,
                        value.type_name()
                    ),
                );
                (ScalarKind::Compound, Value::known(compound_text(&value)))
            }
        };
        ConditionValue { kind, value: SpannedValue::new(text, span) }
    }
}

/// A short stand-in text for an array or object met where a scalar belongs.
fn compound_text(value: &Node) -> &'static str {
    match &value.kind {
        NodeKind::Array(items) if items.is_empty() => "[]",
        NodeKind::Array(_) => "[…]",
        NodeKind::Object(object) if object.members.is_empty() => "{}",
        _ => "{…}",
    }
}

/// Whether `name` is a likely misspelling of `known`: one edit for short keys, two for longer ones.
fn is_typo_of(known: &str, name: &str) -> bool {
    let allowed_edits = if known.len() <= 5 { 1 } else { 2 };
    edit_distance(known, name) <= allowed_edits
}

/// The Levenshtein distance of two short keys, for "did you mean" hints.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    if right.len() > 40 {
        return usize::MAX;
    }
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (left_idx, left_char) in left.chars().enumerate() {
        let mut current = Vec::with_capacity(right.len() + 1);
        current.push(left_idx + 1);
        for (right_idx, right_char) in right.iter().enumerate() {
            let substitution = previous
                .get(right_idx)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(usize::from(left_char != *right_char));
            let deletion = previous.get(right_idx + 1).copied().unwrap_or(usize::MAX).saturating_add(1);
            let insertion = current.last().copied().unwrap_or(usize::MAX).saturating_add(1);
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests;
