"""The attribute values the items of one clock (one batch) share."""

from __future__ import annotations

from datetime import datetime

from dashboard_projection._types import AttributeValue

#: The most ``{"S": ...}`` values one clock shares: far more than a batch's days, members and
#: combined keys, far less memory than a long backfill's.
MAX_SHARED = 4096


class SharedValues:
    """Attribute values the items of one clock (one batch) share: one dict each, not one per item.

    The day, the TTL, the fan-out members and the combined keys repeat across a batch's items;
    each new ``{"S": ...}`` costs an allocation, and a batch's items are all alive together
    (in the write plan), so sharing them makes a batch markedly cheaper. Shared values are never
    mutated: items are DynamoDB JSON to send, and a copy already shares its base's values.
    """

    __slots__ = ("expires_at", "now", "texts")

    def __init__(self, now: datetime | None, expires: int) -> None:
        """The values of ``now``, whose items expire at ``expires`` (epoch seconds)."""
        self.now = now
        self.expires_at: AttributeValue = {"N": str(expires)}
        self.texts: dict[str, AttributeValue] = {}

    def text(self, value: str) -> AttributeValue:
        """``{"S": value}``, the same object every time (until the cache is full).

        A clock held for long (a backfill's ``--now``, a test's fixed clock) would otherwise
        keep every member and combined key ever seen: past :data:`MAX_SHARED` values, the
        cache starts again. Items already built keep theirs.
        """
        found = self.texts.get(value)
        if found is None:
            if len(self.texts) >= MAX_SHARED:
                self.texts.clear()
            found = self.texts[value] = {"S": value}
        return found
