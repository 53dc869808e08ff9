//! Tests of the grammar reader on hand-built trees: unknown and partly known values are carried
//! into the model without issues, the grammar checks still apply, and depth is bounded.
//!
//! The JSON tests in `json/tests.rs` cover the grammar through `parse_policy`.

use rein_text::{FileId, Span, TextRange, TextSize};

use super::*;
use crate::policy::{PrincipalBody, PrincipalType, SourceSyntax};
use crate::tree::{Member, Node, NodeKind, Object, minified_len};
use crate::value::{TemplatePart, Unknown, Value};

/// Builds trees whose nodes get distinct two-byte spans, in creation order.
#[derive(Default)]
struct Tree {
    next: u32,
}

impl Tree {
    fn span(&mut self) -> Span {
        let start = self.next;
        self.next += 2;
        Span::new(FileId(7), TextRange::at(TextSize::from(start), TextSize::from(2)))
    }

    fn node(&mut self, kind: NodeKind) -> Node {
        Node::new(self.span(), kind)
    }

    fn string(&mut self, text: &str) -> Node {
        self.node(NodeKind::String(Value::known(text)))
    }

    fn unknown_string(&mut self, reason: &str) -> Node {
        self.node(NodeKind::String(Value::Unknown(Unknown::new(reason))))
    }

    fn unknown(&mut self, reason: &str) -> Node {
        self.node(NodeKind::Unknown(Unknown::new(reason)))
    }

    fn array(&mut self, items: Vec<Node>) -> Node {
        self.node(NodeKind::Array(items))
    }

    fn object(&mut self, members: Vec<(&str, Node)>) -> Node {
        let members = members
            .into_iter()
            .map(|(name, value)| Member { key: Key { name: name.to_owned(), span: self.span() }, value })
            .collect();
        let opening = self.span();
        self.node(NodeKind::Object(Object { opening, members }))
    }

    /// `{"Version": "2012-10-17", "Statement": [statement]}`.
    fn policy(&mut self, statement: Node) -> Node {
        let version = self.string("2012-10-17");
        let statements = self.array(vec![statement]);
        self.object(vec![("Version", version), ("Statement", statements)])
    }
}

fn hole(reason: &str) -> TemplatePart {
    TemplatePart::Hole(Unknown::new(reason))
}

fn text(text: &str) -> TemplatePart {
    TemplatePart::Text(text.to_owned())
}

fn read(root: &Node) -> PolicyDocument {
    let origin = DocumentOrigin {
        syntax: SourceSyntax::Structured,
        owner: Some("aws_iam_policy.x".to_owned()),
        attribute: None,
        branch: false,
    };
    read_policy(root.clone(), None, origin)
}

fn only_statement(doc: &PolicyDocument) -> &Statement {
    assert_eq!(doc.statements.len(), 1, "{doc:#?}");
    doc.statements.first().unwrap()
}

fn issue_kinds(doc: &PolicyDocument) -> Vec<(SyntaxIssueKind, &str)> {
    doc.issues.iter().map(|issue| (issue.kind, issue.message.as_str())).collect()
}

#[test]
fn unknown_and_partial_resources_are_items() {
    let mut tree = Tree::default();
    let effect = tree.string("Allow");
    let action = tree.string("s3:GetObject");
    let after_apply = tree.unknown_string("known after apply");
    let bucket =
        tree.node(NodeKind::String(Value::Partial(vec![text("arn:aws:s3:::"), hole("var.bucket"), text("/*")])));
    let whole = tree.unknown("a list from var.extra");
    let (after_apply_span, bucket_span, whole_span) = (after_apply.span, bucket.span, whole.span);
    let resource = tree.array(vec![after_apply, bucket, whole]);
    let statement = tree.object(vec![("Effect", effect), ("Action", action), ("Resource", resource)]);
    let root = tree.policy(statement);

    let doc = read(&root);
    assert_eq!(doc.issues, []);
    assert_eq!(doc.span, root.span);
    assert_eq!(doc.size, None);
    let stmt = only_statement(&doc);
    assert!(stmt.is_allow());
    let resource = stmt.resource.as_ref().unwrap();
    assert_eq!(resource.unknown, None);
    let items: Vec<(Span, Vec<&str>, String)> =
        resource.items.iter().map(|item| (item.span, item.value.unknown_reasons(), item.value.to_string())).collect();
    assert_eq!(
        items,
        [
            (after_apply_span, vec!["known after apply"], "\u{27e8}?\u{27e9}".to_owned()),
            (bucket_span, vec!["var.bucket"], "arn:aws:s3:::\u{27e8}?\u{27e9}/*".to_owned()),
            (whole_span, vec!["a list from var.extra"], "\u{27e8}?\u{27e9}".to_owned()),
        ]
    );
    assert_eq!(minified_len(&root), None);
}

