//! Parser tests: the grammar forms of the HCL native syntax spec, the shape of the tree the
//! lowering reads, error recovery in half-typed buffers, nesting limits, byte-exact spans, and
//! property tests over damaged fixtures.

use proptest::prelude::*;
use rein_text::FileId;

use super::parser::{MAX_NESTING, parse};
use super::tree::{Kind, Node, Tree};
use crate::analyze_file;

/// The syntax errors of `text` as `(source slice, message)`.
fn errors(text: &str) -> Vec<(String, String)> {
    parse(text).errors.into_iter().map(|(start, end, message)| (text[start..end].to_owned(), message)).collect()
}

/// The resources and data sources whose blocks survive, by address.
fn addresses(text: &str) -> Vec<String> {
    let output = analyze_file(FileId(0), text);
    let mut found: Vec<String> = output.entities.iter().map(|entity| entity.address.clone()).collect();
    found.extend(output.documents.iter().filter_map(|doc| doc.origin.owner.clone()));
    found.extend(output.unknown_policies.iter().map(|unknown| unknown.owner.clone()));
    found.sort();
    found.dedup();
    found
}

/// Every node lies inside the text on character boundaries, and inside its parent.
fn assert_well_formed(tree: &Tree, text: &str) {
    for node in tree.nodes() {
        let range = node.byte_range();
        assert!(range.start <= range.end && range.end <= text.len(), "{node:?} outside the text");
        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end), "{node:?} splits a character");
        if let Some(parent) = node.parent() {
            assert!(
                parent.start_byte() <= range.start && range.end <= parent.end_byte(),
                "{node:?} outside {parent:?}"
            );
        }
    }
}

fn first_of<'t>(tree: &'t Tree, kind: Kind) -> Node<'t> {
    tree.nodes().filter(|node| node.kind() == kind).min_by_key(Node::start_byte).unwrap()
}

/// Every expression form of the spec, written as Terraform writes them.
const GRAMMAR: &str = r#"# hash comment
// slash comment
/* block
   comment */
terraform {
  required_version = ">= 1.5"
}

locals {
  number   = 1.5e3
  negative = -1
  flags    = [true, false, null]
  quoted   = "a\"b\\c\u00e9 $${literal} %%{literal}"
  template = "arn:${var.partition}:s3:::${local.bucket}/*"
  strip    = "${~ var.x ~}"
  directive = "%{ if var.on }on%{ else }off%{ endif }, %{ for x in var.xs }${x},%{ endfor }"
  object   = { a = 1, "b" = 2, c: 3, (local.key) = 4
    d = 5 }
  tuple    = [
    1,
    2,
  ]
  call     = concat(var.a, ["b"], var.rest...)
  provider = provider::aws::arn_parse(var.arn)
  index    = var.list[0]
  legacy   = var.list.0.name
  splat    = aws_instance.web[*].id
  attr     = aws_instance.web.*.id
  for_list = [for s in var.list : upper(s) if s != ""]
  for_map  = { for k, v in var.map : k => v... }
  cond     = var.a ? "yes" : var.b ? "maybe" : "no"
  ops      = !var.a || var.b && 1 + 2 * 3 >= 4 % 5 - 6 / 7 == true != false
  parens   = (1 + 2) * 3
}

resource "aws_iam_policy" "heredocs" {
  policy = <<EOF
{"Statement": [{"Action": "${var.action}"}]}
EOF
  indented = <<-EOT
    line one
      line two
    EOT
}

resource "aws_iam_role" "one_line" { name = "x" }
data "aws_iam_policy_document" "empty" {}
"#;

#[test]
fn every_grammar_form_parses_without_errors() {
    assert_eq!(errors(GRAMMAR), Vec::<(String, String)>::new());
    let tree = parse(GRAMMAR).tree;
    assert_well_formed(&tree, GRAMMAR);
    assert!(!tree.root().unwrap().has_error());
    let kinds: Vec<Kind> = tree.nodes().map(|node| node.kind()).collect();
    for kind in [
        Kind::Comment,
        Kind::NumericLit,
        Kind::BoolLit,
        Kind::NullLit,
        Kind::StringLit,
        Kind::QuotedTemplate,
        Kind::HeredocTemplate,
        Kind::TemplateInterpolation,
        Kind::TemplateDirective,
        Kind::Object,
        Kind::Tuple,
        Kind::FunctionCall,
        Kind::Ellipsis,
        Kind::Index,
        Kind::LegacyIndex,
        Kind::Splat,
        Kind::ForExpr,
        Kind::Conditional,
        Kind::Operation,
    ] {
        assert!(kinds.contains(&kind), "no {kind:?}");
    }
}

