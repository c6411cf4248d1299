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
from enum import Enum
from typing import Annotated, Any, Literal, get_args, get_origin

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from pydantic.fields import FieldInfo

from dashboard_projection._keys import escape
from dashboard_projection._limits import MAX_SORT_KEY_BYTES
from dashboard_projection._models import PrimaryItem
from dashboard_projection._plan import key_identity
from dashboard_projection._view._declaration import DashboardView, ShownWhen
from dashboard_projection._view._layout import BASE_PREFIX, key_text
from dashboard_projection._view._validation import stored_types
from dashboard_projection.testing._fields import (
    Constraints,
    Drawer,
    field_drawer,
    maybe,
    numbers,
    strip_none,
    wire,
)
from dashboard_projection.testing._malformed import KINDS, Apply
from dashboard_projection.testing._sentiment import primary_items, sentiment_images
from dashboard_projection.testing._table import Image, Malform, Record, Source
from dashboard_projection.testing._values import (
    ANY_INSTANT,
    BOOLEANS,
    KEY_TEXT,
    NAMES,
    SIX_DIGITS,
    SearchStrategy,
    Value,
    attribute_values,
    cut,
    draw_instant,
    escaped_size,
    utf8_size,
)

_HIDDEN = "hidden"  # a ShownWhen value no declaration is expected to show
_CATEGORIES = st.sampled_from(["a", "b#c", "100%", "é"])
_MEMBERS = st.sampled_from(["AI", "europe", "#ai", "100%", "é"]) | KEY_TEXT
_MEMBER_ALPHABETS = st.lists(_MEMBERS, min_size=1, max_size=5, unique=True)


def stream_images(
    view: DashboardView[Any] | None = None,
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
    view: DashboardView[Any], fields: Mapping[str, SearchStrategy[Any]] | None
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

    def __init__(self, view: DashboardView[Any], fields: dict[str, SearchStrategy[Any]]) -> None:
        """Compile a drawer per attribute, once: drawing then builds no strategy."""
        self.view, self.layout = view, view.layout
        infos = {info.alias or name: info for name, info in view.model.model_fields.items()}
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
                drawers[name] = field_drawer(info, where)  # members come from the alphabet
            else:
                drawers[name] = self._special(name, info) or field_drawer(info, where)
        if self.shown is not None and self.shown.attribute not in fields:
            shown = st.sampled_from([*sorted(self.shown.values), _HIDDEN])
            info = infos.get(self.shown.attribute)
            nullable = info is not None and strip_none(info.annotation)[1]
            omittable = info is None or not info.is_required()
            core: Drawer = lambda draw: {"S": draw(shown)}  # noqa: E731
            drawers[self.shown.attribute] = maybe(core, nullable, omittable=omittable)
        self.free_text = frozenset(
            name
            for name in view.key
            if name not in fields
            and name != view.timestamp
            and strip_none(infos[name].annotation)[0] is str
        )
        for name in self.free_text:
            drawers[name] = _key_text(Constraints().merged(infos[name].metadata))
        self.keys = {name: drawers.pop(name) for name in view.key}
        self.member_values = _member_values(infos.get(self.layout.member_source or ""))
        self.alphabets = (
            _MEMBER_ALPHABETS
            if self.member_values is None
            else st.lists(st.sampled_from(self.member_values), min_size=1, unique=True)
        )
        self.key_strategy = _draw_keys(self)
        self.drawers = drawers
        self.unknown = st.dictionaries(
            NAMES.filter(lambda name: name not in drawers and name not in self.keys),
            attribute_values(max_depth=1),
            max_size=2,
        )
        self.malformations = _malformations(self, infos)

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
        keys = draw(
            st.lists(
                self.key_strategy,
                min_size=count,
                max_size=count,
                unique_by=lambda keys: key_identity(keys, self.view.key),
            )
        )
        alphabet = draw(self.alphabets)
        sources = []
        for key in keys:
            members = self._members_fitting(key, alphabet)
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

    # --- keys and members ------------------------------------------------------------------------

    def _members_fitting(self, keys: Image, alphabet: list[str]) -> tuple[str, ...]:
        if self.layout.member_attribute is None:
            return ()
        suffix = self.layout.key_suffix(ANY_INSTANT, tuple(keys[name] for name in self.view.key))
        room = MAX_SORT_KEY_BYTES - len(self.layout.member_prefix.encode()) - len(suffix.encode())
        if self.member_values is not None:  # a value is kept whole, or not at all
            return tuple(m for m in alphabet if len(escape(m).encode()) <= room)
        fitting = (cut(member, max(room, 0), escaped_size) for member in alphabet)
        return tuple(dict.fromkeys(member for member in fitting if member))

    def _set_members(self, draw: st.DrawFn, image: Image, members: tuple[str, ...]) -> None:
        name = self.layout.member_source or ""
        cap = self.view.fan_out.max_members if self.view.fan_out else 0
        chosen = [member for member in members if draw(BOOLEANS)][:cap]
        if chosen:
            image[name] = {"SS": chosen}
        else:
            image.pop(name, None)  # DynamoDB has no empty sets

    def fit_keys(self, keys: Image) -> Image:
        """Cut the free text of key attributes so that every dashboard key fits DynamoDB.

        The base item's key is ``base#<instant>`` and one ``#<component>`` per key attribute;
        free text (neither overridden nor the timestamp) is cut, the sort key's first, to the
        room the other components leave, keeping a byte for each one still to cut.
        """
        key = self.view.key
        free = [name for name in reversed(key) if name in self.free_text]
        room = MAX_SORT_KEY_BYTES - len(BASE_PREFIX) - len(ANY_INSTANT) - len(key)
        room -= sum(len(self._component(name, keys[name]).encode()) for name in key if name not in free)
        fitted = dict(keys)
        for position, name in enumerate(free):
            size = utf8_size if name == key[0] else escaped_size
            text = cut(keys[name]["S"], room - (len(free) - position - 1), size) or "0"
            room -= sum(map(size, text))
            fitted[name] = {"S": text}
        return fitted

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
def _draw_keys(draw: st.DrawFn, schema: ViewSchema) -> Image:
    drawn = {name: drawer(draw) for name, drawer in schema.keys.items()}
    return schema.fit_keys({name: value for name, value in drawn.items() if value is not None})


def _override(strategy: SearchStrategy[Any], where: str) -> Drawer:
    return lambda draw: wire(draw, draw(strategy), where)


def _malformations(
    schema: ViewSchema, infos: Mapping[str, FieldInfo]
) -> SearchStrategy[tuple[str, Apply, SearchStrategy[str]]]:
    """The kinds of :data:`KINDS` this model has an attribute for, each with its candidates.

    The ShownWhen attribute is never broken: an image it hides is not checked.
    """
    hidden = {schema.shown.attribute} if schema.shown is not None else set()
    stored = stored_types(schema.view.model)
    candidates: dict[str, list[str]] = {
        "any": sorted(set(infos) - hidden),
        "required": sorted(name for name, info in infos.items() if info.is_required()),
        "envelope": [""],
    }
    for tag in ("S", "N", "SS"):
        candidates[tag] = sorted(name for name, stored_as in stored.items() if stored_as == tag)
    options = [
        (kind, apply, st.sampled_from(names))
        for kind, role, apply in KINDS
        if (names := [name for name in candidates[role] if name not in hidden])
    ]
    return st.sampled_from(options)
