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
from datetime import UTC, datetime
from typing import Any, Protocol

from dashboard_projection._engine._metrics import Metrics, emit_metrics
from dashboard_projection._engine._outcome import (
    BadRecord,
    BatchResponse,
    Outcome,
    batch_response,
    log_summary,
    report_bad,
    succeeded,
)
from dashboard_projection._engine._plan import Delete, Put, WriteOp, WritePlan
from dashboard_projection._engine._projection import (
    KeyedOperations,
    Keys,
    Projection,
    knows_its_keys,
)
from dashboard_projection._engine._records import StreamRecord, parse_record, records_of
from dashboard_projection._engine._sink import Sink
from dashboard_projection._engine._steps import BatchStep, entries_before
from dashboard_projection._errors import (
    ConfigurationError,
    InvalidInputError,
)
from dashboard_projection._sentiment._projection import DashboardProjection
from dashboard_projection._view._rules import DEFAULT_TTL_DAYS

logger = logging.getLogger("dashboard_projection")

#: Time kept back from the Lambda deadline for the response and the logs.
DEADLINE_MARGIN_SECONDS = 2.0


class LambdaContext(Protocol):
    """The part of Lambda's context object the processor uses."""

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until Lambda stops the invocation."""
        ...


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
    outcome = Outcome()
    records: dict[int, StreamRecord] = {}
    # What each record came to, for the counters alone: kept only when they run.
    effects: dict[int, Sequence[WriteOp] | InvalidInputError] = {}
    counting = counters is not None
    plan, operations_with_keys = _planning(project, sink.key_attributes, clock)
    for index, raw in enumerate(raw_records):
        try:
            record = records[index] = parse_record(raw, index)  # kept: its ids go in the log
            ops, keys = operations_with_keys(record)
            if counting:
                effects[index] = ops
            plan.add_keyed(ops, keys, index)
        except InvalidInputError as error:
            outcome.bad[index] = error
            if counting:
                effects[index] = error
            plan.add([op for op in error.cleanup if isinstance(op, Put | Delete)], index)
    deadline = _deadline(context)
    _write(plan, sink, outcome, deadline)
    if counters is not None:
        _count(counters, records, effects, outcome, now=clock, deadline=deadline)
    outcome.settle()
    report_bad(raw_records, records, outcome, dead_letter)
    response = batch_response(records, outcome)
    log_summary(len(raw_records), outcome, started)
    if metrics:
        emit_metrics(
            success=succeeded(len(raw_records), outcome),
            errors=len(outcome.bad),
            batch_size=len(raw_records),
            metrics=metrics if isinstance(metrics, Metrics) else None,
        )
    return response


def _planning(
    project: Projection, key_attributes: Sequence[str], now: datetime
) -> tuple[WritePlan, KeyedOperations]:
    """The batch's empty plan, and what a record implies at ``now`` with its ops' identities.

    A projection that built its keys itself (a view) hands them over, in its own form; any
    other's ops have their key identities read back. The sink's key attributes are the
    projection's (``check_sink_fits``).
    """
    if knows_its_keys(project):
        # the engine's own protocol
        plan = WritePlan(key_attributes, project._identities)  # noqa: SLF001
        return plan, project._keyed_operations(now)  # noqa: SLF001
    plan = WritePlan(key_attributes)

    def read_back(record: StreamRecord) -> tuple[Sequence[WriteOp], Keys]:
        ops = project(record, now=now)
        return ops, plan.identities(ops)

    return plan, read_back


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


def _write(plan: WritePlan, sink: Sink, outcome: Outcome, deadline: float | None) -> None:
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
    outcome: Outcome,
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
