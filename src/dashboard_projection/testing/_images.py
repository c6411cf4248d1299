"""Images of any view's primary items: DynamoDB JSON drawn from the user's own model.

Every attribute is drawn from its field's type and constraints (:mod:`._fields`) unless the
user overrides it; the declaration decides the rest: key attributes sized so that every derived
key fits DynamoDB, the timestamp an ISO-8601 instant in any offset, fan-out members from a
small alphabet per stream (so that MODIFYs add and drop some), a ``ShownWhen`` attribute shown
about half the time, combined categories that repeat and combined values at the edges of the
declared range and between its rounding steps.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from pydantic.fields import FieldInfo

from dashboard_projection._engine._plan import key_identity
from dashboard_projection._sentiment._models import PrimaryItem
from dashboard_projection._view._declaration import DashboardView
from dashboard_projection._view._parts import ShownWhen
from dashboard_projection._view._validation import fields_by_stored_name, literal_values
from dashboard_projection.testing._fields import field_drawer, maybe, strip_none, wire
from dashboard_projection.testing._keys import KeyRoom, fitted_keys
from dashboard_projection.testing._malformed import view_kinds
from dashboard_projection.testing._numbers import Constraints, Drawer, numbers
from dashboard_projection.testing._sentiment import primary_items, sentiment_images
from dashboard_projection.testing._table import Image, Malform, Record, Source
from dashboard_projection.testing._values import (
    BOOLEANS,
    NAMES,
    SIX_DIGITS,
    SearchStrategy,
    attribute_values,
    draw_instant,
)

_HIDDEN = "hidden"  # a ShownWhen value no declaration is expected to show
_CATEGORIES = st.sampled_from(["a", "b#c", "100%", "é"])


def stream_images(
    view: DashboardView[Any, Any] | None = None,
    *,
    items: SearchStrategy[PrimaryItem] | None = None,
    fields: Mapping[str, SearchStrategy[Any]] | None = None,
) -> SearchStrategy[dict[str, dict[str, Any]]]:
    """The ``NewImage`` of a primary item in DynamoDB JSON, as a Lambda stream event carries it.

    Without a view, images of the sentiment dashboard's items: ``PrimaryItem.from_image`` of an
    image gives back the item it was drawn from (``items``, :func:`primary_items` by default):
    the score is respelled (``0.5`` may arrive as ``"5E-1"`` or ``"0.500"``), absent optional
    attributes are left out or ``NULL``, the ``metadata`` map is kept.

    Given a ``view``, images of ``view.model``, drawn from its own field types and constraints
    (``str`` → S with any Unicode, ``#`` and ``%``; ``int``/``Decimal`` → N spelled ``1e5``,
    ``-0.50`` or ``007`` within ``ge``/``le``/``max_digits``/``decimal_places``; ``Literal`` and
    ``Enum`` → one of their values; ``frozenset[str]`` → SS; nested models → M; optional fields
    sometimes absent or NULL), with key attributes that fit DynamoDB's key limits, the
    timestamp an ISO-8601 instant in any offset with 0 to 6 fractional digits, and about half
    of them shown. ``view.model`` validates every image unless one of its own validators asks
    for more than the types say: then draw that attribute from ``fields``.

    Either way, unknown attributes, which models ignore, may be added.

    Args:
        view: Whose model to draw; the sentiment dashboard's ``PrimaryItem`` when omitted.
        items: Without a view: the items to encode.
        fields: With a view: attribute name → a strategy of Python values for it (``None``
            leaves the attribute out), e.g. ``{"status": st.sampled_from(["paid", "new"])}``.
            Values must be valid, and key values short enough for DynamoDB's key limits.

    Returns:
        A strategy for stream images.

    Raises:
        InvalidArgument: ``items`` with a view, ``fields`` without one, ``fields`` naming no
            attribute of the model, or a field constraint no drawn value is made to meet
            (``pattern``, ``multiple_of``) without an override.
    """
    if view is None:
        if fields is not None:
            raise InvalidArgument("fields= needs a view: the sentiment default has its own")
        return sentiment_images(primary_items() if items is None else items)
    if items is not None:
        raise InvalidArgument("items= draws PrimaryItem images; a view's are drawn from fields=")
    return _images(view_schema(view, fields))


@st.composite
def _images(draw: st.DrawFn, schema: ViewSchema) -> Image:
    (source,) = schema.sources(draw, 1)
    return schema.version(draw, source)


def view_schema(
    view: DashboardView[Any, Any], fields: Mapping[str, SearchStrategy[Any]] | None
) -> ViewSchema:
    """``view``'s primary table, for :func:`stream_images` and :func:`stream_records`.

    Raises:
        InvalidArgument: As :func:`stream_images`.
    """
    if not isinstance(view, DashboardView):
        raise InvalidArgument(f"view must be a DashboardView, got {view!r:.80}")
    return ViewSchema(view, dict(fields or {}))


class ViewSchema:
    """How to draw images of one view's model, and versions and malformations of them."""

    def __init__(
        self, view: DashboardView[Any, Any], fields: dict[str, SearchStrategy[Any]]
    ) -> None:
        """Compile a drawer per attribute, once: drawing then builds no strategy."""
        self.view, self.layout = view, view.layout
        infos = {name: info for name, (_, info) in fields_by_stored_name(view.model).items()}
        for name, strategy in fields.items():
            if name not in infos or not isinstance(strategy, st.SearchStrategy):
                raise InvalidArgument(
                    f"fields must map attributes of {view.model.__name__} "
                    f"({', '.join(sorted(infos))}) to strategies, got {name!r}: {strategy!r:.80}"
                )
        self.overridden = frozenset(fields)
        self.shown = view.shown if isinstance(view.shown, ShownWhen) else None
        drawers: dict[str, Drawer] = {}
        for name, info in infos.items():
            where = f"{view.model.__name__}.{name}"
            if name in fields:
                drawers[name] = _override(fields[name], where)
            elif name == view.timestamp:
                drawers[name] = lambda draw: {"S": draw_instant(draw, SIX_DIGITS)}
            elif name == self.layout.member_source:
                drawers[name] = _nothing  # members: from the stream's alphabet, in version()
            else:
                drawers[name] = self._special(name, info) or field_drawer(info, where)
        if self.shown is not None and self.shown.attribute not in fields:
            shown_info = infos.get(self.shown.attribute)
            shown = st.sampled_from([*sorted(self.shown.values), *_hidden(shown_info, self.shown)])
            nullable = shown_info is not None and strip_none(shown_info.annotation)[1]
            omittable = shown_info is None or not shown_info.is_required()
            core: Drawer = lambda draw: {"S": draw(shown)}  # noqa: E731
            drawers[self.shown.attribute] = maybe(core, nullable, omittable=omittable)
        self.room = KeyRoom(view, infos, self.overridden)
        drawers |= self.room.text_drawers
        self.keys = {name: drawers.pop(name) for name in view.key}
        self.key_strategy = fitted_keys(self.keys, self.room)
        self.key_lists: dict[int, SearchStrategy[list[Image]]] = {}
        self.drawers = drawers
        self.unknown = st.dictionaries(
            NAMES.filter(lambda name: name not in drawers and name not in self.keys),
            attribute_values(max_depth=1),
            max_size=2,
        )
        hidden = {self.shown.attribute} if self.shown is not None else set()
        self.malformations = view_kinds(view.model, infos, hidden)

    def _special(self, name: str, info: FieldInfo) -> Drawer | None:
        """The combined key's category (repeating) and value (within the declared range)."""
        combined = self.view.combined
        annotation, nullable = strip_none(info.annotation)
        omittable = not info.is_required()
        if combined is not None and name == combined.category and annotation is str:
            return maybe(lambda draw: {"S": draw(_CATEGORIES)}, nullable, omittable=omittable)
        if combined is not None and name == combined.value:
            own = Constraints().merged(info.metadata)
            low, high = Decimal(combined.min_value), Decimal(combined.max_value)
            bounds = Constraints(
                ge=low if own.ge is None else max(own.ge, low),
                le=high if own.le is None else min(own.le, high),
                gt=own.gt,
                lt=own.lt,
                max_digits=own.max_digits,
                decimal_places=own.decimal_places,
            )
            integer = isinstance(annotation, type) and issubclass(annotation, int)
            core = numbers(bounds, integer=integer, max_places=combined.places + 2)
            return maybe(core, nullable, omittable=omittable)
        return None

    # --- the Schema protocol ---------------------------------------------------------------------

    def sources(self, draw: st.DrawFn, count: int) -> list[Source]:
        """``count`` items with distinct keys; members from one alphabet per stream."""
        if count not in self.key_lists:  # built once per size: Hypothesis checks each new one
            self.key_lists[count] = st.lists(
                self.key_strategy,
                min_size=count,
                max_size=count,
                unique_by=lambda keys: key_identity(keys, self.view.key),
            )
        keys = draw(self.key_lists[count])
        alphabet = draw(self.room.alphabets)
        sources = []
        for key in keys:
            members = self.room.members(key, alphabet)
            image = dict(key)
            for name, drawer in self.drawers.items():
                value = drawer(draw)
                if value is not None:
                    image[name] = value
            sources.append(Source(key, image | draw(self.unknown), members))
        return sources

    def version(self, draw: st.DrawFn, source: Source) -> Image:
        """Same key; each other attribute drawn again half the time, members a subset."""
        image = copy.deepcopy(source.image)
        member_source = self.layout.member_source
        for name, drawer in self.drawers.items():
            if name == member_source and name not in self.overridden:
                self._set_members(draw, image, source.members)
            elif draw(BOOLEANS):
                value = drawer(draw)
                if value is None:
                    image.pop(name, None)
                else:
                    image[name] = value
        return image

    def checked(self, image: Image) -> None:
        """Shown, if a ShownWhen decides: a malformed image that is not shown is not checked."""
        if self.shown is not None:
            image[self.shown.attribute] = {"S": min(self.shown.values)}

    def malformation(self, draw: st.DrawFn) -> tuple[str, Malform]:
        """A kind that any model refuses, applied to an attribute of the right role."""
        kind, apply, names = draw(self.malformations)
        name = draw(names)

        def malform(record: Record) -> None:
            apply(record, name)

        return kind, malform

    # --- members ------------------------------------------------------------------------------

    def _set_members(self, draw: st.DrawFn, image: Image, members: tuple[str, ...]) -> None:
        name = self.layout.member_source or ""
        cap = self.view.fan_out.max_members if self.view.fan_out else 0
        chosen = [member for member in members if draw(BOOLEANS)][:cap]
        if chosen:
            image[name] = {"SS": chosen}
        else:
            image.pop(name, None)  # DynamoDB has no empty sets


def _hidden(info: FieldInfo | None, shown: ShownWhen) -> list[str]:
    """Values of a ``ShownWhen`` attribute that hide an item, and that its field allows.

    A ``Literal`` or string ``Enum`` field allows its own values alone (``placed`` for an
    order shown when paid or shipped); any other string field, a value no one shows.
    """
    allowed = literal_values(info.annotation) if info is not None else None
    if allowed is None:
        return [_HIDDEN]
    return sorted(
        value for value in allowed if isinstance(value, str) and value not in shown.values
    )


def _nothing(draw: st.DrawFn) -> None:
    del draw


def _override(strategy: SearchStrategy[Any], where: str) -> Drawer:
    return lambda draw: wire(draw, draw(strategy), where)
