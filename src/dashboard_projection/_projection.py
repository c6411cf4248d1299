"""Pure projection: a primary item to its dashboard items. No clock, no I/O."""

from __future__ import annotations

from datetime import datetime

from dashboard_projection._keys import base_item_key, tag_item_key
from dashboard_projection._models import DashboardItem, PrimaryItem
from dashboard_projection._rules import DEFAULT_TTL_DAYS, combined_key, expires_at
from dashboard_projection._time import utc_instant


def base_item(item: PrimaryItem, *, expires: int) -> DashboardItem:
    """The source item's base item, which carries ``sentiment_score_combined``."""
    instant = utc_instant(item.ingested_instant)
    return DashboardItem.model_construct(  # the inputs are validated; skip validating again
        day_partition=instant[:10],
        item_key=base_item_key(instant, item.ingested_at, item.source_id),
        source_id=item.source_id,
        ingested_at=item.ingested_at,
        ingested_at_utc=instant,
        sentiment=item.sentiment,
        score=item.score,
        expires_at=expires,
        sentiment_score_combined=combined_key(item.sentiment, item.score),
        tag=None,
        matched_tags=item.matched_tags,
        source_type=item.source_type,
        source_url=item.source_url,
        text_snippet=item.text_snippet,
    )


def fan_out(base: DashboardItem) -> list[DashboardItem]:
    """One copy of ``base`` per matched tag, in sorted tag order.

    A copy carries ``tag`` (the ``by_tag`` index key) and no ``sentiment_score_combined``, so it
    appears in ``by_tag`` only, and a query by day selects base items by the ``base#`` key prefix.
    """
    return [
        base.model_copy(
            update={
                "item_key": tag_item_key(
                    tag, base.ingested_at_utc, base.ingested_at, base.source_id
                ),
                "tag": tag,
                "sentiment_score_combined": None,
            }
        )
        for tag in sorted(base.matched_tags)
    ]


def project(
    item: PrimaryItem, *, now: datetime, ttl_days: int = DEFAULT_TTL_DAYS
) -> list[DashboardItem]:
    """Every dashboard item of ``item``: its base item first, then one per tag in sorted order.

    Whether to project at all (``status``, event type) is the caller's decision; this function
    projects whatever valid item it is given and never raises for one.
    """
    base = base_item(item, expires=expires_at(now, ttl_days))
    return [base, *fan_out(base)]
