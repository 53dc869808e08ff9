variable "queue_arn" {
  type = string
}

variable "team" {
  type    = string
  default = "payments"
}

resource "aws_iam_role_policy" "send" {
  role = "app-${var.team}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["sqs:SendMessage", "sqs:GetQueueUrl"]
      Resource  = var.queue_arn
      Condition = { StringEquals = { "aws:ResourceTag/team" = var.team } }
    }]
  })
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = data.external.trust.result.json
}
