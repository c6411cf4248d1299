"""The stream-batch processor: one plan per batch, bad input skipped, retryable failures reported.

Every test builds Lambda events by hand (DynamoDB JSON, as the stream delivers it), or draws them
from ``dashboard_projection.testing`` (the fault-injection property), and checks the table an
:class:`InMemorySink` ends up holding, and the partial batch response.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dashboard_projection import (
    BadRecord,
    DashboardProjection,
    Delete,
    DeserializationError,
    FailedWrite,
    InMemorySink,
    InvalidInputError,
    ItemValidationError,
    Put,
    RejectedWriteError,
    RetryableWriteError,
    StreamRecord,
    WriteOp,
    WriteResult,
    process_stream_event,
)
from dashboard_projection.testing import stream_events, stream_records

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from dashboard_projection._types import WireItem

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
KEY = ("day_partition", "item_key")
SEED_SOURCE_ID = "newsapi#bbc-news-ai-regulation-2025-11-16"
SEED_INGESTED_AT = "2025-11-16T14:30:15.000Z"
Record = dict[str, Any]
Event = dict[str, Any]


# --- building events --------------------------------------------------------------------------


def image(  # noqa: PLR0913 - one keyword per attribute a test may want to vary
    *,
    source_id: str = SEED_SOURCE_ID,
    ingested_at: str = SEED_INGESTED_AT,
    tags: Iterable[str] = ("AI", "regulation", "europe"),
    status: str = "analyzed",
    sentiment: str = "neutral",
    score: str = "0.72",
) -> dict[str, Any]:
    """A primary item's image in DynamoDB JSON, shaped like the seed's example."""
    result: dict[str, Any] = {
        "source_id": {"S": source_id},
        "ingested_at": {"S": ingested_at},
        "source_type": {"S": "newsapi"},
        "source_url": {"S": "https://www.bbc.com/news/technology-12345678"},
        "text_snippet": {"S": "European Union announces sweeping AI regulation..."},
        "sentiment": {"S": sentiment},
        "score": {"N": score},
        "model_version": {"S": "v1.0.0"},
        "status": {"S": status},
        "metadata": {
            "M": {
                "author": {"S": "Jane Smith"},
                "title": {"S": "EU Announces AI Regulation Framework"},
                "published_at": {"S": "2025-11-16T10:00:00Z"},
                "source_name": {"S": "BBC News"},
            }
        },
    }
    tag_list = list(tags)
    if tag_list:
        result["matched_tags"] = {"SS": tag_list}
    return result


def stream_record(
    name: str,
    sequence: str,
    *,
    new: Mapping[str, Any] | None = None,
    old: Mapping[str, Any] | None = None,
    user_identity: Mapping[str, str] | None = None,
) -> Record:
    """A stream record; ``Keys`` come from whichever image there is."""
    source = new if new is not None else old
    assert source is not None
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": 1763303415,
        "Keys": {"source_id": source["source_id"], "ingested_at": source["ingested_at"]},
        "SequenceNumber": sequence,
        "SizeBytes": 500,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        body["NewImage"] = dict(new)
    if old is not None:
        body["OldImage"] = dict(old)
    record: Record = {
        "eventID": f"event-{sequence}",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": body,
        "eventSourceARN": (
            "arn:aws:dynamodb:us-east-1:123456789012:table/sentiment-items-primary"
            "/stream/2025-11-16T00:00:00.000"
        ),
    }
    if user_identity is not None:
        record["userIdentity"] = dict(user_identity)
    return record


def event_of(*records: Record) -> Event:
    return {"Records": list(records)}


def seed_event() -> Event:
    """The seed contract's example, verbatim: one INSERT with three tags, ``OldImage: null``."""
    record = stream_record("INSERT", "111", new=image())
    record["dynamodb"]["OldImage"] = None
    record["eventID"] = "1"
    return event_of(record)


def process(event: Mapping[str, Any], sink: Any, **options: Any) -> dict[str, Any]:
    """``process_stream_event`` with the fixed clock and no metrics unless asked for."""
    options.setdefault("now", NOW)
    options.setdefault("metrics", False)
    return dict(process_stream_event(event, sink, **options))


