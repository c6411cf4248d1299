"""Recounting: the counters recomputed from the dashboard table, the drift, and its repair.

The dashboard table is the truth the counters summarise: a day's counters must equal the
contributions of that day's dashboard items (``Counters.contribution``). A recount reads both
for a range of days and lists every counter that differs. A repair rewrites, for those days,
each source's marker (its contribution as the dashboard shows it; its sequence number kept) and
every counter shard (the sum of the markers that hash to it), so that later records apply
their deltas to the right state. It is not atomic with the stream: pause the event source
mapping (or accept a short race) while it runs. Only days whose dashboard items have not
expired can be recounted: a day the dashboard's TTL has emptied would be "repaired" to zero.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dashboard_projection._counters._declaration import (
    Contribution,
    Counters,
    add,
    deltas,
    split_counter_id,
)
from dashboard_projection._counters._items import (
    MARKER_SK,
    PK,
    SEQUENCE_DIGITS,
    SK,
    counter_item,
    decode_marker,
    marker_item,
    source_of,
)
from dashboard_projection._counters._reader import day_queries, days_of, totals_of
from dashboard_projection._errors import ConfigurationError
from dashboard_projection._types import WireItem
from dashboard_projection._view._layout import PARTITION_KEY
from dashboard_projection._view._queries import pages

#: The calls a repair makes: a boto3 DynamoDB client has them all.
RepairClient = Any


@dataclass(frozen=True, slots=True)
class Drift:
    """One counter that differs from the dashboard.

    Attributes:
        counter: The counter id (``<day>#<dimension>#<value>``).
        counted: Its amounts in the counters table (``count``, then each sum); zeros if absent.
        recounted: Its amounts from the dashboard items.
    """

    counter: str
    counted: tuple[Decimal, ...]
    recounted: tuple[Decimal, ...]


def drift(counters: Counters, counted: Contribution, recounted: Contribution) -> list[Drift]:
    """Every counter whose amounts differ between ``counted`` and ``recounted``, by id."""
    zero = (Decimal(0),) * (1 + len(counters.sums))
    return [
        Drift(key, counted.get(key, zero), recounted.get(key, zero))
        for key in deltas(counted, recounted)
    ]


@dataclass(frozen=True, slots=True)
class Recount:
    """A recount of the days ``first`` to ``last``.

    Attributes:
        first: The first day recounted (UTC).
        last: The last day recounted, included.
        drifts: The counters that differ from the dashboard; empty when all agree.
        counted: The counters table's totals (shards summed).
        recounted: The totals the dashboard items imply.
        dashboard: The dashboard items read (for a repair).
    """

    first: date
    last: date
    drifts: list[Drift]
    counted: Contribution
    recounted: Contribution
    dashboard: list[WireItem]


def recount(  # noqa: PLR0913 - the two tables and the range, by name
    counters: Counters,
    client: RepairClient,
    *,
    counters_table: str,
    dashboard_table: str,
    first: date,
    last: date,
) -> Recount:
    """Read the counters and the dashboard items of ``first`` to ``last`` and compare them.

    Raises:
        InvalidInputError: ``last`` is before ``first``.
        ConfigurationError: The dashboard table's items are not the view's (they lack its key
            attributes): the counters were declared over another view.
    """
    counted = totals_of(counters, pages(client, day_queries(counters_table, first, last)))
    queries = day_queries(dashboard_table, first, last, key=PARTITION_KEY, prefix="")
    dashboard = list(pages(client, queries))
    _check_items_are_the_views(counters, dashboard_table, dashboard)
    recounted = counters.contribution(dashboard)
    return Recount(first, last, drift(counters, counted, recounted), counted, recounted, dashboard)


def repair(
    counters: Counters, client: RepairClient, table_name: str, found: Recount, *, now: datetime
) -> int:
    """Rewrite the markers and counter shards of every day ``found`` recounted.

    Every day, not only those whose counters drifted: a marker can be wrong while its counters
    are right, and the stream's next record of its item would then apply wrong deltas. ``now``
    is the clock of the markers' expiry (with a ``retention``), as the writer's.

    Returns:
        How many items were written or deleted.
    """
    days = {day.isoformat() for day in days_of(found.first, found.last)}
    by_source: dict[str, list[WireItem]] = defaultdict(list)
    for item in found.dashboard:
        keys = {name: item[name] for name in counters.view.key}
        by_source[source_of(counters, keys)].append(item)
    markers = _markers_touching(client, table_name, days)
    writes = 0
    shards: Contribution = {}
    for source in sorted(markers.keys() | by_source.keys()):
        sequence, kept = markers.get(source, ("0" * SEQUENCE_DIGITS, {}))
        outside = {
            key: amounts for key, amounts in kept.items() if split_counter_id(key)[0] not in days
        }
        mine = counters.contribution(by_source.get(source, []))
        for key, amounts in mine.items():
            add(shards, f"{key}#{_shard_of(source, counters.shards)}", amounts)
        new = {**outside, **mine}
        if new != kept or source not in markers:
            marker = marker_item(counters, source, sequence, new, now=now)
            client.put_item(TableName=table_name, Item=marker)
            writes += 1
    writes += _rewrite_counters(counters, client, table_name, days, shards)
    return writes


def _check_items_are_the_views(counters: Counters, table_name: str, items: list[WireItem]) -> None:
    for item in items:
        missing = [name for name in counters.view.key if name not in item]
        if missing:
            raise ConfigurationError(
                f"the items of {table_name!r} have no {', '.join(missing)}: they are not items "
                f"of the view the counters count (key {', '.join(counters.view.key)}); give "
                "the counters declared over this table's view"
            )


def _shard_of(source: str, shards: int) -> int:
    """The shard a repair adds a source's contribution to: a hash of its key, to spread them."""
    if shards == 1:
        return 0
    digest = hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def _markers_touching(
    client: RepairClient, table_name: str, days: set[str]
) -> dict[str, tuple[str, Contribution]]:
    """Every marker with a contribution to one of ``days`` (a scan of the markers)."""
    found: dict[str, tuple[str, Contribution]] = {}
    arguments: dict[str, Any] = {
        "TableName": table_name,
        "FilterExpression": "#sk = :marker",
        "ExpressionAttributeNames": {"#sk": SK},
        "ExpressionAttributeValues": {":marker": {"S": MARKER_SK}},
        "ConsistentRead": True,
    }
    while True:
        page = client.scan(**arguments)
        for item in page.get("Items", []):
            marker = decode_marker(item)
            if any(split_counter_id(key)[0] in days for key in marker.contribution):
                source = str(item[PK]["S"]).removeprefix("marker#")
                found[source] = (marker.sequence, marker.contribution)
        if "LastEvaluatedKey" not in page:
            return found
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _rewrite_counters(
    counters: Counters,
    client: RepairClient,
    table_name: str,
    days: set[str],
    shards: Mapping[str, tuple[Decimal, ...]],
) -> int:
    """Put every shard of ``shards`` (``<counter id>#<shard>``); delete the days' other shards."""
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for key, amounts in shards.items():
        identifier, shard = key.rsplit("#", 1)
        item = counter_item(counters, identifier, amounts, int(shard))
        wanted[item[PK]["S"], item[SK]["S"]] = item
    writes = 0
    ordered = sorted(days)
    queries = day_queries(
        table_name, date.fromisoformat(ordered[0]), date.fromisoformat(ordered[-1])
    )
    for found in list(pages(client, queries)):
        if (found[PK]["S"], found[SK]["S"]) not in wanted:
            client.delete_item(TableName=table_name, Key={PK: found[PK], SK: found[SK]})
            writes += 1
    for item in wanted.values():
        client.put_item(TableName=table_name, Item=item)
        writes += 1
    return writes
