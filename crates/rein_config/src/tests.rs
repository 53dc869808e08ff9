//! Reading `rein.toml`: errors point at the key, values reach the settings.

use std::path::{Path, PathBuf};

use rein_diagnostics::Severity;
use rein_rules::{MaxPasswordAge, Profile, Settings};

use super::*;

fn parse_ok(text: &str) -> Config {
    parse(text, "rein.toml", PathBuf::from("/repo")).unwrap_or_else(|err| panic!("{err}"))
}

fn parse_err(text: &str) -> String {
    parse(text, "rein.toml", PathBuf::from("/repo")).unwrap_err().to_string()
}

#[test]
fn an_unknown_key_names_the_key_the_file_and_the_position() {
    let err = parse_err("select = [\"IAM1\"]\nselectt = [\"IAM2\"]\n");
    assert!(err.starts_with("rein.toml:2:1: unknown field `selectt`"), "{err}");
    let err = parse_err("[options]\nown-acount = \"111122223333\"\n");
    assert!(err.starts_with("rein.toml:2:1: unknown field `own-acount`"), "{err}");
    let err = parse_err("[[overrides]]\npaths = [\"a/**\"]\nselct = []\n");
    assert!(err.starts_with("rein.toml:3:1: unknown field `selct`"), "{err}");
}

#[test]
fn values_are_checked_where_they_are_written() {
    assert!(parse_err("select = [\"IAM1\", \"IAM9\"]").starts_with("rein.toml:1:19: unknown rule selector `IAM9`"));
    assert!(parse_err("[severity]\nnot-a-rule = \"error\"\n").starts_with("rein.toml:2:1: unknown rule selector"));
    assert!(parse_err("[severity]\nIAM105 = \"loud\"\n").starts_with("rein.toml:2:10: unknown variant `loud`"));
    assert!(parse_err("[options]\nown-account = \"1234\"\n").contains("not an AWS account id"));
    assert!(parse_err("[options]\norg-id = \"org-1\"\n").contains("not an organization id"));
    assert!(parse_err("[options]\npassword-reuse-prevention = 30\n").contains("IAM accepts 1 to 24"));
    for arn in ["dev-boundary", "arn:aws:iam::123:policy/b", "arn:aws:iam::123456789012:role/b", "arn:aws:s3:::b"] {
        let err = parse_err(&format!("[options]\ndefault-boundary-arn = \"{arn}\"\n"));
        assert!(err.starts_with("rein.toml:2:") && err.contains("not the ARN of a managed policy"), "{arn}: {err}");
    }
    assert!(parse_err("[options]\npassword-max-age = \"never\"\n").contains("a number of days or \"off\""));
    assert!(
        parse_err("[options]\npassword-character-classes = [\"emoji\"]\n").contains("unknown character class `emoji`")
    );
    assert!(parse_err("[[overrides]]\npaths = [\"a/[\"]\n").starts_with("rein.toml:2:10: invalid glob"));
    assert!(parse_err("[[overrides]]\npaths = []\n").contains("lists no glob"));
    assert!(parse_err("fail-on = \"sometimes\"").contains("unknown variant `sometimes`"));
    assert!(parse_err("select = [").starts_with("rein.toml:1:"));
}

