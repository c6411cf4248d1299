"""Attribute values as DynamoDB spells them: numbers, instants, and key text that fits its limits.

The shared vocabulary of every strategy in this package. Helpers take ``draw``, so that drawing
an example builds no new strategy (Hypothesis validates each new one: that would dominate).
"""

from __future__ import annotations

import base64
import operator
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from dashboard_projection._engine._limits import MAX_SORT_KEY_BYTES
from dashboard_projection._engine._numbers import (
    MAX_ADJUSTED_EXPONENT,
    MAX_SIGNIFICANT_DIGITS,
    MIN_ADJUSTED_EXPONENT,
)
from dashboard_projection._view._rules import escape
from dashboard_projection._view._time import utc_instant

SearchStrategy = st.SearchStrategy
#: One DynamoDB JSON attribute value, e.g. ``{"N": "-0.50"}``.
Value = dict[str, Any]

# DynamoDB's numbers: 38 significant digits (leading and trailing zeros trimmed), nonzero
# magnitudes from 1E-130 to 9.99…E+125, and zero. Spellings may carry any number of zeros.
MAX_DIGITS = MAX_SIGNIFICANT_DIGITS
MIN_ADJUSTED = MIN_ADJUSTED_EXPONENT
_MAX_ADJUSTED = MAX_ADJUSTED_EXPONENT
_SMALL_EXPONENTS = st.integers(-3, 3)
_ZERO_EXPONENTS = _SMALL_EXPONENTS | st.integers(-200, 200)
# Mostly a few; sometimes enough to pass 38 digits as written ("1" and 45 zeros is one digit).
_TRAILING_ZEROS = st.integers(0, 3) | st.integers(0, MAX_DIGITS + 12)

CHARACTERS = st.characters(codec="utf-8")  # any code point but lone surrogates
KEY_CHARACTERS = st.one_of(st.sampled_from("#%-_/:. é€𝄞"), CHARACTERS)
TEXT = st.text(CHARACTERS, max_size=20)
NAMES = st.text(CHARACTERS, min_size=1, max_size=10)
OPTIONAL_TEXT = st.none() | TEXT
_SIGNS = st.sampled_from(["", "", "", "+"])  # "+" is legal, and rare
_NOTHING_OR_ZERO = st.sampled_from(["0", ""])
_NOTHING_OR_POINT = st.sampled_from(["", "."])
_EXPONENT_MARKS = st.sampled_from(["e", "E"])

# Instants from 0001-01-02 to 9999-12-30 stay inside years 1..9999 under any offset (< 24 h).
_EARLIEST = datetime(1, 1, 2)  # noqa: DTZ001 - Hypothesis wants naive bounds
_LATEST = datetime(9999, 12, 30, 23, 59, 59, 999_999)  # noqa: DTZ001
_MAX_OFFSET_MINUTES = 24 * 60 - 1
ANY_INSTANT = utc_instant(datetime(2000, 1, 1, tzinfo=UTC))  # every UTC instant has this width
INSTANTS = st.datetimes(min_value=_EARLIEST, max_value=_LATEST, timezones=st.just(UTC))
RESOLUTIONS = st.sampled_from([1, 1000, 1_000_000])  # microseconds, milliseconds, seconds
_OFFSETS = st.just(0) | st.integers(-_MAX_OFFSET_MINUTES, _MAX_OFFSET_MINUTES)
_UTC_ZONES = st.sampled_from(["Z", "+00:00", "-00:00"])
#: Fractional digits of an instant: Python keeps six, ``PrimaryItem`` reads any number.
SIX_DIGITS = st.integers(0, 6)
NINE_DIGITS = st.integers(0, 9)

# Key text, to be cut to the room left: short mostly, sometimes a pattern repeated past any room,
# so that keys reach the size limit exactly; cutting keeps every example valid, where filtering
# would throw most long ones away.
KEY_TEXT = st.text(KEY_CHARACTERS, min_size=1, max_size=20) | st.builds(
    operator.mul,
    st.text(KEY_CHARACTERS, min_size=1, max_size=8),
    st.integers(1, MAX_SORT_KEY_BYTES),
)
BOOLEANS = st.booleans()


