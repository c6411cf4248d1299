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

:func:`stream_records` and :func:`stream_events` go one level up, to whole streams: records whose
old and new images follow a simulated primary table (INSERT, MODIFY, REMOVE, TTL deletions),
malformed records mixed in on request, cut into the Lambda events an event source mapping would
deliver, a batch now and then delivered twice. For example::

    from dashboard_projection import InMemorySink, process_stream_event
    from dashboard_projection.testing import stream_events, stream_records


    @given(stream_events(records=stream_records(bad=True)))
    def test_bad_records_never_fail_a_batch(events):
        sink = InMemorySink(("day_partition", "item_key"))
        for event in events:
            response = process_stream_event(event, sink, now=NOW, metrics=False)
            assert response == {"batchItemFailures": []}
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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

from dashboard_projection._engine._codec import (
    MAX_ADJUSTED_EXPONENT,
    MAX_SIGNIFICANT_DIGITS,
    MIN_ADJUSTED_EXPONENT,
    serialize_value,
)
from dashboard_projection._engine._limits import MAX_SORT_KEY_BYTES
from dashboard_projection._sentiment._keys import base_item_key, tag_item_key
from dashboard_projection._sentiment._models import Metadata, PrimaryItem
from dashboard_projection._view._rules import DEFAULT_MAX_TAGS, SENTIMENTS, escape
from dashboard_projection._view._time import utc_instant

__all__ = ["attribute_values", "primary_items", "stream_events", "stream_images", "stream_records"]

SearchStrategy = st.SearchStrategy

