"""What happened to a batch's records, and what is said of it.

Lambda's partial batch response, the records rejected (logged, and handed to the dead-letter
hook), and the batch's summary log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from dashboard_projection._engine._records import StreamRecord
from dashboard_projection._errors import DashboardProjectionError

logger = logging.getLogger("dashboard_projection")


class BatchItemFailure(TypedDict):
    """One entry of Lambda's partial batch response."""

    itemIdentifier: str


class BatchResponse(TypedDict):
    """Lambda's partial batch response (``FunctionResponseTypes: [ReportBatchItemFailures]``)."""

    batchItemFailures: list[BatchItemFailure]


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
class Outcome:
    """What happened to the batch's records, for the response, the logs and the metrics."""

    bad: dict[int, DashboardProjectionError] = field(default_factory=dict)
    retry_from: int | None = None

    def settle(self) -> None:
        """Forget bad records Lambda will deliver again: they are reported then, not twice."""
        if self.retry_from is not None:
            self.bad = {i: error for i, error in self.bad.items() if i < self.retry_from}

    def retry(self, index: int) -> None:
        """Have Lambda resume from ``index`` at the latest: the earliest such record wins."""
        self.retry_from = index if self.retry_from is None else min(self.retry_from, index)


def succeeded(size: int, outcome: Outcome) -> int:
    """Records neither rejected nor left for the retry (a bad one there is not counted twice)."""
    done = size if outcome.retry_from is None else outcome.retry_from
    return sum(1 for index in range(done) if index not in outcome.bad)


def batch_response(records: Mapping[int, StreamRecord], outcome: Outcome) -> BatchResponse:
    if outcome.retry_from is None:
        return {"batchItemFailures": []}
    # Retries start at a record that planned a write, so it parsed and has a sequence number.
    identifier = records[outcome.retry_from].sequence_number
    return {"batchItemFailures": [{"itemIdentifier": identifier}]}


def report_bad(
    raw_records: Sequence[object],
    records: Mapping[int, StreamRecord],
    outcome: Outcome,
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


def log_summary(size: int, outcome: Outcome, started: float) -> None:
    logger.info(
        "batch processed",
        extra={
            "records": size,
            "rejected": len(outcome.bad),
            "retry_from_index": outcome.retry_from,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        },
    )
