//! IAM408 `hardcoded-or-exposed-credentials`.

use rein_model::{Entity, EntityKind, Node, NodeKind, Reference, TemplatePart};
use rein_text::Span;

use super::identity_data::credentials;
use crate::engine::{Unit, UnitSource};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Credential material written into infrastructure code: access key ids, literal secret keys
    /// and session tokens, outputs that show secrets, and console passwords in templates.
    /// - an AWS access key id (`AKIA…` or `ASIA…` and 16 more letters or digits) anywhere in a
    ///   resource, provider, output or module argument: provider `access_key`, Lambda or ECS
    ///   environment, EC2 `user_data`, SSM parameter values; a 40-character secret next to it is
    ///   named too;
    /// - a literal secret key or session token: the provider's `secret_key` and `token`, or an
    ///   `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` variable;
    /// - outputs that show an access key's secret (`aws_iam_access_key` `secret` or
    ///   `ses_smtp_password_v4`) without `sensitive = true`, and template `Outputs` of
    ///   `!GetAtt <AccessKey>.SecretAccessKey` (plans are read too: their configuration records
    ///   what each root output reads);
    /// - a CloudFormation `LoginProfile.Password` written as a literal, or taken from a parameter
    ///   with a `Default` or without `NoEcho: true`.
    ///
    /// The documentation sample key `AKIAIOSFODNN7EXAMPLE` is info. References to Secrets
    /// Manager or SSM SecureString parameters, sensitive outputs and CloudFormation dynamic
    /// references (`{{resolve:secretsmanager:…}}`) are not reported.
    ///
    /// ## Why it matters
    /// Code is copied, reviewed, cached by CI and pushed to many places; a key in it is a key
    /// anyone with read access can use, from anywhere, until it is rotated. Outputs end up in CI
    /// logs and the console. A key that was committed must be treated as leaked: deactivate and
    /// rotate it, then remove it from the code (removing it alone does not clean the history).
    /// This rule reads infrastructure code only; run a secret scanner over the whole repository too.
    ///
    /// ## Example
    /// ```hcl
    /// provider "aws" {
    ///   region     = "eu-west-1"
    ///   access_key = "AKIA2EXAMPLEKEYID123"
    ///   secret_key = "q9Xv2LrT8bWm4Kc1ZsYp7Hd3Nf6Gj0Ua5Ee8Ri2O"
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   CiKey:
    ///     Type: AWS::IAM::AccessKey
    ///     Properties:
    ///       UserName: ci
    /// Outputs:
    ///   CiSecret:
    ///     Value: !GetAtt CiKey.SecretAccessKey
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// provider "aws" {
    ///   region = "eu-west-1"
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   Alice:
    ///     Type: AWS::IAM::User
    ///     Properties:
    ///       LoginProfile:
    ///         Password: "{{resolve:secretsmanager:alice-initial-password}}"
    ///         PasswordResetRequired: true
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a Terraform output that shows a secret is marked `sensitive = true`, so that plans
    /// and `terraform output` hide it; whatever reads the output in the clear (a script, a
    /// pipeline step) then gets a redacted value or must ask for it explicitly. Literal
    /// credentials get no fix: rotate the key, then remove it.
    ///
    /// ## References
    /// - AWS IAM User Guide: security best practices, require workloads to use temporary credentials
    /// - AWS IAM User Guide: manage access keys for IAM users (what to do when a key leaks)
    /// - Terraform: `sensitive` output values; AWS provider authentication and configuration
    /// - AWS CloudFormation User Guide: dynamic references, `NoEcho` parameters
    HardcodedOrExposedCredentials {
        id: "IAM408",
        aliases: ["CKV_AWS_41", "CKV_AWS_45", "CKV_AWS_46", "F51"],
        category: Suspicious,
        severity: Error,
        fix: Sometimes,
        frontends: [Hcl, Cfn],
    }
}

/// One string of an entity with the name of the setting it sits under.
struct Found<'a> {
    span: Span,
    /// The known text; holes are replaced by a character no credential contains, so that a
    /// pattern never spans a hole.
    text: String,
    /// The attribute or object member the string belongs to (`secret_key`,
    /// `AWS_SECRET_ACCESS_KEY`).
    name: &'a str,
}

