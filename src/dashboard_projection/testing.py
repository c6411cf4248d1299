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
import operator
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
_OPTIONAL_TEXT = st.none() | _TEXT
_SIGNS = st.sampled_from(["", "", "", "+"])  # "+" is legal, and rare
_NOTHING_OR_ZERO = st.sampled_from(["0", ""])
_NOTHING_OR_POINT = st.sampled_from(["", "."])
_EXPONENT_MARKS = st.sampled_from(["e", "E"])

# Instants from 0001-01-02 to 9999-12-30 stay inside years 1..9999 under any offset (< 24 h).
_EARLIEST = datetime(1, 1, 2)  # noqa: DTZ001 - Hypothesis wants naive bounds
_LATEST = datetime(9999, 12, 30, 23, 59, 59, 999_999)  # noqa: DTZ001
_MAX_OFFSET_MINUTES = 24 * 60 - 1
_ANY_INSTANT = utc_instant(datetime(2000, 1, 1, tzinfo=UTC))  # every UTC instant has this width

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
        _NUMBER_TEXTS.map(lambda text: {"N": text}),
        st.booleans().map(lambda flag: {"BOOL": flag}),
        st.just({"NULL": True}),
        st.lists(_TEXT, min_size=1, max_size=5, unique=True).map(lambda texts: {"SS": texts}),
        _NUMBER_SETS.map(lambda texts: {"NS": texts}),
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
    return _primary_items(
        st.lists(_KEY_TEXT, max_size=max_tags), st.sampled_from(tuple(statuses)), max_tags
    )


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


# The private part: module-level strategies, and helpers that take ``draw``, so that drawing an
# example builds no new strategy (Hypothesis validates each new one: that would dominate).


def _draw_number(draw: st.DrawFn) -> Decimal:
    """A Decimal DynamoDB stores exactly (and boto3's context accepts); small exponents mostly."""
    coefficient = int(draw(st.text("0123456789", min_size=1, max_size=_MAX_DIGITS)))
    if coefficient:
        top = len(str(coefficient)) - 1  # adjusted exponent = exponent + top
        low, high = max(_MIN_ADJUSTED - top, _MIN_EXPONENT), _MAX_ADJUSTED - top
    else:
        low, high = _MIN_EXPONENT, _MAX_ZERO_EXPONENT
    exponent = draw(st.integers(low, high)) if draw(st.booleans()) else draw(st.integers(-3, 3))
    return Decimal(f"{'-' if draw(st.booleans()) else ''}{coefficient}E{exponent}")


def _draw_spelling(draw: st.DrawFn, number: Decimal) -> str:
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
    return _draw_spelling(draw, _draw_number(draw))


@st.composite
def _number_sets(draw: st.DrawFn) -> list[str]:
    numbers: dict[Decimal, None] = {}  # "1" and "1.0" are one number: the first one stays
    for _ in range(draw(st.integers(1, 5))):
        numbers.setdefault(_draw_number(draw))
    return [_draw_spelling(draw, number) for number in numbers]


_NUMBER_TEXTS = _number_texts()
_NUMBER_SETS = _number_sets()


