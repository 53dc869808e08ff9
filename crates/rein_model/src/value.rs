//! Values read from infrastructure code: known, partly known (a template with holes), or unknown.

use std::fmt;

/// Why a value cannot be known statically, e.g. "known only after apply".
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unknown {
    pub reason: String,
    /// The entity the value comes from, when it is a reference to another resource's attribute
    /// (`aws_iam_role.ci.arn`, `!GetAtt Role.Arn`); rules use it to link entities.
    pub reference: Option<Reference>,
    /// What the value can look like. [`HoleShape::Any`] unless the frontend knows the value is
    /// one ARN field or a name inside a typed placeholder (RULES.md §0.2 S8).
    pub shape: HoleShape,
    /// The IAM policy variable the source wrote here without the escape its context needs
    /// (`${aws:username}` in a `Fn::Sub` template, where `${!aws:username}` is meant): the
    /// IaC tool reads it as a reference and fails, which rules can report.
    pub unescaped_variable: Option<String>,
}

/// What text a hole can stand for, as far as the frontend knows it.
///
/// A typed placeholder (`aws_s3_bucket.logs.arn` → `arn:⟨partition⟩:s3:::⟨name⟩`) has holes
/// that are never empty and never contain `:`; a name that AWS restricts further (a bucket name,
/// an account id, a region) never contains `/` either. This lets the ARN matcher keep the hole
/// inside its field, so `s3:GetObject` on a bucket placeholder is still a mismatch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HoleShape {
    /// Anything, including `*` or a whole ARN: the value is not known at all.
    #[default]
    Any,
    /// One or more characters, never `:` nor `/` (an account id, a region, a bucket name).
    Segment,
    /// One or more characters, never `:`; may contain `/` (a role name with its path, a log
    /// group name, a secret name).
    Path,
}

impl Unknown {
    pub fn new(reason: impl Into<String>) -> Self {
        Self { reason: reason.into(), reference: None, shape: HoleShape::Any, unescaped_variable: None }
    }

    /// An unknown that is an attribute of another entity.
    pub fn referring(reason: impl Into<String>, reference: Reference) -> Self {
        Self { reason: reason.into(), reference: Some(reference), shape: HoleShape::Any, unescaped_variable: None }
    }

    /// The same unknown, known to have `shape`.
    #[must_use]
    pub fn with_shape(mut self, shape: HoleShape) -> Self {
        self.shape = shape;
        self
    }

    /// The same unknown, marked as the unescaped policy variable `variable` (`aws:username`).
    #[must_use]
    pub fn unescaped_variable(mut self, variable: impl Into<String>) -> Self {
        self.unescaped_variable = Some(variable.into());
        self
    }

    /// A hole of a typed placeholder: its shape is known, so rules analyse the value around it.
    pub fn is_placeholder(&self) -> bool {
        self.shape != HoleShape::Any
    }
}

/// Whether `name` has the form of an IAM policy variable's key, `service:key` (`aws:username`,
/// `s3:prefix`, `aws:PrincipalTag/team`), which no IaC reference or parameter name has: the
/// frontends use it to tell a policy variable written where their syntax reads a reference.
pub fn is_policy_variable_name(name: &str) -> bool {
    let Some((service, key)) = name.split_once(':') else { return false };
    !service.is_empty()
        && service.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'))
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

    /// A typed placeholder (RULES.md §0.2 S8): partly known text whose every hole has a known
    /// shape, e.g. `arn:aws:s3:::⟨aws_s3_bucket.logs⟩`. Rules analyse it fully and IAM010 does
    /// not report it.
    pub fn is_typed_placeholder(&self) -> bool {
        match self {
            Value::Partial(parts) => parts.iter().all(|part| match part {
                TemplatePart::Hole(unknown) => unknown.is_placeholder(),
                TemplatePart::Text(_) => true,
            }),
            Value::Known(_) | Value::Unknown(_) => false,
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
    /// Renders holes as `⟨?⟩`, for messages. The name hole of a typed placeholder (the last hole
    /// that refers to an entity) shows the entity: `arn:⟨?⟩:s3:::⟨aws_s3_bucket.logs⟩`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Known(text) => f.write_str(text),
            Value::Unknown(unknown) => write_hole(f, unknown, true),
            Value::Partial(parts) => {
                for (idx, part) in parts.iter().enumerate() {
                    match part {
                        TemplatePart::Text(text) => f.write_str(text)?,
                        TemplatePart::Hole(unknown) => {
                            let entity = unknown.reference.as_ref().map(|r| &r.entity);
                            let later = parts.iter().skip(idx + 1).any(|other| match other {
                                TemplatePart::Hole(other) => {
                                    entity.is_some() && other.reference.as_ref().map(|r| &r.entity) == entity
                                }
                                TemplatePart::Text(_) => false,
                            });
                            write_hole(f, unknown, !later)?;
                        }
                    }
                }
                Ok(())
            }
        }
    }
}

fn write_hole(f: &mut fmt::Formatter<'_>, unknown: &Unknown, named: bool) -> fmt::Result {
    match &unknown.reference {
        Some(reference) if named => write!(f, "\u{27e8}{}\u{27e9}", reference.entity),
        _ => f.write_str("\u{27e8}?\u{27e9}"),
    }
}