/// Every string inside `node`, depth first.
fn strings<'a>(node: &'a Node, name: &'a str, out: &mut Vec<Found<'a>>) {
    match &node.kind {
        NodeKind::String(Value::Known(text)) => out.push(Found { span: node.span, text: text.clone(), name }),
        NodeKind::String(Value::Partial(parts)) => {
            let text = parts
                .iter()
                .map(|part| match part {
                    TemplatePart::Text(text) => text.as_str(),
                    TemplatePart::Hole(_) => "\u{0}",
                })
                .collect();
            out.push(Found { span: node.span, text, name });
        }
        NodeKind::Array(items) => items.iter().for_each(|item| strings(item, name, out)),
        NodeKind::Object(object) => {
            for member in &object.members {
                strings(&member.value, &member.key.name, out);
            }
        }
        _ => {}
    }
}

fn is_key_char(byte: u8) -> bool {
    byte.is_ascii_uppercase() || byte.is_ascii_digit()
}

fn is_secret_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'/' || byte == b'+'
}

/// The access key ids in `text`: a listed prefix and 16 upper-case letters or digits, not part
/// of a longer word. Returns each id with what its prefix stands for.
fn key_ids(text: &str) -> Vec<(&str, &'static str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (prefix, what) in &credentials().key_prefixes {
        let mut from = 0;
        while let Some(pos) = text.get(from..).and_then(|rest| rest.find(prefix)).map(|pos| pos + from) {
            from = pos + 1;
            let end = pos + 20;
            let before_ok = pos == 0 || bytes.get(pos - 1).is_none_or(|b| !b.is_ascii_alphanumeric());
            let after_ok = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
            let body_ok = bytes.get(pos + 4..end).is_some_and(|body| body.iter().all(|b| is_key_char(*b)));
            if before_ok
                && after_ok
                && body_ok
                && let Some(id) = text.get(pos..end)
            {
                out.push((id, *what));
            }
        }
    }
    out
}

/// Whether `text` holds a 40-character secret access key: base64 letters, not part of a longer
/// run, and not all of one kind (a hex digest or a word is not a key).
fn has_secret_key(text: &str) -> bool {
    text.as_bytes().split(|b| !is_secret_char(*b)).any(|run| {
        run.len() == 40
            && run.iter().any(u8::is_ascii_lowercase)
            && run.iter().any(u8::is_ascii_uppercase)
            && run.iter().any(u8::is_ascii_digit)
    })
}

/// `AKIA…1234`: enough to find the key, without printing it again.
fn redacted(id: &str) -> String {
    let head = id.get(..4).unwrap_or_default();
    let tail = id.get(id.len().saturating_sub(4)..).unwrap_or_default();
    format!("{head}…{tail}")
}

fn is_sample(text: &str) -> bool {
    credentials().samples.iter().any(|sample| text.contains(sample))
}

fn is_secret_name(name: &str) -> bool {
    credentials().secret_names.iter().any(|secret| secret.eq_ignore_ascii_case(name))
}

/// What a place in the unit is, for messages: "provider `aws`", "`aws_lambda_function.api`".
fn describe(entity: &Entity) -> String {
    match entity.kind {
        EntityKind::Provider => "the `aws` provider configuration".to_owned(),
        EntityKind::Output => output_name(entity),
        _ => format!("`{}`", entity.address),
    }
}

/// An output for messages: Terraform addresses say `output.` already (`output.ci_secret`); a
/// template's outputs are named by their logical id.
fn output_name(output: &Entity) -> String {
    if output.address.starts_with("output.") || output.address.contains(".output.") {
        format!("`{}`", output.address)
    } else {
        format!("output `{}`", output.address)
    }
}

