//! IAM policy documents with a span on every element.
//!
//! Field names follow the IAM JSON policy grammar
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>).

use rein_text::Span;

use crate::value::Value;

/// What a policy document is used as. Rules differ by kind (RULES.md §0.1, §0.2 S9).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// An identity-based policy: inline, managed, or a permission set's inline policy.
    Identity,
    /// A resource-based policy; `service` names the owning service prefix when known (`s3`, `kms`).
    Resource { service: Option<String> },
    /// A role trust policy.
    Trust,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// A permissions boundary.
    PermissionsBoundary,
    /// A session policy passed to `AssumeRole` and friends.
    Session,
}

impl PolicyKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource { .. } => "resource",
            PolicyKind::Trust => "trust",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
            PolicyKind::PermissionsBoundary => "boundary",
            PolicyKind::Session => "session",
        }
    }

    /// Parses the names `as_str` gives, plus a few spellings people use.
    pub fn parse(text: &str) -> Option<PolicyKind> {
        Some(match text.to_ascii_lowercase().as_str() {
            "identity" | "id" => PolicyKind::Identity,
            "resource" | "res" => PolicyKind::Resource { service: None },
            "trust" | "assume-role" => PolicyKind::Trust,
            "scp" | "service-control" => PolicyKind::Scp,
            "rcp" | "resource-control" => PolicyKind::Rcp,
            "boundary" | "permissions-boundary" | "bnd" => PolicyKind::PermissionsBoundary,
            "session" => PolicyKind::Session,
            _ => return None,
        })
    }

    /// Whether statements of this kind must name a principal.
    pub fn requires_principal(&self) -> bool {
        matches!(self, PolicyKind::Resource { .. } | PolicyKind::Trust | PolicyKind::Rcp)
    }
}

/// How the policy kind was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KindSource {
    /// From the attribute that consumes the document, or from the user.
    Declared,
    /// Guessed from the document's content (a standalone JSON file).
    Inferred,
}

/// The syntax the document was written in, so a frontend can render fixes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceSyntax {
    /// JSON text, in a file of its own or embedded byte-for-byte in another file.
    Json,
    /// JSON text embedded in a string with escapes; fixes need the owning frontend.
    EmbeddedJson,
    /// A structure built by the IaC language itself (`jsonencode`, a CFN object, a policy document block).
    Structured,
}

/// Where a document came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocumentOrigin {
    pub syntax: SourceSyntax,
    /// The owning IaC resource, e.g. `aws_iam_role.ci` or `DeployRole`; `None` for a policy file.
    pub owner: Option<String>,
    /// The consuming attribute, e.g. `assume_role_policy`.
    pub attribute: Option<String>,
    /// The document is one branch of a conditional the frontend expanded (a CloudFormation
    /// `Fn::If`): its text is shared with the other branches, so a fix that restructures it from
    /// this branch's values alone is not offered.
    pub branch: bool,
}

/// The problems met while reading a document, kept on the model so that grammar rules report them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SyntaxIssue {
    pub kind: SyntaxIssueKind,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyntaxIssueKind {
    /// Not JSON at all (reported by IAM001).
    JsonSyntax,
    /// The same key twice in one object (IAM001).
    DuplicateKey,
    /// A character IAM rejects, outside TAB/LF/CR and U+0020–U+00FF (IAM001).
    InvalidCharacter,
    /// The document is JSON but not an object (IAM001).
    NotAnObject,
    /// A key that the grammar does not know at this level (IAM002).
    UnknownKey,
    /// A value of the wrong JSON type (IAM002).
    WrongType,
    /// A required element is missing (IAM002).
    MissingElement,
    /// Two elements that exclude each other, e.g. Action and NotAction (IAM002).
    ConflictingElements,
    /// An empty list or object where values are expected (IAM002).
    EmptyElement,
}

/// Whether `Statement` (or a list element) was written as a single value or as an array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListForm {
    Single,
    Array,
}

/// A scalar with its span. For strings the span covers the literal token, quotes included.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SpannedValue {
    pub value: Value,
    pub span: Span,
}

impl SpannedValue {
    pub fn new(value: Value, span: Span) -> Self {
        Self { value, span }
    }

    pub fn known(&self) -> Option<&str> {
        self.value.as_known()
    }
}

