"""The public surface: ``__all__`` pinned, every name importable, ``__version__`` from metadata."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version

import pytest
from hypothesis.errors import InvalidArgument

import dashboard_projection
import dashboard_projection.testing

PUBLIC = [
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


def isort_order(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions, each alphabetical: ruff's RUF022 order."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name


def test_all_is_pinned_and_sorted() -> None:
    assert dashboard_projection.__all__ == PUBLIC
    assert sorted(PUBLIC, key=isort_order) == PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(dashboard_projection, name)
    assert value is not None
    namespace: dict[str, object] = {}
    exec(f"from dashboard_projection import {name}", namespace)  # noqa: S102 - a fixed name
    assert namespace[name] is value


def test_dir_lists_the_public_names() -> None:
    assert set(PUBLIC) <= set(dir(dashboard_projection))


def test_testing_module_exports_its_strategies() -> None:
    assert dashboard_projection.testing.__all__ == [
        "attribute_values",
        "check_view_laws",
        "primary_items",
        "stream_events",
        "stream_images",
        "stream_records",
        "view_laws",
    ]
    for name in dashboard_projection.testing.__all__:
        assert callable(getattr(dashboard_projection.testing, name))


def test_version_comes_from_the_installed_metadata() -> None:
    assert dashboard_projection.__version__ == version("dashboard-projection")
    assert dashboard_projection.__version__.count(".") >= 2


def test_unknown_attributes_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = dashboard_projection.no_such_name


@pytest.mark.parametrize(
    "make",
    [
        lambda: dashboard_projection.testing.attribute_values(max_depth=-1),
        lambda: dashboard_projection.testing.primary_items(max_tags=-1),
        lambda: dashboard_projection.testing.primary_items(statuses=()),
        lambda: dashboard_projection.testing.primary_items(statuses="analyzed"),
    ],
    ids=["negative depth", "negative tag cap", "no statuses", "statuses a string"],
)
def test_strategies_reject_bad_options(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidArgument):
        make()
