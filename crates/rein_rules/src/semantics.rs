//! Statement semantics shared by every rule (RULES.md §0.2), implemented once.
//!
//! Deny handling, action expansion, wildcard-only actions, `bucket/*` object ARNs, policy
//! variables, `Not*` complements, effective-star resources, scoping conditions and unknown
//! values all live here, so that every rule treats the known false-positive traps the same way.

use rein_catalog::arn::{ArnPattern, ArnPiece, template_matches};
use std::cell::RefCell;
use std::rc::Rc;

use crate::context::RuleContext;
use rein_catalog::{Action, Catalog};
use rein_model::{HoleShape, PolicyDocument, PolicyKind, SpannedValue, Statement, TemplatePart, Value};

/// Whether an action pattern contains IAM wildcards.
pub fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// `*` or `*:*`: every action of every service.
pub fn is_all_actions(text: &str) -> bool {
    text == "*" || text == "*:*"
}

/// `svc:*`: every action of one service.
pub fn service_wildcard(text: &str) -> Option<&str> {
    let (prefix, name) = text.split_once(':')?;
    (name == "*" && !has_wildcard(prefix) && !prefix.is_empty()).then_some(prefix)
}

/// A pattern whose service prefix has a wildcard (`s*:Get*`, `*:Delete*`), other than all actions.
pub fn is_cross_service_pattern(text: &str) -> bool {
    !is_all_actions(text) && text.split_once(':').is_some_and(|(prefix, _)| has_wildcard(prefix))
}

/// One entry of `Action` (or `NotAction`) with what it expands to.
#[derive(Debug)]
pub struct ActionItem<'a> {
    pub value: &'a SpannedValue,
    /// The text when known.
    pub text: Option<&'a str>,
    /// The catalogue actions it names; empty for unknown names and unknown values.
    pub actions: Rc<[Action<'static>]>,
}

impl ActionItem<'_> {
    pub fn is_wildcard(&self) -> bool {
        self.text.is_some_and(has_wildcard)
    }

    pub fn is_all_actions(&self) -> bool {
        self.text.is_some_and(is_all_actions)
    }
}

/// The entries of the statement's `Action` (not `NotAction`), expanded against the catalogue.
pub fn action_items<'a>(stmt: &'a Statement, ctx: &RuleContext<'_>) -> Vec<ActionItem<'a>> {
    let Some(list) = &stmt.action else { return Vec::new() };
    list.items
        .iter()
        .map(|value| {
            let text = value.known();
            let actions = text.map_or_else(|| Rc::from(Vec::new()), |text| ctx.expand(text));
            ActionItem { value, text, actions }
        })
        .collect()
}

/// The policy resource pattern of a value, or `None` when the value is wholly unknown.
pub fn arn_pattern(value: &Value) -> Option<Rc<ArnPattern>> {
    match value {
        Value::Known(text) => Some(parsed_arn(text)),
        Value::Partial(parts) => {
            let pieces: Vec<ArnPiece<'_>> = parts
                .iter()
                .map(|part| match part {
                    TemplatePart::Text(text) => ArnPiece::Text(text),
                    // A typed placeholder's hole keeps to its field (RULES.md §0.2 S8); any other
                    // hole may stand for anything.
                    TemplatePart::Hole(unknown) => match unknown.shape {
                        HoleShape::Any => ArnPiece::Unknown,
                        HoleShape::Segment => ArnPiece::Name { slash: false },
                        HoleShape::Path => ArnPiece::Name { slash: true },
                    },
                })
                .collect();
            Some(Rc::new(ArnPattern::from_pieces(&pieces)))
        }
        Value::Unknown(_) => None,
    }
}

/// How many parsed resource patterns, and how many services' resource keywords, a thread keeps
/// before it starts afresh.
const MAX_CACHED_PATTERNS: usize = 4096;

/// Resource-type keywords by catalogue address and service prefix.
type KeywordsByService = foldhash::HashMap<(usize, &'static str), Rc<[&'static str]>>;

thread_local! {
    /// Parsed resource ARNs by their text: IAM003, IAM106, IAM109 and the escalation rules all
    /// parse the same `Resource` entries, and the same ARNs recur across the policies of a
    /// configuration. A pattern depends on its text alone, so an entry never goes stale.
    static PARSED_ARNS: RefCell<foldhash::HashMap<Box<str>, Rc<ArnPattern>>> = RefCell::new(foldhash::HashMap::default());

    /// The resource-type keywords of a service (`role`, `user`, … for `iam`), by catalogue and
    /// service prefix.
    static RESOURCE_KEYWORDS: RefCell<KeywordsByService> = RefCell::new(KeywordsByService::default());
}

/// The resource pattern of a literal policy `Resource` text, parsed once per thread.
pub fn parsed_arn(text: &str) -> Rc<ArnPattern> {
    PARSED_ARNS.with_borrow_mut(|cache| {
        if let Some(found) = cache.get(text) {
            return Rc::clone(found);
        }
        if cache.len() >= MAX_CACHED_PATTERNS {
            cache.clear();
        }
        let pattern = Rc::new(ArnPattern::parse(text));
        cache.insert(text.into(), Rc::clone(&pattern));
        pattern
    })
}

/// The six fields of an ARN: partition, service, region, account and the resource part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArnFields<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// Splits `arn:partition:service:region:account:resource`; `None` when it is not of that shape.
pub fn arn_fields(text: &str) -> Option<ArnFields<'_>> {
    // The first four colons after `arn:` end the fields; the resource part keeps any others.
    // One pass over the bytes: rules split every resource entry, many times over.
    let rest = text.strip_prefix("arn:")?;
    let mut cuts = [0usize; 4];
    let mut found = 0;
    for (at, byte) in rest.bytes().enumerate() {
        if byte == b':' {
            let Some(cut) = cuts.get_mut(found) else { break };
            *cut = at;
            found += 1;
        }
    }
    let [partition, service, region, account] = cuts;
    (found == 4).then_some(())?;
    Some(ArnFields {
        partition: rest.get(..partition)?,
        service: rest.get(partition + 1..service)?,
        region: rest.get(service + 1..region)?,
        account: rest.get(region + 1..account)?,
        resource: rest.get(account + 1..)?,
    })
}

/// Whether the text holds an IAM policy variable such as `${aws:username}`.
pub fn has_policy_variable(text: &str) -> bool {
    text.contains("${")
}

