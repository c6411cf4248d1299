"""The whole processor against real local servers, moto and dynalite: HTTP all the way, no mocks.

Each test creates its own dashboard table (``dashboard_table_spec``, GSIs included), runs
``process_stream_event`` with a :class:`DynamoDBSink`, and reads the table back with the
low-level client, comparing it with what an :class:`InMemorySink` holds for the same events.
Throttling comes from :class:`servers.FaultProxy`, an HTTP proxy in front of the real server.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest
from botocore.exceptions import ClientError

from dashboard_projection import (
    BadRecord,
    DashboardProjection,
    DynamoDBSink,
    InMemorySink,
    Put,
    RejectedWriteError,
    StreamRecord,
    WriteOp,
    dashboard_table_spec,
    process_stream_event,
    query_by_day,
    query_by_sentiment,
    query_by_tag,
    query_by_time_range,
)
from dashboard_projection._sentiment._keys import KEY_ATTRIBUTES
from seed import seed_image
from servers import (
    POLL_SECONDS,
    THROTTLE,
    Fault,
    FaultProxy,
    create_view_table,
    fault_proxy,
    make_client,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from mypy_boto3_dynamodb import DynamoDBClient

    from dashboard_projection import BatchResponse, Sink
    from dashboard_projection._types import WireItem

pytestmark = pytest.mark.integration

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
OK: BatchResponse = {"batchItemFailures": []}
#: How long a GSI query may take to show a write: DynamoDB's GSIs are eventually consistent
#: (moto's and dynalite's are updated at once, so there this is never waited for).
GSI_SECONDS = 5.0
Record = dict[str, Any]
Event = dict[str, Any]

# --- the events -------------------------------------------------------------------------------

SEED_ID = "newsapi#bbc-news-ai-regulation-2025-11-16"
CHIPS_ID = "reuters#eu-chips-act-2025-11-16"
THREAD_ID = "hn#ai-act-thread-2025-11-16"
#: The seed contract's example NewImage, verbatim.
SEED: dict[str, Any] = seed_image()
#: 08:05 UTC on the 16th, written with an offset; shares AI with the seed.
CHIPS = {
    **SEED,
    "source_id": {"S": CHIPS_ID},
    "ingested_at": {"S": "2025-11-16T09:05:00.000+01:00"},
    "sentiment": {"S": "positive"},
    "score": {"N": "0.91"},
    "matched_tags": {"SS": ["AI", "chips"]},
}
#: 04:30 UTC on the 17th (the 16th in New York); shares AI and europe with the seed.
THREAD = {
    **SEED,
    "source_id": {"S": THREAD_ID},
    "ingested_at": {"S": "2025-11-16T23:30:00.000-05:00"},
    "score": {"N": "0.40"},
    "matched_tags": {"SS": ["europe", "AI"]},
}


def record(
    name: str, sequence: str, new: Mapping[str, Any], old: Mapping[str, Any] | None
) -> Record:
    """A stream record as Lambda delivers it (the seed's envelope)."""
    return {
        "eventID": sequence,
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1700148000,
            "Keys": {"source_id": new["source_id"], "ingested_at": new["ingested_at"]},
            "NewImage": dict(new),
            "OldImage": None if old is None else dict(old),
            "SequenceNumber": sequence,
            "SizeBytes": 500,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": (
            "arn:aws:dynamodb:us-east-1:123456789012:table/sentiment-items-primary"
            "/stream/2025-11-16T00:00:00.000"
        ),
    }


def event_of(*records: Record) -> Event:
    return {"Records": list(records)}


#: Three INSERTs: 4 + 3 + 3 dashboard items, in this order in the write plan.
THREE = event_of(
    record("INSERT", "111", SEED, None),
    record("INSERT", "222", CHIPS, None),
    record("INSERT", "333", THREAD, None),
)


# --- running and reading ----------------------------------------------------------------------


def run(event: Mapping[str, Any], sink: Sink, **options: Any) -> BatchResponse:
    return process_stream_event(event, sink, now=NOW, metrics=False, **options)


