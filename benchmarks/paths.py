"""The candidate paths from stream records to the DynamoDB JSON that goes on the wire.

Kept apart from ``run.py`` so that the memory probe (``rss_child.py``) runs exactly the code the
timings run. The fast path is optional: it is benchmarked once ``dashboard_projection._wire``
provides ``wire_items(image, *, expires) -> list[dict]``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dashboard_projection import PrimaryItem, deserialize_image, expires_at, project, serialize_item

#: A fixed clock: the candidates take time as an argument, so every run projects the same items.
NOW = datetime(2025, 11, 16, 15, 0, tzinfo=UTC)

WireItems = Callable[..., list[dict[str, Any]]]


def records_to_wire(records: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The public, validated path: decode, validate, project, fan out, serialize."""
    wire: list[dict[str, Any]] = []
    for record in records:
        item = PrimaryItem.from_image(record["dynamodb"]["NewImage"])
        wire.extend(dict(serialize_item(dashboard)) for dashboard in project(item, now=now))
    return wire


def fast_path() -> WireItems | None:
    """``dashboard_projection._wire.wire_items`` if it exists yet, else ``None``."""
    try:
        module = importlib.import_module("dashboard_projection._wire")
    except ModuleNotFoundError as exc:
        if exc.name != "dashboard_projection._wire":
            raise  # _wire exists but is broken: say so rather than skip it
        return None
    wire_items: WireItems | None = getattr(module, "wire_items", None)
    return wire_items


def fast_records_to_wire(
    wire_items: WireItems, records: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """The fast path over a batch; the TTL is computed once per batch, as a handler would."""
    expires = expires_at(now)
    images = (record["dynamodb"]["NewImage"] for record in records)
    return [wire for image in images for wire in wire_items(image, expires=expires)]


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
