"""The sentiment dashboard's primary items: the package's default schema, edge cases included.

Scores that rounding half-up or string order could get wrong, ``ingested_at`` in many
spellings, source ids and tags with ``#``, ``%`` and non-ASCII text up to the key size limits.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from dashboard_projection._engine._encode import serialize_value
from dashboard_projection._engine._limits import MAX_SORT_KEY_BYTES
from dashboard_projection._sentiment._keys import base_item_key, tag_item_key
from dashboard_projection._sentiment._models import Metadata, PrimaryItem
from dashboard_projection._view._rules import DEFAULT_MAX_TAGS, SENTIMENTS, escape
from dashboard_projection.testing._malformed import _MALFORMATION_KINDS
from dashboard_projection.testing._table import Image, Malform, Record, Source
from dashboard_projection.testing._values import (
    ANY_INSTANT,
    BOOLEANS,
    CHARACTERS,
    KEY_TEXT,
    MAX_DIGITS,
    MIN_ADJUSTED,
    NAMES,
    OPTIONAL_TEXT,
    SearchStrategy,
    attribute_values,
    check_count,
    cut,
    draw_instant,
    draw_spelling,
    escaped_size,
    utf8_size,
)

# Scores that rounding half-up to cents, or string order, could get wrong.
_EDGE_SCORES = tuple(
    map(Decimal, ["0", "-0", "0.00", "0E-130", "1", "1.000", "0.125", "0.265", "0.995", "0.0049"])
)


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

    Raises:
        InvalidArgument: ``max_tags`` is negative, or ``statuses`` empty or a string.
    """
    check_count("max_tags", max_tags, 0)
    return _primary_items(st.lists(KEY_TEXT, max_size=max_tags), check_statuses(statuses), max_tags)


def check_statuses(statuses: Sequence[str]) -> SearchStrategy[str]:
    """``statuses`` as a strategy.

    Raises:
        InvalidArgument: ``statuses`` is empty, or a string.
    """
    if isinstance(statuses, str) or not statuses:
        raise InvalidArgument(f"statuses must be a non-empty sequence of strings, got {statuses!r}")
    return st.sampled_from(tuple(statuses))


