//! Policy `Resource` patterns and their intersection with Service Authorization Reference ARN
//! templates.
//!
//! [`template_matches`] answers "is there at least one concrete ARN that both the template and
//! the policy pattern match?". Both sides are compiled to a small token automaton and the
//! product of the two is searched for an accepting state, so the cost is at most
//! O(template length × pattern length), never exponential.
//!
//! Policy side (IAM User Guide, "IAM JSON policy elements: Resource" and "policy variables"):
//! `*` matches any run (may cross `/` and `:`), `?` exactly one character, `${aws:username}` and
//! other policy variables are opaque (one or more characters within the current ARN field, so
//! never `:`), `${*}`, `${?}` and `${$}` are the literal characters, and an [`ArnPiece::Unknown`]
//! hole (an IaC reference whose value is not known statically) matches anything.
//!
//! Template side: literal characters, `${Placeholder}` = one or more characters, and a literal
//! `*` (a few templates use it) = any run. Placeholders are kept inside their ARN field:
//!
//! * a placeholder that is not the last one never matches `:`, and never matches `/` when the
//!   template continues with `/` (it is a path segment such as `${BucketName}/` or
//!   `table/${TableName}/index/`); other non-last placeholders may contain `/`
//!   (`log-group:${LogGroupName}:log-stream:`, whose group names contain `/`);
//! * the last placeholder may match both `:` and `/` (`role/${RoleNameWithPath}`,
//!   `log-group:${LogGroupName}` vs `log-group:/aws/x:*`, `function:${FunctionName}` vs a
//!   qualified `function:f:1`), except the placeholders in [`SLASH_FREE_PLACEHOLDERS`], whose
//!   real values can never contain `/` (`s3:::${BucketName}` vs `s3:::reports/*` must not match).
//!
//! When in doubt the matcher says "match": a false "no match" would make rules report
//! statements that do grant something.
//!
//! Literal comparison is case-sensitive except in the service field.

use foldhash::HashMap;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// `(service, placeholder)` pairs whose values can never contain `/`, so that as the last
/// placeholder of a template they do not swallow a path. Each entry follows the service's naming
/// rules; anything not listed is treated permissively.
pub const SLASH_FREE_PLACEHOLDERS: &[(&str, &str)] = &[
    // S3 bucket naming rules: lowercase letters, digits, dots and hyphens.
    ("s3", "BucketName"),
    // S3 access point names: lowercase letters, digits and hyphens.
    ("s3", "AccessPointName"),
    // DynamoDB table and index names: [a-zA-Z0-9_.-].
    ("dynamodb", "TableName"),
    ("dynamodb", "IndexName"),
    ("dynamodb", "GlobalTableName"),
    // Lambda function and layer names: letters, digits, hyphens and underscores.
    ("lambda", "FunctionName"),
    ("lambda", "LayerName"),
    // SQS queue names: alphanumerics, hyphens and underscores (plus `.fifo`).
    ("sqs", "QueueName"),
    // SNS topic names: alphanumerics, hyphens and underscores.
    ("sns", "TopicName"),
    // KMS key IDs are UUIDs or `mrk-` IDs (aliases, which may contain `/`, are not listed).
    ("kms", "KeyId"),
    // Kinesis stream and Firehose delivery stream names: [a-zA-Z0-9_.-].
    ("kinesis", "StreamName"),
    ("firehose", "DeliveryStreamName"),
    // ECS and EKS cluster and service names: letters, digits, hyphens and underscores.
    ("ecs", "ClusterName"),
    ("ecs", "ServiceName"),
    ("eks", "ClusterName"),
    // CodeCommit repository names: letters, digits, `.`, `_` and `-`.
    ("codecommit", "RepositoryName"),
    // Step Functions names exclude `/` explicitly.
    ("states", "StateMachineName"),
    ("states", "ActivityName"),
    // EC2 resource IDs (`i-…`, `vol-…`, `snap-…`, `sg-…`, `vpc-…`, `subnet-…`, `ami-…`, `eni-…`).
    ("ec2", "InstanceId"),
    ("ec2", "VolumeId"),
    ("ec2", "SnapshotId"),
    ("ec2", "SecurityGroupId"),
    ("ec2", "VpcId"),
    ("ec2", "SubnetId"),
    ("ec2", "ImageId"),
    ("ec2", "NetworkInterfaceId"),
];

