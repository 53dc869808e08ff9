resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length      = 14
  require_lowercase_characters = true
  require_uppercase_characters = true
  require_numbers              = true
  require_symbols              = false # rein:ignore IAM403/symbols the identity provider rejects symbols
}

# rein:ignore IAM403/symbols the identity provider rejects symbols
resource "aws_iam_account_password_policy" "loose" {
  minimum_password_length = 14
  require_symbols         = false
}

# rein:ignore IAM403/colours a typo names no sub-code
resource "aws_iam_account_password_policy" "typo" {
  minimum_password_length      = 14
  require_lowercase_characters = true
  require_uppercase_characters = true
  require_numbers              = true
}
