"""Pure projection functions: one copy per member of a set, and the sentiment ``project``.

No clock, no I/O: time comes in as ``now``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from dashboard_projection._errors import InvalidInputError
from dashboard_projection._models import DashboardItem, PrimaryItem
from dashboard_projection._rules import DEFAULT_TTL_DAYS

ItemT = TypeVar("ItemT", bound=BaseModel | Mapping[str, Any])


def fan_out(
    item: ItemT,
    source: str = "matched_tags",
    attribute: str = "tag",
    *,
    update: Callable[[str], Mapping[str, Any]] | None = None,
) -> list[ItemT]:
    """One copy of ``item`` per member of its set attribute ``source``, in sorted order.

    Each copy holds its member in ``attribute``, plus whatever ``update(member)`` returns
    (a new key, say). ``item`` is a pydantic model (copied with ``model_copy``) or a mapping
    (copied into a ``dict``). A :class:`DashboardItem` without ``update`` gets the sentiment
    dashboard's tag copies: each its own ``item_key``, without ``sentiment_score_combined``.

    Raises:
        InvalidInputError: ``source`` is missing or not a set of strings.
    """
    members = item.get(source) if isinstance(item, Mapping) else getattr(item, source, None)
    if members is None:
        members = frozenset()
    if not isinstance(members, set | frozenset) or not all(isinstance(m, str) for m in members):
        raise InvalidInputError(f"expected a set of strings, got {members!r:.80}", path=source)
    if update is None and isinstance(item, DashboardItem):
        update = _tag_copy(item)
    copies: list[Any] = []
    for member in sorted(members):
        changes = {attribute: member, **(update(member) if update else {})}
        if isinstance(item, BaseModel):
            copies.append(item.model_copy(update=changes))
        else:
            copies.append({**item, **changes})
    return copies


def _tag_copy(base: DashboardItem) -> Callable[[str], Mapping[str, Any]]:
    from dashboard_projection._keys import tag_item_key  # noqa: PLC0415

    def update(tag: str) -> Mapping[str, Any]:
        key = tag_item_key(tag, base.ingested_at_utc, base.ingested_at, base.source_id)
        return {"item_key": key, "sentiment_score_combined": None}

    return update


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
    return [cast("DashboardItem", view.read_item(dashboard)) for dashboard in wire]