/// The literal resource-type keywords that start a service's ARN resource parts (`role` in
/// `role/${RoleNameWithPath}`), used to recognise `<type>/*`.
fn resource_keywords(catalog: &'static Catalog, service: &str) -> Rc<[&'static str]> {
    let Some(service) = catalog.service(service) else { return Rc::from(Vec::new()) };
    let key = (std::ptr::from_ref(catalog) as usize, service.prefix());
    let cached = RESOURCE_KEYWORDS.with_borrow(|cache| cache.get(&key).cloned());
    if let Some(keywords) = cached {
        return keywords;
    }
    let mut keywords: Vec<&'static str> = service
        .resource_types()
        .flat_map(|rt| rt.arn_templates().collect::<Vec<_>>())
        .filter_map(|template| {
            let resource = template.splitn(6, ':').nth(5)?;
            let end = resource.find(['/', ':'])?;
            let keyword = resource.get(..end)?;
            (!keyword.is_empty() && !keyword.contains("${")).then_some(keyword)
        })
        .collect();
    keywords.sort_unstable();
    keywords.dedup();
    let keywords: Rc<[&'static str]> = keywords.into();
    RESOURCE_KEYWORDS.with_borrow_mut(|cache| {
        if cache.len() >= MAX_CACHED_PATTERNS {
            cache.clear();
        }
        cache.insert(key, Rc::clone(&keywords));
    });
    keywords
}

/// The resource part is `*`, `*/*`, or `<type>/*` / `<type>:*` for a type keyword of the service.
fn covers_every_resource_part(catalog: &'static Catalog, fields: &ArnFields<'_>) -> bool {
    let resource = fields.resource;
    if resource == "*" || resource == "*/*" || resource == "*:*" {
        return true;
    }
    let Some(keyword) = resource.strip_suffix("/*").or_else(|| resource.strip_suffix(":*")) else {
        return false;
    };
    !has_wildcard(keyword) && resource_keywords(catalog, fields.service).contains(&keyword)
}

/// RULES.md §0.2 S3 "effective star": `*`, or an ARN whose account is `*` (or empty) and whose
/// resource part is `*` or `<type>/*`. Values with policy variables or unknown parts never are.
pub fn is_effective_star(value: &Value, catalog: &'static Catalog) -> bool {
    let Some(text) = value.as_known() else { return false };
    if text == "*" {
        return true;
    }
    if has_policy_variable(text) {
        return false;
    }
    let Some(fields) = arn_fields(text) else { return false };
    (fields.account == "*" || fields.account.is_empty()) && covers_every_resource_part(catalog, &fields)
}

/// RULES.md §0.2 S3 "account-wide": every resource of its type in one account
/// (`arn:aws:iam::123456789012:role/*`).
pub fn is_account_wide(value: &Value, catalog: &'static Catalog) -> bool {
    let Some(text) = value.as_known() else { return false };
    if has_policy_variable(text) {
        return false;
    }
    let Some(fields) = arn_fields(text) else { return false };
    fields.account.len() == 12
        && fields.account.bytes().all(|b| b.is_ascii_digit())
        && covers_every_resource_part(catalog, &fields)
}

/// Resource policies whose `"Resource": "*"` means "this resource" (RULES.md IAM105, IAM003).
pub const SELF_RESOURCE_SERVICES: &[&str] = &["kms", "secretsmanager", "ecr", "backup"];

/// Whether the statement sits in a resource policy whose `*` means the attached resource.
pub fn star_means_this_resource(doc: &PolicyDocument, items: &[ActionItem<'_>]) -> bool {
    match &doc.kind {
        PolicyKind::Resource { service: Some(service) } => SELF_RESOURCE_SERVICES.contains(&service.as_str()),
        PolicyKind::Resource { service: None } => {
            !items.is_empty()
                && items.iter().all(|item| {
                    item.text.and_then(|text| text.split_once(':')).is_some_and(|(prefix, _)| {
                        SELF_RESOURCE_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(prefix))
                    })
                })
        }
        _ => false,
    }
}

/// Condition keys that narrow which principals or resources a statement reaches
/// (RULES.md §0.2 S7). A trailing `/` marks a prefix family such as `aws:ResourceTag/`.
const SCOPING_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:resourcetag/",
    "aws:requesttag/",
    "aws:tagkeys",
    "iam:passedtoservice",
    "iam:awsservicename",
    "iam:policyarn",
    "iam:permissionsboundary",
    "kms:viaservice",
    "kms:calleraccount",
    "kms:encryptioncontext:",
    "s3:prefix",
    "cloudwatch:namespace",
    "ram:requestedallowsexternalprincipals",
];

fn is_scoping_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SCOPING_KEYS.iter().any(|scoping| {
        if scoping.ends_with('/') || scoping.ends_with(':') { lower.starts_with(scoping) } else { lower == *scoping }
    }) || lower.split_once(':').is_some_and(|(_, name)| name.starts_with("resourcetag/"))
}

/// Positive operators that can narrow a grant (`…Equals`, `…Like`, `ArnEquals`, `IpAddress`, `Bool`).
fn is_positive_operator(base: &str) -> bool {
    !base.contains("Not")
        && (base.ends_with("Equals") || base.ends_with("Like") || base == "IpAddress" || base == "Bool")
}

/// RULES.md §0.2 S7: the statement is condition-scoped when a positive operator without
/// `IfExists` tests a scoping key that the statement's actions support.
pub fn is_condition_scoped(stmt: &Statement, items: &[ActionItem<'_>]) -> bool {
    let Some(block) = &stmt.condition else { return false };
    block.entries().any(|(op, entry)| {
        if op.name.if_exists || !is_positive_operator(&op.name.base) || !is_scoping_key(&entry.key.name) {
            return false;
        }
        if op.name.base == "Bool" && !entry.values.iter().all(|v| v.value.known() == Some("true")) {
            return false;
        }
        let key = entry.key.name.as_str();
        if key.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("aws:")) {
            return true;
        }
        // Whether a global key is meant is the same question for every action: ask it once.
        let mut actions = items.iter().flat_map(|item| item.actions.iter());
        actions.next().is_some_and(|first| first.supports_condition_key(key))
            || actions.any(|action| action.supports_own_condition_key(key))
    })
}

/// The condition operators and keys of a statement, for messages ("under `aws:RequestedRegion`").
pub fn condition_summary(stmt: &Statement) -> Option<String> {
    let block = stmt.condition.as_ref()?;
    let keys: Vec<String> =
        block.entries().map(|(op, entry)| format!("{} `{}`", op.key.name, entry.key.name)).collect();
    (!keys.is_empty()).then(|| keys.join(", "))
}

// Resource fit: whether an action can apply to a resource entry.