def table(sink: InMemorySink) -> dict[str, WireItem]:
    """The sink's items by sort key (every test here writes one day)."""
    return {item["item_key"]["S"]: item for item in sink.items()}


def tags_in(sink: InMemorySink) -> set[str]:
    return {item["tag"]["S"] for item in sink.items() if "tag" in item}


def base_items(sink: InMemorySink) -> list[WireItem]:
    return [item for item in sink.items() if item["item_key"]["S"].startswith("base#")]


def snapshot(sink: InMemorySink) -> list[str]:
    """The table, order-free and comparable: every item as canonical JSON, sorted."""
    return sorted(json.dumps(item, sort_keys=True) for item in sink.items())


# --- sinks that misbehave on purpose ----------------------------------------------------------


@dataclass
class FlakySink:
    """Wraps an :class:`InMemorySink`; on each call, the ops at ``failing[call]`` do not land.

    ``failing`` maps a call number (0 for the first ``write``) to the positions whose operations
    are reported failed with ``make_error`` instead of being applied; ``raising`` lists call
    numbers on which ``write`` raises, before applying anything or (``apply_before_raising``)
    after applying everything; on the calls in ``failing_deletes`` every delete fails.
    """

    inner: InMemorySink
    failing: dict[int, set[int]] = field(default_factory=dict)
    raising: set[int] = field(default_factory=set)
    failing_deletes: set[int] = field(default_factory=set)
    apply_before_raising: bool = False
    make_error: Callable[[int], RetryableWriteError | RejectedWriteError] = field(
        default=lambda position: RetryableWriteError(f"throttled op {position}")
    )
    calls: int = 0
    deadlines: list[float | None] = field(default_factory=list)

    @property
    def key_attributes(self) -> tuple[str, ...]:
        return self.inner.key_attributes

    def write(self, ops: Sequence[WriteOp], *, deadline: float | None = None) -> WriteResult:
        call = self.calls
        self.calls += 1
        self.deadlines.append(deadline)
        if call in self.raising:
            if self.apply_before_raising:  # a timeout after the writes landed
                self.inner.write(ops, deadline=deadline)
            raise ConnectionError("connection reset by peer")
        failing = set(self.failing.get(call, set()))
        if call in self.failing_deletes:
            failing |= {position for position, op in enumerate(ops) if isinstance(op, Delete)}
        kept = [position for position in range(len(ops)) if position not in failing]
        result = self.inner.write([ops[position] for position in kept], deadline=deadline)
        failed = [FailedWrite(kept[f.index], f.error) for f in result.failed]
        failed += [
            FailedWrite(position, self.make_error(position))
            for position in sorted(failing)
            if position < len(ops)
        ]
        return WriteResult(failed=tuple(sorted(failed, key=lambda f: f.index)))


# --- the seed's example -----------------------------------------------------------------------


def test_seed_example_becomes_a_base_item_and_one_item_per_tag() -> None:
    sink = InMemorySink(KEY)
    response = process(seed_event(), sink)
    assert response == {"batchItemFailures": []}
    assert len(sink) == 4
    assert tags_in(sink) == {"AI", "regulation", "europe"}
    (base,) = base_items(sink)
    assert base["day_partition"] == {"S": "2025-11-16"}
    assert base["sentiment_score_combined"] == {"S": "neutral#0.72"}
    assert base["source_id"] == {"S": SEED_SOURCE_ID}
    expires = {"N": str(int(NOW.timestamp()) + 7 * 86400)}
    assert all(item["expires_at"] == expires for item in sink.items())


def test_ttl_days_sets_expires_at() -> None:
    sink = InMemorySink(KEY)
    process(seed_event(), sink, ttl_days=3)
    expected = {"N": str(int(NOW.timestamp()) + 3 * 86400)}
    assert {json.dumps(item["expires_at"]) for item in sink.items()} == {json.dumps(expected)}


# --- what each kind of record does ------------------------------------------------------------