/// The key of an element and its span, e.g. `"Action"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

/// A string-or-list element such as `Action`, `Resource`, or the values of one principal type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValueList {
    pub key: Key,
    /// The span of the whole value (the string, or the array with its brackets).
    pub span: Span,
    pub form: ListForm,
    pub items: Vec<SpannedValue>,
    /// Set when the list itself comes from an unknown value (a variable holding a list).
    pub unknown: Option<crate::value::Unknown>,
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// The type of a principal entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
    /// A key the grammar does not know, kept for IAM008.
    Other(String),
}

impl PrincipalType {
    pub fn parse(key: &str) -> PrincipalType {
        match key {
            "AWS" => PrincipalType::Aws,
            "Service" => PrincipalType::Service,
            "Federated" => PrincipalType::Federated,
            "CanonicalUser" => PrincipalType::CanonicalUser,
            other => PrincipalType::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
            PrincipalType::Other(other) => other,
        }
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PrincipalElement {
    pub key: Key,
    pub span: Span,
    pub body: PrincipalBody,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalBody {
    /// A bare string; only `"*"` is valid.
    Scalar(SpannedValue),
    /// `{"AWS": …, "Service": …}`: one value list per principal type.
    Map(Vec<(PrincipalType, ValueList)>),
    /// The value is not known statically.
    Unknown(crate::value::Unknown),
}

/// The JSON type of a condition value as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    String,
    Number,
    Bool,
    Null,
    /// An array or object where a scalar belongs.
    Compound,
}

/// One value of a condition entry. `value` holds the text (numbers and booleans as written).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionValue {
    pub kind: ScalarKind,
    pub value: SpannedValue,
}

/// The set qualifier of a condition operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

/// A condition operator split into its parts: `ForAnyValue:StringLikeIfExists` →
/// qualifier `ForAnyValue`, base `StringLike`, `if_exists`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OperatorName {
    pub qualifier: Option<SetQualifier>,
    /// The operator without qualifier and `IfExists`, as written.
    pub base: String,
    pub if_exists: bool,
}

impl OperatorName {
    pub fn parse(text: &str) -> OperatorName {
        let (qualifier, rest) = if let Some(rest) = text.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = text.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, text)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) if !base.is_empty() => (base, true),
            _ => (rest, false),
        };
        OperatorName { qualifier, base: base.to_owned(), if_exists }
    }
}

/// `"aws:SourceVpce": ["vpce-1", "vpce-2"]` inside an operator block.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionEntry {
    pub key: Key,
    /// The span of the value (scalar or array).
    pub span: Span,
    pub form: ListForm,
    pub values: Vec<ConditionValue>,
    pub unknown: Option<crate::value::Unknown>,
}

/// `"StringEquals": { … }` inside `Condition`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    pub key: Key,
    pub name: OperatorName,
    pub span: Span,
    pub entries: Vec<ConditionEntry>,
    /// Set when the operator's block of condition keys is not known statically; `entries` is empty.
    pub unknown: Option<crate::value::Unknown>,
}

/// The `Condition` element.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionBlock {
    pub key: Key,
    pub span: Span,
    pub operators: Vec<ConditionOperator>,
    /// Set when the whole `Condition` value is not known statically; `operators` is empty.
    pub unknown: Option<crate::value::Unknown>,
}

impl ConditionBlock {
    /// Every (operator, entry) pair.
    pub fn entries(&self) -> impl Iterator<Item = (&ConditionOperator, &ConditionEntry)> {
        self.operators.iter().flat_map(|op| op.entries.iter().map(move |entry| (op, entry)))
    }
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Statement {
    /// Position in the document's statement list.
    pub index: usize,
    /// The statement object.
    pub span: Span,
    pub sid: Option<SpannedValue>,
    /// The `Effect` value as written; [`Statement::effect`] interprets it.
    pub effect: Option<SpannedValue>,
    pub action: Option<ValueList>,
    pub not_action: Option<ValueList>,
    pub resource: Option<ValueList>,
    pub not_resource: Option<ValueList>,
    pub principal: Option<PrincipalElement>,
    pub not_principal: Option<PrincipalElement>,
    pub condition: Option<ConditionBlock>,
    /// Every key of the statement object in source order, for fixes that insert or remove members.
    pub keys: Vec<Key>,
}

impl Statement {
    /// The effect when it is exactly `Allow` or `Deny` (IAM is case-sensitive here).
    pub fn effect(&self) -> Option<Effect> {
        match self.effect.as_ref()?.known()? {
            "Allow" => Some(Effect::Allow),
            "Deny" => Some(Effect::Deny),
            _ => None,
        }
    }

