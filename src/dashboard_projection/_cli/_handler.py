"""The Lambda's processing step as the command line runs it, and Lambda's retry of a failed batch.

Every command hands batches to :class:`CliHandler`, which calls :func:`process_stream_event`
exactly as the handler from :func:`make_handler` does, with two differences that only concern
the terminal and the clock: no Embedded Metric Format lines (in Lambda they go to CloudWatch; here
they would bury the output), and an optional fixed ``now``, so that a run can be compared with
the pure projection at the same instant. The package's logs are shown as one line each on stderr
(:func:`cli_logging`), not as Lambda's JSON.

:func:`deliver` is what Lambda's event source mapping does with the partial batch response: the
records before the reported ``itemIdentifier`` are done, and the batch is retried from it.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dashboard_projection._cli._errors import FAILURE, PROG, CliError
from dashboard_projection._engine._outcome import BadRecord, BatchResponse
from dashboard_projection._engine._plan import Put, WriteOp
from dashboard_projection._engine._processor import process_stream_event
from dashboard_projection._engine._projection import Projection
from dashboard_projection._engine._steps import BatchStep
from dashboard_projection._sentiment._projection import DashboardProjection

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from datetime import datetime

    from dashboard_projection._engine._sink import Sink, WriteResult

#: Deliveries of one batch, the first included, before a command gives up on it.
DELIVERY_ATTEMPTS = 5
_FIRST_BACKOFF_SECONDS = 0.2
_CONTEXT_FIELDS = ("event_id", "sequence_number", "source_id")

Record = dict[str, Any]


class TallySink:
    """A sink that passes writes on, and counts (or keeps, for a dry run) those that landed."""

    def __init__(self, inner: Sink, *, keep: bool = False) -> None:
        """Wrap ``inner``; with ``keep``, the landed operations are kept in :attr:`ops`."""
        self._inner = inner
        self._keep = keep
        self.ops: list[WriteOp] = []
        self.puts = 0
        self.deletes = 0

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """The inner sink's key attributes."""
        return self._inner.key_attributes

    def write(self, ops: Sequence[WriteOp], *, deadline: float | None = None) -> WriteResult:
        """Write through the inner sink; count what it did not report as failed."""
        result = self._inner.write(ops, deadline=deadline)
        failed = {failure.index for failure in result.failed}
        landed = [op for index, op in enumerate(ops) if index not in failed]
        puts = sum(isinstance(op, Put) for op in landed)
        self.puts += puts
        self.deletes += len(landed) - puts
        if self._keep:
            self.ops += landed
        return result


@dataclass(slots=True)
class CliHandler:
    """``process_stream_event`` on a sink, without metrics; counts the records it rejects.

    Attributes:
        sink: Where the writes go.
        now: The clock for TTLs; the current time of each batch when ``None``.
        projection: The view the command runs (``--view``; the sentiment dashboard by default).
        rejected: Records rejected as bad input (each is also logged).
        counters: Counters kept per record (a :class:`CounterWriter`), if any.
    """

    sink: Sink
    now: datetime | None = None
    projection: Projection = field(default_factory=DashboardProjection)
    rejected: list[BadRecord] = field(default_factory=list)
    counters: BatchStep | None = None

    def __call__(self, event: Mapping[str, Any]) -> BatchResponse:
        """Process one batch, as Lambda's handler would."""
        return process_stream_event(
            event,
            self.sink,
            now=self.now,
            projection=self.projection,
            dead_letter=self.rejected.append,
            metrics=False,
            counters=self.counters,
        )


def deliver(
    handler: Callable[[Mapping[str, Any]], BatchResponse],
    records: Sequence[Record],
    *,
    on_done: Callable[[Sequence[Record]], None],
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Hand ``records`` to ``handler`` as one batch until all are done, as Lambda would.

    Args:
        handler: Takes an event, returns the partial batch response.
        records: The batch, in Lambda's record shape.
        on_done: Called with each run of records that is done (e.g. to checkpoint them).
        sleep: Waits between deliveries (backoff doubling from 0.2 s).

    Raises:
        CliError: The batch still failed after :data:`DELIVERY_ATTEMPTS` deliveries.
    """
    pending = list(records)
    for attempt in range(DELIVERY_ATTEMPTS):
        if attempt:
            sleep(_FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1))
        failed = _failed_at(pending, handler({"Records": pending}))
        if failed:
            on_done(pending[:failed])
        if failed == len(pending):
            return
        pending = pending[failed:]
    sequence = pending[0].get("dynamodb", {}).get("SequenceNumber")
    raise CliError(
        f"{len(pending)} records not written after {DELIVERY_ATTEMPTS} attempts, "
        "the errors above say why",
        where=f"from sequence number {sequence}",
        exit_code=FAILURE,
    )


def _failed_at(records: Sequence[Record], response: BatchResponse) -> int:
    """Index of the first record to retry; ``len(records)`` when none.

    An identifier that is not in the batch fails the whole batch, as it does in Lambda.
    """
    identifiers = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
    if not identifiers:
        return len(records)
    sequences = [record.get("dynamodb", {}).get("SequenceNumber") for record in records]
    return min((i for i, s in enumerate(sequences) if s in identifiers), default=0)


class _OneLineFormatter(logging.Formatter):
    """``dashboard-projection: record rejected: ... [event_id=..., ...]``; no traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The message, its record context, and the exception's type and text."""
        context = [
            f"{name}={getattr(record, name)}"
            for name in _CONTEXT_FIELDS
            if getattr(record, name, "")
        ]
        text = f"{PROG}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f": {type(exc).__name__}: {exc}"
        return text + (f" [{', '.join(context)}]" if context else "")


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(self.format(record) + "\n")


@contextlib.contextmanager
def cli_logging() -> Iterator[None]:
    """Show the package's warnings and errors on stderr, one line each, while the block runs."""
    logger = logging.getLogger("dashboard_projection")
    saved = (logger.level, logger.propagate, logger.handlers[:])
    handler = _StderrHandler()
    handler.setFormatter(_OneLineFormatter())
    logger.handlers = [handler]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        logger.handlers = saved[2]
