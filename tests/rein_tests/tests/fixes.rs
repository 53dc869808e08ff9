//! `rein check --fix`, `--unsafe-fixes` and `--diff` on temporary copies: for every kind of edit
//! the rules emit today (`rein_model::PolicyEdit`), in every syntax whose renderer supports it,
//! the fixed file re-parses, the finding is gone and nothing else changed; `--diff` writes
//! nothing; a file no fix applies to keeps its modification time.
//!
//! The Terraform cases cover `ReplaceString`, `ReplaceWithList` and `ReplaceLiteral`; the
//! entity edits (`InsertAttributes`, `GenerateEntities`, `ReplaceEntity`) have their own
//! sections: settings inserted into a Terraform resource or output, resources generated in
//! Terraform, template YAML and template JSON, and attachments rewritten with their `removed`
//! and `import` blocks (IAM409, IAM413; templates get no such rewrite); the policy-level rule fixes at the end add `InsertCondition` in
//! `jsonencode` objects and `aws_iam_policy_document` blocks.

use std::ffi::OsString;
use std::fs;
use std::path::Path;

struct Outcome {
    stdout: String,
    stderr: String,
    code: i32,
}

fn rein(args: &[&str], paths: &[&Path]) -> Outcome {
    let argv: Vec<OsString> = ["rein", "check", "--no-config", "--today", "2026-11-23"]
        .iter()
        .chain(args)
        .map(OsString::from)
        .chain(paths.iter().map(|path| path.as_os_str().to_owned()))
        .collect();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = rein_cli::run_with(argv, &mut stdout, &mut stderr, false);
    Outcome {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code,
    }
}

/// How many findings of `rule` (or of the rules of a comma-separated list) a JSON report of
/// `path` holds.
fn count(rule: &str, extra: &[&str], path: &Path) -> usize {
    let mut args = vec!["--format", "json", "--fail-on", "never", "--select", rule];
    args.extend(extra);
    let out = rein(&args, &[path]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|err| {
        panic!("not JSON ({err}): {}\n{}", out.stdout, out.stderr);
    });
    let rules: Vec<&str> = rule.split(',').collect();
    report["diagnostics"].as_array().unwrap().iter().filter(|d| rules.iter().any(|r| d["rule"] == *r)).count()
}

struct Case {
    /// What the case shows: the edit kind and the syntax.
    name: &'static str,
    file: &'static str,
    before: &'static str,
    rule: &'static str,
    /// Flags besides `--fix`: `--unsafe-fixes` for unsafe fixes, `--policy-type` where needed.
    flags: &'static [&'static str],
    after: &'static str,
}

fn check_case(case: &Case) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(case.file);
    fs::write(&path, case.before).unwrap();
    let name = case.name;
    assert!(count(case.rule, case.flags, &path) > 0, "{name}: {} does not fire before the fix", case.rule);

    // `--diff` shows the change and writes nothing.
    let modified = fs::metadata(&path).unwrap().modified().unwrap();
    let mut args = vec!["--diff", "--select", case.rule];
    args.extend(case.flags);
    let diff = rein(&args, &[&path]);
    assert_eq!(diff.code, 1, "{name}: --diff exit code\n{}{}", diff.stdout, diff.stderr);
    assert!(diff.stdout.contains("+++ b/"), "{name}: no diff\n{}", diff.stdout);
    assert_eq!(fs::read_to_string(&path).unwrap(), case.before, "{name}: --diff wrote the file");
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), modified, "{name}: --diff touched the file");

    let mut args = vec!["--fix", "--fail-on", "never", "--select", case.rule];
    args.extend(case.flags);
    let fixed = rein(&args, &[&path]);
    assert_eq!(fixed.code, 0, "{name}: --fix exit code\n{}{}", fixed.stdout, fixed.stderr);
    assert!(fixed.stdout.contains("Fixed "), "{name}: no fix count\n{}", fixed.stdout);
    assert_eq!(fs::read_to_string(&path).unwrap(), case.after, "{name}: the fixed text");
    // The fixed file parses (IAM001 reports syntax errors of every frontend) and the finding is gone.
    assert_eq!(count("IAM001", case.flags, &path), 0, "{name}: the fixed file has syntax errors");
    assert_eq!(count(case.rule, case.flags, &path), 0, "{name}: {} still fires after the fix", case.rule);
}

const UNSAFE: &[&str] = &["--unsafe-fixes"];