/// Whether `action` can apply to the resource `pattern` describes.
pub fn action_fits(action: &Action<'static>, pattern: &ArnPattern, text: Option<&str>) -> bool {
    if action.is_wildcard_only() {
        // Only `*` reaches an action without resource types; an unknown value might be `*`.
        // A typed placeholder (RULES.md §0.2 S8) is an ARN, never `*`.
        return pattern.is_star() || pattern.has_unknown() || !text.unwrap_or(pattern.text()).starts_with("arn:");
    }
    action
        .resource_types()
        .any(|ar| ar.resource_type.arn_templates().any(|template| template_matches(template, pattern)))
}

// ---------------------------------------------------------------------------------------------
// Conditions (family 6xx): operator families, key types and policy-variable syntax.
// ---------------------------------------------------------------------------------------------

/// The family of a condition operator, which decides the type of key it compares
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorFamily {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    IpAddress,
    Arn,
    Null,
}

/// Every condition operator without set qualifier and `IfExists`, with its family.
pub const CONDITION_OPERATORS: &[(&str, OperatorFamily)] = &[
    ("StringEquals", OperatorFamily::String),
    ("StringNotEquals", OperatorFamily::String),
    ("StringEqualsIgnoreCase", OperatorFamily::String),
    ("StringNotEqualsIgnoreCase", OperatorFamily::String),
    ("StringLike", OperatorFamily::String),
    ("StringNotLike", OperatorFamily::String),
    ("NumericEquals", OperatorFamily::Numeric),
    ("NumericNotEquals", OperatorFamily::Numeric),
    ("NumericLessThan", OperatorFamily::Numeric),
    ("NumericLessThanEquals", OperatorFamily::Numeric),
    ("NumericGreaterThan", OperatorFamily::Numeric),
    ("NumericGreaterThanEquals", OperatorFamily::Numeric),
    ("DateEquals", OperatorFamily::Date),
    ("DateNotEquals", OperatorFamily::Date),
    ("DateLessThan", OperatorFamily::Date),
    ("DateLessThanEquals", OperatorFamily::Date),
    ("DateGreaterThan", OperatorFamily::Date),
    ("DateGreaterThanEquals", OperatorFamily::Date),
    ("Bool", OperatorFamily::Bool),
    ("BinaryEquals", OperatorFamily::Binary),
    ("IpAddress", OperatorFamily::IpAddress),
    ("NotIpAddress", OperatorFamily::IpAddress),
    ("ArnEquals", OperatorFamily::Arn),
    ("ArnNotEquals", OperatorFamily::Arn),
    ("ArnLike", OperatorFamily::Arn),
    ("ArnNotLike", OperatorFamily::Arn),
    ("Null", OperatorFamily::Null),
];

/// The canonical spelling and family of an operator base (`StringEquals`), case-insensitive.
pub fn operator_family(base: &str) -> Option<(&'static str, OperatorFamily)> {
    CONDITION_OPERATORS.iter().copied().find(|(name, _)| name.eq_ignore_ascii_case(base))
}

/// Negated operators (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`) are true when the key is absent.
pub fn is_negated_operator(base: &str) -> bool {
    base.contains("Not")
}

/// The operator text with a new base, keeping the set qualifier and `IfExists`.
pub fn operator_text(name: &rein_model::OperatorName, base: &str, if_exists: bool) -> String {
    let qualifier = match name.qualifier {
        Some(rein_model::SetQualifier::ForAllValues) => "ForAllValues:",
        Some(rein_model::SetQualifier::ForAnyValue) => "ForAnyValue:",
        None => "",
    };
    format!("{qualifier}{base}{}", if if_exists { "IfExists" } else { "" })
}

/// Keys of identity-provider claims (`token.actions.githubusercontent.com:sub`, `saml:aud`,
/// `accounts.google.com:aud`), which the catalogue does not list: their prefix is a host name or
/// `saml` (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html>).
pub fn is_federated_claim_key(key: &str) -> bool {
    key.split_once(':').is_some_and(|(prefix, _)| prefix.contains('.') || prefix.eq_ignore_ascii_case("saml"))
}

/// Tag keys whose support depends on the service (RULES.md IAM603).
pub fn is_service_dependent_tag_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.starts_with("aws:resourcetag/") || lower.starts_with("aws:requesttag/") || lower == "aws:tagkeys"
}

/// Whether the condition key narrows which principals or resources are reached (RULES.md §0.2 S7).
pub fn is_scoping_condition_key(key: &str) -> bool {
    is_scoping_key(key)
}

/// One `${…}` in a string, as IAM reads policy variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VariablePiece<'a> {
    /// The text between `${` and `}`.
    Variable(&'a str),
    /// `${` with no closing `}`; holds the rest of the text.
    Unclosed(&'a str),
}

/// The policy variables of a text, in order.
pub fn policy_variables(text: &str) -> Vec<VariablePiece<'_>> {
    let mut out = Vec::new();
    // Most values hold no variable: one byte search answers that.
    if !text.contains('$') {
        return out;
    }
    let mut rest = text;
    while let Some(open) = rest.find("${") {
        let after = rest.get(open + 2..).unwrap_or_default();
        match after.find('}') {
            Some(close) => {
                out.push(VariablePiece::Variable(after.get(..close).unwrap_or_default()));
                rest = after.get(close + 1..).unwrap_or_default();
            }
            None => {
                out.push(VariablePiece::Unclosed(after));
                break;
            }
        }
    }
    out
}

/// Case-insensitive edit distance, for did-you-mean suggestions of operators and keys.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev + usize::from(ca != cb);
            let (Some(&up), Some(&left)) = (row.get(j + 1), row.get(j)) else { break };
            prev = up;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = substitute.min(up + 1).min(left + 1);
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// The one closest candidate within `max` edits, or `None` when there is none or a tie.
pub fn closest<'c>(text: &str, candidates: impl IntoIterator<Item = &'c str>, max: usize) -> Option<&'c str> {
    let mut best: Option<(usize, &str, bool)> = None;
    for candidate in candidates {
        let distance = edit_distance(text, candidate);
        if distance > max {
            continue;
        }
        best = match best {
            Some((d, c, _)) if d < distance => Some((d, c, false)),
            Some((d, c, _)) if d == distance && !c.eq_ignore_ascii_case(candidate) => Some((d, c, true)),
            Some(kept) if kept.0 == distance => Some(kept),
            _ => Some((distance, candidate, false)),
        };
    }
    best.and_then(|(_, candidate, tied)| (!tied).then_some(candidate))
}

