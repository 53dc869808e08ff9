//! Tests of the policy JSON reader and renderer: the model and its spans, every issue kind, kind
//! inference, robustness on hostile input, and edits that keep the JSON valid.

use std::fmt::Write as _;

use rein_text::{ColumnUnit, FileId, LineIndex, Span, TextSize, apply_edits, slice};

use super::*;
use crate::edit::{EditRenderer, EditValue, PolicyEdit};
use crate::policy::{
    ConditionValue, Key, KindSource, ListForm, PrincipalBody, PrincipalType, ScalarKind, SetQualifier, SourceSyntax,
    SpannedValue, Statement, ValueList,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/frontends/policy-json");
const BUCKET_POLICY: &str = include_str!("../../../../fixtures/frontends/policy-json/bucket_policy.json");
const TRUST_NON_ASCII: &str = include_str!("../../../../fixtures/frontends/policy-json/trust_non_ascii.json");

fn origin() -> DocumentOrigin {
    DocumentOrigin { syntax: SourceSyntax::Json, owner: None, attribute: None, branch: false }
}

fn map() -> SpanMap {
    SpanMap::identity(FileId(0), TextSize::from(0))
}

fn parse(text: &str) -> PolicyDocument {
    parse_policy(text, &map(), None, origin())
}

fn src(text: &str, span: Span) -> &str {
    slice(text, span.range).unwrap()
}

fn items<'t>(text: &'t str, list: &ValueList) -> Vec<(&'t str, String)> {
    list.items.iter().map(|item| (src(text, item.span), item.value.to_string())).collect()
}

/// `(kind, source slice, message)` of every issue.
fn issues(text: &str) -> Vec<(SyntaxIssueKind, String, String)> {
    parse(text)
        .issues
        .iter()
        .map(|issue| {
            (issue.kind, slice(text, issue.span.range).unwrap_or("<bad span>").to_owned(), issue.message.clone())
        })
        .collect()
}

#[track_caller]
fn check_issues(text: &str, expected: &[(SyntaxIssueKind, &str, &str)]) {
    let actual = issues(text);
    let actual: Vec<(SyntaxIssueKind, &str, &str)> =
        actual.iter().map(|(kind, source, message)| (*kind, source.as_str(), message.as_str())).collect();
    assert_eq!(actual, expected, "issues of {text:?}");
}

#[track_caller]
fn check_syntax_error(text: &str, source: &str, message: &str) {
    let doc = parse(text);
    assert!(doc.statements.is_empty());
    assert!(doc.is_unreadable());
    let syntax: Vec<_> = doc.issues.iter().filter(|issue| issue.kind == SyntaxIssueKind::JsonSyntax).collect();
    assert_eq!(syntax.len(), 1, "{text:?}: {:?}", doc.issues);
    let issue = syntax.first().unwrap();
    assert_eq!((src(text, issue.span), issue.message.as_str()), (source, message), "{text:?}");
}

// The model of a realistic policy.

#[test]
fn realistic_policy_model() {
    let text = BUCKET_POLICY;
    let doc = parse(text);
    assert_eq!(doc.issues, []);
    assert_eq!(doc.kind, PolicyKind::Resource { service: None });
    assert_eq!(doc.kind_source, KindSource::Inferred);
    assert_eq!(src(text, doc.span), text.trim_end());
    assert_eq!(doc.version.as_ref().and_then(SpannedValue::known), Some("2012-10-17"));
    assert_eq!(src(text, doc.version.as_ref().unwrap().span), "\"2012-10-17\"");
    assert_eq!(doc.id.as_ref().and_then(SpannedValue::known), Some("bucket-policy"));
    assert_eq!(
        doc.keys.iter().map(|key| src(text, key.span)).collect::<Vec<_>>(),
        ["\"Version\"", "\"Id\"", "\"Statement\""]
    );
    assert_eq!(doc.statement_form, ListForm::Array);
    assert_eq!(doc.statements.len(), 2);

    let allow = doc.statements.first().unwrap();
    assert_eq!(allow.index, 0);
    assert!(src(text, allow.span).starts_with("{\n      \"Sid\": \"AllowPartnerRead\""));
    assert!(allow.is_allow());
    assert_eq!(src(text, allow.sid.as_ref().unwrap().span), "\"AllowPartnerRead\"");
    let action = allow.action.as_ref().unwrap();
    assert_eq!(action.form, ListForm::Array);
    assert_eq!(src(text, action.span), "[\"s3:GetObject\", \"s3:ListBucket\"]");
    assert_eq!(src(text, action.key.span), "\"Action\"");
    assert_eq!(
        items(text, action),
        [("\"s3:GetObject\"", "s3:GetObject".to_owned()), ("\"s3:ListBucket\"", "s3:ListBucket".to_owned())]
    );
    assert_eq!(allow.resource.as_ref().unwrap().items.len(), 2);
    assert_eq!(
        allow.keys.iter().map(|key| key.name.as_str()).collect::<Vec<_>>(),
        ["Sid", "Effect", "Principal", "Action", "Resource", "Condition"]
    );

    let principal = allow.principal.as_ref().unwrap();
    assert!(src(text, principal.span).starts_with("{\n        \"AWS\": ["));
    let PrincipalBody::Map(entries) = &principal.body else { panic!("expected a map: {principal:?}") };
    let types: Vec<_> = entries.iter().map(|(kind, list)| (kind.clone(), list.form, list.items.len())).collect();
    assert_eq!(types, [(PrincipalType::Aws, ListForm::Array, 2), (PrincipalType::Service, ListForm::Single, 1)]);
    let (_, service) = entries.get(1).unwrap();
    assert_eq!(src(text, service.key.span), "\"Service\"");
    assert_eq!(src(text, service.span), "\"cloudtrail.amazonaws.com\"");

    let condition = allow.condition.as_ref().unwrap();
    assert_eq!(src(text, condition.key.span), "\"Condition\"");
    let operators: Vec<_> = condition
        .operators
        .iter()
        .map(|op| (op.key.name.as_str(), op.name.qualifier, op.name.base.as_str(), op.name.if_exists))
        .collect();
    assert_eq!(
        operators,
        [
            ("StringEqualsIfExists", None, "StringEquals", true),
            ("ForAnyValue:StringLike", Some(SetQualifier::ForAnyValue), "StringLike", false),
            ("NumericLessThan", None, "NumericLessThan", false),
            ("Bool", None, "Bool", false),
        ]
    );
    let values: Vec<_> = condition
        .entries()
        .flat_map(|(_, entry)| {
            entry
                .values
                .iter()
                .map(move |value| (entry.key.name.as_str(), entry.form, value.kind, value.value.value.to_string()))
        })
        .collect();
    assert_eq!(
        values,
        [
            ("aws:PrincipalOrgID", ListForm::Single, ScalarKind::String, "o-a1b2c3d4e5".to_owned()),
            ("aws:PrincipalTag/team", ListForm::Array, ScalarKind::String, "data-*".to_owned()),
            ("aws:PrincipalTag/team", ListForm::Array, ScalarKind::String, "ml-*".to_owned()),
            ("s3:max-keys", ListForm::Single, ScalarKind::Number, "10".to_owned()),
            ("aws:SecureTransport", ListForm::Single, ScalarKind::Bool, "true".to_owned()),
        ]
    );
    let (_, tag_entry) = condition.entries().nth(1).unwrap();
    assert_eq!(src(text, tag_entry.span), "[\"data-*\", \"ml-*\"]");
    let (_, number_entry) = condition.entries().nth(2).unwrap();
    assert_eq!(src(text, number_entry.values.first().unwrap().value.span), "10");

    let deny = doc.statements.get(1).unwrap();
    assert_eq!(deny.index, 1);
    assert!(deny.is_deny());
    let PrincipalBody::Scalar(star) = &deny.principal.as_ref().unwrap().body else { panic!("expected a scalar") };
    assert_eq!((src(text, star.span), star.known()), ("\"*\"", Some("*")));
    let (not_action, is_not) = deny.actions().unwrap();
    assert!(is_not);
    assert_eq!(not_action.form, ListForm::Single);
    assert_eq!(src(text, not_action.span), "\"s3:Get*\"");
    assert_eq!(items(text, not_action), [("\"s3:Get*\"", "s3:Get*".to_owned())]);
    assert!(deny.resources().unwrap().1);
    assert_eq!(doc.size.map(|size| size.total), Some(text.chars().count()));
}