def test_modify_that_drops_a_tag_deletes_that_tags_item() -> None:
    sink = InMemorySink(KEY)
    old = image(tags=("AI", "regulation", "europe"))
    new = image(tags=("AI", "europe"))
    process(event_of(stream_record("INSERT", "1", new=old)), sink)
    response = process(event_of(stream_record("MODIFY", "2", new=new, old=old)), sink)
    assert response == {"batchItemFailures": []}
    assert len(sink) == 3
    assert tags_in(sink) == {"AI", "europe"}


def test_modify_to_pending_deletes_every_item_of_the_source_item() -> None:
    sink = InMemorySink(KEY)
    analyzed = image()
    pending = image(status="pending")
    process(event_of(stream_record("INSERT", "1", new=analyzed)), sink)
    assert len(sink) == 4
    process(event_of(stream_record("MODIFY", "2", new=pending, old=analyzed)), sink)
    assert len(sink) == 0


def test_modify_from_pending_to_analyzed_puts_the_items() -> None:
    sink = InMemorySink(KEY)
    pending = image(status="pending")
    analyzed = image()
    process(event_of(stream_record("INSERT", "1", new=pending)), sink)
    assert len(sink) == 0
    process(event_of(stream_record("MODIFY", "2", new=analyzed, old=pending)), sink)
    assert len(sink) == 4


def test_remove_changes_nothing_by_default() -> None:
    sink = InMemorySink(KEY)
    process(seed_event(), sink)
    response = process(event_of(stream_record("REMOVE", "2", old=image())), sink)
    assert response == {"batchItemFailures": []}
    assert len(sink) == 4


def test_remove_deletes_when_removes_are_propagated() -> None:
    sink = InMemorySink(KEY)
    projection = DashboardProjection(propagate_removes=True)
    process(seed_event(), sink, projection=projection)
    process(event_of(stream_record("REMOVE", "2", old=image())), sink, projection=projection)
    assert len(sink) == 0


def test_ttl_remove_is_housekeeping_not_a_retraction() -> None:
    sink = InMemorySink(KEY)
    projection = DashboardProjection(propagate_removes=True)
    process(seed_event(), sink, projection=projection)
    ttl = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    remove = stream_record("REMOVE", "2", old=image(), user_identity=ttl)
    process(event_of(remove), sink, projection=projection)
    assert len(sink) == 4


# --- the whole batch is one plan --------------------------------------------------------------


def hundred_records() -> Event:
    return event_of(
        *(
            stream_record(
                "INSERT",
                f"{index:05d}",
                new=image(
                    source_id=f"newsapi#item-{index}",
                    tags=[f"tag{index % 7}-{n}" for n in range(5)],
                ),
            )
            for index in range(100)
        )
    )


def test_a_batch_is_written_in_full_requests() -> None:
    sink = InMemorySink(KEY)
    response = process(hundred_records(), sink)
    assert response == {"batchItemFailures": []}
    assert len(sink) == 600
    assert sink.requests == math.ceil(600 / 25) == 24


def test_a_key_written_twice_in_a_batch_keeps_the_later_records_item() -> None:
    sink = InMemorySink(KEY)
    first = image(sentiment="negative", score="0.10")
    second = image(sentiment="positive", score="0.90")
    process(
        event_of(
            stream_record("INSERT", "1", new=first),
            stream_record("MODIFY", "2", new=second, old=first),
        ),
        sink,
    )
    assert len(sink) == 4
    assert {item["sentiment"]["S"] for item in sink.items()} == {"positive"}
    (base,) = base_items(sink)
    assert base["sentiment_score_combined"] == {"S": "positive#0.90"}
    assert sink.requests == 1


def test_a_put_then_a_delete_of_one_key_keeps_the_delete() -> None:
    sink = InMemorySink(KEY)
    analyzed = image()
    pending = image(status="pending")
    response = process(
        event_of(
            stream_record("INSERT", "1", new=analyzed),
            stream_record("MODIFY", "2", new=pending, old=analyzed),
        ),
        sink,
    )
    assert response == {"batchItemFailures": []}
    assert len(sink) == 0


