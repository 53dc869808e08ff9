//! Every fix that any rule offers on the repository's fixtures, applied on its own: the edits
//! apply, the file reads again without new syntax errors, the text outside the edited ranges is
//! unchanged, and the finding the fix was for is gone.
//!
//! `fixtures/fixes/` holds a case of each condition-inserting fix in each syntax (policy JSON,
//! `jsonencode`, heredoc and quoted-string JSON, `aws_iam_policy_document`, template YAML in
//! block and flow style, template JSON, and policy JSON inside a template string), so the test
//! also checks that those fixes are offered at all.

mod common;

use std::collections::BTreeSet;

use rein_analysis::{Analysis, SourceInput, analyze};
use rein_model::SyntaxIssueKind;
use rein_rules::Settings;
use rein_text::TextEdit;

fn run(name: &str, text: &str) -> Analysis {
    let input = SourceInput { path: name.to_owned(), bytes: text.as_bytes().to_vec(), kind: None, policy_kind: None };
    analyze(vec![input], &Settings { preview: true, ..Settings::default() })
}

fn syntax_errors(analysis: &Analysis) -> usize {
    analysis
        .documents
        .iter()
        .flat_map(|doc| &doc.issues)
        .filter(|issue| issue.kind == SyntaxIssueKind::JsonSyntax)
        .count()
}

/// How many findings of `rule` say `message`.
fn count(analysis: &Analysis, rule: &str, message: &str) -> usize {
    analysis.findings.iter().filter(|finding| finding.rule == rule && finding.message == message).count()
}

/// Checks that the text outside `edits` is the same in `before` and `after`.
fn assert_only_edited_ranges_changed(before: &str, after: &str, edits: &[TextEdit]) {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|edit| (edit.span.range.start(), edit.span.range.end()));
    let (mut before_at, mut after_at) = (0, 0);
    for edit in sorted {
        let start = usize::from(edit.span.range.start());
        let kept = &before[before_at..start];
        assert_eq!(&after[after_at..after_at + kept.len()], kept, "text before an edit changed");
        after_at += kept.len() + edit.new_text.len();
        before_at = usize::from(edit.span.range.end());
    }
    assert_eq!(&after[after_at..], &before[before_at..], "text after the last edit changed");
}

#[test]
fn every_fix_applies_reparses_and_removes_its_finding() {
    let mut fixed_rules = BTreeSet::new();
    let mut n_fixes = 0;
    for path in common::fixture_files() {
        let file_name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        // Named as a walk would find them: templates by their content, Terraform by `.tf`.
        let name = if file_name.ends_with(".tf") { "main.tf".to_owned() } else { file_name.to_owned() };
        let text = std::fs::read_to_string(&path).unwrap();
        let analysis = run(&name, &text);
        let errors_before = syntax_errors(&analysis);
        for finding in &analysis.findings {
            for fix in &finding.fixes {
                let shown = format!("{}: {} `{}` ({})", path.display(), finding.rule, finding.message, fix.title);
                assert!(!fix.edits.is_empty(), "{shown}: a fix without edits");
                assert!(
                    fix.edits.iter().all(|edit| edit.span.file == finding.span.file),
                    "{shown}: edits another file"
                );
                let fixed = rein_text::apply_edits(&text, &fix.edits)
                    .unwrap_or_else(|| panic!("{shown}: the edits overlap or lie outside the file"));
                assert_only_edited_ranges_changed(&text, &fixed, &fix.edits);
                let again = run(&name, &fixed);
                assert!(syntax_errors(&again) <= errors_before, "{shown}: the fix breaks the syntax:\n{fixed}");
                assert!(
                    count(&again, finding.rule, &finding.message) < count(&analysis, finding.rule, &finding.message),
                    "{shown}: the finding stays after the fix:\n{fixed}"
                );
                fixed_rules.insert(finding.rule);
                n_fixes += 1;
            }
        }
    }
    assert!(n_fixes > 0, "the fixtures offer no fix");
    for rule in
        ["IAM201", "IAM202", "IAM301", "IAM302", "IAM303", "IAM304", "IAM305", "IAM306", "IAM415", "IAM603", "IAM606"]
    {
        assert!(fixed_rules.contains(rule), "no fixture offers a fix of {rule}; fixed: {fixed_rules:?}");
    }
}

