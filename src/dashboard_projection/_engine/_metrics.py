"""CloudWatch metrics as Embedded Metric Format: one JSON line on stdout, no API call.

The seed called ``PutMetricData`` on every invocation: an extra network round trip, a throttled
API, and an IAM permission. Lambda ships stdout to CloudWatch Logs, which extracts EMF metrics.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

from dashboard_projection._errors import ConfigurationError

NAMESPACE = "SentimentAnalyzer"
# CloudWatch's limits on a metric's dimensions (CloudWatch docs, "Dimensions").
_MAX_DIMENSIONS = 30
_MAX_DIMENSION_CHARS = 1024


@dataclass(frozen=True, slots=True)
class Metrics:
    """Where the processor's counters go: a CloudWatch namespace and dimensions.

    Two deployments in one account (two views, two stages) keep their counters apart with a
    namespace or a dimension of their own, e.g. ``Metrics("Orders", {"Stage": "prod"})``.

    Attributes:
        namespace: The CloudWatch namespace; the seed's ``SentimentAnalyzer`` by default.
        dimensions: Dimension name to value, at most 30, each at most 1,024 characters.

    Raises:
        ConfigurationError: An empty namespace, or dimensions CloudWatch would refuse.
    """

    namespace: str = NAMESPACE
    dimensions: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check the settings at cold start."""
        if not isinstance(self.namespace, str) or not self.namespace.strip():
            raise ConfigurationError(
                f"a metrics namespace must be non-empty, got {self.namespace!r}"
            )
        pairs = list(self.dimensions.items())
        if len(pairs) > _MAX_DIMENSIONS or not all(
            isinstance(part, str) and 0 < len(part) <= _MAX_DIMENSION_CHARS
            for pair in pairs
            for part in pair
        ):
            raise ConfigurationError(
                f"metric dimensions must be at most {_MAX_DIMENSIONS} non-empty strings of at "
                f"most {_MAX_DIMENSION_CHARS} characters, got {dict(self.dimensions)!r}"
            )


def emit_metrics(
    *,
    success: int,
    errors: int,
    batch_size: int,
    stream: TextIO | None = None,
    metrics: Metrics | None = None,
) -> None:
    """Print the processor's three counters as one EMF document."""
    settings = metrics or Metrics()
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
                    "Namespace": settings.namespace,
                    "Dimensions": [list(settings.dimensions)],
                    "Metrics": [{"Name": name, "Unit": "Count"} for name in values],
                }
            ],
        },
        **settings.dimensions,
        **values,
    }
    print(json.dumps(document, separators=(",", ":")), file=stream or sys.stdout)
