# dashboard-projection stream processor: the Terraform equivalent of ../template.yaml.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4"
    }
  }
}

locals {
  function_name      = "${var.name}-stream-processor"
  primary_stream_arn = var.primary_table_stream_arn != "" ? var.primary_table_stream_arn : aws_dynamodb_table.primary[0].stream_arn
}

# The primary table. Only created when no primary_table_stream_arn is given.
resource "aws_dynamodb_table" "primary" {
  count = var.primary_table_stream_arn == "" ? 1 : 0

  name         = var.primary_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "source_id"
  range_key    = "ingested_at"

  attribute {
    name = "source_id"
    type = "S"
  }

  attribute {
    name = "ingested_at"
    type = "S"
  }

  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES" # old images are how dropped tags are deleted

  lifecycle {
    prevent_destroy = true # the source data
  }
}

# The dashboard table, exactly as dashboard_projection.dashboard_table_spec() defines it
# (tests/test_examples.py checks this), with TTL as ttl_spec() sets it.
resource "aws_dynamodb_table" "dashboard" {
  name         = var.dashboard_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "day_partition"
  range_key    = "item_key"

  attribute {
    name = "day_partition"
    type = "S"
  }

  attribute {
    name = "item_key"
    type = "S"
  }

  attribute {
    name = "tag"
    type = "S"
  }

  attribute {
    name = "ingested_at_utc"
    type = "S"
  }

  attribute {
    name = "sentiment_score_combined"
    type = "S"
  }

  global_secondary_index {
    name            = "by_tag" # sparse: tag items only
    hash_key        = "tag"
    range_key       = "ingested_at_utc"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "by_sentiment_score" # sparse: base items only
    hash_key        = "day_partition"
    range_key       = "sentiment_score_combined"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }
}

# Where Lambda puts a pointer to the records it gives up on (shard and sequence numbers, not the
# records). Replay them before the stream's 24-hour retention ends.
# The counters table, exactly as sentiment_counters().table_spec() defines it: per-day
# counters and a marker per source item. Days older than the dashboard's TTL cannot be
# recounted from it, so it is kept. TTL applies only to Counters declared with a retention.
resource "aws_dynamodb_table" "counters" {
  name         = var.counters_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  lifecycle {
    prevent_destroy = true # counters of days the dashboard no longer holds
  }
}

resource "aws_sqs_queue" "stream_failures" {
  name                      = "${var.name}-stream-failures"
  message_retention_seconds = 1209600 # 14 days, the maximum
  sqs_managed_sse_enabled   = true
}

resource "aws_sns_topic" "alerts" {
  name = "${var.name}-alerts"
}

resource "aws_sns_topic_subscription" "alerts_email" {
  count = var.alarm_email == "" ? 0 : 1

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# Created here, so the function needs no logs:CreateLogGroup.
resource "aws_cloudwatch_log_group" "stream_processor" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = 30
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "stream_processor" {
  name               = local.function_name
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

# Least privilege. Compared with the seed:
#   - no cloudwatch:PutMetricData: metrics are Embedded Metric Format lines in the log;
#   - no dynamodb:PutItem on the dashboard table: the library only calls BatchWriteItem;
#   - PutItem and UpdateItem on the counters table only inside TransactWriteItems (the
#     dynamodb:EnclosingOperation condition key): a counter is never written on its own;
#   - no dynamodb:ListStreams: it has no resource-level permissions, so the seed's grant of it
#     on the stream ARN granted nothing;
#   - no logs:CreateLogGroup: the log group above is created here;
#   - sqs:SendMessage on the on-failure queue, which the event source mapping needs.
data "aws_iam_policy_document" "stream_processor" {
  statement {
    sid       = "ReadPrimaryTableStream"
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
    resources = [local.primary_stream_arn]
  }

  statement {
    sid       = "WriteDashboardTable"
    actions   = ["dynamodb:BatchWriteItem"]
    resources = [aws_dynamodb_table.dashboard.arn]
  }

  statement {
    sid       = "WriteCountersInTransactions"
    actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.counters.arn]

    condition {
      test     = "StringEquals"
      variable = "dynamodb:EnclosingOperation"
      values   = ["TransactWriteItems"]
    }
  }

  statement {
    sid       = "SendFailedBatchPointers"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.stream_failures.arn]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.stream_processor.arn}:*"]
  }
}