// ---- Entity fixes: settings inserted into a resource's body, resources generated ----------------

/// One configuration of one or more files and the rule whose entity fix it shows.
struct EntityCase {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    rule: &'static str,
}

fn baseline_settings(rule: &str) -> Settings {
    Settings {
        select: vec![rule.to_owned()],
        profile: rein_rules::Profile::Baseline,
        options: rein_rules::RuleOptions {
            default_boundary_arn: Some("arn:aws:iam::111122223333:policy/boundary".to_owned()),
            ..rein_rules::RuleOptions::default()
        },
        ..Settings::default()
    }
}

fn run_files(files: &[(String, String)], rule: &str) -> Analysis {
    let inputs = files
        .iter()
        .map(|(path, text)| SourceInput {
            path: path.clone(),
            bytes: text.as_bytes().to_vec(),
            kind: None,
            policy_kind: None,
        })
        .collect();
    analyze(inputs, &baseline_settings(rule))
}

/// The syntax errors of a file as its frontend reads it.
fn file_errors(path: &str, text: &str) -> usize {
    if path.ends_with(".tf") {
        rein_hcl::analyze_file(rein_text::FileId(0), text).issues.len()
    } else {
        rein_cfn::analyze_template(rein_text::FileId(0), text).issues.len()
    }
}

/// Applies every fix of `case.rule` on its own, file by file: the edited files read again without
/// new syntax errors, nothing outside the edited ranges changes, no other file changes, and the
/// finding is gone on a re-run.
fn check_entity_case(case: &EntityCase) -> usize {
    let files: Vec<(String, String)> =
        case.files.iter().map(|(path, text)| ((*path).to_owned(), (*text).to_owned())).collect();
    let analysis = run_files(&files, case.rule);
    let name = case.name;
    let mut n_fixes = 0;
    for finding in analysis.findings.iter().filter(|finding| finding.rule == case.rule) {
        for fix in &finding.fixes {
            let shown = format!("{name}: {} `{}` ({})", finding.rule, finding.message, fix.title);
            let mut fixed = files.clone();
            for (path, text) in &mut fixed {
                let edits: Vec<TextEdit> = fix
                    .edits
                    .iter()
                    .filter(|edit| analysis.db.get(edit.span.file).is_some_and(|file| file.path == *path))
                    .cloned()
                    .collect();
                if edits.is_empty() {
                    continue;
                }
                let after =
                    rein_text::apply_edits(text, &edits).unwrap_or_else(|| panic!("{shown}: the edits do not fit"));
                assert_only_edited_ranges_changed(text, &after, &edits);
                assert!(file_errors(path, &after) <= file_errors(path, text), "{shown}: the fix breaks\n{after}");
                *text = after;
            }
            let changed = fixed.iter().zip(&files).filter(|(after, before)| after.1 != before.1).count();
            assert!(changed > 0, "{shown}: no file changed");
            let again = run_files(&fixed, case.rule);
            assert!(
                count(&again, finding.rule, &finding.message) < count(&analysis, finding.rule, &finding.message),
                "{shown}: the finding stays after the fix:\n{fixed:#?}"
            );
            n_fixes += 1;
        }
    }
    n_fixes
}

const PASSWORD_POLICY: &str =
    "resource \"aws_iam_account_password_policy\" \"this\" {\n  minimum_password_length = 14\n}\n";

