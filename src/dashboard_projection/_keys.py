"""The dashboard table's key design, as code: item keys, the table definition, and its queries.

The seed keyed the table on (``day_partition``, ``ingested_at``), so a source item's tag copies
overwrote its base item, and two sources ingested at the same instant overwrote each other. Here
the sort key ``item_key`` names the item completely::

    base item   day_partition = 2025-11-16
                item_key      = base#2025-11-16T14:30:15.000000Z#<ingested_at>#<source_id>
    tag item    day_partition = 2025-11-16
                item_key      = tag#<tag>#2025-11-16T14:30:15.000000Z#<ingested_at>#<source_id>

The fixed-width UTC instant makes keys sort by time; ``<ingested_at>`` (as written in the primary
table) and ``<source_id>`` (last, so it may contain anything) make the key
unique per primary item, even for two spellings of one instant. Tags are escaped (``%`` and ``#``)
so that no tag can run into the next component. Base items alone carry ``sentiment_score_combined``
and tag items alone carry ``tag``: each GSI is sparse and returns every source item once.
"""

from __future__ import annotations

from typing import Any

BASE_PREFIX = "base#"
TAG_PREFIX = "tag#"
PARTITION_KEY = "day_partition"
SORT_KEY = "item_key"
KEY_ATTRIBUTES = (PARTITION_KEY, SORT_KEY)
BY_TAG_INDEX = "by_tag"
BY_SENTIMENT_SCORE_INDEX = "by_sentiment_score"
TTL_ATTRIBUTE = "expires_at"


def escape(component: str) -> str:
    """Make ``component`` safe to join with ``#``: no ``#`` left, and the mapping is one-to-one."""
    if "#" not in component and "%" not in component:
        return component
    return component.replace("%", "%25").replace("#", "%23")


def base_item_key(instant: str, ingested_at: str, source_id: str) -> str:
    """Sort key of a source item's base item (``instant`` from ``utc_instant``)."""
    return f"{BASE_PREFIX}{instant}#{ingested_at}#{source_id}"


def tag_item_key(tag: str, instant: str, ingested_at: str, source_id: str) -> str:
    """Sort key of a source item's copy for ``tag``; ``tag#<tag>#`` prefixes a day+tag query."""
    return f"{TAG_PREFIX}{escape(tag)}#{instant}#{ingested_at}#{source_id}"


def dashboard_table_spec(
    table_name: str, *, billing_mode: str = "PAY_PER_REQUEST"
) -> dict[str, Any]:
    """Keyword arguments for ``client.create_table(**spec)``: the table and its two sparse GSIs.

    TTL cannot be set at creation; call ``client.update_time_to_live(**ttl_spec(table_name))``.
    """

    def index(name: str, hash_key: str, range_key: str) -> dict[str, Any]:
        return {
            "IndexName": name,
            "KeySchema": [
                {"AttributeName": hash_key, "KeyType": "HASH"},
                {"AttributeName": range_key, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }

    return {
        "TableName": table_name,
        "BillingMode": billing_mode,
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in (
                PARTITION_KEY,
                SORT_KEY,
                "tag",
                "ingested_at_utc",
                "sentiment_score_combined",
            )
        ],
        "GlobalSecondaryIndexes": [
            index(BY_TAG_INDEX, "tag", "ingested_at_utc"),
            index(BY_SENTIMENT_SCORE_INDEX, PARTITION_KEY, "sentiment_score_combined"),
        ],
    }


def ttl_spec(table_name: str) -> dict[str, Any]:
    """Keyword arguments for ``client.update_time_to_live(**spec)``: expire on ``expires_at``."""
    return {
        "TableName": table_name,
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    }
