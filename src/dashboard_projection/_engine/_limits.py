"""DynamoDB's write limits, stated once, and the checks and request splitting they imply.

Both sinks cut a write into requests with :func:`split_into_requests`, which checks every
operation the way DynamoDB would; so :class:`~dashboard_projection.InMemorySink` refuses exactly
what :class:`~dashboard_projection.DynamoDBSink` refuses before sending anything, and a test that
passes against the former does not trip over a limit in production.

Sizes follow AWS's "Item sizes and formats" guide (CapacityUnitCalculations.html).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Hashable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NamedTuple

from dashboard_projection._engine._codec import MAX_NAME_BYTES, deserialize_image, deserialize_value
from dashboard_projection._engine._plan import Put, WriteOp, key_identity
from dashboard_projection._engine._sink import FailedWrite
from dashboard_projection._errors import (
    ConfigurationError,
    DeserializationError,
    InvalidInputError,
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
_CONTAINER_OVERHEAD = 3  # bytes a List or Map costs, however many elements it has
_ELEMENT_OVERHEAD = 1  # bytes each List or Map element costs on top of its own size
_SHOWN = 40  # characters of a value quoted in an error message


class _Unwritable(Exception):  # noqa: N818 - internal signal, never escapes this module
    """Raised deep in a value; containers add their part of the path on the way out.

    Paths are built only when something is wrong, so sizing a valid item costs no strings.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self._trail: list[str] = []  # innermost segment first: ".name" or "[index]"

    def within(self, segment: str) -> _Unwritable:
        self._trail.append(segment)
        return self

    @property
    def path(self) -> str:
        """Where the value is, e.g. ``metadata.tags[2]`` (the top-level name has no dot)."""
        return "".join(reversed(self._trail)).removeprefix(".")


def _text_size(payload: object) -> int:
    if type(payload) is not str:
        raise _Unwritable(f"expected a string, got {type(payload).__name__}")
    if payload.isascii():
        return len(payload)
    try:
        return len(payload.encode())
    except UnicodeEncodeError:
        raise _Unwritable("expected valid Unicode, got a lone surrogate") from None


def _number_size(payload: object) -> int:
    """Bytes DynamoDB stores for a number: digit pairs, an exponent byte, a byte if negative.

    AWS documents this as "approximately 1 byte per two significant digits, plus 1 byte" after
    trimming leading and trailing zeros. Exactly, digits are stored in pairs aligned on the
    decimal point (as in 12|34.5 -> 12 34 50), so an even count of digits whose first digit
    starts a pair's low half (1.2 -> 01 20) takes one pair more, and negatives take a terminator
    byte. This is the formula dynalite reproduces from DynamoDB's measured capacity; it is never
    smaller than AWS's approximation, so the 400 KB check cannot let through what AWS counts
    as too big.
    """
    if type(payload) is not str:
        hint = " (floats are inexact: use decimal.Decimal)" if type(payload) is float else ""
        raise _Unwritable(
            f"expected the number as a string, e.g. {{'N': '0.72'}}, got "
            f"{type(payload).__name__} {payload!r:.{_SHOWN}}{hint}"
        )
    try:
        number = Decimal(payload)
    except InvalidOperation:
        raise _Unwritable(f"expected a decimal number, got {payload!r:.{_SHOWN}}") from None
    if not number.is_finite():
        raise _Unwritable(f"expected a finite number, got {payload!r:.{_SHOWN}}")
    if not number:
        return 1
    sign, digits, _ = number.as_tuple()
    significant = len(digits)
    while not digits[significant - 1]:  # trailing zeros do not count; leading ones are gone
        significant -= 1
    misaligned = significant % 2 == 0 and number.adjusted() % 2 == 0
    return 1 + (significant + 1) // 2 + misaligned + sign


def _binary_size(payload: object) -> int:
    """Raw byte count; a stream event carries binary as base64 text, the boto3 client as bytes."""
    if isinstance(payload, bytes | bytearray):
        return len(payload)
    if type(payload) is str:
        try:
            return len(base64.b64decode(payload, validate=True))
        except binascii.Error:
            raise _Unwritable(f"expected base64 text, got {payload!r:.{_SHOWN}}") from None
    raise _Unwritable(f"expected bytes or base64 text, got {type(payload).__name__}")


def _bool_size(payload: object) -> int:
    if type(payload) is not bool:
        raise _Unwritable(f"expected true or false, got {type(payload).__name__}")
    return 1


def _null_size(payload: object) -> int:
    if payload is not True:
        raise _Unwritable(f"expected true (the only NULL payload), got {payload!r:.{_SHOWN}}")
    return 1


def _elements_size(measure: Callable[[object], int], elements: list[Any], overhead: int) -> int:
    size = 0
    for index, element in enumerate(elements):
        try:
            size += overhead + measure(element)
        except _Unwritable as bad:
            raise bad.within(f"[{index}]") from None
    return size


def _list_size(payload: object) -> int:
    if type(payload) is not list:
        raise _Unwritable(f"expected a list, got {type(payload).__name__}")
    return _CONTAINER_OVERHEAD + _elements_size(_value_size, payload, _ELEMENT_OVERHEAD)


def _map_size(payload: object) -> int:
    if not isinstance(payload, Mapping):
        raise _Unwritable(f"expected a map of attributes, got {type(payload).__name__}")
    return _CONTAINER_OVERHEAD + _ELEMENT_OVERHEAD * len(payload) + _members_size(payload)