// ---------------------------------------------------------------------------------------------
// Family 2xx: privilege escalation and sensitive access (RULES.md §3).
//
// The 2xx rules ask the same three questions of a statement: does it grant a named action
// (through `Action`, a wildcard, or a `NotAction` that leaves it out), are the resources left
// unnarrowed for that action, and does an unconditional Deny of the same document take it back.
// ---------------------------------------------------------------------------------------------

/// Where a statement grants one named action: the `Action` entry that names it, or the
/// `NotAction` key when the complement includes it.
#[derive(Clone, Copy, Debug)]
pub struct ActionGrant<'a> {
    pub span: rein_text::Span,
    /// The entry as written, or `None` for a `NotAction` complement.
    pub text: Option<&'a str>,
}

/// Resource policies whose service names the resource by the attachment alone, so that their
/// statements leave `Resource` out, as the services' own examples write them: ECR repository
/// policies (private and public) and Redshift Serverless snapshot policies.
pub fn resource_implied_by_attachment(doc: &PolicyDocument) -> bool {
    matches!(&doc.kind, PolicyKind::Resource { service: Some(service) }
        if matches!(service.as_str(), "ecr" | "ecr-public" | "redshift-serverless"))
}

/// An API Gateway resource policy's shorthand for its own API, `execute-api:/stage/VERB/path`,
/// which API Gateway expands to the full `arn:aws:execute-api:…` ARN of the API it is attached to.
pub fn is_api_gateway_shorthand(doc: &PolicyDocument, resource: &str) -> bool {
    matches!(&doc.kind, PolicyKind::Resource { service: Some(service) } if service == "execute-api")
        && resource.starts_with("execute-api:/")
}

/// The service prefixes that the Allow statements of `doc` name in their `Action` entries, when
/// every entry names its service literally (`s3:Get*` names `s3`). `None` when some Allow may
/// grant actions of any service: a `NotAction`, an unknown entry, a wildcard in a service part.
/// A cheap first test for rules that look for the actions of a few services.
pub fn allowed_services(doc: &PolicyDocument) -> Option<Vec<&str>> {
    let mut services: Vec<&str> = Vec::new();
    for stmt in doc.statements.iter().filter(|stmt| stmt.is_allow()) {
        if stmt.not_action.is_some() {
            return None;
        }
        let Some(list) = &stmt.action else { continue };
        if list.unknown.is_some() {
            return None;
        }
        for item in &list.items {
            let (service, _) = item.known()?.split_once(':')?;
            if has_wildcard(service) {
                return None;
            }
            if !services.iter().any(|known| known.eq_ignore_ascii_case(service)) {
                services.push(service);
            }
        }
    }
    Some(services)
}

/// Whether `stmt` grants the action called `name` (case-insensitive).
///
/// A `NotAction` includes every action it does not list, but only when every entry is known:
/// an unknown entry may exclude the action, and an unknown is never a wildcard.
pub fn grants_action<'a>(stmt: &'a Statement, ctx: &RuleContext<'_>, name: &str) -> Option<ActionGrant<'a>> {
    // The name is a catalogue action, so matching the glob is the same as finding it in the
    // expansion; unknown names are in no expansion, and expanding `*` for each name is costly.
    // Most patterns do not match, so the catalogue is asked only once one does.
    let known = std::cell::OnceCell::new();
    let names = |pattern: &str| glob_matches(pattern, name) && *known.get_or_init(|| ctx.action(name).is_some());
    if let Some(list) = &stmt.action {
        return list.items.iter().find_map(|item| {
            let text = item.known()?;
            names(text).then_some(ActionGrant { span: item.span, text: Some(text) })
        });
    }
    let list = stmt.not_action.as_ref()?;
    let mut excluded = false;
    for item in &list.items {
        let text = item.known()?;
        excluded |= names(text);
    }
    (!excluded).then_some(ActionGrant { span: list.key.span, text: None })
}

/// The first resource entry that leaves `action` unnarrowed (RULES.md §3): effective star,
/// account-wide, or any `NotResource`. `None` when every entry names specific resources or is
/// unknown.
pub fn unnarrowed_resource(
    stmt: &Statement,
    action: &Action<'_>,
    catalog: &'static Catalog,
) -> Option<UnnarrowedResource> {
    UnnarrowedEntries::of(stmt, catalog).for_action(action)
}

/// The resource entries of a statement that may leave an action unnarrowed, worked out once for
/// all the actions a statement grants: which entry leaves which action unnarrowed depends only on
/// the action's service and resource types.
pub struct UnnarrowedEntries<'s> {
    /// Any `NotResource` leaves every action unnarrowed.
    not_resource: Option<rein_text::Span>,
    /// Effective-star and account-wide entries in order, with their fields (`None` for `*`).
    entries: Vec<(&'s SpannedValue, &'s str, Option<ArnFields<'s>>)>,
}

impl<'s> UnnarrowedEntries<'s> {
    pub fn of(stmt: &'s Statement, catalog: &'static Catalog) -> Self {
        if let Some(list) = &stmt.not_resource {
            return Self { not_resource: Some(list.key.span), entries: Vec::new() };
        }
        let entries = stmt
            .resource
            .iter()
            .flat_map(|list| &list.items)
            .filter(|item| is_effective_star(&item.value, catalog) || is_account_wide(&item.value, catalog))
            .filter_map(|item| {
                let text = item.value.as_known()?;
                Some((item, text, if text == "*" { None } else { Some(arn_fields(text)?) }))
            })
            .collect();
        Self { not_resource: None, entries }
    }

    /// Whether no entry can leave any action unnarrowed.
    pub fn is_empty(&self) -> bool {
        self.not_resource.is_none() && self.entries.is_empty()
    }

    /// The first entry that leaves `action` unnarrowed.
    pub fn for_action(&self, action: &Action<'_>) -> Option<UnnarrowedResource> {
        if let Some(span) = self.not_resource {
            return Some(UnnarrowedResource {
                span,
                text: "every resource outside `NotResource`".to_owned(),
                star: true,
            });
        }
        let prefix = action.service().prefix();
        self.entries.iter().find_map(|(item, text, fields)| {
            // `arn:aws:s3:::*` grants nothing for a KMS action; that mismatch is IAM106's concern.
            let same_type = fields.as_ref().is_none_or(|f| {
                (f.service == "*" || f.service.eq_ignore_ascii_case(prefix)) && reaches_action_type(action, f.resource)
            });
            same_type.then(|| UnnarrowedResource { span: item.span, text: format!("`{text}`"), star: *text == "*" })
        })
    }
}

