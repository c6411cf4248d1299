"""Every rule a declaration must follow, checked once at construction.

Each mistake is a :class:`ConfigurationError` that names the parameter, what it got and what
was expected, so that it surfaces when the Lambda's module is imported, not on a record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from dashboard_projection._errors import ConfigurationError
from dashboard_projection._view._layout import (
    BASE_PREFIX,
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    copied_names,
    time_attribute_of,
)
from dashboard_projection._view._parts import CombinedKey, FanOut, ShownWhen
from dashboard_projection._view._validation import (
    field_names,
    fields_by_stored_name,
    key_tag,
    literal_values,
    mentions_float,
    stored_types,
)

if TYPE_CHECKING:
    from dashboard_projection._view._declaration import DashboardView


def check(view: DashboardView[Any, Any]) -> None:
    """Every rule a declaration must follow, each a :class:`ConfigurationError` naming it."""
    if not (isinstance(view.model, type) and issubclass(view.model, BaseModel)):
        raise ConfigurationError(f"model must be a pydantic model class, got {view.model!r}")
    fields = field_names(view.model)
    tags = stored_types(view.model)

    def known(name: object, role: str, *, tag: Sequence[str] = ()) -> None:
        if not isinstance(name, str) or name not in fields:
            raise ConfigurationError(
                f"{role} must name a field of {view.model.__name__} "
                f"({', '.join(sorted(fields))}), got {name!r}"
            )
        if tag and name in tags and tags[name] not in tag:
            raise ConfigurationError(
                f"{role} {name!r} must be stored as {' or '.join(tag)}, but "
                f"{view.model.__name__}.{name} is stored as {tags[name]}"
            )

    if (
        not isinstance(view.key, tuple)
        or len(view.key) not in (1, 2)
        or len(set(view.key)) != len(view.key)
    ):
        raise ConfigurationError(
            "key must name the primary table's key attributes (one or two, distinct), "
            f"got {view.key!r}"
        )
    for name in view.key:
        known(name, "key")
        _check_key_field(view.model, name)
    known(view.timestamp, "timestamp", tag=("S",))
    _check_timestamp_field(view.model, view.timestamp)
    _check_ttl(view.ttl)
    _check_shown(view)
    copied = _check_copy(view, known)
    derived = _check_fan_out(view, known) + _check_combined(view, known)
    _check_names(view, copied, derived)
    if view.item_model is not None and not (
        isinstance(view.item_model, type) and issubclass(view.item_model, BaseModel)
    ):
        raise ConfigurationError(
            f"item_model must be a pydantic model class, got {view.item_model!r}"
        )
    if not isinstance(view.propagate_removes, bool):
        raise ConfigurationError(
            f"propagate_removes must be a bool, got {view.propagate_removes!r}"
        )


def _check_ttl(ttl: object) -> None:
    if not isinstance(ttl, timedelta) or ttl.total_seconds() < 1 or ttl.microseconds:
        raise ConfigurationError(
            f"ttl must be a timedelta of whole seconds, at least 1, got {ttl!r}"
        )


def _field(model: type[BaseModel], name: str) -> FieldInfo:
    return fields_by_stored_name(model)[name][1]


def _check_exact(model: type[BaseModel], name: str, role: str) -> None:
    """Refuse a float field here, not when the first item is written.

    A float cannot go to DynamoDB as it is: 0.1 is 0.1000000000000000055...
    """
    if mentions_float(_field(model, name).annotation):
        raise ConfigurationError(
            f"{role} {name!r} is declared with float in {model.__name__}: a float is inexact "
            "and DynamoDB numbers are exact decimals; declare it Decimal (or int)"
        )


def _check_key_field(model: type[BaseModel], name: str) -> None:
    """A key attribute is a required S, N or B: what DynamoDB allows a key to be."""
    info = _field(model, name)
    if key_tag(info.annotation) is None or not info.is_required():
        raise ConfigurationError(
            f"key {name!r} must be a required str, int, Decimal or bytes field (a DynamoDB key "
            f"is S, N or B), but {model.__name__}.{name} is {info.annotation!r}"
            + ("" if info.is_required() else " with a default")
        )


def _check_timestamp_field(model: type[BaseModel], name: str) -> None:
    info = _field(model, name)
    annotation = info.annotation
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if annotation not in (str, datetime) or not info.is_required():
        raise ConfigurationError(
            f"timestamp {name!r} must be a required str (ISO-8601 with an offset) or datetime "
            f"field, but {model.__name__}.{name} is {info.annotation!r}"
        )


def _check_shown(view: DashboardView[Any, Any]) -> None:
    shown = view.shown
    if shown is not None and not callable(shown):
        raise ConfigurationError(
            f"shown must be a predicate on {view.model.__name__} or a ShownWhen, got {shown!r}"
        )
    if not isinstance(shown, ShownWhen):
        return
    fields = field_names(view.model)
    if shown.attribute not in fields or stored_types(view.model).get(shown.attribute) != "S":
        raise ConfigurationError(
            f"ShownWhen's attribute must be a string field of {view.model.__name__}, "
            f"got {shown.attribute!r}"
        )
    allowed = literal_values(_field(view.model, shown.attribute).annotation)
    if allowed is not None and not shown.values <= allowed:
        raise ConfigurationError(
            f"ShownWhen({shown.attribute!r}, ...) names values the model never allows: "
            f"{', '.join(sorted(shown.values - allowed))} (allowed: "
            f"{', '.join(sorted(map(str, allowed)))})"
        )


def _check_copy(view: DashboardView[Any, Any], known: Callable[..., None]) -> tuple[str, ...]:
    if not isinstance(view.copy, tuple):
        raise ConfigurationError(f"copy must be a tuple of attribute names, got {view.copy!r}")
    for name in view.copy:
        known(name, "copy")
        _check_exact(view.model, name, "copy")
    return copied_names(view)


def _check_fan_out(
    view: DashboardView[Any, Any], known: Callable[..., None]
) -> list[tuple[str, str]]:
    fan_out = view.fan_out
    if fan_out is None:
        return []
    if not isinstance(fan_out, FanOut):
        raise ConfigurationError(f"fan_out must be a FanOut, got {fan_out!r}")
    known(fan_out.source, "fan_out.source", tag=("SS",))
    max_members = fan_out.max_members
    if isinstance(max_members, bool) or not isinstance(max_members, int) or max_members < 0:
        raise ConfigurationError(
            f"fan_out.max_members must be a whole number >= 0, got {max_members!r}"
        )
    attribute = fan_out.attribute
    if not isinstance(attribute, str) or "#" in attribute or f"{attribute}#" == BASE_PREFIX:
        raise ConfigurationError(
            "fan_out.attribute must be a name without '#', and not 'base' (the prefix of base "
            f"items' keys), got {attribute!r}"
        )
    if attribute in field_names(view.model):
        raise ConfigurationError(
            f"fan_out.attribute {attribute!r} is a field of {view.model.__name__}: name the "
            "member's attribute something the model does not have"
        )
    return [(fan_out.attribute, "fan_out.attribute"), (fan_out.index_name, "fan_out.index")]


def _check_combined(
    view: DashboardView[Any, Any], known: Callable[..., None]
) -> list[tuple[str, str]]:
    combined = view.combined
    if combined is None:
        return []
    if not isinstance(combined, CombinedKey):
        raise ConfigurationError(f"combined must be a CombinedKey, got {combined!r}")
    known(combined.category, "combined.category", tag=("S",))
    known(combined.value, "combined.value", tag=("N",))
    _check_exact(view.model, combined.value, "combined.value")
    combined.number_format  # noqa: B018 - raises ConfigurationError for bad places or bounds
    return [
        (combined.attribute_name, "combined.attribute"),
        (combined.index_name, "combined.index"),
    ]


def _check_names(
    view: DashboardView[Any, Any], copied: tuple[str, ...], derived: list[tuple[str, str]]
) -> None:
    """No two roles share a name: nothing copied or derived overwrites another attribute."""
    attributes = {
        PARTITION_KEY: "the partition key",
        SORT_KEY: "the sort key",
        TTL_ATTRIBUTE: "the TTL attribute",
        time_attribute_of(view.timestamp): "the UTC instant",
    }
    for name in copied:
        if name in attributes:
            raise ConfigurationError(f"copy {name!r} would overwrite {attributes[name]}")
        attributes[name] = f"the copied {name}"
    indexes: dict[str, str] = {}
    for name, role in derived:
        taken = indexes if role.endswith(".index") else attributes
        if not isinstance(name, str) or not name:
            raise ConfigurationError(f"{role} must be a non-empty string, got {name!r}")
        if name in taken:
            raise ConfigurationError(f"{role} {name!r} is already {taken[name]}")
        taken[name] = f"{role}"
