"""A step after a batch's writes (the counters are one): what it is given and what it says.

The processor plans and writes a batch as a whole; a step then acts on the records that got
that far (their planned writes, or the error the view rejected them with), and says which
records it rejected and where Lambda must resume.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from dashboard_projection._engine._plan import WriteOp
from dashboard_projection._engine._projection import Projection
from dashboard_projection._engine._records import StreamRecord
from dashboard_projection._errors import DashboardProjectionError, InvalidInputError


@dataclass(frozen=True, slots=True)
class StepEntry:
    """One record a step acts on.

    Attributes:
        index: Its position in the batch.
        record: The parsed record.
        effect: The writes the view planned for it, or the error the view rejected it with.
    """

    index: int
    record: StreamRecord
    effect: Sequence[WriteOp] | InvalidInputError


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What a step did to a batch.

    Attributes:
        rejected: Records it rejected as bad input (by position), with why.
        retry_from: The earliest record Lambda must deliver again (a retryable failure, or the
            deadline); ``None`` when every record was handled. Records after it may have been
            handled already: the step makes handling them again a no-op.
    """

    rejected: dict[int, DashboardProjectionError] = field(default_factory=dict)
    retry_from: int | None = None


class BatchStep(Protocol):
    """A step after the batch's writes (:class:`CounterWriter` is one)."""

    def check_fits(self, projection: Projection) -> None:
        """Refuse, before any record is processed, a projection the step cannot follow.

        Raises:
            ConfigurationError: The step was declared for another projection.
        """
        ...

    def apply_batch(
        self, entries: Sequence[StepEntry], *, now: datetime, deadline: float | None
    ) -> StepOutcome:
        """Act on ``entries`` (in stream order); stop starting requests past ``deadline``.

        Args:
            entries: The records whose writes landed, with their effects.
            now: The processor's clock.
            deadline: ``time.monotonic()`` past which no request should start; ``None``: none.
        """
        ...


def entries_before(
    records: Mapping[int, StreamRecord],
    effects: Mapping[int, Sequence[WriteOp] | InvalidInputError],
    before: int | None,
    *,
    unwritten: Container[int] = (),
) -> list[StepEntry]:
    """The parsed records before ``before`` (every one when ``None``), in stream order.

    Records in ``unwritten`` (the sink rejected a write of theirs) are left out: what they
    leave on the dashboard is not what they planned.
    """
    return [
        StepEntry(index, record, effects[index])
        for index, record in records.items()
        if (before is None or index < before) and index in effects and index not in unwritten
    ]
