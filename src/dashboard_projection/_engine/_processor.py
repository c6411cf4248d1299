"""The stream-batch processor: a Lambda event in, a partial batch response out, nothing lost.

    event → records → projection (per record) → one write plan → sink → batchItemFailures

Bad input never stops a batch: the record is logged, counted, optionally dead-lettered, and
skipped. A retryable failure is never swallowed: the earliest record with a write that did not
land is reported, so Lambda resumes from it (rewriting later records is safe: writes are
idempotent, and a replayed batch yields the same keys).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypedDict

from dashboard_projection._engine._metrics import Metrics, emit_metrics
from dashboard_projection._engine._plan import Delete, Put, WriteOp, WritePlan
from dashboard_projection._engine._projection import Projection
from dashboard_projection._engine._records import StreamRecord, parse_record, records_of
from dashboard_projection._engine._sink import Sink
from dashboard_projection._engine._steps import BatchStep, entries_before
from dashboard_projection._errors import (
    ConfigurationError,
    DashboardProjectionError,
    InvalidInputError,
)
from dashboard_projection._sentiment._projection import DashboardProjection
from dashboard_projection._view._rules import DEFAULT_TTL_DAYS

logger = logging.getLogger("dashboard_projection")

#: Time kept back from the Lambda deadline for the response and the logs.
DEADLINE_MARGIN_SECONDS = 2.0


class BatchItemFailure(TypedDict):
    """One entry of Lambda's partial batch response."""

    itemIdentifier: str


class BatchResponse(TypedDict):
    """Lambda's partial batch response (``FunctionResponseTypes: [ReportBatchItemFailures]``)."""

    batchItemFailures: list[BatchItemFailure]


class LambdaContext(Protocol):
    """The part of Lambda's context object the processor uses."""

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until Lambda stops the invocation."""
        ...


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record that can never be projected, handed to the dead-letter hook.

    Attributes:
        raw: The record exactly as Lambda delivered it.
        error: Why it was rejected (never retryable).
    """

    raw: object
    error: DashboardProjectionError

    @property
    def event_id(self) -> str:
        """The record's ``eventID``, or ``""`` when it has none."""
        return _field(self.raw, "eventID")

    @property
    def sequence_number(self) -> str:
        """The record's ``dynamodb.SequenceNumber``, or ``""`` when it has none."""
        body = self.raw.get("dynamodb") if isinstance(self.raw, Mapping) else None
        return _field(body, "SequenceNumber")


@dataclass(slots=True)
class _Outcome:
    """What happened to the batch's records, for the response, the logs and the metrics."""

    bad: dict[int, DashboardProjectionError] = field(default_factory=dict)
    retry_from: int | None = None

    def settle(self) -> None:
        """Forget bad records Lambda will deliver again: they are reported then, not twice."""
        if self.retry_from is not None:
            self.bad = {i: error for i, error in self.bad.items() if i < self.retry_from}

    def retry(self, index: int) -> None:
        self.retry_from = index if self.retry_from is None else min(self.retry_from, index)


