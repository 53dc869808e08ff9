# rein:ignore IAM010 the module is instantiated with real ARNs by the platform

resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:*" # rein:ignore IAM103 the sandbox account owns only this bucket
      Resource = "*"
    }]
  })
}

# rein:ignore IAM101
resource "aws_iam_policy" "admin" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "admin2" {
  #checkov:skip=CKV_AWS_62: break-glass
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
# rein:ignore IAM999 typo