#[test]
fn entity_fixes_apply_reparse_and_remove_their_finding() {
    let cases = [
        EntityCase {
            name: "IAM402 inserts the minimum",
            files: &[(
                "main.tf",
                "resource \"aws_iam_account_password_policy\" \"this\" {\n  require_symbols = true\n}\n",
            )],
            rule: "IAM402",
        },
        EntityCase { name: "IAM403 inserts the classes", files: &[("main.tf", PASSWORD_POLICY)], rule: "IAM403" },
        EntityCase { name: "IAM404 inserts reuse prevention", files: &[("main.tf", PASSWORD_POLICY)], rule: "IAM404" },
        EntityCase { name: "IAM405 inserts the expiry", files: &[("main.tf", PASSWORD_POLICY)], rule: "IAM405" },
        EntityCase {
            name: "IAM408 marks the output sensitive",
            files: &[(
                "main.tf",
                "resource \"aws_iam_access_key\" \"ci\" {\n  user    = \"ci\"\n  pgp_key = \"keybase:ci\"\n}\n\noutput \"secret\" {\n  value = aws_iam_access_key.ci.secret\n}\n",
            )],
            rule: "IAM408",
        },
        EntityCase {
            name: "IAM414 sets the boundary in HCL",
            files: &[("main.tf", "resource \"aws_iam_user\" \"ci\" {\n  name = \"ci\"\n  path = \"/\"\n}\n")],
            rule: "IAM414",
        },
        EntityCase {
            name: "IAM414 sets the boundary in template YAML",
            files: &[(
                "template.yaml",
                "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Ci:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: ci\n",
            )],
            rule: "IAM414",
        },
        EntityCase {
            name: "IAM414 creates Properties in template JSON",
            files: &[(
                "template.json",
                "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Ci\": {\n      \"Type\": \"AWS::IAM::Role\"\n    }\n  }\n}\n",
            )],
            rule: "IAM414",
        },
        EntityCase {
            name: "IAM401 generates the policy",
            files: &[("main.tf", "resource \"aws_iam_user\" \"ci\" {\n  name = \"ci\"\n}\n")],
            rule: "IAM401",
        },
        EntityCase {
            name: "IAM508 generates analyzers in HCL",
            files: &[("main.tf", "resource \"aws_guardduty_detector\" \"d\" {\n  enable = true\n}\n")],
            rule: "IAM508",
        },
        EntityCase {
            name: "IAM508 generates analyzers in template YAML",
            files: &[(
                "template.yaml",
                "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n    Detector:\n        Type: AWS::GuardDuty::Detector\n        Properties:\n            Enable: true\n",
            )],
            rule: "IAM508",
        },
        EntityCase {
            name: "IAM508 generates analyzers in template JSON",
            files: &[(
                "template.json",
                "{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {\"Detector\": {\"Type\": \"AWS::GuardDuty::Detector\"}}}",
            )],
            rule: "IAM508",
        },
        EntityCase {
            name: "IAM508 puts a module's analyzers into main.tf",
            files: &[("infra/detector.tf", "resource \"aws_guardduty_detector\" \"d\" {}\n"), ("infra/main.tf", "")],
            rule: "IAM508",
        },
        EntityCase {
            name: "IAM511 generates Config rules in HCL",
            files: &[("main.tf", "resource \"aws_guardduty_detector\" \"d\" {}\n")],
            rule: "IAM511",
        },
        EntityCase {
            name: "IAM511 generates Config rules in template YAML",
            files: &[(
                "template.yaml",
                "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Detector:\n    Type: AWS::GuardDuty::Detector\n",
            )],
            rule: "IAM511",
        },
        EntityCase {
            name: "IAM512 enables Security Hub in HCL",
            files: &[("main.tf", "resource \"aws_guardduty_detector\" \"d\" {}\n")],
            rule: "IAM512",
        },
        EntityCase {
            name: "IAM512 enables Security Hub in template YAML",
            files: &[(
                "template.yaml",
                "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Detector:\n    Type: AWS::GuardDuty::Detector\n",
            )],
            rule: "IAM512",
        },
        EntityCase {
            name: "IAM514 generates a contact",
            files: &[("main.tf", "resource \"aws_guardduty_detector\" \"d\" {}")],
            rule: "IAM514",
        },
        EntityCase {
            name: "IAM411 gives the user's group an MFA policy",
            files: &[
                (
                    "users.tf",
                    "resource \"aws_iam_user\" \"alice\" {\n  name = \"alice\"\n}\n\nresource \"aws_iam_user_login_profile\" \"alice\" {\n  user = aws_iam_user.alice.name\n}\n",
                ),
                (
                    "groups.tf",
                    "resource \"aws_iam_group\" \"dev\" {\n  name = \"dev\"\n}\n\nresource \"aws_iam_user_group_membership\" \"alice\" {\n  user   = aws_iam_user.alice.name\n  groups = [aws_iam_group.dev.name]\n}\n",
                ),
            ],
            rule: "IAM411",
        },
        EntityCase {
            name: "IAM513 generates filters, alarms and their topic",
            files: &[
                (
                    "trail.tf",
                    "resource \"aws_cloudwatch_log_group\" \"trail\" {\n  name = \"trail\"\n}\n\nresource \"aws_cloudtrail\" \"t\" {\n  name                       = \"t\"\n  cloud_watch_logs_group_arn = \"${aws_cloudwatch_log_group.trail.arn}:*\"\n}\n",
                ),
                ("main.tf", "locals {}\n"),
            ],
            rule: "IAM513",
        },
        EntityCase {
            name: "IAM517 generates and attaches a guardrail SCP",
            files: &[
                ("org.tf", "resource \"aws_organizations_organization\" \"org\" {\n  feature_set = \"ALL\"\n}\n"),
                ("main.tf", ""),
            ],
            rule: "IAM517",
        },
        EntityCase {
            name: "IAM519 generates the root features",
            files: &[(
                "main.tf",
                "resource \"aws_organizations_organization\" \"org\" {\n  feature_set = \"ALL\"\n}\n",
            )],
            rule: "IAM519",
        },
    ];
    for case in &cases {
        assert!(check_entity_case(case) > 0, "{}: no fix offered", case.name);
    }
}

