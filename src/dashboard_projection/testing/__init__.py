"""Hypothesis strategies and law checks for what a DynamoDB stream hands a dashboard.

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

By default they draw the sentiment dashboard's items; given a
:class:`~dashboard_projection.DashboardView`, ``stream_images(view)`` and
``stream_records(view)`` draw items of the view's own model, from its field types and
constraints (``fields=`` overrides an attribute). :func:`check_view_laws` is the one call that
checks a view against every law a dashboard keeps (total, storable, idempotent, no stale items,
each query selects each item once); :func:`view_laws` is its state machine.

    attribute_values    any DynamoDB JSON value                     (_values)
    primary_items       the sentiment dashboard's items             (_sentiment)
    stream_images       images of those, or of any view's model     (_images, _fields)
    stream_records      streams of a simulated primary table        (_streams, _table, _malformed)
    stream_events       those streams as Lambda delivers them       (_streams)
    check_view_laws     the laws, checked                           (_laws, _reference, _queries)
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401 - only to say what is missing
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "dashboard_projection.testing needs Hypothesis: pip install 'dashboard-projection[testing]'"
    ) from exc

from dashboard_projection.testing._images import stream_images
from dashboard_projection.testing._laws import check_view_laws, view_laws
from dashboard_projection.testing._sentiment import primary_items
from dashboard_projection.testing._streams import stream_events, stream_records
from dashboard_projection.testing._values import attribute_values

__all__ = [
    "attribute_values",
    "check_view_laws",
    "primary_items",
    "stream_events",
    "stream_images",
    "stream_records",
    "view_laws",
]
