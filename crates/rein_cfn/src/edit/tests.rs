//! Tests of the template edit renderer: each edit kind in each syntax form, applied to the text
//! and read again.

use rein_model::{EditRenderer, PolicyEdit, SourceSyntax};
use rein_text::{FileId, Span, apply_edits};

use super::CfnRenderer;
use crate::analyze_template;

const FILE: FileId = FileId(0);

/// The span of the `nth` occurrence (from 0) of `needle` in `text`.
fn nth(text: &str, needle: &str, nth: usize) -> Span {
    let start = text.match_indices(needle).nth(nth).map(|(idx, _)| idx).unwrap_or_else(|| panic!("no `{needle}`"));
    Span::from_offsets(FILE, start, start + needle.len())
}

fn at(text: &str, needle: &str) -> Span {
    nth(text, needle, 0)
}

/// Renders `edit` for a document read in `syntax`, applies it and checks that the result is
/// still a template without syntax errors.
fn render_as(text: &str, syntax: SourceSyntax, edit: &PolicyEdit) -> Option<String> {
    let renderer = CfnRenderer::new(FILE, text);
    let edits = renderer.document(syntax).render(edit)?;
    let fixed = apply_edits(text, &edits).expect("edits apply");
    let issues = analyze_template(FILE, &fixed).issues;
    assert!(issues.is_empty(), "the fixed template has syntax errors {issues:?}:\n{fixed}");
    Some(fixed)
}

fn render(text: &str, edit: &PolicyEdit) -> Option<String> {
    render_as(text, SourceSyntax::Structured, edit)
}

fn render_embedded(text: &str, edit: &PolicyEdit) -> Option<String> {
    render_as(text, SourceSyntax::EmbeddedJson, edit)
}

fn replace(target: Span, value: &str) -> PolicyEdit {
    PolicyEdit::ReplaceString { target, value: value.to_owned() }
}

fn list(target: Span, values: &[&str]) -> PolicyEdit {
    PolicyEdit::ReplaceWithList { target, values: values.iter().map(|value| (*value).to_owned()).collect() }
}

fn insert(object: Span, key: &str, value: &str) -> PolicyEdit {
    PolicyEdit::InsertMember { object, key: key.to_owned(), value: value.to_owned() }
}

const STATEMENT: &str = "\
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: allow # lower case
            Action: 's3:GetObject'
            Resource: \"arn:aws:s3:::reports/*\"
";

#[test]
fn replaces_scalars_in_their_own_quoting() {
    let fixed = render(STATEMENT, &replace(at(STATEMENT, "allow"), "Allow")).unwrap();
    assert_eq!(fixed, STATEMENT.replace("Effect: allow # lower case", "Effect: Allow # lower case"));
    let fixed = render(STATEMENT, &replace(at(STATEMENT, "'s3:GetObject'"), "s3:GetObjectAcl")).unwrap();
    assert!(fixed.contains("Action: 's3:GetObjectAcl'\n"), "{fixed}");
    let fixed = render(STATEMENT, &replace(at(STATEMENT, "\"arn:aws:s3:::reports/*\""), "a\"b")).unwrap();
    assert!(fixed.contains("Resource: \"a\\\"b\"\n"), "{fixed}");
}

