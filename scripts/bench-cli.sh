#!/usr/bin/env bash
# Whole-binary timings of `rein check` with hyperfine (Debian package `hyperfine`).
# Builds the release binary, writes a corpus of policy files to a temporary directory, and times
# start-up, one small policy, the shipped examples, and a directory of 1,000 policies.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v hyperfine >/dev/null || { echo "install hyperfine first: apt-get install hyperfine" >&2; exit 2; }
cargo build --release -p rein_cli
rein=target/release/rein
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT

for i in $(seq 1 1000); do
  cat >"$corpus/policy-$i.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "List$i", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "arn:aws:s3:::bucket-$i"},
    {"Sid": "Read$i", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket-$i/*"},
    {"Sid": "Key$i", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "arn:aws:kms:eu-west-1:111122223333:key/k-$i"},
    {"Sid": "Logs$i", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/f$i:*"},
    {"Sid": "Token$i", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Sid": "Wide$i", "Effect": "Allow", "Action": ["ec2:Describe*", "iam:Get*"], "Resource": "*"}
  ]
}
JSON
done

hyperfine --warmup 3 --ignore-failure \
  "$rein --version" \
  "$rein check fixtures/policies/ecr-pull.json" \
  "$rein check fixtures/policies" \
  "$rein check --quiet $corpus"
