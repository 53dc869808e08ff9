//! What is under the cursor, read from the model's spans, so that hover and completion work
//! the same in JSON, Terraform and CloudFormation: the action, resource or condition string,
//! or the condition operator, and the statement around it.

use rein_model::{ConditionOperator, Key, PolicyDocument, SpannedValue, Statement};
use rein_text::{FileId, TextRange, TextSize};

#[derive(Clone, Copy, Debug)]
pub enum Element<'a> {
    Action(&'a SpannedValue),
    Resource(&'a SpannedValue),
    ConditionOperator(&'a ConditionOperator),
    ConditionKey(&'a Key),
}

impl Element<'_> {
    fn range(&self) -> TextRange {
        match self {
            Element::Action(value) | Element::Resource(value) => value.span.range,
            Element::ConditionOperator(operator) => operator.key.span.range,
            Element::ConditionKey(key) => key.span.range,
        }
    }
}

/// Whether `offset` is inside `range` or touches its end (a cursor right after the text).
pub fn touches(range: TextRange, offset: TextSize) -> bool {
    range.start() <= offset && offset <= range.end()
}

/// The statements of `file` whose span holds `offset`, innermost last.
pub fn statement_at(documents: &[PolicyDocument], file: FileId, offset: TextSize) -> Option<&Statement> {
    documents
        .iter()
        .filter(|doc| doc.span.file == file)
        .flat_map(|doc| doc.statements.iter())
        .filter(|stmt| stmt.span.file == file && touches(stmt.span.range, offset))
        .min_by_key(|stmt| stmt.span.range.len())
}

/// The narrowest element at `offset`, with its statement.
pub fn element_at(documents: &[PolicyDocument], file: FileId, offset: TextSize) -> Option<(Element<'_>, &Statement)> {
    let stmt = statement_at(documents, file, offset)?;
    let mut candidates: Vec<Element<'_>> = Vec::new();
    for list in [&stmt.action, &stmt.not_action].into_iter().flatten() {
        candidates.extend(list.items.iter().map(Element::Action));
    }
    for list in [&stmt.resource, &stmt.not_resource].into_iter().flatten() {
        candidates.extend(list.items.iter().map(Element::Resource));
    }
    if let Some(block) = &stmt.condition {
        for operator in &block.operators {
            candidates.push(Element::ConditionOperator(operator));
            candidates.extend(operator.entries.iter().map(|entry| Element::ConditionKey(&entry.key)));
        }
    }
    candidates
        .into_iter()
        .filter(|element| touches(element.range(), offset) && !element.range().is_empty())
        .min_by_key(|element| element.range().len())
        .map(|element| (element, stmt))
}

/// The actions a statement grants or denies by name (`Action` items, as written; `NotAction`
/// names what the statement does not cover, so it gives none).
pub fn statement_actions(stmt: &Statement) -> Vec<&str> {
    stmt.action.iter().flat_map(|list| list.items.iter()).filter_map(|item| item.known()).collect()
}
