"""What one stream record implies for a read model: the ``Projection`` protocol.

A projection is pure: from a record (its old and new images) and the clock to the puts and
deletes that bring the read model up to date. The processor combines a batch's operations (the
last one per key wins), so applying a batch equals applying its records one by one, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from typing import Protocol, TypeGuard

from dashboard_projection._engine._plan import WriteOp
from dashboard_projection._engine._records import StreamRecord


class Projection(Protocol):
    """A pure function from a stream record to the writes it implies.

    Raise :class:`~dashboard_projection.InvalidInputError` (or a subclass) for a record that can
    never be projected: the processor logs it, counts it, and goes on with the rest of the batch.
    Writes that are owed all the same (deleting what the record's predecessor projected) go in
    the error's ``cleanup``; the processor applies them with the batch.
    """

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """The read model's primary key attributes; every op carries them."""
        ...

    def __call__(self, record: StreamRecord, *, now: datetime) -> Sequence[WriteOp]:
        """The puts and deletes ``record`` implies."""
        ...


#: An identity per operation (see :meth:`KnowsItsKeys._identities`), in the operations' order.
Keys = Sequence[Hashable]
#: A record's operations and their :data:`Keys` (see :class:`KnowsItsKeys`).
KeyedOperations = Callable[[StreamRecord], tuple[Sequence[WriteOp], Keys]]


class KnowsItsKeys(Protocol):
    """A projection that hands over each operation's identity with it: it built the keys itself.

    The processor then plans without reading every key back out of the items
    (``WritePlan.add_keyed``); ``DashboardView`` is one. Private to the engine.
    """

    def _keyed_operations(self, now: datetime) -> KeyedOperations:
        """What the processor runs per record of a batch projected at ``now``.

        For each record, ``self(record, now=now)`` and the :meth:`_identities` of its
        operations; one function per batch, so that what depends on the clock alone is looked
        up once.
        """
        ...

    def _identities(self, ops: Sequence[WriteOp]) -> Keys:
        """What tells the items of ``ops`` apart, for any op on the projection's table.

        Two ops' identities are equal exactly when their ``key_identity`` is: a record's
        cleanup goes into the same plan as the others' operations.

        Raises:
            InvalidInputError: An op lacks its key.
        """
        ...


def knows_its_keys(projection: object) -> TypeGuard[KnowsItsKeys]:
    """Whether ``projection`` hands over its keys, and its ``__call__`` is the one they match.

    Asked of the class, not the instance: the class that defines the ``__call__`` in use must
    define ``_keyed_operations`` and ``_identities`` too. So a subclass that overrides
    ``__call__`` (and not the keyed twins) has its own ops read back, and a mock, whose every
    attribute exists, never takes the shortcut.
    """
    for cls in type(projection).__mro__:
        if "__call__" in cls.__dict__:
            return "_keyed_operations" in cls.__dict__ and "_identities" in cls.__dict__
    return False