#[test]
fn non_ascii_spans_cover_the_exact_tokens() {
    let text = TRUST_NON_ASCII;
    let doc = parse(text);
    let stmt = doc.statements.first().unwrap();
    // The escape decodes, the span still covers the raw token.
    let sid = stmt.sid.as_ref().unwrap();
    assert_eq!((src(text, sid.span), sid.known()), ("\"caf\\u00e9 \u{e9}\"", Some("caf\u{e9} \u{e9}")));
    let (_, entry) = stmt.condition.as_ref().unwrap().entries().next().unwrap();
    let value = &entry.values.first().unwrap().value;
    assert_eq!(src(text, value.span), "\"repo:org/\u{65e5}\u{672c}\u{8a9e}-\u{1f600}:*\"");
    assert_eq!(src(text, stmt.action.as_ref().unwrap().span), "[\"sts:AssumeRoleWithWebIdentity\",\"sts:TagSession\"]");
    // Only the CJK run and the emoji are outside what IAM accepts; `é` (U+00E9) is fine.
    check_issues(
        text,
        &[
            (
                SyntaxIssueKind::InvalidCharacter,
                "\u{65e5}\u{672c}\u{8a9e}",
                "characters `\u{65e5}\u{672c}\u{8a9e}` (U+65E5, U+672C, U+8A9E) are not allowed in IAM policies",
            ),
            (
                SyntaxIssueKind::InvalidCharacter,
                "\u{1f600}",
                "character `\u{1f600}` (U+1F600) is not allowed in IAM policies",
            ),
        ],
    );
    let size = doc.size.unwrap();
    assert_eq!(size.total, text.chars().count());
    assert_eq!(size.minified, text.trim_end().chars().count());
}

#[test]
fn spans_go_through_the_span_map() {
    // The policy starts at byte 7 of its file, as in `policy = <<EOF` style embeddings.
    let text = r#"{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#;
    let map = SpanMap::identity(FileId(4), TextSize::from(7));
    let doc = parse_policy(text, &map, Some(PolicyKind::Identity), origin());
    let file = format!("policy={text}\n");
    let action = doc.statements.first().unwrap().action.as_ref().unwrap();
    assert_eq!(action.span.file, FileId(4));
    assert_eq!(src(&file, action.span), "\"s3:GetObject\"");
    assert_eq!(src(&file, doc.span), text);
    assert_eq!(doc.statement_form, ListForm::Single);
    assert_eq!(doc.kind_source, KindSource::Declared);
}

#[test]
fn condition_values_keep_their_json_types() {
    let text = r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThanEquals":{"k":[1.5e3,-2]},"Null":{"n":null,"b":false}}}}"#;
    let doc = parse(text);
    let values: Vec<(ScalarKind, String, &str)> = doc
        .statements
        .first()
        .unwrap()
        .condition
        .as_ref()
        .unwrap()
        .entries()
        .flat_map(|(_, entry)| entry.values.iter())
        .map(|ConditionValue { kind, value }| (*kind, value.value.to_string(), src(text, value.span)))
        .collect();
    assert_eq!(
        values,
        [
            (ScalarKind::Number, "1.5e3".to_owned(), "1.5e3"),
            (ScalarKind::Number, "-2".to_owned(), "-2"),
            (ScalarKind::Null, "null".to_owned(), "null"),
            (ScalarKind::Bool, "false".to_owned(), "false"),
        ]
    );
}

// IAM001: JSON syntax, duplicate keys, characters, not an object.

#[test]
fn json_syntax_errors_are_located_and_human() {
    check_syntax_error(
        "{\"Version\": \"2012-10-17\" \"Statement\": []}",
        "",
        "expected `,` or `}` after object member",
    );
    check_syntax_error("[\"a\" \"b\"]", "", "expected `,` or `]` after array item");
    check_syntax_error("{\"Statement\": [],}", ",", "trailing commas are not allowed in JSON");
    check_syntax_error("{\"Statement\": []", "{", "object is never closed: expected `}`");
    check_syntax_error("{\"Statement\": [", "[", "array is never closed: expected `]`");
    check_syntax_error("{\"Statement\": }", "}", "expected a value, found `}`");
    check_syntax_error("{\"Statement\" []}", "[", "expected `:` after object key");
    check_syntax_error("{Statement: []}", "Statement", "object keys must be double-quoted strings, found `Statement`");
    check_syntax_error("{\"a\": 'b'}", "'", "strings must use double quotes");
    check_syntax_error("{\"a\": \"b}", "\"", "string is never closed: expected `\"`");
    check_syntax_error(
        "{\"a\": True}",
        "True",
        "unexpected word `True`: strings must be double-quoted and literals lowercase",
    );
    check_syntax_error("{\"a\": 1} // note", "//", "comments are not allowed in JSON");
    check_syntax_error("{} {}", "{", "unexpected text after the end of the document");
    check_syntax_error(
        "{\"a\": \"\\x41\"}",
        "\\x",
        "invalid escape sequence; JSON allows `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`",
    );
    check_syntax_error("{\"a\": \"\\ud800\"}", "\\ud800", "invalid unicode escape `\\ud800`: unpaired high surrogate");
    check_syntax_error("{\"a\": 0x10}", "0", "hexadecimal numbers are not allowed in JSON");
    check_syntax_error(
        "{\u{201c}Version\u{201d}: 1}",
        "\u{201c}",
        "unexpected typographic quote `\u{201c}` (U+201C): JSON uses straight double quotes `\"`",
    );
    check_syntax_error(
        "{\"a\": \"line\nbreak\"}",
        "\n",
        "control character U+000A must be escaped in a JSON string (write `\\n`)",
    );
    check_syntax_error(
        "{\u{a0}\"a\": 1}",
        "\u{a0}",
        "character U+00A0 is not whitespace in JSON; only space, tab, line feed and carriage return are",
    );
    check_syntax_error("{\"a\": @}", "@", "unexpected character `@` (U+0040)");
}

