"""The sentiment dashboard's four queries, each by key, never by filter.

Thin names over the sentiment view's derived queries (``sentiment_view().query_by_day(...)``),
kept for the code written before views. Every query returns each source item once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dashboard_projection._errors import InvalidInputError
from dashboard_projection._sentiment._view import sentiment_view
from dashboard_projection._view._rules import MAX_SCORE, MIN_SCORE, SENTIMENTS


def query_by_day(table_name: str, day: date) -> dict[str, Any]:
    """``client.query`` arguments for every source item of ``day`` (UTC), once each, by time."""
    return sentiment_view().query_by_day(table_name, day)


def query_by_time_range(table_name: str, start: datetime, end: datetime) -> dict[str, Any]:
    """``client.query`` arguments for source items ingested in ``[start, end)``, within one UTC day.

    ``sentiment_view().query_by_time_range`` spans several days.

    Raises:
        InvalidInputError: A naive datetime, or ``start`` and ``end`` not within one UTC day
            (query each day instead).
    """
    queries = sentiment_view().query_by_time_range(table_name, start, end)
    if len(queries) != 1:
        raise InvalidInputError(
            f"expected start < end within one UTC day, got {start.isoformat()} to {end.isoformat()}"
        )
    return queries[0]


def query_by_tag(table_name: str, tag: str) -> dict[str, Any]:
    """``client.query`` arguments for every source item with ``tag``, once each, by time."""
    return sentiment_view().query_by_member(table_name, tag)


def query_by_sentiment(
    table_name: str,
    day: date,
    sentiment: str,
    min_score: Decimal = MIN_SCORE,
    max_score: Decimal = MAX_SCORE,
) -> dict[str, Any]:
    """``client.query`` arguments for one day's items of one sentiment within a score range.

    Scores compare as in ``sentiment_score_combined``: rounded half-up to two decimals, both
    bounds included.

    Raises:
        InvalidInputError: An unknown sentiment, a score outside [0, 1], or ``min_score``
            above ``max_score``.
    """
    if sentiment not in SENTIMENTS:
        raise InvalidInputError(
            f"expected one of {', '.join(SENTIMENTS)}, got {sentiment!r}", path="sentiment"
        )
    return sentiment_view().query_by_combined(table_name, day, sentiment, min_score, max_score)
