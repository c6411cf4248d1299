"""A sink keyed otherwise than the projection is a configuration mistake, reported before any
record is processed (and at cold start in ``make_handler``), never a rejection of every record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard_projection import (
    BadRecord,
    ConfigurationError,
    DashboardProjection,
    InMemorySink,
    Put,
    StreamRecord,
    WriteOp,
    make_handler,
    process_stream_event,
)
from hypothesis_profile import PROPERTY
from seed import seed_event

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
KEY = ("day_partition", "item_key")
ENVIRON = {"DASHBOARD_TABLE_NAME": "t"}


class BySource:
    """A projection keyed by ``source_id`` alone."""

    key_attributes = ("source_id",)

    def __call__(self, record: StreamRecord, *, now: datetime) -> Sequence[WriteOp]:
        del now
        image = record.new_image or {}
        return [Put({"source_id": image["source_id"]})] if "source_id" in image else []


def test_the_issues_example_is_a_configuration_error_and_nothing_happens() -> None:
    sink = InMemorySink(("pk", "sk"))
    dead: list[BadRecord] = []
    with pytest.raises(ConfigurationError) as caught:
        process_stream_event(seed_event(), sink, now=NOW, metrics=False, dead_letter=dead.append)
    message = str(caught.value)
    assert "pk, sk" in message
    assert "day_partition, item_key" in message
    assert "DashboardProjection" in message
    assert (len(sink), sink.requests, dead) == (0, 0, [])


def test_it_is_raised_even_for_an_empty_batch() -> None:
    with pytest.raises(ConfigurationError):
        process_stream_event({"Records": []}, InMemorySink(("pk",)), now=NOW, metrics=False)


def test_the_order_of_the_key_attributes_matters() -> None:
    with pytest.raises(ConfigurationError, match="partition key first"):
        process_stream_event(seed_event(), InMemorySink(KEY[::-1]), now=NOW, metrics=False)


def test_a_sink_keyed_like_its_projection_is_fine() -> None:
    sink = InMemorySink(BySource.key_attributes)
    response = process_stream_event(
        seed_event(), sink, now=NOW, projection=BySource(), metrics=False
    )
    assert response == {"batchItemFailures": []}
    assert len(sink) == 1
    with pytest.raises(ConfigurationError, match="BySource writes items keyed by source_id"):
        process_stream_event(seed_event(), InMemorySink(KEY), projection=BySource(), metrics=False)


@PROPERTY
@given(
    st.lists(
        st.sampled_from(["pk", "sk", "day_partition", "item_key"]),
        min_size=1,
        max_size=2,
        unique=True,
    ),
    st.booleans(),
)
def test_any_other_key_is_refused_before_the_first_record(
    key: list[str],
    propagate: bool,  # noqa: FBT001 - drawn by Hypothesis
) -> None:
    sink = InMemorySink(key)
    projection = DashboardProjection(propagate_removes=propagate)
    if tuple(key) == KEY:
        process_stream_event(seed_event(), sink, now=NOW, projection=projection, metrics=False)
        assert len(sink) == 4
    else:
        with pytest.raises(ConfigurationError):
            process_stream_event(seed_event(), sink, now=NOW, projection=projection, metrics=False)
        assert len(sink) == 0


def test_make_handler_refuses_it_at_cold_start() -> None:
    with pytest.raises(ConfigurationError, match="the sink's key attributes pk, sk"):
        make_handler(sink=InMemorySink(("pk", "sk")), environ=ENVIRON)
    handler = make_handler(sink=InMemorySink(KEY), environ=ENVIRON)
    assert handler(seed_event(), None) == {"batchItemFailures": []}
