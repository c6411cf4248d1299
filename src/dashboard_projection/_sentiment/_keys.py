"""The sentiment dashboard's key design, as code: its item keys and its table definition.

The seed keyed the table on (``day_partition``, ``ingested_at``), so a source item's tag copies
overwrote its base item, and two sources ingested at the same instant overwrote each other. Here
the sort key ``item_key`` names the item completely::

    base item   day_partition = 2025-11-16
                item_key      = base#2025-11-16T14:30:15.000000Z#<ingested_at>#<source_id>
    tag item    day_partition = 2025-11-16
                item_key      = tag#<tag>#2025-11-16T14:30:15.000000Z#<ingested_at>#<source_id>

The fixed-width UTC instant makes keys sort by time; ``<ingested_at>`` (as written in the primary
table) and ``<source_id>`` (last, so it may contain anything) make the key
unique per primary item, even for two spellings of one instant. Tags are escaped (``%`` and ``#``)
so that no tag can run into the next component. Base items alone carry ``sentiment_score_combined``
and tag items alone carry ``tag``: each GSI is sparse and returns every source item once.
"""

from __future__ import annotations

from typing import Any

from dashboard_projection._view._layout import PARTITION_KEY, SORT_KEY

KEY_ATTRIBUTES = (PARTITION_KEY, SORT_KEY)


def base_item_key(instant: str, ingested_at: str, source_id: str) -> str:
    """Sort key of a source item's base item (``instant`` from ``utc_instant``)."""
    return _item_keys(instant, ingested_at, source_id, ())[0]


def tag_item_key(tag: str, instant: str, ingested_at: str, source_id: str) -> str:
    """Sort key of a source item's copy for ``tag``; ``tag#<tag>#`` prefixes a day+tag query."""
    return _item_keys(instant, ingested_at, source_id, (tag,))[1]


def _item_keys(instant: str, ingested_at: str, source_id: str, tags: tuple[str, ...]) -> list[str]:
    """The sentiment view's own keys: its layout builds them, as for every view."""
    from dashboard_projection._sentiment._view import sentiment_view  # noqa: PLC0415 - a cycle

    layout = sentiment_view().layout
    suffix = layout.key_suffix(instant, ({"S": source_id}, {"S": ingested_at}))
    return layout.item_keys(suffix, tags)


def dashboard_table_spec(
    table_name: str, *, billing_mode: str = "PAY_PER_REQUEST"
) -> dict[str, Any]:
    """Keyword arguments for ``client.create_table(**spec)``: the table and its two sparse GSIs.

    The sentiment view's table: ``sentiment_view().table_spec(table_name)``. TTL cannot be set
    at creation; call ``client.update_time_to_live(**ttl_spec(table_name))``.
    """
    from dashboard_projection._sentiment._view import sentiment_view  # noqa: PLC0415

    return sentiment_view().table_spec(table_name, billing_mode=billing_mode)