#[test]
fn empty_and_blank_documents() {
    check_syntax_error("", "", "the document is empty");
    check_syntax_error(" \n\t", " \n\t", "the document contains only whitespace");
    check_syntax_error("\u{feff}", "\u{feff}", "the document contains only whitespace");
    let doc = parse("");
    assert_eq!(doc.kind, PolicyKind::Identity);
    assert!(doc.statements.is_empty());
}

#[test]
fn byte_order_mark_is_skipped() {
    let text = "\u{feff}{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}";
    let doc = parse(text);
    assert_eq!(doc.issues, []);
    assert_eq!(src(text, doc.span), text.trim_start_matches('\u{feff}'));
    assert_eq!(src(text, doc.statements.first().unwrap().action.as_ref().unwrap().span), "\"s3:*\"");
}

#[test]
fn first_syntax_error_wins() {
    // The raw line break comes after the missing comma, so the comma is reported.
    check_syntax_error("{\"a\": 1 \"b\": \"x\ny\"}", "", "expected `,` or `}` after object member");
    // The raw tab comes before the parser's error.
    check_syntax_error(
        "{\"a\": \"x\ty\", \"b\" 1}",
        "\t",
        "control character U+0009 must be escaped in a JSON string (write `\\t`)",
    );
}

#[test]
fn not_an_object() {
    check_issues(
        "[{\"Effect\": \"Allow\"}]",
        &[(
            SyntaxIssueKind::NotAnObject,
            "[{\"Effect\": \"Allow\"}]",
            "a policy document must be a JSON object, found an array",
        )],
    );
    check_issues(
        " \"policy\" ",
        &[(SyntaxIssueKind::NotAnObject, "\"policy\"", "a policy document must be a JSON object, found a string")],
    );
    assert!(parse("null").is_unreadable());
}

#[test]
fn duplicate_keys_at_any_depth() {
    let text = r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}}"#;
    let message = "duplicate key `StringEquals`: IAM rejects the policy or keeps only one of the values";
    check_issues(text, &[(SyntaxIssueKind::DuplicateKey, "\"StringEquals\"", message)]);
    let doc = parse(text);
    // Both operator blocks stay in the model.
    assert_eq!(doc.statements.first().unwrap().condition.as_ref().unwrap().operators.len(), 2);
    let issue = doc.issues.first().unwrap();
    assert_eq!(usize::from(issue.span.range.start()), text.rfind("\"StringEquals\"").unwrap());

    // The last of two single-valued elements is kept.
    let text = r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Action":"s3:PutObject","Resource":"*","x":{"a":1,"a":2}}}"#;
    let doc = parse(text);
    let kinds: Vec<_> = doc.issues.iter().map(|issue| (issue.kind, src(text, issue.span))).collect();
    assert_eq!(
        kinds,
        [
            (SyntaxIssueKind::DuplicateKey, "\"Action\""),
            (SyntaxIssueKind::UnknownKey, "\"x\""),
            (SyntaxIssueKind::DuplicateKey, "\"a\""),
        ]
    );
    let action = doc.statements.first().unwrap().action.as_ref().unwrap();
    assert_eq!(action.items.first().unwrap().known(), Some("s3:PutObject"));
    assert_eq!(doc.statements.first().unwrap().keys.len(), 5);
}

#[test]
fn invalid_characters() {
    let text = "{\"Statement\": {\"Sid\": \"It\u{2019}s\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::a\u{2013}b\"}}";
    check_issues(
        text,
        &[
            (
                SyntaxIssueKind::InvalidCharacter,
                "\u{2019}",
                "character `\u{2019}` (U+2019) is not allowed in IAM policies",
            ),
            (
                SyntaxIssueKind::InvalidCharacter,
                "\u{2013}",
                "character `\u{2013}` (U+2013) is not allowed in IAM policies",
            ),
        ],
    );
    // Latin-1 letters are allowed.
    assert_eq!(
        issues("{\"Statement\": {\"Sid\": \"\u{e9}\u{f1}\u{ff}\", \"Effect\": \"Allow\", \"Action\": \"s3:*\"}}"),
        []
    );
    // A zero-width space is named by its code point only; issues stop at 20.
    let many = format!("{{\"Id\": \"{}\", \"Statement\": []}}", "a\u{200b}".repeat(30));
    let found = issues(&many);
    assert_eq!(found.iter().filter(|(kind, _, _)| *kind == SyntaxIssueKind::InvalidCharacter).count(), 20);
    assert_eq!(found.first().unwrap().2, "character U+200B is not allowed in IAM policies");
    // Invalid characters are reported next to a syntax error.
    let broken = issues("{\"Id\": \"\u{2019}\"");
    assert_eq!(
        broken.iter().map(|(kind, _, _)| *kind).collect::<Vec<_>>(),
        [SyntaxIssueKind::JsonSyntax, SyntaxIssueKind::InvalidCharacter]
    );
}

// IAM002: the policy grammar.

#[test]
fn unknown_keys() {
    let text = r#"{"version": "2012-10-17", "Effect": "Allow", "Statment": [], "Statement": {"effect": "Allow", "Effect": "Allow", "Action": "s3:*", "Actions": "s3:*", "Foo": 1}}"#;
    check_issues(
        text,
        &[
            (
                SyntaxIssueKind::UnknownKey,
                "\"version\"",
                "unknown key `version` at the top level of a policy: keys are case-sensitive, write `Version`",
            ),
            (
                SyntaxIssueKind::UnknownKey,
                "\"Effect\"",
                "unknown key `Effect` at the top level of a policy: statement elements belong inside `Statement`",
            ),
            (
                SyntaxIssueKind::UnknownKey,
                "\"Statment\"",
                "unknown key `Statment` at the top level of a policy; did you mean `Statement`?",
            ),
            (
                SyntaxIssueKind::UnknownKey,
                "\"effect\"",
                "unknown key `effect` in a statement: keys are case-sensitive, write `Effect`",
            ),
            (
                SyntaxIssueKind::UnknownKey,
                "\"Actions\"",
                "unknown key `Actions` in a statement; did you mean `Action`?",
            ),
            (
                SyntaxIssueKind::UnknownKey,
                "\"Foo\"",
                "unknown key `Foo` in a statement; allowed keys are `Sid`, `Effect`, `Principal`, `NotPrincipal`, `Action`, `NotAction`, `Resource`, `NotResource`, `Condition`",
            ),
        ],
    );
}

