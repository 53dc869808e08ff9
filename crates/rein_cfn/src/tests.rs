//! Tests of the CloudFormation frontend: fixtures under `fixtures/frontends/cfn/` dumped with
//! positions and source slices (insta snapshots), detection, intrinsics, exact-span assertions,
//! and robustness over truncated input.

use std::fmt::Write as _;

use rein_model::{PolicyDocument, PolicyKind, SourceSyntax, TemplatePart, Value};
use rein_text::{FileId, Span};

use crate::{CfnOutput, analyze_template, is_template};

const ROLES_YAML: &str = include_str!("../../../fixtures/frontends/cfn/roles.cfn.yaml");
const TEMPLATE_JSON: &str = include_str!("../../../fixtures/frontends/cfn/template.cfn.json");
const SAM_YAML: &str = include_str!("../../../fixtures/frontends/cfn/sam.cfn.yaml");
const FIXTURES: [&str; 5] = [ROLES_YAML, TEMPLATE_JSON, SAM_YAML, APP_YAML, RESOURCE_POLICIES_JSON];

fn analyze(text: &str) -> CfnOutput {
    analyze_template(FileId(0), text)
}

fn slice(text: &str, span: Span) -> &str {
    rein_text::slice(text, span.range).unwrap_or("<out of range>")
}

fn document<'a>(out: &'a CfnOutput, owner: &str, attribute: &str) -> &'a PolicyDocument {
    out.documents
        .iter()
        .find(|doc| doc.origin.owner.as_deref() == Some(owner) && doc.origin.attribute.as_deref() == Some(attribute))
        .unwrap_or_else(|| panic!("no document {owner} {attribute}: {:#?}", out.documents))
}

/// The source slices of the `Action` items of statement `idx`.
fn action_tokens<'t>(text: &'t str, doc: &PolicyDocument, idx: usize) -> Vec<&'t str> {
    let stmt = &doc.statements[idx];
    stmt.actions().unwrap().0.items.iter().map(|item| slice(text, item.span)).collect()
}

fn resource_values(doc: &PolicyDocument, idx: usize) -> Vec<Value> {
    doc.statements[idx].resources().unwrap().0.items.iter().map(|item| item.value.clone()).collect()
}

#[test]
fn detects_templates_by_content() {
    assert!(is_template(ROLES_YAML));
    assert!(is_template(TEMPLATE_JSON));
    assert!(is_template("Resources:\n  R:\n    Type: AWS::IAM::Role\n"));
    assert!(is_template("{\"Resources\": {\"R\": {\"Type\": \"AWS::S3::Bucket\"}}}"));
    assert!(!is_template("{\"Version\": \"2012-10-17\", \"Statement\": []}"));
    assert!(!is_template("resource \"aws_iam_role\" \"r\" {}\n"));
    assert!(!is_template("Resources:\n  R:\n    Type: Custom::Thing\n"));
    assert!(!is_template("key: value\nType: AWS::S3::Bucket\n"));
}

