"""Working with Powertools for AWS Lambda (Python), which the library never requires.

What is shown and checked here:

* the library's projection runs inside Powertools' ``BatchProcessor``, record by record, and
  leaves the same table as ``process_stream_event``, at the cost of one write per record;
* the resume point Lambda takes from either partial batch response is the same;
* the library's EMF line has the structure Powertools' ``Metrics`` produces, and its JSON logs
  are one object per line like Powertools' ``Logger``, into which they can be routed.

The code in ``docs/powertools.md`` is included from the sections marked ``--8<--`` below.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import re
import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

import pytest

pytest.importorskip("aws_lambda_powertools")

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from dashboard_projection import (
    DashboardProjection,
    DynamoDBSink,
    FailedWrite,
    InMemorySink,
    InvalidInputError,
    Put,
    RetryableWriteError,
    Sink,
    StreamRecord,
    WriteOp,
    WriteResult,
    dashboard_table_spec,
    make_handler,
    process_stream_event,
    query_by_day,
    query_by_tag,
)
from servers import REPO, make_client

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
KEY = ("day_partition", "item_key")
SOURCE_ID = "newsapi#bbc-news-ai-regulation-2025-11-16"
logger = logging.getLogger(__name__)


# --- events -------------------------------------------------------------------------------------


def image(
    source_id: str = SOURCE_ID,
    *,
    tags: Sequence[str] = ("AI", "regulation", "europe"),
    status: str = "analyzed",
    score: str | None = "0.72",
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "source_id": {"S": source_id},
        "ingested_at": {"S": "2025-11-16T14:30:15.000Z"},
        "source_type": {"S": "newsapi"},
        "sentiment": {"S": "neutral"},
        "matched_tags": {"SS": list(tags)},
        "status": {"S": status},
    }
    if score is not None:
        attributes["score"] = {"N": score}
    return attributes


def record(
    sequence: int,
    new: dict[str, Any],
    old: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Keys": {"source_id": new["source_id"], "ingested_at": new["ingested_at"]},
        "NewImage": new,
        "SequenceNumber": str(sequence),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        body["OldImage"] = old
    return {
        "eventID": str(sequence),
        "eventName": "INSERT" if old is None else "MODIFY",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": body,
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/primary/stream/x",
    }


def mixed_event() -> dict[str, Any]:
    """An insert, a modify dropping a tag, a record without a score, and a pending item."""
    first = image()
    return {
        "Records": [
            record(111, first),
            record(222, image(tags=("AI", "regulation")), old=first),
            record(333, image("newsapi#no-score", score=None)),
            record(444, image("newsapi#pending", status="pending")),
        ]
    }


def wide_event(records: int, tags: int) -> dict[str, Any]:
    tag_names = [f"tag-{n}" for n in range(tags)]
    return {
        "Records": [
            record(1000 + n, image(f"newsapi#item-{n}", tags=tag_names)) for n in range(records)
        ]
    }


# --- Powertools record handlers ---------------------------------------------------------------


# --8<-- [start:public]
projection = DashboardProjection(ttl_days=7)


def project_one(record: DynamoDBRecord, sink: Sink, lambda_context: LambdaContext | None) -> None:
    """Project one record with the library's processor (a batch of one); raise if it failed."""
    response = process_stream_event(
        {"Records": [record.raw_event]},
        sink,
        context=lambda_context,  # its remaining time bounds the sink's retries
        projection=projection,
        metrics=False,  # one EMF line per record would add up; count with Powertools instead
    )
    if response["batchItemFailures"]:
        raise RetryableWriteError(f"record {record.event_id} not written; retry it")


# --8<-- [end:public]


# --8<-- [start:wiring]
def make_lambda_handler(sink: Sink) -> Callable[..., PartialItemFailureResponse]:
    """``lambda_handler = make_lambda_handler(DynamoDBSink(table))``, at module level."""
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

    def record_handler(record: DynamoDBRecord, lambda_context: LambdaContext) -> None:
        project_one(record, sink, lambda_context)  # Powertools passes the context by this name

    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return lambda_handler


# --8<-- [end:wiring]


# --8<-- [start:direct]
def project_record(record: DynamoDBRecord, sink: Sink, now: datetime) -> None:
    """Project one record and write its items; raise only when retrying can help."""
    try:
        stream_record = StreamRecord.from_lambda_record(record.raw_event)
        ops = projection(stream_record, now=now)
    except InvalidInputError:
        # Never retried: a record that can never be projected must not block the shard.
        logger.exception("record rejected", extra={"event_id": record.event_id})
        return
    result = sink.write(ops)
    for failure in result.failed:
        if failure.error.retryable:
            raise failure.error  # Powertools reports this record; Lambda resumes from it
        logger.error("item rejected: %s", failure.error)  # a poison item: log it, go on