#[test]
fn remove_item() {
    for case in [
        Case {
            name: "RemoveItem in policy JSON",
            file: "p.json",
            before: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::b/*\"}]\n}\n",
            rule: "IAM109",
            flags: &[],
            after: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::b/*\"}]\n}\n",
        },
        Case {
            name: "RemoveItem in CloudFormation YAML",
            file: "t.yaml",
            before: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action:\n              - s3:GetObject\n              - s3:GetObject\n            Resource: arn:aws:s3:::b/*\n",
            rule: "IAM109",
            flags: &[],
            after: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action:\n              - s3:GetObject\n            Resource: arn:aws:s3:::b/*\n",
        },
        Case {
            name: "RemoveItem in CloudFormation JSON",
            file: "t.json",
            before: "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::b/*\"}]\n  }}}}\n}\n",
            rule: "IAM109",
            flags: &[],
            after: "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::b/*\"}]\n  }}}}\n}\n",
        },
    ] {
        check_case(&case);
    }
}

#[test]
fn insert_member() {
    for case in [
        Case {
            name: "InsertMember in policy JSON",
            file: "p.json",
            before: "{\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n}\n",
            rule: "IAM004",
            flags: &[],
            after: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n}\n",
        },
        Case {
            name: "InsertMember in CloudFormation YAML",
            file: "t.yaml",
            before: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::b/*\n",
            rule: "IAM004",
            flags: &[],
            after: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::b/*\n",
        },
        Case {
            name: "InsertMember in CloudFormation JSON",
            file: "t.json",
            before: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n  }}}}\n}\n",
            rule: "IAM004",
            flags: &[],
            after: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n  }}}}\n}\n",
        },
    ] {
        check_case(&case);
    }
}

#[test]
fn replace_string() {
    for case in [
        Case {
            name: "ReplaceString in policy JSON",
            file: "p.json",
            before: "{\n  \"Version\": \"2008-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n}\n",
            rule: "IAM004",
            flags: &[],
            after: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n}\n",
        },
        Case {
            name: "ReplaceString in Terraform jsonencode",
            file: "main.tf",
            before: "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version   = \"2008-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::b/*\" }]\n  })\n}\n",
            rule: "IAM004",
            flags: &[],
            after: "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::b/*\" }]\n  })\n}\n",
        },
        Case {
            name: "ReplaceString (unsafe) in a Terraform policy document",
            file: "main.tf",
            before: "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"s3:GetObjekt\"]\n    resources = [\"arn:aws:s3:::b/*\"]\n  }\n}\n",
            rule: "IAM006",
            flags: UNSAFE,
            after: "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"s3:GetObject\"]\n    resources = [\"arn:aws:s3:::b/*\"]\n  }\n}\n",
        },
        Case {
            name: "ReplaceString in CloudFormation YAML",
            file: "t.yaml",
            before: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2008-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::b/*\n",
            rule: "IAM004",
            flags: &[],
            after: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::b/*\n",
        },
        Case {
            name: "ReplaceString (unsafe) in CloudFormation JSON",
            file: "t.json",
            before: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n  }}}}\n}\n",
            rule: "IAM006",
            flags: UNSAFE,
            after: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n  }}}}\n}\n",
        },
    ] {
        check_case(&case);
    }
}

#[test]
fn remove_member() {
    for case in [
        Case {
            name: "RemoveMember in policy JSON",
            file: "p.json",
            before: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n}\n",
            rule: "IAM003",
            flags: &["--unsafe-fixes", "--policy-type", "identity"],
            after: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n}\n",
        },
        Case {
            name: "RemoveMember in CloudFormation YAML",
            file: "t.yaml",
            before: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              AWS: arn:aws:iam::111122223333:root\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::b/*\n",
            rule: "IAM003",
            flags: UNSAFE,
            after: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::b/*\n",
        },
        Case {
            name: "RemoveMember in CloudFormation JSON",
            file: "t.json",
            before: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n  }}}}\n}\n",
            rule: "IAM003",
            flags: UNSAFE,
            after: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n  }}}}\n}\n",
        },
    ] {
        check_case(&case);
    }
}

#[test]
fn replace_in_string() {
    // Only policy JSON reports characters IAM rejects (IAM001).
    check_case(&Case {
        name: "ReplaceInString in policy JSON",
        file: "p.json",
        before: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"Read\u{2013}Only\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n}\n",
        rule: "IAM001",
        flags: UNSAFE,
        after: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"Read-Only\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n}\n",
    });
}

#[test]
fn replace_with_list() {
    for case in [
        Case {
            name: "ReplaceWithList in policy JSON",
            file: "p.json",
            before: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b\"}]\n}\n",
            rule: "IAM106",
            flags: UNSAFE,
            after: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": [\"arn:aws:s3:::b\", \"arn:aws:s3:::b/*\"]}]\n}\n",
        },
        Case {
            name: "ReplaceWithList in Terraform jsonencode",
            file: "main.tf",
            before: "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::b\" }]\n  })\n}\n",
            rule: "IAM106",
            flags: UNSAFE,
            after: "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = [\"arn:aws:s3:::b\", \"arn:aws:s3:::b/*\"] }]\n  })\n}\n",
        },
        Case {
            name: "ReplaceWithList in a Terraform heredoc",
            file: "main.tf",
            before: "resource \"aws_iam_policy\" \"p\" {\n  policy = <<JSON\n{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b\"}]\n}\nJSON\n}\n",
            rule: "IAM106",
            flags: UNSAFE,
            after: "resource \"aws_iam_policy\" \"p\" {\n  policy = <<JSON\n{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": [\"arn:aws:s3:::b\", \"arn:aws:s3:::b/*\"]}]\n}\nJSON\n}\n",
        },
        Case {
            name: "ReplaceWithList in CloudFormation YAML",
            file: "t.yaml",
            before: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::b\n",
            rule: "IAM106",
            flags: UNSAFE,
            after: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource:\n              - arn:aws:s3:::b\n              - arn:aws:s3:::b/*\n",
        },
        Case {
            name: "ReplaceWithList in CloudFormation JSON",
            file: "t.json",
            before: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b\"}]\n  }}}}\n}\n",
            rule: "IAM106",
            flags: UNSAFE,
            after: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": [\"arn:aws:s3:::b\", \"arn:aws:s3:::b/*\"]}]\n  }}}}\n}\n",
        },
    ] {
        check_case(&case);
    }
}

#[test]
fn replace_literal() {
    for case in [
        Case {
            name: "ReplaceLiteral in Terraform",
            file: "main.tf",
            before: "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length = 8\n}\n",
            rule: "IAM402",
            flags: UNSAFE,
            after: "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length = 14\n}\n",
        },
        Case {
            name: "ReplaceLiteral in CloudFormation YAML",
            file: "t.yaml",
            before: "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n      S3BucketName: audit\n      EnableLogFileValidation: false\n",
            rule: "IAM503",
            flags: UNSAFE,
            after: "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n      S3BucketName: audit\n      EnableLogFileValidation: true\n",
        },
        Case {
            name: "ReplaceLiteral in CloudFormation JSON",
            file: "t.json",
            before: "{\n  \"Resources\": {\n    \"Trail\": {\n      \"Type\": \"AWS::CloudTrail::Trail\",\n      \"Properties\": {\"IsLogging\": true, \"S3BucketName\": \"audit\", \"EnableLogFileValidation\": false}\n    }\n  }\n}\n",
            rule: "IAM503",
            flags: UNSAFE,
            after: "{\n  \"Resources\": {\n    \"Trail\": {\n      \"Type\": \"AWS::CloudTrail::Trail\",\n      \"Properties\": {\"IsLogging\": true, \"S3BucketName\": \"audit\", \"EnableLogFileValidation\": true}\n    }\n  }\n}\n",
        },
    ] {
        check_case(&case);
    }
}

#[test]
fn fixes_that_need_several_rounds_converge() {
    // The typo fix makes a duplicate that the next round removes.
    check_case(&Case {
        name: "several rounds in CloudFormation JSON",
        file: "t.json",
        before: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObjekt\", \"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::b/*\"}]\n  }}}}\n}\n",
        rule: "IAM006,IAM109",
        flags: UNSAFE,
        after: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::b/*\"}]\n  }}}}\n}\n",
    });
}

#[test]
fn unsafe_fixes_wait_for_the_flag_and_untouched_files_keep_their_time() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.json");
    let clean = dir.path().join("clean.json");
    let text = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"arn:aws:s3:::b/*\"}]}\n";
    fs::write(&typo, text).unwrap();
    fs::write(&clean, text.replace("GetObjekt", "GetObject")).unwrap();
    let times = || [&typo, &clean].map(|path| fs::metadata(path).unwrap().modified().unwrap());
    let before = times();
    // The typo's fix is unsafe: `--fix` alone leaves both files as they are.
    let out = rein(&["--fix"], &[dir.path()]);
    assert!(out.stdout.contains("Fixed 0 problems in 0 files"), "{}", out.stdout);
    assert_eq!(out.code, 1, "the typo is still reported");
    assert_eq!(times(), before);
    assert_eq!(fs::read_to_string(&typo).unwrap(), text);
    let out = rein(&["--fix", "--unsafe-fixes"], &[dir.path()]);
    assert!(out.stdout.contains("Fixed 1 problem in 1 file"), "{}", out.stdout);
    assert_eq!(times()[1], before[1], "the clean file was written");
    assert!(fs::read_to_string(&typo).unwrap().contains("s3:GetObject\""));
}

// ---- Entity edits: settings inserted into a resource's body, resources generated ---------------

const BASELINE: &[&str] = &["--unsafe-fixes", "--profile", "baseline"];

#[test]
fn insert_attributes() {
    for case in [
        Case {
            name: "InsertAttributes in Terraform, joining the alignment group",
            file: "main.tf",
            before: "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length = 14\n}\n",
            rule: "IAM405",
            flags: UNSAFE,
            after: "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length        = 14\n  max_password_age               = 90\n  allow_users_to_change_password = true\n}\n",
        },
        Case {
            name: "InsertAttributes into a Terraform output",
            file: "main.tf",
            before: "resource \"aws_iam_access_key\" \"ci\" {\n  user    = \"ci\"\n  pgp_key = \"keybase:ci\"\n}\n\noutput \"secret\" {\n  value = aws_iam_access_key.ci.secret\n}\n",
            rule: "IAM408",
            flags: UNSAFE,
            after: "resource \"aws_iam_access_key\" \"ci\" {\n  user    = \"ci\"\n  pgp_key = \"keybase:ci\"\n}\n\noutput \"secret\" {\n  value     = aws_iam_access_key.ci.secret\n  sensitive = true\n}\n",
        },
    ] {
        check_case(&case);
    }
}

#[test]
fn generate_entities() {
    for case in [
        Case {
            name: "GenerateEntities in Terraform",
            file: "main.tf",
            before: "resource \"aws_accessanalyzer_analyzer\" \"unused\" {\n  analyzer_name = \"unused\"\n  type          = \"ACCOUNT_UNUSED_ACCESS\"\n}\n",
            rule: "IAM508",
            flags: BASELINE,
            after: "resource \"aws_accessanalyzer_analyzer\" \"unused\" {\n  analyzer_name = \"unused\"\n  type          = \"ACCOUNT_UNUSED_ACCESS\"\n}\n\nresource \"aws_accessanalyzer_analyzer\" \"external_access\" {\n  analyzer_name = \"external-access\"\n  type          = \"ACCOUNT\"\n}\n",
        },
        Case {
            name: "GenerateEntities in CloudFormation YAML",
            file: "t.yaml",
            before: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n    Unused:\n        Type: AWS::AccessAnalyzer::Analyzer\n        Properties:\n            Type: ACCOUNT_UNUSED_ACCESS\n",
            rule: "IAM508",
            flags: BASELINE,
            after: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n    Unused:\n        Type: AWS::AccessAnalyzer::Analyzer\n        Properties:\n            Type: ACCOUNT_UNUSED_ACCESS\n    ExternalAccessAnalyzer:\n        Type: AWS::AccessAnalyzer::Analyzer\n        Properties:\n            AnalyzerName: external-access\n            Type: ACCOUNT\n",
        },
        Case {
            name: "GenerateEntities in CloudFormation JSON",
            file: "t.json",
            before: "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Unused\": {\n      \"Type\": \"AWS::AccessAnalyzer::Analyzer\",\n      \"Properties\": {\"Type\": \"ACCOUNT_UNUSED_ACCESS\"}\n    }\n  }\n}\n",
            rule: "IAM508",
            flags: BASELINE,
            after: "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Unused\": {\n      \"Type\": \"AWS::AccessAnalyzer::Analyzer\",\n      \"Properties\": {\"Type\": \"ACCOUNT_UNUSED_ACCESS\"}\n    },\n    \"ExternalAccessAnalyzer\": {\n      \"Type\": \"AWS::AccessAnalyzer::Analyzer\",\n      \"Properties\": {\n        \"AnalyzerName\": \"external-access\",\n        \"Type\": \"ACCOUNT\"\n      }\n    }\n  }\n}\n",
        },
        Case {
            name: "GenerateEntities of several resources in one edit",
            file: "main.tf",
            before: "resource \"aws_cloudwatch_event_rule\" \"root\" {\n  event_pattern = jsonencode({ detail = { userIdentity = { type = [\"Root\"] } } })\n}\n",
            rule: "IAM519",
            flags: BASELINE,
            after: "resource \"aws_cloudwatch_event_rule\" \"root\" {\n  event_pattern = jsonencode({ detail = { userIdentity = { type = [\"Root\"] } } })\n}\n\nresource \"aws_config_config_rule\" \"iam_root_access_key_check\" {\n  name = \"iam-root-access-key-check\"\n  source {\n    owner             = \"AWS\"\n    source_identifier = \"IAM_ROOT_ACCESS_KEY_CHECK\"\n  }\n}\n\nresource \"aws_config_config_rule\" \"root_account_mfa_enabled\" {\n  name = \"root-account-mfa-enabled\"\n  source {\n    owner             = \"AWS\"\n    source_identifier = \"ROOT_ACCOUNT_MFA_ENABLED\"\n  }\n}\n",
        },
    ] {
        check_case(&case);
    }
}

// ---- Entity replacements: a block rewritten into others, with the state blocks that carry it over

/// `--fix --unsafe-fixes` of `case`, then no finding of IAM409 or IAM413 is left in the result.
fn check_rewrite(case: &Case) {
    check_case(case);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(case.file);
    fs::write(&path, case.after).unwrap();
    assert_eq!(count("IAM409,IAM413", case.flags, &path), 0, "{}: a finding of IAM409 or IAM413 is left", case.name);
}

#[test]
fn replace_entity() {
    for case in [
        Case {
            name: "ReplaceEntity in Terraform: IAM413 per-principal attachments with removed and import blocks",
            file: "main.tf",
            before: "locals {}\n\n# Read-only for the app roles.\nresource \"aws_iam_policy_attachment\" \"ro\" {\n  name       = \"ro\"\n  roles      = [\"app\", \"ci\"]\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n",
            rule: "IAM413",
            flags: UNSAFE,
            after: "locals {}\n\n# Read-only for the app roles.\nresource \"aws_iam_role_policy_attachment\" \"ro_app\" {\n  role       = \"app\"\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n\nresource \"aws_iam_role_policy_attachment\" \"ro_ci\" {\n  role       = \"ci\"\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n\nremoved {\n  from = aws_iam_policy_attachment.ro\n  lifecycle {\n    destroy = false\n  }\n}\n\nimport {\n  to = aws_iam_role_policy_attachment.ro_app\n  id = \"app/arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n\nimport {\n  to = aws_iam_role_policy_attachment.ro_ci\n  id = \"ci/arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n",
        },
        Case {
            name: "ReplaceEntity in Terraform: IAM413 without import for a reference",
            file: "main.tf",
            before: "resource \"aws_iam_policy_attachment\" \"ro\" {\n  name       = \"ro\"\n  roles      = [aws_iam_role.app.name]\n  policy_arn = aws_iam_policy.ro.arn\n}\n\nresource \"aws_iam_role\" \"app\" {\n  name               = \"app\"\n  assume_role_policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { Service = \"ec2.amazonaws.com\" } }] })\n}\n",
            rule: "IAM413",
            flags: UNSAFE,
            after: "resource \"aws_iam_role_policy_attachment\" \"ro\" {\n  role       = aws_iam_role.app.name\n  policy_arn = aws_iam_policy.ro.arn\n}\n\nremoved {\n  from = aws_iam_policy_attachment.ro\n  lifecycle {\n    destroy = false\n  }\n}\n\nresource \"aws_iam_role\" \"app\" {\n  name               = \"app\"\n  assume_role_policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { Service = \"ec2.amazonaws.com\" } }] })\n}\n",
        },
        // The first round creates the user's group, the second moves the other attachment to it.
        Case {
            name: "ReplaceEntity in Terraform: IAM409 a group of the user's own, in two rounds",
            file: "main.tf",
            before: "resource \"aws_iam_user\" \"alice\" {\n  name = \"alice\"\n}\n\nresource \"aws_iam_user_policy_attachment\" \"ro\" {\n  user       = aws_iam_user.alice.name\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n\nresource \"aws_iam_user_policy_attachment\" \"logs\" {\n  user       = \"alice\"\n  policy_arn = \"arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess\"\n}\n",
            rule: "IAM409",
            flags: UNSAFE,
            after: "resource \"aws_iam_user\" \"alice\" {\n  name = \"alice\"\n}\n\nresource \"aws_iam_group\" \"alice_direct\" {\n  name = \"alice-direct\"\n}\n\nresource \"aws_iam_user_group_membership\" \"alice_direct\" {\n  user   = aws_iam_user.alice.name\n  groups = [aws_iam_group.alice_direct.name]\n}\n\nresource \"aws_iam_group_policy_attachment\" \"ro\" {\n  group      = aws_iam_group.alice_direct.name\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n\nresource \"aws_iam_group_policy_attachment\" \"logs\" {\n  group      = aws_iam_group.alice_direct.name\n  policy_arn = \"arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess\"\n}\n",
        },
        Case {
            name: "ReplaceEntity in Terraform: IAM409 the user's one group",
            file: "main.tf",
            before: "resource \"aws_iam_user_policy_attachment\" \"ro\" {\n  user       = \"alice\"\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n\nresource \"aws_iam_user_group_membership\" \"alice\" {\n  user   = \"alice\"\n  groups = [\"readers\"]\n}\n",
            rule: "IAM409",
            flags: UNSAFE,
            after: "resource \"aws_iam_group_policy_attachment\" \"ro\" {\n  group      = \"readers\"\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n\nresource \"aws_iam_user_group_membership\" \"alice\" {\n  user   = \"alice\"\n  groups = [\"readers\"]\n}\n",
        },
    ] {
        check_rewrite(&case);
    }
}

/// A safe `--fix` leaves the unsafe rewrites alone.
#[test]
fn replace_entity_waits_for_unsafe_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.tf");
    let text = "resource \"aws_iam_policy_attachment\" \"ro\" {\n  name       = \"ro\"\n  users      = [\"alice\"]\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n";
    fs::write(&path, text).unwrap();
    rein(&["--fix", "--fail-on", "never", "--select", "IAM409,IAM413"], &[&path]);
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
}

// The policy-level fixes of IAM008, IAM104 and IAM307, each in policy JSON, Terraform
// (`jsonencode` and `aws_iam_policy_document`), CloudFormation YAML and JSON.

#[test]
fn principal_pattern_into_principal_arn_condition() {
    for case in [
        Case {
            name: "IAM008 in policy JSON",
            file: "trust.json",
            before: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:role/deploy-*\"}, \"Action\": \"sts:AssumeRole\"}]\n}\n",
            rule: "IAM008",
            flags: &["--unsafe-fixes", "--policy-type", "trust"],
            after: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:root\"}, \"Action\": \"sts:AssumeRole\", \"Condition\": {\"ArnLike\": {\"aws:PrincipalArn\": \"arn:aws:iam::123456789012:role/deploy-*\"}}}]\n}\n",
        },
        Case {
            name: "IAM008 in Terraform jsonencode",
            file: "main.tf",
            before: "resource \"aws_iam_role\" \"deploy\" {\n  name = \"deploy\"\n  assume_role_policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Principal = { AWS = \"arn:aws:iam::123456789012:role/deploy-*\" }, Action = \"sts:AssumeRole\" }]\n  })\n}\n",
            rule: "IAM008",
            flags: UNSAFE,
            after: "resource \"aws_iam_role\" \"deploy\" {\n  name = \"deploy\"\n  assume_role_policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Principal = { AWS = \"arn:aws:iam::123456789012:root\" }, Action = \"sts:AssumeRole\", Condition = { ArnLike = { \"aws:PrincipalArn\" = \"arn:aws:iam::123456789012:role/deploy-*\" } } }]\n  })\n}\n",
        },
        Case {
            name: "IAM008 in a Terraform policy document",
            file: "main.tf",
            before: "data \"aws_iam_policy_document\" \"trust\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"arn:aws:iam::123456789012:role/deploy-*\"]\n    }\n  }\n}\n\nresource \"aws_iam_role\" \"deploy\" {\n  name               = \"deploy\"\n  assume_role_policy = data.aws_iam_policy_document.trust.json\n}\n",
            rule: "IAM008",
            flags: UNSAFE,
            after: "data \"aws_iam_policy_document\" \"trust\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"arn:aws:iam::123456789012:root\"]\n    }\n    condition {\n      test     = \"ArnLike\"\n      variable = \"aws:PrincipalArn\"\n      values   = [\"arn:aws:iam::123456789012:role/deploy-*\"]\n    }\n  }\n}\n\nresource \"aws_iam_role\" \"deploy\" {\n  name               = \"deploy\"\n  assume_role_policy = data.aws_iam_policy_document.trust.json\n}\n",
        },
        Case {
            name: "IAM008 in CloudFormation YAML",
            file: "t.yaml",
            before: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Deploy:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              AWS: arn:aws:iam::123456789012:role/deploy-*\n            Action: sts:AssumeRole\n",
            rule: "IAM008",
            flags: UNSAFE,
            after: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Deploy:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              AWS: arn:aws:iam::123456789012:root\n            Action: sts:AssumeRole\n            Condition:\n              ArnLike:\n                aws:PrincipalArn: arn:aws:iam::123456789012:role/deploy-*\n",
        },
        Case {
            name: "IAM008 in CloudFormation JSON",
            file: "t.json",
            before: "{\n  \"Resources\": {\"Deploy\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {\"AssumeRolePolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": [\"arn:aws:iam::123456789012:role/deploy-*\"]}, \"Action\": \"sts:AssumeRole\"}]\n  }}}}\n}\n",
            rule: "IAM008",
            flags: UNSAFE,
            after: "{\n  \"Resources\": {\"Deploy\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {\"AssumeRolePolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": [\"arn:aws:iam::123456789012:root\"]}, \"Action\": \"sts:AssumeRole\", \"Condition\": {\"ArnLike\": {\"aws:PrincipalArn\": \"arn:aws:iam::123456789012:role/deploy-*\"}}}]\n  }}}}\n}\n",
        },
    ] {
        check_case(&case);
    }
}

#[test]
fn privileged_wildcard_into_explicit_list() {
    for case in [
        Case {
            name: "IAM104 in policy JSON",
            file: "p.json",
            before: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:PutObject*\", \"Resource\": \"arn:aws:s3:::uploads/*\"}]\n}\n",
            rule: "IAM104",
            flags: UNSAFE,
            after: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:PutObject\", \"s3:PutObjectAnnotation\", \"s3:PutObjectLegalHold\", \"s3:PutObjectRetention\", \"s3:PutObjectTagging\", \"s3:PutObjectVersionAnnotation\", \"s3:PutObjectVersionTagging\"], \"Resource\": \"arn:aws:s3:::uploads/*\"}]\n}\n",
        },
        Case {
            name: "IAM104 in Terraform jsonencode",
            file: "main.tf",
            before: "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = [\"s3:GetObject\", \"s3:PutObject*\"], Resource = \"arn:aws:s3:::uploads/*\" }]\n  })\n}\n",
            rule: "IAM104",
            flags: UNSAFE,
            after: "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = [\"s3:GetObject\", \"s3:PutObject\", \"s3:PutObjectAnnotation\", \"s3:PutObjectLegalHold\", \"s3:PutObjectRetention\", \"s3:PutObjectTagging\", \"s3:PutObjectVersionAnnotation\", \"s3:PutObjectVersionTagging\"], Resource = \"arn:aws:s3:::uploads/*\" }]\n  })\n}\n",
        },
        Case {
            name: "IAM104 in a Terraform policy document",
            file: "main.tf",
            before: "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"redshift:Get*\"]\n    resources = [\"*\"]\n  }\n}\n",
            rule: "IAM104",
            flags: UNSAFE,
            after: "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"redshift:GetIdentityCenterAuthToken\", \"redshift:GetReservedNodeExchangeConfigurationOptions\", \"redshift:GetReservedNodeExchangeOfferings\", \"redshift:GetResourcePolicy\"]\n    resources = [\"*\"]\n  }\n}\n",
        },
        Case {
            name: "IAM104 in CloudFormation YAML",
            file: "t.yaml",
            before: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: s3:PutObject*\n            Resource: arn:aws:s3:::uploads/*\n",
            rule: "IAM104",
            flags: UNSAFE,
            after: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action:\n              - s3:PutObject\n              - s3:PutObjectAnnotation\n              - s3:PutObjectLegalHold\n              - s3:PutObjectRetention\n              - s3:PutObjectTagging\n              - s3:PutObjectVersionAnnotation\n              - s3:PutObjectVersionTagging\n            Resource: arn:aws:s3:::uploads/*\n",
        },
        Case {
            name: "IAM104 in CloudFormation JSON",
            file: "t.json",
            before: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:PutObject*\"], \"Resource\": \"arn:aws:s3:::uploads/*\"}]\n  }}}}\n}\n",
            rule: "IAM104",
            flags: UNSAFE,
            after: "{\n  \"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:PutObject\", \"s3:PutObjectAnnotation\", \"s3:PutObjectLegalHold\", \"s3:PutObjectRetention\", \"s3:PutObjectTagging\", \"s3:PutObjectVersionAnnotation\", \"s3:PutObjectVersionTagging\"], \"Resource\": \"arn:aws:s3:::uploads/*\"}]\n  }}}}\n}\n",
        },
    ] {
        check_case(&case);
    }
}

#[test]
fn service_grant_source_account_condition() {
    for case in [
        Case {
            name: "IAM307 in policy JSON",
            file: "queue.json",
            before: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"sns.amazonaws.com\"}, \"Action\": \"sqs:SendMessage\", \"Resource\": \"arn:aws:sqs:eu-west-1:123456789012:jobs\"}]\n}\n",
            rule: "IAM307",
            flags: &["--unsafe-fixes", "--policy-type", "resource"],
            after: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"sns.amazonaws.com\"}, \"Action\": \"sqs:SendMessage\", \"Resource\": \"arn:aws:sqs:eu-west-1:123456789012:jobs\", \"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"123456789012\"}}}]\n}\n",
        },
        Case {
            name: "IAM307 in Terraform jsonencode",
            file: "main.tf",
            before: "resource \"aws_sqs_queue_policy\" \"jobs\" {\n  queue_url = \"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs\"\n  policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Principal = { Service = \"sns.amazonaws.com\" }, Action = \"sqs:SendMessage\", Resource = \"arn:aws:sqs:eu-west-1:123456789012:jobs\" }]\n  })\n}\n",
            rule: "IAM307",
            flags: UNSAFE,
            after: "resource \"aws_sqs_queue_policy\" \"jobs\" {\n  queue_url = \"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs\"\n  policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Principal = { Service = \"sns.amazonaws.com\" }, Action = \"sqs:SendMessage\", Resource = \"arn:aws:sqs:eu-west-1:123456789012:jobs\", Condition = { StringEquals = { \"aws:SourceAccount\" = \"123456789012\" } } }]\n  })\n}\n",
        },
        Case {
            name: "IAM307 in a Terraform policy document",
            file: "main.tf",
            before: "data \"aws_iam_policy_document\" \"alerts\" {\n  statement {\n    actions   = [\"sns:Publish\"]\n    resources = [\"arn:aws:sns:eu-west-1:123456789012:alerts\"]\n    principals {\n      type        = \"Service\"\n      identifiers = [\"events.amazonaws.com\"]\n    }\n  }\n}\n\nresource \"aws_sns_topic_policy\" \"alerts\" {\n  arn    = \"arn:aws:sns:eu-west-1:123456789012:alerts\"\n  policy = data.aws_iam_policy_document.alerts.json\n}\n",
            rule: "IAM307",
            flags: UNSAFE,
            after: "data \"aws_iam_policy_document\" \"alerts\" {\n  statement {\n    actions   = [\"sns:Publish\"]\n    resources = [\"arn:aws:sns:eu-west-1:123456789012:alerts\"]\n    principals {\n      type        = \"Service\"\n      identifiers = [\"events.amazonaws.com\"]\n    }\n    condition {\n      test     = \"StringEquals\"\n      variable = \"aws:SourceAccount\"\n      values   = [\"123456789012\"]\n    }\n  }\n}\n\nresource \"aws_sns_topic_policy\" \"alerts\" {\n  arn    = \"arn:aws:sns:eu-west-1:123456789012:alerts\"\n  policy = data.aws_iam_policy_document.alerts.json\n}\n",
        },
        Case {
            name: "IAM307 in CloudFormation YAML",
            file: "t.yaml",
            before: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  JobsPolicy:\n    Type: AWS::SQS::QueuePolicy\n    Properties:\n      Queues: [https://sqs.eu-west-1.amazonaws.com/123456789012/jobs]\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: sns.amazonaws.com\n            Action: sqs:SendMessage\n            Resource: arn:aws:sqs:eu-west-1:123456789012:jobs\n",
            rule: "IAM307",
            flags: UNSAFE,
            after: "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  JobsPolicy:\n    Type: AWS::SQS::QueuePolicy\n    Properties:\n      Queues: [https://sqs.eu-west-1.amazonaws.com/123456789012/jobs]\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: sns.amazonaws.com\n            Action: sqs:SendMessage\n            Resource: arn:aws:sqs:eu-west-1:123456789012:jobs\n            Condition:\n              StringEquals:\n                aws:SourceAccount: '123456789012'\n",
        },
        Case {
            name: "IAM307 in CloudFormation JSON",
            file: "t.json",
            before: "{\n  \"Resources\": {\"AlertsPolicy\": {\"Type\": \"AWS::SNS::TopicPolicy\", \"Properties\": {\"Topics\": [\"arn:aws:sns:eu-west-1:123456789012:alerts\"], \"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"events.amazonaws.com\"}, \"Action\": \"sns:Publish\", \"Resource\": \"arn:aws:sns:eu-west-1:123456789012:alerts\"}]\n  }}}}\n}\n",
            rule: "IAM307",
            flags: UNSAFE,
            after: "{\n  \"Resources\": {\"AlertsPolicy\": {\"Type\": \"AWS::SNS::TopicPolicy\", \"Properties\": {\"Topics\": [\"arn:aws:sns:eu-west-1:123456789012:alerts\"], \"PolicyDocument\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"events.amazonaws.com\"}, \"Action\": \"sns:Publish\", \"Resource\": \"arn:aws:sns:eu-west-1:123456789012:alerts\", \"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"123456789012\"}}}]\n  }}}}\n}\n",
        },
    ] {
        check_case(&case);
    }
}