#[test]
fn missing_elements() {
    check_issues(
        "{\"Version\": \"2012-10-17\"}",
        &[(SyntaxIssueKind::MissingElement, "{", "policy has no `Statement` element")],
    );
    check_issues(
        "{\"statement\": []}",
        &[
            (SyntaxIssueKind::MissingElement, "{", "policy has no `Statement` element"),
            (
                SyntaxIssueKind::UnknownKey,
                "\"statement\"",
                "unknown key `statement` at the top level of a policy: keys are case-sensitive, write `Statement`",
            ),
        ],
    );
    check_issues(
        "{\"Statement\": [{\"Resource\": \"*\"}]}",
        &[
            (SyntaxIssueKind::MissingElement, "{", "statement has no `Effect` element"),
            (SyntaxIssueKind::MissingElement, "{", "statement has neither `Action` nor `NotAction`"),
        ],
    );
    let doc = parse("{\"Statement\": [{\"Resource\": \"*\"}]}");
    assert_eq!(doc.issues.first().unwrap().span.range.start(), TextSize::from(15));
    // Resource is optional here: trust policies have none.
    assert_eq!(issues("{\"Statement\": {\"Effect\": \"Allow\", \"NotAction\": \"iam:*\"}}"), []);
}

#[test]
fn conflicting_elements_are_reported_at_the_second_key() {
    let text = r#"{"Statement": {"Effect": "Allow", "NotAction": "s3:PutObject", "Action": "s3:GetObject", "Resource": "*", "NotResource": "x", "NotPrincipal": {"AWS": "a"}, "Principal": "*"}}"#;
    check_issues(
        text,
        &[
            (
                SyntaxIssueKind::ConflictingElements,
                "\"Action\"",
                "`Action` cannot be combined with `NotAction` in one statement",
            ),
            (
                SyntaxIssueKind::ConflictingElements,
                "\"NotResource\"",
                "`NotResource` cannot be combined with `Resource` in one statement",
            ),
            (
                SyntaxIssueKind::ConflictingElements,
                "\"Principal\"",
                "`Principal` cannot be combined with `NotPrincipal` in one statement",
            ),
        ],
    );
    let doc = parse(text);
    let stmt = doc.statements.first().unwrap();
    assert!(stmt.action.is_some() && stmt.not_action.is_some());
}

#[test]
fn wrong_types() {
    let text = r#"{"Version": 2012, "Id": null, "Statement": {"Sid": 1, "Effect": true, "Action": {"s3": "*"}, "Resource": ["a", 1, ["b"]], "Principal": ["*"], "Condition": {"StringEquals": "x", "Bool": {"k": {"v": 1}, "j": [[1]]}}}}"#;
    check_issues(
        text,
        &[
            (SyntaxIssueKind::WrongType, "2012", "`Version` must be a string, found a number"),
            (SyntaxIssueKind::WrongType, "null", "`Id` must be a string, found null"),
            (SyntaxIssueKind::WrongType, "1", "`Sid` must be a string, found a number"),
            (SyntaxIssueKind::WrongType, "true", "`Effect` must be a string, found a boolean"),
            (
                SyntaxIssueKind::WrongType,
                "{\"s3\": \"*\"}",
                "`Action` must be a string or an array of strings, found an object",
            ),
            (SyntaxIssueKind::WrongType, "1", "items of `Resource` must be strings, found a number"),
            (SyntaxIssueKind::WrongType, "[\"b\"]", "items of `Resource` must be strings, found an array"),
            (
                SyntaxIssueKind::WrongType,
                "[\"*\"]",
                "`Principal` must be `\"*\"` or an object of principal types, found an array",
            ),
            (
                SyntaxIssueKind::WrongType,
                "\"x\"",
                "condition operator `StringEquals` must map condition keys to values, found a string",
            ),
            (
                SyntaxIssueKind::WrongType,
                "{\"v\": 1}",
                "values of condition key `k` must be strings, numbers or booleans, found an object",
            ),
            (
                SyntaxIssueKind::WrongType,
                "[1]",
                "values of condition key `j` must be strings, numbers or booleans, found an array",
            ),
        ],
    );
    let doc = parse(text);
    let stmt = doc.statements.first().unwrap();
    assert_eq!(
        (stmt.sid.is_none(), stmt.effect.is_none(), stmt.action.is_none(), stmt.principal.is_none()),
        (true, true, true, true)
    );
    assert_eq!(stmt.resource.as_ref().unwrap().items.len(), 1);
    let condition = stmt.condition.as_ref().unwrap();
    assert_eq!(condition.operators.len(), 1);
    let kinds: Vec<_> =
        condition.entries().flat_map(|(_, entry)| entry.values.iter().map(|value| value.kind)).collect();
    assert_eq!(kinds, [ScalarKind::Compound, ScalarKind::Compound]);

    check_issues(
        "{\"Statement\": \"s3:*\"}",
        &[(
            SyntaxIssueKind::WrongType,
            "\"s3:*\"",
            "`Statement` must be an object or an array of objects, found a string",
        )],
    );
    check_issues(
        "{\"Statement\": [1]}",
        &[(SyntaxIssueKind::WrongType, "1", "a statement must be an object, found a number")],
    );
    check_issues(
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Condition\": []}}",
        &[(SyntaxIssueKind::WrongType, "[]", "`Condition` must be an object of condition operators, found an array")],
    );
}

#[test]
fn effect_is_kept_as_written() {
    let doc = parse("{\"Statement\": {\"Effect\": \"allow\", \"Action\": \"s3:*\"}}");
    let stmt = doc.statements.first().unwrap();
    assert_eq!(stmt.effect.as_ref().and_then(SpannedValue::known), Some("allow"));
    assert_eq!(stmt.effect(), None);
    assert_eq!(doc.issues, []);
}

#[test]
fn empty_elements() {
    let text = r#"{"Statement": [{"Effect": "Deny", "Action": [], "Resource": [], "Principal": {}, "Condition": {}}, {"Effect": "Allow", "Action": "s3:*", "Principal": {"AWS": []}, "Condition": {"StringEquals": {}, "StringLike": {"k": []}}}]}"#;
    check_issues(
        text,
        &[
            (SyntaxIssueKind::EmptyElement, "[]", "`Action` is an empty list"),
            (SyntaxIssueKind::EmptyElement, "[]", "`Resource` is an empty list"),
            (SyntaxIssueKind::EmptyElement, "{}", "`Principal` is an empty object"),
            (SyntaxIssueKind::EmptyElement, "{}", "`Condition` is an empty object"),
            (SyntaxIssueKind::EmptyElement, "[]", "`AWS` is an empty list"),
            (SyntaxIssueKind::EmptyElement, "{}", "condition operator `StringEquals` has no condition keys"),
            (SyntaxIssueKind::EmptyElement, "[]", "condition key `k` has an empty list of values"),
        ],
    );
    let doc = parse(text);
    let stmt = doc.statements.first().unwrap();
    assert_eq!(stmt.action.as_ref().map(|list| (list.form, list.items.len())), Some((ListForm::Array, 0)));
    assert!(matches!(&stmt.principal.as_ref().unwrap().body, PrincipalBody::Map(entries) if entries.is_empty()));
    assert!(!stmt.has_condition());
    check_issues("{\"Statement\": []}", &[(SyntaxIssueKind::EmptyElement, "[]", "`Statement` is an empty list")]);
}

