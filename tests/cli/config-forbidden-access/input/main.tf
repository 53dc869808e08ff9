data "aws_iam_policy_document" "reports" {
  statement {
    sid       = "ReadReports"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::acme-reports/*"]
  }
  statement {
    sid       = "DecryptAnyKey"
    actions   = ["kms:Decrypt"]
    resources = ["arn:aws:kms:eu-west-1:111122223333:key/*"]
  }
}

resource "aws_iam_policy" "reports" {
  name   = "reports"
  policy = data.aws_iam_policy_document.reports.json
}
