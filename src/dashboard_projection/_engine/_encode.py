"""Python values to DynamoDB JSON: ``serialize_value`` and ``serialize_mapping``.

Each returns a value DynamoDB accepts or raises :class:`SerializationError` naming the path:
numbers within DynamoDB's rule (:func:`number_problem`), strings with a UTF-8 encoding, map keys
that are non-empty strings, non-empty sets of one type, at most 32 levels of nesting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from dashboard_projection._engine._malformed import (
    MAX_NAME_BYTES,
    MAX_NESTING,
    Malformed,
    describe,
    each,
)
from dashboard_projection._engine._numbers import (
    MAX_ADJUSTED_EXPONENT,
    OUT_OF_RANGE,
    number_problem,
)
from dashboard_projection._errors import SerializationError
from dashboard_projection._types import AttributeValue

_T = TypeVar("_T")


def _encode_number(value: int | Decimal) -> dict[str, str]:
    if type(value) is int and -(10**38) < value < 10**38:
        return {"N": str(value)}
    if isinstance(value, int) and not -_INT_BOUND < value < _INT_BOUND:
        # Not spelled out in the message: a huge int has more digits than str() will write.
        raise Malformed(f"an int of {value.bit_length()} bits {OUT_OF_RANGE}")
    number = Decimal(value)
    problem = number_problem(number)
    if problem is not None:
        raise Malformed(f"{describe(value)} {problem}")
    return {"N": str(number)}


_INT_BOUND = 10 ** (MAX_ADJUSTED_EXPONENT + 1)


def _text(value: str) -> str:
    """``value`` if DynamoDB can store it: valid Unicode, so that it has a UTF-8 encoding."""
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError as exc:
            raise Malformed(
                f"{describe(value)} holds a lone surrogate {value[exc.start]!r} at index "
                f"{exc.start}; DynamoDB stores only valid Unicode (UTF-8)"
            ) from None
    return value


def _name(name: object) -> str:
    """An attribute name or map key DynamoDB takes: a non-empty string of at most 64 KB."""
    if type(name) is str and name.isascii() and 0 < len(name) <= MAX_NAME_BYTES:
        return name  # the common case, at the cost of three checks
    if not isinstance(name, str):
        raise Malformed(f"attribute names and map keys must be strings, got {describe(name)}")
    text = _text(str(name))
    if not text:
        raise Malformed("an empty attribute name or map key; DynamoDB requires one character")
    if len(text) * 4 > MAX_NAME_BYTES and len(text.encode()) > MAX_NAME_BYTES:
        size = len(text.encode())
        raise Malformed(f"an attribute name of {size} bytes; at most {MAX_NAME_BYTES}")
    return text


def _encode_set(value: AbstractSet[Any]) -> dict[str, list[Any]]:
    if not value:
        raise Malformed("DynamoDB has no empty sets; omit the attribute instead")
    if all(isinstance(v, str) for v in value):
        return {"SS": sorted(_text(str(v)) for v in value)}
    if all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in value):
        # Each checked before any is compared: sorting with a NaN in the set would raise.
        spelled = [(_number(v), _encode_number(_number(v))["N"]) for v in value]
        return {"NS": [text for _, text in sorted(spelled, key=_first)]}
    if all(isinstance(v, bytes | bytearray) for v in value):
        return {"BS": [bytes(v) for v in sorted(value)]}
    raise Malformed(
        "a set must hold only strings, only numbers (int/Decimal) or only bytes, got "
        + ", ".join(sorted({type(v).__name__ for v in value}))
    )


def _first(pair: tuple[Decimal | int, str]) -> Decimal | int:
    return pair[0]


def _number(value: int | Decimal) -> int | Decimal:
    """An ``int`` or ``Decimal`` as such: an ``IntEnum`` member becomes its ``int``."""
    return value if isinstance(value, Decimal) else int(value)


def _encode_members(
    pairs: Iterable[tuple[object, object]], separator: str, room: int
) -> dict[str, AttributeValue]:
    encoded: dict[str, AttributeValue] = {}
    name: object = ""
    try:
        for name, member in pairs:
            encoded[_name(name)] = _encode(member, room)
    except Malformed as bad:
        raise bad.within(f"{separator}{_shown_name(name)}") from None
    return encoded


def _shown_name(name: object) -> str:
    return name if type(name) is str and name else repr(name)


def _encode_elements(elements: list[Any] | tuple[Any, ...], room: int) -> list[AttributeValue]:
    return each(partial(_encode, room=room), elements, "L")


def serialize_value(value: object) -> AttributeValue:
    """Encode one Python value as DynamoDB JSON, ready for the boto3 low-level client.

    ``None`` becomes NULL, ``int``/``Decimal`` N (checked against DynamoDB's limits), ``bytes`` B,
    sets SS/NS/BS (sorted, so the same value always encodes the same), mappings M, lists L.
    What is returned is what DynamoDB accepts; anything else is refused here, not deep inside
    botocore or by DynamoDB.

    Raises:
        SerializationError: ``float`` (use ``Decimal``), NaN/Infinity, a number outside
            DynamoDB's rule, empty or mixed sets, a map key that is not a non-empty string,
            a string that is not valid Unicode (a lone surrogate), nesting deeper than 32
            levels, and types DynamoDB cannot hold. Its ``path`` says where, e.g.
            ``M.scores.L[2]``.
    """
    return _encoding(_encode, value)


def serialize_mapping(item: Mapping[str, Any]) -> dict[str, AttributeValue]:
    """Encode a mapping of attribute names to Python values as a DynamoDB JSON item.

    Raises:
        SerializationError: As :func:`serialize_value`; the path starts at the attribute name.
    """
    return _encoding(_encode_item, item)


def _encode_item(item: Mapping[str, Any], room: int) -> dict[str, AttributeValue]:
    if not isinstance(item, Mapping):
        raise Malformed(f"expected a mapping of attribute names to values, got {describe(item)}")
    return _encode_members(item.items(), ".", room)


def _encoding(encode: Callable[[Any, int], _T], value: object) -> _T:
    """Run ``encode``; whatever DynamoDB would refuse becomes one ``SerializationError``."""
    try:
        return encode(value, MAX_NESTING)
    except Malformed as bad:
        raise SerializationError(bad.reason, path=bad.trail.removeprefix(".")) from None
    except RecursionError:  # called with the stack already nearly full: refuse, do not crash
        raise SerializationError(
            f"nested too deeply to encode; DynamoDB allows {MAX_NESTING} levels"
        ) from None


def _encode(value: object, room: int) -> AttributeValue:
    kind = type(value)  # exact types first: the common case, one comparison each
    if kind is str:
        return {"S": value if value.isascii() else _text(value)}  # type: ignore[attr-defined, arg-type]
    if kind is int or kind is Decimal:
        return _encode_number(value)  # type: ignore[arg-type]
    if kind is bool:
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    return _encode_other(value, room)


def _encode_other(value: object, room: int) -> AttributeValue:
    """Containers, and subclasses such as ``StrEnum`` or ``IntEnum`` (as boto3 takes them)."""
    if isinstance(value, Mapping | list | tuple):
        if room <= 0:
            raise Malformed(f"nested more than {MAX_NESTING} levels deep; DynamoDB's limit")
        if isinstance(value, Mapping):
            return {"M": _encode_members(value.items(), ".M.", room - 1)}
        return {"L": _encode_elements(value, room - 1)}
    if isinstance(value, AbstractSet):
        return _encode_set(value)
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, str):
        return {"S": _text(str(value))}
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return _encode_number(_number(value))
    if isinstance(value, float):
        raise Malformed(f"float {value!r} is not supported; use decimal.Decimal")
    raise Malformed(f"{type(value).__name__} has no DynamoDB representation")
