"""How many bytes DynamoDB counts for an item, as AWS's "Item sizes and formats" guide says.

Sizing walks the DynamoDB JSON a sink is about to send; a value DynamoDB could not store stops
the walk with :class:`Unwritable`, whose path is built only then.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from dashboard_projection._engine._malformed import MAX_NAME_BYTES
from dashboard_projection._errors import InvalidInputError

if TYPE_CHECKING:
    from dashboard_projection._types import WireItem

_CONTAINER_OVERHEAD = 3  # bytes a List or Map costs, however many elements it has
_ELEMENT_OVERHEAD = 1  # bytes each List or Map element costs on top of its own size
SHOWN = 40  # characters of a value quoted in an error message


class Unwritable(Exception):  # noqa: N818 - internal signal, caught by the limits' checks
    """Raised deep in a value; containers add their part of the path on the way out.

    Paths are built only when something is wrong, so sizing a valid item costs no strings.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self._trail: list[str] = []  # innermost segment first: ".name" or "[index]"

    def within(self, segment: str) -> Unwritable:
        self._trail.append(segment)
        return self

    @property
    def path(self) -> str:
        """Where the value is, e.g. ``metadata.tags[2]`` (the top-level name has no dot)."""
        return "".join(reversed(self._trail)).removeprefix(".")


def text_size(payload: object) -> int:
    if type(payload) is not str:
        raise Unwritable(f"expected a string, got {type(payload).__name__}")
    if payload.isascii():
        return len(payload)
    try:
        return len(payload.encode())
    except UnicodeEncodeError:
        raise Unwritable("expected valid Unicode, got a lone surrogate") from None


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
        raise Unwritable(
            f"expected the number as a string, e.g. {{'N': '0.72'}}, got "
            f"{type(payload).__name__} {payload!r:.{SHOWN}}{hint}"
        )
    try:
        number = Decimal(payload)
    except InvalidOperation:
        raise Unwritable(f"expected a decimal number, got {payload!r:.{SHOWN}}") from None
    if not number.is_finite():
        raise Unwritable(f"expected a finite number, got {payload!r:.{SHOWN}}")
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
            raise Unwritable(f"expected base64 text, got {payload!r:.{SHOWN}}") from None
    raise Unwritable(f"expected bytes or base64 text, got {type(payload).__name__}")


def _bool_size(payload: object) -> int:
    if type(payload) is not bool:
        raise Unwritable(f"expected true or false, got {type(payload).__name__}")
    return 1


def _null_size(payload: object) -> int:
    if payload is not True:
        raise Unwritable(f"expected true (the only NULL payload), got {payload!r:.{SHOWN}}")
    return 1


def _elements_size(measure: Callable[[object], int], elements: list[Any], overhead: int) -> int:
    size = 0
    for index, element in enumerate(elements):
        try:
            size += overhead + measure(element)
        except Unwritable as bad:
            raise bad.within(f"[{index}]") from None
    return size


def _list_size(payload: object) -> int:
    if type(payload) is not list:
        raise Unwritable(f"expected a list, got {type(payload).__name__}")
    return _CONTAINER_OVERHEAD + _elements_size(value_size, payload, _ELEMENT_OVERHEAD)


def _map_size(payload: object) -> int:
    if not isinstance(payload, Mapping):
        raise Unwritable(f"expected a map of attributes, got {type(payload).__name__}")
    return _CONTAINER_OVERHEAD + _ELEMENT_OVERHEAD * len(payload) + members_size(payload)


def _set_measure(measure: Callable[[object], int], tag: str) -> Callable[[object], int]:
    def set_size(payload: object) -> int:
        if type(payload) is not list:
            raise Unwritable(f"expected a list of {tag} members, got {type(payload).__name__}")
        if not payload:
            raise Unwritable(f"an empty {tag}; DynamoDB has no empty sets, omit it")
        return _elements_size(measure, payload, 0)

    return set_size


_MEASURES: dict[str, Callable[[object], int]] = {
    "S": text_size,
    "N": _number_size,
    "B": _binary_size,
    "BOOL": _bool_size,
    "NULL": _null_size,
    "L": _list_size,
    "M": _map_size,
    "SS": _set_measure(text_size, "SS"),
    "NS": _set_measure(_number_size, "NS"),
    "BS": _set_measure(_binary_size, "BS"),
}


def tag_and_payload(value: Any) -> tuple[str, Any]:  # noqa: ANN401 - any value may arrive
    try:
        ((tag, payload),) = value.items()
    except (AttributeError, TypeError, ValueError):  # not a mapping, or not one entry
        raise Unwritable(
            f"expected one typed value such as {{'S': ...}}, got {value!r:.{SHOWN}}"
        ) from None
    return tag, payload


def value_size(value: object) -> int:
    tag, payload = tag_and_payload(value)
    measure = _MEASURES.get(tag)
    if measure is None:
        raise Unwritable(f"unknown type tag {tag!r}; expected one of {', '.join(_MEASURES)}")
    return measure(payload)


def members_size(members: Mapping[Any, object]) -> int:
    size = 0
    for name, value in members.items():
        try:
            size += name_size(name) + value_size(value)
        except Unwritable as bad:
            raise bad.within(f".{name}" if name else f".{name!r}") from None
    return size


def name_size(name: object) -> int:
    """An attribute name or map key: DynamoDB refuses an empty one, and one of 64 KB or more."""
    size = text_size(name)
    if not size:
        raise Unwritable("an empty attribute name or map key; DynamoDB requires one character")
    if size > MAX_NAME_BYTES:
        raise Unwritable(f"an attribute name of {size} bytes; at most {MAX_NAME_BYTES}")
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
        return members_size(item)
    except Unwritable as bad:
        raise InvalidInputError(bad.reason, path=bad.path) from None
