"""DynamoDB JSON to Python values and back, strict and fast.

Decoding dispatches on the type tag through a table (no per-value ``getattr``), and builds the
attribute path of an error only when there is an error. Numbers become exact ``Decimal``s inside
DynamoDB's limits (38 significant digits, magnitudes from 1E-130 to below 1E+126); binary arrives
in Lambda events as base64 text and leaves as ``bytes``, which is what the boto3 client sends.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, TypeVar

from dashboard_projection._errors import DeserializationError, InvalidInputError, public
from dashboard_projection._types import AttributeValue, WireItem

_T = TypeVar("_T")

# DynamoDB's numbers, as its developer guide states them: "up to 38 digits of precision"
# counted after "leading and trailing zeroes are trimmed", and non-zero magnitudes from 1E-130
# to 9.9999999999999999999999999999999999999E+125. (boto3's decimal context counts trailing
# zeros as digits, so it refuses 1E+38 spelled out, which DynamoDB stores and returns.)
#: Most significant digits a DynamoDB number has, leading and trailing zeros not counted.
MAX_SIGNIFICANT_DIGITS = 38
#: Adjusted exponent (``Decimal.adjusted()``) of the smallest non-zero magnitude, 1E-130.
MIN_ADJUSTED_EXPONENT = -130
#: Adjusted exponent of the largest magnitude, 9.99...E+125.
MAX_ADJUSTED_EXPONENT = 125
_OUTSIDE = (
    "is outside DynamoDB's number range: magnitudes from 1E-130 to "
    "9.9999999999999999999999999999999999999E+125, or zero"
)

# The common case, decided cheaply: at most 38 characters of digits, "." and "-" cannot exceed
# 38 significant digits nor leave the exponent range, and Decimal() rejects the rest of them.
_PLAIN_CHARS = "0123456789.-"
PLAIN_MAX_LEN = 38
#: How deep DynamoDB lets maps and lists nest.
MAX_NESTING = 32
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@public
class SerializationError(InvalidInputError):
    """A Python value that has no DynamoDB representation (a float, an empty set, NaN, ...)."""


class _Malformed(Exception):  # noqa: N818 - internal signal, never escapes this module
    """Raised deep in a value; containers prepend their part of the path on the way out."""

    def __init__(self, reason: str, trail: str = "") -> None:
        self.reason = reason
        self.trail = trail

    def within(self, segment: str) -> _Malformed:
        self.trail = segment + self.trail
        return self


def _describe(payload: object) -> str:
    text = repr(payload)
    return f"{type(payload).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"  # noqa: PLR2004


def _is_plain(text: str) -> bool:
    """Digits, "." and "-" only, 38 at most: within DynamoDB's limits if Decimal() takes it."""
    return len(text) <= PLAIN_MAX_LEN and not text.strip(_PLAIN_CHARS)


def _decode_number(payload: object) -> Decimal:
    if type(payload) is not str:
        raise _Malformed(f"expected a number as a string, got {_describe(payload)}")
    if _is_plain(payload):
        try:
            return Decimal(payload)
        except InvalidOperation:
            pass  # "1.2.3", "--1": let the full grammar below explain
    if not _NUMBER.fullmatch(payload):
        raise _Malformed(f"expected a decimal number (no NaN or Infinity), got {payload[:60]!r}")
    try:
        number = Decimal(payload)  # exact: the grammar above admits no NaN, no Infinity
    except InvalidOperation:  # an exponent beyond what Decimal can represent at all
        raise _Malformed(f"{payload[:60]!r} {_OUTSIDE}") from None
    problem = number_problem(number)
    if problem is not None:
        raise _Malformed(f"{payload[:60]!r} {problem}")
    return number


