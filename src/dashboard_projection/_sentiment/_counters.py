"""The sentiment dashboard's counters: items per day, per day and sentiment, per day and tag."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from dashboard_projection._counters._declaration import Counters
from dashboard_projection._sentiment._view import sentiment_view


@cache
def sentiment_counters(
    *, shards: int = 4, retention: timedelta | None = None, propagate_removes: bool = False
) -> Counters:
    """Counters over :func:`sentiment_view`: per day, per day and sentiment, per day and tag.

    Every counter also sums ``score`` (its mean is ``sum_score / count``).

    Args:
        shards: Items per counter (see :class:`Counters`).
        retention: How long a day's counters live after the day; ``None``: for ever.
        propagate_removes: As for :func:`sentiment_view`: the counted view must be the one the
            processor runs.

    Raises:
        ConfigurationError: A setting is invalid.
    """
    return Counters(
        view=sentiment_view(propagate_removes=propagate_removes),
        by=("sentiment",),
        sums=("score",),
        per_member=True,
        shards=shards,
        retention=retention,
    )
