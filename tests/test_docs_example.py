"""Property-testing your own transform (this file is the example in docs/testing.md).

A team keeps a "latest headline per source type" table beside the dashboard. Its transform is a
pure function of a validated ``PrimaryItem``; Hypothesis checks it against every valid item the
library's strategies can make, and the library's processor and in-memory sink check replays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard_projection import (
    InMemorySink,
    PrimaryItem,
    Put,
    StreamRecord,
    WriteOp,
    process_stream_event,
    serialize_item,
)
from dashboard_projection.testing import primary_items, stream_images

NOW = datetime(2025, 11, 17, tzinfo=UTC)


def headline(item: PrimaryItem) -> dict[str, object]:
    """The transform under test: one item per source type, keyed by it."""
    return {
        "source_type": item.source_type or "unknown",
        "source_id": item.source_id,
        "ingested_at": item.ingested_at,
        "sentiment": item.sentiment,
        "score": item.score,  # a Decimal: DynamoDB takes no floats
    }


class Headlines:
    """The transform as a ``Projection``, so the library's processor and sinks can run it."""

    key_attributes = ("source_type",)

    def __call__(self, record: StreamRecord, *, now: datetime) -> Sequence[WriteOp]:
        del now  # no TTL in this table
        if record.event_name == "REMOVE" or record.new_image is None:
            return []
        return [Put(serialize_item(headline(PrimaryItem.from_image(record.new_image))))]


@given(primary_items())
def test_every_valid_item_gives_a_writable_headline(item: PrimaryItem) -> None:
    wire = serialize_item(headline(item))  # raises on a float, NaN or an empty set
    assert wire["source_id"] == {"S": item.source_id}


@settings(max_examples=50)
@given(st.lists(stream_images(), min_size=1, max_size=5))
def test_replaying_a_batch_changes_nothing(images: list[dict[str, object]]) -> None:
    event = {
        "Records": [
            {
                "eventID": str(number),
                "eventName": "INSERT",
                "dynamodb": {"NewImage": image, "SequenceNumber": str(100 + number)},
            }
            for number, image in enumerate(images)
        ]
    }
    once, twice = InMemorySink(Headlines.key_attributes), InMemorySink(Headlines.key_attributes)
    for sink, deliveries in ((once, 1), (twice, 2)):
        for _ in range(deliveries):
            response = process_stream_event(
                event, sink, now=NOW, projection=Headlines(), metrics=False
            )
            assert response == {"batchItemFailures": []}
    assert once.items() == twice.items()
