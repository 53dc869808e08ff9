resource "aws_iam_role" "emergency" {
  name = "break-glass"
}

resource "aws_iam_role_policy_attachment" "emergency" {
  role       = aws_iam_role.emergency.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "ops" {
  name = "ops"
}

resource "aws_iam_role_policy_attachment" "ops" {
  role       = aws_iam_role.ops.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user" "smtp" {
  name = "ses-smtp"
}

resource "aws_iam_user" "alice" {
  name = "alice"
}
