"""``fan_out``: one copy of an item per member of one of its set attributes. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from dashboard_projection._errors import InvalidInputError

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
    (copied into a ``dict``). Without ``update``, a model's own ``tag_copy(member)`` method
    applies, if it has one: the sentiment :class:`DashboardItem`'s gives each copy its key.

    Raises:
        InvalidInputError: ``source`` is missing or not a set of strings.
    """
    members = item.get(source) if isinstance(item, Mapping) else getattr(item, source, None)
    if members is None:
        members = frozenset()
    if not isinstance(members, set | frozenset) or not all(isinstance(m, str) for m in members):
        raise InvalidInputError(f"expected a set of strings, got {members!r:.80}", path=source)
    if update is None:
        update = getattr(item, "tag_copy", None)  # the sentiment DashboardItem's copies
    copies: list[Any] = []
    for member in sorted(members):
        changes = {attribute: member, **(update(member) if update else {})}
        if isinstance(item, BaseModel):
            copies.append(item.model_copy(update=changes))
        else:
            copies.append({**item, **changes})
    return copies
