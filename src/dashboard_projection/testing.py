"""Hypothesis strategies for what a DynamoDB stream hands this package, for property tests.

Needs the ``testing`` extra (``pip install "dashboard-projection[testing]"``); importing
``dashboard_projection`` itself never imports Hypothesis. Every strategy generates *valid* data
only, in the variety real events carry: numbers spelled ``1e5``, ``-0.50`` or ``007``, instants
with any offset and 0 to 9 fractional digits, keys with ``#``, ``%`` and non-ASCII text right up
to DynamoDB's key size limits. For example::

    from datetime import UTC, datetime

    from hypothesis import given

    from dashboard_projection import PrimaryItem, project
    from dashboard_projection.testing import stream_images

    NOW = datetime(2025, 11, 17, tzinfo=UTC)


    @given(stream_images())
    def test_every_valid_image_projects(image):
        item = PrimaryItem.from_image(image)
        assert project(item, now=NOW)[0].source_id == item.source_id
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "dashboard_projection.testing needs Hypothesis: pip install 'dashboard-projection[testing]'"
    ) from exc

from dashboard_projection._codec import DYNAMODB_CONTEXT, serialize_value
from dashboard_projection._keys import MAX_SORT_KEY_BYTES, base_item_key, escape, tag_item_key
from dashboard_projection._models import Metadata, PrimaryItem
from dashboard_projection._rules import DEFAULT_MAX_TAGS, SENTIMENTS
from dashboard_projection._time import utc_instant

__all__ = ["attribute_values", "primary_items", "stream_images"]

SearchStrategy = st.SearchStrategy

# DynamoDB's numbers: 38 significant digits, nonzero magnitudes from 1E-130 to 9.99…E+125, and
# (as boto3's decimal context has it) no digit below 1E-165 and no zero above 0E+126.
_MAX_DIGITS = 38
_MIN_ADJUSTED = -130
_MAX_ADJUSTED = 125
_MIN_EXPONENT = DYNAMODB_CONTEXT.Etiny()
_MAX_ZERO_EXPONENT = DYNAMODB_CONTEXT.Emax

_CHARACTERS = st.characters(codec="utf-8")  # any code point but lone surrogates
_KEY_CHARACTERS = st.one_of(st.sampled_from("#%-_/:. é€𝄞"), _CHARACTERS)
_TEXT = st.text(_CHARACTERS, max_size=20)
_NAMES = st.text(_CHARACTERS, min_size=1, max_size=10)
_SIGNS = st.sampled_from(["", "", "", "+"])  # "+" is legal, and rare

# Instants from 0001-01-02 to 9999-12-30 stay inside years 1..9999 under any offset (< 24 h).
_EARLIEST = datetime(1, 1, 2)  # noqa: DTZ001 - Hypothesis wants naive bounds
_LATEST = datetime(9999, 12, 30, 23, 59, 59, 999_999)  # noqa: DTZ001
_MAX_OFFSET_MINUTES = 24 * 60 - 1
_ANY_INSTANT = utc_instant(datetime(2000, 1, 1, tzinfo=UTC))  # every UTC instant has this width
_MAX_CHAR_BYTES = 4  # the most one character costs in a key: 4 UTF-8 bytes, or "%23" for "#"

# Scores that rounding half-up to cents, or string order, could get wrong.
_EDGE_SCORES = tuple(
    map(Decimal, ["0", "-0", "0.00", "0E-130", "1", "1.000", "0.125", "0.265", "0.995", "0.0049"])
)


def attribute_values(*, max_depth: int = 2, binary: bool = True) -> SearchStrategy[dict[str, Any]]:
    """Any valid DynamoDB JSON attribute value, as it appears in a Lambda stream event.

    Numbers are strings within DynamoDB's limits in varied spellings (``"1e5"``, ``"-0.50"``,
    ``"007"``, ``"+.5E-03"``); sets are non-empty and hold no two equal members (``"1"`` and
    ``"1.0"`` are one number); binary is base64 text.

    Args:
        max_depth: How deep ``M`` and ``L`` values may nest; 0 gives scalars and sets only.
        binary: Whether to include ``B`` and ``BS`` values.

    Returns:
        A strategy for one-key dicts such as ``{"N": "-0.50"}`` or ``{"M": {...}}``.
    """
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 0:
        raise InvalidArgument(f"max_depth must be a non-negative integer, got {max_depth!r}")
    scalars: list[SearchStrategy[dict[str, Any]]] = [
        _TEXT.map(lambda text: {"S": text}),
        _number_texts().map(lambda text: {"N": text}),
        st.booleans().map(lambda flag: {"BOOL": flag}),
        st.just({"NULL": True}),
        st.lists(_TEXT, min_size=1, max_size=5, unique=True).map(lambda texts: {"SS": texts}),
        st.lists(_numbers(), min_size=1, max_size=5, unique=True)
        .flatmap(lambda numbers: st.tuples(*map(_spelled, numbers)))
        .map(lambda texts: {"NS": list(texts)}),
    ]
    if binary:
        scalars += [
            st.binary(max_size=20).map(lambda data: {"B": _base64(data)}),
            st.lists(st.binary(max_size=20), min_size=1, max_size=5, unique=True).map(
                lambda blobs: {"BS": [_base64(data) for data in blobs]}
            ),
        ]
    values: SearchStrategy[dict[str, Any]] = st.one_of(scalars)
    for _ in range(max_depth):
        values = st.one_of(
            *scalars,
            st.dictionaries(_NAMES, values, max_size=4).map(lambda members: {"M": members}),
            st.lists(values, max_size=4).map(lambda elements: {"L": elements}),
        )
    return values


def primary_items(
    *, max_tags: int = DEFAULT_MAX_TAGS, statuses: Sequence[str] = ("analyzed",)
) -> SearchStrategy[PrimaryItem]:
    """Valid primary items (:class:`~dashboard_projection.PrimaryItem`), edge cases included.

    ``ingested_at`` comes in many spellings (``Z`` or ``±hh:mm``, 0 to 9 fractional digits, one
    instant written in several ways); ``source_id`` and tags hold ``#``, ``%`` and non-ASCII text,
    and are sized so that every derived key fits DynamoDB's limits, sometimes exactly; scores
    include 0, 1, half-way cases such as 0.125, and up to 38 digits.

    Args:
        max_tags: At most this many ``matched_tags``; items are validated with this cap.
        statuses: The ``status`` values to draw from.

    Returns:
        A strategy for primary items.
    """
    if isinstance(max_tags, bool) or not isinstance(max_tags, int) or max_tags < 0:
        raise InvalidArgument(f"max_tags must be a non-negative integer, got {max_tags!r}")
    if isinstance(statuses, str) or not statuses:
        raise InvalidArgument(f"statuses must be a non-empty sequence of strings, got {statuses!r}")
    return _primary_items(max_tags, tuple(statuses))


def stream_images(
    *, items: SearchStrategy[PrimaryItem] | None = None
) -> SearchStrategy[dict[str, dict[str, Any]]]:
    """The ``NewImage`` of a primary item in DynamoDB JSON, as a Lambda stream event carries it.

    ``PrimaryItem.from_image`` of an image gives back the item it was drawn from: the score is
    respelled (``0.5`` may arrive as ``"5E-1"`` or ``"0.500"``), absent optional attributes are
    left out or ``NULL``, the ``metadata`` map is kept, and unknown attributes, which the model
    ignores, may be added.

    Args:
        items: The items to encode; :func:`primary_items` by default.

    Returns:
        A strategy for stream images.
    """
    return _stream_images(primary_items() if items is None else items)


@st.composite
def _primary_items(draw: st.DrawFn, max_tags: int, statuses: tuple[str, ...]) -> PrimaryItem:
    ingested_at = draw(_ingested_ats())
    room = MAX_SORT_KEY_BYTES - len(base_item_key(_ANY_INSTANT, ingested_at, ""))
    source_id = draw(_fitting_text(room, _utf8_size))
    room = MAX_SORT_KEY_BYTES - len(tag_item_key("", _ANY_INSTANT, ingested_at, source_id).encode())
    tags: list[str] = []
    if room >= _MAX_CHAR_BYTES:  # else even a one-character tag might not fit
        tags = draw(st.lists(_fitting_text(room, _escaped_size), max_size=max_tags))
    optional_text = st.none() | _TEXT
    data = {
        "source_id": source_id,
        "ingested_at": ingested_at,
        "sentiment": draw(st.sampled_from(SENTIMENTS)),
        "score": draw(_scores()),
        "status": draw(st.sampled_from(statuses)),
        "matched_tags": tags,
        "source_type": draw(optional_text),
        "source_url": draw(optional_text),
        "text_snippet": draw(st.none() | st.text(_CHARACTERS, max_size=200)),
        "model_version": draw(optional_text),
        "metadata": draw(
            st.none()
            | st.builds(
                Metadata,
                author=optional_text,
                title=optional_text,
                published_at=optional_text,
                source_name=optional_text,
            )
        ),
    }
    return PrimaryItem.model_validate(data, context={"max_tags": max_tags})


@st.composite
def _stream_images(
    draw: st.DrawFn, items: SearchStrategy[PrimaryItem]
) -> dict[str, dict[str, Any]]:
    item = draw(items)
    image: dict[str, dict[str, Any]] = {}
    for name in PrimaryItem.model_fields:
        value = getattr(item, name)
        if value is None or value == frozenset():
            if name != "matched_tags" and draw(st.booleans()):
                image[name] = {"NULL": True}  # else left out: DynamoDB has no empty sets
        elif name == "score":
            image[name] = {"N": draw(_spelled(value))}
        elif name == "matched_tags":
            image[name] = {"SS": draw(st.permutations(sorted(value)))}
        elif isinstance(value, Metadata):
            image[name] = dict(serialize_value(value.model_dump(exclude_none=True)))
        else:
            image[name] = dict(serialize_value(value))
    unknown = _NAMES.filter(lambda name: name not in PrimaryItem.model_fields)
    image |= draw(st.dictionaries(unknown, attribute_values(max_depth=1), max_size=3))
    return image


@st.composite
def _ingested_ats(draw: st.DrawFn) -> str:
    instant = draw(st.datetimes(min_value=_EARLIEST, max_value=_LATEST, timezones=st.just(UTC)))
    resolution = draw(st.sampled_from([1, 1000, 1_000_000]))  # microseconds, ms or seconds
    instant = instant.replace(microsecond=instant.microsecond // resolution * resolution)
    return draw(_spellings(instant))


@st.composite
def _spellings(draw: st.DrawFn, instant: datetime) -> str:
    """``instant`` (aware) as ``YYYY-MM-DDThh:mm:ss[.f…](Z|±hh:mm)``, in any offset.

    Fractions have 0 to 9 digits; digits past the sixth are beyond Python's resolution, so any
    spelling names ``instant`` to the microsecond.
    """
    minutes = draw(st.just(0) | st.integers(-_MAX_OFFSET_MINUTES, _MAX_OFFSET_MINUTES))
    local = instant.astimezone(timezone(timedelta(minutes=minutes)))
    micros = f"{local.microsecond:06d}"
    digits = draw(st.integers(len(micros.rstrip("0")), 9))
    fraction = (micros + draw(st.text("0123456789", min_size=3, max_size=3)))[:digits]
    if minutes:
        hours, rest = divmod(abs(minutes), 60)
        zone = f"{'-' if minutes < 0 else '+'}{hours:02d}:{rest:02d}"
    else:
        zone = draw(st.sampled_from(["Z", "+00:00", "-00:00"]))
    wall = local.replace(microsecond=0, tzinfo=None).isoformat()
    return f"{wall}{'.' if fraction else ''}{fraction}{zone}"


def _utf8_size(character: str) -> int:
    return len(character.encode())


def _escaped_size(character: str) -> int:
    return len(escape(character).encode())


def _fitting_text(max_bytes: int, size: Callable[[str], int]) -> SearchStrategy[str]:
    """Non-empty text whose characters, each measured by ``size``, total ``max_bytes`` at most.

    Short text mostly, and sometimes a pattern repeated to fill ``max_bytes`` exactly or nearly:
    truncating keeps every example valid, where filtering would discard most long ones.
    """

    def truncate(text: str) -> str:
        total = 0
        for index, character in enumerate(text):
            total += size(character)
            if total > max_bytes:
                return text[:index]
        return text

    short = st.text(_KEY_CHARACTERS, min_size=1, max_size=20)
    long = st.builds(
        lambda pattern, times: pattern * times,
        st.text(_KEY_CHARACTERS, min_size=1, max_size=8),
        st.integers(1, max_bytes),
    )
    return (short | long).map(truncate).filter(bool)


def _numbers() -> SearchStrategy[Decimal]:
    """Decimals DynamoDB stores exactly (and boto3's context accepts), small exponents mostly."""

    @st.composite
    def numbers(draw: st.DrawFn) -> Decimal:
        coefficient = int(draw(st.text("0123456789", min_size=1, max_size=_MAX_DIGITS)))
        if coefficient:
            top = len(str(coefficient)) - 1  # adjusted exponent = exponent + top
            low = max(_MIN_ADJUSTED - top, _MIN_EXPONENT)
            high = _MAX_ADJUSTED - top
        else:
            low, high = _MIN_EXPONENT, _MAX_ZERO_EXPONENT
        exponent = draw(st.integers(-3, 3) | st.integers(low, high))
        sign = "-" if draw(st.booleans()) else ""
        return Decimal(f"{sign}{coefficient}E{exponent}")

    return numbers()


def _number_texts() -> SearchStrategy[str]:
    return _numbers().flatmap(_spelled)


def _scores() -> SearchStrategy[Decimal]:
    """Scores in [0, 1] with up to 38 digits, down to about 1E-130, and the edge cases."""

    @st.composite
    def fractions(draw: st.DrawFn) -> Decimal:
        places = draw(st.integers(0, _MAX_DIGITS - 1))
        numerator = draw(st.integers(0, 10**places))
        smaller = draw(st.just(0) | st.integers(0, -_MIN_ADJUSTED - places))
        return Decimal(f"{numerator}E-{places + smaller}")

    halfway = st.integers(0, 99).map(lambda cents: Decimal(f"0.{cents:02d}5"))
    return st.sampled_from(_EDGE_SCORES) | halfway | fractions()


@st.composite
def _spelled(draw: st.DrawFn, number: Decimal) -> str:
    """One of the many spellings of ``number`` (which must fit DynamoDB), e.g. ``"+.50E+01"``."""
    negative, digit_tuple, exponent = number.as_tuple()
    if not isinstance(exponent, int):
        raise InvalidArgument(f"only finite numbers have spellings, got {number!r}")
    digits = "".join(map(str, digit_tuple))
    room = min(_MAX_DIGITS - len(digits.lstrip("0")), exponent - _MIN_EXPONENT)
    zeros = draw(st.integers(0, max(room, 0)))  # "0.5" as "0.500": more digits, same number
    text = "0" * draw(st.integers(0, 2)) + digits + "0" * zeros
    exponent -= zeros
    point = draw(st.integers(0, len(text)))
    whole, fraction = text[:point], text[point:]
    if fraction:
        mantissa = f"{whole or draw(st.sampled_from(['0', '']))}.{fraction}"
    else:
        mantissa = whole + draw(st.sampled_from(["", "."]))
    shown = exponent + len(fraction)  # the exponent the spelling must state
    suffix = ""
    if shown or draw(st.booleans()):
        shown_sign = "-" if shown < 0 else draw(_SIGNS)
        padding = "0" * draw(st.integers(0, 2))
        suffix = f"{draw(st.sampled_from('eE'))}{shown_sign}{padding}{abs(shown)}"
    return f"{'-' if negative else draw(_SIGNS)}{mantissa}{suffix}"


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