def one_in(chances: int) -> SearchStrategy[bool]:
    """True once in ``chances``, on average; shrinks to False."""
    return st.integers(1, chances).map(lambda drawn: drawn == chances)


ONE_IN_FOUR = one_in(4)
ONE_IN_EIGHT = one_in(8)


def check_count(name: str, value: object, least: int) -> None:
    """Refuse an option that is not an integer >= ``least`` (bools included).

    Raises:
        InvalidArgument: Naming the option and what it got.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InvalidArgument(f"{name} must be an integer >= {least}, got {value!r}")


def attribute_values(*, max_depth: int = 2, binary: bool = True) -> SearchStrategy[Value]:
    """Any valid DynamoDB JSON attribute value, as it appears in a Lambda stream event.

    Numbers are strings within DynamoDB's limits in varied spellings (``"1e5"``, ``"-0.50"``,
    ``"007"``, ``"+.5E-03"``, and trailing zeros past 38 digits as written, which DynamoDB does
    not count); sets are non-empty and hold no two equal members (``"1"`` and
    ``"1.0"`` are one number); binary is base64 text.

    Args:
        max_depth: How deep ``M`` and ``L`` values may nest; 0 gives scalars and sets only.
        binary: Whether to include ``B`` and ``BS`` values.

    Returns:
        A strategy for one-key dicts such as ``{"N": "-0.50"}`` or ``{"M": {...}}``.
    """
    check_count("max_depth", max_depth, 0)
    scalars: list[SearchStrategy[Value]] = [
        TEXT.map(lambda text: {"S": text}),
        NUMBER_TEXTS.map(lambda text: {"N": text}),
        st.booleans().map(lambda flag: {"BOOL": flag}),
        st.just({"NULL": True}),
        st.lists(TEXT, min_size=1, max_size=5, unique=True).map(lambda texts: {"SS": texts}),
        _NUMBER_SETS.map(lambda texts: {"NS": texts}),
    ]
    if binary:
        scalars += [
            st.binary(max_size=20).map(lambda data: {"B": base64_text(data)}),
            st.lists(st.binary(max_size=20), min_size=1, max_size=5, unique=True).map(
                lambda blobs: {"BS": [base64_text(data) for data in blobs]}
            ),
        ]
    values: SearchStrategy[Value] = st.one_of(scalars)
    for _ in range(max_depth):
        values = st.one_of(
            *scalars,
            st.dictionaries(NAMES, values, max_size=4).map(lambda members: {"M": members}),
            st.lists(values, max_size=4).map(lambda elements: {"L": elements}),
        )
    return values


def draw_number(draw: st.DrawFn) -> Decimal:
    """A Decimal DynamoDB stores exactly; small exponents mostly."""
    coefficient = int(draw(st.text("0123456789", min_size=1, max_size=MAX_DIGITS)))
    if coefficient:
        top = len(str(coefficient)) - 1  # adjusted exponent = exponent + top
        low, high = MIN_ADJUSTED - top, _MAX_ADJUSTED - top
        exponent = draw(st.integers(low, high)) if draw(st.booleans()) else draw(_SMALL_EXPONENTS)
    else:
        exponent = draw(_ZERO_EXPONENTS)
    return Decimal(f"{'-' if draw(st.booleans()) else ''}{coefficient}E{exponent}")


def draw_spelling(draw: st.DrawFn, number: Decimal) -> str:
    """One of the many spellings of ``number`` (which must fit DynamoDB), e.g. ``"+.50E+01"``.

    Raises:
        InvalidArgument: ``number`` is not finite.
    """
    negative, digit_tuple, exponent = number.as_tuple()
    if not isinstance(exponent, int):
        raise InvalidArgument(f"only finite numbers have spellings, got {number!r}")
    digits = "".join(map(str, digit_tuple))
    zeros = draw(_TRAILING_ZEROS)  # "0.5" as "0.500": more digits, same number
    text = "0" * draw(st.integers(0, 2)) + digits + "0" * zeros
    exponent -= zeros
    point = draw(st.integers(0, len(text)))
    whole, fraction = text[:point], text[point:]
    if fraction:
        mantissa = f"{whole or draw(_NOTHING_OR_ZERO)}.{fraction}"
    else:
        mantissa = whole + draw(_NOTHING_OR_POINT)
    shown = exponent + len(fraction)  # the exponent the spelling must state
    suffix = ""
    if shown or draw(st.booleans()):
        shown_sign = "-" if shown < 0 else draw(_SIGNS)
        padding = "0" * draw(st.integers(0, 2))
        suffix = f"{draw(_EXPONENT_MARKS)}{shown_sign}{padding}{abs(shown)}"
    return f"{'-' if negative else draw(_SIGNS)}{mantissa}{suffix}"


@st.composite
def _number_texts(draw: st.DrawFn) -> str:
    return draw_spelling(draw, draw_number(draw))


@st.composite
def _number_sets(draw: st.DrawFn) -> list[str]:
    numbers: dict[Decimal, None] = {}  # "1" and "1.0" are one number: the first one stays
    for _ in range(draw(st.integers(1, 5))):
        numbers.setdefault(draw_number(draw))
    return [draw_spelling(draw, number) for number in numbers]


NUMBER_TEXTS = _number_texts()
_NUMBER_SETS = _number_sets()


def draw_instant_spelling(
    draw: st.DrawFn, instant: datetime, digits: SearchStrategy[int] = NINE_DIGITS
) -> str:
    """``instant`` (aware) as ``YYYY-MM-DDThh:mm:ss[.f…](Z|±hh:mm)``, in any offset.

    Fractions have as many digits as ``digits`` draws, or more if the microseconds need them;
    digits past the sixth are beyond Python's resolution, so any spelling names ``instant`` to
    the microsecond.
    """
    minutes = draw(_OFFSETS)
    local = instant.astimezone(timezone(timedelta(minutes=minutes)))
    micros = f"{local.microsecond:06d}"
    count = max(draw(digits), len(micros.rstrip("0")))
    fraction = (micros + draw(st.text("0123456789", min_size=3, max_size=3)))[:count]
    if minutes:
        hours, rest = divmod(abs(minutes), 60)
        zone = f"{'-' if minutes < 0 else '+'}{hours:02d}:{rest:02d}"
    else:
        zone = draw(_UTC_ZONES)
    wall = local.replace(microsecond=0, tzinfo=None).isoformat()
    return f"{wall}{'.' if fraction else ''}{fraction}{zone}"


def draw_instant(draw: st.DrawFn, digits: SearchStrategy[int] = NINE_DIGITS) -> str:
    """An instant at micro-, milli- or whole-second resolution, spelled in any offset."""
    instant = draw(INSTANTS)
    resolution = draw(RESOLUTIONS)
    micros = instant.microsecond // resolution * resolution
    return draw_instant_spelling(draw, instant.replace(microsecond=micros), digits)


def cut(text: str, max_bytes: int, size: Callable[[str], int]) -> str:
    """The longest prefix of ``text`` whose characters' sizes add up to ``max_bytes`` at most."""
    total = 0
    for index, character in enumerate(text[:max_bytes]):  # a character costs a byte at least
        total += size(character)
        if total > max_bytes:
            return text[:index]
    return text[:max_bytes]


def utf8_size(character: str) -> int:
    """Bytes of ``character`` in UTF-8."""
    return len(character.encode())


def escaped_size(character: str) -> int:
    """Bytes of ``character`` in a key, escaped (``#`` and ``%`` take three)."""
    return len(escape(character).encode())


def base64_text(data: bytes) -> str:
    """``data`` as a stream event carries binary: base64 text."""
    return base64.b64encode(data).decode("ascii")