#[test]
fn the_file_reaches_the_settings() {
    let config = parse_ok(
        r#"
select = ["IAM1", "passrole-unscoped"]
ignore = ["IAM109"]
preview = true
profile = "account-baseline"
fail-on = "error"

[severity]
IAM105 = "error"
wildcard-action = "info"
IAM107 = "off"

[options]
own-account = "111122223333"
trusted-accounts = ["444455556666"]
org-id = "o-a1b2c3d4e5"
ci-oidc-issuers = ["gitlab.example.com"]
stale-data-days = 200
password-min-length = 16
password-reuse-prevention = 12
password-max-age = "off"
password-character-classes = ["lowercase", "numbers"]
membership-complete = true
default-boundary-arn = "arn:aws:iam::111122223333:policy/boundaries/dev-boundary"

[[options.forbidden-access]]
action = "kms:Decrypt"
resource = "arn:aws:kms:*:*:key/payroll-*"
principal = "aws_iam_role.ci"
"#,
    );
    let mut settings = Settings::default();
    config.apply(&mut settings);
    assert_eq!(settings.select, ["IAM1", "passrole-unscoped"]);
    assert_eq!(settings.ignore, ["IAM109", "IAM107"]);
    assert_eq!(settings.severity.get("IAM105"), Some(&Severity::Error));
    assert_eq!(settings.severity.get("IAM103"), Some(&Severity::Info));
    assert!(settings.preview);
    assert_eq!(settings.profile, Profile::Baseline);
    assert_eq!(config.fail_on, Some(FailOn::Error));
    assert_eq!(settings.stale_data_days, 200);
    assert_eq!(settings.options.own_account.as_deref(), Some("111122223333"));
    assert_eq!(settings.options.trusted_accounts, ["444455556666"]);
    assert_eq!(settings.options.org_id.as_deref(), Some("o-a1b2c3d4e5"));
    assert_eq!(settings.options.ci_oidc_issuers, ["gitlab.example.com"]);
    assert_eq!(settings.options.password_min_length(), 16);
    assert_eq!(settings.options.password_reuse_prevention(), 12);
    assert_eq!(settings.options.password_max_age(), MaxPasswordAge::Off);
    assert!(settings.options.requires_password_class("numbers"));
    assert!(!settings.options.requires_password_class("symbols"));
    assert!(settings.options.membership_complete);
    assert_eq!(
        settings.options.default_boundary_arn.as_deref(),
        Some("arn:aws:iam::111122223333:policy/boundaries/dev-boundary")
    );
    assert_eq!(
        settings.options.forbidden_access,
        [rein_rules::ForbiddenAccess {
            action: "kms:Decrypt".to_owned(),
            resource: "arn:aws:kms:*:*:key/payroll-*".to_owned(),
            principal: Some("aws_iam_role.ci".to_owned()),
        }]
    );
}

#[test]
fn an_empty_file_changes_nothing() {
    let mut settings = Settings::default();
    parse_ok("").apply(&mut settings);
    assert!(settings.select.is_empty() && settings.ignore.is_empty() && settings.severity.is_empty());
    assert_eq!(settings.options, rein_rules::RuleOptions::default());
    assert_eq!(settings.stale_data_days, Settings::default().stale_data_days);
}

#[test]
fn overrides_apply_to_the_files_their_globs_match() {
    let root = std::env::temp_dir().join(format!("rein-config-overrides-{}", std::process::id()));
    let config = parse(
        r#"
ignore = ["IAM109"]

[[overrides]]
paths = ["sandbox/**"]
ignore = ["IAM105"]
severity = { IAM103 = "info" }

[[overrides]]
paths = ["*.cfn.yaml"]
select = ["IAM3"]
"#,
        "rein.toml",
        root.clone(),
    )
    .unwrap();
    let base = Settings::default();
    let mut global = base.clone();
    config.apply(&mut global);
    let run = config.run_settings(&global);
    assert!(run.ignore.is_empty(), "with overrides every rule runs");

    let sandbox = config.settings_for(&global, &root.join("sandbox/x/policy.json"));
    assert_eq!(sandbox.ignore, ["IAM109", "IAM105"]);
    assert_eq!(sandbox.severity.get("IAM103"), Some(&Severity::Info));
    let template = config.settings_for(&global, &root.join("stacks/app.cfn.yaml"));
    assert_eq!(template.select, ["IAM3"]);
    let elsewhere = config.settings_for(&global, &root.join("prod/policy.json"));
    assert_eq!(elsewhere.ignore, ["IAM109"]);
    assert!(elsewhere.select.is_empty() && elsewhere.severity.is_empty());
    // `*` does not cross directories; a glob without `/` matches the file name.
    assert!(!config.overrides[0].matches(Path::new("prod/sandbox.json")));
    assert!(config.overrides[1].matches(Path::new("a/b/app.cfn.yaml")));
}