/// Reports key ids and literal secrets among the strings of one place.
fn report_literals(found: &[Found<'_>], place: &str, ctx: &mut RuleContext<'_>) {
    let secret_spans: Vec<Span> = found.iter().filter(|f| has_secret_key(&f.text)).map(|f| f.span).collect();
    let mut reported: Vec<Span> = Vec::new();
    for item in found {
        let Some((id, what)) = key_ids(&item.text).into_iter().next() else { continue };
        reported.push(item.span);
        let mut finding = if is_sample(id) {
            ctx.report(
                item.span,
                format!(
                    "The documentation sample key `{id}` is written in {place}; it grants nothing, but a placeholder that does not look like a key keeps scanners quiet"
                ),
            )
            .severity(Severity::Info)
        } else {
            ctx.report(
                item.span,
                format!(
                    "{} ({what}) is written in {place}; rotate the key, then remove it from the code",
                    redacted(id)
                ),
            )
        };
        if let Some(secret) = secret_spans.iter().find(|span| **span != item.span) {
            finding = finding.label(*secret, "a secret access key next to it");
            reported.push(*secret);
        }
        drop(finding.note("take credentials from the environment, an assumed role or SSO, or from Secrets Manager"));
    }
    for item in found {
        if reported.contains(&item.span) || !is_secret_name(item.name) || item.text.trim().is_empty() {
            continue;
        }
        // A string made only of holes comes from a variable or a secret store, not the code.
        if item.text.chars().all(|c| c == '\u{0}') {
            continue;
        }
        if is_sample(&item.text) {
            ctx.report(item.span, format!("The documentation sample secret is written in {place}; it grants nothing"))
                .severity(Severity::Info);
            continue;
        }
        ctx.report(
            item.span,
            format!("A literal `{}` is written in {place}; rotate it, then remove it from the code", item.name),
        );
    }
}

/// Every reference inside `node`.
fn references(node: &Node) -> Vec<&Reference> {
    match &node.kind {
        NodeKind::String(Value::Partial(parts)) => parts
            .iter()
            .filter_map(|part| match part {
                TemplatePart::Hole(unknown) => unknown.reference.as_ref(),
                TemplatePart::Text(_) => None,
            })
            .collect(),
        NodeKind::String(value) => value.reference().into_iter().collect(),
        NodeKind::Unknown(unknown) => unknown.reference.iter().collect(),
        NodeKind::Array(items) => items.iter().flat_map(references).collect(),
        NodeKind::Object(object) => object.members.iter().flat_map(|member| references(&member.value)).collect(),
        _ => Vec::new(),
    }
}

/// The resource type of a referenced entity: from the unit, or from a Terraform address.
fn referenced_type<'u>(unit: &'u Unit<'_>, reference: &'u Reference) -> Option<&'u str> {
    if let Some(entity) = unit.entities.iter().find(|entity| entity.address == reference.entity) {
        return Some(&entity.resource_type);
    }
    if unit.source == UnitSource::CloudFormation {
        return None;
    }
    // `module.app.aws_iam_access_key.ci` → `aws_iam_access_key`.
    let mut parts: Vec<&str> = reference.entity.split('.').collect();
    parts.pop()?;
    parts.pop()
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// Outputs that show a secret attribute without `sensitive = true`.
fn report_outputs(unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
    for output in unit.entities_of(EntityKind::Output) {
        if output.bool("sensitive") == Some(true) {
            continue;
        }
        let Some(value) = output.attribute("value") else { continue };
        let exposed = references(&value.value).into_iter().find(|reference| {
            let ty = referenced_type(unit, reference);
            credentials()
                .secret_attributes
                .iter()
                .any(|(secret_ty, attribute)| Some(*secret_ty) == ty && reference.attribute == *attribute)
        });
        let Some(reference) = exposed else { continue };
        let how = if unit.source == UnitSource::CloudFormation {
            "stack outputs are shown to anyone who can describe the stack; hand the secret over through Secrets Manager"
        } else {
            "mark the output `sensitive = true`, or hand the secret over through Secrets Manager"
        };
        let finding = ctx
            .report(
                value.value.span,
                format!(
                    "{} shows `{}.{}`, a secret",
                    capitalized(&output_name(output)),
                    reference.entity,
                    reference.attribute
                ),
            )
            .note(how);
        // Template outputs have no such flag.
        if unit.source == UnitSource::Terraform {
            let edit = match output.attribute("sensitive") {
                Some(attr) => PolicyEdit::ReplaceLiteral { target: attr.value.span, literal: "true".to_owned() },
                None => PolicyEdit::insert_attribute(output.extent, "sensitive", AttributeValue::literal(true)),
            };
            finding.fix("Mark the output `sensitive = true`", Applicability::Unsafe, vec![edit]);
        }
    }
}

