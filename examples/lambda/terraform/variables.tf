variable "name" {
  description = "Prefix of the function, its log group, queue, topic and alarms."
  type        = string
  default     = "dashboard-projection"
}

variable "primary_table_stream_arn" {
  description = "Stream ARN of an existing primary table (NEW_AND_OLD_IMAGES). Empty: create the primary table here."
  type        = string
  default     = ""
}

variable "primary_table_name" {
  description = "Name of the primary table, if this configuration creates it."
  type        = string
  default     = "sentiment-items-primary"
}

variable "dashboard_table_name" {
  type    = string
  default = "sentiment-items-dashboard"
}

variable "counters_table_name" {
  type    = string
  default = "sentiment-items-counters"
}

variable "ttl_days" {
  description = "Days until a dashboard item expires (TTL_DAYS)."
  type        = number
  default     = 7

  validation {
    condition     = var.ttl_days >= 1 && floor(var.ttl_days) == var.ttl_days
    error_message = "ttl_days must be a whole number of days >= 1."
  }
}

variable "log_level" {
  type    = string
  default = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.log_level)
    error_message = "log_level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL."
  }
}

variable "alarm_email" {
  description = "Email address subscribed to the alarm topic. Empty: subscribe later."
  type        = string
  default     = ""
}

variable "package_dir" {
  description = "The function's package: handler.py with dashboard-projection installed next to it (see ../README.md)."
  type        = string
  default     = "../build/package"
}
