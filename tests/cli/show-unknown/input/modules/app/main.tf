variable "queue_arn" {
  type = string
}

resource "aws_iam_role_policy" "send" {
  role = "app"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sqs:SendMessage", Resource = var.queue_arn }]
  })
}