#[test]
fn unknown_principal_types_are_kept() {
    let doc = parse(r#"{"Statement": {"Effect": "Allow", "Principal": {"Aws": "*"}, "Action": "s3:*"}}"#);
    let PrincipalBody::Map(entries) = &doc.statements.first().unwrap().principal.as_ref().unwrap().body else {
        panic!("expected a map")
    };
    assert_eq!(entries.first().map(|(kind, _)| kind.clone()), Some(PrincipalType::Other("Aws".to_owned())));
    assert_eq!(doc.issues, []);
}

// Kind inference.

#[test]
fn kind_inference() {
    let infer = |text: &str| {
        let doc = parse(text);
        assert_eq!(doc.kind_source, KindSource::Inferred);
        doc.kind
    };
    let identity = r#"{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#;
    assert_eq!(infer(identity), PolicyKind::Identity);
    let trust = r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Federated": "x"}, "Action": ["STS:assumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"]}]}"#;
    assert_eq!(infer(trust), PolicyKind::Trust);
    assert_eq!(infer(TRUST_NON_ASCII), PolicyKind::Trust);
    let resource = r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    assert_eq!(infer(resource), PolicyKind::Resource { service: None });
    let not_action = r#"{"Statement": {"Effect": "Deny", "Principal": "*", "NotAction": "sts:AssumeRole"}}"#;
    assert_eq!(infer(not_action), PolicyKind::Resource { service: None });
    // A broken principal still shows the author meant a resource policy.
    let broken_principal = r#"{"Statement": {"Effect": "Allow", "Principal": 1, "Action": "s3:*"}}"#;
    assert_eq!(infer(broken_principal), PolicyKind::Resource { service: None });
    assert_eq!(infer("{"), PolicyKind::Identity);

    let declared = parse_policy(trust, &map(), Some(PolicyKind::Scp), origin());
    assert_eq!((declared.kind, declared.kind_source), (PolicyKind::Scp, KindSource::Declared));
}

// Robustness.

#[test]
fn every_prefix_parses_without_panicking() {
    for text in [BUCKET_POLICY, TRUST_NON_ASCII] {
        for (end, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let prefix = text.get(..end).unwrap();
            let doc = parse(prefix);
            for issue in &doc.issues {
                assert!(slice(prefix, issue.span.range).is_some(), "{prefix:?}: {issue:?}");
            }
            if end < text.trim_end().len() {
                assert!(doc.is_unreadable(), "{prefix:?}");
            }
            let _ = looks_like_policy(prefix);
        }
    }
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    check_syntax_error(&"[".repeat(100_000), "[", "nesting deeper than 64 levels");
    check_syntax_error(&"{\"a\":".repeat(100_000), "{", "nesting deeper than 64 levels");
    let text = format!("{{\"Statement\": {}", "[".repeat(70));
    let doc = parse(&text);
    assert_eq!(usize::from(doc.issues.first().unwrap().span.range.start()), 14 + 63);
}

#[test]
fn nesting_within_the_limit_parses() {
    let text = format!(
        "{{\"Statement\": {{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Condition\": {{\"Bool\": {{\"k\": {}1{}}}}}}}}}",
        "[".repeat(58),
        "]".repeat(58)
    );
    let doc = parse(&text);
    assert!(!doc.is_unreadable(), "{:?}", doc.issues);
    assert_eq!(doc.issues.iter().map(|issue| issue.kind).collect::<Vec<_>>(), [SyntaxIssueKind::WrongType]);
}

#[test]
fn huge_documents() {
    let resources = vec!["\"arn:aws:s3:::bucket/key\""; 100_000].join(",");
    let text =
        format!("{{\"Statement\": {{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": [{resources}]}}}}");
    let doc = parse(&text);
    assert_eq!(doc.issues, []);
    assert_eq!(doc.statements.first().unwrap().resource.as_ref().unwrap().items.len(), 100_000);
    assert_eq!(looks_like_policy(&text), Likelihood::Policy);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn check_invariants(text: &str) {
        let doc = parse(text);
        for issue in &doc.issues {
            assert!(slice(text, issue.span.range).is_some(), "{text:?}: {issue:?}");
            assert!(!issue.message.is_empty() && !issue.message.ends_with('.'));
        }
        assert!(slice(text, doc.span.range).is_some());
        let _ = looks_like_policy(text);
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            check_invariants(&text);
        }

        #[test]
        fn json_like_text_never_panics(text in r#"[\[\]{}",:\\ a-zA-Z0-9\u{e9}\u{2019}\n\t*-]{0,120}"#) {
            check_invariants(&text);
        }

        #[test]
        fn edited_policies_never_panic(cut in 0..BUCKET_POLICY.len(), len in 0usize..20, insert in r#"[\[\]{}",:\\ x1]{0,4}"#) {
            let mut text = BUCKET_POLICY.to_owned();
            let start = (0..=cut).rev().find(|&idx| text.is_char_boundary(idx)).unwrap_or(0);
            let end = (start + len..=text.len()).find(|&idx| text.is_char_boundary(idx)).unwrap_or(text.len());
            text.replace_range(start..end, &insert);
            check_invariants(&text);
        }

        /// Inserting into a damaged policy never panics, and into a sound one keeps it sound.
        #[test]
        fn insertions_never_panic_and_keep_sound_json(cut in 0..BUCKET_POLICY.len(), len in 0usize..20, insert in r#"[\[\]{}",:\\ x1]{0,4}"#) {
            let mut text = BUCKET_POLICY.to_owned();
            let start = (0..=cut).rev().find(|&idx| text.is_char_boundary(idx)).unwrap_or(0);
            let end = (start + len..=text.len()).find(|&idx| text.is_char_boundary(idx)).unwrap_or(text.len());
            text.replace_range(start..end, &insert);
            let doc = parse(&text);
            let sound = !doc.issues.iter().any(|issue| issue.kind == SyntaxIssueKind::JsonSyntax);
            let renderer = JsonRenderer { file: FileId(0), text: &text };
            let values = vec!["v".to_owned()];
            for stmt in &doc.statements {
                let statement = vec![("Effect".to_owned(), EditValue::String("Deny".to_owned()))];
                let edits = [
                    PolicyEdit::insert_condition(stmt, "StringEquals", "aws:SourceAccount", &values),
                    Some(PolicyEdit::InsertStatement { after: stmt.span, statement }),
                ];
                for edit in edits.iter().flatten() {
                    let Some(text_edits) = renderer.render(edit) else { continue };
                    let edited = apply_edits(&text, &text_edits).unwrap();
                    if sound {
                        let reparsed = parse(&edited);
                        prop_assert!(
                            !reparsed.issues.iter().any(|issue| issue.kind == SyntaxIssueKind::JsonSyntax),
                            "{edit:?} broke\n{text}\ninto\n{edited}"
                        );
                    }
                }
            }
        }
    }
}

// Edits.

fn render(text: &str, edit: &PolicyEdit) -> String {
    let renderer = JsonRenderer { file: FileId(0), text };
    let edits = renderer.render(edit).unwrap_or_else(|| panic!("no rendering of {edit:?}"));
    let edited = apply_edits(text, &edits).unwrap();
    let reparsed = parse(&edited);
    assert!(
        !reparsed.issues.iter().any(|issue| issue.kind == SyntaxIssueKind::JsonSyntax),
        "{edit:?} broke the JSON:\n{edited}\n{:?}",
        reparsed.issues
    );
    edited
}

