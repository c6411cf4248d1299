"""What a view's dashboard table should hold, worked out from the primary table, not the engine.

:class:`Reference` follows a stream as the primary table would and says which dashboard items
must exist: every current shown item's projection (``view.project_image``), plus the items of
removed items the view keeps until their own TTL. :func:`select` evaluates a ``query_by_*``
result's key condition on items in memory, as DynamoDB would on the table or a sparse index.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dashboard_projection._engine._plan import key_identity
from dashboard_projection._engine._records import StreamRecord
from dashboard_projection._errors import InvalidInputError
from dashboard_projection._types import WireItem
from dashboard_projection._view._declaration import DashboardView
from dashboard_projection._view._layout import PARTITION_KEY, SORT_KEY

#: A dashboard item's key: (day_partition, item_key).
ItemKey = tuple[str, str]
_NAME, _VALUE = r"(#\w+)", r"(:\w+)"
_EQUALS = re.compile(rf"{_NAME} = {_VALUE}")
_BEGINS = re.compile(rf"begins_with\({_NAME}, {_VALUE}\)")
_BETWEEN = re.compile(rf"{_NAME} BETWEEN {_VALUE} AND {_VALUE}")


def item_key(item: WireItem) -> ItemKey:
    """The table key of a dashboard item."""
    return item[PARTITION_KEY]["S"], item[SORT_KEY]["S"]


def by_key(items: Sequence[WireItem]) -> dict[ItemKey, WireItem]:
    """Items by their table key."""
    return {item_key(item): dict(item) for item in items}


@dataclass
class Reference:
    """The primary table as a stream shows it, and the dashboard items it implies.

    Attributes:
        current: Each present, readable item's latest image, by primary key.
        kept: Items of removed sources left for their TTL (a TTL deletion, or a user's REMOVE
            without ``propagate_removes``), until a later item takes their key.
        orphaned: Primary keys that left such items: a query may see them twice (old and new).
    """

    view: DashboardView[Any, Any]
    now: datetime
    current: dict[Hashable, WireItem] = field(default_factory=dict)
    kept: dict[ItemKey, WireItem] = field(default_factory=dict)
    orphaned: set[Hashable] = field(default_factory=set)

    def apply(self, raw: object, *, bad: bool) -> None:
        """Follow one record as the primary table does.

        A bad but readable INSERT or MODIFY leaves an item the view cannot show in the primary
        table; any other bad record changes nothing the view can tell.
        """
        try:
            record = StreamRecord.from_lambda_record(raw)
        except InvalidInputError:
            return
        if set(record.keys) != set(self.view.key):
            return  # another table's record: nothing here changes
        key = key_identity(record.keys, self.view.key)
        if bad:
            if record.event_name != "REMOVE" and isinstance(record.new_image, dict):
                self.current.pop(key, None)
            return
        if record.event_name == "REMOVE":
            image = self.current.pop(key, None)
            if image is not None and not (self.view.propagate_removes and not record.is_ttl_delete):
                self.kept.update(self.items_of(image))
                self.orphaned.add(key)
            return
        if record.new_image is not None:
            self.current[key] = record.new_image
            for taken in self.items_of(record.new_image):
                self.kept.pop(taken, None)

    def items_of(self, image: WireItem) -> dict[ItemKey, WireItem]:
        """``image``'s dashboard items by key (none when not shown)."""
        return by_key(self.view.project_image(image, now=self.now))

    def table(self) -> dict[ItemKey, WireItem]:
        """Every item the dashboard table must hold, and nothing else."""
        expected = dict(self.kept)
        for image in self.current.values():
            expected |= self.items_of(image)
        return expected


def select(
    query: dict[str, Any], items: Sequence[WireItem], indexes: dict[str, tuple[str, ...]]
) -> list[WireItem]:
    """The items ``query`` (``client.query`` arguments) returns from ``items``.

    A GSI holds only items that carry its key attributes (sparse); the key condition is one of
    ``#a = :v``, ``#a = :v AND begins_with(#b, :p)`` or ``#a = :v AND #b BETWEEN :l AND :h``,
    strings compared as DynamoDB compares them (by UTF-8 bytes).

    Raises:
        AssertionError: A key condition of another shape, or an index the table lacks.
    """
    names = query["ExpressionAttributeNames"]
    values = {name: value["S"] for name, value in query["ExpressionAttributeValues"].items()}
    index = query.get("IndexName")
    if index is not None and index not in indexes:
        raise AssertionError(f"the query reads index {index!r}, which the table spec lacks")
    needed = indexes.get(index, ()) if index is not None else ()
    tests = []
    for part in query["KeyConditionExpression"].split(" AND ", 1):
        if match := _EQUALS.fullmatch(part):
            tests.append((names[match[1]], values[match[2]], values[match[2]], False))
        elif match := _BEGINS.fullmatch(part):
            tests.append((names[match[1]], values[match[2]], "", True))
        elif match := _BETWEEN.fullmatch(part):
            tests.append((names[match[1]], values[match[2]], values[match[3]], False))
        else:
            raise AssertionError(f"a key condition this check cannot evaluate: {part!r}")
    return [
        item
        for item in items
        if all(name in item for name in needed)
        and all(_holds(item.get(name), low, high, prefix) for name, low, high, prefix in tests)
    ]


def _holds(value: object, low: str, high: str, prefix: bool) -> bool:  # noqa: FBT001
    text = value.get("S") if isinstance(value, dict) else None
    if not isinstance(text, str):
        return False
    if prefix:
        return text.startswith(low)
    encoded = text.encode()
    return low.encode() <= encoded <= high.encode()
