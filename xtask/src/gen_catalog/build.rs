//! Turns a [`SrcCatalog`] plus the hand-kept tables into the postcard blob decoded by
//! `rein_catalog`. Everything is sorted before it is laid out, so the same input always gives
//! the same bytes.

use std::collections::{BTreeSet, HashMap};

use anyhow::{Result, bail};
use rein_catalog::format::{
    Blob, FORMAT_VERSION, IdxRange, NO_SERVICE, RawAction, RawActionResource, RawConditionKey, RawHint, RawMeta,
    RawOverride, RawResourceType, RawService, StrRef,
};
use rein_catalog::{AccessLevel, ConditionType};

use super::sources::{SrcCatalog, SrcKey, SrcResourceType};
use super::tables::{GlobalKey, Hint, Override};

/// What the generator did, for SOURCE.md and the console.
#[derive(Default)]
pub struct Report {
    pub n_services: usize,
    pub n_actions: usize,
    pub n_wildcard_only: usize,
    pub n_resource_types: usize,
    pub n_arn_templates: usize,
    pub n_service_keys: usize,
    pub n_global_keys: usize,
    pub n_hints: usize,
    /// Actions whose AWS label combined two levels ("Tagging, Write").
    pub n_dual_labels: usize,
    /// `service:Action: AWS-label -> our label`.
    pub overrides_applied: Vec<String>,
    /// Overrides AWS already agrees with.
    pub overrides_noop: Vec<String>,
    /// Overrides naming an action the data does not have.
    pub overrides_missing: Vec<String>,
    /// Keys referenced by actions or resource types but defined nowhere (added with type String).
    pub synthetic_keys: Vec<String>,
    /// Resource types referenced by actions but not defined (added without ARN template).
    pub synthetic_resource_types: Vec<String>,
    /// Condition types the source spells in a way we do not know (stored as String).
    pub unknown_types: BTreeSet<String>,
    /// Differences between our global-key table and the source's own list.
    pub global_key_diffs: Vec<String>,
}

fn lower(text: &str) -> String {
    text.to_ascii_lowercase()
}

#[derive(Default)]
struct Interner {
    text: String,
    seen: HashMap<String, StrRef>,
}

impl Interner {
    fn add(&mut self, s: &str) -> Result<StrRef> {
        if let Some(&r) = self.seen.get(s) {
            return Ok(r);
        }
        let r = StrRef { off: u32::try_from(self.text.len())?, len: u32::try_from(s.len())? };
        self.text.push_str(s);
        self.seen.insert(s.to_owned(), r);
        Ok(r)
    }
}

fn range(start: usize, end: usize) -> Result<IdxRange> {
    Ok(IdxRange { start: u32::try_from(start)?, len: u32::try_from(end - start)? })
}

/// Parses an AWS access-level label; a combined label keeps its non-Write part.
fn parse_level(label: &str, report: &mut Report) -> Result<AccessLevel> {
    if label.contains(',') {
        report.n_dual_labels += 1;
        let levels: Vec<AccessLevel> = label.split(',').filter_map(AccessLevel::from_aws_label).collect();
        return Ok(levels.iter().copied().find(|&level| level != AccessLevel::Write).unwrap_or(AccessLevel::Write));
    }
    match AccessLevel::from_aws_label(label) {
        Some(level) => Ok(level),
        None => bail!("unknown access level `{label}`"),
    }
}

fn parse_type(ty: &str, report: &mut Report) -> ConditionType {
    ConditionType::from_aws_name(ty).unwrap_or_else(|| {
        report.unknown_types.insert(ty.to_owned());
        ConditionType::String
    })
}

