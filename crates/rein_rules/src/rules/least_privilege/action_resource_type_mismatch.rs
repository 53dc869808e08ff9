//! IAM106 `action-resource-type-mismatch`.

use std::cell::RefCell;
use std::rc::Rc;

use rein_catalog::Action;
use rein_catalog::arn::{ArnPattern, template_matches};

use crate::rules::prelude::*;
use crate::semantics::{ActionItem, action_fits, action_items, arn_fields, arn_pattern, is_effective_star};

declare_rule! {
    /// ## What it checks
    /// Statements where an action can never apply to any listed resource, because no `Resource`
    /// entry fits one of the ARN formats the action works on.
    /// Typical cases are `s3:GetObject` on a bucket ARN, `s3:ListBucket` on `bucket/*`, and an
    /// action that only accepts `"Resource": "*"` (such as `ec2:DescribeInstances`) given an ARN.
    ///
    /// A wildcard action is reported only when none of its actions fits any entry.
    /// Entries with policy variables, unknown values, effective-star entries, API Gateway's
    /// `execute-api:/…` shorthand in its resource policies, and `NotResource` are never
    /// reported.
    ///
    /// ## Why it matters
    /// The statement silently grants (or, in a Deny, denies) nothing for that action.
    /// An Allow then fails at run time in a way that is hard to trace; a Deny guardrail protects
    /// nothing, which is why a Deny is reported as an error.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "arn:aws:s3:::reports/*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ```hcl
    /// data "aws_iam_policy_document" "read" {
    ///   statement {
    ///     actions   = ["s3:GetObject"]
    ///     resources = ["arn:aws:s3:::reports"]
    ///   }
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   ReadReports:
    ///     Type: AWS::IAM::ManagedPolicy
    ///     Properties:
    ///       PolicyDocument:
    ///         Version: "2012-10-17"
    ///         Statement:
    ///           - Effect: Allow
    ///             Action: s3:GetObject
    ///             Resource: !Sub "arn:${AWS::Partition}:s3:::reports"
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::reports"},
    ///     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ```hcl
    /// data "aws_iam_policy_document" "read" {
    ///   statement {
    ///     actions   = ["s3:GetObject"]
    ///     resources = ["arn:aws:s3:::reports/*"]
    ///   }
    /// }
    /// ```
    ///
    /// ```cfn-yaml
    /// Resources:
    ///   ReadReports:
    ///     Type: AWS::IAM::ManagedPolicy
    ///     Properties:
    ///       PolicyDocument:
    ///         Version: "2012-10-17"
    ///         Statement:
    ///           - Effect: Allow
    ///             Action: s3:GetObject
    ///             Resource: !Sub "arn:${AWS::Partition}:s3:::reports/*"
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds the missing bucket or object form of an S3 ARN, or replaces the ARN
    /// of an action that only accepts `*` with `*`, which changes what the statement grants.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: Resource
    /// - Service Authorization Reference: actions, resources, and condition keys
    ActionResourceTypeMismatch {
        id: "IAM106",
        aliases: ["RESOURCE_MISMATCH", "action_resource_matching"],
        category: Invalid,
        severity: Warning,
        fix: Sometimes,
        frontends: [PolicyJson, Hcl, Cfn],
    }
}