def test_a_delete_then_a_put_of_one_key_keeps_the_put() -> None:
    sink = InMemorySink(KEY)
    analyzed = image()
    pending = image(status="pending")
    process(seed_event(), sink)
    process(
        event_of(
            stream_record("MODIFY", "2", new=pending, old=analyzed),
            stream_record("MODIFY", "3", new=analyzed, old=pending),
        ),
        sink,
    )
    assert len(sink) == 4


def test_replaying_a_batch_yields_the_same_table() -> None:
    once, twice = InMemorySink(KEY), InMemorySink(KEY)
    batch = hundred_records()
    process(batch, once)
    process(batch, twice)
    process(batch, twice)
    assert len(twice) == 600
    assert snapshot(once) == snapshot(twice)


# --- bad input never stops the batch ----------------------------------------------------------


def test_a_malformed_record_is_dead_lettered_and_the_rest_are_written(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad = stream_record("INSERT", "2", new=image(source_id="newsapi#bad", score="abc"))
    good_1 = stream_record("INSERT", "1", new=image(source_id="newsapi#good-1"))
    good_3 = stream_record("INSERT", "3", new=image(source_id="newsapi#good-3", tags=()))
    dead: list[BadRecord] = []
    sink = InMemorySink(KEY)
    package_logger = logging.getLogger("dashboard_projection")
    package_logger.addHandler(caplog.handler)  # whatever propagation another test configured
    try:
        with caplog.at_level(logging.INFO, logger="dashboard_projection"):
            response = process(event_of(good_1, bad, good_3), sink, dead_letter=dead.append)
    finally:
        package_logger.removeHandler(caplog.handler)
    assert response == {"batchItemFailures": []}
    assert {item["source_id"]["S"] for item in sink.items()} == {
        "newsapi#good-1",
        "newsapi#good-3",
    }
    assert len(sink) == 4 + 1
    (rejected,) = dead
    assert rejected.raw is bad
    assert isinstance(rejected.error, DeserializationError | ItemValidationError)
    assert "score" in str(rejected.error)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors, "the rejected record is logged"
    logged = errors[0].__dict__
    assert logged["event_id"] == "event-2"
    assert logged["sequence_number"] == "2"
    assert logged["key"] == {"source_id": "newsapi#bad", "ingested_at": SEED_INGESTED_AT}
    assert logged["retryable"] is False


def test_a_record_that_is_not_even_a_record_is_dead_lettered() -> None:
    dead: list[BadRecord] = []
    sink = InMemorySink(KEY)
    response = process(
        event_of("not a record", *seed_event()["Records"]),  # type: ignore[arg-type]
        sink,
        dead_letter=dead.append,
    )
    assert response == {"batchItemFailures": []}
    assert len(sink) == 4
    (rejected,) = dead
    assert rejected.raw == "not a record"
    assert isinstance(rejected.error, InvalidInputError)


def test_an_event_without_records_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="Records"):
        process({"records": []}, InMemorySink(KEY))


def test_an_empty_batch_writes_nothing() -> None:
    sink = InMemorySink(KEY)
    assert process({"Records": []}, sink) == {"batchItemFailures": []}
    assert sink.requests == 0


# --- write failures ---------------------------------------------------------------------------


def three_sources() -> Event:
    """Three records, each one base item and one tag item: ops 0..5 in record order."""
    return event_of(
        *(
            stream_record("INSERT", f"{n}00", new=image(source_id=f"s{n}", tags=[f"t{n}"]))
            for n in range(1, 4)
        )
    )


def test_a_retryable_failure_reports_the_earliest_record_whose_op_failed() -> None:
    sink = FlakySink(InMemorySink(KEY), failing={0: {3, 5}})  # ops of records 2 and 3
    response = process(three_sources(), sink)
    assert response == {"batchItemFailures": [{"itemIdentifier": "200"}]}
    assert len(sink.inner) == 4  # everything else landed