# DynamoDB's numbers: 38 significant digits (leading and trailing zeros trimmed), nonzero
# magnitudes from 1E-130 to 9.99…E+125, and zero. Spellings may carry any number of zeros.
_MAX_DIGITS = MAX_SIGNIFICANT_DIGITS
_MIN_ADJUSTED = MIN_ADJUSTED_EXPONENT
_MAX_ADJUSTED = MAX_ADJUSTED_EXPONENT
_SMALL_EXPONENTS = st.integers(-3, 3)
_ZERO_EXPONENTS = _SMALL_EXPONENTS | st.integers(-200, 200)
# Mostly a few; sometimes enough to pass 38 digits as written ("1" and 45 zeros is one digit).
_TRAILING_ZEROS = st.integers(0, 3) | st.integers(0, _MAX_DIGITS + 12)

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
    ``"007"``, ``"+.5E-03"``, and trailing zeros past 38 digits as written, which DynamoDB does
    not count); sets are non-empty and hold no two equal members (``"1"`` and
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


def stream_records(  # noqa: PLR0913 - every option is keyword-only with a default
    *,
    sources: int = 3,
    max_records: int = 20,
    bad: bool = False,
    ttl_deletes: bool = True,
    statuses: Sequence[str] = ("analyzed", "pending"),
    max_tags: int = DEFAULT_MAX_TAGS,
) -> SearchStrategy[list[dict[str, Any]]]:
    """A DynamoDB stream: Lambda records whose images follow a simulated primary table.

    Each record is the full envelope Lambda delivers (``eventID``, ``eventName``,
    ``eventVersion``, ``eventSource``, ``awsRegion``, ``eventSourceARN``, and ``dynamodb`` with
    ``ApproximateCreationDateTime``, ``Keys``, ``NewImage``, ``OldImage``, ``SequenceNumber``,
    ``SizeBytes`` and ``StreamViewType: NEW_AND_OLD_IMAGES``), for a few primary items drawn
    with :func:`primary_items` and encoded as :func:`stream_images` encodes them. The images
    are what the table held:

    * INSERT when the item is absent: a ``NewImage``, no ``OldImage``;
    * MODIFY when present: the ``OldImage`` is the item's latest image, the ``NewImage`` keeps
      its key and changes its tags (from a small alphabet per stream, so tags come and go), its
      ``status`` (so items leave and re-enter the dashboard), its sentiment and its score;
    * REMOVE when present: the ``OldImage`` only; with ``ttl_deletes``, some are DynamoDB's own
      TTL deletions, with ``userIdentity: {"type": "Service", "principalId":
      "dynamodb.amazonaws.com"}``. A removed item may be inserted again.

    Sequence numbers are decimal strings, strictly increasing as integers (they may grow in
    length); ``ApproximateCreationDateTime`` never decreases. Each record's images are its own
    objects: mutating one record changes no other.

    With ``bad``, malformed records are mixed in: malformed DynamoDB JSON (``{"N": "NaN"}``,
    an unknown type tag, bad base64…), invalid fields (a score of 1.5, an ``ingested_at``
    without timezone, ``max_tags + 1`` tags…) and broken envelopes (no ``SequenceNumber``, no
    ``dynamodb``, an unknown ``eventName``, no ``NewImage`` under an ``OLD_IMAGE`` view…).
    :func:`~dashboard_projection.process_stream_event` rejects every one of them (with the
    default projection, or any :class:`~dashboard_projection.DashboardProjection` whose
    ``max_tags`` is this one's); they leave the simulated table as it was (the next record's
    ``OldImage`` is the last good image), and their ``eventID`` is ``bad-<kind>-<hex>``, naming
    the malformation, where a good record's is 32 hex digits. Redelivery is not a property of
    the stream: see :func:`stream_events`.

    Args:
        sources: How many primary items (distinct keys) the stream is about, at most.
        max_records: At most this many records (at least one), bad ones included.
        bad: Whether to mix in malformed records (about one in eight).
        ttl_deletes: Whether some REMOVEs are TTL deletions.
        statuses: The ``status`` values images draw from (repeat one to draw it more often);
            only ``"analyzed"`` projects.
        max_tags: At most this many ``matched_tags`` per good image.

    Returns:
        A strategy for lists of stream records (DynamoDB JSON, as in a Lambda event).
    """
    for name, value, least in (("sources", sources, 1), ("max_records", max_records, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InvalidArgument(f"{name} must be an integer >= {least}, got {value!r}")
    if isinstance(max_tags, bool) or not isinstance(max_tags, int) or max_tags < 0:
        raise InvalidArgument(f"max_tags must be a non-negative integer, got {max_tags!r}")
    if isinstance(statuses, str) or not statuses:
        raise InvalidArgument(f"statuses must be a non-empty sequence of strings, got {statuses!r}")
    items = st.lists(
        _UNTAGGED_ITEMS,  # tags come from the stream's alphabet
        min_size=sources,
        max_size=sources,
        unique_by=lambda item: (item.source_id, item.ingested_at),
    )
    options = _StreamOptions(
        records=st.integers(1, max_records),
        sources=st.integers(0, sources - 1),
        statuses=st.sampled_from(tuple(statuses)),
        max_tags=max_tags,
        bad=bool(bad),
        ttl_deletes=bool(ttl_deletes),
    )
    return _stream_records(items, options)


def stream_events(
    *,
    records: SearchStrategy[list[dict[str, Any]]] | None = None,
    max_batch: int = 10,
    redeliveries: bool = True,
) -> SearchStrategy[list[dict[str, Any]]]:
    """The Lambda events (``{"Records": [...]}``) an event source mapping makes of a stream.

    The stream is cut, in order, into consecutive batches of 1 to ``max_batch`` records, one
    event each. With ``redeliveries``, an event is now and then delivered again right after
    itself, as Lambda does when an invocation times out after its writes landed: the second
    event is an equal copy, not the same object. Dropping each event equal to the one before it
    and concatenating the rest gives the stream back. (Retries after a reported failure depend
    on the function's response, so they are the test's business, not this strategy's.)

    To check the events against the stream they were cut from, draw both from one
    :func:`hypothesis.strategies.shared` strategy::

        stream = st.shared(stream_records(bad=True), key="stream")


        @given(stream, stream_events(records=stream))
        def test_batches_equal_one_by_one(records, events): ...

    Args:
        records: The stream to cut; :func:`stream_records` by default.
        max_batch: The most records in one event (Lambda's ``BatchSize``).
        redeliveries: Whether some events are delivered twice in a row.

    Returns:
        A strategy for lists of Lambda events.
    """
    if isinstance(max_batch, bool) or not isinstance(max_batch, int) or max_batch < 1:
        raise InvalidArgument(f"max_batch must be a positive integer, got {max_batch!r}")
    return _stream_events(
        stream_records() if records is None else records,
        st.integers(1, max_batch),
        redeliver=bool(redeliveries),
    )


# The private part: module-level strategies, and helpers that take ``draw``, so that drawing an
# example builds no new strategy (Hypothesis validates each new one: that would dominate).


def _draw_number(draw: st.DrawFn) -> Decimal:
    """A Decimal DynamoDB stores exactly; small exponents mostly."""
    coefficient = int(draw(st.text("0123456789", min_size=1, max_size=_MAX_DIGITS)))
    if coefficient:
        top = len(str(coefficient)) - 1  # adjusted exponent = exponent + top
        low, high = _MIN_ADJUSTED - top, _MAX_ADJUSTED - top
        exponent = draw(st.integers(low, high)) if draw(st.booleans()) else draw(_SMALL_EXPONENTS)
    else:
        exponent = draw(_ZERO_EXPONENTS)
    return Decimal(f"{'-' if draw(st.booleans()) else ''}{coefficient}E{exponent}")


def _draw_spelling(draw: st.DrawFn, number: Decimal) -> str:
    """One of the many spellings of ``number`` (which must fit DynamoDB), e.g. ``"+.50E+01"``."""
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
    return _draw_image(draw, draw(items))


def _draw_image(draw: st.DrawFn, item: PrimaryItem) -> dict[str, dict[str, Any]]:
    """``item`` in DynamoDB JSON, in one of its many encodings (see :func:`stream_images`)."""
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


# --- streams: records that follow a simulated primary table, and the events that carry them ---

_STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"
_REGION = "us-east-1"
_STREAM_ARN = (
    f"arn:aws:dynamodb:{_REGION}:123456789012:table/sentiment-items-primary"
    "/stream/2025-11-16T00:00:00.000"
)
_TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
_BOOLEANS = st.booleans()


def _one_in(chances: int) -> SearchStrategy[bool]:
    """True once in ``chances``, on average; shrinks to False."""
    return st.integers(1, chances).map(lambda drawn: drawn == chances)


_ONE_IN_FOUR = _one_in(4)
_ONE_IN_EIGHT = _one_in(8)
# A few tags per stream, shared by its items, so that a MODIFY adds some and drops others.
_TAG_ALPHABETS = st.lists(
    st.sampled_from(["AI", "europe", "regulation", "tech", "#ai", "100%"]) | _KEY_TEXT,
    min_size=1,
    max_size=5,
    unique=True,
)
_FIRST_SEQUENCE_NUMBERS = st.integers(1, 10**25)
_SEQUENCE_GAPS = st.integers(1, 10**6)
_FIRST_CREATION_TIMES = st.integers(1_600_000_000, 2_000_000_000)  # epoch seconds
_CREATION_GAPS = st.integers(0, 90)

_Record = dict[str, Any]
_Image = dict[str, dict[str, Any]]
_Malform = Callable[[_Record, int], None]


@dataclass(frozen=True, slots=True)
class _StreamOptions:
    records: SearchStrategy[int]
    sources: SearchStrategy[int]
    statuses: SearchStrategy[str]
    max_tags: int
    bad: bool
    ttl_deletes: bool


_UNTAGGED_ITEMS = _primary_items(st.just([]), st.just("analyzed"), 0)


@dataclass(frozen=True, slots=True)
class _Source:
    """One primary item of the simulated table: its key, its image, and the tags it may have.

    Its versions keep the image's other attributes as they are, encoding included, as DynamoDB
    does with the attributes an update leaves alone.
    """

    keys: _Image
    image: _Image
    tags: tuple[str, ...]

    @classmethod
    def draw(cls, draw: st.DrawFn, item: PrimaryItem, alphabet: Sequence[str]) -> _Source:
        """``item``, its tags the stream's alphabet cut so that every tag key fits DynamoDB."""
        key = tag_item_key("", _ANY_INSTANT, item.ingested_at, item.source_id)
        room = max(MAX_SORT_KEY_BYTES - len(key.encode()), 0)
        tags = (
            text if len(escape(text).encode()) <= room else _cut(text, room, _escaped_size)
            for text in alphabet
        )
        keys = {"source_id": {"S": item.source_id}, "ingested_at": {"S": item.ingested_at}}
        image = _draw_image(draw, item)
        return cls(keys, image, tuple(dict.fromkeys(tag for tag in tags if tag)))


@st.composite
def _stream_records(
    draw: st.DrawFn, items: SearchStrategy[list[PrimaryItem]], options: _StreamOptions
) -> list[_Record]:
    alphabet = draw(_TAG_ALPHABETS)
    sources = [_Source.draw(draw, item, alphabet) for item in draw(items)]
    table: dict[int, _Image] = {}  # the primary table: each present item's latest image
    sequence = draw(_FIRST_SEQUENCE_NUMBERS)
    created = draw(_FIRST_CREATION_TIMES)
    records: list[_Record] = []
    for position in range(draw(options.records)):
        if position:
            sequence += draw(_SEQUENCE_GAPS)
            created += draw(_CREATION_GAPS)
        index = draw(options.sources)
        source, current = sources[index], table.get(index)
        if options.bad and draw(_ONE_IN_EIGHT):
            new = _draw_version(draw, source, options)
            new["status"] = {"S": "analyzed"}  # an image that does not project is not checked
            name = "INSERT" if current is None else "MODIFY"
            record = _record(name, sequence, created, source.keys, new=new, old=current)
            kind, malform = draw(_MALFORMATIONS)
            malform(record, options.max_tags)
            record["eventID"] = f"bad-{kind}-{record['eventID']}"
        elif current is not None and draw(_ONE_IN_FOUR):
            ttl = options.ttl_deletes and draw(_BOOLEANS)
            record = _record("REMOVE", sequence, created, source.keys, old=current, ttl=ttl)
            del table[index]
        else:
            new = table[index] = _draw_version(draw, source, options)
            name = "INSERT" if current is None else "MODIFY"
            record = _record(name, sequence, created, source.keys, new=new, old=current)
        records.append(record)
    return records


def _draw_version(draw: st.DrawFn, source: _Source, options: _StreamOptions) -> _Image:
    """A new image of ``source``: same key, other tags, status, sentiment and score."""
    image = copy.deepcopy(source.image)
    image["status"] = {"S": draw(options.statuses)}
    image["sentiment"] = {"S": draw(_SENTIMENTS)}
    image["score"] = {"N": _draw_spelling(draw, draw(_SCORES))}
    tags = [tag for tag in source.tags if draw(_BOOLEANS)][: options.max_tags]
    if tags:
        image["matched_tags"] = {"SS": tags}
    else:
        image.pop("matched_tags", None)  # DynamoDB has no empty sets
    return image


def _record(  # noqa: PLR0913 - the parts of a record, by name
    name: str,
    sequence: int,
    created: int,
    keys: _Image,
    *,
    new: _Image | None = None,
    old: _Image | None = None,
    ttl: bool = False,
) -> _Record:
    """A stream record as Lambda delivers it, made of copies: its dicts are its own."""
    body: dict[str, Any] = {"ApproximateCreationDateTime": created, "Keys": copy.deepcopy(keys)}
    if new is not None:
        body["NewImage"] = copy.deepcopy(new)
    if old is not None:
        body["OldImage"] = copy.deepcopy(old)
    body["SequenceNumber"] = str(sequence)
    body["SizeBytes"] = len(json.dumps([keys, new, old], ensure_ascii=False).encode())
    body["StreamViewType"] = _STREAM_VIEW_TYPE
    record: _Record = {
        "eventID": hashlib.blake2b(body["SequenceNumber"].encode(), digest_size=16).hexdigest(),
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": _REGION,
        "dynamodb": body,
        "eventSourceARN": _STREAM_ARN,
    }
    if ttl:
        record["userIdentity"] = dict(_TTL_IDENTITY)
    return record


# Malformations: each turns a good INSERT or MODIFY record (of an analyzed item) into one that
# the processor rejects. Named like the files of the test suite's corpus of bad events.


def _set_new(name: str, value: object) -> _Malform:
    def malform(record: _Record, max_tags: int) -> None:
        del max_tags
        record["dynamodb"]["NewImage"][name] = copy.deepcopy(value)

    return malform


def _drop_new(name: str) -> _Malform:
    def malform(record: _Record, max_tags: int) -> None:
        del max_tags
        record["dynamodb"]["NewImage"].pop(name, None)

    return malform


def _source_id_too_long(record: _Record, max_tags: int) -> None:
    del max_tags
    image = record["dynamodb"]["NewImage"]
    image["source_id"] = {"S": image["source_id"]["S"] + "x" * MAX_SORT_KEY_BYTES}


def _too_many_tags(record: _Record, max_tags: int) -> None:
    tags = [f"tag{number:02d}" for number in range(max_tags + 1)]
    record["dynamodb"]["NewImage"]["matched_tags"] = {"SS": tags}


def _new_image_not_an_object(record: _Record, max_tags: int) -> None:
    del max_tags
    body = record["dynamodb"]
    body["NewImage"] = [body["NewImage"]]


def _missing_new_image(record: _Record, max_tags: int) -> None:
    """As a stream with the ``OLD_IMAGE`` view type delivers an INSERT or MODIFY."""
    del max_tags
    body = record["dynamodb"]
    del body["NewImage"]
    body["StreamViewType"] = "OLD_IMAGE"


def _missing_sequence_number(record: _Record, max_tags: int) -> None:
    del max_tags
    del record["dynamodb"]["SequenceNumber"]


def _record_without_dynamodb(record: _Record, max_tags: int) -> None:
    del max_tags
    del record["dynamodb"]


def _unknown_event_name(record: _Record, max_tags: int) -> None:
    del max_tags
    record["eventName"] = "UPSERT"


_MALFORMATION_KINDS: tuple[tuple[str, _Malform], ...] = (
    # Malformed DynamoDB JSON.
    ("attribute_value_not_an_object", _set_new("sentiment", "neutral")),
    ("bad_base64", _set_new("source_id", {"B": "not*base64!"})),
    ("duplicate_tags", _set_new("matched_tags", {"SS": ["AI", "AI"]})),
    ("empty_ss", _set_new("matched_tags", {"SS": []})),
    ("n_39_digits", _set_new("score", {"N": "0." + "1" * 39})),
    ("n_infinity", _set_new("score", {"N": "Infinity"})),
    ("n_nan", _set_new("score", {"N": "NaN"})),
    ("n_not_numeric", _set_new("score", {"N": "abc"})),
    ("two_type_tags", _set_new("score", {"N": "0.5", "S": "0.5"})),
    ("unknown_type_tag", _set_new("score", {"X": "0.5"})),
    # Invalid fields.
    ("bad_sentiment", _set_new("sentiment", {"S": "happy"})),
    ("empty_string_tag", _set_new("matched_tags", {"SS": ["AI", ""]})),
    ("ingested_at_not_a_date", _set_new("ingested_at", {"S": "yesterday"})),
    ("ingested_at_out_of_range", _set_new("ingested_at", {"S": "0001-01-01T00:00:00+01:00"})),
    ("ingested_at_without_timezone", _set_new("ingested_at", {"S": "2025-11-16T14:30:15"})),
    ("missing_score", _drop_new("score")),
    ("missing_sentiment", _drop_new("sentiment")),
    ("missing_source_id", _drop_new("source_id")),
    ("score_as_string", _set_new("score", {"S": "0.72"})),
    ("score_negative", _set_new("score", {"N": "-0.1"})),
    ("score_out_of_range", _set_new("score", {"N": "1.5"})),
    ("source_id_too_long", _source_id_too_long),
    ("tags_as_list", _set_new("matched_tags", {"L": [{"S": "AI"}, {"S": "europe"}]})),
    ("too_many_tags", _too_many_tags),
    # Broken envelopes.
    ("missing_new_image", _missing_new_image),
    ("missing_sequence_number", _missing_sequence_number),
    ("new_image_not_an_object", _new_image_not_an_object),
    ("record_without_dynamodb", _record_without_dynamodb),
    ("unknown_event_name", _unknown_event_name),
)
_MALFORMATIONS = st.sampled_from(_MALFORMATION_KINDS)


@st.composite
def _stream_events(
    draw: st.DrawFn,
    records: SearchStrategy[list[_Record]],
    sizes: SearchStrategy[int],
    *,
    redeliver: bool,
) -> list[_Record]:
    stream = draw(records)
    events: list[_Record] = []
    start = 0
    while start < len(stream):
        event = {"Records": stream[start : start + draw(sizes)]}
        start += len(event["Records"])
        events.append(event)
        if redeliver and draw(_ONE_IN_FOUR):
            events.append(copy.deepcopy(event))  # at least once: delivered again after a timeout
    return events
