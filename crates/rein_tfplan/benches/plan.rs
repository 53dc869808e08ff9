//! Benchmark: reading a generated ~5 MB plan file with many policy-bearing resources.

use rein_text::FileId;

fn main() {
    divan::main();
}

/// A plan with `n` roles, each with an escaped trust policy and an inline policy.
fn generate(n_roles: usize) -> String {
    let trust = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"#;
    let inline = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Read\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\",\"dynamodb:Query\"],\"Resource\":[\"arn:aws:s3:::bucket-\u003cname\u003e/*\",\"arn:aws:dynamodb:eu-west-1:111122223333:table/t\"],\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/team\":\"data\"}}}]}"#;
    let mut resources = Vec::with_capacity(n_roles);
    let mut changes = Vec::with_capacity(n_roles);
    for idx in 0..n_roles {
        let values = format!(
            r#"{{"arn":null,"assume_role_policy":"{trust}","description":"role {idx}","inline_policy":[{{"name":"inline","policy":"{inline}"}}],"max_session_duration":3600,"name":"role-{idx}","path":"/","tags":{{"team":"data"}}}}"#
        );
        resources.push(format!(
            r#"{{"address":"module.m.aws_iam_role.r{idx}","mode":"managed","type":"aws_iam_role","name":"r{idx}","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{values},"sensitive_values":{{}}}}"#
        ));
        changes.push(format!(
            r#"{{"address":"module.m.aws_iam_role.r{idx}","module_address":"module.m","mode":"managed","type":"aws_iam_role","name":"r{idx}","change":{{"actions":["create"],"before":null,"after":{values},"after_unknown":{{"arn":true,"id":true,"inline_policy":[{{}}],"unique_id":true}}}}}}"#
        ));
    }
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.9.8","planned_values":{{"root_module":{{"child_modules":[{{"address":"module.m","resources":[{}]}}]}}}},"resource_changes":[{}]}}"#,
        resources.join(",\n"),
        changes.join(",\n")
    )
}

#[divan::bench(sample_count = 20)]
fn analyze_5mb(bencher: divan::Bencher) {
    let text = generate(2_800);
    assert!(text.len() > 4_500_000, "{}", text.len());
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| rein_tfplan::analyze_plan(FileId(0), divan::black_box(&text)));
}

/// The JSON parse alone, to show how much of `analyze_5mb` is the policy reading.
#[divan::bench(sample_count = 20)]
fn parse_only_5mb(bencher: divan::Bencher) {
    let text = generate(2_800);
    bencher.counter(divan::counter::BytesCount::new(text.len())).bench(|| {
        jsonc_parser::parse_to_ast(
            divan::black_box(&text),
            &jsonc_parser::CollectOptions::default(),
            &jsonc_parser::ParseOptions::default(),
        )
        .map(|parsed| parsed.value.is_some())
    });
}
