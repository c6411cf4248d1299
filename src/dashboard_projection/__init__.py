r"""Turn DynamoDB Streams records into read-optimized dashboard items.

The data path, one module each: Lambda event → stream records → :class:`PrimaryItem` →
:class:`DashboardItem`\\ s → a write plan (puts and deletes, last write per key wins) → a
:class:`Sink`. Importing this package never imports boto3: only the DynamoDB sink needs it.
"""

from __future__ import annotations

from dashboard_projection._codec import (
    SerializationError,
    deserialize_image,
    deserialize_value,
    serialize_value,
)
from dashboard_projection._errors import (
    ConfigurationError,
    DashboardProjectionError,
    DeserializationError,
    InvalidInputError,
    ItemValidationError,
    RejectedWriteError,
    RetryableWriteError,
    WriteError,
)
from dashboard_projection._handler import make_handler
from dashboard_projection._keys import dashboard_table_spec, ttl_spec
from dashboard_projection._models import DEFAULT_MAX_TAGS, DashboardItem, Metadata, PrimaryItem
from dashboard_projection._plan import Delete, Put, WriteOp
from dashboard_projection._processor import BadRecord, BatchResponse, process_stream_event
from dashboard_projection._projection import (
    DEFAULT_TTL_DAYS,
    combined_key,
    day_partition,
    expires_at,
    fan_out,
    project,
)
from dashboard_projection._queries import (
    query_by_day,
    query_by_sentiment,
    query_by_tag,
    query_by_time_range,
)
from dashboard_projection._records import StreamRecord
from dashboard_projection._serialize import serialize_item
from dashboard_projection._sink import FailedWrite, Sink, WriteResult
from dashboard_projection._sink_dynamodb import DynamoDBSink
from dashboard_projection._sink_memory import InMemorySink
from dashboard_projection._stream_projection import DashboardProjection, Projection

__all__ = [
    "DEFAULT_MAX_TAGS",
    "DEFAULT_TTL_DAYS",
    "BadRecord",
    "BatchResponse",
    "ConfigurationError",
    "DashboardItem",
    "DashboardProjection",
    "DashboardProjectionError",
    "Delete",
    "DeserializationError",
    "DynamoDBSink",
    "FailedWrite",
    "InMemorySink",
    "InvalidInputError",
    "ItemValidationError",
    "Metadata",
    "PrimaryItem",
    "Projection",
    "Put",
    "RejectedWriteError",
    "RetryableWriteError",
    "SerializationError",
    "Sink",
    "StreamRecord",
    "WriteError",
    "WriteOp",
    "WriteResult",
    "combined_key",
    "dashboard_table_spec",
    "day_partition",
    "deserialize_image",
    "deserialize_value",
    "expires_at",
    "fan_out",
    "make_handler",
    "process_stream_event",
    "project",
    "query_by_day",
    "query_by_sentiment",
    "query_by_tag",
    "query_by_time_range",
    "serialize_item",
    "serialize_value",
    "ttl_spec",
]


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata only when asked for."""
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 - lazy: keeps import fast

        return version("dashboard-projection")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
