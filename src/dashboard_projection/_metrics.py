"""CloudWatch metrics as Embedded Metric Format: one JSON line on stdout, no API call.

The seed called ``PutMetricData`` on every invocation: an extra network round trip, a throttled
API, and an IAM permission. Lambda ships stdout to CloudWatch Logs, which extracts EMF metrics.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TextIO

NAMESPACE = "SentimentAnalyzer"


def emit_metrics(
    *,
    success: int,
    errors: int,
    batch_size: int,
    stream: TextIO | None = None,
    namespace: str = NAMESPACE,
) -> None:
    """Print the processor's three counters as one EMF document."""
    values = {
        "StreamProcessorSuccess": success,
        "StreamProcessorErrors": errors,
        "StreamProcessorBatchSize": batch_size,
    }
    document = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [[]],
                    "Metrics": [{"Name": name, "Unit": "Count"} for name in values],
                }
            ],
        },
        **values,
    }
    print(json.dumps(document, separators=(",", ":")), file=stream or sys.stdout)
