"""``serialize_item``: a dashboard item, or any mapping, as the DynamoDB JSON written to a table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboard_projection._codec import serialize_mapping
from dashboard_projection._models import DashboardItem
from dashboard_projection._types import AttributeValue


def serialize_item(item: DashboardItem | Mapping[str, Any]) -> dict[str, AttributeValue]:
    """Encode an item for ``PutItem``/``BatchWriteItem`` through the boto3 low-level client.

    A :class:`DashboardItem` leaves out its absent fields and empty sets (DynamoDB has no empty
    sets, and a sparse index needs the attribute absent, not NULL). A plain mapping is encoded
    as given, ``None`` becoming NULL, as boto3's ``TypeSerializer`` does.

    Raises:
        SerializationError: A value DynamoDB cannot store (a float, NaN, an empty set, a map
            key that is not a string, a lone surrogate, ...); its ``path`` names the attribute.
    """
    if isinstance(item, DashboardItem):
        return item.to_wire()
    return serialize_mapping(item)
