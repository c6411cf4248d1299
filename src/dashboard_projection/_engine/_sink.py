"""The ``Sink`` protocol: where a write plan goes, and how a sink says what did not land."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from dashboard_projection._engine._plan import WriteOp
from dashboard_projection._errors import WriteError


@dataclass(frozen=True, slots=True)
class FailedWrite:
    """One operation that was not applied.

    Attributes:
        index: Position of the operation in the sequence given to :meth:`Sink.write`.
        error: Why; ``error.retryable`` tells a throttle (try again) from a rejection (don't).
    """

    index: int
    error: WriteError


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a :meth:`Sink.write` call did.

    Attributes:
        failed: The operations that were not applied; empty when everything landed.
        requests: How many write requests (``BatchWriteItem`` calls) were sent, retries included.
    """

    failed: tuple[FailedWrite, ...] = ()
    requests: int = 0

    @property
    def ok(self) -> bool:
        """Whether every operation was applied."""
        return not self.failed


@runtime_checkable
class Sink(Protocol):
    """Applies puts and deletes of items in DynamoDB JSON, and says exactly which did not land.

    Operations on distinct keys are independent; when two operations share a key, the later one
    in the sequence wins. ``write`` never raises for a failed operation: it reports it in
    :attr:`WriteResult.failed`, so the caller decides what to retry.
    """

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """Names of the table's primary key attributes (hash key first)."""
        ...

    def write(self, ops: Sequence[WriteOp], *, deadline: float | None = None) -> WriteResult:
        """Apply ``ops``; retry transient failures until ``deadline`` (``time.monotonic()``)."""
        ...
