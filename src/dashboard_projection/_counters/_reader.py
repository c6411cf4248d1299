"""Reading counters back: shards summed, one ``Query`` per day, typed totals.

A day's counters are one partition (``counter#<day>``), so a day range costs one query (and its
pages) per day, whatever the number of counters and shards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dashboard_projection._counters._declaration import (
    Contribution,
    add,
    counter_id,
    split_counter_id,
)
from dashboard_projection._errors import InvalidInputError
from dashboard_projection._types import WireItem

if TYPE_CHECKING:
    from dashboard_projection._counters._declaration import Counters


@dataclass(frozen=True, slots=True)
class CounterTotal:
    """One counter, its shards summed.

    Attributes:
        day: The UTC day.
        dimension: ``*`` for the day's total, a ``by`` attribute, or the fan-out attribute.
        value: The attribute's value (``*`` for the total).
        count: Source items counted.
        sums: Each declared sum, by attribute name.
    """

    day: date
    dimension: str
    value: str
    count: int
    sums: Mapping[str, Decimal]


def totals_of(counters: Counters, items: Iterable[WireItem]) -> Contribution:
    """Counter id → amounts, summed over the shard items among ``items`` (markers ignored).

    Counters whose amounts are all zero (every contribution withdrawn) are left out.
    """
    total: Contribution = {}
    names = ("count", *(f"sum_{name}" for name in counters.sums))
    for item in items:
        if not str(item.get("pk", {}).get("S", "")).startswith("counter#"):
            continue
        identifier = counter_id(item["day"]["S"], item["dimension"]["S"], item["value"]["S"])
        add(total, identifier, tuple(Decimal(item.get(name, {}).get("N", "0")) for name in names))
    return {key: amounts for key, amounts in total.items() if any(amounts)}


def days_of(first: date, last: date) -> list[date]:
    """The days ``first`` to ``last``, both included.

    Raises:
        InvalidInputError: ``last`` is before ``first``.
    """
    if last < first:
        raise InvalidInputError(f"expected first <= last, got {first} and {last}", path="days")
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def day_queries(
    table_name: str, first: date, last: date, *, key: str = "pk", prefix: str = "counter#"
) -> list[dict[str, Any]]:
    """``client.query`` arguments, one per day in ``[first, last]``: partition ``<prefix><day>``.

    The defaults select a counters table's day; ``key="day_partition", prefix=""`` every
    dashboard item of the day (base items and copies).

    Raises:
        InvalidInputError: ``last`` is before ``first``.
    """
    return [
        {
            "TableName": table_name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": key},
            "ExpressionAttributeValues": {":pk": {"S": f"{prefix}{day.isoformat()}"}},
            "ConsistentRead": True,
        }
        for day in days_of(first, last)
    ]


def as_totals(counters: Counters, totals: Contribution) -> list[CounterTotal]:
    """Counter ids and amounts as typed :class:`CounterTotal` values, sorted by id."""
    typed = []
    for identifier, amounts in sorted(totals.items()):
        day, dimension, value = split_counter_id(identifier)
        typed.append(
            CounterTotal(
                day=date.fromisoformat(day),
                dimension=dimension,
                value=value,
                count=int(amounts[0]),
                sums=dict(zip(counters.sums, amounts[1:], strict=True)),
            )
        )
    return typed