#[test]
fn yaml_role_documents_have_kinds_owners_and_exact_spans() {
    let text = ROLES_YAML;
    let out = analyze(text);
    assert_eq!(out.issues, vec![]);

    let trust = document(&out, "AppRole", "AssumeRolePolicyDocument");
    assert_eq!(trust.kind, PolicyKind::Trust);
    assert_eq!(trust.origin.syntax, SourceSyntax::Structured);
    assert_eq!(action_tokens(text, trust, 0), ["sts:AssumeRole"]);
    assert!(trust.issues.is_empty(), "{:#?}", trust.issues);

    let inline = document(&out, "AppRole", "Policies[0].PolicyDocument");
    assert_eq!(inline.kind, PolicyKind::Identity);
    assert!(inline.issues.is_empty(), "{:#?}", inline.issues);
    assert_eq!(action_tokens(text, inline, 0), ["s3:GetObject", "'s3:PutObject'"]);
    assert_eq!(action_tokens(text, inline, 1), ["\"s3:DeleteObject\""]);
    assert_eq!(inline.version.as_ref().and_then(|v| v.known()), Some("2012-10-17"));

    let resources = &inline.statements[0].resources().unwrap().0.items;
    // `AWS::NoValue` removes the item.
    assert_eq!(resources.len(), 3);
    assert_eq!(slice(text, resources[0].span), "arn:${AWS::Partition}:s3:::${BucketName}/${!aws:username}/*");
    let Value::Partial(parts) = &resources[0].value else { panic!("{:?}", resources[0].value) };
    assert!(matches!(&parts[0], TemplatePart::Text(t) if t == "arn:"));
    assert!(matches!(&parts[1], TemplatePart::Hole(u) if u.reason.contains("AWS::Partition")));
    assert!(matches!(&parts[2], TemplatePart::Text(t) if t == ":s3:::app-data/${aws:username}/*"));
    assert_eq!(slice(text, resources[1].span), "\"arn:aws:s3:::${BucketName}\"");
    assert_eq!(resources[1].value, Value::known("arn:aws:s3:::app-data"));
    assert_eq!(slice(text, resources[2].span), "!GetAtt Bucket.Arn");
    // A typed placeholder: the ARN of a bucket, with holes for the partition and the name.
    let Value::Partial(parts) = &resources[2].value else { panic!("{:?}", resources[2].value) };
    let [TemplatePart::Text(arn), TemplatePart::Hole(partition), TemplatePart::Text(service), TemplatePart::Hole(name)] =
        parts.as_slice()
    else {
        panic!("{parts:?}")
    };
    assert_eq!((arn.as_str(), service.as_str()), ("arn:", ":s3:::"));
    assert!(
        partition.shape == rein_model::HoleShape::Segment
            && partition.reference.is_none()
            && partition.reason.contains("AWS::Partition")
    );
    assert!(name.shape == rein_model::HoleShape::Segment && name.reason.contains("AWS::S3::Bucket"), "{}", name.reason);
    let reference = resources[2].value.reference().unwrap();
    assert_eq!((reference.entity.as_str(), reference.attribute.as_str()), ("Bucket", "Arn"));

    // The list form of `Fn::Sub`: a variable from its map, a parameter without default.
    let deny = resource_values(inline, 1);
    let Value::Partial(parts) = &deny[0] else { panic!("{:?}", deny[0]) };
    assert!(matches!(&parts[0], TemplatePart::Text(t) if t == "arn:aws:s3:::app-data/"));
    assert!(matches!(&parts[1], TemplatePart::Hole(u) if u.reason.contains("`Stage` has no default")));

    // The `Fn::If` policy of the list is read in its true branch and named so; the false branch
    // is `AWS::NoValue`, no policy.
    let prod = document(&out, "AppRole", "Policies[1].PolicyDocument (if IsProd: true)");
    assert_eq!(slice(text, prod.span), "{}");
    assert!(
        !out.documents.iter().any(|doc| doc.origin.attribute.as_deref().is_some_and(|a| a.contains("IsProd: false")))
    );
    assert!(!out.unknown_policies.iter().any(|p| p.owner == "AppRole"));
}

#[test]
fn yaml_joins_aliases_and_flow_mappings() {
    let text = ROLES_YAML;
    let out = analyze(text);
    let managed = document(&out, "DataPolicy", "PolicyDocument");
    assert_eq!(managed.kind, PolicyKind::Identity);
    assert_eq!(action_tokens(text, managed, 0), ["\"s3:ListBucket\"", "s3:GetBucketLocation"]);
    // The alias copies the anchored list with its spans.
    assert_eq!(action_tokens(text, managed, 1), ["\"s3:ListBucket\"", "s3:GetBucketLocation"]);
    assert_eq!(resource_values(managed, 0), [Value::known("arn:aws:s3:::app-data")]);
    let Value::Partial(parts) = &resource_values(managed, 1)[0] else { panic!() };
    assert_eq!(parts.len(), 3);

    let bucket = document(&out, "BucketPolicy", "PolicyDocument");
    assert_eq!(bucket.kind, PolicyKind::Resource { service: Some("s3".to_owned()) });
    assert!(bucket.issues.is_empty(), "{:#?}", bucket.issues);
    assert_eq!(action_tokens(text, bucket, 0), ["\"s3:*\""]);
    let resource = &bucket.statements[0].resources().unwrap().0.items[0];
    assert_eq!(slice(text, resource.span), "\"${Bucket.Arn}/*\"");
    // `arn:`, the partition, `:s3:::`, the bucket name and `/*`.
    assert!(matches!(&resource.value, Value::Partial(parts) if parts.len() == 5));
    let condition = bucket.statements[0].condition.as_ref().unwrap();
    let (_, entry) = condition.entries().next().unwrap();
    assert_eq!(slice(text, entry.key.span), "\"aws:SecureTransport\"");
    assert_eq!(slice(text, entry.values[0].value.span), "false");

    let scp = document(&out, "Scp", "Content");
    assert_eq!(scp.kind, PolicyKind::Scp);
    assert_eq!(action_tokens(text, scp, 0), ["\"organizations:LeaveOrganization\""]);
}

