//! Generated policies of every shape run through every rule: no panic, every span inside the
//! text on character boundaries, the same findings on every run, and every fix re-parses.

use proptest::prelude::*;
use rein_analysis::{FileKind, SourceInput, analyze};
use rein_model::SyntaxIssueKind;
use rein_rules::Settings;

const ACTIONS: &[&str] = &[
    "*",
    "*:*",
    "s3:*",
    "s3:GetObject",
    "s3:Get*",
    "s3:ListBucket",
    "S3:getobject",
    "iam:PassRole",
    "iam:*Policy*",
    "ec2:Describe*",
    "ecr:GetAuthorizationToken",
    "sts:AssumeRole",
    "kms:*",
    "*:Describe*",
    "s3:GetObjct",
    "nope",
    "lamda:InvokeFunction",
    "",
    "dynamodb:?etItem",
    "s3:CreateMultipartUpload",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::*",
    "arn:aws:iam::123456789012:role/x",
    "arn:aws:iam::*:role/*",
    "arn:aws:s3:::home/${aws:username}/*",
    "arn:aws:s3:us-east-1:123456789012:b",
    "arn:aws",
    "b/*",
    "arn:aws:kms:eu-west-1:123456789012:key/k",
    "arn:aws:logs:*:*:log-group:/a:*",
    "\u{e9}\u{1f600}",
];
const PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS": "123456789012"}"#,
    r#"{"AWS": ["arn:aws:iam::123456789012:role/a-*", "*"]}"#,
    r#"{"Service": "lambda.amazonaws.com"}"#,
    r#"{"Federated": "accounts.google.com"}"#,
    r#"{"Group": "x"}"#,
    r#""arn:aws:iam::123456789012:root""#,
    "{}",
    "[]",
];
const CONDITIONS: &[&str] = &[
    r#"{"StringEquals": {"aws:PrincipalOrgID": "o-1"}}"#,
    r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}"#,
    r#"{"ForAnyValue:StringLike": {"aws:TagKeys": ["a*", 1, true, null]}}"#,
    r#"{"StringEquals": {"aws:ResourceTag/team": ["a"]}, "StringEquals": {}}"#,
    "{}",
    "[]",
];

fn list(items: &[&str]) -> String {
    match items {
        [one] => format!("{one:?}"),
        _ => format!("[{}]", items.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")),
    }
}

prop_compose! {
    fn statement()(
        effect in prop::sample::select(&["Allow", "Deny", "allow", ""][..]),
        not_action in any::<bool>(),
        actions in prop::collection::vec(prop::sample::select(ACTIONS), 0..4),
        not_resource in any::<bool>(),
        resources in prop::option::of(prop::collection::vec(prop::sample::select(RESOURCES), 0..3)),
        principal in prop::option::of(prop::sample::select(PRINCIPALS)),
        condition in prop::option::of(prop::sample::select(CONDITIONS)),
        sid in prop::option::of(prop::sample::select(&["A", "A", "Read S3", ""][..])),
    ) -> String {
        let mut members = vec![format!("\"Effect\": {effect:?}")];
        if let Some(sid) = sid {
            members.push(format!("\"Sid\": {sid:?}"));
        }
        members.push(format!("\"{}\": {}", if not_action { "NotAction" } else { "Action" }, list(&actions)));
        if let Some(resources) = resources {
            members.push(format!("\"{}\": {}", if not_resource { "NotResource" } else { "Resource" }, list(&resources)));
        }
        if let Some(principal) = principal {
            members.push(format!("\"Principal\": {principal}"));
        }
        if let Some(condition) = condition {
            members.push(format!("\"Condition\": {condition}"));
        }
        format!("{{{}}}", members.join(", "))
    }
}

prop_compose! {
    fn policy()(
        version in prop::option::of(prop::sample::select(&["2012-10-17", "2008-10-17"][..])),
        statements in prop::collection::vec(statement(), 0..5),
        pretty in any::<bool>(),
    ) -> String {
        let separator = if pretty { ",\n    " } else { "," };
        let mut members = Vec::new();
        if let Some(version) = version {
            members.push(format!("\"Version\": {version:?}"));
        }
        members.push(format!("\"Statement\": [{}]", statements.join(separator)));
        format!("{{{}}}", members.join(separator))
    }
}

fn run(text: &str) -> rein_analysis::Analysis {
    let input = SourceInput {
        path: "policy.json".to_owned(),
        bytes: text.as_bytes().to_vec(),
        kind: Some(FileKind::PolicyJson),
        policy_kind: None,
    };
    analyze(vec![input], &Settings::default())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn rules_hold_on_generated_policies(text in policy()) {
        let analysis = run(&text);
        for finding in &analysis.findings {
            let range = finding.span.range;
            prop_assert!(usize::from(range.end()) <= text.len());
            prop_assert!(text.is_char_boundary(range.start().into()) && text.is_char_boundary(range.end().into()));
            for fix in &finding.fixes {
                let fixed = rein_text::apply_edits(&text, &fix.edits);
                prop_assert!(fixed.is_some(), "{} fix does not apply", finding.rule);
                let reparsed = run(&fixed.unwrap_or_default());
                let broken = reparsed
                    .documents
                    .iter()
                    .any(|doc| doc.issues.iter().any(|issue| issue.kind == SyntaxIssueKind::JsonSyntax));
                prop_assert!(!broken, "{} fix `{}` breaks the JSON", finding.rule, fix.title);
            }
        }
        let again = run(&text);
        prop_assert_eq!(&analysis.findings, &again.findings);
    }
}
