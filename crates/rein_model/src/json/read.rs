//! Turns a `jsonc-parser` AST into the policy model and records the grammar facts of IAM001 and
//! IAM002 (duplicate keys, unknown keys, wrong types, missing, conflicting and empty elements).
//!
//! The grammar is the IAM JSON policy grammar
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>).
//! Keys are case-sensitive.
//!
//! When a single-valued element (`Effect`, `Action`, …) appears twice, the model keeps the last
//! one, as most JSON readers do; the duplicate itself is a `DuplicateKey` issue. Condition
//! operators, condition keys and principal types are lists in the model, so duplicates of those
//! are all kept.

use std::collections::HashSet;

use jsonc_parser::ast::{Array, Object, ObjectProp, ObjectPropName, Value as JsonValue};
use jsonc_parser::common::Ranged;
use rein_text::Span;

use crate::policy::{
    ConditionBlock, ConditionEntry, ConditionOperator, ConditionValue, Key, ListForm, OperatorName, PrincipalBody,
    PrincipalElement, PrincipalType, ScalarKind, SpannedValue, Statement, SyntaxIssue, SyntaxIssueKind, ValueList,
};
use crate::span_map::SpanMap;
use crate::value::Value;

const TOP_LEVEL_KEYS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_KEYS: [&str; 9] =
    ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

/// The top-level parts of a document read from its object.
pub(super) struct DocumentParts {
    pub version: Option<SpannedValue>,
    pub id: Option<SpannedValue>,
    pub statement_key: Option<Key>,
    pub statement_form: ListForm,
    pub statements: Vec<Statement>,
    pub keys: Vec<Key>,
}

/// Reads AST nodes whose ranges are offsets into the parsed text, `base` bytes into the decoded text.
pub(super) struct Reader<'m> {
    pub map: &'m SpanMap,
    pub base: usize,
    pub issues: Vec<SyntaxIssue>,
}