def test_resuming_from_the_reported_record_completes_the_table() -> None:
    sink = FlakySink(InMemorySink(KEY), failing={0: {2}})
    event = three_sources()
    response = process(event, sink)
    assert response == {"batchItemFailures": [{"itemIdentifier": "200"}]}
    process(event_of(*event["Records"][1:]), sink)
    reference = InMemorySink(KEY)
    process(event, reference)
    assert snapshot(sink.inner) == snapshot(reference)


def test_a_sink_that_raises_reports_the_whole_batch() -> None:
    sink = FlakySink(InMemorySink(KEY), raising={0})
    response = process(three_sources(), sink)
    assert response == {"batchItemFailures": [{"itemIdentifier": "100"}]}


def test_a_sink_that_raises_retries_from_the_first_write_and_reports_a_bad_record_before_it() -> (
    None
):
    event = three_sources()
    del event["Records"][0]["dynamodb"]["SequenceNumber"]
    dead: list[BadRecord] = []
    sink = FlakySink(InMemorySink(KEY), raising={0})
    response = process(event, sink, dead_letter=dead.append)
    assert response == {"batchItemFailures": [{"itemIdentifier": "200"}]}
    assert [bad.raw for bad in dead] == [event["Records"][0]]  # never delivered again


def test_a_rejected_write_makes_its_record_bad_not_retried() -> None:
    sink = FlakySink(
        InMemorySink(KEY),
        failing={0: {3}},
        make_error=lambda position: RejectedWriteError(f"ValidationException on op {position}"),
    )
    dead: list[BadRecord] = []
    event = three_sources()
    response = process(event, sink, dead_letter=dead.append)
    assert response == {"batchItemFailures": []}
    (rejected,) = dead
    assert rejected.raw is event["Records"][1]
    assert isinstance(rejected.error, RejectedWriteError)
    assert len(sink.inner) == 5


# --- the Lambda context -----------------------------------------------------------------------


@dataclass
class FakeContext:
    remaining_ms: int

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_the_lambda_contexts_remaining_time_becomes_the_sink_deadline() -> None:
    sink = FlakySink(InMemorySink(KEY))
    before = time.monotonic()
    process(seed_event(), sink, context=FakeContext(30_000))
    after = time.monotonic()
    (deadline,) = sink.deadlines
    assert deadline is not None
    # 30 s minus the 2 s kept back for the response and the logs.
    assert before + 28 - 0.001 <= deadline <= after + 28 + 0.001


def test_a_context_almost_out_of_time_gives_a_deadline_of_now() -> None:
    sink = FlakySink(InMemorySink(KEY))
    before = time.monotonic()
    process(seed_event(), sink, context=FakeContext(500))
    (deadline,) = sink.deadlines
    assert deadline is not None
    assert before <= deadline <= time.monotonic()


def test_without_a_context_there_is_no_deadline() -> None:
    sink = FlakySink(InMemorySink(KEY))
    process(seed_event(), sink)
    assert sink.deadlines == [None]


# --- metrics ----------------------------------------------------------------------------------


def emf_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_metrics_are_one_emf_line_with_the_batchs_counts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = stream_record("INSERT", "9", new=image(source_id="bad", score="abc"))
    event = event_of(*three_sources()["Records"], bad)
    process(event, InMemorySink(KEY), metrics=True)
    (document,) = emf_lines(capsys.readouterr().out)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "SentimentAnalyzer"
    names = {metric["Name"] for metric in directive["Metrics"]}
    assert names == {
        "StreamProcessorSuccess",
        "StreamProcessorErrors",
        "StreamProcessorBatchSize",
    }
    assert document["StreamProcessorSuccess"] == 3
    assert document["StreamProcessorErrors"] == 1
    assert document["StreamProcessorBatchSize"] == 4


