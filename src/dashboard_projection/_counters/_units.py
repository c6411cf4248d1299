"""A batch's records, as one counter change per source item, packed into transactions.

A source item's records in a batch bring its contribution from what its first record's old
image projected to what its last record leaves on the dashboard; the records in between change
nothing the counters keep. So each source item of a batch is one :class:`Change`: one marker
``Put`` and the counter deltas, whatever the number of its records. Changes are then packed,
whole, into transactions of at most 100 actions (DynamoDB API Reference,
``TransactWriteItems``), their deltas merged per counter so that each counter item is touched
once per transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from dashboard_projection._counters._declaration import (
    MAX_TRANSACTION_ACTIONS,
    Contribution,
    Counters,
    add,
    deltas,
)
from dashboard_projection._counters._items import sequence_key, source_of
from dashboard_projection._engine._plan import Put
from dashboard_projection._engine._steps import StepEntry
from dashboard_projection._errors import DashboardProjectionError, InvalidInputError


@dataclass(frozen=True, slots=True)
class Change:
    """What a batch's records of one source item do to the counters.

    Attributes:
        source: The source item (:func:`source_of`).
        sequence: Its last record's ``SequenceNumber``, zero-padded (:func:`sequence_key`).
        expected: The contribution the marker is expected to hold: the first record's old
            image's, until the marker says otherwise.
        new: The contribution its last record leaves.
        indexes: Its records' positions in the batch, in stream order.
    """

    source: str
    sequence: str
    expected: Contribution
    new: Contribution
    indexes: tuple[int, ...]

    @property
    def deltas(self) -> Contribution:
        """``new - expected``, per counter id whose amounts change."""
        return deltas(self.expected, self.new)

    def expecting(self, contribution: Contribution) -> Change:
        """The same change, computed from the marker's actual ``contribution``."""
        return replace(self, expected=contribution)


def changes_of(
    counters: Counters, entries: Sequence[StepEntry], *, now: datetime
) -> tuple[list[Change], dict[int, DashboardProjectionError]]:
    """One :class:`Change` per source item of ``entries``, and the records rejected.

    Changes come in the order of their first record. A record whose sequence number or key
    cannot be used is rejected as bad input.

    A REMOVE the dashboard ignores (a TTL delete, or any when removes do not propagate) is left
    out: the counters keep the item's contribution, as the dashboard keeps its items.
    """
    changes: dict[str, Change] = {}
    rejected: dict[int, DashboardProjectionError] = {}
    view = counters.view
    for entry in entries:
        record = entry.record
        if record.event_name == "REMOVE" and (record.is_ttl_delete or not view.propagate_removes):
            continue
        try:
            source = source_of(counters, record.keys)
            sequence = sequence_key(record.sequence_number)
        except InvalidInputError as error:
            rejected[entry.index] = error
            continue
        new = (
            {}
            if isinstance(entry.effect, InvalidInputError)
            else counters.contribution(op.item for op in entry.effect if isinstance(op, Put))
        )
        before = changes.get(source)
        if before is None:
            expected = _old_contribution(counters, entry, now)
            changes[source] = Change(source, sequence, expected, new, (entry.index,))
        else:
            indexes = (*before.indexes, entry.index)
            changes[source] = replace(before, sequence=sequence, new=new, indexes=indexes)
    return list(changes.values()), rejected


def _old_contribution(counters: Counters, entry: StepEntry, now: datetime) -> Contribution:
    """What the old image projected: the marker's state when records apply in order."""
    old_image = entry.record.old_image
    if not old_image:
        return {}
    try:
        items = counters.view.project_image(old_image, now=now, path="OldImage")
    except DashboardProjectionError:
        return {}
    return counters.contribution(items)


def merged_deltas(changes: Iterable[Change]) -> Contribution:
    """The changes' deltas added up per counter id, without those that cancel out."""
    total: Contribution = {}
    for change in changes:
        for identifier, amounts in change.deltas.items():
            add(total, identifier, amounts)
    return {identifier: amounts for identifier, amounts in total.items() if any(amounts)}


def pack(
    changes: Sequence[Change], max_actions: int = MAX_TRANSACTION_ACTIONS
) -> list[list[Change]]:
    """``changes`` in order, in groups whose transaction holds at most ``max_actions`` actions.

    A group's actions are a marker ``Put`` per change and an ``Update`` per counter id any of
    them changes (an upper bound: deltas that cancel out are left out when it is sent). A change
    that alone needs more is a group of its own: it still fits in the 100 actions DynamoDB
    takes (:attr:`Counters.max_actions` is checked at declaration).
    """
    groups: list[list[Change]] = []
    counters_touched: set[str] = set()
    for change in changes:
        touched = counters_touched | change.deltas.keys()
        if groups and len(groups[-1]) + 1 + len(touched) <= max_actions:
            groups[-1].append(change)
            counters_touched = touched
        else:
            groups.append([change])
            counters_touched = set(change.deltas)
    return groups
