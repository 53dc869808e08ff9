//! Fixes as edits of the model, which the frontend that owns the text renders in its syntax.

use rein_text::{Span, TextEdit};

use crate::policy::Statement;

/// A change to a policy document, named by the spans of the model nodes it touches.
///
/// Rules emit these; they never build text edits themselves. The frontend that owns the file
/// renders each one (quoting, HCL vs JSON vs YAML style) or declines when it cannot.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PolicyEdit {
    /// Replace a scalar with a string value.
    ReplaceString { target: Span, value: String },
    /// Replace a scalar or list with a list of strings.
    ReplaceWithList { target: Span, values: Vec<String> },
    /// Remove one member (key and value) of an object, with its separator.
    RemoveMember { key: Span, value: Span },
    /// Remove one item of a list, with its separator.
    RemoveItem { item: Span },
    /// Replace characters inside a string literal (`target` lies within the literal's content)
    /// with `value`, given decoded; the renderer escapes it for its syntax.
    ReplaceInString { target: Span, value: String },
    /// Insert a member with a string value as the first member of the object at `object`.
    InsertMember { object: Span, key: String, value: String },
    /// Replace a number or boolean (or a string standing for one) with a literal that every
    /// syntax writes alike: `14`, `true`. For settings of IaC entities, such as a password
    /// policy's minimum length.
    ReplaceLiteral { target: Span, literal: String },
    /// Append a member after the last member of the object at `object`, in the object's own
    /// layout. The value may be a string, a list of strings or an object of such values.
    AppendMember { object: Span, key: String, value: EditValue },
    /// Add the condition `operator: {key: values, …}` to a statement: into the existing operator
    /// block when there is one, else into the existing `Condition`, else as a new `Condition`.
    /// Build it with [`PolicyEdit::insert_condition`], which finds the blocks in the model.
    InsertCondition(ConditionInsert),
    /// Insert a statement, given as its members in order, just after the statement at `after`
    /// in the statement list that holds it. Declined when `Statement` is a single object.
    InsertStatement { after: Span, statement: Vec<(String, EditValue)> },
    /// Insert attributes, in order, at the end of the body of the IaC entity whose whole
    /// definition is `entity` ([`Entity::extent`](crate::Entity::extent)): arguments of a
    /// Terraform block (a resource, an output), properties under a CloudFormation resource's
    /// `Properties` (which the renderer creates when it is absent). Names are the model's
    /// attribute names ([`Entity::attribute`](crate::Entity::attribute)); the renderer writes
    /// each as its syntax names it (`permissions_boundary`, `PermissionsBoundary`) and declines
    /// a name it does not know for the entity's type, or one that the body already sets.
    /// Several attributes of one entity go into one edit, so that they share one layout.
    InsertAttributes { entity: Span, attributes: Vec<(String, AttributeValue)> },
    /// Add new entities to the configuration, in order; those bound for one file make one edit.
    /// Policy JSON and read-only syntaxes decline it.
    GenerateEntities(Vec<NewEntity>),
    /// Replace the whole definition of the IaC entity at `entity` ([`Entity::extent`](crate::Entity::extent))
    /// with the entities of `with`, written in its place in the same order (their `near` and
    /// `anchor` are not used), then the Terraform `state` blocks that carry the state over to
    /// them. With nothing to write, the entity is removed with its leading comments and the blank
    /// line before it. Templates render a removal only; a renderer declines what it cannot write.
    ReplaceEntity { entity: Span, with: Vec<NewEntity>, state: Vec<StateBlock> },
}

/// A Terraform block that tells the next plan what became of a resource instead of destroying
/// and creating it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StateBlock {
    /// `moved { from = … to = … }`: the same resource under a new address of the same type.
    Moved { from: String, to: String },
    /// `removed { from = … lifecycle { destroy = false } }`: the resource leaves the
    /// configuration and the state, and stays in the account.
    Removed { from: String },
    /// `import { to = … id = "…" }`: a resource of the account that a new block takes over;
    /// `id` is the import id as written (a known string).
    Import { to: String, id: String },
}

