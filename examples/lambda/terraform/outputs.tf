output "function_name" {
  value = aws_lambda_function.stream_processor.function_name
}

output "dashboard_table_name" {
  value = aws_dynamodb_table.dashboard.name
}

output "counters_table_name" {
  value = aws_dynamodb_table.counters.name
}

output "primary_table_stream_arn" {
  value = local.primary_stream_arn
}

output "stream_failure_queue_url" {
  value = aws_sqs_queue.stream_failures.url
}

output "alerts_topic_arn" {
  value = aws_sns_topic.alerts.arn
}