#[test]
fn tree_shapes() {
    let text = "locals {\n  x = a + b * c\n  y = var.list[0].name\n  z = \"${a}b\"\n}\n";
    insta::assert_snapshot!(parse(text).tree.dump(text));
}

#[test]
fn heredoc_identifiers_and_content() {
    let text = "x = <<-EOF\n  a ${b}\n  EOF\ny = 1\n";
    let tree = parse(text).tree;
    let identifiers: Vec<&str> = tree
        .nodes()
        .filter(|node| node.kind() == Kind::HeredocIdentifier)
        .map(|node| &text[node.byte_range()])
        .collect();
    assert_eq!(identifiers, ["EOF", "EOF"]);
    let heredoc = first_of(&tree, Kind::HeredocTemplate);
    assert_eq!(&text[heredoc.byte_range()], "<<-EOF\n  a ${b}\n  EOF");
    assert_eq!(&text[first_of(&tree, Kind::TemplateInterpolation).byte_range()], "${b}");
    assert!(errors(text).is_empty());
}

#[test]
fn heredoc_markers_may_be_indented_but_not_preceded_by_text() {
    // hashicorp/hcl specsuite `heredoc.hcl`, `indented` and `marker_at_suffix`.
    let text = "a = <<EOT\n    NOT EOT\n  EOT\nb = 1\n";
    let tree = parse(text).tree;
    let closing = tree.nodes().filter(|node| node.kind() == Kind::HeredocIdentifier).nth(1).unwrap();
    assert_eq!(closing.start_byte(), text.find("  EOT").unwrap() + 2);
    assert!(errors(text).is_empty());
}

#[test]
fn comments_sit_next_to_the_construct_below_them() {
    let text = "# above the block\nresource \"a\" \"b\" {\n  # above name\n  name = \"x\" # after name\n  tags = {\n    # above key\n    key = 1\n  }\n  # last\n}\n";
    let tree = parse(text).tree;
    let next_of = |comment: &str| {
        let node = tree.nodes().find(|node| &text[node.byte_range()] == comment).unwrap();
        node.next_sibling().map(|next| (next.kind(), text[next.byte_range()].lines().next().unwrap().to_owned()))
    };
    assert_eq!(next_of("# above the block"), Some((Kind::Block, "resource \"a\" \"b\" {".to_owned())));
    assert_eq!(next_of("# above name"), Some((Kind::Attribute, "name = \"x\"".to_owned())));
    assert_eq!(next_of("# above key"), Some((Kind::ObjectElem, "key = 1".to_owned())));
    assert_eq!(next_of("# last"), None);
    let last = tree.nodes().find(|node| &text[node.byte_range()] == "# last").unwrap();
    assert_eq!(last.parent().unwrap().kind(), Kind::Body);
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let text = "\u{feff}resource \"aws_iam_user\" \"u\" {\n  name = \"u\"\n}\n";
    assert!(errors(text).is_empty(), "{:?}", errors(text));
    assert_eq!(addresses(text), ["aws_iam_user.u"]);
    assert_eq!(first_of(&parse(text).tree, Kind::Block).start_byte(), 3);
}

#[test]
fn one_error_for_a_file_that_ends_inside_a_construct() {
    let text = "resource \"a\" \"b\" {\n  policy = jsonencode({\n    Statement = [{ Action = [\"s3:GetObject\", ";
    assert_eq!(
        errors(text),
        [(
            "resource \"a\" \"b\" {".to_owned(),
            "syntax error: the file ends before `resource \"a\" \"b\" {…` is complete".to_owned()
        )]
    );
}

