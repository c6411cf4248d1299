"""Query arguments for the four questions the dashboard answers, each by key, never by filter.

Every query returns each source item once: by day and by time range select base items with a key
condition on ``item_key``; ``by_tag`` holds only tag items and ``by_sentiment_score`` only base
items, because each carries the other index's key attribute only where it belongs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dashboard_projection._errors import InvalidInputError
from dashboard_projection._keys import BASE_PREFIX, BY_SENTIMENT_SCORE_INDEX, BY_TAG_INDEX
from dashboard_projection._rules import MAX_SCORE, MIN_SCORE, combined_key, day_partition
from dashboard_projection._time import utc_instant

_TICK = timedelta(microseconds=1)


def _query(table_name: str, condition: str, values: dict[str, str], **extra: Any) -> dict[str, Any]:  # noqa: ANN401
    return {
        "TableName": table_name,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": {name: {"S": value} for name, value in values.items()},
        **extra,
    }


def _day(day: date) -> str:
    """A date as its partition; an aware datetime as its UTC date (not its local one)."""
    return day_partition(day) if isinstance(day, datetime) else day.isoformat()


def query_by_day(table_name: str, day: date) -> dict[str, Any]:
    """``client.query`` arguments for every source item of ``day`` (UTC), once each, by time."""
    return _query(
        table_name,
        "day_partition = :day AND begins_with(item_key, :base)",
        {":day": _day(day), ":base": BASE_PREFIX},
    )


def query_by_time_range(table_name: str, start: datetime, end: datetime) -> dict[str, Any]:
    """``client.query`` arguments for source items ingested in ``[start, end)``, within one UTC day.

    Raises:
        InvalidInputError: A naive datetime, or ``start`` and ``end`` not within one UTC day
            (query each day instead).
    """
    day = day_partition(start)
    last_day = day_partition(end - _TICK)  # rejects a naive end before comparing it
    if not start < end or last_day != day:
        raise InvalidInputError(
            f"expected start < end within one UTC day, got {start.isoformat()} to {end.isoformat()}"
        )
    return _query(
        table_name,
        "day_partition = :day AND item_key BETWEEN :start AND :end",
        {
            ":day": day,
            ":start": BASE_PREFIX + utc_instant(start),
            ":end": BASE_PREFIX + utc_instant(end),
        },
    )


def query_by_tag(table_name: str, tag: str) -> dict[str, Any]:
    """``client.query`` arguments for every source item with ``tag``, once each, by time."""
    return _query(table_name, "tag = :tag", {":tag": tag}, IndexName=BY_TAG_INDEX)


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
    """
    return _query(
        table_name,
        "day_partition = :day AND sentiment_score_combined BETWEEN :low AND :high",
        {
            ":day": _day(day),
            ":low": combined_key(sentiment, min_score),
            ":high": combined_key(sentiment, max_score),
        },
        IndexName=BY_SENTIMENT_SCORE_INDEX,
    )
