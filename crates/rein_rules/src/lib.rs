//! The rule engine: rule metadata, the `declare_rule!` macro, the registry, and the checks.
//!
//! **Architecture invariant:** rules see only the policy model, the catalogue and their options.
//! They never see HCL, YAML or JSON syntax, and they never build text edits: fixes are
//! [`PolicyEdit`]s that the owning frontend renders.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

mod context;
mod docs;
mod engine;
mod meta;
mod registry;
#[cfg(test)]
mod registry_tests;
pub mod rules;
pub mod semantics;
mod suppress;
#[cfg(test)]
mod testing;

pub use context::{FindingBuilder, RuleContext};
pub use docs::{REQUIRED_SECTIONS, RuleDocs, docs_sections};
pub use engine::{
    CheckInput, ForbiddenAccess, MaxPasswordAge, OPTIONAL_SCP_GUARDRAILS, PASSWORD_CHARACTER_CLASSES, Profile,
    RuleOptions, Settings, Unit, UnitSource, check, check_units,
};
pub use meta::{Category, FixAvailability, Frontend, RuleMeta, RuleStatus};
pub use registry::{DeclaredRule, Rule, all_rules, find_rule};
pub use suppress::{Suppressed, apply_suppressions, names_rule};

pub use rein_catalog::catalog;
pub use rein_model::PolicyEdit;

/// Declares a rule: its doc comment (the only source of its documentation) and its metadata.
///
/// ```text
/// declare_rule! {
///     /// ## What it checks
///     /// …
///     FullAdminGrant {
///         id: "IAM101",
///         aliases: ["CKV_AWS_1"],
///         category: OverlyPermissive,
///         severity: Error,
///         fix: None,
///         frontends: [PolicyJson],
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            id: $id:literal,
            aliases: [$($alias:literal),* $(,)?],
            category: $category:ident,
            severity: $severity:ident,
            fix: $fix:ident,
            frontends: [$($frontend:ident),* $(,)?]
            $(, sub_codes: [$($sub_code:literal),* $(,)?])? $(,)?
        }
    ) => {
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $name;

        impl $name {
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                id: $id,
                struct_name: stringify!($name),
                aliases: &[$($alias),*],
                category: $crate::Category::$category,
                severity: ::rein_diagnostics::Severity::$severity,
                status: $crate::RuleStatus::Stable { since: "0.1.0" },
                fix: $crate::FixAvailability::$fix,
                frontends: &[$($crate::Frontend::$frontend),*],
                sub_codes: &[$($($sub_code),*)?],
                docs: concat!($($doc, "\n"),*),
            };
        }

        impl $crate::DeclaredRule for $name {
            fn meta(&self) -> &'static $crate::RuleMeta {
                &Self::META
            }
        }
    };
}
