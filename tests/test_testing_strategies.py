"""The stream strategies of ``dashboard_projection.testing`` keep their promises.

``stream_records``: full Lambda envelopes, sequence numbers strictly increasing, images that
follow a simulated primary table (each MODIFY's and REMOVE's ``OldImage`` is the item's previous
``NewImage``), TTL deletions marked as such, and bad records that ``process_stream_event`` really
rejects, every one of them and nothing else. ``stream_events``: batches that concatenate back to
the stream, redeliveries that are equal copies of the event before them.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import dashboard_projection.testing
from dashboard_projection import (
    DEFAULT_MAX_TAGS,
    BadRecord,
    DashboardProjection,
    InMemorySink,
    InvalidInputError,
    PrimaryItem,
    StreamRecord,
    process_stream_event,
)
from dashboard_projection.testing import stream_events, stream_records
from dashboard_projection.testing._malformed import _MALFORMATION_KINDS
from dashboard_projection.testing._table import record as _record

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
KEY = ("day_partition", "item_key")
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
ENVELOPE = {
    "eventID",
    "eventName",
    "eventVersion",
    "eventSource",
    "awsRegion",
    "dynamodb",
    "eventSourceARN",
}
BODY = {"ApproximateCreationDateTime", "Keys", "SequenceNumber", "SizeBytes", "StreamViewType"}
IMAGES = {"INSERT": {"NewImage"}, "MODIFY": {"NewImage", "OldImage"}, "REMOVE": {"OldImage"}}
BAD_EVENTS = sorted((Path(__file__).parent / "data" / "bad_events").glob("*.json"))

Record = dict[str, Any]
#: Drawing a stream costs about 10 ms; these properties are simple, 30 examples cover them.
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: One stream per example, for a test that draws both the stream and the events cut from it.
STREAM = st.shared(stream_records(bad=True), key="stream")


def is_bad(record: Record) -> bool:
    return str(record["eventID"]).startswith("bad-")


def key_of(record: Record) -> str:
    return json.dumps(record["dynamodb"]["Keys"], sort_keys=True)


def process(records: list[Record], sink: InMemorySink, **options: Any) -> list[BadRecord]:
    """Process one event of ``records``; return what was dead-lettered (no batch may fail)."""
    dead: list[BadRecord] = []
    response = process_stream_event(
        {"Records": records}, sink, now=NOW, metrics=False, dead_letter=dead.append, **options
    )
    assert response == {"batchItemFailures": []}
    return dead


# --- stream_records ---------------------------------------------------------------------------


@PROPERTY
@given(stream_records(bad=True))
def test_records_are_lambdas_own_in_stream_order(records: list[Record]) -> None:
    bodies = [record["dynamodb"] for record in records if isinstance(record.get("dynamodb"), dict)]
    sequences = [body["SequenceNumber"] for body in bodies if "SequenceNumber" in body]
    assert all(re.fullmatch("[1-9][0-9]*", sequence) for sequence in sequences)
    numbers = [int(sequence) for sequence in sequences]
    assert all(earlier < later for earlier, later in itertools.pairwise(numbers))
    times = [body["ApproximateCreationDateTime"] for body in bodies]
    assert times == sorted(times)
    for record in filter(lambda record: not is_bad(record), records):
        identity = {"userIdentity"} if "userIdentity" in record else set()
        assert set(record) == ENVELOPE | identity
        assert re.fullmatch("[0-9a-f]{32}", record["eventID"])
        assert record["eventVersion"] == "1.1"
        assert record["eventSource"] == "aws:dynamodb"
        assert record["eventSourceARN"].startswith(f"arn:aws:dynamodb:{record['awsRegion']}:")
        body = record["dynamodb"]
        assert set(body) == BODY | IMAGES[record["eventName"]]
        assert body["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert isinstance(body["SizeBytes"], int)
        assert body["SizeBytes"] > 0
        image = body.get("NewImage", body.get("OldImage"))
        assert body["Keys"] == {name: image[name] for name in ("source_id", "ingested_at")}
        parsed = StreamRecord.from_lambda_record(record)
        assert parsed.event_name == record["eventName"]
        assert parsed.sequence_number == body["SequenceNumber"]
        # TTL deletions: REMOVEs by DynamoDB's own service, which the processor recognizes.
        assert parsed.is_ttl_delete == bool(identity)
        if identity:
            assert record["eventName"] == "REMOVE"
            assert record["userIdentity"] == TTL_IDENTITY
    # No two records share a dict or a list: mutating one record (a handler may) changes no other.
    seen: dict[int, int] = {}

    def walk(value: object, owner: int) -> None:
        if isinstance(value, dict | list):
            assert seen.setdefault(id(value), owner) == owner
            for child in value.values() if isinstance(value, dict) else value:
                walk(child, owner)

    for number, record in enumerate(records):
        walk(record, number)


@PROPERTY
@given(stream_records(bad=True, sources=2, statuses=("analyzed", "pending", "queued"), max_tags=2))
def test_images_follow_the_simulated_primary_table(records: list[Record]) -> None:
    table: dict[str, dict[str, Any]] = {}  # key -> the item's latest good image
    for record in records:
        body: Any = record.get("dynamodb")
        if is_bad(record):  # out of band: the table does not change
            if isinstance(body, dict) and "OldImage" in body:
                assert body["OldImage"] == table[key_of(record)]
            elif isinstance(body, dict):
                assert key_of(record) not in table
            continue
        key, name = key_of(record), record["eventName"]
        if name == "INSERT":
            assert key not in table
        else:
            assert body["OldImage"] == table[key], f"{name}'s OldImage is not the current item"
        if name == "REMOVE":
            del table[key]
        else:
            table[key] = body["NewImage"]
            item = PrimaryItem.from_image(body["NewImage"], max_tags=2)
            assert item.status in {"analyzed", "pending", "queued"}
    assert len({key_of(record) for record in records if not is_bad(record)}) <= 2


@PROPERTY
@given(stream_records(bad=True), st.booleans())
def test_bad_records_and_only_they_are_dead_lettered(
    records: list[Record],
    propagate_removes: bool,  # noqa: FBT001 - drawn by Hypothesis
) -> None:
    projection = DashboardProjection(propagate_removes=propagate_removes)
    for record in records:
        dead = process([record], InMemorySink(KEY), projection=projection)
        assert len(dead) == is_bad(record), (record["eventID"], [str(d.error) for d in dead])
        assert all(isinstance(bad.error, InvalidInputError) for bad in dead)
    # In one event too: the bad ones, in order, and nothing else.
    dead = process(records, InMemorySink(KEY), projection=projection)
    assert [bad.raw for bad in dead] == [record for record in records if is_bad(record)]


@PROPERTY
@given(stream_records(ttl_deletes=False))
def test_by_default_no_record_is_bad_and_without_ttl_deletes_none_is_one(
    records: list[Record],
) -> None:
    assert not any(map(is_bad, records))
    assert not any("userIdentity" in record for record in records)
    assert process(records, InMemorySink(KEY)) == []


@pytest.mark.parametrize(
    ("kind", "malform"), _MALFORMATION_KINDS, ids=[k for k, _ in _MALFORMATION_KINDS]
)
@pytest.mark.parametrize("max_tags", [0, 3, DEFAULT_MAX_TAGS])
def test_every_malformation_is_rejected_and_writes_nothing(
    kind: str, malform: Any, max_tags: int
) -> None:
    """Each kind, whether or not a run of Hypothesis happens to draw it."""
    image: dict[str, dict[str, Any]] = {
        "source_id": {"S": "newsapi#x"},
        "ingested_at": {"S": "2025-11-16T14:30:15Z"},
        "sentiment": {"S": "neutral"},
        "score": {"N": "0.72"},
        "status": {"S": "analyzed"},
        "matched_tags": {"SS": ["AI", "europe", "tech"][:max_tags]},
    }
    if not max_tags:
        del image["matched_tags"]
    keys = {name: image[name] for name in ("source_id", "ingested_at")}
    record = _record("MODIFY", 42, 1763303415, keys, new=image, old=copy.deepcopy(image))
    projection = DashboardProjection(max_tags=max_tags, propagate_removes=True)
    assert process([copy.deepcopy(record)], InMemorySink(KEY), projection=projection) == []
    malform(record, max_tags)
    sink = InMemorySink(KEY)
    (bad,) = process([record], sink, projection=projection)
    assert bad.raw is record, kind
    # No put; a rejected MODIFY may still delete its old image's items (the error's cleanup).
    assert len(sink) == 0


def test_the_malformations_cover_the_corpus_of_bad_events() -> None:
    kinds = {kind for kind, _ in _MALFORMATION_KINDS}
    assert len(kinds) == len(_MALFORMATION_KINDS)
    assert {path.stem for path in BAD_EVENTS} <= kinds


def test_streams_reach_the_interesting_cases() -> None:
    """Each case a test of a projection needs, found in the default strategies' space."""

    def tags(record: Record, image: str) -> set[str]:
        return set(record["dynamodb"].get(image, {}).get("matched_tags", {}).get("SS", []))

    def status(record: Record, image: str) -> str | None:
        value = record["dynamodb"].get(image, {}).get("status", {})
        return value.get("S") if isinstance(value, dict) else None

    def re_insert(records: list[Record]) -> bool:
        removed = set()
        for record in records:
            if record["eventName"] == "REMOVE":
                removed.add(key_of(record))
            elif record["eventName"] == "INSERT" and key_of(record) in removed:
                return True
        return False

    cases = {
        "a MODIFY adds one tag and drops another": lambda records: any(
            tags(r, "NewImage") - tags(r, "OldImage") and tags(r, "OldImage") - tags(r, "NewImage")
            for r in records
            if r["eventName"] == "MODIFY"
        ),
        "a MODIFY from analyzed to pending": lambda records: any(
            status(r, "OldImage") == "analyzed" and status(r, "NewImage") == "pending"
            for r in records
            if r["eventName"] == "MODIFY"
        ),
        "a TTL delete": lambda records: any("userIdentity" in r for r in records),
        "a user's REMOVE": lambda records: any(
            r["eventName"] == "REMOVE" and "userIdentity" not in r for r in records
        ),
        "a removed item inserted again": re_insert,
    }
    seen = explore(stream_records(), lambda records: {c for c, p in cases.items() if p(records)})
    assert seen == set(cases)


