//! The shared model: values that may be unknown, policy documents with spans, and the inventory.
//!
//! **Architecture invariant:** this crate knows nothing about Terraform, CloudFormation, the LSP
//! or the file system. Frontends build the model; rules read it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod dump;
pub mod edit;
pub mod inventory;
pub mod json;
pub mod policy;
pub mod span_map;
pub mod suppression;
pub mod tree;
pub mod tree_reader;
pub mod value;

pub use edit::{AttributeValue, ConditionInsert, EditRenderer, EditValue, NewEntity, PolicyEdit, StateBlock};
pub use inventory::{Attribute, Entity, EntityKind, ModuleCall, Suppression, SuppressionScope, SuppressionSyntax};
pub use policy::*;
pub use span_map::SpanMap;
pub use tree::{Node, NodeKind};
pub use tree_reader::read_policy;
pub use value::{HoleShape, Reference, TemplatePart, Unknown, Value};

/// Everything one analysis unit holds: the policy documents found in its files, the IaC
/// entities around them, the module calls, and the suppressions written in the source.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub documents: Vec<PolicyDocument>,
    pub entities: Vec<Entity>,
    pub modules: Vec<ModuleCall>,
    pub suppressions: Vec<Suppression>,
}