#[test]
fn yaml_literal_block_json_maps_to_the_file() {
    let text = ROLES_YAML;
    let out = analyze(text);
    let key = document(&out, "Key", "KeyPolicy");
    assert_eq!(key.kind, PolicyKind::Resource { service: Some("kms".to_owned()) });
    assert_eq!(key.origin.syntax, SourceSyntax::EmbeddedJson);
    assert!(key.issues.is_empty(), "{:#?}", key.issues);
    assert_eq!(action_tokens(text, key, 0), ["\"kms:*\""]);
    let principal = key.statements[0].principal.as_ref().unwrap();
    assert_eq!(slice(text, principal.key.span), "\"Principal\"");
}

#[test]
fn unknown_policy_values_are_reported() {
    let out = analyze(ROLES_YAML);
    let queue = out.unknown_policies.iter().find(|p| p.owner == "Queue").unwrap();
    assert_eq!(queue.attribute, "PolicyDocument");
    assert_eq!(queue.kind, PolicyKind::Resource { service: Some("sqs".to_owned()) });
    assert!(queue.reason.contains("ImportValue"), "{}", queue.reason);
    assert_eq!(slice(ROLES_YAML, queue.span), "!ImportValue shared-queue-policy");
}

#[test]
fn json_template_documents() {
    let text = TEMPLATE_JSON;
    let out = analyze(text);
    assert_eq!(out.issues, vec![]);
    let user = document(&out, "Deployer", "Policies[0].PolicyDocument");
    assert_eq!(user.kind, PolicyKind::Identity);
    assert!(user.issues.is_empty(), "{:#?}", user.issues);
    assert_eq!(action_tokens(text, user, 0), ["\"sns:Publish\"", "\"iam:PassRole\""]);
    let resources = resource_values(user, 0);
    // `Ref` of a topic is its ARN.
    assert_eq!(
        resources[0].to_string(),
        "arn:\u{27e8}?\u{27e9}:sns:\u{27e8}?\u{27e9}:\u{27e8}?\u{27e9}:\u{27e8}Topic\u{27e9}"
    );
    assert_eq!(resources[0].reference().map(|r| (r.entity.as_str(), r.attribute.as_str())), Some(("Topic", "")));
    assert!(matches!(&resources[1], Value::Partial(_)));
    assert_eq!(resources[2], Value::known("arn:aws:iam::123456789012:role/app"));
    let items = &user.statements[0].resources().unwrap().0.items;
    assert_eq!(slice(text, items[2].span), "\"arn:aws:iam::123456789012:role/${Prefix}\"");

    let topic = document(&out, "TopicPolicy", "PolicyDocument");
    assert_eq!(topic.kind, PolicyKind::Resource { service: Some("sns".to_owned()) });
    assert!(topic.issues.is_empty(), "{:#?}", topic.issues);
    // Escaped JSON in a JSON string maps back through the escapes.
    assert_eq!(action_tokens(text, topic, 0), ["\\\"sns:Subscribe\\\""]);
}

#[test]
fn yaml_double_quoted_json_maps_through_escapes() {
    let text = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: \"{\\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\", \\\"Principal\\\": \\\"*\\\", \\\"Action\\\": \\\"kms:Decrypt\\\", \\\"Resource\\\": \\\"*\\\"}]}\"\n";
    let out = analyze(text);
    let key = document(&out, "K", "KeyPolicy");
    assert_eq!(action_tokens(text, key, 0), ["\\\"kms:Decrypt\\\""]);
}

