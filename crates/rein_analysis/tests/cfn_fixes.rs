//! Fixes in CloudFormation templates, end to end: the rules emit model edits, the template
//! renderer writes them, and the fixed template is read again.
//!
//! Each case checks that the fixed text is still a template without syntax errors, that the
//! finding the fix was for is gone, that the text outside the edited ranges is unchanged, and
//! that every other finding is still reported.

use rein_analysis::{Analysis, FileKind, RuleSettings, SourceInput, analyze};
use rein_text::{FileId, TextEdit, apply_edits};

fn run(path: &str, text: &str, rule: &str) -> Analysis {
    let input = SourceInput {
        path: path.to_owned(),
        bytes: text.as_bytes().to_vec(),
        kind: Some(FileKind::CloudFormation),
        policy_kind: None,
    };
    analyze(vec![input], &RuleSettings { select: vec![rule.to_owned()], ..RuleSettings::default() })
}

fn messages(analysis: &Analysis, rule: &str) -> Vec<String> {
    analysis.findings.iter().filter(|finding| finding.rule == rule).map(|finding| finding.message.clone()).collect()
}

/// Checks that the text outside `edits` is the same in `before` and `after`.
fn assert_only_edited_ranges_changed(before: &str, after: &str, edits: &[TextEdit]) {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|edit| edit.span.range.start());
    let (mut before_at, mut after_at) = (0, 0);
    for edit in sorted {
        let start = usize::from(edit.span.range.start());
        let kept = &before[before_at..start];
        assert_eq!(&after[after_at..after_at + kept.len()], kept, "text before an edit changed");
        after_at += kept.len() + edit.new_text.len();
        assert_eq!(&after[after_at - edit.new_text.len()..after_at], edit.new_text);
        before_at = usize::from(edit.span.range.end());
    }
    assert_eq!(&after[after_at..], &before[before_at..], "text after the last edit changed");
}

/// Applies the first fix of every finding of `rule` and checks the result; returns the fixed text.
fn fix(path: &str, text: &str, rule: &str) -> String {
    let analysis = run(path, text, rule);
    let fixed_messages = messages(&analysis, rule);
    assert!(!fixed_messages.is_empty(), "{rule} reports nothing in\n{text}");
    let edits: Vec<TextEdit> =
        analysis.findings.iter().filter_map(|finding| finding.fixes.first()).flat_map(|f| f.edits.clone()).collect();
    assert!(!edits.is_empty(), "{rule} offers no fix in\n{text}\nfindings: {fixed_messages:?}");
    let fixed = apply_edits(text, &edits).expect("the edits apply");
    assert_only_edited_ranges_changed(text, &fixed, &edits);

    let reread = rein_cfn::analyze_template(FileId(0), &fixed);
    assert!(reread.issues.is_empty(), "syntax errors {:?} in\n{fixed}", reread.issues);
    let again = run(path, &fixed, rule);
    let remaining = messages(&again, rule);
    // Every finding that had a fix is gone; a finding without one stays.
    let unfixed: Vec<String> = analysis
        .findings
        .iter()
        .filter(|finding| finding.rule == rule && finding.fixes.is_empty())
        .map(|finding| finding.message.clone())
        .collect();
    assert_eq!(remaining, unfixed, "after the fix:\n{fixed}");
    // The other rules see the same template as before, apart from what the fix changed.
    let everything = |text: &str| {
        let analysis = analyze(
            vec![SourceInput {
                path: path.to_owned(),
                bytes: text.as_bytes().to_vec(),
                kind: Some(FileKind::CloudFormation),
                policy_kind: None,
            }],
            &RuleSettings::default(),
        );
        let mut found: Vec<(String, String)> = analysis
            .findings
            .iter()
            .filter(|finding| finding.rule != rule && finding.rule != "IAM106" && finding.rule != "IAM006")
            .map(|finding| (finding.rule.to_owned(), finding.message.clone()))
            .collect();
        found.sort();
        (found, analysis.documents.len())
    };
    assert_eq!(everything(text), everything(&fixed), "other findings changed:\n{fixed}");
    fixed
}

/// The finding of `rule` is reported but offers no fix.
fn no_fix(path: &str, text: &str, rule: &str) {
    let analysis = run(path, text, rule);
    let findings: Vec<_> = analysis.findings.iter().filter(|finding| finding.rule == rule).collect();
    assert!(!findings.is_empty(), "{rule} reports nothing in\n{text}");
    assert!(findings.iter().all(|finding| finding.fixes.is_empty()), "{rule} offers a fix in\n{text}");
}

