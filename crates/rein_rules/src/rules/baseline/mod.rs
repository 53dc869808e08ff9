//! Family 5xx: account and organization baseline.
//!
//! Each rule has an attribute part, which checks a resource that is present and runs in every
//! profile, and an existence part, which asks that the baseline declares the resource at all
//! and runs only in the `baseline` profile (RULES.md §0.4, §6).

mod access_analyzer_missing;
mod alternate_contacts_missing;
mod cloudtrail_log_validation_disabled;
mod cloudtrail_missing_or_disabled;
mod cloudtrail_not_kms_encrypted;
mod cloudtrail_not_multi_region;
mod config_recorder_incomplete;
mod guardduty_missing;
mod s3_account_public_access_block;
mod security_hub_missing;

pub use access_analyzer_missing::AccessAnalyzerMissing;
pub use alternate_contacts_missing::AlternateContactsMissing;
pub use cloudtrail_log_validation_disabled::CloudtrailLogValidationDisabled;
pub use cloudtrail_missing_or_disabled::CloudtrailMissingOrDisabled;
pub use cloudtrail_not_kms_encrypted::CloudtrailNotKmsEncrypted;
pub use cloudtrail_not_multi_region::CloudtrailNotMultiRegion;
pub use config_recorder_incomplete::ConfigRecorderIncomplete;
pub use guardduty_missing::GuarddutyMissing;
pub use s3_account_public_access_block::S3AccountPublicAccessBlock;
pub use security_hub_missing::SecurityHubMissing;

use rein_diagnostics::Applicability;
use rein_model::{Entity, EntityKind, PolicyEdit};

use crate::context::RuleContext;
use crate::engine::{Profile, Unit};

/// Whether the existence checks apply to the unit: the `baseline` profile is on, and no call of
/// a baseline module sets the controls up (IAM520 judges the module's inputs instead).
pub(crate) fn checks_existence(unit: &Unit<'_>, ctx: &RuleContext<'_>) -> bool {
    ctx.settings().profile == Profile::Baseline
        && !unit.modules.iter().any(|call| call.source.contains("secure-baseline"))
}

/// Reports, in the `baseline` profile, a unit that declares no entity of `kind`; `true` when it
/// declares one.
pub(crate) fn require_entity(unit: &Unit<'_>, ctx: &mut RuleContext<'_>, kind: EntityKind, what: &str) -> bool {
    if unit.entities_of(kind).next().is_some() {
        return true;
    }
    if checks_existence(unit, ctx) {
        ctx.report(unit.anchor, format!("The account baseline in {} declares no {what}", unit.name));
    }
    false
}

/// Checks a boolean setting that must be `want`. Written with the other value: reported on the
/// value, with an unsafe fix. Not written: reported on the resource when `unset` (the default)
/// is not `want`. A value not known statically is not reported.
pub(crate) fn require_flag(
    ctx: &mut RuleContext<'_>,
    entity: &Entity,
    name: &str,
    want: bool,
    unset: Option<bool>,
    problem: &str,
) {
    match entity.attribute(name) {
        Some(attr) if entity.bool(name) == Some(!want) => {
            ctx.report(attr.value.span, format!("`{name}` is {}: {problem}", !want)).fix(
                format!("Set `{name}` to {want}"),
                Applicability::Unsafe,
                vec![PolicyEdit::ReplaceLiteral { target: attr.value.span, literal: want.to_string() }],
            );
        }
        // The other value, or one not known statically.
        Some(_) => {}
        None if unset != Some(want) => {
            ctx.report(entity.span, format!("`{name}` is not set: {problem}"));
        }
        None => {}
    }
}

/// A boolean setting written flat (`all_supported`) or inside a nested block or property
/// (`recording_group { all_supported }`, `RecordingGroup: {AllSupported}`): its value node, if
/// written.
pub(crate) fn nested<'e>(entity: &'e Entity, block: &str, name: &str) -> Option<&'e rein_model::Node> {
    if let Some(attr) = entity.attribute(name) {
        return Some(&attr.value);
    }
    let pascal: String = name
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    let mut outer = entity.items(block);
    let object = outer.pop()?;
    let rein_model::NodeKind::Object(object) = &object.kind else { return None };
    object
        .members
        .iter()
        .find(|member| member.key.name == name || member.key.name == pascal)
        .map(|member| &member.value)
}