resource "aws_iam_role_policy" "stream_processor" {
  name   = "stream-processor"
  role   = aws_iam_role.stream_processor.id
  policy = data.aws_iam_policy_document.stream_processor.json
}

# The package built as ../README.md describes: handler.py plus dashboard-projection and its
# dependencies, installed for the Lambda platform.
data "archive_file" "stream_processor" {
  type        = "zip"
  source_dir  = var.package_dir
  output_path = "${path.module}/../build/stream-processor.zip"
}

resource "aws_lambda_function" "stream_processor" {
  function_name    = local.function_name
  description      = "Projects sentiment-items-primary stream records into the dashboard table."
  role             = aws_iam_role.stream_processor.arn
  filename         = data.archive_file.stream_processor.output_path
  source_code_hash = data.archive_file.stream_processor.output_base64sha256
  handler          = "handler.lambda_handler"
  runtime          = "python3.12"
  architectures    = ["x86_64"]
  timeout          = 60 # the library stops retrying writes 2 s before the deadline
  memory_size      = 512

  reserved_concurrent_executions = 10 # as in the seed: bounds the dashboard table's write rate

  environment {
    variables = {
      DASHBOARD_TABLE_NAME = aws_dynamodb_table.dashboard.name
      COUNTERS_TABLE_NAME  = aws_dynamodb_table.counters.name
      TTL_DAYS             = tostring(var.ttl_days)
      LOG_LEVEL            = var.log_level
    }
  }

  depends_on = [aws_cloudwatch_log_group.stream_processor, aws_iam_role_policy.stream_processor]
}

resource "aws_lambda_event_source_mapping" "primary_stream" {
  function_name                      = aws_lambda_function.stream_processor.arn
  event_source_arn                   = local.primary_stream_arn
  starting_position                  = "TRIM_HORIZON"
  batch_size                         = 100
  maximum_batching_window_in_seconds = 5
  # Required: the handler returns the earliest record whose writes did not land. Without it
  # Lambda ignores the response and treats the batch as processed.
  function_response_types        = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error = true
  maximum_retry_attempts         = 10
  maximum_record_age_in_seconds  = 3600
  parallelization_factor         = 1 # records of one source_id stay in order at any factor

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.stream_failures.arn
    }
  }

  depends_on = [aws_iam_role_policy.stream_processor] # the mapping checks the role's access
}

resource "aws_cloudwatch_metric_alarm" "stream_lag" {
  alarm_name          = "${local.function_name}-lag-high"
  alarm_description   = "Stream processing is lagging behind"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 60000 # 1 minute, in milliseconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]

  dimensions = {
    FunctionName = aws_lambda_function.stream_processor.function_name
  }
}

# The library's EMF line has no dimensions, so neither has this alarm's metric.
resource "aws_cloudwatch_metric_alarm" "stream_errors" {
  alarm_name          = "${local.function_name}-errors-high"
  alarm_description   = "High error rate in stream processor (records rejected as bad input)"
  namespace           = "SentimentAnalyzer"
  metric_name         = "StreamProcessorErrors"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
}

# Not in the seed: records Lambda gave up on are missing from the dashboard until replayed.
resource "aws_cloudwatch_metric_alarm" "stream_failures" {
  alarm_name          = "${local.function_name}-records-dropped"
  alarm_description   = "Lambda gave up on stream records; replay them from the queue"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]

  dimensions = {
    QueueName = aws_sqs_queue.stream_failures.name
  }
}
