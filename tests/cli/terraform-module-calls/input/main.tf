# Root module: a reports bucket and the role that deploys to it, built by a local module.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

data "aws_caller_identity" "current" {}

locals {
  tooling_account = "111122223333"
  environment     = "prod"
}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-${local.environment}-reports"
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = aws_s3_bucket.reports.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.reports.arn, "${aws_s3_bucket.reports.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "DeployRoleReads"
        Effect    = "Allow"
        Principal = { AWS = module.deploy_role.role_arn }
        Action    = "s3:GetObject"
        Resource  = aws_s3_bucket.reports.arn
      },
    ]
  })
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "Invalidate"
    actions   = ["cloudfront:CreateInvalidation"]
    resources = ["arn:aws:cloudfront::${data.aws_caller_identity.current.account_id}:distribution/*"]
  }

  statement {
    sid       = "PassAnyRole"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

module "deploy_role" {
  source = "./modules/iam-role"

  name            = "${local.environment}-deploy"
  policy_json     = data.aws_iam_policy_document.deploy.json
  bucket_arn      = aws_s3_bucket.reports.arn
  trusted_account = local.tooling_account
}

module "audit_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version = "5.39.0"

  role_name = "audit"
}

module "legacy" {
  source = "./modules/legacy-role"
}