/// Whether an unnarrowed resource part (`*`, `role/*`) is of one of the action's resource types:
/// `user/*` grants nothing for `iam:AttachRolePolicy`.
fn reaches_action_type(action: &Action<'_>, resource: &str) -> bool {
    let Some(keyword) = resource.strip_suffix("/*").or_else(|| resource.strip_suffix(":*")) else { return true };
    if keyword == "*" {
        return true;
    }
    action.resource_types().any(|ar| {
        ar.resource_type.arn_templates().any(|template| {
            let part = template.splitn(6, ':').nth(5).unwrap_or_default();
            part.split(['/', ':']).next().is_some_and(|k| k.eq_ignore_ascii_case(keyword))
        })
    })
}

/// A resource entry that reaches every resource of an action's type.
#[derive(Clone, Debug)]
pub struct UnnarrowedResource {
    pub span: rein_text::Span,
    /// For messages: "`*`" or "every resource outside `NotResource`".
    pub text: String,
    /// `*` itself, or a `NotResource`.
    pub star: bool,
}

/// How the document's own Deny statements treat an action on every resource (RULES.md §0.2 S1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DenyCover {
    /// No Deny of this document names the action.
    None,
    /// An unconditional Deny on every resource removes the grant: no finding.
    Unconditional,
    /// A conditional Deny names the action; the finding stays and names it.
    Conditional(rein_text::Span),
}

/// Whether a Deny of `doc` takes `name` back.
pub fn deny_cover(doc: &PolicyDocument, ctx: &RuleContext<'_>, name: &str) -> DenyCover {
    let catalog = ctx.catalog();
    let mut cover = DenyCover::None;
    for stmt in doc.statements.iter().filter(|s| s.is_deny()) {
        if grants_action(stmt, ctx, name).is_none() {
            continue;
        }
        let all_resources = stmt.resource.as_ref().is_some_and(|list| {
            list.items.iter().any(|item| item.value.as_known() == Some("*") || is_effective_star(&item.value, catalog))
        });
        if stmt.has_condition() {
            cover = DenyCover::Conditional(stmt.span);
        } else if all_resources {
            return DenyCover::Unconditional;
        }
    }
    cover
}

/// Whether a positive operator without `IfExists` tests `key` (case-insensitive), and the
/// known values it compares with.
pub fn positive_condition_values<'a>(stmt: &'a Statement, key: &str) -> Option<Vec<&'a str>> {
    let block = stmt.condition.as_ref()?;
    let mut found: Option<Vec<&'a str>> = None;
    for (op, entry) in block.entries() {
        if op.name.if_exists || !is_positive_operator(&op.name.base) || !entry.key.name.eq_ignore_ascii_case(key) {
            continue;
        }
        found.get_or_insert_with(Vec::new).extend(entry.values.iter().filter_map(|v| v.value.known()));
    }
    found
}

/// One severity step down, for condition-scoped statements (RULES.md §0.2 S7).
pub fn downgrade(severity: rein_diagnostics::Severity) -> rein_diagnostics::Severity {
    use rein_diagnostics::Severity;
    match severity {
        Severity::Error => Severity::Warning,
        _ => Severity::Info,
    }
}

// ---------------------------------------------------------------------------------------------
// Family 3xx: principal sets and the conditions that pin them (RULES.md §0.2 S6).
// ---------------------------------------------------------------------------------------------

use rein_model::{ConditionEntry, ConditionOperator, PrincipalBody, PrincipalElement, PrincipalType, SetQualifier};

use crate::engine::RuleOptions;

/// The account a principal or condition value names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountRef {
    /// A literal 12-digit account id.
    Id(String),
    /// The account the code deploys into, written as a reference (`data.aws_caller_identity`,
    /// `AWS::AccountId`): a typed placeholder "self".
    SelfAccount,
}

/// What one principal value stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalShape {
    /// `"*"` or `{"AWS": "*"}`: anyone, anonymous callers included.
    Anyone,
    /// An account id or an account-root ARN: every principal of the account whose own policy
    /// allows the action.
    AccountRoot(AccountRef),
    /// A user, role, assumed-role or federated-user ARN in an account.
    Named(AccountRef),
    /// A service principal such as `sns.amazonaws.com`.
    Service(String),
    /// An OIDC or SAML provider ARN, or a web identity host.
    Federated(String),
    /// A canonical user id (S3).
    CanonicalUser,
    /// Not known statically, or not a valid principal (IAM008 reports those).
    Other,
}

/// One value of a `Principal` or `NotPrincipal` element with its meaning.
#[derive(Clone, Debug)]
pub struct PrincipalItem<'a> {
    pub value: &'a SpannedValue,
    pub shape: PrincipalShape,
}

/// Whether `text` is a 12-digit account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The placeholder text a self-account reference stands for while an ARN is split into fields.
const SELF_MARK: &str = "\u{27e8}self\u{27e9}";
/// The placeholder text any other unknown part stands for.
const HOLE_MARK: &str = "\u{27e8}?\u{27e9}";

/// Whether an unknown part is a reference to the deploying account's id.
fn is_self_account_reference(unknown: &rein_model::Unknown) -> bool {
    unknown.reference.as_ref().is_some_and(|reference| {
        let caller_identity = reference.entity.starts_with("data.aws_caller_identity.")
            || reference.entity.contains(".data.aws_caller_identity.");
        (caller_identity && reference.attribute == "account_id") || reference.entity == "AWS::AccountId"
    })
}

/// The text of a value with self-account references and other holes replaced by markers, or
/// `None` when the value is wholly unknown (and not a self reference).
fn marked_text(value: &Value) -> Option<String> {
    match value {
        Value::Known(text) => Some(text.clone()),
        Value::Unknown(unknown) => is_self_account_reference(unknown).then(|| SELF_MARK.to_owned()),
        Value::Partial(parts) => Some(
            parts
                .iter()
                .map(|part| match part {
                    TemplatePart::Text(text) => text.as_str(),
                    TemplatePart::Hole(unknown) if is_self_account_reference(unknown) => SELF_MARK,
                    TemplatePart::Hole(_) => HOLE_MARK,
                })
                .collect(),
        ),
    }
}

/// The account of an account-id text or its marked form; `None` for anything else.
fn account_of(text: &str) -> Option<AccountRef> {
    if text == SELF_MARK {
        Some(AccountRef::SelfAccount)
    } else if is_account_id(text) {
        Some(AccountRef::Id(text.to_owned()))
    } else {
        None
    }
}