def expected_table(*events: Mapping[str, Any]) -> list[str]:
    """The table the events make, applied in turn, as the in-memory sink holds it."""
    sink = InMemorySink(KEY_ATTRIBUTES)
    for event in events:
        assert run(event, sink) == OK
    return canonical(sink.items())


def canonical(items: Iterable[WireItem]) -> list[str]:
    """Items as sorted JSON, spelled as DynamoDB stores them: set members in any order, and
    numbers normalized (``0.40`` is read back as ``0.4``)."""

    def value(attribute: Mapping[str, Any]) -> Mapping[str, Any]:
        ((tag, payload),) = attribute.items()
        if tag == "N":
            return {tag: format(Decimal(payload).normalize(), "f")}
        return {tag: sorted(payload)} if tag == "SS" else attribute

    return sorted(
        json.dumps({name: value(v) for name, v in item.items()}, sort_keys=True) for item in items
    )


def scan(client: DynamoDBClient, table: str) -> list[str]:
    pages = client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    return canonical(item for page in pages for item in page["Items"])


def source_ids(client: DynamoDBClient, query: dict[str, Any]) -> list[str]:
    """The source ids a query returns, in its order, one page per item (so paging is tested)."""
    if "IndexName" not in query:  # a GSI cannot be read consistently; the table can
        query = {**query, "ConsistentRead": True}
    pages = client.get_paginator("query").paginate(**query, PaginationConfig={"PageSize": 1})
    return [item["source_id"]["S"] for page in pages for item in page["Items"]]


def settled(client: DynamoDBClient, query: dict[str, Any], expected: list[str]) -> list[str]:
    """The query's source ids once they equal ``expected``, or after ``GSI_SECONDS``."""
    give_up = time.monotonic() + GSI_SECONDS
    while (found := source_ids(client, query)) != expected and time.monotonic() < give_up:
        time.sleep(POLL_SECONDS)
    return found


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def client(dynamodb_endpoint: str) -> DynamoDBClient:
    """A client straight to the server (moto, then dynalite)."""
    return make_client(dynamodb_endpoint)


@pytest.fixture
def table(client: DynamoDBClient) -> Iterator[str]:
    """A fresh dashboard table with both GSIs, deleted afterwards."""
    name = create_view_table(client, dashboard_table_spec("dashboard"))
    yield name
    client.delete_table(TableName=name)


@pytest.fixture
def sink(client: DynamoDBClient, table: str) -> DynamoDBSink:
    return DynamoDBSink(table, client=client)


