"""Reading a view's dashboard: ``client.query`` arguments by key, never by filter, and a reader.

Every query returns each shown source item once: by day and by time range select base items by
the ``base#`` prefix of ``item_key``; the fan-out index holds only copies, and the combined
index only base items, because each carries the other index's key attribute only where it
belongs. Attribute names go through ``ExpressionAttributeNames``, so that a declared name may be
one of DynamoDB's reserved words (``status``, ``region``, ``name``...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from dashboard_projection._errors import ConfigurationError, InvalidInputError
from dashboard_projection._types import WireItem
from dashboard_projection._view._layout import BASE_PREFIX, PARTITION_KEY, SORT_KEY, Layout
from dashboard_projection._view._rules import day_partition, escape
from dashboard_projection._view._time import utc_instant

if TYPE_CHECKING:
    from dashboard_projection._view._declaration import DashboardView

#: ``client.query`` keyword arguments.
Query = dict[str, Any]
_TICK = timedelta(microseconds=1)
_DAY = timedelta(days=1)


class QueryClient(Protocol):
    """The part of a boto3 DynamoDB client the reader uses (``boto3.client("dynamodb")``)."""

    @property
    def query(self) -> Callable[..., Mapping[str, Any]]:
        """``client.query(**arguments)``: one page of a Query."""
        ...


def _query(
    table_name: str,
    condition: str,
    names: dict[str, str],
    values: dict[str, str],
    **extra: Any,  # noqa: ANN401
) -> Query:
    return {
        "TableName": table_name,
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {name: {"S": value} for name, value in values.items()},
        **extra,
    }


def _day(day: date) -> str:
    """A date as its partition; an aware datetime as its UTC date (not its local one).

    Raises:
        InvalidInputError: ``day`` is a naive datetime, or not a date at all.
    """
    if isinstance(day, datetime):
        return day_partition(day, path="day")
    if not isinstance(day, date):
        raise InvalidInputError(f"expected a date, got {type(day).__name__}", path="day")
    return day.isoformat()


def by_day(table_name: str, day: date) -> Query:
    """Every shown source item of ``day`` (UTC), once each, in time order."""
    return _query(
        table_name,
        "#pk = :day AND begins_with(#sk, :base)",
        {"#pk": PARTITION_KEY, "#sk": SORT_KEY},
        {":day": _day(day), ":base": BASE_PREFIX},
    )


def by_time_range(table_name: str, start: datetime, end: datetime) -> list[Query]:
    """Source items timed in ``[start, end)``: one query per UTC day, in time order.

    Raises:
        InvalidInputError: A naive datetime, or ``start`` not before ``end``.
    """
    first = day_partition(start, path="start")
    if not isinstance(end, datetime):
        raise InvalidInputError(f"expected a datetime, got {type(end).__name__}", path="end")
    last = day_partition(end - _TICK, path="end")  # rejects a naive end before comparing
    if not start < end:
        raise InvalidInputError(
            f"expected start < end, got {start.isoformat()} to {end.isoformat()}", path="start"
        )
    queries = []
    day = date.fromisoformat(first)
    while day.isoformat() <= last:
        midnight = datetime.combine(day, time(), tzinfo=UTC)
        low, high = max(start, midnight), min(end, midnight + _DAY)
        queries.append(
            _query(
                table_name,
                "#pk = :day AND #sk BETWEEN :start AND :end",
                {"#pk": PARTITION_KEY, "#sk": SORT_KEY},
                {
                    ":day": day.isoformat(),
                    ":start": BASE_PREFIX + utc_instant(low),
                    ":end": BASE_PREFIX + utc_instant(high),
                },
            )
        )
        day += _DAY
    return queries


def by_member(layout: Layout, table_name: str, member: str) -> Query:
    """Every source item with fan-out ``member``, once each, in time order.

    Raises:
        ConfigurationError: The view has no fan-out.
    """
    if layout.member_attribute is None or layout.member_index is None:
        raise ConfigurationError("this view declares no fan_out, so it has no fan-out index")
    if not isinstance(member, str) or not member:
        raise InvalidInputError(
            f"expected a member: a non-empty string, got {member!r:.80}", path="member"
        )
    return _query(
        table_name,
        "#member = :member",
        {"#member": layout.member_attribute},
        {":member": member},
        IndexName=layout.member_index,
    )


def by_combined(  # noqa: PLR0913 - the query's parts, by name
    view: DashboardView[Any, Any],
    *,
    table_name: str,
    day: date,
    category: str,
    low: Decimal | int | None,
    high: Decimal | int | None,
) -> Query:
    """A day's base items of ``category`` whose value lies in ``[low, high]`` (rounded).

    Raises:
        ConfigurationError: The view has no combined key.
        InvalidInputError: A bound outside the declared range, or ``low`` above ``high``.
    """
    combined = view.combined
    if combined is None:
        raise ConfigurationError("this view declares no combined key, so it has no such index")
    fmt = combined.number_format
    prefix = f"{escape(category)}#"
    first = fmt.encode(fmt.low if low is None else low)
    last = fmt.encode(fmt.high if high is None else high)
    if not _in_order(first, last):  # DynamoDB refuses BETWEEN with its bounds reversed
        raise InvalidInputError(f"expected low <= high, got {low} and {high}", path="low")
    return _query(
        table_name,
        "#pk = :day AND #combined BETWEEN :low AND :high",
        {"#pk": PARTITION_KEY, "#combined": combined.attribute_name},
        {":day": _day(day), ":low": prefix + first, ":high": prefix + last},
        IndexName=combined.index_name,
    )


def _in_order(first: str, last: str) -> bool:
    """Whether encoded values are in order as DynamoDB compares them: by UTF-8 bytes."""
    return first.encode() <= last.encode()


def pages(client: QueryClient, queries: Query | Sequence[Query]) -> Iterator[WireItem]:
    """Every item the queries select (DynamoDB JSON), page after page, in the queries' order."""
    for query in [queries] if isinstance(queries, Mapping) else queries:
        page = client.query(**query)
        yield from page.get("Items", [])
        while "LastEvaluatedKey" in page:
            page = client.query(**query, ExclusiveStartKey=page["LastEvaluatedKey"])
            yield from page.get("Items", [])