def number_problem(number: Decimal) -> str | None:
    """Why DynamoDB would refuse ``number``, or ``None`` when it stores it: the one number rule.

    Up to 38 significant digits once leading and trailing zeros are trimmed (so
    ``110111111111111110000000000000000000000`` has 17), non-zero magnitudes from 1E-130 to
    9.9999999999999999999999999999999999999E+125, or zero; no NaN, no Infinity. The decoder,
    the serializer and the sinks' pre-send checks all apply it.
    """
    if not number.is_finite():
        return "is not a finite number; DynamoDB has no NaN or Infinity"
    if not number:
        return None
    digits = number.as_tuple().digits  # leading zeros are never kept in a Decimal's digits
    significant = len(digits)
    while not digits[significant - 1]:
        significant -= 1
    if significant > MAX_SIGNIFICANT_DIGITS:
        return (
            f"has {significant} significant digits; DynamoDB stores at most "
            f"{MAX_SIGNIFICANT_DIGITS} significant digits (leading and trailing zeros not counted)"
        )
    if not MIN_ADJUSTED_EXPONENT <= number.adjusted() <= MAX_ADJUSTED_EXPONENT:
        return _OUTSIDE
    return None


def _decode_string(payload: object) -> str:
    if type(payload) is not str:
        raise _Malformed(f"expected a string, got {_describe(payload)}")
    return payload


def _decode_binary(payload: object) -> bytes:
    if type(payload) is str:
        try:
            return base64.b64decode(payload, validate=True)
        except ValueError:  # binascii.Error, or plain ValueError for non-ASCII text
            raise _Malformed(f"expected base64 text, got {payload[:60]!r}") from None
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    raise _Malformed(f"expected base64 text or bytes, got {_describe(payload)}")


def _decode_bool(payload: object) -> bool:
    if type(payload) is not bool:
        raise _Malformed(f"expected true or false, got {_describe(payload)}")
    return payload


def _decode_null(payload: object) -> None:
    if payload is not True:
        raise _Malformed(f"expected true (the only NULL payload), got {_describe(payload)}")