/// CloudFormation console passwords: literal, or from a parameter with a default or without
/// `NoEcho`.
fn report_passwords(unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
    for user in unit.entities_of(EntityKind::User) {
        let Some(profile) = user.attribute("login_profile") else { continue };
        let NodeKind::Object(object) = &profile.value.kind else { continue };
        let Some(password) = object.members.iter().find(|member| member.key.name == "Password") else { continue };
        match &password.value.kind {
            NodeKind::String(Value::Known(text)) if !text.starts_with("{{resolve:") => {
                ctx.report(
                    password.value.span,
                    format!("The console password of `{}` is written in the template", user.address),
                )
                .note("use a dynamic reference such as `{{resolve:secretsmanager:…}}`, or a `NoEcho` parameter without a default");
            }
            NodeKind::String(value) => {
                let Some(reference) = value.reference() else { continue };
                let Some(parameter) = unit
                    .entities_of(EntityKind::TemplateParameter)
                    .find(|parameter| parameter.address == reference.entity)
                else {
                    continue;
                };
                if parameter.bool("no_echo") != Some(true) {
                    ctx.report(
                        password.value.span,
                        format!(
                            "The console password of `{}` comes from parameter `{}`, which is not `NoEcho`",
                            user.address, parameter.address
                        ),
                    )
                    .label(parameter.span, "set `NoEcho: true` here")
                    .note("without `NoEcho` the password is shown in the console and by `DescribeStacks`");
                }
            }
            _ => {}
        }
    }
}