const SINGLE_LINE: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": "*"}]}"#;

const PRETTY: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "A",
            "Effect": "Allow",
            "Action": [
                "s3:GetObject",
                "s3:PutObject",
                "s3:ListBucket"
            ],
            "Resource": "*"
        }
    ]
}
"#;

fn statement_of(text: &str) -> Statement {
    parse(text).statements.into_iter().next().unwrap()
}

fn remove_member(text: &str, name: &str) -> String {
    let doc = parse(text);
    let stmt = doc.statements.first().unwrap();
    let key = stmt.keys.iter().find(|key| key.name == name).unwrap();
    let value = match name {
        "Sid" => stmt.sid.as_ref().unwrap().span,
        "Effect" => stmt.effect.as_ref().unwrap().span,
        "Action" => stmt.action.as_ref().unwrap().span,
        _ => stmt.resource.as_ref().unwrap().span,
    };
    render(text, &PolicyEdit::RemoveMember { key: key.span, value })
}

fn remove_action(text: &str, idx: usize) -> String {
    let item = statement_of(text).action.unwrap().items.get(idx).unwrap().span;
    render(text, &PolicyEdit::RemoveItem { item })
}

#[test]
fn remove_member_single_line() {
    let text = SINGLE_LINE;
    assert_eq!(
        remove_member(text, "Sid"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": "*"}]}"#
    );
    assert_eq!(
        remove_member(text, "Effect"),
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": "*"}]}"#
    );
    assert_eq!(
        remove_member(text, "Resource"),
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]}]}"#
    );
    let lone = r#"{"Statement": [{"Resource": "*"}]}"#;
    assert_eq!(remove_member(lone, "Resource"), r#"{"Statement": [{}]}"#);
}

#[test]
fn remove_member_pretty() {
    let text = PRETTY;
    let without_sid = remove_member(text, "Sid");
    assert_eq!(without_sid, text.replace("            \"Sid\": \"A\",\n", ""));
    let without_effect = remove_member(text, "Effect");
    assert_eq!(without_effect, text.replace("            \"Effect\": \"Allow\",\n", ""));
    let without_resource = remove_member(text, "Resource");
    assert_eq!(without_resource, text.replace("],\n            \"Resource\": \"*\"", "]"));
    let lone = "{\n  \"Statement\": {\n    \"Resource\": \"*\"\n  }\n}\n";
    assert_eq!(remove_member(lone, "Resource"), "{\n  \"Statement\": {}\n}\n");
}

