"""Reading a cancelled ``TransactWriteItems``: why it failed, and what is left to send.

DynamoDB cancels the whole transaction when a condition fails, and says why per action, in
order, in ``CancellationReasons``; with ``ReturnValuesOnConditionCheckFailure=ALL_OLD``, a
failed condition's reason carries the item as it is (DynamoDB API Reference,
``TransactWriteItems`` and ``CancellationReason``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboard_projection._counters._items import Marker, decode_marker
from dashboard_projection._counters._units import Change

#: Cancellation reasons after which the same transaction may succeed later.
RETRYABLE_REASONS = frozenset(
    {
        "TransactionConflict",
        "ProvisionedThroughputExceeded",
        "ThrottlingError",
        "RequestLimitExceeded",
    }
)


def cancellation_reasons(exc: Exception) -> list[Mapping[str, Any]] | None:
    """``CancellationReasons`` of a cancelled transaction; ``None`` for any other error."""
    response = getattr(exc, "response", None)
    if not isinstance(response, Mapping):
        return None
    if response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return None
    return list(response.get("CancellationReasons", []))


def failed_markers(reasons: list[Mapping[str, Any]]) -> dict[int, Marker | None]:
    """The markers whose condition failed, by position, as they are (``ALL_OLD``).

    ``None`` where there is no marker.
    """
    return {
        position: decode_marker(reason["Item"]) if reason.get("Item") else None
        for position, reason in enumerate(reasons)
        if reason.get("Code") == "ConditionalCheckFailed"
    }


def recomputed(group: list[Change], markers: Mapping[int, Marker | None]) -> list[Change]:
    """What a cancelled transaction leaves for the next round.

    A change whose marker failed its condition is dropped if the marker is at its sequence
    number or later (applied already, or superseded), else recomputed from the marker; the
    others are sent again as they were.
    """
    again = []
    for position, change in enumerate(group):
        if position not in markers:
            again.append(change)
        elif (marker := markers[position]) is None:
            again.append(change.expecting({}))
        elif marker.sequence < change.sequence:
            again.append(change.expecting(marker.contribution))
    return again
