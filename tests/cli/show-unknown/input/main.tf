# The deploy role of the "café" service.
locals {
  read_actions = ["s3:GetObject", "s3:ListBucket"]
}

variable "bucket" {
  type    = string
  default = "acme-reports"
}

resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Resource  = "*"
    }]
  })
}

resource "aws_iam_role_policy" "read" {
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.read.json
}

data "aws_iam_policy_document" "read" {
  statement {
    actions   = local.read_actions
    resources = ["arn:aws:s3:::${var.bucket}"]
  }
  statement {
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "heredoc" {
  name   = "heredoc"
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObjct", "Resource": "arn:aws:s3:::${var.bucket}/*"}
      ]
    }
  EOF
}