#[test]
fn messages_for_missing_and_unexpected_tokens() {
    assert_eq!(errors("x = [1, 2\ny = 3\n"), [(String::new(), "syntax error: missing `]`".to_owned())]);
    assert_eq!(errors("x = f(1\ny = 3\n"), [(String::new(), "syntax error: missing `)`".to_owned())]);
    assert_eq!(errors("x = 1 2\ny = 3\n"), [("2".to_owned(), "syntax error: unexpected `2`".to_owned())]);
    assert_eq!(errors("x = \ny = 3\n"), [(String::new(), "syntax error: missing expression".to_owned())]);
    assert_eq!(errors("x = \"abc\ny = 3\n"), [(String::new(), "syntax error: missing `\"`".to_owned())]);
    assert_eq!(errors("x = @\n"), [("@".to_owned(), "syntax error: unexpected `@`".to_owned())]);
    assert_eq!(errors("}\nx = 1\n"), [("}".to_owned(), "syntax error: unexpected `}`".to_owned())]);
    assert_eq!(
        errors("resou\nx = 1\n"),
        [(String::new(), "syntax error: missing `=` or `{` after `resou`".to_owned())]
    );
    assert_eq!(
        errors("x = \"a %{ endif } b\"\n"),
        [("%{ endif }".to_owned(), "syntax error: unexpected `%{ endif }`".to_owned())]
    );
}

const BEFORE: &str = "resource \"aws_iam_user\" \"before\" {\n  name = \"a\"\n}\n\n";
const AFTER: &str = "\nresource \"aws_iam_user\" \"after\" {\n  name = \"b\"\n}\n";

#[test]
fn half_typed_buffers_keep_the_blocks_around_the_break() {
    let both = ["aws_iam_user.after", "aws_iam_user.before"];
    // An unclosed `{` swallows what follows into its body; top-level blocks are taken out again.
    let unclosed_brace = format!("{BEFORE}resource \"aws_iam_user\" \"broken\" {{\n  name = \"x\"\n{AFTER}");
    assert_eq!(addresses(&unclosed_brace), ["aws_iam_user.after", "aws_iam_user.before", "aws_iam_user.broken"]);
    assert_eq!(errors(&unclosed_brace).len(), 1, "{:?}", errors(&unclosed_brace));

    // A quoted string ends with its line.
    let unclosed_string = format!("{BEFORE}resource \"aws_iam_user\" \"broken\" {{\n  name = \"x\n}}\n{AFTER}");
    assert_eq!(addresses(&unclosed_string), ["aws_iam_user.after", "aws_iam_user.before", "aws_iam_user.broken"]);
    assert_eq!(errors(&unclosed_string), [(String::new(), "syntax error: missing `\"`".to_owned())]);

    // An unclosed `${` in a quoted string: the string and the interpolation end with the line.
    let unclosed_interpolation =
        format!("{BEFORE}resource \"aws_iam_user\" \"broken\" {{\n  name = \"${{var.x\n}}\n{AFTER}");
    assert_eq!(
        addresses(&unclosed_interpolation),
        ["aws_iam_user.after", "aws_iam_user.before", "aws_iam_user.broken"]
    );
    assert_eq!(errors(&unclosed_interpolation).len(), 2, "{:?}", errors(&unclosed_interpolation));

    // A heredoc without its closing line ends before the next line that starts a top-level
    // block or closes one, so what follows is still read.
    let unclosed_heredoc = format!("{BEFORE}resource \"aws_iam_policy\" \"broken\" {{\n  policy = <<EOF\n{{\n{AFTER}");
    assert_eq!(addresses(&unclosed_heredoc), ["aws_iam_policy.broken", "aws_iam_user.after", "aws_iam_user.before"]);
    let messages: Vec<String> = errors(&unclosed_heredoc).into_iter().map(|(_, message)| message).collect();
    assert_eq!(
        messages,
        [
            "syntax error: the file ends before `resource \"aws_iam_policy\" \"broken\" {…` is complete",
            "syntax error: missing `EOF`, the end of this heredoc",
        ]
    );
    let closed_block = "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"a\": 1}\n}\n".to_owned() + AFTER;
    assert_eq!(addresses(&closed_block), ["aws_iam_policy.p", "aws_iam_user.after"]);
    assert_eq!(
        errors(&closed_block),
        [("<<EOF".to_owned(), "syntax error: missing `EOF`, the end of this heredoc".to_owned())]
    );
    // With nothing to stop at, the heredoc takes the rest of the file.
    let to_the_end = format!("{BEFORE}resource \"aws_iam_policy\" \"broken\" {{\n  policy = <<EOF\n{{\n");
    assert_eq!(addresses(&to_the_end), ["aws_iam_policy.broken", "aws_iam_user.before"]);
    assert_eq!(errors(&to_the_end).len(), 1);

    // A broken attribute line is skipped; the rest of its block is read.
    let broken_line =
        format!("{BEFORE}resource \"aws_iam_user\" \"broken\" {{\n  name = = \"x\"\n  path = \"/\"\n}}\n{AFTER}");
    assert_eq!(addresses(&broken_line), ["aws_iam_user.after", "aws_iam_user.before", "aws_iam_user.broken"]);
    assert_eq!(errors(&broken_line), [("=".to_owned(), "syntax error: unexpected `=`".to_owned())]);
    for (name, text) in [("unclosed string", &unclosed_string), ("broken line", &broken_line)] {
        assert!(addresses(text).iter().any(|address| address == both[0]), "{name}");
    }
}

