"""Write plans: the puts and deletes a batch implies, one per key, the last one winning.

A plan is what crosses from the processor to a :class:`~dashboard_projection.Sink`. Every
operation remembers which stream record asked for it, so that a write that does not land can be
traced back to the earliest record Lambda has to resume from.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from dashboard_projection._engine._frozen import slot_setters
from dashboard_projection._errors import InvalidInputError
from dashboard_projection._types import AttributeValue, WireItem


@dataclass(frozen=True, slots=True, init=False)
class Put:
    """Write ``item`` (DynamoDB JSON), replacing any item with the same key."""

    item: WireItem

    def __init__(self, item: WireItem) -> None:
        """Store ``item`` through its slot: a batch makes thousands (see ``_frozen``)."""
        _set_item(self, item)


@dataclass(frozen=True, slots=True, init=False)
class Delete:
    """Delete the item whose primary key is ``key`` (DynamoDB JSON); absent keys are fine."""

    key: WireItem

    def __init__(self, key: WireItem) -> None:
        """Store ``key`` through its slot (see ``_frozen``)."""
        _set_key(self, key)


(_set_item,) = slot_setters(Put)
(_set_key,) = slot_setters(Delete)


WriteOp = Put | Delete


def _key_part(value: AttributeValue) -> Hashable:
    ((tag, payload),) = value.items()  # a key attribute is S, N or B: one type tag
    if tag == "N":
        return Decimal(payload)  # "1" and "1.0" name the same item
    if tag == "B":  # base64 text and bytes name the same item
        return base64.b64decode(payload) if type(payload) is str else bytes(payload)
    return str(payload)


def key_identity(attributes: WireItem, key_attributes: Sequence[str]) -> tuple[Hashable, ...]:
    """What DynamoDB compares to tell items apart: the key values, numbers compared as numbers.

    Only for attributes that passed validation: every key attribute present, S, N or B.
    """
    parts = []
    for name in key_attributes:  # the usual key, plain strings, without a call per part
        value = attributes[name]
        text = value.get("S") if type(value) is dict and len(value) == 1 else None
        parts.append(text if type(text) is str else _key_part(value))
    return tuple(parts)


def attributes_of(op: WriteOp) -> WireItem:
    """The attributes that carry an operation's key: the item of a put, the key of a delete."""
    return op.item if isinstance(op, Put) else op.key


def key_identities(key_attributes: Sequence[str], ops: Sequence[WriteOp]) -> list[Hashable]:
    """Each op's :func:`key_identity` for ``key_attributes``.

    Raises:
        InvalidInputError: An op has no valid key.
    """
    try:  # attributes_of() inlined: thousands of ops per batch, a call less each
        return [
            key_identity(op.item if isinstance(op, Put) else op.key, key_attributes) for op in ops
        ]
    except (KeyError, ValueError, TypeError, ArithmeticError, binascii.Error) as exc:
        raise InvalidInputError(
            f"expected every operation to carry the key attributes "
            f"{', '.join(key_attributes)} as S, N or B values ({type(exc).__name__}: {exc})"
        ) from None


class WritePlan:
    """Puts and deletes keyed by item key; a later op on a key replaces the earlier one.

    Applying the plan gives the same table as applying every record's operations one by one,
    in stream order: for each key only the last operation matters, and keys are independent.
    """

    def __init__(
        self,
        key_attributes: Sequence[str],
        identities: Callable[[Sequence[WriteOp]], Sequence[Hashable]] | None = None,
    ) -> None:
        """Start an empty plan for a table whose primary key is ``key_attributes``.

        ``identities`` tells the ops' items apart, as :func:`key_identity` does (the default),
        in a form of the caller's choice: a view's sort key alone (see ``KnowsItsKeys``).
        """
        self.key_attributes = tuple(key_attributes)
        self._identities = identities or partial(key_identities, self.key_attributes)
        # The op and its record's index per key, in two dicts of one order (a key keeps its
        # place when replaced): no pair to build per op, and a batch plans thousands.
        self._ops: dict[Hashable, WriteOp] = {}
        self._records: dict[Hashable, int] = {}

    def add(self, ops: Sequence[WriteOp], record_index: int) -> None:
        """Record one record's ``ops``; each replaces what an earlier op planned for its key.

        Raises:
            InvalidInputError: An op has no valid key; then none of ``ops`` is recorded.
        """
        self.add_keyed(ops, self.identities(ops), record_index)

    def identities(self, ops: Sequence[WriteOp]) -> Sequence[Hashable]:
        """Each op's identity in this plan (:func:`key_identity` unless told otherwise).

        Raises:
            InvalidInputError: An op has no valid key.
        """
        return self._identities(ops)

    def add_keyed(
        self, ops: Sequence[WriteOp], keys: Sequence[Hashable], record_index: int
    ) -> None:
        """:meth:`add` of ops whose identities are known: ``keys[i]`` is ``ops[i]``'s."""
        planned, records = self._ops, self._records
        for key, op in zip(keys, ops, strict=True):
            planned[key] = op
            records[key] = record_index

    def __len__(self) -> int:
        """The number of distinct keys written or deleted."""
        return len(self._ops)

    def planned(self) -> tuple[list[WriteOp], list[int]]:
        """The operations, one per key, and the position of the record that asked for each."""
        return list(self._ops.values()), list(self._records.values())