/// The shape of one `AWS` principal value.
fn aws_shape(value: &Value) -> PrincipalShape {
    let Some(text) = marked_text(value) else { return PrincipalShape::Other };
    if text == "*" {
        return PrincipalShape::Anyone;
    }
    if let Some(account) = account_of(&text) {
        return PrincipalShape::AccountRoot(account);
    }
    let Some(fields) = arn_fields(&text) else { return PrincipalShape::Other };
    if has_wildcard(&text) || fields.resource.contains(HOLE_MARK) {
        return PrincipalShape::Other;
    }
    let Some(account) = account_of(fields.account) else { return PrincipalShape::Other };
    match (fields.service, fields.resource) {
        ("iam", "root") => PrincipalShape::AccountRoot(account),
        ("iam", resource) if ["user/", "role/", "federated-user/"].iter().any(|p| resource.starts_with(p)) => {
            PrincipalShape::Named(account)
        }
        ("sts", resource) if ["assumed-role/", "federated-user/"].iter().any(|p| resource.starts_with(p)) => {
            PrincipalShape::Named(account)
        }
        _ => PrincipalShape::Other,
    }
}

/// Every value of a principal element with what it stands for, in source order.
pub fn principal_items(element: &PrincipalElement) -> Vec<PrincipalItem<'_>> {
    match &element.body {
        PrincipalBody::Scalar(value) => {
            let shape = if value.known() == Some("*") { PrincipalShape::Anyone } else { PrincipalShape::Other };
            vec![PrincipalItem { value, shape }]
        }
        PrincipalBody::Map(entries) => entries
            .iter()
            .flat_map(|(kind, list)| {
                list.items.iter().map(move |value| {
                    let shape = match (kind, value.known()) {
                        (PrincipalType::Aws, _) => aws_shape(&value.value),
                        (PrincipalType::Service, Some(text)) => PrincipalShape::Service(text.to_owned()),
                        (PrincipalType::Federated, Some(text)) => PrincipalShape::Federated(text.to_owned()),
                        (PrincipalType::CanonicalUser, Some(_)) => PrincipalShape::CanonicalUser,
                        _ => PrincipalShape::Other,
                    };
                    PrincipalItem { value, shape }
                })
            })
            .collect(),
        PrincipalBody::Unknown(_) => Vec::new(),
    }
}

/// Whether the principal element is not known statically as a whole, or holds a list that is not.
pub fn principal_is_unknown(element: &PrincipalElement) -> bool {
    match &element.body {
        PrincipalBody::Unknown(_) => true,
        PrincipalBody::Map(entries) => entries.iter().any(|(_, list)| list.unknown.is_some()),
        PrincipalBody::Scalar(_) => false,
    }
}

/// Whether the statement's condition, or part of it, is not known statically. A rule that
/// reports missing conditions stays silent then: the unknown part may be the one it asks for.
pub fn condition_has_unknown(stmt: &Statement) -> bool {
    let Some(block) = &stmt.condition else { return false };
    block.unknown.is_some()
        || block
            .operators
            .iter()
            .any(|op| op.unknown.is_some() || op.entries.iter().any(|entry| entry.unknown.is_some()))
}

/// A condition test that can only narrow an Allow: a positive operator (`…Equals`, `…Like`,
/// `IpAddress`, `Bool`) without `IfExists` (RULES.md §0.2 S7).
pub fn is_narrowing_operator(op: &ConditionOperator) -> bool {
    !op.name.if_exists && is_positive_operator(&op.name.base)
}

/// The entries that test `key` (case-insensitive, as IAM compares condition keys) with a
/// narrowing operator. `ForAllValues` tests never narrow (an absent key satisfies them), and
/// `ForAnyValue` tests are left out when `single_valued_only`: they do not belong on a
/// single-valued key such as a token's `sub`.
pub fn narrowing_entries<'a>(
    stmt: &'a Statement,
    key: &str,
    single_valued_only: bool,
) -> Vec<(&'a ConditionOperator, &'a ConditionEntry)> {
    let Some(block) = &stmt.condition else { return Vec::new() };
    block
        .entries()
        .filter(|(op, entry)| {
            is_narrowing_operator(op)
                && entry.key.name.eq_ignore_ascii_case(key)
                && op.name.qualifier != Some(SetQualifier::ForAllValues)
                && !(single_valued_only && op.name.qualifier.is_some())
        })
        .collect()
}

/// Whether some narrowing operator tests `key`.
pub fn has_narrowing_key(stmt: &Statement, key: &str) -> bool {
    !narrowing_entries(stmt, key, false).is_empty()
}

/// Whether any operator, positive or not, tests `key`.
pub fn mentions_key(stmt: &Statement, key: &str) -> bool {
    stmt.condition.as_ref().is_some_and(|block| block.entries().any(|(_, e)| e.key.name.eq_ignore_ascii_case(key)))
}

/// The keys that pin the caller of an Allow to known principals (RULES.md IAM301, IAM302).
pub const CALLER_PINNING_KEYS: &[&str] = &["aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount"];

/// Whether an `aws:PrincipalArn` value names principals in specific accounts (no wildcard in
/// the account field). Unknown values count as specific: they cannot be judged, and an unknown
/// is never a wildcard.
pub fn principal_arn_is_account_specific(value: &Value) -> bool {
    let Some(text) = marked_text(value) else { return true };
    match arn_fields(&text) {
        Some(fields) => !has_wildcard(fields.account) && !fields.account.is_empty(),
        None => !has_wildcard(&text),
    }
}

/// How a narrowing `aws:PrincipalArn` test of the statement pins the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalArnPin {
    /// No narrowing `aws:PrincipalArn` test.
    None,
    /// Every tested value lies in specific accounts.
    Accounts,
    /// Some value has a wildcard account (`arn:aws:iam::*:role/x`).
    AnyAccount,
}

pub fn principal_arn_pin(stmt: &Statement) -> PrincipalArnPin {
    let entries = narrowing_entries(stmt, "aws:PrincipalArn", false);
    if entries.is_empty() {
        return PrincipalArnPin::None;
    }
    let all_specific =
        entries.iter().all(|(_, entry)| entry.values.iter().all(|v| principal_arn_is_account_specific(&v.value.value)));
    if all_specific { PrincipalArnPin::Accounts } else { PrincipalArnPin::AnyAccount }
}

/// The `sts:` actions a role trust policy may grant (RULES.md IAM308).
pub const TRUST_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

