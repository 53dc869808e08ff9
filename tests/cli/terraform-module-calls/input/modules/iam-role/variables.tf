variable "name" {
  type        = string
  description = "Name of the role"
}

variable "path" {
  type    = string
  default = "/service/"
}

variable "policy_json" {
  type        = string
  description = "Inline policy of the role, as JSON"
}

variable "bucket_arn" {
  type = string
}

variable "trusted_account" {
  type = string
}
