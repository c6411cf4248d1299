"""Per-record steps after a batch's writes (the counters are one), run in lanes by item.

The processor plans and writes a batch as a whole; a step then acts on each record that got
that far (a counters transaction per record), and says which records it rejected and where
Lambda must resume.
"""

from __future__ import annotations

import binascii
import logging
import time
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from dashboard_projection._engine._concurrency import run_concurrently
from dashboard_projection._engine._plan import WriteOp, key_identity
from dashboard_projection._engine._records import StreamRecord
from dashboard_projection._errors import (
    DashboardProjectionError,
    InvalidInputError,
    RejectedWriteError,
)

logger = logging.getLogger("dashboard_projection")


class RecordStep(Protocol):
    """A per-record step after the batch's writes (:class:`CounterWriter` is one).

    ``apply`` runs for each record, in stream order, up to the first record whose writes did
    not land. A :class:`RetryableWriteError` (or any unexpected exception) makes Lambda resume
    from that record; an :class:`InvalidInputError` or :class:`RejectedWriteError` rejects it.
    """

    def apply(
        self, record: StreamRecord, effect: Sequence[WriteOp] | InvalidInputError, *, now: datetime
    ) -> object:
        """Act on ``record``, given its planned writes or the error it was rejected with."""
        ...


def run_step(  # noqa: PLR0913 - the batch's state and its two clocks, by name
    step: RecordStep,
    records: Mapping[int, StreamRecord],
    effects: Mapping[int, Sequence[WriteOp] | InvalidInputError],
    *,
    before: int | None,
    now: datetime,
    deadline: float | None,
) -> tuple[dict[int, DashboardProjectionError], int | None]:
    """Run ``step`` on the records before ``before``: each source item's records in order.

    Returns the records ``step`` rejected, and the earliest one Lambda must resume from.

    The records of one source item (its ``Keys``) form a lane, applied in stream order and
    stopped at the lane's first failure; lanes are independent, so they run concurrently, at
    most ``step.max_concurrency`` at once (one transaction per record is mostly waiting on
    DynamoDB). Lambda resumes from the earliest record any lane could not apply; what other
    lanes applied past it is applied again then, which the step must make a no-op (the
    counters' markers do). Past the deadline (``time.monotonic()``), a lane stops and leaves
    the rest for Lambda's retry.
    """
    concurrency = getattr(step, "max_concurrency", 1)
    lanes = _lanes(records, effects, before, by_item=concurrency > 1)
    retry_at: list[int] = []
    rejected: dict[int, DashboardProjectionError] = {}

    def apply(lane: list[int]) -> None:
        for index in lane:
            if deadline is not None and time.monotonic() >= deadline:
                retry_at.append(index)  # list.append is atomic: no lock needed
                return
            try:
                step.apply(records[index], effects[index], now=now)
            except (InvalidInputError, RejectedWriteError) as error:
                rejected[index] = error
            except Exception:
                logger.exception("counters failed; the batch will be retried from this record")
                retry_at.append(index)
                return

    run_concurrently(
        lanes,
        apply,
        max_concurrency=concurrency,
        name="dashboard-projection-count",
    )
    return dict(sorted(rejected.items())), min(retry_at, default=None)


def _lanes(
    records: Mapping[int, StreamRecord],
    effects: Mapping[int, object],
    retry_from: int | None,
    *,
    by_item: bool,
) -> list[list[int]]:
    """The records before ``retry_from`` that have effects, in lanes, each in stream order.

    By source item; or, one at a time, all in one lane, so that the first failure stops
    everything after it.
    """
    lanes: dict[Hashable, list[int]] = {}
    for index, record in records.items():
        if retry_from is not None and index >= retry_from:
            break
        if index in effects:
            lanes.setdefault(_lane(record, index) if by_item else (), []).append(index)
    return list(lanes.values())


def _lane(record: StreamRecord, index: int) -> Hashable:
    """The source item a record is about (its ``Keys``, numbers as numbers), else its own lane."""
    try:
        return key_identity(record.keys, sorted(record.keys)) if record.keys else ("#", index)
    except (KeyError, ValueError, TypeError, ArithmeticError, binascii.Error):
        return ("#", index)
