resource "aws_iam_policy" "read" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:GetObject" # rein:ignore IAM103 the statement once granted s3:*
      Resource = "arn:aws:s3:::logs/*"
    }]
  })
}

resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:*" # rein:ignore IAM103 the sandbox account owns only this bucket
      Resource = "arn:aws:s3:::sandbox/*"
    }]
  })
}