/// The name of the resource type an ARN is, for the message (`bucket`, `object`).
fn resource_type_of(catalog: &'static rein_catalog::Catalog, pattern: &ArnPattern) -> Option<&'static str> {
    let service = catalog.service(pattern.service()?)?;
    service
        .resource_types()
        .find(|rt| rt.arn_templates().any(|template| template_matches(template, pattern)))
        .map(|rt| rt.name())
}

/// The ARN the action needs, derived from an S3 ARN of the other form.
fn s3_alternative(action: &Action<'static>, text: &str) -> Option<String> {
    let fields = arn_fields(text)?;
    if fields.service != "s3" || !fields.region.is_empty() || !fields.account.is_empty() {
        return None;
    }
    let wants_object = action.resource_types().any(|ar| ar.resource_type.name() == "object");
    let wants_bucket = action.resource_types().any(|ar| ar.resource_type.name() == "bucket");
    match fields.resource.split_once('/') {
        None if wants_object => Some(format!("{text}/*")),
        Some((bucket, "*")) if wants_bucket && !bucket.is_empty() => {
            Some(format!("arn:{}:s3:::{bucket}", fields.partition))
        }
        _ => None,
    }
}

fn describe_templates(action: &Action<'static>) -> String {
    let names: Vec<String> = action.resource_types().map(|ar| format!("`{}`", ar.resource_type.name())).collect();
    match names.len() {
        0 => "only `\"Resource\": \"*\"`".to_owned(),
        1 => format!("a {} resource", names.join("")),
        _ => format!("one of the resource types {}", names.join(", ")),
    }
}

impl Rule for ActionResourceTypeMismatch {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        let Some(effect) = stmt.effect() else { return };
        let Some(resources) = &stmt.resource else { return };
        if resources.unknown.is_some() || resources.items.is_empty() {
            return;
        }
        let catalog = ctx.catalog();
        // Entries that are unknown or effective star fit every action.
        let mut patterns = Vec::new();
        for item in &resources.items {
            // API Gateway's `execute-api:/…` names a resource of the API the policy is on.
            if is_effective_star(&item.value, catalog)
                || item.known().is_some_and(|text| crate::semantics::is_api_gateway_shorthand(doc, text))
            {
                return;
            }
            let Some(pattern) = arn_pattern(&item.value) else { return };
            // A hole that may hold anything may make the ARN fit; a hole known to be one name
            // (a typed placeholder, a partition) keeps the ARN's shape, which is checked.
            if pattern.has_unknown() {
                return;
            }
            patterns.push((item, pattern));
        }
        let items = action_items(stmt, ctx);
        for item in &items {
            report_item(item, &patterns, resources, effect, ctx);
        }
    }
}

fn report_item(
    item: &ActionItem<'_>,
    patterns: &[(&SpannedValue, Rc<ArnPattern>)],
    resources: &ValueList,
    effect: Effect,
    ctx: &mut RuleContext<'_>,
) {
    let Some(text) = item.text else { return };
    // Every action fits some resource; whether the ARN itself is valid is IAM007's question.
    if item.actions.is_empty() || item.is_all_actions() {
        return;
    }
    if !any_action_fits(text, &item.actions, patterns) {
        report_mismatch(item, text, patterns, resources, effect, ctx);
    }
}

/// The distinct ARN templates that the actions of one `Action` entry work on, and one of its
/// actions that take only `"Resource": "*"`, if any.
struct EntryTemplates {
    /// Each template with its service field when that is literal (`s3`, not `${Service}`).
    templates: Vec<(&'static str, Option<&'static str>)>,
    wildcard_only: Option<Action<'static>>,
}

/// How many entries' templates a thread keeps before it starts afresh.
const MAX_CACHED_ENTRIES: usize = 4096;

thread_local! {
    /// [`EntryTemplates`] by the entry's text: an entry like `*:Describe*` names two thousand
    /// actions but a few hundred templates, and the same entries recur across statements.
    static ENTRY_TEMPLATES: RefCell<foldhash::HashMap<Box<str>, Rc<EntryTemplates>>> =
        RefCell::new(foldhash::HashMap::default());
}