def _plain_number(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        return _decode_number(text)  # raises, and says what is wrong


def _unique(members: list[Any], tag: str) -> frozenset[Any]:
    unique = frozenset(members)
    if len(unique) != len(members):
        raise _Malformed(f"{tag} holds duplicate values; DynamoDB sets are sets")
    return unique


def _each(convert: Callable[[Any], Any], elements: Iterable[Any], tag: str) -> list[Any]:
    """``convert`` applied to each element; an error names the element's index.

    The index is counted as the elements go, not found again afterwards: re-converting a
    failed element at every level of a nested list would take time exponential in its depth.
    """
    converted: list[Any] = []
    append = converted.append
    try:
        for element in elements:
            append(convert(element))
    except _Malformed as bad:
        raise bad.within(f".{tag}[{len(converted)}]") from None
    return converted


def _only_strings(payload: list[Any]) -> bool:
    """Whether every element is a ``str``, checked in C by ``str.join`` rather than per element."""
    try:
        "".join(payload)
    except TypeError:
        return False
    return True


def _set_decoder(
    decode: Callable[[object], Any], tag: str, *, trivially_valid: Callable[[list[Any]], bool]
) -> Callable[[object], frozenset[Any]]:
    def decode_set(payload: object) -> frozenset[Any]:
        if type(payload) is not list or not payload:
            raise _Malformed(f"expected a non-empty list for {tag}, got {_describe(payload)}")
        members = payload if trivially_valid(payload) else _each(decode, payload, tag)
        return _unique(members, tag)

    return decode_set


def _decode_list(payload: object) -> list[Any]:
    if type(payload) is not list:
        raise _Malformed(f"expected a list for L, got {_describe(payload)}")
    return _each(_decode, payload, "L")


def _decode_map(payload: object) -> dict[str, Any]:
    if type(payload) is not dict:
        raise _Malformed(f"expected an object for M, got {_describe(payload)}")
    return _decode_members(payload, ".M.")


def _decode_members(members: dict[Any, Any], separator: str) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    name: Any = ""
    try:
        for name, value in members.items():
            # _decode() inlined, strings and maps short-cut: this loop is the codec's hot path.
            try:
                (tag,) = value
                payload = value[tag]
            except (TypeError, ValueError, LookupError):  # [2][2], "S"["S"]: not a dict at all
                raise _not_an_attribute_value(value) from None
            kind = type(payload)
            if tag == "S" and kind is str:
                decoded[name] = payload
            elif tag == "N" and kind is str and _is_plain(payload):
                decoded[name] = _plain_number(payload)
            elif tag == "M" and kind is dict:
                decoded[name] = _decode_members(payload, ".M.")
            elif tag == "SS" and kind is list and payload and _only_strings(payload):
                decoded[name] = _unique(payload, "SS")
            else:
                decode = _DECODERS.get(tag)
                if decode is None:
                    raise _not_an_attribute_value(value)
                decoded[name] = decode(payload)
    except _Malformed as bad:
        raise bad.within(f"{separator}{name}") from None
    return decoded


_DECODERS: dict[str, Callable[[object], Any]] = {
    "S": _decode_string,
    "N": _decode_number,
    "B": _decode_binary,
    "BOOL": _decode_bool,
    "NULL": _decode_null,
    "M": _decode_map,
    "L": _decode_list,
    "SS": _set_decoder(_decode_string, "SS", trivially_valid=_only_strings),
    "NS": _set_decoder(_decode_number, "NS", trivially_valid=lambda _: False),
    "BS": _set_decoder(_decode_binary, "BS", trivially_valid=lambda _: False),
}


def _decode(value: object) -> Any:  # noqa: ANN401 - a DynamoDB value decodes to any of ten types
    tag: Any
    try:
        (tag,) = value  # type: ignore[misc]
        decode = _DECODERS[tag]
        payload = value[tag]  # type: ignore[index]
    except (TypeError, ValueError, LookupError):
        raise _not_an_attribute_value(value) from None
    return decode(payload)


def _not_an_attribute_value(value: object) -> _Malformed:
    if type(value) is not dict:
        return _Malformed(
            f"expected an attribute value such as {{'S': ...}}, got {_describe(value)}"
        )
    if len(value) != 1:
        tags = ", ".join(sorted(map(str, value))) or "none"
        return _Malformed(f"expected exactly one type tag, got {tags}")
    return _Malformed(
        f"unknown type tag {next(iter(value))!r}; expected one of {', '.join(_DECODERS)}"
    )


def deserialize_value(value: AttributeValue, *, path: str = "") -> Any:  # noqa: ANN401
    """Decode one DynamoDB JSON attribute value, e.g. ``{"N": "0.72"}`` to ``Decimal("0.72")``.

    Args:
        value: The attribute value, as in a stream image or a low-level client response.
        path: Where the value sits, used to prefix error messages.

    Returns:
        ``str``, ``Decimal``, ``bytes``, ``bool``, ``None``, ``dict``, ``list`` or ``frozenset``.

    Raises:
        DeserializationError: The value is malformed; the message names the attribute path.
    """
    return _decoding(_decode, value, path)


def deserialize_image(image: WireItem, *, path: str = "NewImage") -> dict[str, Any]:
    """Decode a whole item (a stream ``NewImage``/``OldImage`` or a key) to plain Python.

    Raises:
        DeserializationError: The image is malformed; the message names the attribute path,
            e.g. ``NewImage.metadata.M.author``.
    """
    if type(image) is not dict:
        raise DeserializationError(
            f"expected an object of attributes, got {_describe(image)}", path=path
        )
    return _decoding(_decode_image_members, image, path)


def _decode_image_members(image: dict[str, Any]) -> dict[str, Any]:
    return _decode_members(image, ".")


def _decoding(decode: Callable[[Any], _T], value: object, path: str) -> _T:
    """Run ``decode``; whatever is wrong with ``value`` becomes one ``DeserializationError``."""
    try:
        return decode(value)
    except _Malformed as bad:
        raise DeserializationError(bad.reason, path=path + bad.trail) from None
    except RecursionError:  # a JSON tree Python's json module reads, but too deep to walk
        raise DeserializationError(
            f"nested too deeply to decode; DynamoDB allows {MAX_NESTING} levels", path=path
        ) from None


def _encode_number(value: int | Decimal) -> dict[str, str]:
    if type(value) is int and -(10**38) < value < 10**38:
        return {"N": str(value)}
    if isinstance(value, int) and not -_INT_BOUND < value < _INT_BOUND:
        # Not spelled out in the message: a huge int has more digits than str() will write.
        raise _Malformed(f"an int of {value.bit_length()} bits {_OUTSIDE}")
    number = Decimal(value)
    problem = number_problem(number)
    if problem is not None:
        raise _Malformed(f"{_describe(value)} {problem}")
    return {"N": str(number)}


_INT_BOUND = 10 ** (MAX_ADJUSTED_EXPONENT + 1)
#: Largest attribute name, in UTF-8 bytes: DynamoDB's "less than 64 KB".
MAX_NAME_BYTES = 64 * 1024 - 1


def _text(value: str) -> str:
    """``value`` if DynamoDB can store it: valid Unicode, so that it has a UTF-8 encoding."""
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError as exc:
            raise _Malformed(
                f"{_describe(value)} holds a lone surrogate {value[exc.start]!r} at index "
                f"{exc.start}; DynamoDB stores only valid Unicode (UTF-8)"
            ) from None
    return value


def _name(name: object) -> str:
    """An attribute name or map key DynamoDB takes: a non-empty string of at most 64 KB."""
    if type(name) is str and name.isascii() and 0 < len(name) <= MAX_NAME_BYTES:
        return name  # the common case, at the cost of three checks
    if not isinstance(name, str):
        raise _Malformed(f"attribute names and map keys must be strings, got {_describe(name)}")
    text = _text(str(name))
    if not text:
        raise _Malformed("an empty attribute name or map key; DynamoDB requires one character")
    if len(text) * 4 > MAX_NAME_BYTES and len(text.encode()) > MAX_NAME_BYTES:
        size = len(text.encode())
        raise _Malformed(f"an attribute name of {size} bytes; at most {MAX_NAME_BYTES}")
    return text


def _encode_set(value: AbstractSet[Any]) -> dict[str, list[Any]]:
    if not value:
        raise _Malformed("DynamoDB has no empty sets; omit the attribute instead")
    if all(isinstance(v, str) for v in value):
        return {"SS": sorted(_text(str(v)) for v in value)}
    if all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in value):
        # Each checked before any is compared: sorting with a NaN in the set would raise.
        spelled = [(_number(v), _encode_number(_number(v))["N"]) for v in value]
        return {"NS": [text for _, text in sorted(spelled, key=_first)]}
    if all(isinstance(v, bytes | bytearray) for v in value):
        return {"BS": [bytes(v) for v in sorted(value)]}
    raise _Malformed(
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
    except _Malformed as bad:
        raise bad.within(f"{separator}{_shown_name(name)}") from None
    return encoded


def _shown_name(name: object) -> str:
    return name if type(name) is str and name else repr(name)


def _encode_elements(elements: list[Any] | tuple[Any, ...], room: int) -> list[AttributeValue]:
    return _each(partial(_encode, room=room), elements, "L")


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
        raise _Malformed(f"expected a mapping of attribute names to values, got {_describe(item)}")
    return _encode_members(item.items(), ".", room)


def _encoding(encode: Callable[[Any, int], _T], value: object) -> _T:
    """Run ``encode``; whatever DynamoDB would refuse becomes one ``SerializationError``."""
    try:
        return encode(value, MAX_NESTING)
    except _Malformed as bad:
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
            raise _Malformed(f"nested more than {MAX_NESTING} levels deep; DynamoDB's limit")
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
        raise _Malformed(f"float {value!r} is not supported; use decimal.Decimal")
    raise _Malformed(f"{type(value).__name__} has no DynamoDB representation")