impl Reader<'_> {
    pub fn span<T: Ranged + ?Sized>(&self, range: &T) -> Span {
        let range = range.range();
        self.map.span_of(self.base + range.start, self.base + range.end)
    }

    /// The span of the first byte of a node, for issues about an object as a whole.
    fn opening_span<T: Ranged + ?Sized>(&self, range: &T) -> Span {
        let start = range.range().start;
        self.map.span_of(self.base + start, self.base + start + 1)
    }

    fn issue(&mut self, kind: SyntaxIssueKind, span: Span, message: String) {
        self.issues.push(SyntaxIssue { kind, span, message });
    }

    fn key(&self, prop: &ObjectProp<'_>) -> Key {
        Key { name: prop.name.as_str().to_owned(), span: self.span(&prop_name_range(&prop.name)) }
    }

    /// Reports every key that appears twice in one object, at any depth, at its second occurrence.
    pub fn check_duplicate_keys(&mut self, value: &JsonValue<'_>) {
        // The scan limits nesting, so recursion is bounded.
        match value {
            JsonValue::Object(object) => {
                let mut seen: HashSet<&str> = HashSet::with_capacity(object.properties.len());
                for prop in &object.properties {
                    let name = prop.name.as_str();
                    if !seen.insert(name) {
                        let span = self.span(&prop_name_range(&prop.name));
                        self.issue(
                            SyntaxIssueKind::DuplicateKey,
                            span,
                            format!("duplicate key `{name}`: IAM rejects the policy or keeps only one of the values"),
                        );
                    }
                    self.check_duplicate_keys(&prop.value);
                }
            }
            JsonValue::Array(array) => {
                for element in &array.elements {
                    self.check_duplicate_keys(element);
                }
            }
            JsonValue::StringLit(_)
            | JsonValue::NumberLit(_)
            | JsonValue::BooleanLit(_)
            | JsonValue::NullKeyword(_) => {}
        }
    }

    pub fn read_document(&mut self, object: &Object<'_>) -> DocumentParts {
        let mut parts = DocumentParts {
            version: None,
            id: None,
            statement_key: None,
            statement_form: ListForm::Array,
            statements: Vec::new(),
            keys: Vec::new(),
        };
        for prop in &object.properties {
            let key = self.key(prop);
            parts.keys.push(key.clone());
            match key.name.as_str() {
                "Version" => parts.version = self.read_string(&key, &prop.value),
                "Id" => parts.id = self.read_string(&key, &prop.value),
                "Statement" => {
                    // A duplicate `Statement` replaces the earlier one, as most JSON readers do.
                    parts.statements.clear();
                    parts.statement_form = self.read_statements(&key, &prop.value, &mut parts.statements);
                    parts.statement_key = Some(key);
                }
                _ => self.unknown_key(&key, &TOP_LEVEL_KEYS, "at the top level of a policy"),
            }
        }
        if parts.statement_key.is_none() {
            let span = self.opening_span(object);
            self.issue(SyntaxIssueKind::MissingElement, span, "policy has no `Statement` element".to_owned());
        }
        parts
    }

    fn read_statements(&mut self, key: &Key, value: &JsonValue<'_>, statements: &mut Vec<Statement>) -> ListForm {
        match value {
            JsonValue::Object(object) => {
                statements.push(self.read_statement(object, 0));
                ListForm::Single
            }
            JsonValue::Array(array) => {
                if array.elements.is_empty() {
                    let span = self.span(array);
                    self.issue(SyntaxIssueKind::EmptyElement, span, "`Statement` is an empty list".to_owned());
                }
                for element in &array.elements {
                    match element {
                        JsonValue::Object(object) => {
                            let stmt = self.read_statement(object, statements.len());
                            statements.push(stmt);
                        }
                        other => {
                            let span = self.span(other);
                            self.issue(
                                SyntaxIssueKind::WrongType,
                                span,
                                format!("a statement must be an object, found {}", type_name(other)),
                            );
                        }
                    }
                }
                ListForm::Array
            }
            other => {
                self.wrong_type(key, other, "an object or an array of objects");
                ListForm::Array
            }
        }
    }

    fn read_statement(&mut self, object: &Object<'_>, index: usize) -> Statement {
        let mut stmt = Statement {
            index,
            span: self.span(object),
            sid: None,
            effect: None,
            action: None,
            not_action: None,
            resource: None,
            not_resource: None,
            principal: None,
            not_principal: None,
            condition: None,
            keys: Vec::new(),
        };
        let mut conflicts_reported = [false; 3];
        for prop in &object.properties {
            let key = self.key(prop);
            stmt.keys.push(key.clone());
            let value = &prop.value;
            match key.name.as_str() {
                "Sid" => stmt.sid = self.read_string(&key, value),
                "Effect" => stmt.effect = self.read_string(&key, value),
                "Action" => stmt.action = self.read_value_list(&key, value),
                "NotAction" => stmt.not_action = self.read_value_list(&key, value),
                "Resource" => stmt.resource = self.read_value_list(&key, value),
                "NotResource" => stmt.not_resource = self.read_value_list(&key, value),
                "Principal" => stmt.principal = self.read_principal(&key, value),
                "NotPrincipal" => stmt.not_principal = self.read_principal(&key, value),
                "Condition" => stmt.condition = self.read_condition(&key, value),
                _ => self.unknown_key(&key, &STATEMENT_KEYS, "in a statement"),
            }
            let pairs = [("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")];
            for ((first, second), reported) in pairs.iter().zip(conflicts_reported.iter_mut()) {
                let partner = if key.name == *first {
                    second
                } else if key.name == *second {
                    first
                } else {
                    continue;
                };
                // `stmt.keys` already holds this key, so look only at the earlier ones.
                let earlier = stmt.keys.iter().rev().skip(1).any(|earlier| earlier.name == *partner);
                if earlier && !*reported {
                    *reported = true;
                    self.issue(
                        SyntaxIssueKind::ConflictingElements,
                        key.span,
                        format!("`{}` cannot be combined with `{partner}` in one statement", key.name),
                    );
                }
            }
        }
        let has_key = |name: &str| stmt.keys.iter().any(|key| key.name == name);
        let missing_effect = !has_key("Effect");
        let missing_action = !has_key("Action") && !has_key("NotAction");
        let opening = self.opening_span(object);
        if missing_effect {
            self.issue(SyntaxIssueKind::MissingElement, opening, "statement has no `Effect` element".to_owned());
        }
        if missing_action {
            self.issue(
                SyntaxIssueKind::MissingElement,
                opening,
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

    fn wrong_type(&mut self, key: &Key, value: &JsonValue<'_>, expected: &str) {
        let span = self.span(value);
        self.issue(
            SyntaxIssueKind::WrongType,
            span,
            format!("`{}` must be {expected}, found {}", key.name, type_name(value)),
        );
    }

    fn read_string(&mut self, key: &Key, value: &JsonValue<'_>) -> Option<SpannedValue> {
        match value {
            JsonValue::StringLit(lit) => Some(SpannedValue::new(Value::known(lit.value.as_ref()), self.span(lit))),
            other => {
                self.wrong_type(key, other, "a string");
                None
            }
        }
    }

    /// Reads a string-or-list element such as `Action`, or the values of one principal type.
    fn read_value_list(&mut self, key: &Key, value: &JsonValue<'_>) -> Option<ValueList> {
        let span = self.span(value);
        match value {
            JsonValue::StringLit(lit) => Some(ValueList {
                key: key.clone(),
                span,
                form: ListForm::Single,
                items: vec![SpannedValue::new(Value::known(lit.value.as_ref()), span)],
                unknown: None,
            }),
            JsonValue::Array(array) => {
                if array.elements.is_empty() {
                    self.issue(SyntaxIssueKind::EmptyElement, span, format!("`{}` is an empty list", key.name));
                }
                let mut items = Vec::with_capacity(array.elements.len());
                for element in &array.elements {
                    match element {
                        JsonValue::StringLit(lit) => {
                            items.push(SpannedValue::new(Value::known(lit.value.as_ref()), self.span(lit)));
                        }
                        other => {
                            let item_span = self.span(other);
                            self.issue(
                                SyntaxIssueKind::WrongType,
                                item_span,
                                format!("items of `{}` must be strings, found {}", key.name, type_name(other)),
                            );
                        }
                    }
                }
                Some(ValueList { key: key.clone(), span, form: ListForm::Array, items, unknown: None })
            }
            other => {
                self.wrong_type(key, other, "a string or an array of strings");
                None
            }
        }
    }

    fn read_principal(&mut self, key: &Key, value: &JsonValue<'_>) -> Option<PrincipalElement> {
        let span = self.span(value);
        let body = match value {
            JsonValue::StringLit(lit) => {
                PrincipalBody::Scalar(SpannedValue::new(Value::known(lit.value.as_ref()), span))
            }
            JsonValue::Object(object) => {
                if object.properties.is_empty() {
                    self.issue(SyntaxIssueKind::EmptyElement, span, format!("`{}` is an empty object", key.name));
                }
                let mut entries = Vec::with_capacity(object.properties.len());
                for prop in &object.properties {
                    let type_key = self.key(prop);
                    if let Some(list) = self.read_value_list(&type_key, &prop.value) {
                        entries.push((PrincipalType::parse(&type_key.name), list));
                    }
                }
                PrincipalBody::Map(entries)
            }
            other => {
                self.wrong_type(key, other, "`\"*\"` or an object of principal types");
                return None;
            }
        };
        Some(PrincipalElement { key: key.clone(), span, body })
    }

    fn read_condition(&mut self, key: &Key, value: &JsonValue<'_>) -> Option<ConditionBlock> {
        let JsonValue::Object(object) = value else {
            self.wrong_type(key, value, "an object of condition operators");
            return None;
        };
        let span = self.span(object);
        if object.properties.is_empty() {
            self.issue(SyntaxIssueKind::EmptyElement, span, "`Condition` is an empty object".to_owned());
        }
        let mut operators = Vec::with_capacity(object.properties.len());
        for prop in &object.properties {
            let operator_key = self.key(prop);
            let JsonValue::Object(block) = &prop.value else {
                let value_span = self.span(&prop.value);
                self.issue(
                    SyntaxIssueKind::WrongType,
                    value_span,
                    format!(
                        "condition operator `{}` must map condition keys to values, found {}",
                        operator_key.name,
                        type_name(&prop.value)
                    ),
                );
                continue;
            };
            let block_span = self.span(block);
            if block.properties.is_empty() {
                self.issue(
                    SyntaxIssueKind::EmptyElement,
                    block_span,
                    format!("condition operator `{}` has no condition keys", operator_key.name),
                );
            }
            let entries = block.properties.iter().map(|entry| self.read_condition_entry(entry)).collect();
            operators.push(ConditionOperator {
                name: OperatorName::parse(&operator_key.name),
                key: operator_key,
                span: block_span,
                entries,
            });
        }
        Some(ConditionBlock { key: key.clone(), span, operators })
    }

    fn read_condition_entry(&mut self, prop: &ObjectProp<'_>) -> ConditionEntry {
        let key = self.key(prop);
        let span = self.span(&prop.value);
        let (form, values) = match &prop.value {
            JsonValue::Array(array) => {
                if array.elements.is_empty() {
                    self.issue(
                        SyntaxIssueKind::EmptyElement,
                        span,
                        format!("condition key `{}` has an empty list of values", key.name),
                    );
                }
                let values = array.elements.iter().map(|element| self.read_condition_value(&key, element)).collect();
                (ListForm::Array, values)
            }
            scalar => (ListForm::Single, vec![self.read_condition_value(&key, scalar)]),
        };
        ConditionEntry { key, span, form, values, unknown: None }
    }

    /// Reads one condition value; arrays and objects are kept as `Compound` with their source text.
    fn read_condition_value(&mut self, key: &Key, value: &JsonValue<'_>) -> ConditionValue {
        let span = self.span(value);
        let (kind, text) = match value {
            JsonValue::StringLit(lit) => (ScalarKind::String, lit.value.to_string()),
            JsonValue::NumberLit(number) => (ScalarKind::Number, number.value.to_owned()),
            JsonValue::BooleanLit(boolean) => (ScalarKind::Bool, boolean.value.to_string()),
            JsonValue::NullKeyword(_) => (ScalarKind::Null, "null".to_owned()),
            JsonValue::Array(_) | JsonValue::Object(_) => {
                self.issue(
                    SyntaxIssueKind::WrongType,
                    span,
                    format!(
                        "values of condition key `{}` must be strings, numbers or booleans, found {}",
                        key.name,
                        type_name(value)
                    ),
                );
                (ScalarKind::Compound, compound_text(value))
            }
        };
        ConditionValue { kind, value: SpannedValue::new(Value::Known(text), span) }
    }
}

fn prop_name_range(name: &ObjectPropName<'_>) -> jsonc_parser::common::Range {
    match name {
        ObjectPropName::String(lit) => lit.range,
        ObjectPropName::Word(word) => word.range,
    }
}

/// A short stand-in text for an array or object met where a scalar belongs.
fn compound_text(value: &JsonValue<'_>) -> String {
    match value {
        JsonValue::Array(Array { elements, .. }) if elements.is_empty() => "[]".to_owned(),
        JsonValue::Array(_) => "[…]".to_owned(),
        JsonValue::Object(Object { properties, .. }) if properties.is_empty() => "{}".to_owned(),
        _ => "{…}".to_owned(),
    }
}

/// The JSON type of a value with its article, for messages.
pub(super) fn type_name(value: &JsonValue<'_>) -> &'static str {
    match value {
        JsonValue::StringLit(_) => "a string",
        JsonValue::NumberLit(_) => "a number",
        JsonValue::BooleanLit(_) => "a boolean",
        JsonValue::NullKeyword(_) => "null",
        JsonValue::Object(_) => "an object",
        JsonValue::Array(_) => "an array",
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
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_single_changes() {
        assert_eq!(edit_distance("Action", "Actions"), 1);
        assert_eq!(edit_distance("Resource", "Resorce"), 1);
        assert_eq!(edit_distance("Effect", "Efect"), 1);
        assert_eq!(edit_distance("Sid", "Condition"), 8);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
