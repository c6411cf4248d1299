"""``Counters``: per-day aggregates of a view's dashboard, declared next to the view.

What a source item *contributes* is a function of its dashboard items alone (the base item and
its fan-out copies, as written to the dashboard table): one to the day's total, one to each
``by`` attribute's value on its base item, one to each fan-out member, and, on each of those,
its ``sums`` attributes. So the counters can always be recounted from the dashboard table, and
a counter is exactly the sum of its sources' contributions.

A *counter id* is ``<day>#<dimension>#<escaped value>``: the day total is ``<day>#*#*``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from dashboard_projection._errors import ConfigurationError
from dashboard_projection._types import WireItem
from dashboard_projection._view._declaration import DashboardView
from dashboard_projection._view._layout import BASE_PREFIX, PARTITION_KEY, SORT_KEY
from dashboard_projection._view._queries import pages
from dashboard_projection._view._rules import escape
from dashboard_projection._view._validation import stored_types

if TYPE_CHECKING:
    from dashboard_projection._counters._reader import CounterTotal
    from dashboard_projection._view._queries import QueryClient

#: Counter id → amounts: ``(count, *sums)`` in the declared order of ``sums``.
Contribution = dict[str, tuple[Decimal, ...]]
#: The dimension and value of the day's total counter.
TOTAL = "*"
#: DynamoDB's cap on actions in one ``TransactWriteItems`` call.
MAX_TRANSACTION_ACTIONS = 100
MAX_SHARDS = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Counters:
    """Per-day counters (and sums) over a view's dashboard, kept exactly once per record.

    Example: items per day, per day and sentiment (with the sum of scores), per day and tag::

        Counters(view=sentiment_view(), by=("sentiment",), sums=("score",), shards=4)

    Attributes:
        view: The dashboard view whose items are counted.
        by: Attributes of the base item, each counted per day and value (a separate family
            each; no cross products). Each must be copied to the dashboard (``view.copy``).
        sums: Numeric attributes summed on every counter (copied to the dashboard too); an
            item without one adds 0.
        per_member: Count each fan-out member per day (``tag`` counters); needs a fan-out.
        shards: Each counter is split into this many items, and readers sum them. A batch's
            transactions go out at once, each to a shard of its own (from a random first one),
            so that they do not conflict; with 1, they go one after the other.
        retention: How long a day's counters (and a source item's marker) live after the end
            of that day (the ``expires_at`` TTL attribute); ``None``: they never expire.
    """

    view: DashboardView[Any, Any]
    by: tuple[str, ...] = ()
    sums: tuple[str, ...] = ()
    per_member: bool = True
    shards: int = 1
    retention: timedelta | None = None
    _member: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the declaration: every mistake is a :class:`ConfigurationError` here."""
        if not isinstance(self.view, DashboardView):
            raise ConfigurationError(f"view must be a DashboardView, got {self.view!r}")
        self._check_names()
        member = self.view.layout.member_attribute
        if self.per_member and member is None:
            raise ConfigurationError(
                "per_member=True (the default) needs a view with a fan_out: give "
                "per_member=False to count this view"
            )
        if isinstance(self.shards, bool) or not isinstance(self.shards, int):
            raise ConfigurationError(f"shards must be a whole number, got {self.shards!r}")
        if not 1 <= self.shards <= MAX_SHARDS:
            raise ConfigurationError(f"shards must be in 1..{MAX_SHARDS}, got {self.shards}")
        if self.retention is not None and (
            not isinstance(self.retention, timedelta) or self.retention <= timedelta(0)
        ):
            raise ConfigurationError(
                f"retention must be a positive timedelta, got {self.retention}"
            )
        object.__setattr__(self, "_member", member if self.per_member and member else "")
        if self.max_actions > MAX_TRANSACTION_ACTIONS:
            raise ConfigurationError(
                f"a record may touch {self.max_actions} items (its marker, and the old and new "
                f"day total, by values and members); a transaction takes "
                f"{MAX_TRANSACTION_ACTIONS}: lower the fan-out's max_members, count fewer by "
                "attributes, or give per_member=False"
            )

    def _check_names(self) -> None:
        copied = set(self.view.copy)
        stored = stored_types(self.view.model)
        for role, names in (("by", self.by), ("sums", self.sums)):
            if not isinstance(names, tuple) or len(set(names)) != len(names):
                raise ConfigurationError(f"{role} must be a tuple of distinct names, got {names!r}")
            for name in names:
                if name not in copied:
                    raise ConfigurationError(
                        f"{role} names {name!r}, which the view does not copy to its dashboard "
                        f"items (copy={self.view.copy!r}): counters are recounted from those"
                    )
                if role == "sums" and stored.get(name) != "N":
                    raise ConfigurationError(
                        f"sums names {name!r}, which {self.view.model.__name__} does not declare "
                        "as a number (int or Decimal, stored as N): only numbers can be summed"
                    )

    @property
    def max_actions(self) -> int:
        """The most actions one record's transaction can hold: its marker, old and new counters."""
        members = self.view.fan_out.max_members if self._member and self.view.fan_out else 0
        return 1 + 2 * (1 + len(self.by) + members)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The counter families: ``*`` (the day total), each ``by``, then the member attribute."""
        return (TOTAL, *self.by, *((self._member,) if self._member else ()))

    def table_spec(
        self, table_name: str, *, billing_mode: str = "PAY_PER_REQUEST"
    ) -> dict[str, Any]:
        """Keyword arguments for ``client.create_table(**spec)``: keys ``pk`` and ``sk`` (S).

        With a ``retention``, turn TTL on too: ``client.update_time_to_live(**ttl_spec(name))``.
        """
        return {
            "TableName": table_name,
            "BillingMode": billing_mode,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
        }

    def read(
        self, client: QueryClient, table_name: str, first: date, last: date
    ) -> list[CounterTotal]:
        """The counters of the days ``first`` to ``last`` (UTC, both included), shards summed.

        One strongly consistent ``Query`` per day (and its pages); counters whose amounts are
        all zero are left out.

        Raises:
            InvalidInputError: ``last`` is before ``first``.
        """
        from dashboard_projection._counters import _reader  # noqa: PLC0415 - a cycle otherwise

        items = pages(client, _reader.day_queries(table_name, first, last))
        return _reader.as_totals(self, _reader.totals_of(self, items))

    def contribution(self, items: Iterable[WireItem]) -> Contribution:
        """What a source item's dashboard items (DynamoDB JSON) add to the counters.

        ``items`` are one source item's items (its base item and fan-out copies); items of
        several sources give the sum of their contributions.
        """
        total: Contribution = {}
        for item in items:
            day = _text(item.get(PARTITION_KEY))
            amounts = (Decimal(1), *(_number(item.get(name)) for name in self.sums))
            if _text(item.get(SORT_KEY)).startswith(BASE_PREFIX):
                pairs = [(TOTAL, TOTAL), *((name, _text(item.get(name))) for name in self.by)]
            elif self._member and self._member in item:
                pairs = [(self._member, _text(item.get(self._member)))]
            else:
                continue
            for dimension, value in pairs:
                add(total, counter_id(day, dimension, value), amounts)
        return total


def counter_id(day: str, dimension: str, value: str) -> str:
    """``<day>#<dimension>#<escaped value>``: one counter, all shards."""
    return f"{day}#{dimension}#{escape(value)}"