fn role(policy: &str) -> String {
    format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: lambda.amazonaws.com\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: app\n          PolicyDocument:\n{policy}"
    )
}

#[test]
fn iam002_effect_case_in_every_form() {
    let block = role(
        "            Version: '2012-10-17'\n            Statement:\n              - Effect: allow # sic\n                Action: s3:GetObject\n                Resource: arn:aws:s3:::reports/*\n",
    );
    let fixed = fix("template.yaml", &block, "IAM002");
    assert!(fixed.contains("- Effect: Allow # sic\n"), "{fixed}");

    let flow =
        role("            {Version: '2012-10-17', Statement: [{Effect: 'deny', Action: 's3:*', Resource: '*'}]}\n");
    let fixed = fix("template.yaml", &flow, "IAM002");
    assert!(fixed.contains("[{Effect: 'Deny', Action"), "{fixed}");

    let embedded = role(
        "            '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::reports/*\"}]}'\n",
    );
    let fixed = fix("template.yaml", &embedded, "IAM002");
    assert!(fixed.contains("{\"Effect\": \"Allow\", "), "{fixed}");

    let crlf = block.replace('\n', "\r\n");
    let fixed = fix("template.yaml", &crlf, "IAM002");
    assert!(fixed.contains("- Effect: Allow # sic\r\n"), "{fixed:?}");
}

const JSON_TEMPLATE: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Role": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": {"Service": "lambda.amazonaws.com"},
              "Action": "sts:AssumeRole",
              "Resource": "*"
            }
          ]
        },
        "Policies": [
          {
            "PolicyName": "app",
            "PolicyDocument": {
              "Statement": [
                {
                  "Sid": "read-reports",
                  "Effect": "allow",
                  "Action": ["s3:GetObjct"],
                  "Resource": "arn:aws:S3:::reports/*"
                }
              ]
            }
          },
          {
            "PolicyName": "embedded",
            "PolicyDocument": "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:ListBucket\", \"Resource\": \"arn:aws:s3:us-east-1:123456789012:reports\"}}"
          }
        ]
      }
    }
  }
}
"#;

