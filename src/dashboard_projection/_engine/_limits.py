"""DynamoDB's write limits, stated once, and the checks and request splitting they imply.

Both sinks cut a write into requests with :func:`split_into_requests`, which checks every
operation the way DynamoDB would; so :class:`~dashboard_projection.InMemorySink` refuses exactly
what :class:`~dashboard_projection.DynamoDBSink` refuses before sending anything, and a test that
passes against the former does not trip over a limit in production.

Sizes follow AWS's "Item sizes and formats" guide (CapacityUnitCalculations.html).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from dashboard_projection._engine._codec import deserialize_image, deserialize_value
from dashboard_projection._engine._plan import Put, WriteOp, key_identity
from dashboard_projection._engine._sink import FailedWrite
from dashboard_projection._engine._sizes import (
    SHOWN,
    Unwritable,
    members_size,
    name_size,
    tag_and_payload,
    value_size,
)
from dashboard_projection._errors import (
    ConfigurationError,
    DeserializationError,
    RejectedWriteError,
)

if TYPE_CHECKING:
    from dashboard_projection._types import AttributeValue, WireItem

#: Largest item DynamoDB stores: 400 KB, names and values included.
MAX_ITEM_BYTES = 400 * 1024
#: Most put and delete requests one ``BatchWriteItem`` call may carry.
MAX_BATCH_OPS = 25
#: Largest ``BatchWriteItem`` request. Never binding here: every item is checked against
#: :data:`MAX_ITEM_BYTES`, and 25 of them come to 10 MB, so the count limit always bites first.
MAX_REQUEST_BYTES = 16 * 1024 * 1024
#: Largest partition (hash) key value, in bytes.
MAX_PARTITION_KEY_BYTES = 2048
#: Largest sort (range) key value, in bytes.
MAX_SORT_KEY_BYTES = 1024
#: The type tags a key attribute may have.
KEY_TYPES = frozenset({"S", "N", "B"})

_MAX_KEY_ATTRIBUTES = 2  # a partition key, and optionally a sort key


def _describe_value(value: object) -> str:
    if value is None:
        return "<missing>"
    if not isinstance(value, Mapping) or len(value) != 1:
        return f"{value!r:.{SHOWN}}"
    ((tag, payload),) = value.items()
    return f"{tag}:{payload!r:.{SHOWN}}"


def describe_key(attributes: WireItem, key_attributes: Sequence[str]) -> str:
    """The key of an item or key, for messages: ``(day_partition=S:'2024-05-01', item_key=...)``."""
    shown = ", ".join(f"{name}={_describe_value(attributes.get(name))}" for name in key_attributes)
    return f"({shown})"


def _check_key_value(value: AttributeValue | None, role: str, limit: int) -> None:
    if value is None:
        raise Unwritable("missing; every item needs the table's key attributes")
    tag, payload = tag_and_payload(value)
    if tag not in KEY_TYPES:
        raise Unwritable(f"a key attribute must be S, N or B, got {tag}")
    size = value_size(value)
    if tag != "N" and not size:
        raise Unwritable(f"a key attribute cannot be empty, got {payload!r}")
    if size > limit:
        raise Unwritable(f"{size} bytes; a {role} key value holds at most {limit}")


def _check_key(attributes: WireItem, key_attributes: Sequence[str]) -> None:
    roles = (("partition", MAX_PARTITION_KEY_BYTES), ("sort", MAX_SORT_KEY_BYTES))
    for name, (role, limit) in zip(key_attributes, roles, strict=False):
        try:
            _check_key_value(attributes.get(name), role, limit)
        except Unwritable as bad:
            raise bad.within(f".{name}") from None


def validate_item_for_write(item: WireItem, key_attributes: Sequence[str], *, where: str) -> None:
    """Refuse, before any call, an item DynamoDB would reject with a ValidationException.

    Everything that can be told from the item alone is checked. What needs the table's
    definition (a key's declared type, a GSI key's type) is left to DynamoDB, and
    ``DynamoDBSink`` isolates such an item when the request is rejected.

    A rejected item in a ``BatchWriteItem`` request fails the whole request, so finding it here
    is cheaper than finding it by splitting requests; and a fake sink that checks the same
    rules lets tests fail where production would.

    Args:
        item: The item, in DynamoDB JSON.
        key_attributes: The table's key attribute names, partition key first.
        where: What the item was being written to, e.g. ``table 'dashboard'``, for the message.

    Raises:
        RejectedWriteError: A key attribute is missing, not S/N/B, empty or too long; a set is
            empty or repeats a member; a number is a float, has more than 38 significant
            digits or is out of range; the item is over 400 KB. The message names the item's
            key and the path.
    """
    _validate_put(item, key_attributes, where, _Checked())


class _Checked:
    """Attribute values already checked in one write, by identity, with their sizes.

    A record's items share every attribute value but two or three (the projection copies the
    mapping, not the values), so each shared value is sized and decoded once per write, not once
    per item. Identity is a safe key while the operations, which hold the values, are alive:
    one :func:`split_into_requests` call.
    """

    __slots__ = ("_sizes",)

    def __init__(self) -> None:
        self._sizes: dict[int, tuple[str, int]] = {}  # id(value): (its name, name + value bytes)

    def size(self, item: WireItem) -> int | None:
        """The item's size if every attribute is valid (sized and decoded), else ``None``."""
        if type(item) is not dict:
            return None
        sizes = self._sizes
        size = 0
        try:
            for name, value in item.items():
                known = sizes.get(id(value))
                if known is None or known[0] != name:
                    known = (name, name_size(name) + value_size(value))
                    if "S" not in value:  # a sized S is a str: decoding would add nothing
                        deserialize_value(value)  # numbers' range, duplicate set members
                    sizes[id(value)] = known
                size += known[1]
        except (Unwritable, DeserializationError):
            return None  # the full check below says what is wrong, and where
        return size