// ---- Entity rewrites: a block replaced by others, with the state blocks that carry it over -----

const EXCLUSIVE_KNOWN: &str = "resource \"aws_iam_policy_attachment\" \"ro\" {\n  name       = \"ro\"\n  roles      = [\"app\", \"ci\"]\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n";

const EXCLUSIVE_REFERENCES: &str = "resource \"aws_iam_role\" \"app\" {\n  name               = \"app\"\n  assume_role_policy = \"{}\"\n}\n\n# Exclusive.\nresource \"aws_iam_policy_attachment\" \"ro\" {\n  name       = \"ro\"\n  roles      = [aws_iam_role.app.name]\n  groups     = [\"ops\"]\n  policy_arn = aws_iam_policy.ro.arn\n}\n\nresource \"aws_iam_policy\" \"ro\" {\n  policy = \"{}\"\n}\n";

const USER_IN_A_GROUP: &str = "resource \"aws_iam_user\" \"alice\" {\n  name = \"alice\"\n}\n\nresource \"aws_iam_user_policy_attachment\" \"alice_ro\" {\n  user       = aws_iam_user.alice.name\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n\nresource \"aws_iam_group_membership\" \"readers\" {\n  name  = \"readers\"\n  group = aws_iam_group.readers.name\n  users = [aws_iam_user.alice.name]\n}\n";

const USER_IN_NO_GROUP: &str = "resource \"aws_iam_user_policy_attachment\" \"alice_ro\" {\n  user       = \"alice\"\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n";

/// Applies each fix of `case.rule` (as [`check_entity_case`] does) and checks that the result
/// holds `expected` and that the rule reports nothing it did not report before.
fn check_rewrite(case: &EntityCase, expected: &[&str]) {
    assert!(check_entity_case(case) > 0, "{}: no fix offered", case.name);
    let files: Vec<(String, String)> =
        case.files.iter().map(|(path, text)| ((*path).to_owned(), (*text).to_owned())).collect();
    let analysis = run_files(&files, case.rule);
    let of_rule = |analysis: &Analysis| -> Vec<String> {
        analysis.findings.iter().filter(|finding| finding.rule == case.rule).map(|f| f.message.clone()).collect()
    };
    let before = of_rule(&analysis);
    for finding in analysis.findings.iter().filter(|finding| finding.rule == case.rule) {
        for fix in &finding.fixes {
            let (path, text) = files.first().unwrap();
            let edits: Vec<TextEdit> = fix.edits.clone();
            assert!(edits.iter().all(|edit| analysis.db.get(edit.span.file).is_some_and(|file| file.path == *path)));
            let after = rein_text::apply_edits(text, &edits).unwrap();
            for part in expected {
                assert!(after.contains(part), "{}: `{part}` is not in\n{after}", case.name);
            }
            let again = of_rule(&run_files(&[(path.clone(), after.clone())], case.rule));
            assert!(again.len() < before.len(), "{}: {again:?}\n{after}", case.name);
            assert!(
                again.iter().all(|message| before.contains(message)),
                "{}: a new finding {again:?}\n{after}",
                case.name
            );
        }
    }
}

