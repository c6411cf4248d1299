"""The candidate paths from stream records to the DynamoDB JSON that goes on the wire.

Kept apart from ``run.py`` so that the memory probe (``rss_child.py``) runs exactly the code the
timings run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dashboard_projection import (
    DashboardView,
    PrimaryItem,
    deserialize_image,
    project,
    serialize_item,
)

#: A fixed clock: the candidates take time as an argument, so every run projects the same items.
NOW = datetime(2025, 11, 16, 15, 0, tzinfo=UTC)


def records_to_wire(records: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The public, validated path: decode, validate, project, fan out, serialize."""
    wire: list[dict[str, Any]] = []
    for record in records:
        item = PrimaryItem.from_image(record["dynamodb"]["NewImage"])
        wire.extend(dict(serialize_item(dashboard)) for dashboard in project(item, now=now))
    return wire


def view_records_to_wire(
    view: DashboardView[Any, Any], records: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """The public view path, fully validated: ``view.project_image`` on every NewImage."""
    return [
        wire
        for record in records
        for wire in view.project_image(record["dynamodb"]["NewImage"], now=now)
    ]


def _hashable(value: Any) -> Any:  # noqa: ANN401 - any decoded DynamoDB value
    if isinstance(value, dict):
        return tuple(sorted((name, _hashable(member)) for name, member in value.items()))
    if isinstance(value, list):
        return tuple(map(_hashable, value))
    return value


def decoded(wire: list[dict[str, Any]]) -> set[Any]:
    """The items as decoded values, sorted by attribute, so that two encodings can be compared.

    Decoding first makes the comparison blind to what does not matter (the order of a set's
    members, ``"0.50"`` against ``"0.5"``) and sharp to everything that does.
    """
    return {_hashable(deserialize_image(item)) for item in wire}