def process_stream_event(  # noqa: PLR0913 - every option is keyword-only with a safe default
    event: Mapping[str, Any],
    sink: Sink,
    *,
    now: datetime | None = None,
    context: LambdaContext | None = None,
    ttl_days: int | None = None,
    projection: Projection | None = None,
    dead_letter: Callable[[BadRecord], None] | None = None,
    metrics: bool | Metrics = True,
    counters: BatchStep | None = None,
) -> BatchResponse:
    """Project a DynamoDB Streams event into ``sink``; return Lambda's partial batch response.

    Args:
        event: The Lambda event (``{"Records": [...]}``).
        sink: Where the writes go (``DynamoDBSink`` in Lambda, ``InMemorySink`` in tests).
        now: The clock for TTLs; the current time when omitted.
        context: Lambda's context; its remaining time bounds the sink's retries.
        ttl_days: TTL of the default projection, in days (7); a view declares its own.
        projection: What a record implies: a :class:`DashboardView` (or any
            :class:`Projection`); the sentiment dashboard (``sentiment_view()``) by default.
        dead_letter: Called with every record rejected as bad input.
        metrics: Print CloudWatch Embedded Metric Format metrics to stdout: ``True`` for the
            seed's namespace, a :class:`Metrics` for your own, ``False`` for none.
        counters: Run after the batch's writes, on the records whose writes landed (a
            :class:`CounterWriter`).

    Raises:
        InvalidInputError: ``event`` is not a stream event at all (no ``Records`` list).
        ConfigurationError: ``now`` is naive, ``ttl_days`` is given with a ``projection``,
            the sink's key attributes are not the projection's (see :func:`check_sink_fits`),
            or ``counters`` is not a :class:`CounterWriter` of the projection's view; raised
            before any record is processed.
    """
    started = time.monotonic()
    project = _projection(projection, ttl_days)
    check_sink_fits(sink, project)
    if counters is not None:
        _check_step_fits(counters, project)
    raw_records = records_of(event)
    clock = now or datetime.now(UTC)
    if clock.utcoffset() is None:
        raise ConfigurationError(f"now must be timezone-aware, got naive {clock.isoformat()}")
    outcome = _Outcome()
    records: dict[int, StreamRecord] = {}
    plan = WritePlan(sink.key_attributes)
    effects: dict[int, Sequence[WriteOp] | InvalidInputError] = {}
    for index, raw in enumerate(raw_records):
        try:
            records[index] = parse_record(raw, index)  # kept on failure: its ids go in the log
            ops = effects[index] = project(records[index], now=clock)
            plan.add(ops, index)
        except InvalidInputError as error:
            outcome.bad[index] = effects[index] = error
            plan.add([op for op in error.cleanup if isinstance(op, Put | Delete)], index)
    deadline = _deadline(context)
    _write(plan, sink, outcome, deadline)
    if counters is not None:
        _count(counters, records, effects, outcome, now=clock, deadline=deadline)
    outcome.settle()
    _report_bad(raw_records, records, outcome, dead_letter)
    response = _response(records, outcome)
    _log_summary(len(raw_records), outcome, started)
    if metrics:
        emit_metrics(
            success=_succeeded(len(raw_records), outcome),
            errors=len(outcome.bad),
            batch_size=len(raw_records),
            metrics=metrics if isinstance(metrics, Metrics) else None,
        )
    return response


def check_sink_fits(sink: Sink, projection: Projection) -> None:
    """Refuse a sink whose table is keyed otherwise than the projection's items.

    Every operation would then lack the sink's key attributes, and every record would be
    rejected as bad input: a configuration mistake dressed up as bad data.

    Raises:
        ConfigurationError: The key attribute names differ (in name or order).
    """
    expected = tuple(projection.key_attributes)
    actual = tuple(sink.key_attributes)
    if actual != expected:
        raise ConfigurationError(
            f"the sink's key attributes {', '.join(actual)} are not the projection's: "
            f"{type(projection).__name__} writes items keyed by {', '.join(expected)} "
            f"(partition key first); give the sink key_attributes={expected!r}"
        )


def _check_step_fits(step: object, projection: Projection) -> None:
    """Refuse, before any write, what is not a step or was declared for another projection.

    A :class:`Counters` given where its :class:`CounterWriter` belongs is the likely mistake.
    """
    check = getattr(step, "check_fits", None)
    if not callable(getattr(step, "apply_batch", None)) or not callable(check):
        raise ConfigurationError(
            f"counters= takes a CounterWriter, got {type(step).__name__}: write "
            "counters=CounterWriter(counters, table_name)"
        )
    check(projection)


def _projection(projection: Projection | None, ttl_days: int | None) -> Projection:
    if projection is None:
        return DashboardProjection(ttl_days=DEFAULT_TTL_DAYS if ttl_days is None else ttl_days)
    if ttl_days is not None:
        raise ConfigurationError(
            "ttl_days configures the default projection; a view declares its own ttl"
        )
    return projection


