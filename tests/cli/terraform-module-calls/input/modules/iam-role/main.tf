resource "aws_iam_role" "this" {
  name = var.name
  path = var.path

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${var.trusted_account}:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "inline" {
  name   = "${var.name}-inline"
  role   = aws_iam_role.this.id
  policy = var.policy_json
}

resource "aws_iam_role_policy" "reports" {
  name = "${var.name}-reports"
  role = aws_iam_role.this.id
  policy = templatefile("${path.module}/templates/reports.json.tpl", {
    bucket_arn = var.bucket_arn
  })
}