#[test]
fn deep_nesting_is_one_error_and_no_stack_overflow() {
    let depth = 10_000;
    let cases = [
        format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth)),
        format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth)),
        format!("x = {}1{}\n", "{ a = ".repeat(depth), " }".repeat(depth)),
        format!("x = {}1{}\n", "f(".repeat(depth), ")".repeat(depth)),
        format!("x = {}1\n", "-".repeat(depth)),
        format!("x = {}1\n", "!".repeat(depth)),
        format!("x = {}\n", "a ? b : ".repeat(depth) + "c"),
        format!("x = {}1{}\n", "\"${".repeat(depth), "}\"".repeat(depth)),
        format!("x = \"{}{}\"\n", "%{ if a }".repeat(depth), "%{ endif }".repeat(depth)),
        format!("{}{}\n", "a {\n".repeat(depth), "}\n".repeat(depth)),
    ];
    for text in &cases {
        let parsed = parse(text);
        assert_well_formed(&parsed.tree, text);
        let deep = format!("syntax error: nesting deeper than {MAX_NESTING} levels");
        assert_eq!(parsed.errors.iter().filter(|(_, _, message)| *message == deep).count(), 1, "{:?}", parsed.errors);
        let _ = analyze_file(FileId(0), text);
    }
    // Long chains that do not nest are not limited.
    let chain = format!("x = 1{}\n", " + 1".repeat(depth));
    assert!(errors(&chain).is_empty());
    let _ = analyze_file(FileId(0), &chain);
}

#[test]
fn spans_are_byte_exact_in_non_ascii_text() {
    let text = "# café ☕\nlocals {\n  naïve = \"日本語 ${var.ünïcode} 🎉\"\n  m = { \"clé\" = 1 }\n}\n";
    let tree = parse(text).tree;
    assert_well_formed(&tree, text);
    assert!(errors(text).is_empty(), "{:?}", errors(text));
    let identifiers: Vec<&str> =
        tree.nodes().filter(|node| node.kind() == Kind::Identifier).map(|node| &text[node.byte_range()]).collect();
    assert_eq!(identifiers, ["locals", "naïve", "var", "ünïcode", "m"]);
    assert_eq!(&text[first_of(&tree, Kind::QuotedTemplate).byte_range()], "\"日本語 ${var.ünïcode} 🎉\"");
    assert_eq!(&text[first_of(&tree, Kind::Comment).byte_range()], "# café ☕");
    // Broken non-ASCII text: the messages quote whole characters.
    let broken = "x = é €\n";
    assert_eq!(errors(broken), [("€".to_owned(), "syntax error: unexpected `€`".to_owned())]);
}

/// The `.tf` fixtures, for the property tests.
fn fixture_texts() -> Vec<String> {
    let mut dirs = vec![crate::tests::fixtures()];
    let mut texts = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "tf") {
                texts.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    texts.sort();
    texts
}