#[test]
fn json_templates_get_json_fixes() {
    let fixed = fix("template.json", JSON_TEMPLATE, "IAM002");
    assert!(fixed.contains(r#""Effect": "Allow","#), "{fixed}");
    let fixed = fix("template.json", JSON_TEMPLATE, "IAM003");
    assert!(fixed.contains("\"Action\": \"sts:AssumeRole\"\n            }"), "{fixed}");
    let fixed = fix("template.json", JSON_TEMPLATE, "IAM004");
    assert!(
        fixed.contains(
            "\"PolicyDocument\": {\n              \"Version\": \"2012-10-17\",\n              \"Statement\": ["
        ),
        "{fixed}"
    );
    let fixed = fix("template.json", JSON_TEMPLATE, "IAM005");
    assert!(fixed.contains(r#""Sid": "readreports","#), "{fixed}");
    let fixed = fix("template.json", JSON_TEMPLATE, "IAM006");
    assert!(fixed.contains(r#""Action": ["s3:GetObject"],"#), "{fixed}");
    let fixed = fix("template.json", JSON_TEMPLATE, "IAM007");
    assert!(fixed.contains(r#""Resource": "arn:aws:s3:::reports/*""#), "{fixed}");
    assert!(fixed.contains(r#"\"Resource\": \"arn:aws:s3:::reports\"}}""#), "{fixed}");
}

#[test]
fn iam003_resource_removed_from_a_trust_policy() {
    let text = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          # Lambda assumes the role.\n          - Resource: '*'\n            Effect: Allow\n            Principal:\n              Service: lambda.amazonaws.com\n            Action: sts:AssumeRole\n          - Effect: Allow\n            Principal: {Service: ec2.amazonaws.com}\n            Action: sts:AssumeRole\n            Resource:\n              - '*' # everything\n";
    let fixed = fix("template.yaml", text, "IAM003");
    assert_eq!(
        fixed,
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          # Lambda assumes the role.\n          - Effect: Allow\n            Principal:\n              Service: lambda.amazonaws.com\n            Action: sts:AssumeRole\n          - Effect: Allow\n            Principal: {Service: ec2.amazonaws.com}\n            Action: sts:AssumeRole\n"
    );
    let flow = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole', Resource: '*'}]}\n";
    let fixed = fix("template.yaml", flow, "IAM003");
    assert!(fixed.contains("Action: 'sts:AssumeRole'}]}\n"), "{fixed}");
}

#[test]
fn iam004_version_replaced_or_inserted() {
    let old = role(
        "            Version: 2008-10-17\n            Statement:\n              - Effect: Allow\n                Action: s3:GetObject\n                Resource: arn:aws:s3:::reports/*\n",
    );
    let fixed = fix("template.yaml", &old, "IAM004");
    assert!(fixed.contains("            Version: '2012-10-17'\n            Statement:"), "{fixed}");

    let missing = role(
        "            Statement:\n              - Effect: Allow\n                Action: s3:GetObject\n                Resource: arn:aws:s3:::reports/*\n",
    );
    let fixed = fix("template.yaml", &missing, "IAM004");
    assert!(
        fixed.contains("          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n"),
        "{fixed}"
    );

    let literal = role(
        "            |\n              {\n                \"Statement\": [\n                  {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::reports/*\"}\n                ]\n              }\n",
    );
    let fixed = fix("template.yaml", &literal, "IAM004");
    assert!(
        fixed.contains(
            "              {\n                \"Version\": \"2012-10-17\",\n                \"Statement\": [\n"
        ),
        "{fixed}"
    );
}

#[test]
fn iam005_sid_characters_with_non_ascii_text_around() {
    let text = role(
        "            Version: '2012-10-17'\n            Statement:\n              - Sid: \"read-reports\" # Lecture des rapports 📄\n                Effect: Allow\n                Action: s3:GetObject\n                Resource: arn:aws:s3:::rapports-été/*\n",
    );
    let fixed = fix("template.yaml", &text, "IAM005");
    assert!(fixed.contains("- Sid: \"readreports\" # Lecture des rapports 📄\n"), "{fixed}");
}

#[test]
fn iam006_did_you_mean_in_sequences() {
    let text = role(
        "            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action:\n                  - s3:GetObject\n                  - \"s3:PutObjct\"\n                  - 's3:DeleteObjct'\n                Resource: arn:aws:s3:::reports/*\n",
    );
    let fixed = fix("template.yaml", &text, "IAM006");
    assert!(fixed.contains("- \"s3:PutObject\"\n                  - 's3:DeleteObject'\n"), "{fixed}");
}

#[test]
fn iam007_arn_without_region_and_account() {
    let text = role(
        "            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action: s3:ListBucket\n                Resource: !Sub 'arn:aws:s3:us-east-1:123456789012:reports'\n",
    );
    let fixed = fix("template.yaml", &text, "IAM007");
    assert!(fixed.contains("Resource: !Sub 'arn:aws:s3:::reports'\n"), "{fixed}");
}

#[test]
fn iam106_scalar_becomes_a_list() {
    let text = role(
        "            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action: s3:GetObject\n                Resource: arn:aws:s3:::reports # the bucket\n",
    );
    let fixed = fix("template.yaml", &text, "IAM106");
    assert!(
        fixed.ends_with(
            "                Resource:\n                  - arn:aws:s3:::reports # the bucket\n                  - arn:aws:s3:::reports/*\n"
        ),
        "{fixed}"
    );
    let listed = role(
        "            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action: s3:GetObject\n                Resource:\n                  - 'arn:aws:s3:::reports'\n",
    );
    let fixed = fix("template.yaml", &listed, "IAM106");
    assert!(
        fixed.ends_with("                  - 'arn:aws:s3:::reports'\n                  - 'arn:aws:s3:::reports/*'\n"),
        "{fixed}"
    );
    let flow = role(
        "            {Version: '2012-10-17', Statement: {Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::reports}}\n",
    );
    let fixed = fix("template.yaml", &flow, "IAM106");
    assert!(fixed.contains("Resource: [arn:aws:s3:::reports, arn:aws:s3:::reports/*]}}"), "{fixed}");
}

#[test]
fn no_fix_where_it_would_erase_an_intrinsic() {
    let text = format!(
        "Parameters:\n  Bucket:\n    Type: String\n    Default: reports\n{}",
        role(
            "            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action: s3:GetObject\n                Resource: !Sub arn:aws:s3:::${Bucket}\n",
        )
    );
    no_fix("template.yaml", &text, "IAM106");
    let joined = role(
        "            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action: s3:GetObject\n                Resource: !Join ['', ['arn:aws:s3:::', reports]]\n",
    );
    no_fix("template.yaml", &joined, "IAM106");
}