@pytest.fixture
def proxy(dynamodb_endpoint: str) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the server, stopped after the test."""
    with fault_proxy(dynamodb_endpoint) as running:
        yield running


@dataclass
class Throttled:
    """A sink whose client goes through the proxy; its backoffs are recorded, not slept."""

    proxy: FaultProxy
    sink: DynamoDBSink
    sleeps: list[float] = field(default_factory=list)


@pytest.fixture
def throttled(proxy: FaultProxy, table: str) -> Callable[[int], Throttled]:
    def make(max_attempts: int) -> Throttled:
        sleeps: list[float] = []
        client = make_client(proxy.endpoint)
        sink = DynamoDBSink(table, client=client, max_attempts=max_attempts, sleep=sleeps.append)
        return Throttled(proxy, sink, sleeps)

    return make


# --- the seed's example, queried ----------------------------------------------------------------


def test_every_query_returns_each_source_item_once(
    client: DynamoDBClient, table: str, sink: DynamoDBSink
) -> None:
    assert run(THREE, sink) == OK
    assert scan(client, table) == expected_table(THREE)
    on_16th, on_17th = date(2025, 11, 16), date(2025, 11, 17)
    midnight = datetime(2025, 11, 16, tzinfo=UTC)
    consistent = {
        "day 16": (query_by_day(table, on_16th), [CHIPS_ID, SEED_ID]),
        "day 17": (query_by_day(table, on_17th), [THREAD_ID]),
        "14h-15h": (query_by_time_range(table, midnight.replace(hour=14), NOW), [SEED_ID]),
        "whole day": (
            query_by_time_range(table, midnight, datetime(2025, 11, 17, tzinfo=UTC)),
            [CHIPS_ID, SEED_ID],
        ),
    }
    eventual = {
        "AI": (query_by_tag(table, "AI"), [CHIPS_ID, SEED_ID, THREAD_ID]),
        "europe": (query_by_tag(table, "europe"), [SEED_ID, THREAD_ID]),
        "regulation": (query_by_tag(table, "regulation"), [SEED_ID]),
        "sports": (query_by_tag(table, "sports"), []),
        "neutral 16": (query_by_sentiment(table, on_16th, "neutral"), [SEED_ID]),
        "positive >= 0.9": (
            query_by_sentiment(table, on_16th, "positive", Decimal("0.9")),
            [CHIPS_ID],
        ),
        "positive < 0.9": (
            query_by_sentiment(table, on_16th, "positive", max_score=Decimal("0.89")),
            [],
        ),
        "neutral 17 <= 0.5": (
            query_by_sentiment(table, on_17th, "neutral", max_score=Decimal("0.5")),
            [THREAD_ID],
        ),
    }
    found = {name: source_ids(client, query) for name, (query, _) in consistent.items()}
    found |= {name: settled(client, query, ids) for name, (query, ids) in eventual.items()}
    assert found == {name: ids for name, (_, ids) in (consistent | eventual).items()}


# --- replays and updates ----------------------------------------------------------------------


def test_replaying_a_batch_leaves_the_table_as_it_was(
    client: DynamoDBClient, table: str, sink: DynamoDBSink
) -> None:
    assert run(THREE, sink) == OK
    first = scan(client, table)
    assert run(THREE, sink) == OK
    assert scan(client, table) == first == expected_table(THREE)
    assert len(first) == 10


def test_a_modify_that_drops_a_tag_deletes_its_item_and_updates_the_others(
    client: DynamoDBClient, table: str, sink: DynamoDBSink
) -> None:
    insert = event_of(record("INSERT", "111", SEED, None))
    edited = {**SEED, "score": {"N": "0.80"}, "matched_tags": {"SS": ["AI", "europe"]}}
    modify = event_of(record("MODIFY", "222", edited, SEED))
    assert run(insert, sink) == OK
    assert run(modify, sink) == OK
    assert scan(client, table) == expected_table(insert, modify)
    stored = client.scan(TableName=table, ConsistentRead=True)["Items"]
    assert sorted(item.get("tag", {"S": "(base)"})["S"] for item in stored) == [
        "(base)",
        "AI",
        "europe",
    ]
    assert {Decimal(item["score"]["N"]) for item in stored} == {Decimal("0.80")}
    assert {tag for item in stored for tag in item["matched_tags"]["SS"]} == {"AI", "europe"}
    assert settled(client, query_by_tag(table, "regulation"), []) == []
    assert settled(client, query_by_tag(table, "AI"), [SEED_ID]) == [SEED_ID]
    in_range = query_by_sentiment(table, date(2025, 11, 16), "neutral", Decimal("0.8"))
    assert settled(client, in_range, [SEED_ID]) == [SEED_ID]


# --- throttling, through the fault-injecting proxy ----------------------------------------------


def test_a_few_throttles_are_retried_until_the_whole_batch_lands(
    client: DynamoDBClient, table: str, throttled: Callable[[int], Throttled]
) -> None:
    spoiled = throttled(8)
    spoiled.proxy.faults = [THROTTLE, 3, THROTTLE]  # throttled; 3 of 10 bounced; throttled again
    assert run(THREE, spoiled.sink) == OK
    assert (spoiled.proxy.batch_writes, len(spoiled.sleeps)) == (4, 3)
    assert scan(client, table) == expected_table(THREE)


class Outage(NamedTuple):
    """Faults outlasting the retries; the record Lambda must resume from; the items written."""

    faults: list[Fault]
    resume_at: int
    landed: int


@pytest.mark.parametrize(
    "outage",
    [
        pytest.param(Outage([THROTTLE] * 3, 0, 0), id="throttled-every-time"),
        # The last 4 of the 10 items (CHIPS's last, THREAD's 3) are bounced, then throttled.
        pytest.param(Outage([4, THROTTLE, THROTTLE], 1, 6), id="partly-written"),
    ],
)
def test_throttles_past_max_attempts_report_the_earliest_record_not_written(
    client: DynamoDBClient, table: str, throttled: Callable[[int], Throttled], outage: Outage
) -> None:
    spoiled = throttled(3)
    spoiled.proxy.faults = list(outage.faults)
    records = THREE["Records"]
    resume = records[outage.resume_at]["dynamodb"]["SequenceNumber"]
    assert run(THREE, spoiled.sink) == {"batchItemFailures": [{"itemIdentifier": resume}]}
    assert (spoiled.proxy.batch_writes, len(scan(client, table))) == (3, outage.landed)
    # Lambda delivers the batch again from the reported record on; the faults are spent.
    assert run(event_of(*records[outage.resume_at :]), spoiled.sink) == OK
    assert scan(client, table) == expected_table(THREE)


# --- poison items -----------------------------------------------------------------------------


def key_of_the_wrong_type(item: dict[str, Any], position: int) -> dict[str, Any]:
    return {**item, "item_key": {"N": str(position)}}  # the table's sort key is S


def number_out_of_range(item: dict[str, Any], position: int) -> dict[str, Any]:
    del position
    # DynamoDB's largest is 9.99...E+125; the sinks refuse this one before sending it.
    return {**item, "weight": {"N": "1E+200"}}


@dataclass(frozen=True)
class Spoiling:
    """The dashboard projection, except that one source's items come out spoiled."""

    spoil: Callable[[dict[str, Any], int], dict[str, Any]]
    source_id: str
    inner: DashboardProjection = field(default_factory=DashboardProjection)

    @property
    def key_attributes(self) -> tuple[str, ...]:
        return self.inner.key_attributes

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        ops = self.inner(record, now=now)
        if record.keys["source_id"] != {"S": self.source_id}:
            return ops
        return [
            Put(self.spoil(dict(op.item), position)) if isinstance(op, Put) else op
            for position, op in enumerate(ops)
        ]