#[test]
fn every_fixture_but_the_broken_one_parses_cleanly() {
    let texts = fixture_texts();
    assert!(texts.len() >= 8);
    let broken: Vec<&String> = texts.iter().filter(|text| !parse(text).errors.is_empty()).collect();
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(broken[0].contains("half_typed"));
}

/// Parses and analyses damaged text: nothing panics, every span is inside the text.
fn check_damaged(text: &str) -> Result<(), TestCaseError> {
    let parsed = parse(text);
    assert_well_formed(&parsed.tree, text);
    for (start, end, message) in &parsed.errors {
        prop_assert!(start <= end && *end <= text.len(), "{message} at {start}..{end}");
        prop_assert!(text.is_char_boundary(*start) && text.is_char_boundary(*end));
        prop_assert!(message.starts_with("syntax error: "), "{message}");
    }
    let output = analyze_file(FileId(0), text);
    for (span, _) in &output.issues {
        prop_assert!(usize::from(span.range.end()) <= text.len());
    }
    for doc in &output.documents {
        prop_assert!(rein_text::slice(text, doc.span.range).is_some(), "{:?}", doc.span);
    }
    Ok(())
}

/// The char boundary at or before `offset`.
fn floor_boundary(text: &str, offset: usize) -> usize {
    (0..=offset.min(text.len())).rev().find(|idx| text.is_char_boundary(*idx)).unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn truncated_fixtures_never_panic(file in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>()) {
        let texts = fixture_texts();
        let text = &texts[file.index(texts.len())];
        let cut = floor_boundary(text, cut.index(text.len() + 1));
        check_damaged(&text[..cut])?;
    }

    #[test]
    fn fixtures_with_deleted_characters_never_panic(
        file in any::<prop::sample::Index>(),
        deletions in prop::collection::vec((any::<prop::sample::Index>(), 1usize..4), 1..8),
    ) {
        let texts = fixture_texts();
        let mut text = texts[file.index(texts.len())].clone();
        for (at, len) in deletions {
            if text.is_empty() {
                break;
            }
            let start = floor_boundary(&text, at.index(text.len()));
            let end = floor_boundary(&text, start + len).max(start);
            let end = if end == start { text[start..].chars().next().map_or(start, |ch| start + ch.len_utf8()) } else { end };
            text.replace_range(start..end, "");
        }
        check_damaged(&text)?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[a-zé€☕\r\"{}\\[\\]()=$%<>~.,:?!*#/\\\\ \n\t-]{0,200}") {
        check_damaged(&text)?;
    }
}

#[test]
fn a_missing_value_lowers_to_an_unknown_that_says_so() {
    let text = "locals { arn = }\nresource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = local.arn }] })\n}\n";
    let output = analyze_file(FileId(0), text);
    assert_eq!(errors(text), [(String::new(), "syntax error: missing expression".to_owned())]);
    assert_eq!(output.documents.len(), 1);
    assert!(format!("{:?}", output.documents[0]).contains("the value is missing (a syntax error)"));
}

#[test]
fn a_policy_variable_in_an_interpolation_is_named_with_its_escape() {
    let text = "locals {\n  home = \"arn:aws:s3:::home/${aws:username}/*\"\n  tag  = <<-EOT\n    ${aws:PrincipalTag/team}\n  EOT\n  fine = \"$${aws:username}\"\n  expr = \"${var.a ? \"x\" : \"y\"}\"\n}\n";
    let found = errors(text);
    assert_eq!(
        found,
        vec![
            (
                "${aws:username}".to_owned(),
                "syntax error: `${aws:username}` is read as a Terraform interpolation; write `$${aws:username}` for the IAM policy variable".to_owned()
            ),
            (
                "${aws:PrincipalTag/team}".to_owned(),
                "syntax error: `${aws:PrincipalTag/team}` is read as a Terraform interpolation; write `$${aws:PrincipalTag/team}` for the IAM policy variable".to_owned()
            ),
        ]
    );
    let tree = parse(text).tree;
    assert_well_formed(&tree, text);
}
