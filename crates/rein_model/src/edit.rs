//! Fixes as edits of the model, which the frontend that owns the text renders in its syntax.

use rein_text::{Span, TextEdit};

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
}

impl PolicyEdit {
    /// The spans of the model nodes the edit names.
    pub fn spans(&self) -> Vec<Span> {
        match self {
            PolicyEdit::ReplaceString { target, .. }
            | PolicyEdit::ReplaceWithList { target, .. }
            | PolicyEdit::ReplaceInString { target, .. }
            | PolicyEdit::ReplaceLiteral { target, .. } => vec![*target],
            PolicyEdit::RemoveMember { key, value } => vec![*key, *value],
            PolicyEdit::RemoveItem { item } => vec![*item],
            PolicyEdit::InsertMember { object, .. } => vec![*object],
        }
    }
}

/// Turns model edits into text edits for one syntax.
pub trait EditRenderer: Sync {
    /// `None` when the edit cannot be rendered (the value came from a variable, the file is a plan).
    fn render(&self, edit: &PolicyEdit) -> Option<Vec<TextEdit>>;
}
