"""The stream processor's Lambda handler: ``handler.lambda_handler`` in the SAM and Terraform files.

``make_handler()`` runs once per execution environment, at cold start. It reads
``DASHBOARD_TABLE_NAME``, ``COUNTERS_TABLE_NAME``, ``TTL_DAYS`` and ``LOG_LEVEL`` and fails the
first invocation loudly on a bad setting, instead of every record quietly. It also makes the
boto3 DynamoDB clients, which warm invocations then reuse. boto3 finds its region and
credentials in the environment Lambda sets up.
"""

from dashboard_projection import make_handler, sentiment_counters

# The dashboard, and its per-day counters (items per day, per sentiment, per tag), kept
# exactly once per record in COUNTERS_TABLE_NAME.
lambda_handler = make_handler(counters=sentiment_counters())