def _validate_put(
    item: WireItem, key_attributes: Sequence[str], where: str, checked: _Checked
) -> None:
    """:func:`validate_item_for_write`, with the values ``checked`` knows taken as checked."""
    try:
        _check_key(item, key_attributes)
    except Unwritable as bad:
        raise _rejection(item, key_attributes, where, f"{bad.path}: {bad.reason}") from None
    size = checked.size(item)
    if size is None:
        try:
            size = members_size(item)
        except Unwritable as bad:
            raise _rejection(item, key_attributes, where, f"{bad.path}: {bad.reason}") from None
        try:
            deserialize_image(item, path="")  # numbers' digits and range, duplicate set members
        except DeserializationError as bad:
            raise _rejection(item, key_attributes, where, str(bad).lstrip(".")) from None
    if size > MAX_ITEM_BYTES:
        reason = f"{size} bytes; DynamoDB stores items of at most {MAX_ITEM_BYTES} bytes (400 KB)"
        raise _rejection(item, key_attributes, where, reason)


def _validate_delete_key(key: WireItem, key_attributes: Sequence[str], *, where: str) -> None:
    """A delete names exactly the key attributes; anything more is a ValidationException."""
    try:
        _check_key(key, key_attributes)
    except Unwritable as bad:
        raise _rejection(key, key_attributes, where, f"{bad.path}: {bad.reason}") from None
    extra = sorted(set(key) - set(key_attributes))
    if extra:
        reason = f"a delete key holds only {', '.join(key_attributes)}, got also {', '.join(extra)}"
        raise _rejection(key, key_attributes, where, reason)


def _rejection(
    attributes: WireItem, key_attributes: Sequence[str], where: str, reason: str
) -> RejectedWriteError:
    return RejectedWriteError(f"{where}: item {describe_key(attributes, key_attributes)}: {reason}")


def check_key_attributes(key_attributes: Sequence[str]) -> tuple[str, ...]:
    """The table's key attribute names, checked: one or two distinct, non-empty names.

    Raises:
        ConfigurationError: There are none, more than two, repeats, or empty names.
    """
    names = tuple(key_attributes)
    if isinstance(key_attributes, str) or not 1 <= len(names) <= _MAX_KEY_ATTRIBUTES:
        raise ConfigurationError(
            f"key_attributes must name the partition key and optionally a sort key, got {names!r}"
        )
    if len(set(names)) != len(names) or not all(names):
        raise ConfigurationError(f"key_attributes must be distinct, non-empty names, got {names!r}")
    return names


class Requests(NamedTuple):
    """A write cut into ``BatchWriteItem`` requests, and the operations refused beforehand.

    Attributes:
        batches: Positions (in the sequence given) of the operations each request carries: at
            most 25, on distinct keys, each the last operation on its key.
        rejected: The operations DynamoDB would reject, which no request carries.
        identities: The key identity (:func:`key_identity`) of each operation the batches
            carry, by position: computed once, here.
    """

    batches: list[list[int]]
    rejected: list[FailedWrite]
    identities: dict[int, tuple[Hashable, ...]]


def split_into_requests(
    ops: Sequence[WriteOp], key_attributes: Sequence[str], *, where: str
) -> Requests:
    """Check each operation, keep the last valid one per key, and cut them into requests.

    Checking comes first, so a rejected operation leaves the key to the valid operation before
    it, as writing the operations one at a time would. One operation per key also keeps each
    request legal: ``BatchWriteItem`` refuses two operations on one key, and applies the
    operations of a request in no particular order.

    Args:
        ops: The operations, in the order they were asked for.
        key_attributes: The table's key attribute names, partition key first.
        where: What is written to, for messages, e.g. ``table 'dashboard'``.
    """
    rejected: list[FailedWrite] = []
    latest: dict[tuple[Hashable, ...], int] = {}
    checked = _Checked()
    for index, op in enumerate(ops):
        try:
            if isinstance(op, Put):
                attributes = op.item
                _validate_put(attributes, key_attributes, where, checked)
            else:
                attributes = op.key
                _validate_delete_key(attributes, key_attributes, where=where)
        except RejectedWriteError as error:
            rejected.append(FailedWrite(index, error))
            continue
        latest[key_identity(attributes, key_attributes)] = index
    identities = {index: identity for identity, index in latest.items()}
    order = sorted(identities)
    starts = range(0, len(order), MAX_BATCH_OPS)
    batches = [order[start : start + MAX_BATCH_OPS] for start in starts]
    return Requests(batches, rejected, identities)