def _set_measure(measure: Callable[[object], int], tag: str) -> Callable[[object], int]:
    def set_size(payload: object) -> int:
        if type(payload) is not list:
            raise _Unwritable(f"expected a list of {tag} members, got {type(payload).__name__}")
        if not payload:
            raise _Unwritable(f"an empty {tag}; DynamoDB has no empty sets, omit it")
        return _elements_size(measure, payload, 0)

    return set_size


_MEASURES: dict[str, Callable[[object], int]] = {
    "S": _text_size,
    "N": _number_size,
    "B": _binary_size,
    "BOOL": _bool_size,
    "NULL": _null_size,
    "L": _list_size,
    "M": _map_size,
    "SS": _set_measure(_text_size, "SS"),
    "NS": _set_measure(_number_size, "NS"),
    "BS": _set_measure(_binary_size, "BS"),
}


def _tag_and_payload(value: Any) -> tuple[str, Any]:  # noqa: ANN401 - any value may arrive
    try:
        ((tag, payload),) = value.items()
    except (AttributeError, TypeError, ValueError):  # not a mapping, or not one entry
        raise _Unwritable(
            f"expected one typed value such as {{'S': ...}}, got {value!r:.{_SHOWN}}"
        ) from None
    return tag, payload


def _value_size(value: object) -> int:
    tag, payload = _tag_and_payload(value)
    measure = _MEASURES.get(tag)
    if measure is None:
        raise _Unwritable(f"unknown type tag {tag!r}; expected one of {', '.join(_MEASURES)}")
    return measure(payload)


def _members_size(members: Mapping[Any, object]) -> int:
    size = 0
    for name, value in members.items():
        try:
            size += _name_size(name) + _value_size(value)
        except _Unwritable as bad:
            raise bad.within(f".{name}" if name else f".{name!r}") from None
    return size


def _name_size(name: object) -> int:
    """An attribute name or map key: DynamoDB refuses an empty one, and one of 64 KB or more."""
    size = _text_size(name)
    if not size:
        raise _Unwritable("an empty attribute name or map key; DynamoDB requires one character")
    if size > MAX_NAME_BYTES:
        raise _Unwritable(f"an attribute name of {size} bytes; at most {MAX_NAME_BYTES}")
    return size


def item_size(item: WireItem) -> int:
    """The size DynamoDB counts for ``item``: attribute names plus values, with its overheads.

    Strings count their UTF-8 bytes, binary its raw bytes (whether given as bytes or as base64
    text), BOOL and NULL 1 byte, a number the width DynamoDB stores it in (about a byte per two
    significant digits, plus one; never less than AWS's estimate), a List or Map 3 bytes plus
    1 byte per element plus its elements (and, for a Map, their names), and a set the sum of
    its members.

    Raises:
        InvalidInputError: A value DynamoDB cannot hold (a float, an empty set, a malformed
            value); the error's path names the attribute.
    """
    try:
        return _members_size(item)
    except _Unwritable as bad:
        raise InvalidInputError(bad.reason, path=bad.path) from None


def _describe_value(value: object) -> str:
    if value is None:
        return "<missing>"
    if not isinstance(value, Mapping) or len(value) != 1:
        return f"{value!r:.{_SHOWN}}"
    ((tag, payload),) = value.items()
    return f"{tag}:{payload!r:.{_SHOWN}}"


def describe_key(attributes: WireItem, key_attributes: Sequence[str]) -> str:
    """The key of an item or key, for messages: ``(day_partition=S:'2024-05-01', item_key=...)``."""
    shown = ", ".join(f"{name}={_describe_value(attributes.get(name))}" for name in key_attributes)
    return f"({shown})"


def _check_key_value(value: AttributeValue | None, role: str, limit: int) -> None:
    if value is None:
        raise _Unwritable("missing; every item needs the table's key attributes")
    tag, payload = _tag_and_payload(value)
    if tag not in KEY_TYPES:
        raise _Unwritable(f"a key attribute must be S, N or B, got {tag}")
    size = _value_size(value)
    if tag != "N" and not size:
        raise _Unwritable(f"a key attribute cannot be empty, got {payload!r}")
    if size > limit:
        raise _Unwritable(f"{size} bytes; a {role} key value holds at most {limit}")


def _check_key(attributes: WireItem, key_attributes: Sequence[str]) -> None:
    roles = (("partition", MAX_PARTITION_KEY_BYTES), ("sort", MAX_SORT_KEY_BYTES))
    for name, (role, limit) in zip(key_attributes, roles, strict=False):
        try:
            _check_key_value(attributes.get(name), role, limit)
        except _Unwritable as bad:
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
                    known = (name, _name_size(name) + _value_size(value))
                    if "S" not in value:  # a sized S is a str: decoding would add nothing
                        deserialize_value(value)  # numbers' range, duplicate set members
                    sizes[id(value)] = known
                size += known[1]
        except (_Unwritable, DeserializationError):
            return None  # the full check below says what is wrong, and where
        return size


def _validate_put(
    item: WireItem, key_attributes: Sequence[str], where: str, checked: _Checked
) -> None:
    """:func:`validate_item_for_write`, with the values ``checked`` knows taken as checked."""
    try:
        _check_key(item, key_attributes)
    except _Unwritable as bad:
        raise _rejection(item, key_attributes, where, f"{bad.path}: {bad.reason}") from None
    size = checked.size(item)
    if size is None:
        try:
            size = _members_size(item)
        except _Unwritable as bad:
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
    except _Unwritable as bad:
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