#[test]
fn an_unknown_action_list_is_kept_and_never_makes_a_trust_policy() {
    let mut tree = Tree::default();
    let effect = tree.string("Allow");
    let principal_value = tree.string("sts.amazonaws.com");
    let principal = tree.object(vec![("Service", principal_value)]);
    let action = tree.unknown("var.actions");
    let action_span = action.span;
    let statement = tree.object(vec![("Effect", effect), ("Principal", principal), ("Action", action)]);
    let root = tree.policy(statement);

    let doc = read(&root);
    assert_eq!(doc.issues, []);
    // A principal makes it a resource policy; the unknown action does not count as `sts:AssumeRole`.
    assert_eq!((doc.kind.clone(), doc.kind_source), (PolicyKind::Resource { service: None }, KindSource::Inferred));
    let action = only_statement(&doc).action.as_ref().unwrap();
    assert_eq!(action.span, action_span);
    assert_eq!(action.items, []);
    assert_eq!(action.unknown, Some(Unknown::new("var.actions")));

    // An unknown item among trust actions does not count either; known trust actions do.
    for (item, expected) in [(None, PolicyKind::Trust), (Some("sts:*"), PolicyKind::Trust)] {
        let mut tree = Tree::default();
        let effect = tree.string("Allow");
        let principal = tree.string("*");
        let mut actions = vec![tree.string("sts:AssumeRoleWithWebIdentity")];
        if let Some(item) = item {
            actions.push(tree.node(NodeKind::String(Value::Partial(vec![text(item), hole("var.suffix")]))));
        }
        let action = tree.array(actions);
        let statement = tree.object(vec![("Effect", effect), ("Principal", principal), ("Action", action)]);
        let doc = read(&tree.policy(statement));
        let expected = if item.is_some() { PolicyKind::Resource { service: None } } else { expected };
        assert_eq!(doc.kind, expected, "{item:?}");
    }
}

#[test]
fn unknown_principals_are_kept() {
    let mut tree = Tree::default();
    let effect = tree.string("Allow");
    let action = tree.string("s3:GetObject");
    let resource = tree.string("*");
    let aws = tree.unknown("var.account_arns");
    let aws_span = aws.span;
    let service = tree.unknown_string("local.service");
    let principal = tree.object(vec![("AWS", aws), ("Service", service)]);
    let not_principal = tree.unknown("!Ref Excluded");
    let not_principal_span = not_principal.span;
    let statement = tree.object(vec![
        ("Effect", effect),
        ("Action", action),
        ("Resource", resource),
        ("Principal", principal),
        ("NotPrincipal", not_principal),
    ]);
    let doc = read(&tree.policy(statement));
    // Only the grammar's own conflict is an issue, never the unknowns.
    assert_eq!(
        issue_kinds(&doc),
        [(SyntaxIssueKind::ConflictingElements, "`NotPrincipal` cannot be combined with `Principal` in one statement")]
    );
    let stmt = only_statement(&doc);
    let PrincipalBody::Map(entries) = &stmt.principal.as_ref().unwrap().body else { panic!("expected a map") };
    let (aws_type, aws_list) = entries.first().unwrap();
    assert_eq!(*aws_type, PrincipalType::Aws);
    assert_eq!((aws_list.span, aws_list.items.len()), (aws_span, 0));
    assert_eq!(aws_list.unknown, Some(Unknown::new("var.account_arns")));
    let (service_type, service_list) = entries.get(1).unwrap();
    assert_eq!(*service_type, PrincipalType::Service);
    assert_eq!(service_list.form, ListForm::Single);
    assert_eq!(service_list.items.first().unwrap().value, Value::Unknown(Unknown::new("local.service")));
    let not_principal = stmt.not_principal.as_ref().unwrap();
    assert_eq!(not_principal.span, not_principal_span);
    assert_eq!(not_principal.body, PrincipalBody::Unknown(Unknown::new("!Ref Excluded")));
}