#[test]
fn iam413_rewrites_an_exclusive_attachment_per_principal() {
    let case = EntityCase { name: "IAM413 known ids", files: &[("main.tf", EXCLUSIVE_KNOWN)], rule: "IAM413" };
    check_rewrite(
        &case,
        &[
            "resource \"aws_iam_role_policy_attachment\" \"ro_app\" {\n  role       = \"app\"\n",
            "resource \"aws_iam_role_policy_attachment\" \"ro_ci\" {\n",
            "removed {\n  from = aws_iam_policy_attachment.ro\n  lifecycle {\n    destroy = false\n  }\n}\n",
            "import {\n  to = aws_iam_role_policy_attachment.ro_ci\n  id = \"ci/arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n",
        ],
    );
    let case = EntityCase { name: "IAM413 references", files: &[("main.tf", EXCLUSIVE_REFERENCES)], rule: "IAM413" };
    check_rewrite(
        &case,
        &[
            "# Exclusive.\nresource \"aws_iam_role_policy_attachment\" \"ro_app\" {\n  role       = aws_iam_role.app.name\n  policy_arn = aws_iam_policy.ro.arn\n}\n",
            "resource \"aws_iam_group_policy_attachment\" \"ro_ops\" {\n  group      = \"ops\"\n",
        ],
    );
    // An id that is known only after apply gets no `import` block, and the title says so.
    let analysis = run_files(&[("main.tf".to_owned(), EXCLUSIVE_REFERENCES.to_owned())], "IAM413");
    let fix = analysis.findings.iter().find(|f| f.rule == "IAM413").and_then(|f| f.fixes.first()).unwrap();
    assert!(fix.title.contains("no `import` block"), "{}", fix.title);
    assert!(fix.edits.iter().all(|edit| !edit.new_text.contains("import {")), "{:?}", fix.edits);
}

#[test]
fn iam409_moves_a_user_attachment_to_a_group() {
    let case = EntityCase { name: "IAM409 existing group", files: &[("main.tf", USER_IN_A_GROUP)], rule: "IAM409" };
    check_rewrite(
        &case,
        &["resource \"aws_iam_group_policy_attachment\" \"alice_ro\" {\n  group      = aws_iam_group.readers.name\n"],
    );
    let case = EntityCase { name: "IAM409 new group", files: &[("main.tf", USER_IN_NO_GROUP)], rule: "IAM409" };
    check_rewrite(
        &case,
        &[
            "resource \"aws_iam_group\" \"alice_direct\" {\n  name = \"alice-direct\"\n}\n",
            "resource \"aws_iam_user_group_membership\" \"alice_direct\" {\n  user   = \"alice\"\n  groups = [aws_iam_group.alice_direct.name]\n}\n",
            "resource \"aws_iam_group_policy_attachment\" \"alice_ro\" {\n  group      = aws_iam_group.alice_direct.name\n",
        ],
    );
}

