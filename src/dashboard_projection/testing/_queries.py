"""The query law: each ``query_by_*`` selects every shown item it should, exactly once.

What a query should select is worked out from the primary table's images (day, members,
category and value); what it does select is its key condition evaluated on the table in memory
(:func:`._reference.select`). Items whose primary key was removed and kept until their TTL are
left out: an item inserted again may rightly appear twice, old and new, until the old expires.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from dashboard_projection._engine._plan import key_identity
from dashboard_projection._types import WireItem
from dashboard_projection._view._declaration import DashboardView
from dashboard_projection._view._rules import day_partition
from dashboard_projection.testing._reference import Reference, select

_TABLE = "dashboard"
_WIDE = Context(prec=80)


@dataclass(frozen=True, slots=True)
class _Shown:
    """What the queries need to know of one shown item of the primary table."""

    key: Hashable
    day: str
    members: frozenset[str]
    category: str | None
    value: Decimal | None


def check_queries(
    view: DashboardView[Any, Any], reference: Reference, items: Sequence[WireItem]
) -> None:
    """Raise if a query selects a current shown item other than once, or one it should not.

    Raises:
        AssertionError: Naming the query, the item and how often it was selected.
    """
    shown = [
        _facts(view, key, image)
        for key, image in reference.current.items()
        if key not in reference.orphaned and reference.items_of(image)
    ]
    indexes = {
        index["IndexName"]: tuple(part["AttributeName"] for part in index["KeySchema"])
        for index in view.table_spec(_TABLE).get("GlobalSecondaryIndexes", [])
    }

    def once(name: str, query: dict[str, Any], wanted: set[Hashable]) -> None:
        counts: dict[Hashable, int] = {}
        for item in select(query, items, indexes):
            counts[key_identity(item, view.key)] = counts.get(key_identity(item, view.key), 0) + 1
        for fact in shown:
            want, got = int(fact.key in wanted), counts.get(fact.key, 0)
            if got != want:
                raise AssertionError(
                    f"law 'queries' broken: {name} selects {got} "
                    f"items of the primary item {fact.key!r:.120}, expected {want}"
                )

    for day in {fact.day for fact in shown}:
        query = view.query_by_day(_TABLE, date.fromisoformat(day))
        once(f"query_by_day({day})", query, {fact.key for fact in shown if fact.day == day})
    if view.fan_out is not None:
        for member in sorted(set().union(*(fact.members for fact in shown))):
            query = view.query_by_member(_TABLE, member)
            wanted = {fact.key for fact in shown if member in fact.members}
            once(f"query_by_member({member!r})", query, wanted)
    if view.combined is not None:
        _check_combined(view, shown, once)


def _check_combined(view: DashboardView[Any, Any], shown: list[_Shown], once: Any) -> None:  # noqa: ANN401
    combined = view.combined
    assert combined is not None  # noqa: S101 - the caller checked
    step = Decimal(1).scaleb(-combined.places)

    def rounded(value: Decimal) -> Decimal:
        return value.quantize(step, ROUND_HALF_UP, _WIDE)

    groups = {(fact.day, fact.category) for fact in shown if fact.value is not None}
    for day, category in sorted(groups, key=str):
        if category is None:
            continue
        present = [
            f for f in shown if (f.day, f.category) == (day, category) and f.value is not None
        ]
        values = sorted({fact.value for fact in present if fact.value is not None})
        ranges: list[tuple[Decimal | None, Decimal | None]] = [
            (None, None),
            (values[0], values[-1]),
        ]
        ranges += [(values[0], values[0]), (values[len(values) // 2], values[-1])]
        for low, high in ranges:
            query = view.query_by_combined(_TABLE, date.fromisoformat(day), category, low, high)
            wanted = {
                fact.key
                for fact in present
                if fact.value is not None
                and (low is None or rounded(low) <= rounded(fact.value))
                and (high is None or rounded(fact.value) <= rounded(high))
            }
            once(f"query_by_combined({day}, {category!r}, {low}, {high})", query, wanted)


def _facts(view: DashboardView[Any, Any], key: Hashable, image: WireItem) -> _Shown:
    layout = view.layout
    members = image.get(layout.member_source or "", {}).get("SS", [])
    category = value = None
    if view.combined is not None:
        category = image.get(view.combined.category, {}).get("S")
        number = image.get(view.combined.value, {}).get("N")
        value = None if number is None else Decimal(number)
    return _Shown(
        key, day_partition(image[view.timestamp]["S"]), frozenset(members), category, value
    )
