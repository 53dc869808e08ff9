#!/usr/bin/env bash
# Whole-binary comparison of `rein check` with checkov on the same tree of Terraform module
# directories. Not part of CI: it installs checkov from PyPI into a throwaway virtualenv.
#
#   [RUNS=3] bench/compare-checkov.sh [MODULES]     (default 2000 module directories)
#
# Needs hyperfine and GNU time (Debian packages `hyperfine` and `time`) and python3 with venv.
# checkov runs only the checks that rein's rules name as aliases (its IAM and account-baseline
# checks), collected from the rule sources, so both tools look for the same problems.
set -euo pipefail
cd "$(dirname "$0")/.."

modules=${1:-2000}
runs=${RUNS:-3}
for tool in hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install hyperfine time python3-venv)" >&2; exit 2; }
done

cargo build --release -p rein_cli
rein=$PWD/target/release/rein
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=$work/tree

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet checkov
checkov=$work/venv/bin/checkov
checks=$(grep -rhoE 'CKV2?_AWS_[0-9]+' crates/rein_rules/src/rules | sort -u | paste -sd, -)

# One module directory: a role with a trust policy, an inline jsonencode policy, a policy
# document data source, a heredoc policy, a user with an access key, and a password policy.
write_module() {
  local dir=$1 i=$2
  mkdir -p "$dir"
  cat >"$dir/main.tf" <<TF
variable "bucket" {
  type    = string
  default = "data-$i"
}

locals {
  log_group = "arn:aws:logs:eu-west-1:111122223333:log-group:/app/$i:*"
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "app-$i"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "app" {
  name = "app-$i"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "arn:aws:s3:::\${var.bucket}/*"
      },
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = local.log_group
      },
      {
        Effect   = "Allow"
        Action   = "s3:*"
        Resource = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "deploy" {
  statement {
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
  statement {
    actions   = ["ec2:Describe*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "deploy" {
  name   = "deploy-$i"
  policy = data.aws_iam_policy_document.deploy.json
}

resource "aws_iam_policy" "admin" {
  name   = "admin-$i"
  policy = <<JSON
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
}
JSON
}

resource "aws_iam_user" "ci" {
  name = "ci-$i"
}

resource "aws_iam_user_policy_attachment" "ci" {
  user       = aws_iam_user.ci.name
  policy_arn = aws_iam_policy.deploy.arn
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_account_password_policy" "this" {
  minimum_password_length = 8
}
TF
}

echo "writing $modules module directories to $tree" >&2
for i in $(seq 1 "$modules"); do
  write_module "$tree/team-$((i % 40))/module-$i" "$i"
done
echo "$(find "$tree" -name '*.tf' | wc -l) files, $(cat "$tree"/*/*/main.tf | wc -l) lines" >&2

echo "== peak memory (GNU time: elapsed seconds, maximum resident set size)" >&2
/usr/bin/time -f "rein:    %e s, %M KiB" "$rein" check --quiet --fail-on never "$tree" >/dev/null
/usr/bin/time -f "checkov: %e s, %M KiB" "$checkov" --quiet --compact --skip-download \
  --framework terraform --check "$checks" -d "$tree" >/dev/null || true

echo "== wall time (hyperfine)" >&2
hyperfine --warmup 1 --runs "$runs" --ignore-failure \
  --command-name rein "$rein check --quiet --fail-on never $tree" \
  --command-name checkov "$checkov --quiet --compact --skip-download --framework terraform --check $checks -d $tree"