def explore(strategy: st.SearchStrategy[Any], cases_in: Any) -> set[str]:
    """The cases 30 examples reach (10 do), always the same 30, and no shrinking: nothing fails."""
    seen: set[str] = set()

    @settings(max_examples=30, database=None, derandomize=True, phases=[Phase.generate])
    @given(strategy)
    def look(example: Any) -> None:
        seen.update(cases_in(example))

    look()
    return seen


# --- stream_events ----------------------------------------------------------------------------


@PROPERTY
@given(records=STREAM, events=stream_events(records=STREAM, max_batch=4))
def test_batches_concatenate_back_to_the_stream(
    records: list[Record], events: list[dict[str, Any]]
) -> None:
    delivered: list[Record] = []
    for number, event in enumerate(events):
        assert set(event) == {"Records"}
        assert 1 <= len(event["Records"]) <= 4
        if number and event == events[number - 1]:  # a redelivery: an equal copy
            previous = events[number - 1]["Records"]
            assert all(a is not b for a, b in zip(event["Records"], previous, strict=True))
            assert number < 2 or events[number - 2] != event  # delivered twice, not thrice
        else:
            delivered += event["Records"]
    assert delivered == records
    assert all(a is b for a, b in zip(delivered, records, strict=True))


@PROPERTY
@given(records=STREAM, events=stream_events(records=STREAM, redeliveries=False))
def test_without_redeliveries_the_events_are_the_stream_cut(
    records: list[Record], events: list[dict[str, Any]]
) -> None:
    assert [record for event in events for record in event["Records"]] == records
    assert all(1 <= len(event["Records"]) <= 10 for event in events)