#[test]
fn quotes_values_yaml_would_read_as_something_else() {
    let target = at(STATEMENT, "allow");
    for (value, written) in [
        ("*", "'*'"),
        ("yes", "'yes'"),
        ("on", "'on'"),
        ("null", "'null'"),
        ("123", "'123'"),
        ("2012-10-17", "'2012-10-17'"),
        ("!Ref", "'!Ref'"),
        ("&a", "'&a'"),
        ("*a", "'*a'"),
        ("{a}", "'{a}'"),
        ("[a]", "'[a]'"),
        ("#a", "'#a'"),
        ("a: b", "'a: b'"),
        ("a #b", "'a #b'"),
        ("it's", "it's"),
        ("'x'", "'''x'''"),
        ("line\nbreak", "\"line\\nbreak\""),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/*"),
    ] {
        let fixed = render(STATEMENT, &replace(target, value)).unwrap();
        assert!(fixed.contains(&format!("Effect: {written} # lower case")), "{value}: {fixed}");
        // The value reads back as the string it was meant to be.
        let read = analyze_template(FILE, &fixed);
        let effect = read.documents[0].statements[0].effect.as_ref().unwrap();
        assert_eq!(effect.known(), Some(value), "{fixed}");
    }
}

#[test]
fn replaces_a_block_scalar_with_a_flow_scalar() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: |\n              allow\n            Action: '*'\n";
    let fixed = render(text, &replace(at(text, "allow"), "Allow")).unwrap();
    assert_eq!(fixed, text.replace("|\n              allow", "Allow"));
}

#[test]
fn replaces_in_flow_mappings_json_and_crlf_files() {
    let text = "Resources:\r\n  P:\r\n    Type: AWS::IAM::ManagedPolicy\r\n    Properties:\r\n      PolicyDocument: {Statement: [{Effect: allow, Action: '*', Resource: '*'}]}\r\n";
    let fixed = render(text, &replace(at(text, "allow"), "Allow")).unwrap();
    assert_eq!(fixed, text.replace("allow", "Allow"));
    let fixed = render(text, &replace(at(text, "allow"), "a,b")).unwrap();
    assert!(fixed.contains("{Effect: 'a,b', Action"), "{fixed}");
    let json = "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\"Statement\": [{\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}}}}\n}\n";
    let fixed = render(json, &replace(at(json, "\"allow\""), "Allow")).unwrap();
    assert_eq!(fixed, json.replace("\"allow\"", "\"Allow\""));
}

#[test]
fn keeps_non_ascii_text_around_the_edit() {
    let text = "Description: Rôle de lecture 📄\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Sid: 'Lecture des rapports'\n            Effect: allow # é\n            Action: '*'\n";
    let fixed = render(text, &replace(at(text, "allow"), "Allow")).unwrap();
    assert_eq!(fixed, text.replace("allow", "Allow"));
}

const SUB: &str = "\
Parameters:
  Bucket:
    Type: String
    Default: reports
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Sub 'arn:aws:s3:::${Bucket}/*'
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Sub 'arn:aws:s3:::eu-reports/*'
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Join ['', ['arn:aws:s3:::', !Ref Bucket]]
          - Effect: Allow
            Action: s3:GetObject
            Resource: !If [IsProd, 'arn:aws:s3:::prod', 'arn:aws:s3:::dev']
          - Effect: Allow
            Action: s3:GetObject
            Resource:
              Fn::Sub: 'arn:aws:s3:::eu-${Bucket}'
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Ref Bucket
";

#[test]
fn declines_what_would_break_an_intrinsic() {
    // Placeholders of `Fn::Sub` would be erased.
    assert_eq!(render(SUB, &replace(at(SUB, "'arn:aws:s3:::${Bucket}/*'"), "arn:aws:s3:::x")), None);
    assert_eq!(render(SUB, &replace(at(SUB, "'arn:aws:s3:::eu-${Bucket}'"), "arn:aws:s3:::x")), None);
    // `Fn::Join` and `Fn::If` as a whole, and their parts.
    assert_eq!(render(SUB, &replace(at(SUB, "!Join ['', ['arn:aws:s3:::', !Ref Bucket]]"), "x")), None);
    assert_eq!(render(SUB, &replace(at(SUB, "'arn:aws:s3:::'"), "x")), None);
    assert_eq!(render(SUB, &replace(at(SUB, "'arn:aws:s3:::prod'"), "x")), None);
    assert_eq!(render(SUB, &PolicyEdit::RemoveItem { item: at(SUB, "'arn:aws:s3:::dev'") }), None);
    // A `Ref` to a parameter reads its default, which other references share.
    assert_eq!(render(SUB, &replace(at(SUB, "reports"), "x")), None);
    // A scalar of `Fn::Sub` cannot become a list under its tag.
    assert_eq!(render(SUB, &list(at(SUB, "'arn:aws:s3:::eu-reports/*'"), &["a", "b"])), None);
}

#[test]
fn rewrites_a_sub_template_without_placeholders_and_escapes_new_ones() {
    let target = at(SUB, "'arn:aws:s3:::eu-reports/*'");
    let fixed = render(SUB, &replace(target, "arn:aws:s3:::eu-reports/${aws:username}/*")).unwrap();
    assert!(fixed.contains("Resource: !Sub 'arn:aws:s3:::eu-reports/${!aws:username}/*'\n"), "{fixed}");
    let read = analyze_template(FILE, &fixed);
    let resource = read.documents[0].statements[1].resource.as_ref().unwrap();
    assert_eq!(resource.items[0].known(), Some("arn:aws:s3:::eu-reports/${aws:username}/*"));
}

#[test]
fn declines_nodes_an_alias_copies_and_broken_templates() {
    let text = "Resources:\n  A:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - &stmt\n            Effect: allow\n            Action: '*'\n  B:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - *stmt\n";
    assert_eq!(render(text, &replace(at(text, "allow"), "Allow")), None);
    let broken = format!("{STATEMENT}  Other: [unclosed\n");
    assert_eq!(render_as(&broken, SourceSyntax::Structured, &replace(at(&broken, "allow"), "Allow")), None);
}

#[test]
fn turns_a_block_scalar_value_into_a_block_sequence() {
    let target = at(STATEMENT, "\"arn:aws:s3:::reports/*\"");
    let fixed = render(STATEMENT, &list(target, &["arn:aws:s3:::reports/*", "arn:aws:s3:::reports"])).unwrap();
    assert_eq!(
        fixed,
        STATEMENT.replace(
            "Resource: \"arn:aws:s3:::reports/*\"\n",
            "Resource:\n              - \"arn:aws:s3:::reports/*\"\n              - \"arn:aws:s3:::reports\"\n"
        )
    );
    // The template's own sequence indentation is copied (here none), and a comment stays on the
    // line of the first item.
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n        - Effect: Allow\n          Action: s3:GetObject\n          Resource: arn:aws:s3:::b # the bucket\n";
    let fixed = render(text, &list(at(text, "arn:aws:s3:::b"), &["arn:aws:s3:::b", "arn:aws:s3:::b/*"])).unwrap();
    assert_eq!(
        fixed,
        text.replace(
            "Resource: arn:aws:s3:::b # the bucket\n",
            "Resource:\n          - arn:aws:s3:::b # the bucket\n          - arn:aws:s3:::b/*\n"
        )
    );
}

#[test]
fn turns_a_scalar_into_a_flow_list_inside_flow_and_json() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement: [{Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b}]\n";
    let fixed = render(text, &list(at(text, "arn:aws:s3:::b"), &["arn:aws:s3:::b", "arn:aws:s3:::b/*"])).unwrap();
    assert!(fixed.contains("Resource: [arn:aws:s3:::b, arn:aws:s3:::b/*]}]"), "{fixed}");
    let json = "{\"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b\"}}}}}}";
    let fixed = render(json, &list(at(json, "\"arn:aws:s3:::b\""), &["arn:aws:s3:::b", "arn:aws:s3:::b/*"])).unwrap();
    assert!(fixed.contains("\"Resource\": [\"arn:aws:s3:::b\", \"arn:aws:s3:::b/*\"]}"), "{fixed}");
}

#[test]
fn appends_to_sequences_in_their_style() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource:\n              # The bucket itself.\n              - 'arn:aws:s3:::b' # b\n";
    let target = nth(text, "- 'arn:aws:s3:::b' # b", 0);
    let target =
        Span::from_offsets(FILE, usize::from(target.range.start()) + 2, usize::from(target.range.start()) + 18);
    // An item of a block sequence becomes a flow sequence inside it.
    let fixed = render(text, &list(target, &["arn:aws:s3:::b", "arn:aws:s3:::b/*"])).unwrap();
    assert!(fixed.contains("- ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] # b"), "{fixed}");
    // The span of a block sequence runs from its first dash to the end of its last item.
    let seq_start = text.find("- 'arn").unwrap();
    let seq = Span::from_offsets(FILE, seq_start, seq_start + "- 'arn:aws:s3:::b'".len());
    let fixed = render(text, &list(seq, &["arn:aws:s3:::b", "arn:aws:s3:::b/*"])).unwrap();
    assert_eq!(fixed, format!("{text}              - 'arn:aws:s3:::b/*'\n"));
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: [arn:aws:s3:::b]\n";
    let fixed = render(text, &list(at(text, "[arn:aws:s3:::b]"), &["arn:aws:s3:::b", "arn:aws:s3:::b/*"])).unwrap();
    assert!(fixed.contains("Resource: [arn:aws:s3:::b, arn:aws:s3:::b/*]\n"), "{fixed}");
    let json = "{\n  \"Resources\": {\n    \"P\": {\n      \"Type\": \"AWS::IAM::ManagedPolicy\",\n      \"Properties\": {\n        \"PolicyDocument\": {\n          \"Statement\": {\n            \"Effect\": \"Allow\",\n            \"Action\": \"s3:GetObject\",\n            \"Resource\": [\n              \"arn:aws:s3:::b\"\n            ]\n          }\n        }\n      }\n    }\n  }\n}\n";
    let start = json.find("[\n              \"arn").unwrap();
    let end = json[start..].find(']').unwrap() + start + 1;
    let fixed =
        render(json, &list(Span::from_offsets(FILE, start, end), &["arn:aws:s3:::b", "arn:aws:s3:::b/*"])).unwrap();
    assert!(fixed.contains("\"arn:aws:s3:::b\",\n              \"arn:aws:s3:::b/*\"\n            ]"), "{fixed}");
}

const TRUST: &str = "\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
            Resource: '*' # not allowed here
          - Resource:
              - '*'
            Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
";

/// Removes the `occurrence`th member `key` (written with a colon after it) with its value.
fn remove_member(text: &str, key: &str, value: &str, occurrence: usize) -> PolicyEdit {
    let with_colon = nth(text, &format!("{key}:"), occurrence);
    let key =
        Span::new(FILE, rein_text::TextRange::at(with_colon.range.start(), rein_text::size_from_usize(key.len())));
    let value = text[usize::from(key.range.end())..].find(value).unwrap() + usize::from(key.range.end());
    PolicyEdit::RemoveMember { key, value: Span::from_offsets(FILE, value, value + 3) }
}

#[test]
fn removes_block_members_with_their_lines() {
    let fixed = render(TRUST, &remove_member(TRUST, "Resource", "'*'", 0)).unwrap();
    assert_eq!(fixed, TRUST.replace("            Resource: '*' # not allowed here\n", ""));
    // The first member after `- `: the next member moves up.
    let key = Span::from_offsets(FILE, TRUST.find("- Resource").unwrap() + 2, TRUST.find("- Resource").unwrap() + 10);
    let value_start = TRUST.find("- '*'").unwrap();
    let value = Span::from_offsets(FILE, value_start, value_start + 5);
    let fixed = render(TRUST, &PolicyEdit::RemoveMember { key, value }).unwrap();
    assert!(fixed.contains("          - Effect: Allow\n            Principal: {Service: ec2"), "{fixed}");
    // The only member leaves an empty mapping.
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          Resource: '*'\n";
    let fixed = render(text, &remove_member(text, "Resource", "'*'", 0)).unwrap();
    assert!(fixed.ends_with("Statement:\n          {}\n"), "{fixed}");
}

#[test]
fn removes_flow_and_json_members_with_one_comma() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Resource: '*', Action: sts:AssumeRole}]}\n";
    let fixed = render(text, &remove_member(text, "Resource", "'*'", 0)).unwrap();
    assert!(fixed.contains("[{Effect: Allow, Action: sts:AssumeRole}]"), "{fixed}");
    let json = "{\n  \"Resources\": {\n    \"R\": {\n      \"Type\": \"AWS::IAM::Role\",\n      \"Properties\": {\n        \"AssumeRolePolicyDocument\": {\n          \"Statement\": [\n            {\n              \"Effect\": \"Allow\",\n              \"Action\": \"sts:AssumeRole\",\n              \"Resource\": \"*\"\n            }\n          ]\n        }\n      }\n    }\n  }\n}\n";
    let fixed = render(json, &remove_member(json, "\"Resource\"", "\"*\"", 0)).unwrap();
    assert!(fixed.contains("\"Action\": \"sts:AssumeRole\"\n            }"), "{fixed}");
}

#[test]
fn removes_items_including_the_last_and_only_one() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action:\n              - s3:GetObject\n              - s3:GetObjct # typo\n            Resource: '*'\n";
    let remove = |needle: &str| PolicyEdit::RemoveItem { item: at(text, needle) };
    let fixed = render(text, &remove("s3:GetObjct")).unwrap();
    assert_eq!(fixed, text.replace("              - s3:GetObjct # typo\n", ""));
    let fixed = render(text, &remove("s3:GetObject\n")).map(|_| ());
    assert_eq!(fixed, None, "a span with the line break is not the item's");
    let item = Span::from_offsets(FILE, text.find("s3:GetObject").unwrap(), text.find("s3:GetObject").unwrap() + 12);
    let fixed = render(text, &PolicyEdit::RemoveItem { item }).unwrap();
    assert_eq!(fixed, text.replace("              - s3:GetObject\n", ""));
    let only = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action:\n              - s3:GetObject\n            Resource: '*'\n";
    let fixed = render(only, &PolicyEdit::RemoveItem { item: at(only, "s3:GetObject") }).unwrap();
    assert!(fixed.contains("Action:\n              []\n"), "{fixed}");
    let flow = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: [s3:GetObject, s3:PutObject]\n            Resource: '*'\n";
    let fixed = render(flow, &PolicyEdit::RemoveItem { item: at(flow, "s3:PutObject") }).unwrap();
    assert!(fixed.contains("Action: [s3:GetObject]\n"), "{fixed}");
}

#[test]
fn inserts_members_at_the_indentation_of_their_siblings() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        # Read-only.\n        Statement:\n          - Effect: Allow\n            Action: '*'\n";
    let doc_start = text.find("Statement").unwrap();
    let doc = Span::from_offsets(FILE, doc_start, text.len() - 1);
    let fixed = render(text, &insert(doc, "Version", "2012-10-17")).unwrap();
    assert_eq!(fixed, text.replace("        Statement:", "        Version: '2012-10-17'\n        Statement:"));
    // After `- `, the new first member is followed by its siblings' indentation.
    let stmt_start = text.find("Effect").unwrap();
    let stmt = Span::from_offsets(FILE, stmt_start, text.len() - 1);
    let fixed = render(text, &insert(stmt, "Sid", "Read")).unwrap();
    assert!(fixed.contains("          - Sid: Read\n            Effect: Allow\n"), "{fixed}");
    // Siblings in double quotes give the new value double quotes.
    let quoted = text.replace("Action: '*'", "Action: \"*\"");
    let fixed = render(&quoted, &insert(stmt, "Sid", "*")).unwrap();
    assert!(fixed.contains("- Sid: \"*\"\n"), "{fixed}");
}

#[test]
fn inserts_members_into_flow_mappings_and_json() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: { Statement: [] }\n";
    let open = text.find("{ Statement").unwrap();
    let doc = Span::from_offsets(FILE, open, open + "{ Statement: [] }".len());
    let fixed = render(text, &insert(doc, "Version", "2012-10-17")).unwrap();
    assert!(fixed.contains("PolicyDocument: { Version: '2012-10-17', Statement: [] }\n"), "{fixed}");
    let empty = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: {}\n";
    let fixed = render(empty, &insert(at(empty, "{}"), "Version", "2012-10-17")).unwrap();
    assert!(fixed.contains("PolicyDocument: {Version: '2012-10-17'}\n"), "{fixed}");
    let json = "{\n    \"Resources\": {\n        \"P\": {\n            \"Type\": \"AWS::IAM::ManagedPolicy\",\n            \"Properties\": {\n                \"PolicyDocument\": {\n                    \"Statement\": []\n                }\n            }\n        }\n    }\n}\n";
    let open = json.find("{\n                    \"Statement").unwrap();
    let close = json[open..].find('}').unwrap() + open + 1;
    let fixed = render(json, &insert(Span::from_offsets(FILE, open, close), "Version", "2012-10-17")).unwrap();
    assert!(
        fixed.contains("{\n                    \"Version\": \"2012-10-17\",\n                    \"Statement\": []"),
        "{fixed}"
    );
}

#[test]
fn renders_embedded_json_through_the_string_escapes() {
    // Single quotes: `'` is doubled.
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: '{\"Statement\": [{\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}'\n";
    let fixed = render_embedded(text, &replace(at(text, "\"allow\""), "it's")).unwrap();
    assert!(fixed.contains("{\"Effect\": \"it''s\", \"Action\""), "{fixed}");
    let open = text.find("{\"Statement").unwrap();
    let doc = Span::from_offsets(FILE, open, text.rfind('}').unwrap() + 1);
    let fixed = render_embedded(text, &insert(doc, "Version", "2012-10-17")).unwrap();
    assert!(fixed.contains("'{\"Version\": \"2012-10-17\", \"Statement\": [{"), "{fixed}");
    // Double quotes: the JSON's quotes are escaped again.
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: \"{\\\"Statement\\\": {\\\"Effect\\\": \\\"allow\\\", \\\"Action\\\": \\\"*\\\", \\\"Resource\\\": \\\"*\\\"}}\"\n";
    let fixed = render_embedded(text, &replace(at(text, "\\\"allow\\\""), "Allow")).unwrap();
    assert!(fixed.contains("{\\\"Effect\\\": \\\"Allow\\\", "), "{fixed}");
    let read = analyze_template(FILE, &fixed);
    assert_eq!(read.documents[0].statements[0].effect.as_ref().unwrap().known(), Some("Allow"));
    // A JSON template's string value.
    let json = "{\"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": \"{\\\"Statement\\\": {\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"*\\\", \\\"Resource\\\": \\\"*\\\"}}\"}}}}";
    let edit = PolicyEdit::RemoveMember { key: at(json, "\\\"Resource\\\""), value: nth(json, "\\\"*\\\"", 1) };
    let fixed = render_embedded(json, &edit).unwrap();
    assert!(fixed.contains("\\\"Action\\\": \\\"*\\\"}}\""), "{fixed}");
}

#[test]
fn renders_embedded_json_in_a_literal_block() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: |\n        {\n          \"Statement\": [\n            {\"Effect\": \"Allow\", \"Action\": \"s3:GetObjct\", \"Resource\": \"*\"}\n          ]\n        }\n";
    let fixed = render_embedded(text, &replace(at(text, "\"s3:GetObjct\""), "s3:GetObject")).unwrap();
    assert_eq!(fixed, text.replace("s3:GetObjct", "s3:GetObject"));
    let open = text.find("{\n").unwrap();
    let doc = Span::from_offsets(FILE, open, text.rfind('}').unwrap() + 1);
    let fixed = render_embedded(text, &insert(doc, "Version", "2012-10-17")).unwrap();
    assert!(
        fixed.contains("|\n        {\n          \"Version\": \"2012-10-17\",\n          \"Statement\": ["),
        "{fixed}"
    );
}

#[test]
fn declines_embedded_edits_inside_an_escape() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: \"{\\\"Statement\\\": {\\\"Sid\\\": \\\"caf\\u00e9\\\", \\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"*\\\", \\\"Resource\\\": \\\"*\\\"}}\"\n";
    let start = text.find("\\u00e9").unwrap();
    let inside = Span::from_offsets(FILE, start + 1, start + 6);
    assert_eq!(render_embedded(text, &PolicyEdit::ReplaceInString { target: inside, value: "e".into() }), None);
    let whole = Span::from_offsets(FILE, start, start + 6);
    let fixed = render_embedded(text, &PolicyEdit::ReplaceInString { target: whole, value: "e".into() }).unwrap();
    assert!(fixed.contains("\\\"cafe\\\""), "{fixed}");
}

#[test]
fn scalar_spans_stop_before_a_comment() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: allow # lower case\n            Action: ['s3:Get*' ,  \"s3:List*\"  ] # both\n            Resource:\n              - 'arn:aws:s3:::it''s' # quoted\n";
    let doc = &analyze_template(FILE, text).documents[0];
    let stmt = &doc.statements[0];
    let slice = |span: Span| &text[usize::from(span.range.start())..usize::from(span.range.end())];
    assert_eq!(slice(stmt.effect.as_ref().unwrap().span), "allow");
    let actions = stmt.action.as_ref().unwrap();
    assert_eq!(actions.items.iter().map(|item| slice(item.span)).collect::<Vec<_>>(), ["'s3:Get*'", "\"s3:List*\""]);
    assert_eq!(slice(stmt.resource.as_ref().unwrap().items[0].span), "'arn:aws:s3:::it''s'");
}

/// Adds a condition to the first statement of the first document through the model, checks that
/// the template re-reads with the condition in it, and returns the new text.
fn add_condition(text: &str, operator: &str, key: &str, values: &[&str]) -> String {
    let values: Vec<String> = values.iter().map(|value| (*value).to_owned()).collect();
    let output = analyze_template(FILE, text);
    let doc = output.documents.first().unwrap();
    let stmt = doc.statements.first().unwrap();
    let edit = PolicyEdit::insert_condition(stmt, operator, key, &values).unwrap();
    let fixed = render_as(text, doc.origin.syntax, &edit).unwrap_or_else(|| panic!("no rendering in\n{text}"));
    let reread = analyze_template(FILE, &fixed);
    let doc = reread.documents.first().unwrap();
    assert!(doc.issues.is_empty(), "{:?}\n{fixed}", doc.issues);
    let found = doc.statements.first().and_then(|stmt| stmt.condition.as_ref()).is_some_and(|block| {
        block.entries().any(|(op, entry)| {
            op.key.name == operator
                && entry.key.name == key
                && entry
                    .values
                    .iter()
                    .map(|value| value.value.known().unwrap_or_default())
                    .eq(values.iter().map(String::as_str))
        })
    });
    assert!(found, "condition missing in\n{fixed}");
    fixed
}

#[test]
fn inserts_conditions_into_block_yaml() {
    let fixed = add_condition(STATEMENT, "StringEquals", "aws:SourceAccount", &["111122223333"]);
    assert_eq!(
        fixed,
        format!(
            "{STATEMENT}            Condition:\n              StringEquals:\n                aws:SourceAccount: '111122223333'\n"
        )
    );
    let fixed = add_condition(&fixed, "StringEquals", "aws:SourceArn", &["arn:aws:sns:*:1:t", "x"]);
    assert!(fixed.ends_with("'111122223333'\n                aws:SourceArn:\n                  - arn:aws:sns:*:1:t\n                  - x\n"), "{fixed}");
    let fixed = add_condition(&fixed, "Bool", "aws:SecureTransport", &["true"]);
    assert!(
        fixed.ends_with("                  - x\n              Bool:\n                aws:SecureTransport: 'true'\n"),
        "{fixed}"
    );
}

#[test]
fn inserts_conditions_into_flow_yaml_and_json_templates() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}\n";
    let fixed = add_condition(text, "Bool", "aws:SecureTransport", &["true"]);
    assert!(fixed.contains("Resource: '*', Condition: {Bool: {aws:SecureTransport: 'true'}}}]}"), "{fixed}");
    let text = "{\n  \"Resources\": {\n    \"P\": {\n      \"Type\": \"AWS::IAM::ManagedPolicy\",\n      \"Properties\": {\n        \"PolicyDocument\": {\n          \"Statement\": [\n            {\n              \"Effect\": \"Allow\",\n              \"Action\": \"s3:*\",\n              \"Resource\": \"*\"\n            }\n          ]\n        }\n      }\n    }\n  }\n}\n";
    let fixed = add_condition(text, "Bool", "aws:SecureTransport", &["true"]);
    assert_eq!(
        fixed,
        text.replace(
            "\"Resource\": \"*\"\n",
            "\"Resource\": \"*\",\n              \"Condition\": {\n                \"Bool\": {\n                  \"aws:SecureTransport\": \"true\"\n                }\n              }\n"
        )
    );
}

#[test]
fn inserts_conditions_into_embedded_json() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: '{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}'\n";
    let fixed = add_condition(text, "StringEquals", "aws:PrincipalOrgID", &["o-it's"]);
    assert!(
        fixed.contains(
            "\"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-it''s\"}}}}'\n"
        ),
        "{fixed}"
    );
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: |\n        {\n          \"Statement\": {\n            \"Effect\": \"Allow\",\n            \"Action\": \"s3:*\",\n            \"Resource\": \"*\"\n          }\n        }\n";
    let fixed = add_condition(text, "Bool", "aws:SecureTransport", &["true"]);
    assert!(
        fixed.contains("\"Resource\": \"*\",\n            \"Condition\": {\n              \"Bool\": {\n                \"aws:SecureTransport\": \"true\"\n              }\n            }\n          }\n        }\n"),
        "{fixed}"
    );
}

#[test]
fn inserts_conditions_under_sequences_that_are_not_indented() {
    let text = "Resources:\n  Slr:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n        - Effect: Allow\n          Action:\n          - iam:CreateServiceLinkedRole\n          Resource: \"*\"\n";
    let fixed = add_condition(text, "StringEquals", "iam:AWSServiceName", &["x"]);
    assert!(fixed.ends_with("          Resource: \"*\"\n          Condition:\n            StringEquals:\n              iam:AWSServiceName: x\n"), "{fixed}");
}

/// Inserts a statement after the first statement of the first document through the model,
/// checks that the template re-reads with one statement more, and returns the new text.
fn add_statement(text: &str) -> String {
    let output = analyze_template(FILE, text);
    let doc = output.documents.first().unwrap();
    let statement = vec![
        ("Effect".to_owned(), rein_model::EditValue::String("Deny".to_owned())),
        ("Action".to_owned(), rein_model::EditValue::List(vec!["s3:DeleteBucket".to_owned(), "s3:*".to_owned()])),
    ];
    let edit = PolicyEdit::InsertStatement { after: doc.statements.first().unwrap().span, statement };
    let fixed = render_as(text, doc.origin.syntax, &edit).unwrap_or_else(|| panic!("no rendering in\n{text}"));
    let reread = analyze_template(FILE, &fixed);
    let doc_after = reread.documents.first().unwrap();
    assert!(doc_after.issues.is_empty(), "{:?}\n{fixed}", doc_after.issues);
    assert_eq!(doc_after.statements.len(), doc.statements.len() + 1, "{fixed}");
    assert_eq!(doc_after.statements.get(1).and_then(|stmt| stmt.effect.as_ref()?.known()), Some("Deny"), "{fixed}");
    fixed
}

#[test]
fn inserts_statements_in_every_template_syntax() {
    assert_eq!(
        add_statement(STATEMENT),
        format!(
            "{STATEMENT}          - Effect: Deny\n            Action:\n              - s3:DeleteBucket\n              - s3:*\n"
        )
    );
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}\n";
    assert!(
        add_statement(text).contains("Resource: '*'}, {Effect: Deny, Action: [s3:DeleteBucket, s3:*]}]}"),
        "{}",
        add_statement(text)
    );
    let text = "{\"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\"Statement\": [\n  {\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:*\"\n  }\n]}}}}}\n";
    assert!(
        add_statement(text).contains(
            "\"s3:*\"\n  },\n  {\n    \"Effect\": \"Deny\",\n    \"Action\": [\"s3:DeleteBucket\", \"s3:*\"]\n  }\n]"
        ),
        "{}",
        add_statement(text)
    );
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: '{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\"}]}'\n";
    assert!(
        add_statement(text)
            .contains("\"Action\": \"s3:*\"}, {\"Effect\": \"Deny\", \"Action\": [\"s3:DeleteBucket\", \"s3:*\"]}]}'"),
        "{}",
        add_statement(text)
    );
}