/// One piece of a `Resource` value as a frontend sees it: literal policy text, or a hole whose
/// value is not known statically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArnPiece<'a> {
    /// Policy text; `*`, `?` and `${...}` keep their policy meaning.
    Text(&'a str),
    /// An unresolved reference (Terraform variable, `!GetAtt`, ...): matches anything.
    Unknown,
    /// A hole of a typed placeholder (the name in `arn:aws:s3:::⟨aws_s3_bucket.logs⟩`): one or
    /// more characters, never `:`, and `/` only when `slash` is true.
    Name { slash: bool },
}

/// The fields of an ARN: `arn:partition:service:region:account:resource`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArnField {
    Partition,
    Service,
    Region,
    Account,
    /// Everything after the fifth `:` (may contain further `:` and `/`).
    Resource,
}

impl ArnField {
    fn index(self) -> usize {
        match self {
            ArnField::Partition => 0,
            ArnField::Service => 1,
            ArnField::Region => 2,
            ArnField::Account => 3,
            ArnField::Resource => 4,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatTok {
    Lit(char),
    /// `?`
    AnyChar,
    /// `*`
    Star,
    /// `${aws:username}`: one or more characters, never `:`.
    Var,
    /// An unresolved hole: any run.
    Unknown,
    /// A typed placeholder's hole: one or more characters, never `:`, `/` only if `slash`.
    Name {
        slash: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct FieldInfo {
    /// Byte range of the field in [`ArnPattern::text`].
    text: std::ops::Range<usize>,
    /// The field's value when it holds only literal characters (escapes resolved).
    literal: Option<String>,
    has_unknown: bool,
}

/// A parsed policy `Resource` (or `NotResource`) value.
#[derive(Clone, PartialEq, Eq)]
pub struct ArnPattern {
    toks: Vec<PatTok>,
    /// The pattern text; unknown holes are rendered as [`UNKNOWN_TEXT`].
    text: String,
    /// `Some` when the pattern starts with the literal `arn:` and has five literal `:`.
    fields: Option<Vec<FieldInfo>>,
    has_variable: bool,
    /// Whether `toks` holds an [`PatTok::Unknown`], and any hole: asked of every pattern by
    /// every resource rule, so answered once.
    has_unknown: bool,
    has_hole: bool,
    /// The automaton steps of the pattern, compiled once: one pattern is matched against many
    /// templates.
    steps: Vec<Step>,
}

/// How an [`ArnPiece::Unknown`] hole is rendered by [`ArnPattern::text`].
pub const UNKNOWN_TEXT: &str = "{unknown}";

/// How an [`ArnPiece::Name`] hole is rendered by [`ArnPattern::text`].
pub const NAME_TEXT: &str = "{name}";

impl ArnPattern {
    /// Parses a policy value.
    pub fn parse(text: &str) -> ArnPattern {
        ArnPattern::from_pieces(&[ArnPiece::Text(text)])
    }

    /// Builds a pattern from literal pieces and unknown holes.
    pub fn from_pieces(pieces: &[ArnPiece<'_>]) -> ArnPattern {
        let mut toks = Vec::new();
        let mut tok_text: Vec<std::ops::Range<usize>> = Vec::new();
        let mut text = String::new();
        let mut has_variable = false;
        for piece in pieces {
            match piece {
                ArnPiece::Unknown => {
                    let start = text.len();
                    text.push_str(UNKNOWN_TEXT);
                    toks.push(PatTok::Unknown);
                    tok_text.push(start..text.len());
                }
                ArnPiece::Name { slash } => {
                    let start = text.len();
                    text.push_str(NAME_TEXT);
                    toks.push(PatTok::Name { slash: *slash });
                    tok_text.push(start..text.len());
                }
                ArnPiece::Text(piece) => {
                    let base = text.len();
                    text.push_str(piece);
                    let mut rest = *piece;
                    let mut offset = base;
                    while let Some(c) = rest.chars().next() {
                        let (tok, len) = match c {
                            '*' => (PatTok::Star, 1),
                            '?' => (PatTok::AnyChar, 1),
                            '$' if rest.starts_with("${") => match rest.find('}') {
                                Some(close) => {
                                    let inner = rest.get(2..close).unwrap_or("");
                                    let tok = match inner {
                                        "*" => PatTok::Lit('*'),
                                        "?" => PatTok::Lit('?'),
                                        "$" => PatTok::Lit('$'),
                                        _ => {
                                            has_variable = true;
                                            PatTok::Var
                                        }
                                    };
                                    (tok, close + 1)
                                }
                                None => (PatTok::Lit('$'), 1),
                            },
                            other => (PatTok::Lit(other), other.len_utf8()),
                        };
                        toks.push(tok);
                        tok_text.push(offset..offset + len);
                        offset += len;
                        rest = rest.get(len..).unwrap_or("");
                    }
                }
            }
        }
        let fields = split_fields(&toks, &tok_text);
        let steps = compile_pattern(&toks);
        let has_unknown = toks.contains(&PatTok::Unknown);
        let has_hole = toks.iter().any(|tok| matches!(tok, PatTok::Unknown | PatTok::Name { .. }));
        ArnPattern { toks, text, fields, has_variable, has_unknown, has_hole, steps }
    }

    /// The pattern is exactly `*`.
    pub fn is_star(&self) -> bool {
        self.toks == [PatTok::Star]
    }

    /// The pattern contains a policy variable such as `${aws:username}`.
    pub fn has_policy_variable(&self) -> bool {
        self.has_variable
    }

    /// The pattern contains an unknown hole that may stand for anything (not a typed
    /// placeholder's [`ArnPiece::Name`]).
    pub fn has_unknown(&self) -> bool {
        self.has_unknown
    }

    /// The pattern contains a hole of any kind.
    pub fn has_hole(&self) -> bool {
        self.has_hole
    }

    /// The pattern contains `*` or `?` (escapes `${*}`/`${?}` excluded).
    pub fn has_wildcard(&self) -> bool {
        self.toks.iter().any(|tok| matches!(tok, PatTok::Star | PatTok::AnyChar))
    }

    /// The pattern text (unknown holes rendered as [`UNKNOWN_TEXT`]).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The single concrete ARN the pattern denotes, when it has no wildcard, variable or hole.
    pub fn literal(&self) -> Option<String> {
        self.toks
            .iter()
            .map(|tok| match tok {
                PatTok::Lit(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// The pattern has ARN shape: literal `arn:` followed by five literal `:` separators.
    pub fn is_arn(&self) -> bool {
        self.fields.is_some()
    }

    fn field(&self, field: ArnField) -> Option<&FieldInfo> {
        self.fields.as_ref()?.get(field.index())
    }

    /// The raw text of a field as written (may contain wildcards and variables); `None` when
    /// the pattern is not an ARN or the field contains an unknown hole.
    pub fn field_text(&self, field: ArnField) -> Option<&str> {
        let info = self.field(field)?;
        if info.has_unknown {
            return None;
        }
        self.text.get(info.text.clone())
    }

    /// A field's value when it is fully literal (no wildcard, variable or hole).
    pub fn field_literal(&self, field: ArnField) -> Option<&str> {
        self.field(field)?.literal.as_deref()
    }

    /// The literal partition field, e.g. `aws`.
    pub fn partition(&self) -> Option<&str> {
        self.field_literal(ArnField::Partition)
    }

    /// The literal service field, e.g. `s3`.
    pub fn service(&self) -> Option<&str> {
        self.field_literal(ArnField::Service)
    }

    /// The literal region field (`""` for global resources).
    pub fn region(&self) -> Option<&str> {
        self.field_literal(ArnField::Region)
    }

    /// The literal account field (`""` for S3 buckets).
    pub fn account(&self) -> Option<&str> {
        self.field_literal(ArnField::Account)
    }

    /// The resource part as written (may contain wildcards and variables).
    pub fn resource(&self) -> Option<&str> {
        self.field_text(ArnField::Resource)
    }
}

impl fmt::Debug for ArnPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ArnPattern({:?})", self.text)
    }
}

impl fmt::Display for ArnPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Splits the tokens at the first five literal `:` after a literal `arn`.
fn split_fields(toks: &[PatTok], tok_text: &[std::ops::Range<usize>]) -> Option<Vec<FieldInfo>> {
    if toks.get(..4)? != [PatTok::Lit('a'), PatTok::Lit('r'), PatTok::Lit('n'), PatTok::Lit(':')] {
        return None;
    }
    let mut fields = Vec::with_capacity(5);
    let mut start = 4;
    for (idx, tok) in toks.iter().enumerate().skip(4) {
        if fields.len() < 4 && *tok == PatTok::Lit(':') {
            fields.push(field_info(toks.get(start..idx)?, tok_text.get(start..idx)?, tok_text.get(idx)?.start));
            start = idx + 1;
        }
    }
    if fields.len() < 4 {
        return None;
    }
    let end_offset = tok_text.last().map_or(0, |range| range.end);
    fields.push(field_info(toks.get(start..)?, tok_text.get(start..)?, end_offset));
    Some(fields)
}

fn field_info(toks: &[PatTok], tok_text: &[std::ops::Range<usize>], end_offset: usize) -> FieldInfo {
    let start_offset = tok_text.first().map_or(end_offset, |range| range.start);
    let literal = toks
        .iter()
        .map(|tok| match tok {
            PatTok::Lit(c) => Some(*c),
            _ => None,
        })
        .collect();
    let has_unknown = toks.iter().any(|tok| matches!(tok, PatTok::Unknown | PatTok::Name { .. }));
    FieldInfo { text: start_offset..end_offset, literal, has_unknown }
}

/// Which characters a placeholder or wildcard may produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CharClass {
    colon: bool,
    slash: bool,
}

impl CharClass {
    const ANY: CharClass = CharClass { colon: true, slash: true };

    fn allows(self, c: char) -> bool {
        match c {
            ':' => self.colon,
            '/' => self.slash,
            _ => true,
        }
    }
}

/// One automaton step. `One` consumes exactly one character of the class, `Many` any number
/// (a self-loop that can also be skipped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// A literal; `fold` = compare ASCII case-insensitively (service field).
    Lit {
        c: char,
        fold: bool,
    },
    One(CharClass),
    Many(CharClass),
}

/// A piece of an ARN template: a literal character or a `${Placeholder}` (also `{Name}`,
/// which one template uses without the `$`).
#[derive(Clone, Copy, Debug)]
enum TemplatePart<'t> {
    Char(char),
    Placeholder(&'t str),
}

fn template_parts(template: &str) -> Vec<TemplatePart<'_>> {
    let mut parts = Vec::with_capacity(template.len());
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        let body = rest.strip_prefix("${").or_else(|| rest.strip_prefix('{'));
        if let Some((name, after)) = body.and_then(|body| body.split_once('}')) {
            parts.push(TemplatePart::Placeholder(name));
            rest = after;
            continue;
        }
        parts.push(TemplatePart::Char(c));
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    parts
}

fn compile_template(template: &str) -> Vec<Step> {
    let service = template.split(':').nth(2).unwrap_or("");
    let parts = template_parts(template);
    let last_placeholder = parts.iter().rposition(|part| matches!(part, TemplatePart::Placeholder(_)));
    let mut steps = Vec::with_capacity(parts.len() + 8);
    let mut field = 0usize;
    for (part_idx, part) in parts.iter().enumerate() {
        match *part {
            TemplatePart::Placeholder(name) => {
                let slash_free =
                    SLASH_FREE_PLACEHOLDERS.iter().any(|&(svc, ph)| svc.eq_ignore_ascii_case(service) && ph == name);
                let class = if Some(part_idx) == last_placeholder {
                    CharClass { colon: true, slash: !slash_free }
                } else {
                    let next_is_slash = matches!(parts.get(part_idx + 1), Some(TemplatePart::Char('/')));
                    CharClass { colon: false, slash: !slash_free && !next_is_slash }
                };
                steps.push(Step::One(class));
                steps.push(Step::Many(class));
            }
            TemplatePart::Char('*') => steps.push(Step::Many(CharClass::ANY)),
            TemplatePart::Char(':') => {
                steps.push(Step::Lit { c: ':', fold: false });
                field += 1;
            }
            TemplatePart::Char(c) => steps.push(Step::Lit { c, fold: field == 2 }),
        }
    }
    steps
}

fn compile_pattern(toks: &[PatTok]) -> Vec<Step> {
    let no_colon = CharClass { colon: false, slash: true };
    let mut steps = Vec::with_capacity(toks.len() + 4);
    for tok in toks {
        match *tok {
            PatTok::Lit(c) => steps.push(Step::Lit { c, fold: false }),
            PatTok::AnyChar => steps.push(Step::One(CharClass::ANY)),
            PatTok::Star | PatTok::Unknown => steps.push(Step::Many(CharClass::ANY)),
            PatTok::Var => {
                steps.push(Step::One(no_colon));
                steps.push(Step::Many(no_colon));
            }
            PatTok::Name { slash } => {
                let class = CharClass { colon: false, slash };
                steps.push(Step::One(class));
                steps.push(Step::Many(class));
            }
        }
    }
    steps
}

/// Whether one character can be consumed by both steps.
fn compatible(template: Step, pattern: Step) -> bool {
    match (template, pattern) {
        (Step::Lit { c, fold }, Step::Lit { c: d, .. }) => c == d || (fold && c.eq_ignore_ascii_case(&d)),
        (Step::Lit { c, .. }, Step::One(class) | Step::Many(class))
        | (Step::One(class) | Step::Many(class), Step::Lit { c, .. }) => class.allows(c),
        // Every class admits ordinary characters such as `a`.
        _ => true,
    }
}

/// Above this many product states the search is skipped and the answer is "match" (the
/// permissive side); real policies stay far below it.
const MAX_STATES: usize = 1 << 22;

/// Whether some concrete ARN is matched both by the Service Authorization Reference `template`
/// (e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`) and by the policy `pattern`.
pub fn template_matches(template: &str, pattern: &ArnPattern) -> bool {
    if pattern.is_star() || pattern.toks == [PatTok::Unknown] {
        return true;
    }
    let (template_id, t_steps) = compiled_template(template);
    let p_steps = &pattern.steps;
    // Cheap rejection on the literal prefix both sides share (`arn:aws:s3:::` vs `arn:aws:iam::`),
    // which also keeps huge non-matching inputs from reaching the product search.
    for (t, p) in t_steps.iter().zip(p_steps) {
        match (t, p) {
            (Step::Lit { .. }, Step::Lit { .. }) if !compatible(*t, *p) => return false,
            (Step::Lit { .. }, Step::Lit { .. }) => {}
            _ => break,
        }
    }
    // A pattern without holes is its text, so the answer can be remembered by text; the holes of
    // the others are not spelled out in it.
    if pattern.has_hole() {
        return intersects(&t_steps, p_steps);
    }
    let known = TEMPLATES.with_borrow(|cache| {
        cache.matches.get(pattern.text()).and_then(|by_template| by_template.get(&template_id)).copied()
    });
    if let Some(answer) = known {
        return answer;
    }
    let answer = intersects(&t_steps, p_steps);
    TEMPLATES.with_borrow_mut(|cache| cache.remember(pattern.text(), template_id, answer));
    answer
}

/// How many compiled templates a thread keeps; the catalogue has a few thousand.
const MAX_COMPILED_TEMPLATES: usize = 8192;

/// How many remembered (pattern, template) answers a thread keeps.
const MAX_REMEMBERED_MATCHES: usize = 1 << 16;

thread_local! {
    /// Compiled templates and remembered answers: rules match the same catalogue templates
    /// against every resource of every statement, and the same resources recur across the
    /// statements and files of a configuration.
    static TEMPLATES: RefCell<Templates> = RefCell::new(Templates::default());
}

#[derive(Default)]
struct Templates {
    /// Compiled templates by their text, each with an id that is unique until the next clear.
    compiled: HashMap<Box<str>, (u32, Rc<[Step]>)>,
    /// Answers by pattern text, then by template id.
    matches: HashMap<Box<str>, HashMap<u32, bool>>,
    remembered: usize,
}

impl Templates {
    fn remember(&mut self, pattern: &str, template_id: u32, answer: bool) {
        if self.remembered >= MAX_REMEMBERED_MATCHES {
            self.matches.clear();
            self.remembered = 0;
        }
        if let Some(by_template) = self.matches.get_mut(pattern) {
            by_template.insert(template_id, answer);
        } else {
            self.matches.insert(pattern.into(), HashMap::from_iter([(template_id, answer)]));
        }
        self.remembered += 1;
    }
}

fn compiled_template(template: &str) -> (u32, Rc<[Step]>) {
    TEMPLATES.with_borrow_mut(|cache| {
        if let Some((id, steps)) = cache.compiled.get(template) {
            return (*id, Rc::clone(steps));
        }
        if cache.compiled.len() >= MAX_COMPILED_TEMPLATES {
            // Ids are reused after a clear, so the answers that name them go too.
            cache.compiled.clear();
            cache.matches.clear();
            cache.remembered = 0;
        }
        let id = u32::try_from(cache.compiled.len()).unwrap_or(u32::MAX);
        let steps: Rc<[Step]> = compile_template(template).into();
        cache.compiled.insert(template.into(), (id, Rc::clone(&steps)));
        (id, steps)
    })
}

/// Reachability of (end, end) in the product automaton.
fn intersects(t_steps: &[Step], p_steps: &[Step]) -> bool {
    let width = p_steps.len() + 1;
    let n_states = (t_steps.len() + 1).saturating_mul(width);
    if n_states > MAX_STATES {
        return true;
    }
    let mut seen = vec![false; n_states];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((t_idx, p_idx)) = stack.pop() {
        let Some(slot) = seen.get_mut(t_idx * width + p_idx) else {
            continue;
        };
        if *slot {
            continue;
        }
        *slot = true;
        let t_step = t_steps.get(t_idx).copied();
        let p_step = p_steps.get(p_idx).copied();
        if t_step.is_none() && p_step.is_none() {
            return true;
        }
        // Skipping a `Many` consumes nothing.
        if let Some(Step::Many(_)) = t_step {
            stack.push((t_idx + 1, p_idx));
        }
        if let Some(Step::Many(_)) = p_step {
            stack.push((t_idx, p_idx + 1));
        }
        if let (Some(t), Some(p)) = (t_step, p_step)
            && compatible(t, p)
        {
            let t_next = if matches!(t, Step::Many(_)) { t_idx } else { t_idx + 1 };
            let p_next = if matches!(p, Step::Many(_)) { p_idx } else { p_idx + 1 };
            if (t_next, p_next) != (t_idx, p_idx) {
                stack.push((t_next, p_next));
            }
        }
    }
    false
}

#[cfg(test)]
mod tests;
