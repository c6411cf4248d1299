"""A dashboard's summary, read back the way the dashboard reads it: by key, through the GSIs.

Every number comes from one of the library's query builders, so the summary also shows that the
key design answers the dashboard's questions: items per day (``query_by_day``: base items of a
day partition), the sentiment mix per day (``query_by_sentiment`` on the ``by_sentiment_score``
index, one query per sentiment), and the top tags (``query_by_tag`` on the ``by_tag`` index). Were
the indexes not sparse, a source item would be counted once per tag and the sentiment counts
would not add up to the day's items.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dashboard_projection._sentiment._queries import query_by_day, query_by_sentiment, query_by_tag
from dashboard_projection._view._rules import SENTIMENTS

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryOutputTypeDef

    from dashboard_projection._counters._reader import CounterTotal

TOP_TAGS = 8
_BAR = 30


@dataclass(frozen=True, slots=True)
class DaySummary:
    """One day: its source items, and how many are of each sentiment."""

    day: date
    items: int
    sentiments: dict[str, int]


@dataclass(frozen=True, slots=True)
class DashboardSummary:
    """The days asked for, and the most frequent tags over all of them (most items first)."""

    days: list[DaySummary]
    top_tags: list[tuple[str, int]]


def read_summary(
    client: DynamoDBClient,
    table: str,
    days: list[date],
    *,
    on_query: Callable[[int], None] = lambda _: None,
) -> DashboardSummary:
    """Query ``table`` for each day's items and sentiments, and for the top tags.

    ``on_query`` is called with 1 after each query, for a progress bar.
    """

    def pages(query: dict[str, Any]) -> list[QueryOutputTypeDef]:
        found = list(client.get_paginator("query").paginate(**query))
        on_query(1)
        return found

    def count(query: dict[str, Any]) -> int:
        return sum(page["Count"] for page in pages(query | {"Select": "COUNT"}))

    summaries: list[DaySummary] = []
    tags: set[str] = set()
    for day in days:
        listed = pages(query_by_day(table, day) | {"ProjectionExpression": "matched_tags"})
        found = [item for page in listed for item in page.get("Items", [])]
        tags.update(tag for item in found for tag in item.get("matched_tags", {}).get("SS", []))
        sentiments = {s: count(query_by_sentiment(table, day, s)) for s in SENTIMENTS}
        summaries.append(DaySummary(day, len(found), sentiments))
    counts = Counter({tag: count(query_by_tag(table, tag)) for tag in tags})
    top = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_TAGS]
    return DashboardSummary(summaries, top)


def render_summary(summary: DashboardSummary) -> list[str]:
    """The summary as lines of text: a table of days, then the top tags with bars."""
    header = f"  {'day':<12}{'items':>6}" + "".join(f"{s:>14}" for s in SENTIMENTS)
    lines = ["Items per day and sentiment mix (query_by_day, query_by_sentiment):", header]
    for day in summary.days:
        mix = "".join(
            f"{count:>9} {_percent(count, day.items):>3}%"
            for count in (day.sentiments[sentiment] for sentiment in SENTIMENTS)
        )
        lines.append(f"  {day.day.isoformat():<12}{day.items:>6}{mix}")
    total = sum(day.items for day in summary.days)
    lines += [f"  {'total':<12}{total:>6}", "", "Top tags (query_by_tag on the by_tag index):"]
    most = max((count for _, count in summary.top_tags), default=1)
    lines += [
        f"  {tag:<12}{count:>6}  {'#' * max(1, count * _BAR // most)}"
        for tag, count in summary.top_tags
    ]
    return lines


def render_counters(totals: list[CounterTotal]) -> list[str]:
    """Counters as lines: items, sentiments and mean score per day, then the top tags."""
    by_day: dict[date, dict[tuple[str, str], CounterTotal]] = {}
    for total in totals:
        by_day.setdefault(total.day, {})[total.dimension, total.value] = total
    header = f"  {'day':<12}{'items':>6}" + "".join(f"{s:>10}" for s in SENTIMENTS) + "  mean score"
    lines = [header]
    for day, counters in sorted(by_day.items()):
        whole = counters.get(("*", "*"))
        items = whole.count if whole else 0
        mix = "".join(
            f"{(counters[key].count if key in counters else 0):>10}"
            for key in (("sentiment", sentiment) for sentiment in SENTIMENTS)
        )
        mean = f"{whole.sums['score'] / whole.count:.3f}" if whole and whole.count else "-"
        lines.append(f"  {day.isoformat():<12}{items:>6}{mix}{mean:>12}")
    tags: Counter[str] = Counter()
    for total in totals:
        if total.dimension == "tag":
            tags[total.value] += total.count
    top = sorted(tags.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_TAGS]
    lines.append("  top tags: " + ", ".join(f"{tag} {count}" for tag, count in top))
    return lines


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0