    pub fn is_allow(&self) -> bool {
        self.effect() == Some(Effect::Allow)
    }

    pub fn is_deny(&self) -> bool {
        self.effect() == Some(Effect::Deny)
    }

    /// `Action` or `NotAction`, with a flag that tells which.
    pub fn actions(&self) -> Option<(&ValueList, bool)> {
        match (&self.action, &self.not_action) {
            (Some(list), _) => Some((list, false)),
            (None, Some(list)) => Some((list, true)),
            (None, None) => None,
        }
    }

    /// `Resource` or `NotResource`, with a flag that tells which.
    pub fn resources(&self) -> Option<(&ValueList, bool)> {
        match (&self.resource, &self.not_resource) {
            (Some(list), _) => Some((list, false)),
            (None, Some(list)) => Some((list, true)),
            (None, None) => None,
        }
    }

    /// Whether the statement has a condition, or may have one because its `Condition` is unknown.
    ///
    /// Unknown is not "no condition": a rule that reports unconditional grants must stay silent.
    pub fn has_condition(&self) -> bool {
        self.condition.as_ref().is_some_and(|block| !block.operators.is_empty() || block.unknown.is_some())
    }
}

/// One policy document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PolicyDocument {
    pub kind: PolicyKind,
    pub kind_source: KindSource,
    pub origin: DocumentOrigin,
    /// The whole document (the top-level object, or the text when it is not one).
    pub span: Span,
    pub version: Option<SpannedValue>,
    pub id: Option<SpannedValue>,
    /// The `Statement` key, when present.
    pub statement_key: Option<Key>,
    pub statement_form: ListForm,
    pub statements: Vec<Statement>,
    /// Every top-level key in source order.
    pub keys: Vec<Key>,
    /// Problems met while reading the document.
    pub issues: Vec<SyntaxIssue>,
    /// The document's length as the quotas count it, when its whole text is known.
    pub size: Option<DocumentSize>,
    /// Statements, or the whole statement list or document, that are not known statically
    /// (a `Statement` from a variable, a CloudFormation `Fn::If` in the statement list).
    pub unknown_statements: Vec<(Span, crate::value::Unknown)>,
}

/// Lengths of a document's text, in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DocumentSize {
    /// Without whitespace outside strings, as IAM counts.
    pub minified: usize,
    /// Every character, as AWS Organizations counts.
    pub total: usize,
}

impl PolicyDocument {
    /// The document's statements are unreadable: the text was not a JSON object.
    pub fn is_unreadable(&self) -> bool {
        self.issues.iter().any(|issue| matches!(issue.kind, SyntaxIssueKind::JsonSyntax | SyntaxIssueKind::NotAnObject))
    }

    /// The whole document is unknown: nothing of it could be read statically.
    pub fn is_opaque(&self) -> bool {
        self.keys.is_empty() && self.statements.is_empty() && !self.unknown_statements.is_empty()
    }