# --8<-- [end:direct]


def run_direct(
    event: dict[str, Any], sink: Sink, now: datetime = NOW
) -> PartialItemFailureResponse:
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    return process_partial_response(
        event=event,
        record_handler=lambda record: project_record(record, sink, now),
        processor=processor,
    )


def run_public(event: dict[str, Any], sink: Sink) -> PartialItemFailureResponse:
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    return process_partial_response(
        event=event,
        record_handler=lambda record: project_one(record, sink, None),
        processor=processor,
    )


class CountingSink:
    """Counts ``write`` calls; optionally fails, retryably, every op on one source's items."""

    def __init__(self, inner: Sink, *, failing_source: str | None = None) -> None:
        self.inner = inner
        self.failing_source = failing_source
        self.writes = 0
        self.deadlines: list[float | None] = []

    @property
    def key_attributes(self) -> tuple[str, ...]:
        return self.inner.key_attributes

    def write(self, ops: Sequence[WriteOp], *, deadline: float | None = None) -> WriteResult:
        self.writes += 1
        self.deadlines.append(deadline)
        failing = [i for i, op in enumerate(ops) if self._fails(op)]
        passing = [op for i, op in enumerate(ops) if i not in failing]
        self.inner.write(passing, deadline=deadline)
        error = RetryableWriteError("throttled")
        return WriteResult(failed=tuple(FailedWrite(i, error) for i in failing), requests=1)

    def _fails(self, op: WriteOp) -> bool:
        key: str = (op.item if isinstance(op, Put) else op.key)["item_key"]["S"]
        return self.failing_source is not None and key.endswith(f"#{self.failing_source}")


def table(sink: InMemorySink) -> list[tuple[str, str]]:
    return sorted((item["day_partition"]["S"], item["item_key"]["S"]) for item in sink.items())


# --- projection inside BatchProcessor -----------------------------------------------------------


@pytest.mark.parametrize("run", [run_direct, run_public], ids=["direct", "public"])
def test_record_by_record_gives_the_same_table_as_the_whole_batch(
    run: Callable[[dict[str, Any], Sink], PartialItemFailureResponse],
) -> None:
    ours, theirs = InMemorySink(KEY), InMemorySink(KEY)
    assert process_stream_event(mixed_event(), ours, now=NOW, metrics=False) == {
        "batchItemFailures": []
    }
    assert run(mixed_event(), theirs) == {"batchItemFailures": []}
    assert table(theirs) == table(ours)
    tags = sorted(item["tag"]["S"] for item in theirs.items() if "tag" in item)
    assert tags == ["AI", "regulation"]  # the MODIFY deleted the tag it dropped
    if run is run_direct:  # same clock, same items, attribute for attribute
        assert sorted(map(json.dumps, theirs.items())) == sorted(map(json.dumps, ours.items()))


def test_the_lambda_context_reaches_the_sink_as_a_deadline() -> None:
    memory = InMemorySink(KEY)
    sink = CountingSink(memory)
    handler = make_lambda_handler(sink)
    assert handler(mixed_event(), cast("LambdaContext", FakeContext())) == {"batchItemFailures": []}
    assert (
        sink.writes == 2
    )  # the insert and the modify; the bad and the pending record write nothing
    assert all(deadline is not None for deadline in sink.deadlines)
    assert len(memory) == 3


def test_record_by_record_writes_once_per_record() -> None:
    """100 records with 3 tags: 400 keys. One plan is 16 BatchWriteItems; per record, 100."""
    ours, theirs = InMemorySink(KEY), InMemorySink(KEY)
    process_stream_event(wide_event(100, 3), ours, now=NOW, metrics=False)
    run_direct(wide_event(100, 3), theirs)
    assert table(theirs) == table(ours)
    assert ours.requests == 16  # ceil(400 / 25)
    assert theirs.requests == 100


def test_a_retryable_failure_resumes_from_the_same_record() -> None:
    """Powertools reports every failed record, the library the earliest one; Lambda resumes
    from the lowest sequence number either way, so both retry the same records."""
    event = wide_event(6, 2)
    failing = "newsapi#item-2"
    ours = CountingSink(InMemorySink(KEY), failing_source=failing)
    theirs = CountingSink(InMemorySink(KEY), failing_source=failing)
    response = process_stream_event(event, ours, now=NOW, metrics=False)
    powertools = run_direct(event, theirs)
    assert response == {"batchItemFailures": [{"itemIdentifier": "1002"}]}
    assert powertools == {"batchItemFailures": [{"itemIdentifier": "1002"}]}
    assert (ours.writes, theirs.writes) == (1, 6)