@pytest.mark.parametrize("spoil", [key_of_the_wrong_type])
def test_items_only_the_server_rejects_are_dead_lettered_and_the_rest_land(
    client: DynamoDBClient,
    table: str,
    sink: DynamoDBSink,
    spoil: Callable[[dict[str, Any], int], dict[str, Any]],
) -> None:
    projection = Spoiling(spoil, CHIPS_ID)
    checked: list[BadRecord] = []  # the in-memory sink applies every check we make
    run(THREE, InMemorySink(KEY_ATTRIBUTES), projection=projection, dead_letter=checked.append)
    assert checked == []
    dead: list[BadRecord] = []
    assert run(THREE, sink, projection=projection, dead_letter=dead.append) == OK
    ((raw, error),) = [(bad.raw, bad.error) for bad in dead]
    assert raw is THREE["Records"][1]
    assert isinstance(error, RejectedWriteError)
    assert not error.retryable
    assert isinstance(error.__cause__, ClientError)  # the server's word, not our pre-checks
    assert "ValidationException" in str(error)
    good = event_of(THREE["Records"][0], THREE["Records"][2])
    assert scan(client, table) == expected_table(good)


def test_an_item_our_checks_refuse_is_dead_lettered_without_being_sent(
    client: DynamoDBClient, table: str, sink: DynamoDBSink
) -> None:
    dead: list[BadRecord] = []
    projection = Spoiling(number_out_of_range, CHIPS_ID)
    assert run(THREE, sink, projection=projection, dead_letter=dead.append) == OK
    ((raw, error),) = [(bad.raw, bad.error) for bad in dead]
    assert raw is THREE["Records"][1]
    assert isinstance(error, RejectedWriteError)
    assert error.__cause__ is None  # refused here, never sent
    assert "outside DynamoDB's number range" in str(error)
    assert scan(client, table) == expected_table(event_of(THREE["Records"][0], THREE["Records"][2]))