/// A value of an IaC entity's attribute that an entity edit writes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AttributeValue {
    /// A string, a number or boolean ([`EditValue::Literal`]), a list of strings, or a map.
    Value(EditValue),
    /// A nested block in Terraform (`source { owner = "AWS" }`), a mapping in CloudFormation.
    Block(Vec<(String, AttributeValue)>),
    /// A JSON document: `jsonencode({…})` in Terraform, a mapping in CloudFormation.
    Json(EditValue),
    /// An attribute of another entity: `aws_organizations_policy.guardrails.id` in Terraform
    /// (`entity` is the address, `attribute` the rest of the traversal, such as `roots[0].id`).
    /// Templates decline it.
    Reference { entity: String, attribute: String },
    /// A list of values that are not all strings, such as references:
    /// `[aws_sns_topic.alarms.arn]`.
    List(Vec<AttributeValue>),
    /// The one-line expression written at `from` in the configuration, copied as it is written
    /// (`aws_iam_policy.p.arn`, `var.user`): the value of the entity a fix rewrites. Renderers of
    /// another file than the span's decline it.
    Copy { from: Span },
}

impl AttributeValue {
    pub fn string(value: impl Into<String>) -> AttributeValue {
        AttributeValue::Value(EditValue::String(value.into()))
    }

    /// A number or boolean: `14`, `true`.
    pub fn literal(value: impl ToString) -> AttributeValue {
        AttributeValue::Value(EditValue::Literal(value.to_string()))
    }

    pub fn strings(values: impl IntoIterator<Item = impl Into<String>>) -> AttributeValue {
        AttributeValue::Value(EditValue::List(values.into_iter().map(Into::into).collect()))
    }

    pub fn block(members: impl IntoIterator<Item = (impl Into<String>, AttributeValue)>) -> AttributeValue {
        AttributeValue::Block(members.into_iter().map(|(key, value)| (key.into(), value)).collect())
    }

    /// The value as a mapping-shaped syntax (CloudFormation) writes it; `None` for a reference.
    pub fn to_edit_value(&self) -> Option<EditValue> {
        match self {
            AttributeValue::Value(value) | AttributeValue::Json(value) => Some(value.clone()),
            AttributeValue::Block(members) => Some(EditValue::Object(
                members
                    .iter()
                    .map(|(key, value)| Some((key.clone(), value.to_edit_value()?)))
                    .collect::<Option<_>>()?,
            )),
            AttributeValue::Reference { .. } | AttributeValue::Copy { .. } => None,
            AttributeValue::List(items) => Some(EditValue::List(
                items
                    .iter()
                    .map(|item| match item.to_edit_value()? {
                        EditValue::String(text) => Some(text),
                        _ => None,
                    })
                    .collect::<Option<_>>()?,
            )),
        }
    }
}

/// An entity that [`PolicyEdit::GenerateEntities`] adds, with its names as the target syntax
/// writes them: a Terraform resource (`aws_accessanalyzer_analyzer`, arguments and nested
/// blocks), or a CloudFormation resource (`AWS::AccessAnalyzer::Analyzer`, its `Properties`).
/// A renderer declines a type of the other language.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NewEntity {
    /// Where it goes: into the file of this span. A rule names an entity the new one belongs
    /// with, or the unit's anchor; for the anchor the Terraform renderer prefers the `main.tf`
    /// of the anchor's directory.
    pub near: Span,
    /// Whether `near` is the unit's anchor rather than a related entity.
    pub anchor: bool,
    /// A Terraform data source (`data "aws_iam_policy_document" "x" { … }`) rather than a
    /// resource; templates decline it.
    pub data_source: bool,
    pub resource_type: String,
    /// The Terraform resource name or the CloudFormation logical id.
    pub name: String,
    /// Arguments (Terraform) or properties (CloudFormation), in the order they are written.
    pub attributes: Vec<(String, AttributeValue)>,
}

impl NewEntity {
    /// Whether the type is a CloudFormation one (`AWS::…`) rather than a Terraform one.
    pub fn is_cloudformation(&self) -> bool {
        self.resource_type.contains("::")
    }
}

