"""The seed's stream processor, as it really runs: the baseline to beat.

``transform_to_dashboard_schema`` and the handler's loop (:func:`handle`) are copied from the
seed's contract (``stream-processor-contract.md``) with one fix, marked below, so that it runs at
all. The loop takes ``dashboard_table.put_item`` as an argument: :func:`records_to_wire` replaces
it with what ``Table.put_item`` does before it sends anything (``TypeSerializer().serialize`` on
every attribute), giving the DynamoDB JSON the seed puts on the wire, one entry per ``PutItem``
call; ``billed.py`` passes the real ``Table.put_item``, or a ``batch_writer``'s. The handler's
counters, its CloudWatch call and its response are left out: they need AWS, and cost the same
whatever the projection.
"""

# ruff: noqa: DTZ003, G004, BLE001, TRY400 - the seed's code, kept as written

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeSerializer

logger = logging.getLogger(__name__)
_serializer = TypeSerializer()


def transform_to_dashboard_schema(new_image: dict[str, Any]) -> dict[str, Any]:
    """The seed's transformation, verbatim except for the type of ``score``."""
    # Extract fields from DynamoDB JSON format
    source_id = new_image["source_id"]["S"]
    ingested_at = new_image["ingested_at"]["S"]
    source_type = new_image["source_type"]["S"]
    sentiment = new_image["sentiment"]["S"]
    # FIX: the seed has float(...) here, which boto3's TypeSerializer rejects ("Float types are
    # not supported. Use Decimal types instead"), so the seed never wrote a single item.
    score = Decimal(new_image["score"]["N"])
    matched_tags = set(new_image.get("matched_tags", {}).get("SS", []))
    text_snippet = new_image.get("text_snippet", {}).get("S", "")
    source_url = new_image.get("source_url", {}).get("S", "")

    # Calculate day partition from timestamp
    day_partition = ingested_at[:10]  # "2025-11-16"

    # Create combined sentiment+score key for GSI
    sentiment_score_combined = f"{sentiment}#{score:.2f}"

    # Calculate TTL (7 days from now)
    expires_at = int((datetime.utcnow() + timedelta(days=7)).timestamp())

    # Return transformed item (Python dict, boto3 handles type conversion)
    return {
        "day_partition": day_partition,
        "ingested_at": ingested_at,
        "source_id": source_id,
        "source_type": source_type,
        "sentiment": sentiment,
        "score": score,
        "sentiment_score_combined": sentiment_score_combined,
        "matched_tags": matched_tags,
        "text_snippet": text_snippet,
        "source_url": source_url,
        "expires_at": expires_at,
    }


def records_to_wire(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every item the seed's handler would put, in DynamoDB JSON, one entry per ``PutItem``.

    The network is left out: each item gets what ``Table.put_item(Item=item)`` does to it
    before sending it, ``TypeSerializer().serialize`` on every attribute.
    """
    wire: list[dict[str, Any]] = []
    handle(
        records, lambda item: wire.append({k: _serializer.serialize(v) for k, v in item.items()})
    )
    return wire


def handle(records: list[dict[str, Any]], put_item: Callable[[dict[str, Any]], object]) -> None:
    """The seed's ``lambda_handler`` loop; ``put_item`` is ``dashboard_table.put_item(Item=...)``.

    ``billed.py`` passes the real ``Table.put_item`` (the seed's handler) and a
    ``batch_writer``'s ``put_item`` (the seed's "Phase 2").
    """
    for record in records:
        try:
            # Skip DELETE events
            if record["eventName"] == "REMOVE":
                continue

            new_image = record["dynamodb"].get("NewImage")
            if not new_image:
                logger.warning(f"Skipping record {record['eventID']}: No NewImage")
                continue

            # Skip if still pending analysis
            status = new_image.get("status", {}).get("S")
            if status != "analyzed":
                logger.info(f"Skipping record {record['eventID']}: status={status}")
                continue

            # Extract and validate required fields
            source_id = new_image.get("source_id", {}).get("S")
            ingested_at = new_image.get("ingested_at", {}).get("S")
            sentiment = new_image.get("sentiment", {}).get("S")
            score = new_image.get("score", {}).get("N")

            if not all([source_id, ingested_at, sentiment, score]):
                logger.error(f"Missing required fields in record {record['eventID']}")
                continue

            # Transform to dashboard schema
            dashboard_item = transform_to_dashboard_schema(new_image)

            # Write base item
            put_item(dashboard_item)

            # Denormalize tags
            matched_tags = new_image.get("matched_tags", {}).get("SS", [])
            for tag in matched_tags:
                tag_item = dashboard_item.copy()
                tag_item["tag"] = tag
                put_item(tag_item)

        except Exception as e:
            logger.error(f"Error processing record {record['eventID']}: {e!s}")