fn entry_templates(text: &str, actions: &[Action<'static>]) -> Rc<EntryTemplates> {
    ENTRY_TEMPLATES.with_borrow_mut(|cache| {
        if let Some(found) = cache.get(text) {
            return Rc::clone(found);
        }
        if cache.len() >= MAX_CACHED_ENTRIES {
            cache.clear();
        }
        // Catalogue strings are stored once, so the same template is the same slice: its
        // address and length name it.
        let mut seen: foldhash::HashSet<(usize, usize)> = foldhash::HashSet::default();
        let mut templates = Vec::new();
        for action in actions {
            for resource in action.resource_types() {
                for template in resource.resource_type.arn_templates() {
                    if seen.insert((template.as_ptr() as usize, template.len())) {
                        let service = template.split(':').nth(2).filter(|service| !service.contains("${"));
                        templates.push((template, service));
                    }
                }
            }
        }
        let wildcard_only = actions.iter().find(|action| action.is_wildcard_only()).copied();
        let entry = Rc::new(EntryTemplates { templates, wildcard_only });
        cache.insert(text.into(), Rc::clone(&entry));
        entry
    })
}

/// Whether at least one of the entry's actions can apply to one of the resources. Wildcards
/// expand to many actions that share resource types, so each distinct ARN template is tested
/// once.
fn any_action_fits(text: &str, actions: &[Action<'static>], patterns: &[(&SpannedValue, Rc<ArnPattern>)]) -> bool {
    let entry = entry_templates(text, actions);
    // Whether a wildcard-only action fits depends on the resources alone.
    if let Some(action) = &entry.wildcard_only
        && patterns.iter().any(|(value, pattern)| action_fits(action, pattern, value.known()))
    {
        return true;
    }
    entry.templates.iter().any(|(template, template_service)| {
        patterns.iter().any(|(_, pattern)| {
            // A literal service field that differs rules the template out without matching.
            let same_service = match (pattern.service(), template_service) {
                (Some(service), Some(other)) => service.eq_ignore_ascii_case(other),
                _ => true,
            };
            same_service && template_matches(template, pattern)
        })
    })
}

fn report_mismatch(
    item: &ActionItem<'_>,
    text: &str,
    patterns: &[(&SpannedValue, Rc<ArnPattern>)],
    resources: &ValueList,
    effect: Effect,
    ctx: &mut RuleContext<'_>,
) {
    let catalog = ctx.catalog();
    let (span, shown) = match patterns {
        [(value, pattern)] => {
            let kind = resource_type_of(catalog, pattern);
            let shown = match kind {
                Some(kind) => format!("`{}` (a `{kind}` ARN)", value.value),
                None => format!("`{}`", value.value),
            };
            (value.span, shown)
        }
        _ => (resources.span, "any listed resource".to_owned()),
    };
    let what = if item.is_wildcard() {
        format!("none of the actions `{text}` matches")
    } else {
        let action = item.actions.first().map_or_else(|| text.to_owned(), |a| a.full_name());
        let needs = item.actions.first().map(describe_templates).unwrap_or_default();
        format!("`{action}` needs {needs}")
    };
    let consequence = match effect {
        Effect::Allow => "so the statement grants nothing for it",
        Effect::Deny => "so the Deny blocks nothing for it",
    };
    let severity = match effect {
        Effect::Allow => Severity::Warning,
        Effect::Deny => Severity::Error,
    };
    let mut finding = ctx
        .report(span, format!("{what}, but it cannot apply to {shown}, {consequence}"))
        .severity(severity)
        .label(item.value.span, "action granted here");
    if let (false, [action], [(value, _)]) = (item.is_wildcard(), &item.actions[..], patterns) {
        if action.is_wildcard_only() {
            finding = finding.fix(
                "Use `*` for an action that accepts no resource ARN",
                Applicability::Unsafe,
                vec![PolicyEdit::ReplaceString { target: value.span, value: "*".to_owned() }],
            );
        } else if let Some(alternative) = value.known().and_then(|t| s3_alternative(action, t)) {
            let mut values: Vec<String> = resources.items.iter().map(|v| v.value.to_string()).collect();
            values.push(alternative.clone());
            finding = finding.fix(
                format!("Add `{alternative}`"),
                Applicability::Unsafe,
                vec![PolicyEdit::ReplaceWithList { target: resources.span, values }],
            );
        }
    }
    drop(finding);
}

#[cfg(test)]
mod tests {
    use rein_model::json::parse_policy;
    use rein_model::{DocumentOrigin, HoleShape, Reference, SourceSyntax, SpanMap, TemplatePart, Unknown, Value};
    use rein_text::{FileId, TextSize};

    use crate::engine::{CheckInput, Settings, check};
    use crate::testing::{RuleTest, case};

    /// `aws_s3_bucket.logs.arn` as the Terraform frontend lowers it, with `suffix` after it.
    fn bucket_placeholder(suffix: &str) -> Value {
        let reference = || Reference { entity: "aws_s3_bucket.logs".into(), attribute: "arn".into() };
        let mut parts = vec![
            TemplatePart::Text("arn:".into()),
            TemplatePart::Hole(Unknown::referring("the partition", reference()).with_shape(HoleShape::Segment)),
            TemplatePart::Text(":s3:::".into()),
            TemplatePart::Hole(Unknown::referring("the bucket name", reference()).with_shape(HoleShape::Segment)),
        ];
        if !suffix.is_empty() {
            parts.push(TemplatePart::Text(suffix.into()));
        }
        Value::Partial(parts)
    }

    fn findings_for(action: &str, resource: Value, select: &[&str]) -> Vec<rein_diagnostics::Finding> {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"{action}","Resource":"x"}}}}"#
        );
        let origin = DocumentOrigin { syntax: SourceSyntax::Structured, owner: None, attribute: None, branch: false };
        let mut doc = parse_policy(&text, &SpanMap::identity(FileId(0), TextSize::from(0)), None, origin);
        doc.statements[0].resource.as_mut().unwrap().items[0].value = resource;
        let settings = Settings { select: select.iter().map(|id| (*id).to_owned()).collect(), ..Settings::default() };
        check(&[CheckInput { document: &doc, renderer: None }], &settings)
    }

    /// Typed placeholders (RULES.md §0.2 S8) match only their type's ARN template.
    #[test]
    fn typed_placeholders_are_checked() {
        let all = ["IAM010", "IAM101", "IAM105", "IAM106"];
        let on_bucket = findings_for("s3:GetObject", bucket_placeholder(""), &all);
        assert_eq!(on_bucket.len(), 1, "{on_bucket:#?}");
        assert_eq!(on_bucket[0].rule, "IAM106");
        assert!(on_bucket[0].message.contains("(a `bucket` ARN)"), "{}", on_bucket[0].message);
        assert!(findings_for("s3:GetObject", bucket_placeholder("/*"), &all).is_empty());
        assert!(findings_for("s3:ListBucket", bucket_placeholder(""), &all).is_empty());
        assert_eq!(findings_for("s3:ListBucket", bucket_placeholder("/*"), &all).len(), 1);
        // `Action: *` on a placeholder is not full admin: the resource is one bucket.
        assert!(findings_for("*", bucket_placeholder(""), &all).is_empty());
        // An action that accepts only `*` cannot apply to a bucket.
        assert_eq!(findings_for("s3:ListAllMyBuckets", bucket_placeholder(""), &all).len(), 1);
        // A hole of unknown shape might be anything: nothing is claimed, IAM010 says so.
        let unknown = Value::Partial(vec![
            TemplatePart::Text("arn:aws:s3:::".into()),
            TemplatePart::Hole(Unknown::new("`var.bucket` has no default")),
        ]);
        let found = findings_for("s3:GetObject", unknown, &all);
        assert_eq!(found.iter().map(|f| f.rule).collect::<Vec<_>>(), ["IAM010"]);
    }

    #[test]
    fn action_resource_type_mismatch() {
        RuleTest::new(&super::ActionResourceTypeMismatch)
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
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket"}}"#),
                "`s3:GetObject` needs",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*"}}"#))
            .fail(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"arn:aws:ec2:us-east-1:123456789012:instance/i-1"}}"#,
            ))
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}}"#),
                "the Deny blocks nothing",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:iam::123456789012:role/x"}}"#))
            // Traps: wildcard-only actions on `*`, object ARNs, policy variables, star, NotResource.
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}}"#))
            .pass(case::policy_json(
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateVirtualMFADevice","Resource":"arn:aws:iam::123456789012:mfa/${aws:username}"}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b","arn:aws:s3:::*"]}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app/deploy"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"arn:aws:s3:::b"}}"#))
            .fix(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}}"#),
                r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}}"#,
            )
            .fix(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"arn:aws:iam::123456789012:user/x"}}"#),
                r#"{"Statement":{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}}"#,
            )
            .run();
    }
}