#[test]
fn remove_item() {
    let line = SINGLE_LINE;
    assert!(remove_action(line, 0).contains(r#""Action": ["s3:PutObject", "s3:ListBucket"]"#));
    assert!(remove_action(line, 1).contains(r#""Action": ["s3:GetObject", "s3:ListBucket"]"#));
    assert!(remove_action(line, 2).contains(r#""Action": ["s3:GetObject", "s3:PutObject"]"#));
    let pretty = PRETTY;
    assert_eq!(remove_action(pretty, 0), pretty.replace("                \"s3:GetObject\",\n", ""));
    assert_eq!(remove_action(pretty, 1), pretty.replace("                \"s3:PutObject\",\n", ""));
    assert_eq!(remove_action(pretty, 2), pretty.replace(",\n                \"s3:ListBucket\"", ""));
    let lone = "{\"Statement\": {\"Action\": [\n  \"s3:*\"\n]}}";
    assert_eq!(remove_action(lone, 0), "{\"Statement\": {\"Action\": []}}");
}

#[test]
fn replace_string_and_list() {
    let stmt = statement_of(SINGLE_LINE);
    let effect = stmt.effect.as_ref().unwrap().span;
    let edited = render(SINGLE_LINE, &PolicyEdit::ReplaceString { target: effect, value: "Deny \"now\"\n".to_owned() });
    assert!(edited.contains(r#""Effect": "Deny \"now\"\n", "Action""#), "{edited}");
    assert_eq!(statement_of(&edited).effect.unwrap().known(), Some("Deny \"now\"\n"));

    let resource = stmt.resource.as_ref().unwrap().span;
    let values = vec!["arn:aws:s3:::a".to_owned(), "arn:aws:s3:::b/*".to_owned()];
    let edited = render(SINGLE_LINE, &PolicyEdit::ReplaceWithList { target: resource, values });
    assert!(edited.contains(r#""Resource": ["arn:aws:s3:::a", "arn:aws:s3:::b/*"]}"#), "{edited}");

    let pretty_action = statement_of(PRETTY).action.unwrap().span;
    let edited =
        render(PRETTY, &PolicyEdit::ReplaceWithList { target: pretty_action, values: vec!["s3:*".to_owned()] });
    assert!(edited.contains("\"Action\": [\"s3:*\"],\n"), "{edited}");
    let edited = render(PRETTY, &PolicyEdit::ReplaceWithList { target: pretty_action, values: Vec::new() });
    assert!(edited.contains("\"Action\": [],\n"), "{edited}");
}

#[test]
fn replace_in_string() {
    let text = "{\"Statement\": {\"Sid\": \"It\u{2019}s\", \"Effect\": \"Allow\", \"Action\": \"s3:*\"}}";
    let issue = parse(text).issues.into_iter().find(|issue| issue.kind == SyntaxIssueKind::InvalidCharacter).unwrap();
    let edited = render(text, &PolicyEdit::ReplaceInString { target: issue.span, value: "'".to_owned() });
    assert_eq!(edited, text.replace('\u{2019}', "'"));
    let edited = render(text, &PolicyEdit::ReplaceInString { target: issue.span, value: "\"\\".to_owned() });
    assert_eq!(statement_of(&edited).sid.unwrap().known(), Some("It\"\\s"));
    assert!(parse(&edited).issues.is_empty());
}

#[test]
fn insert_member() {
    let object = statement_of(SINGLE_LINE).span;
    let edit = PolicyEdit::InsertMember { object, key: "Sid".to_owned(), value: "Read\u{e9}".to_owned() };
    let edited = render(SINGLE_LINE, &edit);
    assert!(edited.contains(r#"[{"Sid": "Readé", "Sid": "A", "Effect""#), "{edited}");

    let pretty_object = statement_of(PRETTY).span;
    let edited = render(
        PRETTY,
        &PolicyEdit::InsertMember { object: pretty_object, key: "Effect".to_owned(), value: "Deny".to_owned() },
    );
    assert!(edited.contains("        {\n            \"Effect\": \"Deny\",\n            \"Sid\": \"A\",\n"), "{edited}");

    let document = parse(PRETTY).span;
    let edited =
        render(PRETTY, &PolicyEdit::InsertMember { object: document, key: "Id".to_owned(), value: "x".to_owned() });
    assert!(edited.starts_with("{\n    \"Id\": \"x\",\n    \"Version\""), "{edited}");

    let compact = r#"{"Statement":{"Effect":"Allow"}}"#;
    let object = statement_of(compact).span;
    let edited =
        render(compact, &PolicyEdit::InsertMember { object, key: "Action".to_owned(), value: "s3:*".to_owned() });
    assert_eq!(edited, r#"{"Statement":{"Action":"s3:*", "Effect":"Allow"}}"#);

    for empty in ["{\"Statement\": {}}", "{\"Statement\": {\n}}"] {
        let object = statement_of(empty).span;
        let edited =
            render(empty, &PolicyEdit::InsertMember { object, key: "Effect".to_owned(), value: "Allow".to_owned() });
        assert_eq!(edited, "{\"Statement\": {\"Effect\": \"Allow\"}}");
    }
}

fn condition(text: &str, operator: &str, key: &str, values: &[&str]) -> String {
    let values: Vec<String> = values.iter().map(|value| (*value).to_owned()).collect();
    let edited = render(text, &PolicyEdit::insert_condition(&statement_of(text), operator, key, &values).unwrap());
    // Outside the inserted text, nothing changed.
    let common_start = text.bytes().zip(edited.bytes()).take_while(|(a, b)| a == b).count();
    let common_end = text.bytes().rev().zip(edited.bytes().rev()).take_while(|(a, b)| a == b).count();
    assert_eq!(common_start + common_end.min(text.len() - common_start), text.len(), "{edited}");
    let entry = statement_of(&edited)
        .condition
        .unwrap()
        .entries()
        .find(|(op, entry)| op.key.name == operator && entry.key.name == key)
        .map(|(_, entry)| entry.values.iter().map(|value| value.value.known().unwrap().to_owned()).collect::<Vec<_>>())
        .unwrap();
    assert_eq!(entry, values, "{edited}");
    edited
}

#[test]
fn append_member() {
    let object = statement_of(SINGLE_LINE).span;
    let value = EditValue::object([(
        "StringEquals",
        EditValue::object([("aws:SourceAccount", EditValue::List(vec!["1".into(), "2".into()]))]),
    )]);
    let edit = PolicyEdit::AppendMember { object, key: "Condition".to_owned(), value };
    assert!(
        render(SINGLE_LINE, &edit)
            .ends_with(r#""Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount": ["1", "2"]}}}]}"#)
    );
    let compact = r#"{"Statement":{"Effect":"Allow","Action":"s3:*"}}"#;
    let object = statement_of(compact).span;
    let edit = PolicyEdit::AppendMember { object, key: "Resource".to_owned(), value: EditValue::String("*".into()) };
    assert_eq!(render(compact, &edit), r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#);
}

#[test]
fn insert_condition_creates_or_merges() {
    let edited = condition(PRETTY, "StringEquals", "aws:PrincipalOrgID", &["o-abc"]);
    assert!(
        edited.contains(
            "            \"Resource\": \"*\",\n            \"Condition\": {\n                \"StringEquals\": {\n                    \"aws:PrincipalOrgID\": \"o-abc\"\n                }\n            }\n        }\n    ]"
        ),
        "{edited}"
    );
    // Into the existing operator, then next to it.
    let edited = condition(&edited, "StringEquals", "aws:SourceAccount", &["1", "2"]);
    assert!(edited.contains("\"o-abc\",\n                    \"aws:SourceAccount\": [\"1\", \"2\"]\n"), "{edited}");
    let edited = condition(&edited, "Null", "aws:TagKeys", &["false"]);
    assert!(edited.contains("                },\n                \"Null\": {\n                    \"aws:TagKeys\": \"false\"\n                }\n            }\n"), "{edited}");
    let edited = condition(SINGLE_LINE, "Bool", "aws:SecureTransport", &["true"]);
    assert!(
        edited.ends_with(r#""Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}"#),
        "{edited}"
    );
    let text = "{\"Statement\": {\"Effect\": \"Allow\", \"Condition\": {}}}";
    assert_eq!(
        condition(text, "Bool", "aws:MultiFactorAuthPresent", &["true"]),
        "{\"Statement\": {\"Effect\": \"Allow\", \"Condition\": {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}}}}"
    );
    // Tabs and CRLF line breaks are kept.
    let text = "{\r\n\t\"Statement\": {\r\n\t\t\"Effect\": \"Allow\"\r\n\t}\r\n}";
    assert_eq!(
        condition(text, "Bool", "k:k", &["true"]),
        "{\r\n\t\"Statement\": {\r\n\t\t\"Effect\": \"Allow\",\r\n\t\t\"Condition\": {\r\n\t\t\t\"Bool\": {\r\n\t\t\t\t\"k:k\": \"true\"\r\n\t\t\t}\r\n\t\t}\r\n\t}\r\n}"
    );
}

#[test]
fn insert_statement() {
    let statement = vec![
        ("Effect".to_owned(), EditValue::String("Deny".into())),
        ("Action".to_owned(), EditValue::List(vec!["s3:*".into()])),
    ];
    let after = statement_of(PRETTY).span;
    let edited = render(PRETTY, &PolicyEdit::InsertStatement { after, statement: statement.clone() });
    assert!(
        edited.ends_with(
            "        },\n        {\n            \"Effect\": \"Deny\",\n            \"Action\": [\"s3:*\"]\n        }\n    ]\n}\n"
        ),
        "{edited}"
    );
    assert_eq!(parse(&edited).statements.len(), 2);
    let after = statement_of(SINGLE_LINE).span;
    let edited = render(SINGLE_LINE, &PolicyEdit::InsertStatement { after, statement: statement.clone() });
    assert!(edited.ends_with(r#""Resource": "*"}, {"Effect": "Deny", "Action": ["s3:*"]}]}"#), "{edited}");
    // A single statement object is not a list to insert into.
    let single = r#"{"Statement": {"Effect": "Allow"}}"#;
    let renderer = JsonRenderer { file: FileId(0), text: single };
    let after = statement_of(single).span;
    assert_eq!(renderer.render(&PolicyEdit::InsertStatement { after, statement }), None);
}

#[test]
fn renderer_declines_foreign_or_bad_spans() {
    let renderer = JsonRenderer { file: FileId(0), text: SINGLE_LINE };
    let stmt = statement_of(SINGLE_LINE);
    let effect = stmt.effect.as_ref().unwrap().span;
    let other_file = Span::new(FileId(9), effect.range);
    assert_eq!(renderer.render(&PolicyEdit::ReplaceString { target: other_file, value: "Deny".to_owned() }), None);
    let past_end = Span::from_offsets(FileId(0), SINGLE_LINE.len() + 1, SINGLE_LINE.len() + 5);
    assert_eq!(renderer.render(&PolicyEdit::RemoveItem { item: past_end }), None);
    // A span that is not a member (inside a string) is not removed.
    let inside =
        Span::from_offsets(FileId(0), usize::from(effect.range.start()) + 1, usize::from(effect.range.end()) - 1);
    assert_eq!(renderer.render(&PolicyEdit::RemoveItem { item: inside }), None);
    assert_eq!(
        renderer.render(&PolicyEdit::InsertMember { object: effect, key: "a".to_owned(), value: "b".to_owned() }),
        None
    );
}

#[test]
fn removing_every_member_and_item_keeps_valid_json() {
    for text in [SINGLE_LINE, PRETTY, BUCKET_POLICY] {
        let doc = parse(text);
        for stmt in &doc.statements {
            for key in &stmt.keys {
                let value = [
                    stmt.sid.as_ref().map(|value| (&value.span, "Sid")),
                    stmt.effect.as_ref().map(|value| (&value.span, "Effect")),
                    stmt.action.as_ref().map(|list| (&list.span, "Action")),
                    stmt.not_action.as_ref().map(|list| (&list.span, "NotAction")),
                    stmt.resource.as_ref().map(|list| (&list.span, "Resource")),
                    stmt.not_resource.as_ref().map(|list| (&list.span, "NotResource")),
                    stmt.principal.as_ref().map(|element| (&element.span, "Principal")),
                    stmt.condition.as_ref().map(|block| (&block.span, "Condition")),
                ]
                .into_iter()
                .flatten()
                .find(|(_, name)| *name == key.name)
                .map(|(span, _)| *span)
                .unwrap();
                let edited = render(text, &PolicyEdit::RemoveMember { key: key.span, value });
                assert_eq!(parse(&edited).statements.get(stmt.index).unwrap().keys.len(), stmt.keys.len() - 1);
            }
            let lists = [&stmt.action, &stmt.not_action, &stmt.resource, &stmt.not_resource];
            for list in lists.into_iter().flatten().filter(|list| list.form == ListForm::Array) {
                for item in &list.items {
                    render(text, &PolicyEdit::RemoveItem { item: item.span });
                }
            }
        }
    }
}

// Model dumps of the fixtures, compared with `<fixture>.dump` files next to them.

#[test]
fn fixture_dumps() {
    let mut names: Vec<String> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 4, "{names:?}");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut mismatches = Vec::new();
    for name in names {
        let path = format!("{FIXTURES}/{name}");
        let text = std::fs::read_to_string(&path).unwrap();
        let actual = dump(&text, &parse(&text));
        let expected_path = format!("{path}.dump");
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(_) if !update => {
                mismatches.push(format!("{expected_path} differs; rerun with UPDATE_EXPECT=1:\n{actual}"))
            }
            // A missing snapshot is created on the first run.
            _ => std::fs::write(&expected_path, &actual).unwrap(),
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

struct Dumper<'t> {
    text: &'t str,
    index: LineIndex,
    out: String,
}

impl Dumper<'_> {
    fn line(&mut self, depth: usize, label: &str, span: Span) {
        let start = self.index.line_col(span.range.start(), ColumnUnit::Char);
        let end = self.index.line_col(span.range.end(), ColumnUnit::Char);
        let source = slice(self.text, span.range).unwrap_or("<bad span>");
        let source = if source.chars().count() > 60 {
            format!("{:?}…", source.chars().take(50).collect::<String>())
        } else {
            format!("{source:?}")
        };
        writeln!(self.out, "{:indent$}{label} {start}-{end} {source}", "", indent = depth * 2).unwrap();
    }

    fn key(&mut self, depth: usize, key: &Key) {
        self.line(depth, "key", key.span);
    }

    fn list(&mut self, depth: usize, label: &str, list: &ValueList) {
        self.line(depth, &format!("{label} {:?}", list.form), list.span);
        self.key(depth + 1, &list.key);
        for item in &list.items {
            self.line(depth + 1, &format!("item {:?}", item.value.to_string()), item.span);
        }
    }
}

fn dump(text: &str, doc: &PolicyDocument) -> String {
    let mut dumper = Dumper { text, index: LineIndex::new(text), out: String::new() };
    let size = doc.size.map_or("?".to_owned(), |size| format!("{}/{}", size.minified, size.total));
    dumper.line(0, &format!("document {} {:?} size {size}", doc.kind.as_str(), doc.kind_source), doc.span);
    for issue in &doc.issues {
        dumper.line(1, &format!("issue {:?} {:?}", issue.kind, issue.message), issue.span);
    }
    for key in &doc.keys {
        dumper.key(1, key);
    }
    if let Some(version) = &doc.version {
        dumper.line(1, "version", version.span);
    }
    if let Some(id) = &doc.id {
        dumper.line(1, "id", id.span);
    }
    for stmt in &doc.statements {
        dumper.line(1, &format!("statement {} {:?}", stmt.index, doc.statement_form), stmt.span);
        for (label, value) in [("sid", &stmt.sid), ("effect", &stmt.effect)] {
            if let Some(value) = value {
                dumper.line(2, label, value.span);
            }
        }
        let lists = [
            ("action", &stmt.action),
            ("not_action", &stmt.not_action),
            ("resource", &stmt.resource),
            ("not_resource", &stmt.not_resource),
        ];
        for (label, list) in lists {
            if let Some(list) = list {
                dumper.list(2, label, list);
            }
        }
        for (label, principal) in [("principal", &stmt.principal), ("not_principal", &stmt.not_principal)] {
            let Some(principal) = principal else { continue };
            dumper.line(2, label, principal.span);
            match &principal.body {
                PrincipalBody::Scalar(value) => dumper.line(3, "scalar", value.span),
                PrincipalBody::Map(entries) => {
                    for (kind, list) in entries {
                        dumper.list(3, kind.as_str(), list);
                    }
                }
                PrincipalBody::Unknown(unknown) => writeln!(dumper.out, "      unknown {:?}", unknown.reason).unwrap(),
            }
        }
        if let Some(condition) = &stmt.condition {
            dumper.line(2, "condition", condition.span);
            for op in &condition.operators {
                let name = &op.name;
                dumper.line(
                    3,
                    &format!("operator {:?} {} if_exists={}", name.qualifier, name.base, name.if_exists),
                    op.span,
                );
                dumper.key(4, &op.key);
                for entry in &op.entries {
                    dumper.line(4, &format!("entry {:?}", entry.form), entry.span);
                    dumper.key(5, &entry.key);
                    for value in &entry.values {
                        dumper.line(
                            5,
                            &format!("{:?} {:?}", value.kind, value.value.value.to_string()),
                            value.value.span,
                        );
                    }
                }
            }
        }
    }
    dumper.out
}

// The tree the JSON reader builds.

#[test]
fn the_tree_is_the_same_on_both_paths_and_its_minified_len_matches_the_text() {
    // The rendering uses the shortest escapes: the fixture's `\u00e9` (six characters) renders as `é`.
    let escaped = r#"{ "Statement" : { "Effect":"Allow", "Action" : [ "a\"b\\c\n" ], "Condition": {"Bool": {"x": [true, null, 1.5e3]}}}}"#;
    for (text, saved) in [(BUCKET_POLICY, 0), (TRUST_NON_ASCII, 5), (escaped, 0)] {
        let body =
            jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict_options()).unwrap().value.unwrap();
        let spans = build::Spans { map: &map(), base: 0 };
        let tree = build::to_node(body, &spans);
        // The fast path builds the same tree as the conversion of the parser's AST.
        assert_eq!(build::parse_tree(text, &spans).as_ref(), Some(&tree));
        let minified = parse(text).size.unwrap().minified;
        assert_eq!(crate::tree::minified_len(&tree), Some(minified - saved), "{text}");
    }
}