def test_metrics_count_a_retried_tail_as_not_successful(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sink = FlakySink(InMemorySink(KEY), failing={0: {3}})  # record 2 of 3
    process(three_sources(), sink, metrics=True)
    (document,) = emf_lines(capsys.readouterr().out)
    assert document["StreamProcessorSuccess"] == 1
    assert document["StreamProcessorErrors"] == 0
    assert document["StreamProcessorBatchSize"] == 3


def test_metrics_never_count_below_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """A bad record inside the retried tail must not be subtracted twice."""
    bad = stream_record("INSERT", "900", new=image(source_id="bad", score="abc"))
    event = event_of(*three_sources()["Records"], bad)
    sink = FlakySink(InMemorySink(KEY), raising={0})
    process(event, sink, metrics=True)
    (document,) = emf_lines(capsys.readouterr().out)
    assert document["StreamProcessorSuccess"] >= 0
    assert document["StreamProcessorSuccess"] == 0


# --- the processor is generic: a second projection --------------------------------------------


class LatestPerSource:
    """A read model of one item per source: the latest ingested_at and sentiment."""

    key_attributes = ("source_id",)

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        del now
        if record.event_name == "REMOVE":
            return [Delete({"source_id": record.keys["source_id"]})]
        new = record.new_image or {}
        try:
            item = {name: new[name] for name in ("source_id", "ingested_at", "sentiment")}
        except KeyError as missing:
            raise InvalidInputError(f"missing {missing}", path="NewImage") from None
        return [Put(item)]


def test_a_second_projection_runs_through_the_same_processor() -> None:
    a1 = image(source_id="a", ingested_at="2025-11-16T10:00:00Z", sentiment="negative")
    a2 = image(source_id="a", ingested_at="2025-11-16T10:00:00Z", sentiment="positive")
    b1 = image(source_id="b", ingested_at="2025-11-16T11:00:00Z")
    c1 = image(source_id="c", ingested_at="2025-11-16T12:00:00Z")
    broken = {"source_id": {"S": "d"}, "ingested_at": {"S": "2025-11-16T13:00:00Z"}}
    event = event_of(
        stream_record("INSERT", "1", new=a1),
        stream_record("INSERT", "2", new=b1),
        stream_record("MODIFY", "3", new=a2, old=a1),
        stream_record("INSERT", "4", new=c1),
        stream_record("REMOVE", "5", old=b1),
        stream_record("INSERT", "6", new=broken),
    )
    sink = InMemorySink(("source_id",))
    dead: list[BadRecord] = []
    response = process(event, sink, projection=LatestPerSource(), dead_letter=dead.append)
    assert response == {"batchItemFailures": []}
    assert sorted(sink.items(), key=lambda item: item["source_id"]["S"]) == [
        {
            "source_id": {"S": "a"},
            "ingested_at": {"S": "2025-11-16T10:00:00Z"},
            "sentiment": {"S": "positive"},
        },
        {
            "source_id": {"S": "c"},
            "ingested_at": {"S": "2025-11-16T12:00:00Z"},
            "sentiment": {"S": "neutral"},
        },
    ]
    assert [bad.raw for bad in dead] == [event["Records"][5]]
    assert sink.requests == 1


class LatestPerNumericId:
    """Like :class:`LatestPerSource`, keyed on a number: ``1`` and ``1.0`` are one item."""

    key_attributes = ("id",)

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        del now
        if record.event_name == "REMOVE":
            return [Delete({"id": record.keys["id"]})]
        assert record.new_image is not None
        return [Put(dict(record.new_image))]


def numeric_record(name: str, sequence: str, spelling: str, value: str) -> Record:
    item = {"id": {"N": spelling}, "value": {"S": value}}
    body: dict[str, Any] = {"Keys": {"id": {"N": spelling}}, "SequenceNumber": sequence}
    if name != "REMOVE":
        body["NewImage"] = item
    return {"eventID": sequence, "eventName": name, "dynamodb": body}


def test_a_batch_equals_its_records_one_by_one_even_when_keys_are_spelled_differently() -> None:
    """DynamoDB compares number keys as numbers: ``{"N": "1"}`` and ``{"N": "1.0"}`` are one key.

    The batch must end as the records applied in order would: the last record (a put) wins.
    """
    event = event_of(
        numeric_record("INSERT", "1", "1", "first"),
        numeric_record("REMOVE", "2", "1.0", ""),
        numeric_record("INSERT", "3", "1", "third"),
    )
    batch = InMemorySink(("id",))
    process(event, batch, projection=LatestPerNumericId())
    one_by_one = InMemorySink(("id",))
    for record in event["Records"]:
        process(event_of(record), one_by_one, projection=LatestPerNumericId())
    assert [item["value"] for item in one_by_one.items()] == [{"S": "third"}]
    assert snapshot(batch) == snapshot(one_by_one)


# --- fault injection: nothing lost, nothing stale ---------------------------------------------

#: One stream per example, drawn once and shared: the test cuts it into events, and its model
#: applies it record by record. Mostly analyzed items: only they are written, and only writes fail.
STREAM = st.shared(
    stream_records(bad=True, statuses=("analyzed", "analyzed", "pending")),
    key="fault injection stream",
)


@dataclass(frozen=True)
class Schedule:
    """When the sink fails: see :class:`FlakySink`."""

    failing: dict[int, set[int]]
    raising: set[int]
    failing_deletes: set[int]
    apply_before_raising: bool

    def sink(self) -> FlakySink:
        return FlakySink(
            InMemorySink(KEY),
            failing=copy.deepcopy(self.failing),
            raising=set(self.raising),
            failing_deletes=set(self.failing_deletes),
            apply_before_raising=self.apply_before_raising,
        )


@st.composite
def failure_schedules(draw: st.DrawFn) -> Schedule:
    """Which ops fail on which of the first few calls, and which calls raise."""
    calls = draw(st.sets(st.integers(0, 7), max_size=4))  # which write calls misbehave
    failing: dict[int, set[int]] = {}
    raising: set[int] = set()
    failing_deletes: set[int] = set()
    for call in sorted(calls):
        kind = draw(st.integers(0, 6))
        if kind == 0:
            raising.add(call)
        elif kind == 2:
            failing_deletes.add(call)
        elif kind == 1:  # every other op: hits puts and deletes alike
            failing[call] = set(range(draw(st.integers(0, 1)), 80, 2))
        else:
            failing[call] = draw(st.sets(st.integers(0, 30), min_size=1, max_size=12))
    return Schedule(failing, raising, failing_deletes, apply_before_raising=draw(st.booleans()))


def run_like_lambda(
    records: Sequence[Record],
    sink: FlakySink,
    projection: DashboardProjection,
    *,
    dead_letter: Callable[[BadRecord], None] | None = None,
) -> int:
    """Invoke until the batch succeeds, resuming from the reported record; return invocations."""
    remaining = list(records)
    for invocation in range(1, 10):
        response = process(
            event_of(*remaining), sink, projection=projection, dead_letter=dead_letter
        )
        failures = response["batchItemFailures"]
        if not failures:
            return invocation
        (failure,) = failures
        sequences = [sequence_number(record) for record in remaining]
        remaining = remaining[sequences.index(failure["itemIdentifier"]) :]
    pytest.fail("the batch never succeeded although the failure schedule ran out")


def sequence_number(record: object) -> str | None:
    """A raw record's ``SequenceNumber``, if it has one (a malformed record may not)."""
    body = record.get("dynamodb") if isinstance(record, dict) else None
    sequence = body.get("SequenceNumber") if isinstance(body, dict) else None
    return sequence if isinstance(sequence, str) else None


def ids_of(bad_records: Iterable[BadRecord]) -> set[str]:
    """The ``eventID`` of each dead-lettered record (a dict, in these tests)."""
    return {bad.raw["eventID"] for bad in bad_records if isinstance(bad.raw, dict)}


def is_bad(record: Record) -> bool:
    """``stream_records`` names its malformed records ``bad-<kind>-…``."""
    return str(record["eventID"]).startswith("bad-")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=STREAM,
    events=stream_events(records=STREAM, max_batch=6),
    schedule=failure_schedules(),
    propagate_removes=st.booleans(),
)
def test_faults_and_retries_end_in_the_table_of_the_records_applied_one_by_one(
    records: list[Record],
    events: list[Event],
    schedule: Schedule,
    propagate_removes: bool,  # noqa: FBT001 - drawn by Hypothesis
) -> None:
    """Whatever fails, and however often a batch is delivered, the table is the model's.

    The events cut the stream into batches, a batch now and then delivered twice (at least
    once); each is retried from the reported record until it succeeds. The model applies the
    stream's records one at a time, in order (bad ones are rejected and change nothing): after
    every batch, the table must be the model's after the same records. (Checking only at the
    end would miss a lost write that a later record happens to redo.)
    """
    projection = DashboardProjection(propagate_removes=propagate_removes)
    flaky = schedule.sink()
    model = InMemorySink(KEY)
    dead: list[BadRecord] = []
    rejected: list[BadRecord] = []
    applied = redelivered = retried = 0
    for number, lambda_event in enumerate(events):
        batch = lambda_event["Records"]
        retried += run_like_lambda(batch, flaky, projection, dead_letter=dead.append) - 1
        if number and lambda_event == events[number - 1]:
            redelivered += 1  # nothing new for the model
        else:
            assert batch == records[applied : applied + len(batch)]
            for record in batch:
                response = process(
                    event_of(record), model, projection=projection, dead_letter=rejected.append
                )
                assert response == {"batchItemFailures": []}
            applied += len(batch)
        assert snapshot(flaky.inner) == snapshot(model)  # nothing lost, nothing stale
    assert applied == len(records)
    # What the examples held (shown by pytest --hypothesis-show-statistics).
    event(f"bad records: {'some' if any(map(is_bad, records)) else 'none'}")
    event(f"TTL deletes: {'some' if any('userIdentity' in r for r in records) else 'none'}")
    event(f"redelivered batches: {'some' if redelivered else 'none'}")
    event(f"invocations retried after a failure: {'some' if retried else 'none'}")
    # Every bad record is dead-lettered, and nothing else.
    assert ids_of(rejected) == {record["eventID"] for record in records if is_bad(record)}
    assert ids_of(dead) == ids_of(rejected)