/// The rewrites decline what they cannot carry over: a list of principals from a variable, an
/// attachment of `count`, a user whose name is not known, and a template's user.
#[test]
fn entity_rewrites_decline_what_they_cannot_carry_over() {
    let cases = [
        EntityCase {
            name: "IAM413 principals from a variable",
            files: &[(
                "main.tf",
                "resource \"aws_iam_policy_attachment\" \"ro\" {\n  name       = \"ro\"\n  users      = var.users\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n",
            )],
            rule: "IAM413",
        },
        EntityCase {
            name: "IAM409 with count",
            files: &[(
                "main.tf",
                "resource \"aws_iam_user_policy_attachment\" \"ro\" {\n  count      = 2\n  user       = \"alice\"\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n",
            )],
            rule: "IAM409",
        },
        EntityCase {
            name: "IAM409 user from a variable",
            files: &[(
                "main.tf",
                "resource \"aws_iam_user_policy_attachment\" \"ro\" {\n  user       = var.user\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n",
            )],
            rule: "IAM409",
        },
        EntityCase {
            name: "IAM409 in a template",
            files: &[(
                "template.yaml",
                "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Alice:\n    Type: AWS::IAM::User\n    Properties:\n      ManagedPolicyArns:\n        - arn:aws:iam::aws:policy/ReadOnlyAccess\n",
            )],
            rule: "IAM409",
        },
    ];
    for case in &cases {
        let files: Vec<(String, String)> =
            case.files.iter().map(|(path, text)| ((*path).to_owned(), (*text).to_owned())).collect();
        let analysis = run_files(&files, case.rule);
        let findings: Vec<_> = analysis.findings.iter().filter(|finding| finding.rule == case.rule).collect();
        assert!(!findings.is_empty(), "{}: {} does not fire", case.name, case.rule);
        assert!(
            findings.iter().all(|finding| finding.fixes.is_empty()),
            "{}: a fix is offered: {findings:?}",
            case.name
        );
    }
}

/// Terraform's JSON syntax and template `Fn::If` branches get no entity fix rather than a
/// wrong one.
#[test]
fn entity_fixes_decline_what_they_cannot_write() {
    let cases = [
        EntityCase {
            name: "a .tf.json module",
            files: &[(
                "main.tf.json",
                "{\"resource\": {\"aws_iam_account_password_policy\": {\"this\": {\"minimum_password_length\": 14}}}}",
            )],
            rule: "IAM404",
        },
        EntityCase {
            name: "a .tf.json module without main.tf",
            files: &[("main.tf.json", "{\"resource\": {\"aws_guardduty_detector\": {\"d\": {}}}}")],
            rule: "IAM508",
        },
        EntityCase {
            name: "properties under Fn::If",
            files: &[(
                "template.yaml",
                "AWSTemplateFormatVersion: '2010-09-09'\nConditions:\n  Prod: !Equals [a, a]\nResources:\n  Ci:\n    Type: AWS::IAM::User\n    Properties: !If [Prod, {UserName: a}, {UserName: b}]\n",
            )],
            rule: "IAM414",
        },
    ];
    for case in &cases {
        let files: Vec<(String, String)> =
            case.files.iter().map(|(path, text)| ((*path).to_owned(), (*text).to_owned())).collect();
        let analysis = run_files(&files, case.rule);
        let findings: Vec<_> = analysis.findings.iter().filter(|finding| finding.rule == case.rule).collect();
        assert!(!findings.is_empty(), "{}: {} does not fire", case.name, case.rule);
        assert!(
            findings.iter().all(|finding| finding.fixes.is_empty()),
            "{}: a fix is offered: {findings:?}",
            case.name
        );
    }
}

// The policy-level fixes of IAM008 (principal pattern into `aws:PrincipalArn`), IAM104 (wildcard
// into its unprivileged actions) and IAM307 (`aws:SourceAccount`), each in every syntax it
// applies to: policy JSON, `jsonencode`, `aws_iam_policy_document`, template YAML and JSON.

/// A policy-level fix case: the file as a walk would name it, its text, and the rule.
struct PolicyFixCase {
    name: &'static str,
    text: &'static str,
    rule: &'static str,
}

