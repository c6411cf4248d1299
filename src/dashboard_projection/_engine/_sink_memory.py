"""A sink that keeps the table in a dict, and is as strict as DynamoDB where moto is not.

It cuts writes into requests and refuses items exactly as :class:`DynamoDBSink` does (both use
:func:`split_into_requests`), and checks every request against the ``BatchWriteItem`` rules moto
lets through, so that users' tests fail on what production would fail on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dashboard_projection._engine._limits import (
    MAX_BATCH_OPS,
    check_key_attributes,
    split_into_requests,
)
from dashboard_projection._engine._plan import Put, WriteOp, attributes_of, key_identity
from dashboard_projection._engine._sink import WriteResult

if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence

    from dashboard_projection._types import WireItem


class InMemorySink:
    """A table in memory, keyed like DynamoDB keys it; for tests.

    Attributes:
        requests: How many ``BatchWriteItem``-sized requests were applied, over all writes.
    """

    def __init__(self, key_attributes: Sequence[str]) -> None:
        """Start an empty table whose primary key is ``key_attributes`` (partition key first).

        Raises:
            ConfigurationError: ``key_attributes`` is not one or two distinct names.
        """
        self._key_attributes = check_key_attributes(key_attributes)
        self._items: dict[tuple[Hashable, ...], WireItem] = {}
        self.requests = 0

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """Names of the table's primary key attributes (partition key first)."""
        return self._key_attributes

    def write(self, ops: Sequence[WriteOp], *, deadline: float | None = None) -> WriteResult:
        """Apply ``ops``; an operation DynamoDB would reject is reported, and the rest land.

        Args:
            ops: Puts and deletes; on a shared key the later one wins.
            deadline: Accepted for the :class:`Sink` protocol; a dict never needs a retry.
        """
        del deadline
        split = split_into_requests(ops, self._key_attributes, where="InMemorySink")
        for batch in split.batches:
            self._apply([ops[index] for index in batch])
        self.requests += len(split.batches)
        return WriteResult(failed=tuple(split.rejected), requests=len(split.batches))

    def _apply(self, request: Sequence[WriteOp]) -> None:
        """Apply one request, as DynamoDB would after checking the request-wide rules.

        Raises:
            AssertionError: The request breaks a rule no single item breaks (too many
                operations, two on one key). The splitting prevents both, so this is a bug in
                the sink, not bad data, and it should fail the test loudly.
        """
        identities = [key_identity(attributes_of(op), self._key_attributes) for op in request]
        if len(request) > MAX_BATCH_OPS or len(set(identities)) != len(identities):
            raise AssertionError(
                f"InMemorySink: a BatchWriteItem request of {len(request)} operations on "
                f"{len(set(identities))} keys; DynamoDB takes at most {MAX_BATCH_OPS}, one per key"
            )
        for identity, op in zip(identities, request, strict=True):
            if isinstance(op, Put):
                self._items[identity] = dict(op.item)
            else:
                self._items.pop(identity, None)

    def items(self) -> list[WireItem]:
        """The stored items, in DynamoDB JSON; in no order to rely on, as with a Scan."""
        return list(self._items.values())

    def get(self, key: WireItem) -> WireItem | None:
        """The item whose key attributes match ``key`` (DynamoDB JSON), or ``None``.

        Raises:
            KeyError: ``key`` lacks one of the table's key attributes.
        """
        return self._items.get(key_identity(key, self._key_attributes))

    def __len__(self) -> int:
        """How many items the table holds."""
        return len(self._items)
