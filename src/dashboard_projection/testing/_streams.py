"""Streams: records that follow a simulated primary table, and the Lambda events that carry them."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from dashboard_projection._view._rules import DEFAULT_MAX_TAGS
from dashboard_projection.testing._images import view_schema
from dashboard_projection.testing._sentiment import SentimentSchema, check_statuses
from dashboard_projection.testing._table import Image, Record, Schema, record
from dashboard_projection.testing._values import (
    BOOLEANS,
    ONE_IN_EIGHT,
    ONE_IN_FOUR,
    SearchStrategy,
    check_count,
)

if TYPE_CHECKING:
    from dashboard_projection._view._declaration import DashboardView

_FIRST_SEQUENCE_NUMBERS = st.integers(1, 10**25)
_SEQUENCE_GAPS = st.integers(1, 10**6)
_FIRST_CREATION_TIMES = st.integers(1_600_000_000, 2_000_000_000)  # epoch seconds
_CREATION_GAPS = st.integers(0, 90)


def stream_records(  # noqa: PLR0913 - every option is keyword-only with a default
    view: DashboardView[Any, Any] | None = None,
    *,
    fields: Mapping[str, SearchStrategy[Any]] | None = None,
    sources: int = 3,
    max_records: int = 20,
    bad: bool = False,
    ttl_deletes: bool = True,
    statuses: Sequence[str] | None = None,
    max_tags: int | None = None,
) -> SearchStrategy[list[dict[str, Any]]]:
    """A DynamoDB stream: Lambda records whose images follow a simulated primary table.

    Each record is the full envelope Lambda delivers (``eventID``, ``eventName``,
    ``eventVersion``, ``eventSource``, ``awsRegion``, ``eventSourceARN``, and ``dynamodb`` with
    ``ApproximateCreationDateTime``, ``Keys``, ``NewImage``, ``OldImage``, ``SequenceNumber``,
    ``SizeBytes`` and ``StreamViewType: NEW_AND_OLD_IMAGES``), for a few primary items: the
    sentiment dashboard's (drawn with :func:`primary_items`, encoded as :func:`stream_images`
    encodes them) or, given a ``view``, items of ``view.model`` (as ``stream_images(view)``
    draws them; ``Keys`` are the view's key attributes). The images are what the table held:

    * INSERT when the item is absent: a ``NewImage``, no ``OldImage``;
    * MODIFY when present: the ``OldImage`` is the item's latest image, the ``NewImage`` keeps
      its key and changes its fan-out members (from a small alphabet per stream, so members
      come and go), and other attributes: for the sentiment default its ``status`` (so items
      leave and re-enter the dashboard), sentiment and score; for a view, each attribute the
      key leaves free is drawn again half the time (so shown-ness, the combined category and
      value, even the timestamp change);
    * REMOVE when present: the ``OldImage`` only; with ``ttl_deletes``, some are DynamoDB's own
      TTL deletions, with ``userIdentity: {"type": "Service", "principalId":
      "dynamodb.amazonaws.com"}``. A removed item may be inserted again.

    Sequence numbers are decimal strings, strictly increasing as integers (they may grow in
    length); ``ApproximateCreationDateTime`` never decreases. Each record's images are its own
    objects: mutating one record changes no other.

    With ``bad``, malformed records are mixed in. For a view, kinds that any model refuses:
    malformed DynamoDB JSON (``{"N": "NaN"}``, an unknown type tag, bad base64…), a type tag
    the field is not stored as, a missing required attribute, and broken envelopes (no
    ``SequenceNumber``, no ``dynamodb``, an unknown ``eventName``, ``Keys`` of another table…).
    For the sentiment default also invalid fields (a score of 1.5, an ``ingested_at`` without
    timezone, ``max_tags + 1`` tags…). The view (or, by default, any
    :class:`~dashboard_projection.DashboardProjection` whose ``max_tags`` is this one's)
    rejects every one of them; they leave the simulated table as it was (the next record's
    ``OldImage`` is the last good image), and their ``eventID`` is ``bad-<kind>-<hex>``, naming
    the malformation, where a good record's is 32 hex digits. Redelivery is not a property of
    the stream: see :func:`stream_events`.

    Args:
        view: Whose primary table to simulate; the sentiment dashboard's when omitted.
        fields: With a view: strategies of Python values for some attributes, as for
            :func:`stream_images`.
        sources: How many primary items (distinct keys) the stream is about, at most.
        max_records: At most this many records (at least one), bad ones included.
        bad: Whether to mix in malformed records (about one in eight).
        ttl_deletes: Whether some REMOVEs are TTL deletions.
        statuses: Sentiment default only: the ``status`` values images draw from (repeat one to
            draw it more often; only ``"analyzed"`` projects); ``analyzed`` and ``pending``.
        max_tags: Sentiment default only: at most this many ``matched_tags`` per good image;
            :data:`~dashboard_projection.DEFAULT_MAX_TAGS` when omitted.

    Returns:
        A strategy for lists of stream records (DynamoDB JSON, as in a Lambda event).

    Raises:
        InvalidArgument: An option out of range, ``statuses`` or ``max_tags`` with a view, or
            ``fields`` without one (or naming no attribute of its model).
    """
    check_count("sources", sources, 1)
    check_count("max_records", max_records, 1)
    schema: Schema
    if view is None:
        if fields is not None:
            raise InvalidArgument("fields= needs a view: the sentiment default has its own")
        schema = SentimentSchema(
            check_statuses(("analyzed", "pending") if statuses is None else statuses),
            _max_tags(max_tags),
        )
    else:
        if statuses is not None or max_tags is not None:
            raise InvalidArgument(
                "statuses= and max_tags= are the sentiment default's; a view's images follow "
                "its model and declaration (override attributes with fields=)"
            )
        schema = view_schema(view, fields)
    options = _StreamOptions(
        count=sources,
        records=st.integers(1, max_records),
        sources=st.integers(0, sources - 1),
        bad=bool(bad),
        ttl_deletes=bool(ttl_deletes),
    )
    return _stream_records(schema, options)


def _max_tags(max_tags: int | None) -> int:
    if max_tags is None:
        return DEFAULT_MAX_TAGS
    check_count("max_tags", max_tags, 0)
    return max_tags


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

    Raises:
        InvalidArgument: ``max_batch`` is not a positive integer.
    """
    check_count("max_batch", max_batch, 1)
    return _stream_events(
        stream_records() if records is None else records,
        st.integers(1, max_batch),
        redeliver=bool(redeliveries),
    )


@dataclass(frozen=True, slots=True)
class _StreamOptions:
    count: int
    records: SearchStrategy[int]
    sources: SearchStrategy[int]
    bad: bool
    ttl_deletes: bool


@st.composite
def _stream_records(draw: st.DrawFn, schema: Schema, options: _StreamOptions) -> list[Record]:
    sources = schema.sources(draw, options.count)
    table: dict[int, Image] = {}  # the primary table: each present item's latest image
    sequence = draw(_FIRST_SEQUENCE_NUMBERS)
    created = draw(_FIRST_CREATION_TIMES)
    records: list[Record] = []
    for position in range(draw(options.records)):
        if position:
            sequence += draw(_SEQUENCE_GAPS)
            created += draw(_CREATION_GAPS)
        index = draw(options.sources)
        source, current = sources[index], table.get(index)
        name = "INSERT" if current is None else "MODIFY"
        if options.bad and draw(ONE_IN_EIGHT):
            new = schema.version(draw, source)
            schema.checked(new)  # an image that is not shown is not checked
            raw = record(name, sequence, created, source.keys, new=new, old=current)
            kind, malform = schema.malformation(draw)
            malform(raw)
            raw["eventID"] = f"bad-{kind}-{raw['eventID']}"
        elif current is not None and draw(ONE_IN_FOUR):
            ttl = options.ttl_deletes and draw(BOOLEANS)
            raw = record("REMOVE", sequence, created, source.keys, old=current, ttl=ttl)
            del table[index]
        else:
            new = table[index] = schema.version(draw, source)
            raw = record(name, sequence, created, source.keys, new=new, old=current)
        records.append(raw)
    return records


@st.composite
def _stream_events(
    draw: st.DrawFn,
    records: SearchStrategy[list[Record]],
    sizes: SearchStrategy[int],
    *,
    redeliver: bool,
) -> list[Record]:
    stream = draw(records)
    events: list[Record] = []
    start = 0
    while start < len(stream):
        event = {"Records": stream[start : start + draw(sizes)]}
        start += len(event["Records"])
        events.append(event)
        if redeliver and draw(ONE_IN_FOUR):
            events.append(copy.deepcopy(event))  # at least once: delivered again after a timeout
    return events