pub fn build(
    mut src: SrcCatalog,
    globals: Vec<GlobalKey>,
    overrides: &[Override],
    hints: &[Hint],
) -> Result<(Vec<u8>, Report)> {
    let mut report = Report::default();

    // 1. Sort everything.
    src.services.sort_by_key(|svc| lower(&svc.prefix));
    for pair in src.services.windows(2) {
        if let [a, b] = pair
            && lower(&a.prefix) == lower(&b.prefix)
        {
            bail!("duplicate service prefix `{}`", a.prefix);
        }
    }
    for svc in &mut src.services {
        svc.actions.sort_by_key(|action| lower(&action.name));
        svc.actions.dedup_by_key(|action| lower(&action.name));
        svc.resource_types.sort_by(|a, b| a.name.cmp(&b.name));
        svc.resource_types.dedup_by(|a, b| a.name == b.name);
        svc.condition_keys.sort_by_key(|key| lower(&key.key));
        svc.condition_keys.dedup_by_key(|key| lower(&key.key));
    }
    let mut globals = globals;
    globals.sort_by_key(|key| lower(&key.key));
    let global_lower: BTreeSet<String> = globals.iter().map(|key| lower(&key.key)).collect();

    // 2. Add keys and resource types that are referenced but not defined anywhere.
    let defined_anywhere: BTreeSet<String> =
        src.services.iter().flat_map(|svc| svc.condition_keys.iter().map(|key| lower(&key.key))).collect();
    for svc in &mut src.services {
        let own: BTreeSet<String> = svc.condition_keys.iter().map(|key| lower(&key.key)).collect();
        let mut referenced: Vec<String> = Vec::new();
        for action in &svc.actions {
            referenced.extend(action.condition_keys.iter().cloned());
            for res in &action.resources {
                referenced.extend(res.condition_keys.iter().cloned());
            }
        }
        for res in &svc.resource_types {
            referenced.extend(res.condition_keys.iter().cloned());
        }
        let mut added = BTreeSet::new();
        for key in referenced {
            let key_lower = lower(&key);
            if !own.contains(&key_lower)
                && !global_lower.contains(&key_lower)
                && !defined_anywhere.contains(&key_lower)
                && added.insert(key_lower)
            {
                report.synthetic_keys.push(format!("{}: {key}", svc.prefix));
                svc.condition_keys.push(SrcKey { key, description: String::new(), ty: "String".to_owned() });
            }
        }
        svc.condition_keys.sort_by_key(|key| lower(&key.key));

        let known: BTreeSet<String> = svc.resource_types.iter().map(|res| res.name.clone()).collect();
        let mut missing = BTreeSet::new();
        for action in &svc.actions {
            for res in &action.resources {
                if !known.contains(&res.name) {
                    missing.insert(res.name.clone());
                }
            }
        }
        for name in missing {
            report.synthetic_resource_types.push(format!("{}: {name}", svc.prefix));
            svc.resource_types.push(SrcResourceType { name, arns: Vec::new(), condition_keys: Vec::new() });
        }
        svc.resource_types.sort_by(|a, b| a.name.cmp(&b.name));
    }

    // 3. Assign indices: service keys first (contiguous per service), then the global table.
    let mut key_idx_own: Vec<HashMap<String, u32>> = Vec::with_capacity(src.services.len());
    let mut key_idx_any: HashMap<String, u32> = HashMap::new();
    let mut next_key = 0u32;
    for svc in &src.services {
        let mut own = HashMap::new();
        for key in &svc.condition_keys {
            own.insert(lower(&key.key), next_key);
            key_idx_any.entry(lower(&key.key)).or_insert(next_key);
            next_key += 1;
        }
        key_idx_own.push(own);
    }
    let n_service_keys = next_key as usize;
    let mut key_idx_global: HashMap<String, u32> = HashMap::new();
    for key in &globals {
        key_idx_global.insert(lower(&key.key), next_key);
        next_key += 1;
    }
    let resolve_key = |svc_idx: usize, key: &str| -> Option<u32> {
        let key = lower(key);
        key_idx_own
            .get(svc_idx)
            .and_then(|own| own.get(&key))
            .or_else(|| key_idx_global.get(&key))
            .or_else(|| key_idx_any.get(&key))
            .copied()
    };

    let mut res_idx_own: Vec<HashMap<String, u32>> = Vec::with_capacity(src.services.len());
    let mut next_res = 0u32;
    for svc in &src.services {
        let mut own = HashMap::new();
        for res in &svc.resource_types {
            own.insert(res.name.clone(), next_res);
            next_res += 1;
        }
        res_idx_own.push(own);
    }

    // 4. Lay out the tables.
    let mut strings = Interner::default();
    let mut blob_services = Vec::with_capacity(src.services.len());
    let mut actions = Vec::new();
    let mut action_resources = Vec::new();
    let mut resource_types = Vec::new();
    let mut condition_keys = Vec::new();
    let mut idx_pool: Vec<u32> = Vec::new();
    let mut str_pool: Vec<StrRef> = Vec::new();
    // (service prefix lowercase, action name lowercase) -> action index, for overrides and hints.
    let mut action_index: HashMap<(String, String), u32> = HashMap::new();

    let push_keys = |keys: &[String], svc_idx: usize, idx_pool: &mut Vec<u32>| -> Result<IdxRange> {
        let start = idx_pool.len();
        let mut seen = BTreeSet::new();
        for key in keys {
            match resolve_key(svc_idx, key) {
                Some(idx) if seen.insert(idx) => idx_pool.push(idx),
                Some(_) => {}
                None => bail!("unresolved condition key `{key}`"),
            }
        }
        range(start, idx_pool.len())
    };

    for (svc_idx, svc) in src.services.iter().enumerate() {
        let svc_u32 = u32::try_from(svc_idx)?;
        let keys_start = condition_keys.len();
        for key in &svc.condition_keys {
            condition_keys.push(RawConditionKey {
                service: svc_u32,
                key: strings.add(&key.key)?,
                description: strings.add(&key.description)?,
                ty: parse_type(&key.ty, &mut report).to_u8(),
                global: global_lower.contains(&lower(&key.key)),
            });
        }
        let res_start = resource_types.len();
        for res in &svc.resource_types {
            let arns_start = str_pool.len();
            for arn in &res.arns {
                str_pool.push(strings.add(arn)?);
                report.n_arn_templates += 1;
            }
            let arns = range(arns_start, str_pool.len())?;
            let keys = push_keys(&res.condition_keys, svc_idx, &mut idx_pool)?;
            resource_types.push(RawResourceType {
                service: svc_u32,
                name: strings.add(&res.name)?,
                arns,
                condition_keys: keys,
            });
        }
        let actions_start = actions.len();
        for action in &svc.actions {
            let level = parse_level(&action.access_level, &mut report)?;
            let rows_start = action_resources.len();
            let mut all_dependents: BTreeSet<&str> = action.dependent_actions.iter().map(String::as_str).collect();
            for row in &action.resources {
                let Some(&res_idx) = res_idx_own.get(svc_idx).and_then(|own| own.get(&row.name)) else {
                    bail!("{}:{}: unknown resource type `{}`", svc.prefix, action.name, row.name);
                };
                let keys = push_keys(&row.condition_keys, svc_idx, &mut idx_pool)?;
                let deps_start = str_pool.len();
                let mut deps: Vec<&str> = row.dependent_actions.iter().map(String::as_str).collect();
                deps.sort_unstable();
                deps.dedup();
                for dep in deps {
                    str_pool.push(strings.add(dep)?);
                    all_dependents.insert(dep);
                }
                action_resources.push(RawActionResource {
                    resource_type: res_idx,
                    required: row.required,
                    condition_keys: keys,
                    dependent_actions: range(deps_start, str_pool.len())?,
                });
            }
            if action.resources.is_empty() {
                report.n_wildcard_only += 1;
            }
            let keys = push_keys(&action.condition_keys, svc_idx, &mut idx_pool)?;
            let deps_start = str_pool.len();
            for dep in all_dependents {
                str_pool.push(strings.add(dep)?);
            }
            action_index.insert((lower(&svc.prefix), lower(&action.name)), u32::try_from(actions.len())?);
            actions.push(RawAction {
                service: svc_u32,
                name: strings.add(&action.name)?,
                description: strings.add(&action.description)?,
                access_level: level.to_u8(),
                aws_access_level: level.to_u8(),
                resources: range(rows_start, action_resources.len())?,
                condition_keys: keys,
                dependent_actions: range(deps_start, str_pool.len())?,
            });
        }
        blob_services.push(RawService {
            prefix: strings.add(&svc.prefix)?,
            name: strings.add(&svc.name)?,
            actions: range(actions_start, actions.len())?,
            resource_types: range(res_start, resource_types.len())?,
            condition_keys: range(keys_start, condition_keys.len())?,
        });
    }

    let globals_start = condition_keys.len();
    for key in &globals {
        condition_keys.push(RawConditionKey {
            service: NO_SERVICE,
            key: strings.add(&key.key)?,
            description: strings.add(&key.description)?,
            ty: key.ty.to_u8(),
            global: true,
        });
    }
    let global_keys = range(globals_start, condition_keys.len())?;

    // 5. Overrides.
    let find_action = |name: &str| -> Option<u32> {
        let (prefix, action) = name.split_once(':')?;
        action_index.get(&(lower(prefix), lower(action))).copied()
    };
    let mut blob_overrides = Vec::new();
    for ov in overrides {
        let Some(action_idx) = find_action(&ov.action) else {
            report.overrides_missing.push(ov.action.clone());
            continue;
        };
        let Some(action) = actions.get_mut(action_idx as usize) else {
            continue;
        };
        let aws = AccessLevel::from_u8(action.aws_access_level);
        if aws == ov.level {
            report.overrides_noop.push(format!("{} ({})", ov.action, aws.as_str()));
            continue;
        }
        action.access_level = ov.level.to_u8();
        report.overrides_applied.push(format!("{}: {} -> {}", ov.action, aws.as_str(), ov.level.as_str()));
        blob_overrides.push(RawOverride { action: action_idx, reason: strings.add(&ov.reason)? });
    }

    // 6. Hints.
    let canonical = |idx: u32| -> Option<String> {
        let action = actions.get(idx as usize)?;
        let svc = blob_services.get(action.service as usize)?;
        let text = &strings.text;
        let get = |r: StrRef| text.get(r.off as usize..(r.off + r.len) as usize).map(str::to_owned);
        Some(format!("{}:{}", get(svc.prefix)?, get(action.name)?))
    };
    let mut sorted_hints: Vec<&Hint> = hints.iter().collect();
    sorted_hints.sort_by_key(|hint| lower(&hint.operation));
    let mut hint_rows: Vec<(String, Vec<String>, String)> = Vec::new();
    for hint in sorted_hints {
        if find_action(&hint.operation).is_some() {
            bail!("api-operation-hints: `{}` is an IAM action, not only an API operation", hint.operation);
        }
        let mut targets = Vec::new();
        for target in &hint.targets {
            let Some(name) = find_action(target).and_then(canonical) else {
                bail!("api-operation-hints: `{}` maps to unknown action `{target}`", hint.operation);
            };
            targets.push(name);
        }
        hint_rows.push((hint.operation.clone(), targets, hint.note.clone()));
    }
    let mut blob_hints = Vec::new();
    for (operation, targets, note) in hint_rows {
        let start = str_pool.len();
        for target in &targets {
            str_pool.push(strings.add(target)?);
        }
        blob_hints.push(RawHint {
            operation: strings.add(&operation)?,
            targets: range(start, str_pool.len())?,
            note: strings.add(&note)?,
        });
    }

    // 7. Indexes.
    let key_lower_of = |idx: u32| -> String {
        condition_keys
            .get(idx as usize)
            .and_then(|key| strings.text.get(key.key.off as usize..(key.key.off + key.key.len) as usize))
            .map(lower)
            .unwrap_or_default()
    };
    let mut key_index: Vec<u32> = (0..u32::try_from(n_service_keys)?).collect();
    key_index.sort_by_cached_key(|&idx| (key_lower_of(idx), idx));
    let is_templated = |idx: u32| {
        let key = key_lower_of(idx);
        key.contains("${") || key.contains('<')
    };
    let mut templated_keys: Vec<u32> =
        global_keys.as_range().map(|idx| idx as u32).filter(|&idx| is_templated(idx)).collect();
    // Service copies of global keys (`aws:RequestTag/${TagKey}` in most services) are found
    // through the global table, so only genuinely service-specific templates are scanned.
    let is_global_copy = |idx: u32| condition_keys.get(idx as usize).is_some_and(|key| key.global);
    templated_keys.extend((0..u32::try_from(n_service_keys)?).filter(|&idx| is_templated(idx) && !is_global_copy(idx)));

    // 8. Meta and serialization.
    let meta = RawMeta {
        source: strings.add(&src.source)?,
        date: strings.add(&src.date)?,
        licence: strings.add(&src.licence)?,
    };
    report.n_services = blob_services.len();
    report.n_actions = actions.len();
    report.n_resource_types = resource_types.len();
    report.n_service_keys = n_service_keys;
    report.n_global_keys = globals.len();
    report.n_hints = blob_hints.len();

    // Cross-check our global table against the source's list.
    for (key, ty) in &src.global_keys {
        let norm = normalise_global(key);
        match globals.iter().find(|ours| normalise_global(&ours.key) == norm) {
            None => report.global_key_diffs.push(format!("only in the source: {key} ({ty})")),
            Some(ours) if !ours.ty.as_str().eq_ignore_ascii_case(ty) => report
                .global_key_diffs
                .push(format!("type differs: {} is {} here, {ty} in the source", ours.key, ours.ty)),
            Some(_) => {}
        }
    }
    if !src.global_keys.is_empty() {
        let theirs: BTreeSet<String> = src.global_keys.iter().map(|(key, _)| normalise_global(key)).collect();
        for key in &globals {
            if !theirs.contains(&normalise_global(&key.key)) {
                report.global_key_diffs.push(format!("only here: {}", key.key));
            }
        }
    }

    let blob = Blob {
        format_version: FORMAT_VERSION,
        meta,
        strings: &strings.text,
        services: blob_services,
        actions,
        action_resources,
        resource_types,
        condition_keys,
        global_keys,
        key_index,
        templated_keys,
        hints: blob_hints,
        overrides: blob_overrides,
        idx_pool,
        str_pool,
    };
    let bytes = postcard::to_allocvec(&blob)?;
    Ok((bytes, report))
}

/// `aws:PrincipalTag/tag-key` and `aws:PrincipalTag/${TagKey}` compare equal.
fn normalise_global(key: &str) -> String {
    let key = lower(key);
    match key.split_once('/') {
        Some((head, _)) => format!("{head}/*"),
        None => key,
    }
}