def test_redeliveries_happen() -> None:
    def redelivered(events: list[dict[str, Any]]) -> set[str]:
        return {"redelivered"} if any(a == b for a, b in itertools.pairwise(events)) else set()

    assert explore(stream_events(), redelivered) == {"redelivered"}


# --- the public surface -----------------------------------------------------------------------


def test_the_module_docstrings_examples_run() -> None:
    """The examples in ``dashboard_projection.testing``'s docstring, run (with few examples)."""
    doc = dashboard_projection.testing.__doc__
    assert doc is not None
    blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", doc)
    assert len(blocks) == 2
    namespace: dict[str, Any] = {}
    for block in blocks:  # the second example uses the first one's imports
        exec("\n".join(line.removeprefix("    ") for line in block.splitlines()), namespace)  # noqa: S102
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert len(tests) == 2
    for test in tests:
        settings(max_examples=10, database=None)(test)()


@pytest.mark.parametrize(
    "make",
    [
        lambda: stream_records(sources=0),
        lambda: stream_records(sources=True),
        lambda: stream_records(max_records=0),
        lambda: stream_records(max_tags=-1),
        lambda: stream_records(statuses=()),
        lambda: stream_records(statuses="analyzed"),
        lambda: stream_events(max_batch=0),
        lambda: stream_events(max_batch=2.5),  # type: ignore[arg-type]
    ],
    ids=[
        "no sources",
        "sources a bool",
        "no records",
        "negative tag cap",
        "no statuses",
        "statuses a string",
        "empty batches",
        "batch size a float",
    ],
)
def test_stream_strategies_reject_bad_options(make: Any) -> None:
    with pytest.raises(InvalidArgument):
        make()
