# Home-directory access for IAM users, and an MFA guardrail.

resource "aws_iam_policy" "home" {
  name = "home-directory"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "OwnPrefix"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "arn:aws:s3:::acme-home/&{aws:username}/*"
      },
      {
        Sid      = "ListOwnPrefix"
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = "arn:aws:s3:::acme-home"
        Condition = {
          StringEquals = { "s3:prefix" = "$${aws:username}/*" }
        }
      },
    ]
  })
}

data "aws_iam_policy_document" "require_mfa" {
  statement {
    sid       = "DenyWithoutMfa"
    effect    = "Deny"
    not_actions = ["iam:ListMFADevices", "sts:GetSessionToken"]
    resources = ["*"]
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }

  statement {
    sid       = "OwnHome"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::acme-home/&{aws:username}/*"]
  }
}

resource "aws_iam_policy" "require_mfa" {
  name   = "require-mfa"
  policy = data.aws_iam_policy_document.require_mfa.json
}