#[test]
fn the_nearest_file_upward_is_found() {
    let root = std::env::temp_dir().join(format!("rein-config-find-{}", std::process::id()));
    let nested = root.join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(root.join(FILE_NAME), "").unwrap();
    std::fs::write(nested.join("p.json"), "{}").unwrap();
    assert_eq!(find(&nested), Some(root.join(FILE_NAME)));
    assert_eq!(find(&nested.join("p.json")), Some(root.join(FILE_NAME)));
    std::fs::write(root.join("a").join(FILE_NAME), "").unwrap();
    assert_eq!(find(&nested), Some(root.join("a").join(FILE_NAME)));
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn positions_count_characters() {
    assert_eq!(line_column("a = 1\nbé = 2\n", 9), (2, 3));
    assert_eq!(line_column("x", 99), (1, 2));
}

#[test]
fn principal_lists_and_estate_options_reach_the_settings() {
    let config = parse_ok(
        r#"
[options]
break-glass-principals = ["aws_iam_role.break_glass", "arn:aws:iam::111122223333:role/emergency-*"]
security-admin-principals = ["secops"]
allowed-iam-users = ["arn:aws:iam::*:user/ses-smtp"]
log-archive-account-id = "999900001111"
log-retention-days = 400
external-monitoring = true
scp-guardrails = ["region-restriction", "ram-external-sharing"]
trust-policy-quota = 4096
github-subject-claims = ["repository_owner_id", "repository_id", "context"]
github-job-workflow-refs = ["acme/workflows/.github/workflows/deploy.yml@refs/heads/main"]
"#,
    );
    let mut settings = Settings::default();
    config.apply(&mut settings);
    let options = &settings.options;
    assert_eq!(
        options.break_glass_principals,
        ["aws_iam_role.break_glass", "arn:aws:iam::111122223333:role/emergency-*"]
    );
    assert!(options.is_break_glass("aws_iam_role.other", Some("emergency-eu")));
    assert_eq!(options.security_admin_principals, ["secops"]);
    assert_eq!(options.allowed_iam_users, ["arn:aws:iam::*:user/ses-smtp"]);
    assert_eq!(options.log_archive_account_id.as_deref(), Some("999900001111"));
    assert_eq!(options.log_retention_days(), 400);
    assert!(options.external_monitoring);
    assert!(options.wants_scp_guardrail("ram-external-sharing") && !options.wants_scp_guardrail("flow-log-deletion"));
    assert_eq!(options.trust_policy_quota, Some(4096));
    assert_eq!(options.github_subject_claims, ["repository_owner_id", "repository_id", "context"]);
    assert_eq!(options.github_job_workflow_refs, ["acme/workflows/.github/workflows/deploy.yml@refs/heads/main"]);
    let defaults = rein_rules::RuleOptions::default();
    assert_eq!(defaults.log_retention_days(), 365);
    assert!(!defaults.external_monitoring && defaults.trust_policy_quota.is_none());
}

#[test]
fn wrong_estate_options_are_located() {
    let err = parse_err("[options]\nbreak-glass-principals = [\"ok\", \"arn:aws:s3:::bucket\"]\n");
    assert!(
        err.starts_with("rein.toml:2:33: `arn:aws:s3:::bucket` in `break-glass-principals` is not an IAM role"),
        "{err}"
    );
    let err = parse_err("[options]\nallowed-iam-users = [\"two words\"]\n");
    assert!(err.starts_with("rein.toml:2:22: an entry of `allowed-iam-users` is empty or has spaces"), "{err}");
    assert!(parse_err("[options]\nsecurity-admin-principals = \"secops\"\n").contains("invalid type: string"));
    let err = parse_err("[options]\nlog-archive-account-id = \"9999\"\n");
    assert!(err.starts_with("rein.toml:2:26: `9999` is not an AWS account id"), "{err}");
    let err = parse_err("[options]\nlog-retention-days = 0\n");
    assert!(err.starts_with("rein.toml:2:22: `log-retention-days` is 0; it must be 1 to 3653"), "{err}");
    assert!(parse_err("[options]\nexternal-monitoring = \"yes\"\n").starts_with("rein.toml:2:23: invalid type"));
    let err = parse_err("[options]\nscp-guardrails = [\"no-fun\"]\n");
    assert!(
        err.starts_with("rein.toml:2:19: unknown SCP guardrail `no-fun`, expected one of `region-restriction`"),
        "{err}"
    );
    let err = parse_err("[options]\ntrust-policy-quota = 8192\n");
    assert!(err.starts_with("rein.toml:2:22: `trust-policy-quota` is 8192; it must be 2048 to 4096"), "{err}");
    let err = parse_err("[options]\ngithub-subject-claims = [\"Repository ID\"]\n");
    assert!(err.starts_with("rein.toml:2:26: `Repository ID` is not a GitHub OIDC claim name"), "{err}");
    let err = parse_err("[options]\ngithub-job-workflow-refs = [\"deploy.yml\"]\n");
    assert!(err.starts_with("rein.toml:2:29: `deploy.yml` is not a workflow reference"), "{err}");
}