@st.composite
def _scores(draw: st.DrawFn) -> Decimal:
    """A score in [0, 1]: an edge case, a half-way case, or up to 38 digits down to 1E-130."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.sampled_from(_EDGE_SCORES))
    if kind == 1:
        return Decimal(f"0.{draw(st.integers(0, 99)):02d}5")  # 0.005 ... 0.995
    places = draw(st.integers(0, _MAX_DIGITS - 1))
    numerator = draw(st.integers(0, 10**places))
    smaller = draw(st.integers(0, -_MIN_ADJUSTED - places)) if draw(st.booleans()) else 0
    return Decimal(f"{numerator}E-{places + smaller}")


_SCORES = _scores()
_METADATA = st.none() | st.builds(
    Metadata,
    author=_OPTIONAL_TEXT,
    title=_OPTIONAL_TEXT,
    published_at=_OPTIONAL_TEXT,
    source_name=_OPTIONAL_TEXT,
)
_SNIPPETS = st.none() | st.text(_CHARACTERS, max_size=200)
_SENTIMENTS = st.sampled_from(SENTIMENTS)
_INSTANTS = st.datetimes(min_value=_EARLIEST, max_value=_LATEST, timezones=st.just(UTC))
_RESOLUTIONS = st.sampled_from([1, 1000, 1_000_000])  # microseconds, milliseconds, seconds
_OFFSETS = st.just(0) | st.integers(-_MAX_OFFSET_MINUTES, _MAX_OFFSET_MINUTES)
_UTC_ZONES = st.sampled_from(["Z", "+00:00", "-00:00"])

# Key text, to be cut to the room left: short mostly, sometimes a pattern repeated past any room,
# so that keys reach the size limit exactly; cutting keeps every example valid, where filtering
# would throw most long ones away.
_KEY_TEXT = st.text(_KEY_CHARACTERS, min_size=1, max_size=20) | st.builds(
    operator.mul,
    st.text(_KEY_CHARACTERS, min_size=1, max_size=8),
    st.integers(1, MAX_SORT_KEY_BYTES),
)


def _draw_instant_spelling(draw: st.DrawFn, instant: datetime) -> str:
    """``instant`` (aware) as ``YYYY-MM-DDThh:mm:ss[.f…](Z|±hh:mm)``, in any offset.

    Fractions have 0 to 9 digits; digits past the sixth are beyond Python's resolution, so any
    spelling names ``instant`` to the microsecond.
    """
    minutes = draw(_OFFSETS)
    local = instant.astimezone(timezone(timedelta(minutes=minutes)))
    micros = f"{local.microsecond:06d}"
    digits = max(draw(st.integers(0, 9)), len(micros.rstrip("0")))
    fraction = (micros + draw(st.text("0123456789", min_size=3, max_size=3)))[:digits]
    if minutes:
        hours, rest = divmod(abs(minutes), 60)
        zone = f"{'-' if minutes < 0 else '+'}{hours:02d}:{rest:02d}"
    else:
        zone = draw(_UTC_ZONES)
    wall = local.replace(microsecond=0, tzinfo=None).isoformat()
    return f"{wall}{'.' if fraction else ''}{fraction}{zone}"


def _cut(text: str, max_bytes: int, size: Callable[[str], int]) -> str:
    """The longest prefix of ``text`` whose characters' sizes add up to ``max_bytes`` at most."""
    total = 0
    for index, character in enumerate(text[:max_bytes]):  # a character costs a byte at least
        total += size(character)
        if total > max_bytes:
            return text[:index]
    return text[:max_bytes]


def _utf8_size(character: str) -> int:
    return len(character.encode())


def _escaped_size(character: str) -> int:
    return len(escape(character).encode())


@st.composite
def _primary_items(
    draw: st.DrawFn,
    tag_texts: SearchStrategy[list[str]],
    statuses: SearchStrategy[str],
    max_tags: int,
) -> PrimaryItem:
    instant = draw(_INSTANTS)
    resolution = draw(_RESOLUTIONS)
    ingested_at = _draw_instant_spelling(
        draw, instant.replace(microsecond=instant.microsecond // resolution * resolution)
    )
    room = MAX_SORT_KEY_BYTES - len(base_item_key(_ANY_INSTANT, ingested_at, ""))
    source_id = _cut(draw(_KEY_TEXT), room, _utf8_size)
    room = MAX_SORT_KEY_BYTES - len(tag_item_key("", _ANY_INSTANT, ingested_at, source_id).encode())
    tags = [_cut(text, room, _escaped_size) for text in draw(tag_texts)]
    data = {
        "source_id": source_id,
        "ingested_at": ingested_at,
        "sentiment": draw(_SENTIMENTS),
        "score": draw(_SCORES),
        "status": draw(statuses),
        "matched_tags": frozenset(tag for tag in tags if tag),  # "" only if the room is tiny
        "source_type": draw(_OPTIONAL_TEXT),
        "source_url": draw(_OPTIONAL_TEXT),
        "text_snippet": draw(_SNIPPETS),
        "model_version": draw(_OPTIONAL_TEXT),
        "metadata": draw(_METADATA),
    }
    return PrimaryItem.model_validate(data, context={"max_tags": max_tags})


_UNKNOWN_ATTRIBUTES = st.dictionaries(
    _NAMES.filter(lambda name: name not in PrimaryItem.model_fields),
    attribute_values(max_depth=1),
    max_size=3,
)


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
            image[name] = {"N": _draw_spelling(draw, value)}
        elif name == "matched_tags":
            image[name] = {"SS": draw(st.permutations(sorted(value)))}
        elif isinstance(value, Metadata):
            image[name] = dict(serialize_value(value.model_dump(exclude_none=True)))
        else:
            image[name] = dict(serialize_value(value))
    return image | draw(_UNKNOWN_ATTRIBUTES)


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