/// Whether the statement's `Action` reaches an action named `full_name` (such as
/// `sts:AssumeRole`), directly or through a wildcard. Unknown items reach nothing.
pub fn items_grant_action(items: &[ActionItem<'_>], full_name: &str) -> bool {
    items.iter().any(|item| !item.actions.is_empty() && item.text.is_some_and(|text| glob_matches(text, full_name)))
}

/// Whether the statement's `Action` reaches one of the role-assumption actions.
pub fn grants_assume_role(items: &[ActionItem<'_>]) -> bool {
    ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"]
        .iter()
        .any(|name| items_grant_action(items, name))
}

/// How an account relates to the user's estate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountClass {
    /// The own account: configured, written as a self reference, or shown by the document.
    Own,
    /// Listed in `trusted_accounts`.
    Trusted,
    /// Neither; `configured` tells whether `own_account` was set, so messages can say why.
    External { configured: bool },
}

/// The accounts a document shows to be its own: the accounts of its `Resource` ARNs (a resource
/// policy lives in its resource's account), and the account roots that a KMS key policy grants
/// `kms:*` (the default key policy gives the owning account full access to its key:
/// <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html>).
pub fn home_accounts(doc: &PolicyDocument) -> Vec<String> {
    let mut accounts: Vec<String> = Vec::new();
    for stmt in &doc.statements {
        for list in [&stmt.resource, &stmt.not_resource].into_iter().flatten() {
            for item in &list.items {
                if let Some(fields) = item.known().and_then(arn_fields)
                    && is_account_id(fields.account)
                {
                    accounts.push(fields.account.to_owned());
                }
            }
        }
        let grants_all_kms = stmt.is_allow()
            && stmt.action.as_ref().is_some_and(|list| {
                list.items.iter().any(|item| item.known().is_some_and(|t| t.eq_ignore_ascii_case("kms:*")))
            });
        if grants_all_kms && let Some(principal) = &stmt.principal {
            for item in principal_items(principal) {
                if let PrincipalShape::AccountRoot(AccountRef::Id(id)) = item.shape {
                    accounts.push(id);
                }
            }
        }
    }
    accounts.sort_unstable();
    accounts.dedup();
    accounts
}

/// Classifies an account against the options and the accounts the document shows as its own.
pub fn classify_account(account: &AccountRef, options: &RuleOptions, home: &[String]) -> AccountClass {
    let AccountRef::Id(id) = account else { return AccountClass::Own };
    if options.own_account.as_deref() == Some(id.as_str()) || home.iter().any(|h| h == id) {
        AccountClass::Own
    } else if options.trusted_accounts.iter().any(|t| t == id) {
        AccountClass::Trusted
    } else {
        AccountClass::External { configured: options.own_account.is_some() }
    }
}

/// The account named by a condition value (`aws:SourceAccount`, `aws:PrincipalAccount`), when
/// it is one.
pub fn condition_account(value: &Value) -> Option<AccountRef> {
    account_of(&marked_text(value)?)
}

/// A CI service whose OIDC tokens AWS roles commonly trust (RULES.md IAM306).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiIssuer {
    GitHub,
    GitLab,
    TerraformCloud,
    CircleCi,
    Bitbucket,
}

impl CiIssuer {
    pub fn name(self) -> &'static str {
        match self {
            CiIssuer::GitHub => "GitHub Actions",
            CiIssuer::GitLab => "GitLab",
            CiIssuer::TerraformCloud => "Terraform Cloud",
            CiIssuer::CircleCi => "CircleCI",
            CiIssuer::Bitbucket => "Bitbucket Pipelines",
        }
    }
}

/// The issuer (host and path) of an `oidc-provider/…` ARN, or of a web identity host.
pub fn oidc_issuer(federated: &str) -> Option<&str> {
    match arn_fields(federated) {
        Some(fields) => fields.resource.strip_prefix("oidc-provider/").filter(|issuer| !issuer.is_empty()),
        None => (!federated.is_empty() && !federated.contains(':')).then_some(federated),
    }
}

/// The CI service of an OIDC issuer: the public issuers, and the self-hosted GitLab issuers of
/// `ci_oidc_issuers`. Issuer URLs: GitHub `token.actions.githubusercontent.com` (GitHub
/// Enterprise adds `/<enterprise>`), GitLab `gitlab.com`, Terraform Cloud `app.terraform.io`,
/// CircleCI `oidc.circleci.com/org/<org-id>`, Bitbucket
/// `api.bitbucket.org/2.0/workspaces/<workspace>/pipelines-config/identity/oidc`.
pub fn ci_issuer(issuer: &str, options: &RuleOptions) -> Option<CiIssuer> {
    let lower = issuer.to_ascii_lowercase();
    let host = lower.split('/').next().unwrap_or_default();
    match host {
        "token.actions.githubusercontent.com" => Some(CiIssuer::GitHub),
        "gitlab.com" => Some(CiIssuer::GitLab),
        "app.terraform.io" => Some(CiIssuer::TerraformCloud),
        "oidc.circleci.com" => Some(CiIssuer::CircleCi),
        "api.bitbucket.org" => Some(CiIssuer::Bitbucket),
        _ if options.ci_oidc_issuers.iter().any(|custom| custom.eq_ignore_ascii_case(issuer)) => Some(CiIssuer::GitLab),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Globs: IAM's `*` and `?` matched without expanding against the catalogue.
// ---------------------------------------------------------------------------------------------

/// Whether `text` matches the IAM glob `pattern` (`*` any run, `?` one character),
/// ignoring ASCII case as action names do. For a catalogue action name this answers the same
/// as looking for it in the pattern's expansion, without building the expansion.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    // Most calls test a name against the pattern of another service, which the first
    // character already rules out.
    if let (Some(&first), Some(&other)) = (pattern.as_bytes().first(), text.as_bytes().first())
        && first != b'*'
        && first != b'?'
        && !first.eq_ignore_ascii_case(&other)
    {
        return false;
    }
    if pattern.is_ascii() && text.is_ascii() {
        glob_slices(pattern.as_bytes(), text.as_bytes(), |a, b| a.eq_ignore_ascii_case(b), b'*', b'?')
    } else {
        let pattern: Vec<char> = pattern.chars().collect();
        let text: Vec<char> = text.chars().collect();
        glob_slices(&pattern, &text, |a, b| a.eq_ignore_ascii_case(b), '*', '?')
    }
}

/// Whether two resource patterns can name a common resource. ARNs are compared field by field,
/// as IAM matches each of the six colon-separated components separately
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN>);
/// `*` alone stands for every resource. `arn:aws:kms:*:*:key/*` and
/// `arn:aws:kms:eu-west-1:*:key/payroll-*` intersect; `…:key/app-*` and `…:key/payroll-*` do not.
pub fn resources_intersect(left: &str, right: &str) -> bool {
    if left == "*" || right == "*" {
        return true;
    }
    match (left.starts_with("arn:"), right.starts_with("arn:")) {
        (true, true) => {
            let left_fields: Vec<&str> = left.splitn(6, ':').collect();
            let right_fields: Vec<&str> = right.splitn(6, ':').collect();
            left_fields.len() == right_fields.len()
                && left_fields.iter().zip(&right_fields).all(|(l, r)| globs_intersect(l, r))
        }
        _ => globs_intersect(left, right),
    }
}

