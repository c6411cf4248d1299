"""Attribute values drawn from a pydantic field's own type and constraints, as DynamoDB JSON.

``str`` → S (varied Unicode, ``#`` and ``%`` included), ``int``/``Decimal`` → N in varied
spellings within ``ge``/``gt``/``le``/``lt``/``max_digits``/``decimal_places``, ``bool`` →
BOOL, ``bytes`` → B, ``Literal``/``Enum`` → one of their values, ``frozenset[str]`` → SS (and
NS, BS), ``list`` → L, ``dict`` and nested models → M, an aware ``datetime`` → ISO-8601 text in
any offset; ``X | None`` sometimes NULL, a field with a default sometimes absent. What no rule
here covers is drawn with :func:`hypothesis.strategies.from_type`.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from dashboard_projection._engine._encode import serialize_value
from dashboard_projection._errors import SerializationError
from dashboard_projection.testing._numbers import Constraints, Drawer, number_set, numbers
from dashboard_projection.testing._values import (
    KEY_CHARACTERS,
    NAMES,
    SIX_DIGITS,
    Value,
    base64_text,
    draw_instant,
    draw_spelling,
)

_MAX_TEXT = 20


def field_drawer(info: FieldInfo, where: str) -> Drawer:
    """Values of a model field: its type and constraints; NULL or absent where it allows.

    Raises:
        InvalidArgument: A constraint no value is drawn to meet (``pattern``, ``multiple_of``).
    """
    annotation, nullable = strip_none(info.annotation)
    constraints = Constraints().merged(info.metadata)
    if constraints.unsupported:
        raise InvalidArgument(
            f"{where} has a {' and a '.join(constraints.unsupported)} constraint, which no "
            f"drawn value is made to meet: pass fields={{{where.rpartition('.')[2]!r}: ...}}"
        )
    return maybe(drawer(annotation, constraints, where), nullable, omittable=not info.is_required())


def strip_none(annotation: object) -> tuple[object, bool]:
    """``X`` of ``X | None``, and whether ``None`` was allowed."""
    if get_origin(annotation) in (Union, types.UnionType):
        arms = [arm for arm in get_args(annotation) if arm is not type(None)]
        if len(arms) < len(get_args(annotation)):
            return (arms[0] if len(arms) == 1 else Union[tuple(arms)]), True  # noqa: UP007
    return annotation, False


def maybe(core: Drawer, nullable: bool, *, omittable: bool) -> Drawer:  # noqa: FBT001
    """``core``'s values, and sometimes NULL (if ``nullable``) or nothing (if ``omittable``)."""
    if not nullable and not omittable:
        return core
    modes = st.sampled_from(["value", "value", *("null",) * nullable, *("absent",) * omittable])

    def draw_maybe(draw: st.DrawFn) -> Value | None:
        mode = draw(modes)
        if mode == "value":
            return core(draw)
        return {"NULL": True} if mode == "null" else None

    return draw_maybe


def wire(draw: st.DrawFn, value: object, where: str) -> Value | None:
    """A Python value as DynamoDB JSON, numbers respelled; ``None`` leaves the attribute out.

    Raises:
        InvalidArgument: DynamoDB cannot store ``value`` (a float, an empty set…).
    """
    if value is None:
        return None
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_none=True)
    elif isinstance(value, datetime | date):
        value = value.isoformat()
    elif isinstance(value, Enum):
        value = value.value
    try:
        encoded = dict(serialize_value(value))
    except SerializationError as exc:
        raise InvalidArgument(f"{where}: drew {value!r:.80}, which DynamoDB cannot store") from exc
    if "N" in encoded:
        encoded["N"] = draw_spelling(draw, Decimal(encoded["N"]))
    return encoded


def sampled(values: Sequence[object], where: str) -> Drawer:
    """One of ``values`` (a Literal's, an Enum's), as DynamoDB JSON."""
    strategy = st.sampled_from(values)
    return lambda draw: wire(draw, draw(strategy), where)


def texts(constraints: Constraints) -> st.SearchStrategy[str]:
    """Text within the length constraints: any Unicode, ``#`` and ``%`` often."""
    low = constraints.min_length
    high = constraints.max_length if constraints.max_length is not None else low + _MAX_TEXT
    return st.text(KEY_CHARACTERS, min_size=low, max_size=min(high, low + _MAX_TEXT))