def _deadline(context: LambdaContext | None) -> float | None:
    if context is None:
        return None
    remaining = context.get_remaining_time_in_millis() / 1000 - DEADLINE_MARGIN_SECONDS
    return time.monotonic() + max(remaining, 0.0)


def _write(plan: WritePlan, sink: Sink, outcome: _Outcome, deadline: float | None) -> None:
    ops, record_indexes = plan.planned()
    if not ops:
        return
    try:
        result = sink.write(ops, deadline=deadline)
    except Exception:
        # Not attributable to one record: retry from the first record with a write, so that
        # nothing is lost (records before it wrote nothing; a bad one is reported now).
        logger.exception("sink failed; the batch will be retried from its first write")
        outcome.retry(min(record_indexes))
        return
    for failure in result.failed:
        index = record_indexes[failure.index]
        if failure.error.retryable:
            outcome.retry(index)
        else:
            outcome.bad.setdefault(index, failure.error)


def _count(  # noqa: PLR0913 - the batch's state and its two clocks, by name
    counters: BatchStep,
    records: Mapping[int, StreamRecord],
    effects: Mapping[int, Sequence[WriteOp] | InvalidInputError],
    outcome: _Outcome,
    *,
    now: datetime,
    deadline: float | None,
) -> None:
    """Run the counters on the records before the first one left for Lambda's retry.

    Not on a record a write of which the sink rejected: the dashboard does not show what it
    planned. A record the view rejected is counted: its dashboard items are deleted.
    """
    unwritten = {index for index, error in outcome.bad.items() if effects.get(index) is not error}
    entries = entries_before(records, effects, outcome.retry_from, unwritten=unwritten)
    step = counters.apply_batch(entries, now=now, deadline=deadline)
    for index, rejection in step.rejected.items():
        outcome.bad.setdefault(index, rejection)
    if step.retry_from is not None:
        outcome.retry(step.retry_from)


def _succeeded(size: int, outcome: _Outcome) -> int:
    """Records neither rejected nor left for the retry (a bad one there is not counted twice)."""
    done = size if outcome.retry_from is None else outcome.retry_from
    return sum(1 for index in range(done) if index not in outcome.bad)


def _response(records: Mapping[int, StreamRecord], outcome: _Outcome) -> BatchResponse:
    if outcome.retry_from is None:
        return {"batchItemFailures": []}
    # Retries start at a record that planned a write, so it parsed and has a sequence number.
    identifier = records[outcome.retry_from].sequence_number
    return {"batchItemFailures": [{"itemIdentifier": identifier}]}


def _report_bad(
    raw_records: Sequence[object],
    records: Mapping[int, StreamRecord],
    outcome: _Outcome,
    dead_letter: Callable[[BadRecord], None] | None,
) -> None:
    for index, error in sorted(outcome.bad.items()):
        raw = raw_records[index]
        record = records.get(index)
        logger.error(
            "record rejected: %s",
            error,
            extra={
                "event_id": record.event_id if record else _field(raw, "eventID"),
                "sequence_number": record.sequence_number if record else "",
                "key": _primary_key(record),
                "error_type": type(error).__name__,
                "retryable": False,
            },
        )
        if dead_letter is not None:
            dead_letter(BadRecord(raw, error))


def _field(raw: object, name: str) -> str:
    return str(raw.get(name, "")) if isinstance(raw, Mapping) else ""


def _primary_key(record: StreamRecord | None) -> dict[str, str]:
    """The primary item's key (``dynamodb.Keys``) as text, named by its own attributes."""
    if record is None:
        return {}
    key = {}
    for name, value in record.keys.items():
        payload = value.get("S", value.get("N")) if isinstance(value, Mapping) else None
        key[str(name)] = payload if isinstance(payload, str) else repr(value)[:80]
    return key


def _log_summary(size: int, outcome: _Outcome, started: float) -> None:
    logger.info(
        "batch processed",
        extra={
            "records": size,
            "rejected": len(outcome.bad),
            "retry_from_index": outcome.retry_from,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        },
    )
