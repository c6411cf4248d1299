"""What one stream record implies for a read model: the ``Projection`` protocol, and ours.

A projection is pure: from a record (its old and new images) and the clock to the puts and
deletes that bring the read model up to date. The processor combines a batch's operations (the
last one per key wins), so applying a batch equals applying its records one by one, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from dashboard_projection._plan import WriteOp
from dashboard_projection._records import StreamRecord
from dashboard_projection._rules import DEFAULT_MAX_TAGS, DEFAULT_TTL_DAYS

if TYPE_CHECKING:
    from dashboard_projection._models import PrimaryItem
    from dashboard_projection._view._declaration import DashboardView


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
    """The sentiment dashboard's projection, with its settings: ``sentiment_view(...)``.

    Kept for the code written before views; a :class:`~dashboard_projection.DashboardView` is a
    projection itself, and ``sentiment_view(ttl_days=..., max_tags=..., propagate_removes=...)``
    is this one. The table holds exactly the projection of the primary items that are
    currently analyzed (see ``docs/processing.md``).

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
        self.view  # noqa: B018 - raises ConfigurationError for invalid settings

    @property
    def view(self) -> DashboardView[PrimaryItem]:
        """The sentiment view with these settings."""
        from dashboard_projection._sentiment._view import sentiment_view  # noqa: PLC0415

        return sentiment_view(
            ttl_days=self.ttl_days,
            max_tags=self.max_tags,
            propagate_removes=self.propagate_removes,
        )

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """The dashboard table's primary key."""
        return self.view.key_attributes

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        """Puts for the new image's items, deletes for the old image's items that are gone."""
        return self.view(record, now=now)
