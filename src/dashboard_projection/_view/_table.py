"""The dashboard table a view derives: its key schema, its sparse GSIs, and the TTL call."""

from __future__ import annotations

from typing import Any

from dashboard_projection._view._layout import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, Layout


def _index(name: str, partition_key: str, sort_key: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": partition_key, "KeyType": "HASH"},
            {"AttributeName": sort_key, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def table_spec(layout: Layout, table_name: str, *, billing_mode: str) -> dict[str, Any]:
    """Keyword arguments for ``client.create_table(**spec)``.

    The table's key is (``day_partition``, ``item_key``). A fan-out adds the GSI
    (``<member attribute>``, ``<timestamp>_utc``), which only copies carry; a combined key adds
    (``day_partition``, ``<combined attribute>``), which only base items carry: both sparse, so
    each returns every source item once. Every key attribute is a string (S). TTL cannot be set
    at creation: call ``client.update_time_to_live(**ttl_spec(table_name))``.
    """
    attributes = [PARTITION_KEY, SORT_KEY]
    indexes = []
    if layout.member_attribute and layout.member_index:
        attributes += [layout.member_attribute, layout.time_attribute]
        indexes.append(_index(layout.member_index, layout.member_attribute, layout.time_attribute))
    if layout.combined_attribute and layout.combined_index:
        attributes.append(layout.combined_attribute)
        indexes.append(_index(layout.combined_index, PARTITION_KEY, layout.combined_attribute))
    spec: dict[str, Any] = {
        "TableName": table_name,
        "BillingMode": billing_mode,
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in attributes
        ],
    }
    if indexes:
        spec["GlobalSecondaryIndexes"] = indexes
    return spec


def ttl_spec(table_name: str) -> dict[str, Any]:
    """Keyword arguments for ``client.update_time_to_live(**spec)``: expire on ``expires_at``."""
    return {
        "TableName": table_name,
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    }