@st.composite
def _scores(draw: st.DrawFn) -> Decimal:
    """A score in [0, 1]: an edge case, a half-way case, or up to 38 digits down to 1E-130."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.sampled_from(_EDGE_SCORES))
    if kind == 1:
        return Decimal(f"0.{draw(st.integers(0, 99)):02d}5")  # 0.005 ... 0.995
    places = draw(st.integers(0, MAX_DIGITS - 1))
    numerator = draw(st.integers(0, 10**places))
    smaller = draw(st.integers(0, -MIN_ADJUSTED - places)) if draw(st.booleans()) else 0
    return Decimal(f"{numerator}E-{places + smaller}")


_SCORES = _scores()
_METADATA = st.none() | st.builds(
    Metadata,
    author=OPTIONAL_TEXT,
    title=OPTIONAL_TEXT,
    published_at=OPTIONAL_TEXT,
    source_name=OPTIONAL_TEXT,
)
_SNIPPETS = st.none() | st.text(CHARACTERS, max_size=200)
_SENTIMENTS = st.sampled_from(SENTIMENTS)


@st.composite
def _primary_items(
    draw: st.DrawFn,
    tag_texts: SearchStrategy[list[str]],
    statuses: SearchStrategy[str],
    max_tags: int,
) -> PrimaryItem:
    ingested_at = draw_instant(draw)
    room = MAX_SORT_KEY_BYTES - len(base_item_key(ANY_INSTANT, ingested_at, ""))
    source_id = cut(draw(KEY_TEXT), room, utf8_size)
    room = MAX_SORT_KEY_BYTES - len(tag_item_key("", ANY_INSTANT, ingested_at, source_id).encode())
    tags = [cut(text, room, escaped_size) for text in draw(tag_texts)]
    data = {
        "source_id": source_id,
        "ingested_at": ingested_at,
        "sentiment": draw(_SENTIMENTS),
        "score": draw(_SCORES),
        "status": draw(statuses),
        "matched_tags": frozenset(tag for tag in tags if tag),  # "" only if the room is tiny
        "source_type": draw(OPTIONAL_TEXT),
        "source_url": draw(OPTIONAL_TEXT),
        "text_snippet": draw(_SNIPPETS),
        "model_version": draw(OPTIONAL_TEXT),
        "metadata": draw(_METADATA),
    }
    return PrimaryItem.model_validate(data, context={"max_tags": max_tags})


_UNKNOWN_ATTRIBUTES = st.dictionaries(
    NAMES.filter(lambda name: name not in PrimaryItem.model_fields),
    attribute_values(max_depth=1),
    max_size=3,
)


@st.composite
def sentiment_images(draw: st.DrawFn, items: SearchStrategy[PrimaryItem]) -> Image:
    """Images of ``items``; see :func:`~dashboard_projection.testing.stream_images`."""
    return _draw_image(draw, draw(items))


def _draw_image(draw: st.DrawFn, item: PrimaryItem) -> Image:
    """``item`` in DynamoDB JSON, in one of its many encodings."""
    image: Image = {}
    for name in PrimaryItem.model_fields:
        value = getattr(item, name)
        if value is None or value == frozenset():
            if name != "matched_tags" and draw(st.booleans()):
                image[name] = {"NULL": True}  # else left out: DynamoDB has no empty sets
        elif name == "score":
            image[name] = {"N": draw_spelling(draw, value)}
        elif name == "matched_tags":
            image[name] = {"SS": draw(st.permutations(sorted(value)))}
        elif isinstance(value, Metadata):
            image[name] = dict(serialize_value(value.model_dump(exclude_none=True)))
        else:
            image[name] = dict(serialize_value(value))
    return image | draw(_UNKNOWN_ATTRIBUTES)


# --- streams ---------------------------------------------------------------------------------

# A few tags per stream, shared by its items, so that a MODIFY adds some and drops others.
_TAG_ALPHABETS = st.lists(
    st.sampled_from(["AI", "europe", "regulation", "tech", "#ai", "100%"]) | KEY_TEXT,
    min_size=1,
    max_size=5,
    unique=True,
)
_UNTAGGED_ITEMS = _primary_items(st.just([]), st.just("analyzed"), 0)
_MALFORMATIONS = st.sampled_from(_MALFORMATION_KINDS)


@cache
def _untagged_items(count: int) -> SearchStrategy[list[PrimaryItem]]:
    """``count`` items with distinct keys and no tags (they come from the stream's alphabet)."""
    return st.lists(
        _UNTAGGED_ITEMS,
        min_size=count,
        max_size=count,
        unique_by=lambda item: (item.source_id, item.ingested_at),
    )


@dataclass(frozen=True, slots=True)
class SentimentSchema:
    """The sentiment dashboard's primary table, for :mod:`._streams`.

    Versions keep an image's other attributes as they are, encoding included, as DynamoDB does
    with the attributes an update leaves alone; they change tags, status, sentiment and score.
    """

    statuses: SearchStrategy[str]
    max_tags: int

    def sources(self, draw: st.DrawFn, count: int) -> list[Source]:
        """``count`` items with distinct keys, their tags from one alphabet per stream."""
        items = draw(_untagged_items(count))
        alphabet = draw(_TAG_ALPHABETS)
        return [self._source(draw, item, alphabet) for item in items]

    @staticmethod
    def _source(draw: st.DrawFn, item: PrimaryItem, alphabet: Sequence[str]) -> Source:
        key = tag_item_key("", ANY_INSTANT, item.ingested_at, item.source_id)
        room = max(MAX_SORT_KEY_BYTES - len(key.encode()), 0)
        tags = (
            text if len(escape(text).encode()) <= room else cut(text, room, escaped_size)
            for text in alphabet
        )
        keys = {"source_id": {"S": item.source_id}, "ingested_at": {"S": item.ingested_at}}
        return Source(keys, _draw_image(draw, item), tuple(dict.fromkeys(t for t in tags if t)))

    def version(self, draw: st.DrawFn, source: Source) -> Image:
        """Same key, other tags, status, sentiment and score."""
        image = copy.deepcopy(source.image)
        image["status"] = {"S": draw(self.statuses)}
        image["sentiment"] = {"S": draw(_SENTIMENTS)}
        image["score"] = {"N": draw_spelling(draw, draw(_SCORES))}
        tags = [tag for tag in source.members if draw(BOOLEANS)][: self.max_tags]
        if tags:
            image["matched_tags"] = {"SS": tags}
        else:
            image.pop("matched_tags", None)  # DynamoDB has no empty sets
        return image

    def checked(self, image: Image) -> None:
        """Analyzed: an image that does not project is not checked."""
        image["status"] = {"S": "analyzed"}

    def malformation(self, draw: st.DrawFn) -> tuple[str, Malform]:
        """One of the sentiment kinds, for this stream's tag cap."""
        kind, malform = draw(_MALFORMATIONS)
        max_tags = self.max_tags

        def apply(record: Record) -> None:
            malform(record, max_tags)

        return kind, apply
