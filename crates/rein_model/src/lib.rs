//! The shared model: values that may be unknown, policy documents with spans, and the inventory.
//!
//! **Architecture invariant:** this crate knows nothing about Terraform, CloudFormation, the LSP
//! or the file system. Frontends build the model; rules read it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod dump;
pub mod edit;
pub mod json;
pub mod policy;
pub mod span_map;
pub mod tree;
pub mod tree_reader;
pub mod value;

pub use edit::{EditRenderer, PolicyEdit};
pub use policy::*;
pub use span_map::SpanMap;
pub use tree::{Node, NodeKind};
pub use tree_reader::read_policy;
pub use value::{TemplatePart, Unknown, Value};

/// Everything one analysis unit holds: the policy documents found in its files.
///
/// Frontends for Terraform and CloudFormation add IAM entities (roles, users, attachments, …)
/// next to the documents.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub documents: Vec<PolicyDocument>,
}