impl Rule for HardcodedOrExposedCredentials {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        for entity in &unit.entities {
            // A parameter's default reaches the code only where it is used, and is read there.
            if entity.kind == EntityKind::TemplateParameter {
                continue;
            }
            let mut found = Vec::new();
            for attribute in &entity.attributes {
                strings(&attribute.value, &attribute.name, &mut found);
            }
            report_literals(&found, &describe(entity), ctx);
        }
        for call in &unit.modules {
            let mut found = Vec::new();
            for argument in &call.arguments {
                strings(&argument.value, &argument.name, &mut found);
            }
            report_literals(&found, &format!("the arguments of `{}`", call.address), ctx);
        }
        report_outputs(unit, ctx);
        report_passwords(unit, ctx);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn hardcoded_or_exposed_credentials() {
        RuleTest::new(&super::HardcodedOrExposedCredentials)
            .fail_with(
                case::hcl(
                    r#"
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.api.arn
  environment {
    variables = {
      AWS_ACCESS_KEY_ID = "ASIA3EXAMPLEKEYID456"
    }
  }
}
"#,
                ),
                "ASIA…D456 (a temporary access key id) is written in `aws_lambda_function.api`",
            )
            .fail_with(
                case::hcl(
                    r#"
resource "aws_instance" "w" {
  ami       = "ami-0abcdef1234567890"
  user_data = "export AWS_ACCESS_KEY_ID=AKIA2EXAMPLEKEYID123"
}
"#,
                ),
                "AKIA…D123",
            )
            .fail_with(
                case::hcl(
                    r#"
resource "aws_ssm_parameter" "key" {
  name  = "/ci/key"
  type  = "String"
  value = "AKIA2EXAMPLEKEYID123"
}
"#,
                ),
                "`aws_ssm_parameter.key`",
            )
            .fail_with(
                case::hcl(
                    r#"
variable "secret" {
  default = "q9Xv2LrT8bWm4Kc1ZsYp7Hd3Nf6Gj0Ua5Ee8Ri2O"
}
provider "aws" {
  secret_key = var.secret
}
"#,
                ),
                "A literal `secret_key`",
            )
            .fail_with(
                case::hcl(
                    r#"
module "ci" {
  source     = "./ci"
  access_key = "AKIA2EXAMPLEKEYID123"
}
"#,
                ),
                "the arguments of `module.ci`",
            )
            .fail_with(
                case::hcl(
                    r#"
resource "aws_iam_access_key" "ci" {
  user = "ci"
}
output "ci_secret" {
  value = aws_iam_access_key.ci.secret
}
"#,
                ),
                "`output.ci_secret` shows `aws_iam_access_key.ci.secret`",
            )
            .fix(
                case::hcl(
                    "output \"ci_secret\" {\n  value = aws_iam_access_key.ci.secret\n}\nresource \"aws_iam_access_key\" \"ci\" {\n  user = \"ci\"\n}\n",
                ),
                "output \"ci_secret\" {\n  value     = aws_iam_access_key.ci.secret\n  sensitive = true\n}\nresource \"aws_iam_access_key\" \"ci\" {\n  user = \"ci\"\n}\n",
            )
            .fix(
                case::hcl(
                    "output \"smtp\" {\n  sensitive = false\n  value     = aws_iam_access_key.mail.ses_smtp_password_v4\n}\n",
                ),
                "output \"smtp\" {\n  sensitive = true\n  value     = aws_iam_access_key.mail.ses_smtp_password_v4\n}\n",
            )
            .fail_with(
                case::hcl(
                    r#"
output "smtp" {
  value = "${aws_iam_access_key.mail.ses_smtp_password_v4}"
}
"#,
                ),
                "ses_smtp_password_v4",
            )
            .fail_with(
                case::cfn(
                    r#"
Resources:
  CiKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: ci
Outputs:
  CiSecret:
    Value: !GetAtt CiKey.SecretAccessKey
"#,
                ),
                "Output `CiSecret` shows `CiKey.SecretAccessKey`, a secret",
            )
            .fail_with(
                case::cfn(
                    r#"
Resources:
  Alice:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: Initial-Passw0rd
"#,
                ),
                "The console password of `Alice` is written in the template",
            )
            .fail_with(
                case::cfn(
                    r#"
Parameters:
  AlicePassword:
    Type: String
Resources:
  Alice:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: !Ref AlicePassword
"#,
                ),
                "which is not `NoEcho`",
            )
            .fail_with(
                case::cfn(
                    r#"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/fn
      Environment:
        Variables:
          AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
"#,
                ),
                "documentation sample",
            )
            // Credentials from variables without defaults, secret stores and sensitive outputs.
            .pass(case::hcl(
                r#"
variable "secret" {}
provider "aws" {
  access_key = var.key
  secret_key = var.secret
}
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.api.arn
  environment {
    variables = {
      DB_PASSWORD_ARN = aws_secretsmanager_secret.db.arn
      BUILD_ID        = "AKIAXXXXXXXXXXXXXXXXXXXXXXXX"
    }
  }
}
output "ci_secret" {
  value     = aws_iam_access_key.ci.secret
  sensitive = true
}
output "ci_key_id" {
  value = aws_iam_access_key.ci.id
}
"#,
            ))
            .pass(case::cfn(
                r#"
Parameters:
  AlicePassword:
    Type: String
    NoEcho: true
Resources:
  Alice:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: !Ref AlicePassword
  Key:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Alice
Outputs:
  KeyId:
    Value: !Ref Key
"#,
            ))
            .run();
    }

    #[test]
    fn key_ids_need_the_whole_shape() {
        assert_eq!(super::key_ids("x=AKIA2EXAMPLEKEYID123;").len(), 1);
        assert!(super::key_ids("AKIA2EXAMPLEKEYID1234").is_empty());
        assert!(super::key_ids("XAKIA2EXAMPLEKEYID123").is_empty());
        assert!(super::key_ids("AKIA2example_KEYID123").is_empty());
        assert!(super::has_secret_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assert!(!super::has_secret_key("0123456789abcdef0123456789abcdef01234567"));
    }
}