/// A value that an insertion writes: enough of the policy grammar for conditions and principals.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EditValue {
    String(String),
    /// A number or boolean, written as is in every syntax: `14`, `true`.
    Literal(String),
    List(Vec<String>),
    /// Members in the order they are written.
    Object(Vec<(String, EditValue)>),
}

impl EditValue {
    /// A string for one value, a list for several, as policies are usually written.
    pub fn strings(values: &[String]) -> EditValue {
        match values {
            [one] => EditValue::String(one.clone()),
            many => EditValue::List(many.to_vec()),
        }
    }

    pub fn object(members: impl IntoIterator<Item = (impl Into<String>, EditValue)>) -> EditValue {
        EditValue::Object(members.into_iter().map(|(key, value)| (key.into(), value)).collect())
    }
}

/// The parts of [`PolicyEdit::InsertCondition`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionInsert {
    /// The statement (an object, or a `statement` block of `aws_iam_policy_document`).
    pub statement: Span,
    /// The value of the statement's `Condition`, when it has one that is known.
    pub condition: Option<Span>,
    /// The block of condition keys of the same operator, when the statement has one.
    pub operator_block: Option<Span>,
    pub operator: String,
    /// The condition keys and their values, in the order they are written.
    pub entries: Vec<(String, Vec<String>)>,
}

impl ConditionInsert {
    /// The condition as members appended to one object: the keys to the operator block, the
    /// operator to the `Condition` value, or `Condition` to the statement. Renderers of
    /// object-shaped syntaxes (JSON, `jsonencode`, YAML) write it so.
    pub fn as_members(&self) -> (Span, Vec<(String, EditValue)>) {
        let entries: Vec<(String, EditValue)> =
            self.entries.iter().map(|(key, values)| (key.clone(), EditValue::strings(values))).collect();
        if let Some(block) = self.operator_block {
            return (block, entries);
        }
        let operator = (self.operator.clone(), EditValue::Object(entries));
        match self.condition {
            Some(condition) => (condition, vec![operator]),
            None => (self.statement, vec![("Condition".to_owned(), EditValue::Object(vec![operator]))]),
        }
    }
}

impl PolicyEdit {
    /// Inserts one attribute into the body of the entity at `entity` (its extent).
    pub fn insert_attribute(entity: Span, name: impl Into<String>, value: AttributeValue) -> PolicyEdit {
        PolicyEdit::InsertAttributes { entity, attributes: vec![(name.into(), value)] }
    }

    /// Adds `operator: {key: values}` to the statement's condition, merging into what exists.
    ///
    /// `None` when the operator's block already names `key` (a second entry would be a duplicate
    /// key, and a second block of the operator too), and when the `Condition` or the operator's
    /// block is not known statically.
    pub fn insert_condition(stmt: &Statement, operator: &str, key: &str, values: &[String]) -> Option<PolicyEdit> {
        PolicyEdit::insert_conditions(stmt, operator, vec![(key.to_owned(), values.to_vec())])
    }

    /// Adds several keys under one operator, as [`PolicyEdit::insert_condition`] adds one.
    pub fn insert_conditions(
        stmt: &Statement,
        operator: &str,
        entries: Vec<(String, Vec<String>)>,
    ) -> Option<PolicyEdit> {
        // A `Condition` that is not known statically (a variable) cannot take another key, and
        // a second `Condition` next to it would be a duplicate.
        if stmt.condition.as_ref().is_some_and(|block| block.unknown.is_some()) {
            return None;
        }
        let block = stmt.condition.as_ref();
        let same_operator = block.and_then(|block| block.operators.iter().find(|op| op.key.name == operator));
        let operator_block = match same_operator {
            Some(op) if op.unknown.is_some() => return None,
            Some(op) => {
                let names_key = op
                    .entries
                    .iter()
                    .any(|entry| entries.iter().any(|(key, _)| entry.key.name.eq_ignore_ascii_case(key)));
                if names_key {
                    return None;
                }
                Some(op.span)
            }
            None => None,
        };
        Some(PolicyEdit::InsertCondition(ConditionInsert {
            statement: stmt.span,
            condition: block.map(|block| block.span),
            operator_block,
            operator: operator.to_owned(),
            entries,
        }))
    }

