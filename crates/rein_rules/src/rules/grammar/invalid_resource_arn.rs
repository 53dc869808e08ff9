//! IAM007 `invalid-resource-arn`.

use std::cell::RefCell;
use std::rc::Rc;

use rein_catalog::Catalog;
use rein_catalog::arn::{ArnPattern, template_matches};

use crate::rules::prelude::*;
use crate::semantics::{arn_fields, has_policy_variable, has_wildcard};

declare_rule! {
    /// ## What it checks
    /// `Resource` and `NotResource` entries that are neither `*` nor a well-formed ARN of a
    /// known service: fewer than six colon-separated fields, an unknown partition, a service
    /// prefix in the wrong case or unknown, an account that is not twelve digits, or a
    /// resource part that fits none of the service's ARN formats (for example an S3 bucket ARN
    /// with a region and account).
    /// Fields holding wildcards, policy variables or values unknown until deployment are
    /// accepted, and so is `execute-api:/stage/VERB/path` in an API Gateway resource policy,
    /// which API Gateway expands to the ARN of its own API.
    ///
    /// ## Why it matters
    /// AWS rejects some of these when the policy is saved; the others match no resource, so the
    /// statement silently grants or denies nothing.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:us-east-1:123456789012:reports"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::reports"}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: dropping the region and account fields, or lowercasing the service, changes
    /// which resource the statement names.
    ///
    /// ## References
    /// - AWS General Reference: Amazon Resource Names (ARNs)
    /// - Service Authorization Reference: resource types defined by each service
    InvalidResourceArn {
        id: "IAM007",
        aliases: [
            "INVALID_ARN_PREFIX", "INVALID_ARN_SERVICE_CASE", "INVALID_PARTITION", "MISSING_ARN_FIELD", "MISSING_ARN_REGION",
            "INVALID_ARN_REGION", "INVALID_REGION", "INVALID_ARN_ACCOUNT", "ARN_ACCOUNT_NOT_ALLOWED", "ARN_REGION_NOT_ALLOWED",
            "INVALID_ARN_RESOURCE", "INVALID_ARN", "I3042"
        ],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

fn is_flexible(field: &str) -> bool {
    has_wildcard(field) || has_policy_variable(field)
}

fn valid_partition(partition: &str) -> bool {
    matches!(partition, "aws" | "aws-cn" | "aws-us-gov" | "aws-eusc")
        || partition.starts_with("aws-iso")
        || is_flexible(partition)
}

fn valid_region(region: &str) -> bool {
    if region.is_empty() || is_flexible(region) {
        return true;
    }
    // Region names look like `eu-west-1`, `us-gov-east-1` or `cn-north-1`.
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

fn valid_account(account: &str) -> bool {
    account.is_empty()
        || account == "aws"
        || is_flexible(account)
        || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
}

/// The literal keyword a resource part starts with (`role` of `role/x`, `log-group` of
/// `log-group:/aws/x`), when it has one.
fn resource_keyword(resource: &str) -> Option<&str> {
    let end = resource.find(['/', ':'])?;
    let word = resource.get(..end)?;
    (!word.is_empty() && !word.contains(['$', '*', '?'])).then_some(word)
}

/// A service's ARN templates, each with the keyword its resource part starts with.
type KeywordedTemplates = Rc<[(&'static str, Option<&'static str>)]>;

thread_local! {
    /// [`KeywordedTemplates`] by catalogue address and service prefix: every resource entry of a
    /// service is checked against the same templates, and EC2 alone has about a hundred.
    static TEMPLATES: RefCell<foldhash::HashMap<(usize, &'static str), KeywordedTemplates>> =
        RefCell::new(foldhash::HashMap::default());
}

fn templates_of(catalog: &'static Catalog, service: rein_catalog::Service<'static>) -> KeywordedTemplates {
    let key = (std::ptr::from_ref(catalog) as usize, service.prefix());
    TEMPLATES.with_borrow_mut(|cache| {
        Rc::clone(cache.entry(key).or_insert_with(|| {
            service
                .resource_types()
                .flat_map(|rt| rt.arn_templates())
                .map(|template| {
                    // The resource part follows the fifth colon.
                    let resource = template.match_indices(':').nth(4).and_then(|(at, _)| template.get(at + 1..));
                    (template, resource.and_then(resource_keyword))
                })
                .collect()
        }))
    })
}

fn check_item(item: &SpannedValue, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
    let Some(text) = item.known() else { return };
    if text == "*" || crate::semantics::is_api_gateway_shorthand(doc, text) {
        return;
    }
    if !text.starts_with("arn:") {
        if !is_flexible(text.get(..4).unwrap_or(text)) {
            ctx.report(
                item.span,
                format!("`{text}` is not `*` or an ARN (`arn:partition:service:region:account:resource`)"),
            );
        }
        return;
    }
    let Some(fields) = arn_fields(text) else {
        ctx.report(item.span, format!("ARN `{text}` has fewer than six colon-separated fields"));
        return;
    };
    if !valid_partition(fields.partition) {
        ctx.report(item.span, format!("Unknown partition `{}` in `{text}`", fields.partition));
        return;
    }
    if is_flexible(fields.service) {
        return;
    }
    let catalog = ctx.catalog();
    if fields.service.bytes().any(|b| b.is_ascii_uppercase()) {
        let fixed = text.replacen(fields.service, &fields.service.to_ascii_lowercase(), 1);
        ctx.report(item.span, format!("The service in an ARN is lowercase: `{}`", fields.service)).fix(
            "Lowercase the service",
            Applicability::Unsafe,
            vec![PolicyEdit::ReplaceString { target: item.span, value: fixed }],
        );
        return;
    }
    let Some(service) = catalog.service(fields.service) else {
        ctx.report(item.span, format!("Unknown service `{}` in `{text}`", fields.service));
        return;
    };
    if !valid_region(fields.region) {
        ctx.report(item.span, format!("`{}` is not a region name", fields.region));
        return;
    }
    if !valid_account(fields.account) {
        ctx.report(item.span, format!("The account in `{text}` must be twelve digits, not `{}`", fields.account));
        return;
    }
    let keyworded = templates_of(catalog, service);
    if keyworded.is_empty() {
        return;
    }
    let pattern = crate::semantics::parsed_arn(text);
    // When both the template's resource part and the ARN's start with a literal keyword
    // (`role/…`, `log-group:…`), the keywords must agree: a cheap test before the full match.
    let keyword = resource_keyword(fields.resource);
    let may_fit = |expected: Option<&str>| keyword.is_none() || expected.is_none() || expected == keyword;
    if keyworded.iter().any(|(template, expected)| may_fit(*expected) && template_matches(template, &pattern)) {
        return;
    }
    let templates: Vec<&'static str> = keyworded.iter().map(|(template, _)| *template).collect();
    // The commonest mistake: region or account where the service has none (S3 buckets, IAM).
    let bare = format!("arn:{}:{}:::{}", fields.partition, fields.service, fields.resource);
    let bare_fits = (!fields.region.is_empty() || !fields.account.is_empty())
        && templates.iter().any(|template| template_matches(template, &ArnPattern::parse(&bare)));
    let mut finding = ctx.report(item.span, format!("`{text}` fits none of the ARN formats of `{}`", service.prefix()));
    if bare_fits {
        finding = finding.note(format!("`{}` resources of this form have no region or account", service.prefix())).fix(
            "Drop the region and account",
            Applicability::Unsafe,
            vec![PolicyEdit::ReplaceString { target: item.span, value: bare }],
        );
    } else {
        let shown: Vec<String> = templates.iter().take(3).map(|t| format!("`{t}`")).collect();
        finding = finding.note(format!("formats include {}", shown.join(", ")));
    }
    drop(finding);
}

impl Rule for InvalidResourceArn {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        for list in [&stmt.resource, &stmt.not_resource].into_iter().flatten() {
            for item in &list.items {
                check_item(item, doc, ctx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn invalid_resource_arn() {
        RuleTest::new(&super::InvalidResourceArn)
            // API Gateway expands `execute-api:/…` to the API the policy is on; elsewhere it is no ARN.
            .pass(case::hcl(r#"resource "aws_api_gateway_rest_api" "internal" {
  name = "internal"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "execute-api:Invoke"
      Resource  = "execute-api:/*"
      Condition = { StringEquals = { "aws:SourceVpce" = "vpce-0123456789abcdef0" } }
    }]
  })
}
"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"execute-api:/*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:amazon:s3:::b/*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:S3:::b/*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::12345:role/x"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"my-bucket/*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:nosuchsvc:::x"}}"#))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["*","arn:aws:s3:::b/*","arn:*:iam::*:role/*","arn:aws:iam::123456789012:user/${aws:username}","arn:aws:iam::aws:policy/ReadOnlyAccess","arn:aws:dynamodb:eu-west-1:123456789012:table/t/index/*","arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*"]}}"#,
            ))
            .fix(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:us-east-1:123456789012:reports"}}"#),
                r#"{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::reports"}}"#,
            )
            .run();
    }
}