#[test]
fn syntax_errors_are_located_and_keep_the_part_before() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: [\"*\"\n  Bad: {\n";
    let out = analyze(text);
    assert_eq!(out.issues.len(), 1, "{:?}", out.issues);
    let (span, message) = &out.issues[0];
    assert!(message.starts_with("yaml syntax error"), "{message}");
    assert!(usize::from(span.range.start()) > text.find("Resource:").unwrap());
    let doc = document(&out, "P", "PolicyDocument");
    assert_eq!(action_tokens(text, doc, 0), ["s3:GetObject"]);

    let out = analyze("{\"Resources\": {\"P\": ");
    assert_eq!(out.issues.len(), 1);
    assert!(out.issues[0].1.starts_with("json syntax error"));

    // A JSON template cut short still yields the documents before the cut.
    let cut = TEMPLATE_JSON.find("\"TopicPolicy\"").unwrap();
    let out = analyze(&TEMPLATE_JSON[..cut]);
    assert_eq!(out.issues.len(), 1, "{:?}", out.issues);
    let user = document(&out, "Deployer", "Policies[0].PolicyDocument");
    assert_eq!(action_tokens(&TEMPLATE_JSON[..cut], user, 0), ["\"sns:Publish\"", "\"iam:PassRole\""]);
}

#[test]
fn spans_after_non_ascii_text_are_bytes() {
    let text = "Description: \u{00e9}\u{1f680}\u{65e5}\nResources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - {Effect: Allow, Action: [\"\u{00e9}:x\", iam:Get*], Resource: '*'}\n";
    let out = analyze(text);
    let doc = document(&out, "P", "PolicyDocument");
    assert_eq!(action_tokens(text, doc, 0), ["\"\u{00e9}:x\"", "iam:Get*"]);
    assert_eq!(slice(text, doc.statements[0].resources().unwrap().0.items[0].span), "'*'");
}

