"""The sentiment dashboard, declared: ``sentiment-items-primary`` to ``sentiment-items-dashboard``.

Analyzed items (``status = analyzed``) get a base item per UTC day, ordered by time, with a
``sentiment#score`` combined key (``neutral#0.72``), and one copy per matched tag; each lives 7
days. Everything else (keys, table, queries, the projection the processor runs) is derived by
:class:`DashboardView`, exactly as for any other table.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from dashboard_projection._sentiment._models import DashboardItem, PrimaryItem
from dashboard_projection._view._declaration import DashboardView
from dashboard_projection._view._parts import CombinedKey, FanOut, ShownWhen
from dashboard_projection._view._rules import (
    DEFAULT_MAX_TAGS,
    DEFAULT_TTL_DAYS,
    MAX_SCORE,
    MIN_SCORE,
)


@cache
def sentiment_view(
    *,
    ttl_days: int = DEFAULT_TTL_DAYS,
    max_tags: int = DEFAULT_MAX_TAGS,
    propagate_removes: bool = False,
) -> DashboardView[PrimaryItem, DashboardItem]:
    """The sentiment dashboard's view, with the seed's settings by default.

    Args:
        ttl_days: Days until a written item expires (``TTL_DAYS``).
        max_tags: Cap on ``matched_tags``; an item with more is rejected as invalid input.
        propagate_removes: Delete an item's dashboard items when a user deletes it.

    Raises:
        ConfigurationError: A setting is invalid.
    """
    from dashboard_projection._errors import ConfigurationError  # noqa: PLC0415

    if isinstance(ttl_days, bool) or not isinstance(ttl_days, int) or ttl_days < 1:
        raise ConfigurationError(f"ttl_days must be a whole number of days >= 1, got {ttl_days!r}")
    if isinstance(max_tags, bool) or not isinstance(max_tags, int) or max_tags < 0:
        raise ConfigurationError(f"max_tags must be a whole number >= 0, got {max_tags!r}")
    return DashboardView(
        model=PrimaryItem,
        key=("source_id", "ingested_at"),
        timestamp="ingested_at",
        shown=ShownWhen("status", "analyzed"),
        fan_out=FanOut("matched_tags", attribute="tag", max_members=max_tags),
        combined=CombinedKey(
            "sentiment", "score", places=2, min_value=MIN_SCORE, max_value=MAX_SCORE
        ),
        copy=("sentiment", "score", "matched_tags", "source_type", "source_url", "text_snippet"),
        ttl=timedelta(days=ttl_days),
        propagate_removes=propagate_removes,
        item_model=DashboardItem,
    )