    /// Every value of the document that is not known statically, in source order: whole
    /// statements, lists, items, principals and conditions, each with the element it belongs to
    /// (`Resource`, `Principal AWS`, …) and the reason. Nothing unknown is ever dropped silently;
    /// this is what IAM010 and `rein check --show-unknown` report.
    pub fn unknowns(&self) -> Vec<UnknownValue<'_>> {
        let mut out: Vec<UnknownValue<'_>> = self
            .unknown_statements
            .iter()
            .map(|(span, unknown)| UnknownValue {
                span: *span,
                element: "Statement".to_owned(),
                reason: &unknown.reason,
            })
            .collect();
        for stmt in &self.statements {
            for list in [&stmt.action, &stmt.not_action, &stmt.resource, &stmt.not_resource].into_iter().flatten() {
                push_list(&mut out, list, &|| list.key.name.clone());
            }
            for principal in [&stmt.principal, &stmt.not_principal].into_iter().flatten() {
                match &principal.body {
                    PrincipalBody::Unknown(unknown) => out.push(UnknownValue {
                        span: principal.span,
                        element: principal.key.name.clone(),
                        reason: &unknown.reason,
                    }),
                    PrincipalBody::Map(entries) => {
                        for (_, list) in entries {
                            push_list(&mut out, list, &|| format!("{} {}", principal.key.name, list.key.name));
                        }
                    }
                    PrincipalBody::Scalar(value) => push_value(&mut out, value, &|| principal.key.name.clone()),
                }
            }
            let Some(block) = &stmt.condition else { continue };
            let condition = || block.key.name.clone();
            if let Some(unknown) = &block.unknown {
                out.push(UnknownValue { span: block.span, element: condition(), reason: &unknown.reason });
            }
            for operator in &block.operators {
                if let Some(unknown) = &operator.unknown {
                    out.push(UnknownValue { span: operator.span, element: condition(), reason: &unknown.reason });
                }
                for entry in &operator.entries {
                    // Named only for the values that are reported.
                    let element = || format!("{} {} {}", block.key.name, operator.key.name, entry.key.name);
                    if let Some(unknown) = &entry.unknown {
                        out.push(UnknownValue { span: entry.span, element: element(), reason: &unknown.reason });
                    }
                    for value in &entry.values {
                        push_value(&mut out, &value.value, &element);
                    }
                }
            }
        }
        out.sort_by_key(|unknown| (unknown.span.range.start(), unknown.span.range.end()));
        out
    }

    /// Whether any string of the document contains an IAM policy variable (`${…}`).
    pub fn uses_policy_variables(&self) -> bool {
        let has_var = |value: &SpannedValue| value.known().is_some_and(|text| text.contains("${"));
        self.statements.iter().any(|stmt| {
            let lists = [&stmt.resource, &stmt.not_resource];
            lists.iter().filter_map(|list| list.as_ref()).any(|list| list.items.iter().any(has_var))
                || stmt.condition.as_ref().is_some_and(|block| {
                    block.entries().any(|(_, entry)| entry.values.iter().any(|v| has_var(&v.value)))
                })
        })
    }
}

/// A value that is not known statically, with where it stands and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownValue<'a> {
    pub span: Span,
    /// The policy element, e.g. `Resource`, `Principal AWS`, `Condition StringEquals aws:SourceVpce`.
    pub element: String,
    pub reason: &'a str,
}

fn push_value<'a>(out: &mut Vec<UnknownValue<'a>>, value: &'a SpannedValue, element: &dyn Fn() -> String) {
    // A typed placeholder is analysed like a known value (RULES.md §0.2 S8).
    if value.value.is_typed_placeholder() {
        return;
    }
    if let Some(reason) = value.value.unknown_reasons().first() {
        out.push(UnknownValue { span: value.span, element: element(), reason });
    }
}

fn push_list<'a>(out: &mut Vec<UnknownValue<'a>>, list: &'a ValueList, element: &dyn Fn() -> String) {
    if let Some(unknown) = &list.unknown {
        out.push(UnknownValue { span: list.span, element: element(), reason: &unknown.reason });
    }
    for item in &list.items {
        push_value(out, item, element);
    }
}

/// A policy-bearing attribute or property whose document a frontend could not know statically
/// (a variable without default, an intrinsic resolved only at deploy time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPolicy {
    /// The attribute's or property's value.
    pub span: Span,
    /// The owning resource: a Terraform address or a CloudFormation logical id.
    pub owner: String,
    /// The attribute or property path, e.g. `assume_role_policy`, `Policies[0].PolicyDocument`.
    pub attribute: String,
    pub kind: PolicyKind,
    pub reason: String,
}

impl UnknownPolicy {
    /// An opaque document of the declared kind whose one unknown statement carries the reason,
    /// so that it is reported (IAM010) and listed (`--show-unknown`) like any other unknown.
    pub fn into_document(self) -> PolicyDocument {
        let origin = DocumentOrigin {
            syntax: SourceSyntax::Structured,
            owner: Some(self.owner),
            attribute: Some(self.attribute),
            branch: false,
        };
        let mut doc = PolicyDocument::empty(self.span, origin);
        doc.kind = self.kind;
        doc.kind_source = KindSource::Declared;
        doc.unknown_statements.push((self.span, crate::value::Unknown::new(self.reason)));
        doc
    }
}