def test_powertools_fails_the_invocation_when_every_record_fails() -> None:
    """The library reports the first record instead; both make Lambda retry the whole batch,
    but Powertools' function error also makes Lambda bisect the batch."""
    event = wide_event(1, 1)
    sink = CountingSink(InMemorySink(KEY), failing_source="newsapi#item-0")
    assert process_stream_event(event, sink, now=NOW, metrics=False) == {
        "batchItemFailures": [{"itemIdentifier": "1000"}]
    }
    with pytest.raises(BatchProcessingError):
        run_direct(event, sink)


def test_a_bad_record_is_skipped_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    bad = {"Records": [record(333, image("newsapi#no-score", score=None))]}
    sink = InMemorySink(KEY)
    with caplog.at_level(logging.ERROR, logger=__name__):
        assert run_direct(bad, sink) == {"batchItemFailures": []}
    assert len(sink) == 0
    assert [r.getMessage() for r in caplog.records if r.name == __name__] == ["record rejected"]


# --8<-- [start:combined]
def notify_if_negative(record: DynamoDBRecord) -> None:
    """Some other per-record side effect, with its own failures (here: none)."""


def handle(event: dict[str, Any], context: LambdaContext | None, sink: Sink) -> dict[str, Any]:
    """The projection for the whole batch, then per-record side effects with Powertools."""
    projected = process_stream_event(event, sink, context=context)
    side_effects = process_partial_response(
        event=event,
        record_handler=notify_if_negative,
        processor=BatchProcessor(event_type=EventType.DynamoDBStreams),
        context=context,
    )
    # Lambda resumes from the lowest sequence number of all reported: merging is concatenating.
    failures = projected["batchItemFailures"] + side_effects["batchItemFailures"]
    return {"batchItemFailures": failures}


# --8<-- [end:combined]


def test_projection_and_powertools_side_effects_combine(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sink = InMemorySink(KEY)
    assert handle(mixed_event(), None, sink) == {"batchItemFailures": []}
    assert len(sink) == 3
    flaky = CountingSink(InMemorySink(KEY), failing_source=SOURCE_ID)
    response = handle(mixed_event(), None, flaky)
    # 222 rewrites every key 111 wrote, so the plan holds 222's writes only: resume from 222.
    assert response == {"batchItemFailures": [{"itemIdentifier": "222"}]}
    capsys.readouterr()


@pytest.mark.integration
def test_record_by_record_into_moto(moto_endpoint: str) -> None:
    client = make_client(moto_endpoint)
    name = f"dashboard-{uuid.uuid4().hex}"
    client.create_table(**dashboard_table_spec(name))
    try:
        sink = DynamoDBSink(name, client=client)
        assert run_direct(mixed_event(), sink) == {"batchItemFailures": []}
        by_day = client.query(**query_by_day(name, date(2025, 11, 16)))["Items"]
        assert [item["source_id"]["S"] for item in by_day] == [SOURCE_ID]
        assert client.query(**query_by_tag(name, "europe"))["Items"] == []
        assert len(client.query(**query_by_tag(name, "AI"))["Items"]) == 1
    finally:
        client.delete_table(TableName=name)


# --- Embedded Metric Format ---------------------------------------------------------------------

_UNITS = {"Count", "None", "Seconds", "Milliseconds", "Bytes", "Percent", "Count/Second"}


def check_emf(document: Mapping[str, Any]) -> None:
    """Check ``document`` against the CloudWatch Embedded Metric Format specification."""
    metadata = document["_aws"]
    assert isinstance(metadata["Timestamp"], int)
    assert abs(metadata["Timestamp"] / 1000 - datetime.now(UTC).timestamp()) < 3600
    directives = metadata["CloudWatchMetrics"]
    assert isinstance(directives, list)
    assert directives
    for directive in directives:
        assert isinstance(directive["Namespace"], str)
        assert 1 <= len(directive["Namespace"]) <= 1024
        for dimension_set in directive["Dimensions"]:
            assert len(dimension_set) <= 30
            for dimension in dimension_set:
                assert isinstance(document[dimension], str), dimension
        assert 1 <= len(directive["Metrics"]) <= 100
        for metric in directive["Metrics"]:
            assert set(metric) <= {"Name", "Unit", "StorageResolution"}
            assert metric.get("Unit", "None") in _UNITS
            value = document[metric["Name"]]
            values = value if isinstance(value, list) else [value]
            assert 1 <= len(values) <= 100
            assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def total(value: float | list[float]) -> float:
    return sum(value) if isinstance(value, list) else value


def test_our_emf_line_has_the_structure_powertools_metrics_produces(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POWERTOOLS_SERVICE_NAME", raising=False)  # it would add a dimension
    process_stream_event(mixed_event(), InMemorySink(KEY), now=NOW)
    (line,) = capsys.readouterr().out.splitlines()
    ours = json.loads(line)

    metrics = EphemeralMetrics(namespace="SentimentAnalyzer")
    for name in ("StreamProcessorSuccess", "StreamProcessorErrors", "StreamProcessorBatchSize"):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=ours[name])
    theirs: dict[str, Any] = dict(metrics.serialize_metric_set())

    check_emf(ours)
    check_emf(theirs)
    assert ours["_aws"]["CloudWatchMetrics"] == theirs["_aws"]["CloudWatchMetrics"]
    assert set(ours) == set(theirs)
    for name in ("StreamProcessorSuccess", "StreamProcessorErrors", "StreamProcessorBatchSize"):
        assert total(ours[name]) == total(theirs[name]), name  # 3 as 3, or as [3.0]
    assert (ours["StreamProcessorSuccess"], ours["StreamProcessorErrors"]) == (3, 1)
    assert "\n" not in line


# --- JSON logs ----------------------------------------------------------------------------------


@pytest.fixture
def powertools_logger() -> Iterator[tuple[Logger, io.StringIO]]:
    stream = io.StringIO()
    service = f"stream-processor-{uuid.uuid4().hex}"
    yield Logger(service=service, stream=stream), stream
    logging.getLogger(service).handlers.clear()


def lines_of(text: str) -> list[dict[str, Any]]:
    documents = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(document, dict) for document in documents)
    return documents


