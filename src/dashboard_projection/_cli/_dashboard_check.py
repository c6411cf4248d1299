"""Does the dashboard table hold exactly the projection of the primary table, as it is now?

The expected table is computed the slow, obvious way, independently of the stream path: every
analysed item of the primary table through :meth:`PrimaryItem.from_image`, :func:`project` and
:func:`serialize_item`, at the same clock the stream was processed with. It is then compared,
item by item and attribute by attribute (numbers as numbers, sets as sets), with a scan of the
dashboard table. So the check fails if the stream path wrote an item wrong, missed one, or left
one behind (a tag dropped by a re-analysis, an item no longer analysed, or one deleted while
REMOVEs propagate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dashboard_projection._engine._codec import deserialize_image
from dashboard_projection._engine._serialize import serialize_item
from dashboard_projection._errors import InvalidInputError
from dashboard_projection._sentiment._models import PrimaryItem
from dashboard_projection._sentiment._projection import project
from dashboard_projection._view._layout import PARTITION_KEY, SORT_KEY

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import datetime

    from mypy_boto3_dynamodb import DynamoDBClient

    from dashboard_projection._types import WireItem

#: Differences listed in full; the rest are counted.
SHOWN = 10

Key = tuple[str, str]


def scan(
    client: DynamoDBClient, table: str, *, on_items: Callable[[int], None] = lambda _: None
) -> list[WireItem]:
    """Every item of ``table`` (a consistent read: the writes just made are all seen).

    ``on_items`` is called with the number of items of each page, for a progress bar.
    """
    items: list[WireItem] = []
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items += page.get("Items", [])
        on_items(len(page.get("Items", [])))
    return items


def expected_dashboard(primary: Iterable[WireItem], now: datetime) -> dict[Key, WireItem]:
    """The dashboard items of every analysed, valid primary item, by key.

    An invalid item is left out: the stream path rejects it too.
    """
    expected: dict[Key, WireItem] = {}
    for image in primary:
        if image.get("status") != {"S": "analyzed"}:
            continue
        try:
            item = PrimaryItem.from_image(image, path="primary item")
        except InvalidInputError:
            continue
        for dashboard_item in project(item, now=now):
            wire = serialize_item(dashboard_item)
            expected[_key(wire)] = wire
    return expected


def differences(expected: Mapping[Key, WireItem], actual: Iterable[WireItem]) -> list[str]:
    """One line per key whose item is missing, unexpected, or has other attribute values."""
    found = {_key(item): item for item in actual}
    lines = []
    for key in sorted(expected.keys() | found.keys()):
        name = f"{key[0]} {key[1]}"
        if key not in found:
            lines.append(f"missing:    {name}")
        elif key not in expected:
            lines.append(f"unexpected: {name}")
        elif changed := _changed_attributes(expected[key], found[key]):
            lines.append(f"different:  {name}: {', '.join(changed)}")
    return lines


def report(compared: int, found: list[str]) -> list[str]:
    """The check's verdict as lines: OK, or the differences (the first :data:`SHOWN` of them)."""
    if not found:
        return [f"check: OK, the dashboard table equals the projection ({compared} items)"]
    more = [f"  ... and {len(found) - SHOWN} more"] if len(found) > SHOWN else []
    return [
        f"check: FAILED, {len(found)} differences from the projection ({compared} items expected):",
        *(f"  {line}" for line in found[:SHOWN]),
        *more,
    ]


def _key(item: WireItem) -> Key:
    return str(item[PARTITION_KEY]["S"]), str(item[SORT_KEY]["S"])


def _changed_attributes(expected: WireItem, actual: WireItem) -> list[str]:
    want = deserialize_image(expected, path="expected")
    got = deserialize_image(actual, path="dashboard item")
    return sorted(
        name
        for name in want.keys() | got.keys()
        if name not in want or name not in got or want[name] != got[name]
    )
