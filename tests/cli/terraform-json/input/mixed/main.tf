locals {
  queue_arn = "arn:aws:sqs:eu-west-1:123456789012:jobs"
}

resource "aws_iam_role" "consumer" {
  name               = "jobs-consumer"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}