def drawer(annotation: object, constraints: Constraints, where: str) -> Drawer:  # noqa: PLR0911 - one dispatch
    """Values of ``annotation`` within ``constraints``, as DynamoDB JSON."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return drawer(args[0], constraints.merged(args[1:]), where)
    if origin in (Union, types.UnionType):
        annotation, nullable = strip_none(annotation)
        arms = [drawer(arm, constraints, where) for arm in get_args(annotation) or [annotation]]
        choice = st.integers(0, len(arms) - 1)
        return maybe(lambda draw: arms[draw(choice)](draw), nullable, omittable=False)
    if origin is Literal:
        return sampled(args, where)
    if origin in (frozenset, set, AbstractSet):
        return _sets(args[0], constraints)
    if origin in (list, tuple, Sequence):
        return _lists(drawer(args[0] if args else str, Constraints(), f"{where}[]"), constraints)
    if origin in (dict, Mapping):
        return _maps(drawer(args[1] if args else str, Constraints(), f"{where}.*"))
    if isinstance(annotation, type):
        made = _of_class(annotation, constraints, where)
        if made is not None:
            return made
    anything: st.SearchStrategy[Any] = st.from_type(annotation)  # type: ignore[arg-type]
    return lambda draw: wire(draw, draw(anything), where)


def _of_class(cls: type, constraints: Constraints, where: str) -> Drawer | None:  # noqa: PLR0911
    if issubclass(cls, bool):
        flags = st.booleans()
        return lambda draw: {"BOOL": draw(flags)}
    if issubclass(cls, Enum):
        return sampled(list(cls), where)
    if issubclass(cls, str):
        text = texts(constraints)
        return lambda draw: {"S": draw(text)}
    if issubclass(cls, int | Decimal | float):
        return numbers(constraints, integer=issubclass(cls, int))
    if issubclass(cls, bytes):
        blobs = st.binary(min_size=max(constraints.min_length, 1), max_size=16)
        return lambda draw: {"B": base64_text(draw(blobs))}
    if issubclass(cls, datetime):
        return lambda draw: {"S": draw_instant(draw, SIX_DIGITS)}
    if issubclass(cls, date):
        days = st.dates()
        return lambda draw: {"S": draw(days).isoformat()}
    if issubclass(cls, BaseModel):
        return model_drawer(cls, where)
    return None


def model_drawer(model: type[BaseModel], where: str) -> Drawer:
    """A nested model as a map of its fields (aliases as names)."""
    members = {
        info.alias or name: field_drawer(info, f"{where}.{name}")
        for name, info in model.model_fields.items()
    }

    def draw_model(draw: st.DrawFn) -> Value:
        drawn = {name: member(draw) for name, member in members.items()}
        return {"M": {name: value for name, value in drawn.items() if value is not None}}

    return draw_model


def _sets(element: object, constraints: Constraints) -> Drawer:
    """SS, NS or BS of distinct members; absent when drawn empty (DynamoDB has no empty set)."""
    inner, metadata = element, ()
    if get_origin(element) is Annotated:
        inner, *metadata = get_args(element)  # type: ignore[assignment]
    member = Constraints().merged(metadata)
    low, high = max(constraints.min_length, 1), constraints.max_length or 5
    if isinstance(inner, type) and issubclass(inner, int | Decimal) and not issubclass(inner, bool):
        one = numbers(member, integer=issubclass(inner, int))
        counts = st.integers(low, high)
        return lambda draw: number_set([one(draw) for _ in range(draw(counts))])
    if isinstance(inner, type) and issubclass(inner, bytes):
        blobs = st.lists(
            st.binary(min_size=1, max_size=8), min_size=low, max_size=high, unique=True
        )
        return lambda draw: {"BS": [base64_text(blob) for blob in draw(blobs)]}
    values = get_args(inner) if get_origin(inner) is Literal else None
    if isinstance(inner, type) and issubclass(inner, Enum):
        values = tuple(option.value for option in inner)
    one_text = st.sampled_from(values) if values else texts(replace(member, min_length=1))
    members = st.lists(one_text, min_size=low, max_size=high, unique=True)
    return lambda draw: {"SS": draw(members)}


def _lists(element: Drawer, constraints: Constraints) -> Drawer:
    counts = st.integers(constraints.min_length, constraints.max_length or 3)

    def draw_list(draw: st.DrawFn) -> Value:
        drawn = [element(draw) for _ in range(draw(counts))]
        return {"L": [{"NULL": True} if value is None else value for value in drawn]}

    return draw_list


def _maps(element: Drawer) -> Drawer:
    names = st.lists(NAMES, max_size=3, unique=True)

    def draw_map(draw: st.DrawFn) -> Value:
        drawn = {name: element(draw) for name in draw(names)}
        return {"M": {name: value for name, value in drawn.items() if value is not None}}

    return draw_map