def split_counter_id(identifier: str) -> tuple[str, str, str]:
    """The day, dimension and (unescaped) value of a counter id."""
    day, dimension, value = identifier.split("#", 2)
    return day, dimension, value.replace("%23", "#").replace("%25", "%")


def add(total: Contribution, identifier: str, amounts: tuple[Decimal, ...]) -> None:
    """Add ``amounts`` to ``total[identifier]`` in place."""
    before = total.get(identifier)
    total[identifier] = (
        amounts if before is None else tuple(a + b for a, b in zip(before, amounts, strict=True))
    )


def deltas(old: Mapping[str, tuple[Decimal, ...]], new: Contribution) -> Contribution:
    """``new - old`` per counter id, without the ids whose amounts do not change."""
    changed: Contribution = {}
    for identifier in sorted(old.keys() | new.keys()):
        before, after = old.get(identifier), new.get(identifier)
        width = len(before or after or ())
        zero = (Decimal(0),) * width
        delta = tuple(b - a for a, b in zip(before or zero, after or zero, strict=True))
        if any(delta):
            changed[identifier] = delta
    return changed


def _text(value: object) -> str:
    """An attribute's text: S as is, N as written, BOOL as true/false; ``""`` when absent."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((tag, payload),) = value.items()
        if tag in ("S", "N") and isinstance(payload, str):
            return payload
        if tag == "BOOL" and isinstance(payload, bool):
            return str(payload).lower()
    return ""


def _number(value: object) -> Decimal:
    """An N attribute's number; 0 for an absent or non-numeric one."""
    if isinstance(value, Mapping) and isinstance(value.get("N"), str):
        try:
            return Decimal(value["N"])
        except InvalidOperation:
            return Decimal(0)
    return Decimal(0)
