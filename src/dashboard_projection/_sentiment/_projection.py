"""The sentiment dashboard's projection as it was before views.

``project`` and ``DashboardProjection`` are thin names over ``sentiment_view()``, kept for code
written before views.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from dashboard_projection._engine._plan import WriteOp
from dashboard_projection._engine._projection import KeyedOperations
from dashboard_projection._engine._records import StreamRecord
from dashboard_projection._sentiment._models import DashboardItem, PrimaryItem
from dashboard_projection._view._declaration import DashboardView
from dashboard_projection._view._rules import DEFAULT_MAX_TAGS, DEFAULT_TTL_DAYS


def project(
    item: PrimaryItem, *, now: datetime, ttl_days: int = DEFAULT_TTL_DAYS
) -> list[DashboardItem]:
    """Every dashboard item of ``item``: its base item first, then one per tag in sorted order.

    The sentiment view's rules (``sentiment_view(ttl_days=...)``) on a valid item, whatever its
    status: whether to project at all is the caller's decision. For any other table,
    :meth:`DashboardView.project`.

    Raises:
        ItemValidationError: Never for a valid ``PrimaryItem`` (its validation bounds its keys).
        ConfigurationError: ``now`` is naive, or ``ttl_days`` is not a positive whole number.
    """
    from dashboard_projection._sentiment._view import sentiment_view  # noqa: PLC0415

    view = sentiment_view(ttl_days=ttl_days)
    wire = view._rules.from_model(item, now, if_shown=False)  # noqa: SLF001 - the preset's own view
    return [view.read_item(dashboard) for dashboard in wire]


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

    view: DashboardView[PrimaryItem, DashboardItem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Build the view now, at cold start: invalid settings fail here, not on a record."""
        from dashboard_projection._sentiment._view import sentiment_view  # noqa: PLC0415 - cycle

        view = sentiment_view(
            ttl_days=self.ttl_days,
            max_tags=self.max_tags,
            propagate_removes=self.propagate_removes,
        )
        object.__setattr__(self, "view", view)  # frozen: set once, here

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """The dashboard table's primary key."""
        return self.view.key_attributes

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        """Puts for the new image's items, deletes for the old image's items that are gone."""
        return self.view(record, now=now)

    def _keyed_operations(self, now: datetime) -> KeyedOperations:
        """The view's; see ``KnowsItsKeys``."""
        return self.view._keyed_operations(now)  # noqa: SLF001 - the same protocol

    def _identities(self, ops: Sequence[WriteOp]) -> list[str]:
        """The view's; see ``KnowsItsKeys``."""
        return self.view._identities(ops)  # noqa: SLF001 - the same protocol
