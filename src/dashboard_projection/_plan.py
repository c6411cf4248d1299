"""Write plans: the puts and deletes a batch implies, one per key, the last one winning.

A plan is what crosses from the processor to a :class:`~dashboard_projection.Sink`. Every
operation remembers which stream record asked for it, so that a write that does not land can be
traced back to the earliest record Lambda has to resume from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dashboard_projection._types import WireItem


@dataclass(frozen=True, slots=True)
class Put:
    """Write ``item`` (DynamoDB JSON), replacing any item with the same key."""

    item: WireItem


@dataclass(frozen=True, slots=True)
class Delete:
    """Delete the item whose primary key is ``key`` (DynamoDB JSON); absent keys are fine."""

    key: WireItem


WriteOp = Put | Delete


def key_of(op: WriteOp, key_attributes: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The identity of the item ``op`` touches: its key attributes' (type tag, value) pairs.

    Raises:
        KeyError: the operation lacks one of the table's key attributes.
    """
    attributes = op.item if isinstance(op, Put) else op.key
    return tuple(next(iter(attributes[name].items())) for name in key_attributes)


@dataclass(frozen=True, slots=True)
class PlannedOp:
    """An operation and the position, in the batch, of the record that asked for it."""

    op: WriteOp
    record_index: int


class WritePlan:
    """Puts and deletes keyed by item key; a later op on a key replaces the earlier one.

    Applying the plan gives the same table as applying every record's operations one by one,
    in stream order: for each key only the last operation matters, and keys are independent.
    """

    def __init__(self, key_attributes: Sequence[str]) -> None:
        """Start an empty plan for a table whose primary key is ``key_attributes``."""
        self.key_attributes = tuple(key_attributes)
        self._ops: dict[tuple[tuple[str, str], ...], PlannedOp] = {}

    def add(self, op: WriteOp, record_index: int) -> None:
        """Record ``op``; it replaces whatever an earlier record planned for the same key."""
        self._ops[key_of(op, self.key_attributes)] = PlannedOp(op, record_index)

    def __len__(self) -> int:
        """The number of distinct keys written or deleted."""
        return len(self._ops)

    def __iter__(self) -> Iterator[PlannedOp]:
        """The planned operations, one per key."""
        return iter(self._ops.values())
