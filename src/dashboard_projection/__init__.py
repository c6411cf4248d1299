r"""Turn DynamoDB Streams records into read-optimized dashboard items.

The data path, one module each: Lambda event → stream records → the user's model (declared in
a :class:`DashboardView`) → dashboard items → a write plan (puts and deletes, last write per key
wins) → a :class:`Sink`. The sentiment dashboard of the seed is one such view:
:func:`sentiment_view`.

Importing this package is cheap: names load on first use (as pydantic's do), the stream path
builds no pydantic model unless a record needs one, and only the DynamoDB sink imports boto3,
when it makes its own client.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashboard_projection._counters._declaration import Counters
    from dashboard_projection._counters._reader import CounterTotal
    from dashboard_projection._counters._recount import Drift, Recount, recount, repair
    from dashboard_projection._counters._writer import CounterWriter
    from dashboard_projection._engine._codec import deserialize_image, deserialize_value
    from dashboard_projection._engine._encode import serialize_value
    from dashboard_projection._engine._handler import make_handler
    from dashboard_projection._engine._metrics import Metrics
    from dashboard_projection._engine._outcome import BadRecord, BatchResponse
    from dashboard_projection._engine._plan import Delete, Put, WriteOp
    from dashboard_projection._engine._processor import process_stream_event
    from dashboard_projection._engine._projection import Projection
    from dashboard_projection._engine._records import StreamRecord
    from dashboard_projection._engine._serialize import serialize_item
    from dashboard_projection._engine._sink import FailedWrite, Sink, WriteResult
    from dashboard_projection._engine._sink_dynamodb import DynamoDBSink
    from dashboard_projection._engine._sink_memory import InMemorySink
    from dashboard_projection._errors import (
        ConfigurationError,
        DashboardProjectionError,
        DeserializationError,
        InvalidInputError,
        ItemValidationError,
        RejectedWriteError,
        RetryableWriteError,
        SerializationError,
        WriteError,
    )
    from dashboard_projection._sentiment._counters import sentiment_counters
    from dashboard_projection._sentiment._keys import dashboard_table_spec
    from dashboard_projection._sentiment._models import DashboardItem, Metadata, PrimaryItem
    from dashboard_projection._sentiment._projection import DashboardProjection, project
    from dashboard_projection._sentiment._queries import (
        query_by_day,
        query_by_sentiment,
        query_by_tag,
        query_by_time_range,
    )
    from dashboard_projection._sentiment._view import sentiment_view
    from dashboard_projection._view._declaration import DashboardView
    from dashboard_projection._view._fan_out import fan_out
    from dashboard_projection._view._parts import CombinedKey, FanOut, ShownWhen
    from dashboard_projection._view._rules import (
        DEFAULT_MAX_TAGS,
        DEFAULT_TTL_DAYS,
        combined_key,
        day_partition,
        expires_at,
    )
    from dashboard_projection._view._table import ttl_spec

_MODULE_OF = {
    "CounterTotal": "dashboard_projection._counters._reader",
    "CounterWriter": "dashboard_projection._counters._writer",
    "Counters": "dashboard_projection._counters._declaration",
    "Drift": "dashboard_projection._counters._recount",
    "Recount": "dashboard_projection._counters._recount",
    "recount": "dashboard_projection._counters._recount",
    "repair": "dashboard_projection._counters._recount",
    "sentiment_counters": "dashboard_projection._sentiment._counters",
    "BadRecord": "dashboard_projection._engine._outcome",
    "BatchResponse": "dashboard_projection._engine._outcome",
    "CombinedKey": "dashboard_projection._view._parts",
    "DashboardView": "dashboard_projection._view._declaration",
    "FanOut": "dashboard_projection._view._parts",
    "ShownWhen": "dashboard_projection._view._parts",
    "sentiment_view": "dashboard_projection._sentiment._view",
    "ConfigurationError": "dashboard_projection._errors",
    "DEFAULT_MAX_TAGS": "dashboard_projection._view._rules",
    "DEFAULT_TTL_DAYS": "dashboard_projection._view._rules",
    "DashboardItem": "dashboard_projection._sentiment._models",
    "DashboardProjection": "dashboard_projection._sentiment._projection",
    "DashboardProjectionError": "dashboard_projection._errors",
    "Delete": "dashboard_projection._engine._plan",
    "DeserializationError": "dashboard_projection._errors",
    "DynamoDBSink": "dashboard_projection._engine._sink_dynamodb",
    "FailedWrite": "dashboard_projection._engine._sink",
    "InMemorySink": "dashboard_projection._engine._sink_memory",
    "InvalidInputError": "dashboard_projection._errors",
    "ItemValidationError": "dashboard_projection._errors",
    "Metadata": "dashboard_projection._sentiment._models",
    "Metrics": "dashboard_projection._engine._metrics",
    "PrimaryItem": "dashboard_projection._sentiment._models",
    "Projection": "dashboard_projection._engine._projection",
    "Put": "dashboard_projection._engine._plan",
    "RejectedWriteError": "dashboard_projection._errors",
    "RetryableWriteError": "dashboard_projection._errors",
    "SerializationError": "dashboard_projection._errors",
    "Sink": "dashboard_projection._engine._sink",
    "StreamRecord": "dashboard_projection._engine._records",
    "WriteError": "dashboard_projection._errors",
    "WriteOp": "dashboard_projection._engine._plan",
    "WriteResult": "dashboard_projection._engine._sink",
    "combined_key": "dashboard_projection._view._rules",
    "dashboard_table_spec": "dashboard_projection._sentiment._keys",
    "day_partition": "dashboard_projection._view._rules",
    "deserialize_image": "dashboard_projection._engine._codec",
    "deserialize_value": "dashboard_projection._engine._codec",
    "expires_at": "dashboard_projection._view._rules",
    "fan_out": "dashboard_projection._view._fan_out",
    "make_handler": "dashboard_projection._engine._handler",
    "process_stream_event": "dashboard_projection._engine._processor",
    "project": "dashboard_projection._sentiment._projection",
    "query_by_day": "dashboard_projection._sentiment._queries",
    "query_by_sentiment": "dashboard_projection._sentiment._queries",
    "query_by_tag": "dashboard_projection._sentiment._queries",
    "query_by_time_range": "dashboard_projection._sentiment._queries",
    "serialize_item": "dashboard_projection._engine._serialize",
    "serialize_value": "dashboard_projection._engine._encode",
    "ttl_spec": "dashboard_projection._view._table",
}

__all__ = [
    "DEFAULT_MAX_TAGS",
    "DEFAULT_TTL_DAYS",
    "BadRecord",
    "BatchResponse",
    "CombinedKey",
    "ConfigurationError",
    "CounterTotal",
    "CounterWriter",
    "Counters",
    "DashboardItem",
    "DashboardProjection",
    "DashboardProjectionError",
    "DashboardView",
    "Delete",
    "DeserializationError",
    "Drift",
    "DynamoDBSink",
    "FailedWrite",
    "FanOut",
    "InMemorySink",
    "InvalidInputError",
    "ItemValidationError",
    "Metadata",
    "Metrics",
    "PrimaryItem",
    "Projection",
    "Put",
    "Recount",
    "RejectedWriteError",
    "RetryableWriteError",
    "SerializationError",
    "ShownWhen",
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
    "recount",
    "repair",
    "sentiment_counters",
    "sentiment_view",
    "serialize_item",
    "serialize_value",
    "ttl_spec",
]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the named attribute is
    """Load a public name from its module on first use; ``__version__`` from the metadata."""
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 - lazy: keeps import fast

        return version("dashboard-projection")
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    """The public names, for tab completion."""
    return sorted([*__all__, "__version__"])