/// Applies every fix of `case.rule` on its own and checks: the edits apply, only their ranges
/// change, the file reads again without new syntax errors, the finding is gone, and the rule
/// reports nothing new.
fn check_policy_fix(case: &PolicyFixCase) {
    let analysis = run(case.name, case.text);
    let errors_before = syntax_errors(&analysis);
    let findings: Vec<_> = analysis.findings.iter().filter(|finding| finding.rule == case.rule).collect();
    assert!(!findings.is_empty(), "{}: {} reports nothing", case.name, case.rule);
    let mut n_fixes = 0;
    for finding in &findings {
        for fix in &finding.fixes {
            let shown = format!("{}: {} `{}` ({})", case.name, finding.rule, finding.message, fix.title);
            let fixed = rein_text::apply_edits(case.text, &fix.edits)
                .unwrap_or_else(|| panic!("{shown}: the edits overlap or lie outside the file"));
            assert_only_edited_ranges_changed(case.text, &fixed, &fix.edits);
            let again = run(case.name, &fixed);
            assert!(syntax_errors(&again) <= errors_before, "{shown}: the fix breaks the syntax:\n{fixed}");
            assert_eq!(count(&again, case.rule, &finding.message), 0, "{shown}: the finding stays:\n{fixed}");
            let new: Vec<&str> = again
                .findings
                .iter()
                .filter(|other| other.rule == case.rule)
                .filter(|other| !findings.iter().any(|before| before.message == other.message))
                .map(|other| other.message.as_str())
                .collect();
            assert!(new.is_empty(), "{shown}: the fix makes new findings {new:?}:\n{fixed}");
            n_fixes += 1;
        }
    }
    assert!(n_fixes > 0, "{}: {} offers no fix", case.name, case.rule);
}

#[test]
fn principal_pattern_moves_into_a_principal_arn_condition() {
    for case in [
        PolicyFixCase {
            name: "trust.json",
            text: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:role/deploy-*\"},\n      \"Action\": \"sts:AssumeRole\"\n    }\n  ]\n}\n",
            rule: "IAM008",
        },
        PolicyFixCase {
            name: "main.tf",
            text: "resource \"aws_iam_role\" \"deploy\" {\n  name = \"deploy\"\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect    = \"Allow\"\n      Principal = { AWS = [\"arn:aws:iam::123456789012:role/deploy-*\", \"arn:aws:iam::123456789012:user/ci-*\"] }\n      Action    = \"sts:AssumeRole\"\n    }]\n  })\n}\n",
            rule: "IAM008",
        },
        PolicyFixCase {
            name: "main.tf",
            text: "data \"aws_iam_policy_document\" \"trust\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"arn:aws:iam::123456789012:role/deploy-*\"]\n    }\n  }\n}\n\nresource \"aws_iam_role\" \"deploy\" {\n  name               = \"deploy\"\n  assume_role_policy = data.aws_iam_policy_document.trust.json\n}\n",
            rule: "IAM008",
        },
        PolicyFixCase {
            name: "stack.yaml",
            text: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Deploy:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              AWS: arn:aws:iam::123456789012:role/deploy-*\n            Action: sts:AssumeRole\n",
            rule: "IAM008",
        },
        PolicyFixCase {
            name: "stack.json",
            text: "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Deploy\": {\n      \"Type\": \"AWS::IAM::Role\",\n      \"Properties\": {\n        \"AssumeRolePolicyDocument\": {\n          \"Version\": \"2012-10-17\",\n          \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:role/deploy-*\"}, \"Action\": \"sts:AssumeRole\"}]\n        }\n      }\n    }\n  }\n}\n",
            rule: "IAM008",
        },
    ] {
        check_policy_fix(&case);
    }
}

