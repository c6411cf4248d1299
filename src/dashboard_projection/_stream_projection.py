"""What one stream record implies for a read model: the ``Projection`` protocol, and ours.

A projection is pure: from a record (its old and new images) and the clock to the puts and
deletes that bring the read model up to date. The processor combines a batch's operations (the
last one per key wins), so applying a batch equals applying its records one by one, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from dashboard_projection._errors import (
    ConfigurationError,
    DashboardProjectionError,
    InvalidInputError,
)
from dashboard_projection._keys import KEY_ATTRIBUTES, PARTITION_KEY, SORT_KEY
from dashboard_projection._plan import Delete, Put, WriteOp
from dashboard_projection._records import StreamRecord
from dashboard_projection._rules import DEFAULT_MAX_TAGS, DEFAULT_TTL_DAYS, expires_at
from dashboard_projection._types import WireItem
from dashboard_projection._wire import WireDict, wire_items


class Projection(Protocol):
    """A pure function from a stream record to the writes it implies.

    Raise :class:`~dashboard_projection.InvalidInputError` (or a subclass) for a record that can
    never be projected: the processor logs it, counts it, and goes on with the rest of the batch.
    Writes that are owed all the same (deleting what the record's predecessor projected) go in
    the error's ``cleanup``; the processor applies them with the batch.
    """

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """The read model's primary key attributes; every op carries them."""
        ...

    def __call__(self, record: StreamRecord, *, now: datetime) -> Sequence[WriteOp]:
        """The puts and deletes ``record`` implies."""
        ...


@dataclass(frozen=True, slots=True)
class DashboardProjection:
    """The sentiment dashboard: analyzed primary items become a base item plus one per tag.

    The table holds exactly the projection of the primary items that are currently analyzed:

    * INSERT or MODIFY to an analyzed item puts its items, and deletes the items its old image
      had that the new one has not (a dropped tag leaves no stale tag item);
    * MODIFY to a non-analyzed status (re-analysis pending) deletes the old image's items: once
      the old image is gone from the stream, nothing could say which tag items to delete later;
    * REMOVE changes nothing unless ``propagate_removes`` is set (the seed ignored deletes), and
      never for TTL deletions of the primary table, which are housekeeping, not retractions.

    Attributes:
        ttl_days: Days until a written item expires (the ``expires_at`` TTL attribute).
        max_tags: Cap on tags per item; an item with more is rejected as invalid input.
        propagate_removes: Delete an item's dashboard items when it is deleted by a user.
    """

    ttl_days: int = DEFAULT_TTL_DAYS
    max_tags: int = DEFAULT_MAX_TAGS
    propagate_removes: bool = False

    def __post_init__(self) -> None:
        """Check the settings now, at cold start, not on the first record that needs them."""
        expires_at(datetime.now(UTC), self.ttl_days)  # raises ConfigurationError if invalid
        if (
            isinstance(self.max_tags, bool)
            or not isinstance(self.max_tags, int)
            or self.max_tags < 0
        ):
            raise ConfigurationError(f"max_tags must be a whole number >= 0, got {self.max_tags!r}")

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """The dashboard table's primary key."""
        return KEY_ATTRIBUTES

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        """Puts for the new image's items, deletes for the old image's items that are gone."""
        if record.event_name == "REMOVE":
            if not self.propagate_removes or record.is_ttl_delete:
                return []
            new: list[WireDict] = []
        elif record.new_image is None:
            raise InvalidInputError(
                f"{record.event_name} without a NewImage: the stream's view type must be "
                "NEW_AND_OLD_IMAGES",
                path="dynamodb.NewImage",
            )
        else:
            try:
                new = self._items(record.new_image, expires_at(now, self.ttl_days), "NewImage")
            except InvalidInputError as error:
                # The record is rejected, but the item it replaced must not linger on the
                # dashboard: its old items are deleted as if it had gone back to pending.
                error.cleanup = tuple(self._deletes(record.old_image, kept=set()))
                raise
        kept = {_key(item) for item in new}
        return [*(Put(item) for item in new), *self._deletes(record.old_image, kept=kept)]

    def _deletes(self, old_image: WireItem | None, *, kept: set[tuple[str, str]]) -> list[WriteOp]:
        return [
            Delete({PARTITION_KEY: {"S": day}, SORT_KEY: {"S": item_key}})
            for day, item_key in self._old_keys(old_image)
            if (day, item_key) not in kept
        ]

    def _items(self, image: WireItem | None, expires: int, path: str) -> list[WireDict]:
        if not image or not _is_analyzed(image):
            return []
        return wire_items(image, expires=expires, max_tags=self.max_tags, path=path)

    def _old_keys(self, image: WireItem | None) -> list[tuple[str, str]]:
        """Keys the old image's items had; an old image that never projected had none."""
        try:
            old = self._items(image, 0, "OldImage")
        except DashboardProjectionError:
            return []
        return [_key(item) for item in old]


def _is_analyzed(image: WireItem) -> bool:
    status = image.get("status")
    return isinstance(status, dict) and status.get("S") == "analyzed"


def _key(item: WireItem) -> tuple[str, str]:
    return item[PARTITION_KEY]["S"], item[SORT_KEY]["S"]