#[test]
fn alias_bombs_are_bounded() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for idx in 1..12 {
        let prev = idx - 1;
        text.push_str(&format!("a{idx}: &a{idx} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
    }
    let out = analyze(&text);
    assert!(out.issues.iter().any(|(_, message)| message.contains("too many nodes")));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("Resources: {}{}", "[".repeat(10_000), "]".repeat(10_000));
    let out = analyze(&text);
    assert!(!out.issues.is_empty());
    let text = format!("{{\"Resources\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let _ = analyze(&text);
}

#[test]
fn every_prefix_at_a_line_boundary_is_read_without_panic() {
    for fixture in FIXTURES {
        let mut end = 0;
        for line in fixture.split_inclusive('\n') {
            end += line.len();
            let prefix = &fixture[..end];
            let out = analyze(prefix);
            let _ = is_template(prefix);
            for doc in &out.documents {
                assert!(rein_text::slice(prefix, doc.span.range).is_some());
                for stmt in &doc.statements {
                    if let Some((list, _)) = stmt.actions() {
                        for item in &list.items {
                            assert!(rein_text::slice(prefix, item.span.range).is_some());
                        }
                    }
                }
            }
            for (span, _) in &out.issues {
                assert!(rein_text::slice(prefix, span.range).is_some(), "{span:?} in {prefix:?}");
            }
        }
    }
}

#[test]
fn sam_function_inline_statements() {
    let text = SAM_YAML;
    let out = analyze(text);
    assert!(out.serverless);
    assert!(!analyze(ROLES_YAML).serverless);
    assert_eq!(out.issues, vec![]);
    let inline = document(&out, "ThumbnailFunction", "Policies[2]");
    assert_eq!(inline.kind, PolicyKind::Identity);
    assert!(inline.issues.is_empty(), "{:#?}", inline.issues);
    assert_eq!(action_tokens(text, inline, 0), ["dynamodb:PutItem", "dynamodb:GetItem"]);
    let Value::Partial(parts) = &resource_values(inline, 0)[0] else { panic!() };
    assert!(parts.iter().any(|part| matches!(part, TemplatePart::Text(t) if t == ":table/images")));

    // A managed policy name is not a document; a policy template is expanded into its statements,
    // its resources pointing at the parameter value.
    assert_eq!(out.documents.iter().filter(|doc| doc.origin.owner.as_deref() == Some("ThumbnailFunction")).count(), 2);
    let template = document(&out, "ThumbnailFunction", "Policies[1] (S3ReadPolicy)");
    assert!(template.issues.is_empty(), "{:#?}", template.issues);
    assert_eq!(action_tokens(text, template, 0), ["S3ReadPolicy"; 5]);
    let resources = &template.statements[0].resources().unwrap().0.items;
    assert_eq!(slice(text, resources[0].span), "!Ref SourceBucket");
    assert_eq!(resources[1].value.to_string(), "arn:\u{27e8}?\u{27e9}:s3:::\u{27e8}SourceBucket\u{27e9}/*");
    assert!(resources[1].value.is_typed_placeholder());
    assert!(!out.unknown_policies.iter().any(|p| p.owner == "ThumbnailFunction"));
}

fn dump(name: &str, text: &str) -> String {
    let texts = [(name.to_owned(), text.to_owned())];
    let output = analyze(text);
    let mut out = rein_model::dump::dump_model(&texts, &output.documents, &output.unknown_policies, &output.issues);
    writeln!(out, "serverless: {}", output.serverless).unwrap();
    out
}

#[test]
fn snapshot_roles_yaml() {
    insta::assert_snapshot!(dump("roles.cfn.yaml", ROLES_YAML));
}

#[test]
fn snapshot_template_json() {
    insta::assert_snapshot!(dump("template.cfn.json", TEMPLATE_JSON));
}

#[test]
fn snapshot_sam_yaml() {
    insta::assert_snapshot!(dump("sam.cfn.yaml", SAM_YAML));
}

#[test]
fn every_prefix_at_a_char_boundary_is_read_without_panic() {
    for fixture in [SAM_YAML, TEMPLATE_JSON] {
        for (end, _) in fixture.char_indices() {
            let prefix = &fixture[..end];
            let out = analyze(prefix);
            for doc in &out.documents {
                assert!(rein_text::slice(prefix, doc.span.range).is_some());
            }
            for unknown in &out.unknown_policies {
                assert!(rein_text::slice(prefix, unknown.span.range).is_some());
            }
        }
    }
}

#[test]
fn duplicate_keys_and_grammar_issues_point_into_yaml() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Effect: Deny\n            Actions: s3:GetObject\n";
    let out = analyze(text);
    let doc = document(&out, "P", "PolicyDocument");
    let issues: Vec<(&str, &str)> =
        doc.issues.iter().map(|issue| (slice(text, issue.span), issue.message.as_str())).collect();
    assert!(issues.iter().any(|(token, _)| *token == "Effect"), "{issues:?}");
    assert!(issues.iter().any(|(token, _)| *token == "Actions"), "{issues:?}");
}

#[test]
fn find_in_map_and_select_with_known_arguments() {
    let text = "Mappings:\n  Env:\n    prod:\n      Bucket: arn:aws:s3:::prod-data\nParameters:\n  Env:\n    Type: String\n    Default: prod\nResources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: !Select [1, [s3:PutObject, s3:GetObject]]\n            Resource:\n              - !FindInMap [Env, !Ref Env, Bucket]\n              - !FindInMap [Env, dev, Bucket]\n              - !Select [0, !Ref Names]\n";
    let out = analyze(text);
    let doc = document(&out, "P", "PolicyDocument");
    assert_eq!(action_tokens(text, doc, 0), ["s3:GetObject"]);
    let resources = &doc.statements[0].resources().unwrap().0;
    assert_eq!(resources.items[0].value, Value::known("arn:aws:s3:::prod-data"));
    assert_eq!(slice(text, resources.items[0].span), "arn:aws:s3:::prod-data");
    assert_eq!(resources.items.len(), 3, "{resources:#?}");
    assert!(matches!(&resources.items[1].value, Value::Unknown(u) if u.reason.contains("Env.dev.Bucket")));
}

#[test]
fn self_referencing_defaults_do_not_recurse() {
    let text = "Parameters:\n  A:\n    Type: String\n    Default: !Join ['', [!Ref A, !Ref A]]\nMappings:\n  M:\n    k:\n      v: !Join ['', [!FindInMap [M, k, v], !FindInMap [M, k, v]]]\nResources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: [!Ref A, !FindInMap [M, k, v]]\n            Resource: '*'\n";
    let out = analyze(text);
    let doc = document(&out, "P", "PolicyDocument");
    let actions = &doc.statements[0].actions().unwrap().0.items;
    assert!(matches!(&actions[0].value, Value::Unknown(u) if u.reason.contains("not a literal")), "{actions:?}");
    assert!(matches!(&actions[1].value, Value::Unknown(u) if u.reason.contains("not a literal")), "{actions:?}");
}

#[test]
fn more_resource_policies_by_type() {
    let cases = [
        ("AWS::SSO::PermissionSet", "InlinePolicy", PolicyKind::Identity),
        ("AWS::OpenSearchService::Domain", "AccessPolicies", PolicyKind::Resource { service: Some("es".to_owned()) }),
        ("AWS::Logs::ResourcePolicy", "PolicyDocument", PolicyKind::Resource { service: Some("logs".to_owned()) }),
        (
            "AWS::EFS::FileSystem",
            "FileSystemPolicy",
            PolicyKind::Resource { service: Some("elasticfilesystem".to_owned()) },
        ),
        ("AWS::ApiGateway::RestApi", "Policy", PolicyKind::Resource { service: Some("execute-api".to_owned()) }),
        ("AWS::Organizations::Policy", "Content", PolicyKind::Rcp),
    ];
    for (ty, property, kind) in cases {
        let text = format!(
            "Resources:\n  R:\n    Type: {ty}\n    Properties:\n      Type: RESOURCE_CONTROL_POLICY\n      {property}:\n        Statement: [{{Effect: Deny, Principal: '*', Action: 's3:*', Resource: '*'}}]\n"
        );
        let out = analyze(&text);
        let doc = document(&out, "R", property);
        assert_eq!(doc.kind, kind, "{ty}");
        assert_eq!(action_tokens(&text, doc, 0), ["'s3:*'"], "{ty}");
    }
    // Tag policies are not IAM policies.
    let text = "Resources:\n  R:\n    Type: AWS::Organizations::Policy\n    Properties:\n      Type: TAG_POLICY\n      Content: {tags: {}}\n";
    assert!(analyze(text).documents.is_empty());
}

#[test]
fn yaml_after_a_syntax_error_is_still_read() {
    let text = "Resources:\n  Broken:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: {Statement: [\n  Later:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: '*'\n";
    let out = analyze(text);
    assert_eq!(out.issues.len(), 1, "{:?}", out.issues);
    let doc = document(&out, "Later", "PolicyDocument");
    assert_eq!(action_tokens(text, doc, 0), ["s3:GetObject"]);

    // A key typed without its colon yet.
    let text = "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Acti\n            Action: s3:GetObject\n            Resource: '*'\n";
    let out = analyze(text);
    assert_eq!(out.issues.len(), 1, "{:?}", out.issues);
    let doc = document(&out, "P", "PolicyDocument");
    assert_eq!(action_tokens(text, doc, 0), ["s3:GetObject"]);
}

#[test]
fn byte_order_marks_and_crlf_are_read() {
    let yaml = "\u{feff}Resources:\r\n  P:\r\n    Type: AWS::IAM::Policy\r\n    Properties:\r\n      PolicyDocument:\r\n        Statement:\r\n          - {Effect: Allow, Action: s3:GetObject, Resource: '*'}\r\n";
    let json = "\u{feff}{\"Resources\": {\"P\": {\"Type\": \"AWS::IAM::Policy\", \"Properties\": {\"PolicyDocument\": {\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}}}}}";
    for (text, token) in [(yaml, "s3:GetObject"), (json, "\"s3:GetObject\"")] {
        assert!(is_template(text));
        let out = analyze(text);
        assert_eq!(out.issues, vec![], "{text:?}");
        let doc = document(&out, "P", "PolicyDocument");
        assert_eq!(action_tokens(text, doc, 0), [token]);
    }
}

const APP_YAML: &str = include_str!("../../../fixtures/frontends/cfn/app.cfn.yaml");

fn dump_entities(name: &str, text: &str) -> String {
    let texts = [(name.to_owned(), text.to_owned())];
    let output = analyze(text);
    rein_model::dump::dump_inventory(&texts, &output.entities, &[], &output.suppressions)
}

#[test]
fn snapshot_app_yaml() {
    insta::assert_snapshot!(dump("app.cfn.yaml", APP_YAML));
}

#[test]
fn snapshot_app_yaml_inventory() {
    insta::assert_snapshot!(dump_entities("app.cfn.yaml", APP_YAML));
}

#[test]
fn if_branches_are_read_once_each_and_named() {
    let text = APP_YAML;
    let out = analyze(text);
    assert_eq!(out.issues, vec![]);
    // A statement element under `Fn::If`: one document per branch, each with exact spans.
    let prod = document(&out, "OrdersFunction", "Policies[3] (if IsProd: true)");
    let dev = document(&out, "OrdersFunction", "Policies[3] (if IsProd: false)");
    let resource =
        |doc: &PolicyDocument| slice(text, doc.statements[0].resources().unwrap().0.items[0].span).to_owned();
    assert_eq!(resource(prod), "\"${ArchiveBucket.Arn}/orders/*\"");
    assert_eq!(resource(dev), "\"${ArchiveBucket.Arn}/dev/*\"");
    // A statement under `Fn::If` with `AWS::NoValue`: present in one branch only.
    let with_key = document(&out, "ReportRole", "Policies[0].PolicyDocument (if IsProd: true)");
    let without = document(&out, "ReportRole", "Policies[0].PolicyDocument (if IsProd: false)");
    assert_eq!((with_key.statements.len(), without.statements.len()), (2, 1));
    // A document without `Fn::If` keeps its plain attribute.
    document(&out, "ReportReadPolicy", "PolicyDocument");
}

#[test]
fn sam_role_globals_and_state_machines() {
    let out = analyze(APP_YAML);
    // `Role` set: SAM ignores `Policies` and generates no role.
    assert!(!out.documents.iter().any(|doc| doc.origin.owner.as_deref() == Some("ReportFunction")));
    assert!(!out.entities.iter().any(|entity| entity.address == "ReportFunctionRole"));
    let report = out.entities.iter().find(|entity| entity.address == "ReportFunction").unwrap();
    assert_eq!(report.references("role")[0].entity, "ReportRole");
    // No `Role`: the generated role has the managed policy and the boundary from `Globals`.
    let role = out.entities.iter().find(|entity| entity.address == "OrdersFunctionRole").unwrap();
    assert_eq!(role.items("managed_policy_arns").len(), 1);
    assert!(role.attribute("permissions_boundary").is_some());
    let function = out.entities.iter().find(|entity| entity.address == "OrdersFunction").unwrap();
    assert_eq!(function.references("role")[0].entity, "OrdersFunctionRole");
    // A state machine's policy template.
    let invoke = document(&out, "Pipeline", "Policies[0] (LambdaInvokePolicy)");
    let resource = &invoke.statements[0].resources().unwrap().0.items[0].value;
    assert_eq!(resource.reference().map(|r| r.entity.as_str()), Some("OrdersFunction"));
}

#[test]
fn entities_carry_references_and_conditions() {
    use rein_model::EntityKind;
    let out = analyze(APP_YAML);
    let entity = |address: &str| out.entities.iter().find(|entity| entity.address == address).unwrap();
    let policy = entity("ReportReadPolicy");
    assert_eq!(policy.kind, EntityKind::ManagedPolicy);
    assert_eq!(policy.references("roles")[0].entity, "ReportRole");
    let role = entity("ReportRole");
    assert_eq!(role.number("max_session_duration"), Some(3600.0));
    let managed = role.references("managed_policy_arns");
    assert_eq!(managed.len(), 1);
    assert_eq!(managed[0].entity, "ReportReadPolicy");
    let trail = entity("AuditTrail");
    assert_eq!(trail.kind, EntityKind::CloudTrail);
    assert_eq!(trail.bool("is_multi_region_trail"), Some(true));
    assert_eq!(trail.bool("enable_logging"), Some(true));
    assert!(trail.conditional.as_deref().is_some_and(|why| why.contains("IsProd")));
    assert!(entity("Auditors").conditional.is_none());
    assert_eq!(entity("AuditorKey").references("user")[0].entity, "AuditorKeyUser");
    assert_eq!(entity("AuditKey").number("deletion_window_in_days"), Some(30.0));
}

#[test]
fn metadata_suppressions_cover_their_resource() {
    use rein_model::{SuppressionScope, SuppressionSyntax};
    let text = APP_YAML;
    let out = analyze(text);
    let rules: Vec<(&str, Option<&str>, SuppressionSyntax)> =
        out.suppressions.iter().map(|s| (s.rule.as_str(), s.reason.as_deref(), s.syntax)).collect();
    assert_eq!(
        rules,
        [
            ("W35", Some("Access logs go to the central logging account."), SuppressionSyntax::CfnNag),
            ("CKV_AWS_18", Some("Same as above."), SuppressionSyntax::Checkov),
            ("IAM105", Some("The function lists queues by design."), SuppressionSyntax::Rein),
            ("IAM104", None, SuppressionSyntax::Rein),
        ]
    );
    let SuppressionScope::Range(range) = out.suppressions[2].scope else { panic!() };
    assert!(slice(text, range).starts_with("OrdersFunction:"));
    assert!(slice(text, range).ends_with("!Sub \"${ArchiveBucket.Arn}/dev/*\""));
    assert_eq!(slice(text, out.suppressions[3].span), "IAM104");
}

const RESOURCE_POLICIES_JSON: &str = include_str!("../../../fixtures/frontends/cfn/resource-policies.cfn.json");

#[test]
fn snapshot_resource_policies_json() {
    insta::assert_snapshot!(dump("resource-policies.cfn.json", RESOURCE_POLICIES_JSON));
}

#[test]
fn lambda_permissions_are_one_statement_resource_policies() {
    let text = RESOURCE_POLICIES_JSON;
    let out = analyze(text);
    assert_eq!(out.issues, vec![]);
    let s3 = document(&out, "UploadsInvokeResize", "Principal");
    assert_eq!(s3.kind, PolicyKind::Resource { service: Some("lambda".to_owned()) });
    assert!(s3.issues.is_empty(), "{:#?}", s3.issues);
    let stmt = &s3.statements[0];
    let principal = stmt.principal.as_ref().unwrap();
    assert_eq!(slice(text, principal.span), "\"s3.amazonaws.com\"");
    let (_, source) = stmt.condition.as_ref().unwrap().entries().next().unwrap();
    assert_eq!(source.key.name, "aws:SourceArn");
    let account = document(&out, "PartnerInvoke", "Principal");
    assert!(account.statements[0].condition.is_none());
    for (owner, attribute) in [
        ("BusPolicy", "Statement"),
        ("S3Endpoint", "PolicyDocument"),
        ("Orders", "ResourcePolicy.PolicyDocument"),
        ("StreamPolicy", "ResourcePolicy"),
    ] {
        let doc = document(&out, owner, attribute);
        assert!(doc.issues.is_empty(), "{owner}: {:#?}", doc.issues);
        assert!(matches!(doc.kind, PolicyKind::Resource { .. }));
    }
}

#[test]
fn split_and_select_of_known_strings() {
    let text = r#"Parameters:
  Buckets:
    Type: String
    Default: "logs,reports"
Resources:
  Read:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Sub
              - "arn:aws:s3:::${Name}/*"
              - Name: !Select [1, !Split [",", !Ref Buckets]]
          - Effect: Allow
            Action: s3:ListBucket
            Resource: !Select [0, !Split [",", !Ref Missing]]
"#;
    let out = analyze(text);
    let doc = document(&out, "Read", "PolicyDocument");
    assert_eq!(resource_values(doc, 0), [Value::known("arn:aws:s3:::reports/*")]);
    // A list from an unknown string is unknown as a whole, with its reason.
    let list = doc.statements[1].resources().unwrap().0;
    assert!(list.items.iter().all(|item| !item.value.is_known()));
    let reasons: Vec<String> = list
        .unknown
        .iter()
        .map(|u| u.reason.clone())
        .chain(list.items.iter().flat_map(|i| i.value.unknown_reasons().into_iter().map(str::to_owned)))
        .collect();
    assert!(reasons.iter().any(|r| r.contains("Fn::Select") || r.contains("Missing")), "{reasons:?}");
}