#[test]
fn privileged_wildcard_expands_to_its_unprivileged_actions() {
    for case in [
        PolicyFixCase {
            name: "upload.json",
            text: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:PutObject*\", \"Resource\": \"arn:aws:s3:::uploads/*\"}\n  ]\n}\n",
            rule: "IAM104",
        },
        PolicyFixCase {
            name: "main.tf",
            text: "resource \"aws_iam_policy\" \"upload\" {\n  policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = [\"s3:ListBucket\", \"s3:PutObject*\"], Resource = [\"arn:aws:s3:::uploads\", \"arn:aws:s3:::uploads/*\"] }]\n  })\n}\n",
            rule: "IAM104",
        },
        PolicyFixCase {
            name: "main.tf",
            text: "data \"aws_iam_policy_document\" \"upload\" {\n  statement {\n    actions   = [\"s3:PutObject*\"]\n    resources = [\"arn:aws:s3:::uploads/*\"]\n  }\n}\n\nresource \"aws_iam_policy\" \"upload\" {\n  policy = data.aws_iam_policy_document.upload.json\n}\n",
            rule: "IAM104",
        },
        PolicyFixCase {
            name: "stack.yaml",
            text: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Upload:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: [s3:GetObject, s3:PutObject*]\n            Resource: arn:aws:s3:::uploads/*\n",
            rule: "IAM104",
        },
        PolicyFixCase {
            name: "stack.json",
            text: "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Upload\": {\n      \"Type\": \"AWS::IAM::ManagedPolicy\",\n      \"Properties\": {\n        \"PolicyDocument\": {\n          \"Version\": \"2012-10-17\",\n          \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"redshift:Get*\", \"Resource\": \"*\"}]\n        }\n      }\n    }\n  }\n}\n",
            rule: "IAM104",
        },
    ] {
        check_policy_fix(&case);
    }
}

#[test]
fn service_grant_gets_a_source_account_condition() {
    for case in [
        PolicyFixCase {
            name: "queue.json",
            text: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": {\"Service\": \"sns.amazonaws.com\"},\n      \"Action\": \"sqs:SendMessage\",\n      \"Resource\": \"arn:aws:sqs:eu-west-1:123456789012:jobs\"\n    }\n  ]\n}\n",
            rule: "IAM307",
        },
        PolicyFixCase {
            name: "main.tf",
            text: "resource \"aws_sqs_queue_policy\" \"jobs\" {\n  queue_url = \"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs\"\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect    = \"Allow\"\n      Principal = { Service = \"sns.amazonaws.com\" }\n      Action    = \"sqs:SendMessage\"\n      Resource  = \"arn:aws:sqs:eu-west-1:123456789012:jobs\"\n      Condition = { StringEquals = { \"aws:Referer\" = \"123456789012\" } }\n    }]\n  })\n}\n",
            rule: "IAM307",
        },
        PolicyFixCase {
            name: "main.tf",
            text: "data \"aws_iam_policy_document\" \"alerts\" {\n  statement {\n    actions   = [\"sns:Publish\"]\n    resources = [\"arn:aws:sns:eu-west-1:123456789012:alerts\"]\n\n    principals {\n      type        = \"Service\"\n      identifiers = [\"events.amazonaws.com\"]\n    }\n  }\n}\n\nresource \"aws_sns_topic_policy\" \"alerts\" {\n  arn    = \"arn:aws:sns:eu-west-1:123456789012:alerts\"\n  policy = data.aws_iam_policy_document.alerts.json\n}\n",
            rule: "IAM307",
        },
        PolicyFixCase {
            name: "stack.yaml",
            text: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  JobsPolicy:\n    Type: AWS::SQS::QueuePolicy\n    Properties:\n      Queues: [https://sqs.eu-west-1.amazonaws.com/123456789012/jobs]\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal: {Service: sns.amazonaws.com}\n            Action: sqs:SendMessage\n            Resource: arn:aws:sqs:eu-west-1:123456789012:jobs\n",
            rule: "IAM307",
        },
        PolicyFixCase {
            name: "stack.json",
            text: "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"AlertsPolicy\": {\n      \"Type\": \"AWS::SNS::TopicPolicy\",\n      \"Properties\": {\n        \"Topics\": [\"arn:aws:sns:eu-west-1:123456789012:alerts\"],\n        \"PolicyDocument\": {\n          \"Version\": \"2012-10-17\",\n          \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"events.amazonaws.com\"}, \"Action\": \"sns:Publish\", \"Resource\": \"arn:aws:sns:eu-west-1:123456789012:alerts\"}]\n        }\n      }\n    }\n  }\n}\n",
            rule: "IAM307",
        },
    ] {
        check_policy_fix(&case);
    }
}
