"""The key design a declaration implies: attribute names, prefixes, and the keys themselves.

Generalises the sentiment dashboard's design (``docs/key-design.md``) to any primary table::

    base item     day_partition = <UTC date of the timestamp>
                  item_key      = base#<UTC instant>#<key component>…
    fan-out copy  day_partition = <UTC date of the timestamp>
                  item_key      = <member attribute>#<escaped member>#<UTC instant>#<key component>…

The key components are the primary table's key values: its sort key (if any), then its
partition key, last. Every component but the last is escaped (``%`` and ``#``), except the
timestamp's own spelling, which an ISO-8601 parser already delimits (its offset ends it); so
the sentiment dashboard's keys come out exactly as before. Numbers are written canonically
(``1`` and ``1.0`` are one DynamoDB number, and one key) and binary as base64.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from dashboard_projection._engine._limits import MAX_SORT_KEY_BYTES
from dashboard_projection._errors import ItemValidationError
from dashboard_projection._types import AttributeValue
from dashboard_projection._view._rules import escape

if TYPE_CHECKING:
    from dashboard_projection._view._declaration import DashboardView

PARTITION_KEY = "day_partition"
SORT_KEY = "item_key"
TTL_ATTRIBUTE = "expires_at"
BASE_PREFIX = "base#"
_EXACT = Context(prec=80)  # normalize() rounds to its context; DynamoDB keeps 38 digits


def time_attribute_of(timestamp: str) -> str:
    """``<timestamp>_utc``: the attribute that holds the UTC instant of ``timestamp``."""
    return f"{timestamp}_utc"


def copied_names(view: DashboardView[Any, Any]) -> tuple[str, ...]:
    """What every dashboard item carries as stored: the key, the timestamp, then ``copy``."""
    return tuple(dict.fromkeys((*view.key, view.timestamp, *view.copy)))


@dataclass(frozen=True, slots=True)
class Layout:
    """Every name a declaration derives; see the module docstring for the keys."""

    key: tuple[str, ...]  # the primary table's key attributes, partition key first
    timestamp: str
    time_attribute: str  # the UTC instant, the fan-out index's sort key
    member_source: str | None  # the set attribute fanned out over
    member_attribute: str | None  # the member on each copy: the fan-out index's partition key
    member_index: str | None
    combined_attribute: str | None
    combined_index: str | None
    #: The key components in key order (sort key first): (name, position, whether escaped).
    components: tuple[tuple[str, int, bool], ...] = field(init=False, repr=False, compare=False)
    member_prefix: str = field(init=False, repr=False, compare=False)
    """``<member attribute>#``: what a copy's ``item_key`` starts with."""

    def __post_init__(self) -> None:
        """Derive what every key needs, once: the components' order, the copies' prefix."""
        components = tuple(
            (name, position, not (position == 0 or name == self.timestamp))
            for position, name in reversed(list(enumerate(self.key)))
        )
        object.__setattr__(self, "components", components)  # frozen: set once, here
        object.__setattr__(self, "member_prefix", f"{self.member_attribute}#")

    def key_suffix(self, instant: str, key_values: Sequence[AttributeValue]) -> str:
        """``#<instant>#<sort key>#<partition key>``: the part every item of a source shares.

        Every component but the partition key is escaped, except the timestamp's own spelling.

        Raises:
            ItemValidationError: A key value is not a valid S, N or B.
        """
        parts = [instant]
        for name, position, escaped in self.components:
            value = key_values[position]
            text = value.get("S") if type(value) is dict and len(value) == 1 else None
            if type(text) is not str:  # a number or binary key, or not a key value at all
                text = key_text(value, name)
            parts.append(escape(text) if escaped else text)
        return "#" + "#".join(parts)

    def item_keys(self, suffix: str, members: Sequence[str]) -> list[str]:
        """``item_key`` of the base item, then of each member's copy, in ``members``' order.

        ``suffix`` is :meth:`key_suffix`'s; members are escaped, so none runs into the suffix.
        """
        joined = "".join(members)
        if "#" in joined or "%" in joined:  # escaped only when it changes something: rarely
            members = [escape(member) for member in members]
        prefix = self.member_prefix
        return [BASE_PREFIX + suffix[1:], *[f"{prefix}{member}{suffix}" for member in members]]


def key_text(value: AttributeValue, name: str) -> str:
    """A primary key value as key text: S as is, N canonical, B as base64.

    Raises:
        ItemValidationError: ``value`` is not S, N or B.
    """
    if type(value) is dict and len(value) == 1:
        ((tag, payload),) = value.items()
        if tag == "S" and type(payload) is str:
            return payload
        if tag == "N" and type(payload) is str:
            return _number_text(payload, name)
        if tag == "B" and isinstance(payload, bytes | str):
            try:
                raw = payload if isinstance(payload, bytes) else base64.b64decode(payload)
            except ValueError:  # binascii.Error is one
                raise ItemValidationError("expected base64 text", path=name) from None
            return base64.b64encode(raw).decode()
    raise ItemValidationError(f"expected a key value (S, N or B), got {value!r:.80}", path=name)


def _number_text(text: str, name: str) -> str:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ItemValidationError(f"expected a number, got {text!r:.80}", path=name) from None
    return "0" if number == 0 else f"{number.normalize(_EXACT):f}"


def check_key_sizes(keys: list[str], path: str) -> None:
    """Refuse, before any write, an ``item_key`` DynamoDB would refuse.

    That is one over 1,024 bytes in UTF-8 (DynamoDB's limit on a sort key value), or not
    encodable at all (a lone surrogate).

    A fan-out member, the partition key of its index (2,048 bytes), is part of its copy's
    ``item_key``, so it fits whenever that key does.

    Raises:
        ItemValidationError: A key is too long or not encodable.
    """
    if all(map(str.isascii, keys)) and max(map(len, keys)) <= MAX_SORT_KEY_BYTES:
        return  # the common case, without encoding anything
    try:
        size = max(len(key.encode()) for key in keys)
    except UnicodeEncodeError:
        raise ItemValidationError(
            "a key attribute or fan-out member is not valid Unicode (a lone surrogate)", path=path
        ) from None
    if size > MAX_SORT_KEY_BYTES:
        raise ItemValidationError(
            f"the primary key and fan-out members make a dashboard sort key of {size} bytes; "
            f"DynamoDB allows {MAX_SORT_KEY_BYTES} (shorten the key or the longest member)",
            path=path,
        )
