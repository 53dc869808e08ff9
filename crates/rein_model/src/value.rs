//! Values read from infrastructure code: known, partly known (a template with holes), or unknown.

use std::fmt;

/// Why a value cannot be known statically, e.g. "known only after apply".
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unknown {
    pub reason: String,
    /// The entity the value comes from, when it is a reference to another resource's attribute
    /// (`aws_iam_role.ci.arn`, `!GetAtt Role.Arn`); rules use it to link entities.
    pub reference: Option<Reference>,
    /// Set when the hole stands for one name or id (a bucket name, an account id, a partition)
    /// that never contains `:` or `/`. Typed placeholders set it, so that
    /// `arn:⟨partition⟩:s3:::⟨Bucket⟩` matches only the ARN format of a bucket, not of an object.
    pub segment: bool,
}

impl Unknown {
    pub fn new(reason: impl Into<String>) -> Self {
        Self { reason: reason.into(), reference: None, segment: false }
    }

    /// An unknown that is an attribute of another entity.
    pub fn referring(reason: impl Into<String>, reference: Reference) -> Self {
        Self { reason: reason.into(), reference: Some(reference), segment: false }
    }

    /// Marks the hole as one name or id without `:` or `/` (see [`Unknown::segment`]).
    #[must_use]
    pub fn in_segment(mut self) -> Self {
        self.segment = true;
        self
    }
}

/// A reference to an attribute of another IaC entity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The entity's address, as in [`crate::inventory::Entity::address`]: `aws_iam_role.ci`,
    /// `module.app.aws_iam_role.this`, `DeployRole`.
    pub entity: String,
    /// The attribute: `arn`, `name`, `id`, `Arn`; empty for a plain CloudFormation `Ref`.
    pub attribute: String,
}

/// One piece of a partly known string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TemplatePart {
    Text(String),
    Hole(Unknown),
}

/// A string value as a policy element holds it.
///
/// **Architecture invariant:** `Unknown` is not a wildcard. Rules never treat an unknown or a
/// hole as `*`, and never report it as if it were.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Known(String),
    /// Known text with unknown holes, e.g. `arn:aws:s3:::${var.bucket}/*`.
    Partial(Vec<TemplatePart>),
    Unknown(Unknown),
}

impl Value {
    pub fn known(text: impl Into<String>) -> Self {
        Value::Known(text.into())
    }

    pub fn as_known(&self) -> Option<&str> {
        match self {
            Value::Known(text) => Some(text),
            Value::Partial(_) | Value::Unknown(_) => None,
        }
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Value::Known(_))
    }

    /// The first reference to another entity in the value (a typed placeholder such as
    /// `arn:aws:iam::⟨self⟩:role/⟨aws_iam_role.ci⟩` refers to `aws_iam_role.ci`).
    pub fn reference(&self) -> Option<&Reference> {
        match self {
            Value::Known(_) => None,
            Value::Unknown(unknown) => unknown.reference.as_ref(),
            Value::Partial(parts) => parts.iter().find_map(|part| match part {
                TemplatePart::Hole(unknown) => unknown.reference.as_ref(),
                TemplatePart::Text(_) => None,
            }),
        }
    }

    /// Whether the value is a typed placeholder: every hole is one name or id
    /// ([`Unknown::segment`]), as in `arn:⟨partition⟩:s3:::⟨Bucket⟩`. Such a value is analysed
    /// like a known one (it matches only its type's ARN format), so it is not listed as unknown.
    pub fn is_typed_placeholder(&self) -> bool {
        match self {
            Value::Known(_) => false,
            Value::Unknown(unknown) => unknown.segment,
            Value::Partial(parts) => parts.iter().all(|part| match part {
                TemplatePart::Hole(unknown) => unknown.segment,
                TemplatePart::Text(_) => true,
            }),
        }
    }

    /// The reasons of every unknown part, in order.
    pub fn unknown_reasons(&self) -> Vec<&str> {
        match self {
            Value::Known(_) => Vec::new(),
            Value::Unknown(unknown) => vec![unknown.reason.as_str()],
            Value::Partial(parts) => parts
                .iter()
                .filter_map(|part| match part {
                    TemplatePart::Hole(unknown) => Some(unknown.reason.as_str()),
                    TemplatePart::Text(_) => None,
                })
                .collect(),
        }
    }
}

impl fmt::Display for Value {
    /// Renders holes as `⟨?⟩`, and a hole that refers to an entity as `⟨entity⟩`, for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Known(text) => f.write_str(text),
            Value::Unknown(unknown) => write_hole(f, unknown),
            Value::Partial(parts) => {
                for part in parts {
                    match part {
                        TemplatePart::Text(text) => f.write_str(text)?,
                        TemplatePart::Hole(unknown) => write_hole(f, unknown)?,
                    }
                }
                Ok(())
            }
        }
    }
}

fn write_hole(f: &mut fmt::Formatter<'_>, unknown: &Unknown) -> fmt::Result {
    match &unknown.reference {
        Some(reference) => write!(f, "\u{27e8}{}\u{27e9}", reference.entity),
        None => f.write_str("\u{27e8}?\u{27e9}"),
    }
}