def test_our_logs_are_one_json_object_per_line_like_powertools(
    capsys: pytest.CaptureFixture[str], powertools_logger: tuple[Logger, io.StringIO]
) -> None:
    handler = make_handler(sink=InMemorySink(KEY), environ={"LOG_LEVEL": "INFO"})
    handler(mixed_event(), None)
    ours = lines_of(capsys.readouterr().err)
    powertools, stream = powertools_logger
    powertools.info("batch processed", extra={"records": 4})
    theirs = lines_of(stream.getvalue())
    common = {"level", "message", "timestamp"}
    assert all(common <= set(line) for line in [*ours, *theirs])
    assert {line["level"] for line in ours} == {"ERROR", "INFO"}  # the bad record, the summary
    assert theirs[0]["level"] == "INFO"
    summary = next(line for line in ours if line["message"] == "batch processed")
    assert (summary["records"], theirs[0]["records"]) == (4, 4)  # extra= fields at top level


# --8<-- [start:logger]
def powertools_handler(logger: Logger, sink: Sink) -> Callable[..., Any]:
    """The library's handler, its logs written by a Powertools ``Logger``."""
    projection_handler = make_handler(sink=sink)  # configures the library's logger first...
    copy_config_to_registered_loggers(source_logger=logger, include={"dashboard_projection"})
    # ...then this replaces its handler with the Logger's: one line per record, in one format.

    @logger.inject_lambda_context
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return dict(projection_handler(event, context))

    return lambda_handler


# --8<-- [end:logger]


class FakeContext:
    function_name = "stream-processor"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:stream-processor"
    aws_request_id = "request-1"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def test_the_library_logs_through_a_powertools_logger(
    capsys: pytest.CaptureFixture[str],
    powertools_logger: tuple[Logger, io.StringIO],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DASHBOARD_TABLE_NAME", "unused")
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    logger, stream = powertools_logger
    handler = powertools_handler(logger, InMemorySink(KEY))
    assert handler(mixed_event(), FakeContext()) == {"batchItemFailures": []}
    lines = lines_of(stream.getvalue())
    summary = [line for line in lines if line["message"] == "batch processed"]
    assert len(summary) == 1
    assert summary[0]["records"] == 4  # the library's extra= fields survive
    assert summary[0]["service"] == logger.service
    assert summary[0]["function_request_id"] == "request-1"  # Powertools' Lambda context
    assert summary[0]["name"] == "dashboard_projection"
    assert capsys.readouterr().err == ""  # not written twice


def test_the_events_here_are_valid_stream_events() -> None:
    """Powertools' own data classes read them as the library does."""
    for raw in mixed_event()["Records"]:
        wrapped = DynamoDBRecord(copy.deepcopy(raw))
        parsed = StreamRecord.from_lambda_record(raw)
        assert wrapped.dynamodb is not None
        assert wrapped.dynamodb.sequence_number == parsed.sequence_number
        assert wrapped.event_name is not None
        assert wrapped.event_name.name == parsed.event_name


def test_the_imports_in_the_docs_work() -> None:
    """docs/powertools.md lists the recipes' imports by hand; they must import."""
    text = (REPO / "docs" / "powertools.md").read_text()
    (imports,) = [
        block
        for block in re.findall(r"```python\n(.*?)```", text, re.DOTALL)
        if not block.startswith("--8<--")
    ]
    namespace: dict[str, Any] = {}
    exec(compile(imports, "docs/powertools.md", "exec"), namespace)  # noqa: S102 - our own docs
    assert {"Logger", "process_partial_response", "DashboardProjection"} <= set(namespace)
