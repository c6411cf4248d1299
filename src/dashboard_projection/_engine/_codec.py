"""DynamoDB JSON to Python values (``_encode`` goes back), strict and fast.

Decoding dispatches on the type tag through a table (no per-value ``getattr``), and builds the
attribute path of an error only when there is an error. Numbers become exact ``Decimal``s inside
DynamoDB's limits (38 significant digits, magnitudes from 1E-130 to below 1E+126); binary arrives
in Lambda events as base64 text and leaves as ``bytes``, which is what the boto3 client sends.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn, TypeVar

from dashboard_projection._engine._malformed import MAX_NESTING, Malformed, describe, each
from dashboard_projection._engine._numbers import NUMBER, OUT_OF_RANGE, is_plain, number_problem
from dashboard_projection._errors import (
    DeserializationError,
    ItemValidationError,
)
from dashboard_projection._types import AttributeValue, WireItem

_T = TypeVar("_T")

#: What each DynamoDB type tag is called in messages.
KINDS = {
    "S": "a string",
    "N": "a number",
    "B": "binary",
    "BOOL": "a boolean",
    "SS": "a string set",
    "NS": "a number set",
    "BS": "a binary set",
    "M": "a map",
    "L": "a list",
}


class _Mistyped(Malformed):
    """Well-formed, but stored as another type than expected: the item is wrong, not its JSON."""


def _decode_number(payload: object) -> Decimal:
    if type(payload) is not str:
        raise Malformed(f"expected a number as a string, got {describe(payload)}")
    if is_plain(payload):
        try:
            return Decimal(payload)
        except InvalidOperation:
            pass  # "1.2.3", "--1": let the full grammar below explain
    if not NUMBER.fullmatch(payload):
        raise Malformed(f"expected a decimal number (no NaN or Infinity), got {payload[:60]!r}")
    try:
        number = Decimal(payload)  # exact: the grammar above admits no NaN, no Infinity
    except InvalidOperation:  # an exponent beyond what Decimal can represent at all
        raise Malformed(f"{payload[:60]!r} {OUT_OF_RANGE}") from None
    problem = number_problem(number)
    if problem is not None:
        raise Malformed(f"{payload[:60]!r} {problem}")
    return number


def _decode_string(payload: object) -> str:
    if type(payload) is not str:
        raise Malformed(f"expected a string, got {describe(payload)}")
    return payload


def _decode_binary(payload: object) -> bytes:
    if type(payload) is str:
        try:
            return base64.b64decode(payload, validate=True)
        except ValueError:  # binascii.Error, or plain ValueError for non-ASCII text
            raise Malformed(f"expected base64 text, got {payload[:60]!r}") from None
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    raise Malformed(f"expected base64 text or bytes, got {describe(payload)}")


def _decode_bool(payload: object) -> bool:
    if type(payload) is not bool:
        raise Malformed(f"expected true or false, got {describe(payload)}")
    return payload


def _decode_null(payload: object) -> None:
    if payload is not True:
        raise Malformed(f"expected true (the only NULL payload), got {describe(payload)}")


def _plain_number(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        return _decode_number(text)  # raises, and says what is wrong


def _unique(members: list[Any], tag: str) -> frozenset[Any]:
    unique = frozenset(members)
    if len(unique) != len(members):
        raise Malformed(f"{tag} holds duplicate values; DynamoDB sets are sets")
    return unique


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
            raise Malformed(f"expected a non-empty list for {tag}, got {describe(payload)}")
        members = payload if trivially_valid(payload) else each(decode, payload, tag)
        return _unique(members, tag)

    return decode_set


def _decode_list(payload: object) -> list[Any]:
    if type(payload) is not list:
        raise Malformed(f"expected a list for L, got {describe(payload)}")
    return each(_decode, payload, "L")


def _decode_map(payload: object) -> dict[str, Any]:
    if type(payload) is not dict:
        raise Malformed(f"expected an object for M, got {describe(payload)}")
    return _decode_members(payload, ".M.")


def _decode_members(
    members: dict[Any, Any], separator: str, expected: Mapping[str, str] | None = None
) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    name: Any = ""
    want: str | None = ""
    try:
        for name, value in members.items():
            if expected is not None and (want := expected.get(name)) is None:
                continue
            # _decode() inlined, the common tags short-cut: this loop is the codec's hot path.
            try:
                (tag,) = value
                payload = value[tag]
            except (TypeError, ValueError, LookupError):  # [2][2], "S"["S"]: not a dict at all
                raise _not_an_attribute_value(value) from None
            kind = type(payload)
            if tag == "S" and kind is str:
                decoded[name] = payload
            elif tag == "N" and kind is str and is_plain(payload):
                decoded[name] = _plain_number(payload)
            elif tag == "M" and kind is dict:
                decoded[name] = _decode_members(payload, ".M.")
            elif tag == "SS" and kind is list and payload and _only_strings(payload):
                decoded[name] = _unique(payload, "SS")
            else:
                decoded[name] = (_DECODERS.get(tag) or _unknown(value))(payload)
            if want and want != tag != "NULL":  # NULL: the model's to accept or not
                raise _Mistyped(f"expected {KINDS[want]} ({want}), got {tag}")
    except Malformed as bad:
        raise bad.within(f"{separator}{name}") from None
    return decoded


def _unknown(value: object) -> NoReturn:
    raise _not_an_attribute_value(value)


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


def decoder_of(tag: str) -> Callable[[Any], Any]:
    """The decoder of a payload stored under ``tag``; for ``""``, of a whole attribute value.

    It raises an internal signal, not a ``DashboardProjectionError``, on a malformed value:
    for callers that only need to know (``_view._direct``).
    """
    return _DECODERS[tag] if tag else _decode


def _not_an_attribute_value(value: object) -> Malformed:
    if type(value) is not dict:
        return Malformed(f"expected an attribute value such as {{'S': ...}}, got {describe(value)}")
    if len(value) != 1:
        tags = ", ".join(sorted(map(str, value))) or "none"
        return Malformed(f"expected exactly one type tag, got {tags}")
    return Malformed(
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
    return deserialize_known(image, None, path=path)


def deserialize_known(
    image: WireItem, expected: Mapping[str, str] | None, *, path: str
) -> dict[str, Any]:
    """:func:`deserialize_image` of the attributes ``expected`` names (``None``: all of them).

    The others are not even decoded: a model ignores unknown attributes, so the stream path
    reads what it needs in one pass, without a filtered copy of the image first. Each is
    expected to be stored as the type tag it maps to (``""``: any). NULL is always accepted:
    whether a field may be null is the model's to say.

    Raises:
        DeserializationError: An attribute is malformed.
        ItemValidationError: An attribute is stored as another type, e.g. ``expected a string
            (S), got B``.
    """
    if type(image) is not dict:
        raise DeserializationError(
            f"expected an object of attributes, got {describe(image)}", path=path
        )
    return _decoding(_decode_members, image, path, ".", expected)


def _decoding(decode: Callable[..., _T], value: object, path: str, *args: object) -> _T:
    """Run ``decode``; whatever is wrong with ``value`` becomes one ``DeserializationError``."""
    try:
        return decode(value, *args)
    except _Mistyped as bad:
        raise ItemValidationError(bad.reason, path=path + bad.trail) from None
    except Malformed as bad:
        raise DeserializationError(bad.reason, path=path + bad.trail) from None
    except RecursionError:  # a JSON tree Python's json module reads, but too deep to walk
        raise DeserializationError(
            f"nested too deeply to decode; DynamoDB allows {MAX_NESTING} levels", path=path
        ) from None
