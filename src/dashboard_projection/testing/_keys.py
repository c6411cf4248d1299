"""Room in a view's keys: key text cut so that every dashboard key fits, members that fit too.

The base item's key is ``base#<instant>#<key attribute>…`` and each fan-out copy's
``<member attribute>#<member>#<instant>#<key attribute>…``, 1,024 bytes at most (DynamoDB's
sort key limit). Key text is drawn sometimes far longer, then cut to the room exactly, so that
examples reach the limit without filtering any away; members are cut (or, when the model names
their values, dropped) to the room the keys leave.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Annotated, Any, Literal, get_args, get_origin

from hypothesis import strategies as st
from pydantic.fields import FieldInfo

from dashboard_projection._engine._limits import MAX_SORT_KEY_BYTES
from dashboard_projection._view._declaration import DashboardView
from dashboard_projection._view._layout import BASE_PREFIX, key_text
from dashboard_projection._view._rules import escape
from dashboard_projection.testing._fields import strip_none
from dashboard_projection.testing._numbers import Constraints, Drawer
from dashboard_projection.testing._table import Image
from dashboard_projection.testing._values import (
    ANY_INSTANT,
    KEY_TEXT,
    SearchStrategy,
    Value,
    cut,
    escaped_size,
    utf8_size,
)

_MEMBERS = st.sampled_from(["AI", "europe", "#ai", "100%", "é"]) | KEY_TEXT
_MEMBER_ALPHABETS = st.lists(_MEMBERS, min_size=1, max_size=5, unique=True)


class KeyRoom:
    """A view's keys and members, sized to fit."""

    def __init__(
        self,
        view: DashboardView[Any, Any],
        infos: Mapping[str, FieldInfo],
        overridden: frozenset[str],
    ) -> None:
        """Find the free text among the key attributes, and what members may be."""
        self.view, self.layout = view, view.layout
        self.free_text = frozenset(
            name
            for name in view.key
            if name not in overridden
            and name != view.timestamp
            and strip_none(infos[name].annotation)[0] is str
        )
        self.text_drawers = {
            name: _key_text(Constraints().merged(infos[name].metadata)) for name in self.free_text
        }
        self.member_values = _member_values(infos.get(self.layout.member_source or ""))
        self.alphabets: SearchStrategy[list[str]] = (
            _MEMBER_ALPHABETS
            if self.member_values is None
            else st.lists(st.sampled_from(self.member_values), min_size=1, unique=True)
        )

    def fit(self, keys: Image) -> Image:
        """Cut the free text of ``keys`` so that the base item's key fits DynamoDB.

        Free text (neither overridden nor the timestamp) is cut, the sort key's first, to the
        room the other components leave, keeping a byte for each one still to cut.
        """
        key = self.view.key
        free = [name for name in reversed(key) if name in self.free_text]
        room = MAX_SORT_KEY_BYTES - len(BASE_PREFIX) - len(ANY_INSTANT) - len(key)
        room -= sum(
            len(self._component(name, keys[name]).encode()) for name in key if name not in free
        )
        fitted = dict(keys)
        for position, name in enumerate(free):
            size = utf8_size if name == key[0] else escaped_size
            text = cut(keys[name]["S"], room - (len(free) - position - 1), size) or "0"
            room -= sum(map(size, text))
            fitted[name] = {"S": text}
        return fitted

    def members(self, keys: Image, alphabet: list[str]) -> tuple[str, ...]:
        """The members of ``alphabet`` that fit in a copy's key beside ``keys``, cut if need be."""
        if self.layout.member_attribute is None:
            return ()
        suffix = self.layout.key_suffix(ANY_INSTANT, tuple(keys[name] for name in self.view.key))
        room = MAX_SORT_KEY_BYTES - len(self.layout.member_prefix.encode()) - len(suffix.encode())
        if self.member_values is not None:  # a value is kept whole, or not at all
            return tuple(m for m in alphabet if len(escape(m).encode()) <= room)
        fitting = (cut(member, max(room, 0), escaped_size) for member in alphabet)
        return tuple(dict.fromkeys(member for member in fitting if member))

    def _component(self, name: str, value: Value) -> str:
        """A key attribute as the key holds it: escaped, but for the partition key and time."""
        text = key_text(value, name)
        return text if name in (self.view.key[0], self.view.timestamp) else escape(text)


def _member_values(info: FieldInfo | None) -> list[str] | None:
    """The values a fan-out member may take, when its type says (a Literal, an Enum)."""
    annotation = strip_none(info.annotation)[0] if info is not None else None
    (element,) = get_args(annotation)[:1] or (None,)
    if get_origin(element) is Annotated:
        element = get_args(element)[0]
    if get_origin(element) is Literal:
        return [str(value) for value in get_args(element)]
    if isinstance(element, type) and issubclass(element, Enum):
        return [str(option.value) for option in element]
    return None


def _key_text(constraints: Constraints) -> Drawer:
    """Key text, sometimes long enough to be cut to the limit; within the field's lengths."""
    low, high = max(constraints.min_length, 1), constraints.max_length

    def draw_key(draw: st.DrawFn) -> Value:
        text = draw(KEY_TEXT)[:high].ljust(low, "0")
        return {"S": text}

    return draw_key


@st.composite
def fitted_keys(draw: st.DrawFn, drawers: Mapping[str, Drawer], room: KeyRoom) -> Image:
    """Key attributes drawn with ``drawers``, cut to fit ``room``."""
    drawn = {name: drawer(draw) for name, drawer in drawers.items()}
    return room.fit({name: value for name, value in drawn.items() if value is not None})