#[test]
fn unknown_conditions_are_kept() {
    let mut tree = Tree::default();
    let effect = tree.string("Allow");
    let action = tree.string("s3:GetObject");
    let resource = tree.string("*");
    let vpces = tree.unknown("var.vpce_ids");
    let vpces_span = vpces.span;
    let org = tree.node(NodeKind::String(Value::Partial(vec![text("o-"), hole("var.org_suffix")])));
    let tag = tree.unknown("Fn::If");
    let tags = tree.array(vec![tag]);
    let string_equals =
        tree.object(vec![("aws:SourceVpce", vpces), ("aws:PrincipalOrgID", org), ("aws:PrincipalTag/team", tags)]);
    let bool_block = tree.unknown("var.bool_conditions");
    let condition = tree.object(vec![("StringEquals", string_equals), ("Bool", bool_block)]);
    let statement =
        tree.object(vec![("Effect", effect), ("Action", action), ("Resource", resource), ("Condition", condition)]);
    let doc = read(&tree.policy(statement));
    assert_eq!(doc.issues, []);
    let block = only_statement(&doc).condition.as_ref().unwrap();
    assert_eq!(block.unknown, None);
    let [string_equals, bool_block] = block.operators.as_slice() else { panic!("two operators: {block:?}") };
    assert_eq!(string_equals.unknown, None);
    let [vpce, org, tag] = string_equals.entries.as_slice() else { panic!("three entries") };
    assert_eq!((vpce.span, vpce.values.len()), (vpces_span, 0));
    assert_eq!(vpce.unknown, Some(Unknown::new("var.vpce_ids")));
    assert_eq!((org.form, org.unknown.as_ref()), (ListForm::Single, None));
    let org_value = org.values.first().unwrap();
    assert_eq!(
        (org_value.kind, org_value.value.value.to_string()),
        (ScalarKind::String, "o-\u{27e8}?\u{27e9}".to_owned())
    );
    let tag_value = tag.values.first().unwrap();
    assert_eq!((tag.form, tag_value.kind), (ListForm::Array, ScalarKind::String));
    assert_eq!(tag_value.value.value, Value::Unknown(Unknown::new("Fn::If")));
    assert_eq!(bool_block.name.base, "Bool");
    assert_eq!(bool_block.entries, []);
    assert_eq!(bool_block.unknown, Some(Unknown::new("var.bool_conditions")));

    // A wholly unknown `Condition` is kept, and counts as a possible condition.
    let mut tree = Tree::default();
    let effect = tree.string("Deny");
    let action = tree.string("*");
    let resource = tree.string("*");
    let condition = tree.unknown("!If [IsProd, …]");
    let statement =
        tree.object(vec![("Effect", effect), ("Action", action), ("Resource", resource), ("Condition", condition)]);
    let doc = read(&tree.policy(statement));
    assert_eq!(doc.issues, []);
    let stmt = only_statement(&doc);
    let block = stmt.condition.as_ref().unwrap();
    assert_eq!((block.operators.len(), block.unknown.clone()), (0, Some(Unknown::new("!If [IsProd, …]"))));
    assert!(stmt.has_condition());
}

