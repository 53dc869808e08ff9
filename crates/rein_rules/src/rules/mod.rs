//! Every rule, one file each, grouped by family.

pub mod baseline;
pub mod conditions;
pub mod escalation;
pub mod grammar;
pub mod identities;
pub mod least_privilege;
pub mod trust;

/// What rule files need.
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use rein_diagnostics::{Applicability, Severity};
    pub use rein_model::{
        AttributeValue, EditValue, Effect, ListForm, NewEntity, PolicyDocument, PolicyEdit, PolicyKind, SpannedValue,
        Statement, SyntaxIssueKind, Value, ValueList,
    };

    pub use crate::context::RuleContext;
    pub use crate::declare_rule;
    pub use crate::registry::Rule;
    pub use crate::semantics;
}