    /// The spans of the model nodes the edit names.
    pub fn spans(&self) -> Vec<Span> {
        match self {
            PolicyEdit::ReplaceString { target, .. }
            | PolicyEdit::ReplaceWithList { target, .. }
            | PolicyEdit::ReplaceInString { target, .. }
            | PolicyEdit::ReplaceLiteral { target, .. } => vec![*target],
            PolicyEdit::RemoveMember { key, value } => vec![*key, *value],
            PolicyEdit::RemoveItem { item } => vec![*item],
            PolicyEdit::InsertMember { object, .. } | PolicyEdit::AppendMember { object, .. } => vec![*object],
            PolicyEdit::InsertStatement { after, .. } => vec![*after],
            PolicyEdit::InsertAttributes { entity, .. } => vec![*entity],
            PolicyEdit::GenerateEntities(entities) => entities.iter().map(|entity| entity.near).collect(),
            PolicyEdit::ReplaceEntity { entity, .. } => vec![*entity],
            PolicyEdit::InsertCondition(insert) => {
                [Some(insert.statement), insert.condition, insert.operator_block].into_iter().flatten().collect()
            }
        }
    }

    /// The same edit with every span mapped through `map`, or `None` when a span does not map.
    /// Renderers of embedded documents use it to move an edit onto the decoded text.
    pub fn map_spans(&self, map: impl Fn(Span) -> Option<Span>) -> Option<PolicyEdit> {
        Some(match self {
            PolicyEdit::ReplaceString { target, value } => {
                PolicyEdit::ReplaceString { target: map(*target)?, value: value.clone() }
            }
            PolicyEdit::ReplaceWithList { target, values } => {
                PolicyEdit::ReplaceWithList { target: map(*target)?, values: values.clone() }
            }
            PolicyEdit::ReplaceInString { target, value } => {
                PolicyEdit::ReplaceInString { target: map(*target)?, value: value.clone() }
            }
            PolicyEdit::RemoveMember { key, value } => {
                PolicyEdit::RemoveMember { key: map(*key)?, value: map(*value)? }
            }
            PolicyEdit::RemoveItem { item } => PolicyEdit::RemoveItem { item: map(*item)? },
            PolicyEdit::ReplaceLiteral { target, literal } => {
                PolicyEdit::ReplaceLiteral { target: map(*target)?, literal: literal.clone() }
            }
            PolicyEdit::InsertMember { object, key, value } => {
                PolicyEdit::InsertMember { object: map(*object)?, key: key.clone(), value: value.clone() }
            }
            PolicyEdit::AppendMember { object, key, value } => {
                PolicyEdit::AppendMember { object: map(*object)?, key: key.clone(), value: value.clone() }
            }
            PolicyEdit::InsertStatement { after, statement } => {
                PolicyEdit::InsertStatement { after: map(*after)?, statement: statement.clone() }
            }
            PolicyEdit::InsertAttributes { entity, attributes } => {
                PolicyEdit::InsertAttributes { entity: map(*entity)?, attributes: attributes.clone() }
            }
            PolicyEdit::GenerateEntities(entities) => PolicyEdit::GenerateEntities(
                entities
                    .iter()
                    .map(|entity| Some(NewEntity { near: map(entity.near)?, ..entity.clone() }))
                    .collect::<Option<_>>()?,
            ),
            PolicyEdit::ReplaceEntity { entity, with, state } => {
                PolicyEdit::ReplaceEntity { entity: map(*entity)?, with: with.clone(), state: state.clone() }
            }
            PolicyEdit::InsertCondition(insert) => PolicyEdit::InsertCondition(ConditionInsert {
                statement: map(insert.statement)?,
                condition: match insert.condition {
                    Some(span) => Some(map(span)?),
                    None => None,
                },
                operator_block: match insert.operator_block {
                    Some(span) => Some(map(span)?),
                    None => None,
                },
                ..insert.clone()
            }),
        })
    }
}

/// Turns model edits into text edits for one syntax.
pub trait EditRenderer: Sync {
    /// `None` when the edit cannot be rendered (the value came from a variable, the file is a plan).
    fn render(&self, edit: &PolicyEdit) -> Option<Vec<TextEdit>>;
}