#[test]
fn unknown_strings_and_roots_are_not_issues() {
    let mut tree = Tree::default();
    let version = tree.unknown("var.version");
    let sid = tree.node(NodeKind::String(Value::Partial(vec![text("Allow"), hole("var.env")])));
    let effect = tree.unknown_string("var.effect");
    let action = tree.string("s3:GetObject");
    let resource = tree.string("*");
    let statement = tree.object(vec![("Sid", sid), ("Effect", effect), ("Action", action), ("Resource", resource)]);
    let statements = tree.array(vec![statement]);
    let root = tree.object(vec![("Version", version), ("Statement", statements)]);
    let doc = read(&root);
    assert_eq!(doc.issues, []);
    assert_eq!(
        doc.version.as_ref().map(|version| version.value.clone()),
        Some(Value::Unknown(Unknown::new("var.version")))
    );
    let stmt = only_statement(&doc);
    assert_eq!(stmt.effect(), None);
    assert_eq!(stmt.effect.as_ref().unwrap().value, Value::Unknown(Unknown::new("var.effect")));
    assert_eq!(stmt.sid.as_ref().unwrap().value.unknown_reasons(), ["var.env"]);

    for root in [tree.unknown("var.policy"), tree.unknown_string("data.x.json")] {
        let doc = read(&root);
        assert_eq!((doc.issues.len(), doc.statements.len(), doc.kind.clone()), (0, 0, PolicyKind::Identity));
        assert!(!doc.is_unreadable());
    }
    let number = tree.node(NodeKind::Number("1".to_owned()));
    assert_eq!(
        issue_kinds(&read(&number)),
        [(SyntaxIssueKind::NotAnObject, "a policy document must be a JSON object, found a number")]
    );
}

#[test]
fn the_grammar_applies_to_trees() {
    let mut tree = Tree::default();
    // A string of unknown text is still a string where a statement object belongs.
    let not_a_statement = tree.unknown_string("var.statement");
    let action = tree.node(NodeKind::Bool(true));
    let resource_items = vec![tree.string("*"), tree.node(NodeKind::Null)];
    let resource = tree.array(resource_items);
    let typo = tree.string("x");
    let statement = tree.object(vec![("Action", action), ("Resource", resource), ("Sidd", typo)]);
    let opening = match &statement.kind {
        NodeKind::Object(object) => Some(object.opening),
        _ => None,
    };
    let skipped = tree.unknown("Fn::If");
    let statements = tree.array(vec![not_a_statement, statement, skipped]);
    let lowercase = tree.string("x");
    let root = tree.object(vec![("Statement", statements), ("statement", lowercase)]);
    let doc = read(&root);
    let mut kinds = issue_kinds(&doc);
    kinds.sort_by_key(|(_, message)| *message);
    assert_eq!(
        kinds,
        [
            (SyntaxIssueKind::WrongType, "`Action` must be a string or an array of strings, found a boolean"),
            (SyntaxIssueKind::WrongType, "a statement must be an object, found a string"),
            (SyntaxIssueKind::WrongType, "items of `Resource` must be strings, found null"),
            (SyntaxIssueKind::MissingElement, "statement has no `Effect` element"),
            (SyntaxIssueKind::UnknownKey, "unknown key `Sidd` in a statement; did you mean `Sid`?"),
            (
                SyntaxIssueKind::UnknownKey,
                "unknown key `statement` at the top level of a policy: keys are case-sensitive, write `Statement`"
            ),
        ]
    );
    let missing = doc.issues.iter().find(|issue| issue.kind == SyntaxIssueKind::MissingElement).unwrap();
    assert_eq!(Some(missing.span), opening);
    // The statement read keeps its index among the objects; the unknown item is recorded, not dropped.
    assert_eq!(doc.unknown_statements.len(), 1);
    assert_eq!(doc.unknown_statements[0].1, Unknown::new("Fn::If"));
    let stmt = only_statement(&doc);
    assert_eq!(stmt.index, 0);
    assert_eq!(stmt.resource.as_ref().unwrap().items.len(), 1);
    // Issues are sorted by position.
    assert!(doc.issues.windows(2).all(|pair| pair[0].span.range.start() <= pair[1].span.range.start()));
}