# --- review findings --------------------------------------------------------------------------


def test_a_bad_record_past_the_retry_point_is_dead_lettered_once_not_on_every_delivery() -> None:
    good = three_sources()["Records"]
    bad = stream_record("INSERT", "400", new=image(source_id="s4", score="abc"))
    event = event_of(*good, bad)
    dead: list[BadRecord] = []
    sink = FlakySink(InMemorySink(KEY), failing={0: {0}})  # record 1 must be retried
    assert process(event, sink, dead_letter=dead.append) == {
        "batchItemFailures": [{"itemIdentifier": "100"}]
    }
    assert dead == []  # Lambda delivers it again with the retry, and it is reported then
    assert process(event, sink, dead_letter=dead.append) == {"batchItemFailures": []}
    assert [bad_record.raw for bad_record in dead] == [bad]


@pytest.mark.parametrize("name", ["INSERT", "MODIFY"])
def test_an_insert_or_modify_without_new_image_is_bad_input(name: str) -> None:
    record = stream_record(name, "100", old=image())
    dead: list[BadRecord] = []
    assert process(event_of(record), InMemorySink(KEY), dead_letter=dead.append) == {
        "batchItemFailures": []
    }
    (bad,) = dead
    assert isinstance(bad.error, InvalidInputError)
    assert "NEW_AND_OLD_IMAGES" in str(bad.error)


def test_a_modify_to_an_invalid_item_is_rejected_and_leaves_nothing_stale() -> None:
    sink = InMemorySink(KEY)
    process(event_of(stream_record("INSERT", "100", new=image())), sink)
    assert len(sink) == 4
    broken = image(score="1.5")
    dead: list[BadRecord] = []
    response = process(
        event_of(stream_record("MODIFY", "200", new=broken, old=image())),
        sink,
        dead_letter=dead.append,
    )
    assert response == {"batchItemFailures": []}
    assert len(dead) == 1
    assert isinstance(dead[0].error, ItemValidationError)
    assert len(sink) == 0  # the old analysis is no longer shown