/// Whether two IAM globs (`*` any run, `?` one character) match some common text, exactly as
/// written (case matters, as it does in ARNs).
pub fn globs_intersect(left: &str, right: &str) -> bool {
    let left: Vec<char> = left.chars().collect();
    let right: Vec<char> = right.chars().collect();
    // reachable[i][j]: the first i characters of `left` and j of `right` can match one text.
    let width = right.len() + 1;
    let mut reachable = vec![false; (left.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    if let Some(cell) = reachable.get_mut(0) {
        *cell = true;
    }
    for i in 0..=left.len() {
        for j in 0..=right.len() {
            if !reachable.get(at(i, j)).copied().unwrap_or(false) {
                continue;
            }
            let (l, r) = (left.get(i).copied(), right.get(j).copied());
            let mut mark = |i: usize, j: usize| {
                if let Some(cell) = reachable.get_mut(at(i, j)) {
                    *cell = true;
                }
            };
            // A star may match nothing, or take one character of the other side (a star there
            // included, which stands for anything).
            if l == Some('*') {
                mark(i + 1, j);
                if r.is_some() {
                    mark(i, j + 1);
                }
            }
            if r == Some('*') {
                mark(i, j + 1);
                if l.is_some() {
                    mark(i + 1, j);
                }
            }
            if let (Some(l), Some(r)) = (l, r)
                && l != '*'
                && r != '*'
                && (l == '?' || r == '?' || l == r)
            {
                mark(i + 1, j + 1);
            }
        }
    }
    reachable.get(at(left.len(), right.len())).copied().unwrap_or(false)
}

fn glob_slices<T: Copy + PartialEq>(pattern: &[T], text: &[T], eq: impl Fn(&T, &T) -> bool, star: T, one: T) -> bool {
    let (mut p, mut t, mut last_star, mut mark) = (0usize, 0usize, None, 0usize);
    while t < text.len() {
        match (pattern.get(p), text.get(t)) {
            (Some(c), _) if *c == star => {
                last_star = Some(p);
                mark = t;
                p += 1;
            }
            (Some(c), Some(d)) if *c == one || eq(c, d) => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some(s) => {
                    p = s + 1;
                    mark += 1;
                    t = mark;
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).is_some_and(|rest| rest.iter().all(|c| *c == star))
}

#[cfg(test)]
mod glob_tests {
    use super::glob_matches;

    #[test]
    fn globs_match_like_iam() {
        assert!(glob_matches("iam:*", "IAM:PassRole"));
        assert!(glob_matches("*", "s3:GetObject"));
        assert!(glob_matches("iam:Pass?ole", "iam:passrole"));
        assert!(glob_matches("*:Get*", "s3:GetObject"));
        assert!(!glob_matches("iam:Get*", "iam:PassRole"));
        assert!(!glob_matches("s3:Get", "s3:GetObject"));
        assert!(glob_matches("arn:aws:s3:::é*", "arn:aws:s3:::é/x"));
        // The first character: case, `?`, other services, non-ASCII, empty sides.
        assert!(glob_matches("S3:Get*", "s3:GetObject"));
        assert!(glob_matches("?3:GetObject", "s3:getobject"));
        assert!(!glob_matches("s3:*", "iam:PassRole"));
        assert!(glob_matches("é*", "é"));
        assert!(!glob_matches("é", "e"));
        assert!(!glob_matches("", "a"));
        assert!(glob_matches("", ""));
        assert!(glob_matches("*", ""));
    }

    #[test]
    fn globs_intersect_when_some_text_matches_both() {
        use super::{globs_intersect, resources_intersect};
        assert!(resources_intersect("*", "arn:aws:kms:*:*:key/payroll-*"));
        assert!(resources_intersect("arn:aws:kms:*:*:key/*", "arn:aws:kms:eu-west-1:*:key/payroll-*"));
        assert!(resources_intersect(
            "arn:aws:kms:eu-west-1:123456789012:key/payroll-1",
            "arn:aws:kms:*:*:key/payroll-*"
        ));
        assert!(!resources_intersect("arn:aws:kms:*:*:key/app-*", "arn:aws:kms:*:*:key/payroll-*"));
        assert!(!resources_intersect("arn:aws:s3:::a", "arn:aws:s3:::b"));
        assert!(globs_intersect("a?c", "ab*"));
        assert!(!globs_intersect("abc", "ab"));
    }
}

#[cfg(test)]
mod document_tests {
    use rein_model::json::parse_policy;
    use rein_model::{DocumentOrigin, SourceSyntax, SpanMap};
    use rein_text::{FileId, TextSize};

    use super::allowed_services;

    fn services(text: &str) -> Option<Vec<String>> {
        let origin = DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None, branch: false };
        let doc = parse_policy(text, &SpanMap::identity(FileId(0), TextSize::from(0)), None, origin);
        allowed_services(&doc).map(|found| found.into_iter().map(str::to_owned).collect())
    }

    #[test]
    fn arns_split_into_six_fields() {
        use super::{ArnFields, arn_fields};
        let fields =
            |partition, service, region, account, resource| ArnFields { partition, service, region, account, resource };
        assert_eq!(arn_fields("arn:aws:s3:::b/*"), Some(fields("aws", "s3", "", "", "b/*")));
        assert_eq!(
            arn_fields("arn:aws:logs:us-east-1:123456789012:log-group:/x:*"),
            Some(fields("aws", "logs", "us-east-1", "123456789012", "log-group:/x:*"))
        );
        assert_eq!(arn_fields("arn:aws:iam::1:"), Some(fields("aws", "iam", "", "1", "")));
        for not_an_arn in ["arn:aws:s3", "arn:aws:s3::", "arn", "", "ARN:aws:s3:::b", "arnx:aws:s3:::b"] {
            assert_eq!(arn_fields(not_an_arn), None, "{not_an_arn}");
        }
    }

    #[test]
    fn allowed_services_are_the_literal_prefixes_of_allow_statements() {
        let two = r#"{"Statement":[
            {"Effect":"Allow","Action":["s3:Get*","S3:PutObject","kms:Decrypt"],"Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        assert_eq!(services(two), Some(vec!["s3".to_owned(), "kms".to_owned()]));
        for any in [
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*:Describe*","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"i?m:PassRole","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}}"#,
        ] {
            assert_eq!(services(any), None, "{any}");
        }
    }
}