#[test]
fn duplicate_keys_are_found_in_trees() {
    let mut tree = Tree::default();
    let first = tree.string("a");
    let second = tree.string("b");
    let inner = tree.object(vec![("k", first), ("k", second)]);
    let nested = tree.array(vec![inner]);
    let effect = tree.string("Allow");
    let action = tree.string("s3:GetObject");
    let resource = tree.string("*");
    let statement = tree.object(vec![("Effect", effect), ("Action", action), ("Resource", resource), ("X", nested)]);
    let doc = read(&tree.policy(statement));
    let mut kinds = issue_kinds(&doc);
    kinds.sort_by_key(|(_, message)| *message);
    assert_eq!(
        kinds.iter().map(|(kind, _)| *kind).collect::<Vec<_>>(),
        [SyntaxIssueKind::DuplicateKey, SyntaxIssueKind::UnknownKey]
    );

    // Objects bigger than the pairwise limit go through the hash set, with the same result.
    let mut tree = Tree::default();
    let mut members = Vec::new();
    let names: Vec<String> = (0..40).map(|idx| format!("k{}", idx % 30)).collect();
    for name in &names {
        members.push((name.as_str(), tree.string("v")));
    }
    let root = tree.object(members);
    let duplicates = read(&root).issues.iter().filter(|issue| issue.kind == SyntaxIssueKind::DuplicateKey).count();
    assert_eq!(duplicates, 10);
}

#[test]
fn deep_trees_are_cut_at_the_limit() {
    let mut tree = Tree::default();
    let mut deep = tree.string("x");
    for _ in 0..1000 {
        deep = tree.array(vec![deep]);
    }
    let effect = tree.string("Allow");
    let action = tree.string("s3:GetObject");
    let resource = tree.string("*");
    let condition_value = tree.object(vec![("aws:SourceIp", deep)]);
    let condition_block = tree.object(vec![("IpAddress", condition_value)]);
    let statement = tree.object(vec![
        ("Effect", effect),
        ("Action", action),
        ("Resource", resource),
        ("Condition", condition_block),
    ]);
    let root = tree.policy(statement);
    let doc = read(&root);
    let mut kinds = issue_kinds(&doc);
    kinds.sort_by_key(|(_, message)| *message);
    assert_eq!(
        kinds,
        [
            (SyntaxIssueKind::WrongType, "nesting deeper than 64 levels: the values inside are not checked"),
            (
                SyntaxIssueKind::WrongType,
                "values of condition key `aws:SourceIp` must be strings, numbers or booleans, found an array"
            ),
        ]
    );
    assert!(!doc.is_unreadable());
    assert_eq!(only_statement(&doc).condition.as_ref().unwrap().entries().count(), 1);
    assert_eq!(minified_len(&root), None);
}

#[test]
fn declared_kinds_win() {
    let mut tree = Tree::default();
    let effect = tree.string("Allow");
    let action = tree.string("sts:AssumeRole");
    let principal = tree.string("*");
    let statement = tree.object(vec![("Effect", effect), ("Action", action), ("Principal", principal)]);
    let root = tree.policy(statement);
    assert_eq!(read(&root).kind, PolicyKind::Trust);
    let origin = DocumentOrigin { syntax: SourceSyntax::Structured, owner: None, attribute: None, branch: false };
    let doc = read_policy(root.clone(), Some(PolicyKind::Scp), origin);
    assert_eq!((doc.kind, doc.kind_source), (PolicyKind::Scp, KindSource::Declared));
}

#[test]
fn edit_distance_counts_single_changes() {
    assert_eq!(edit_distance("Action", "Actions"), 1);
    assert_eq!(edit_distance("Resource", "Resorce"), 1);
    assert_eq!(edit_distance("Effect", "Efect"), 1);
    assert_eq!(edit_distance("Sid", "Condition"), 8);
    assert_eq!(edit_distance("", "abc"), 3);
}
