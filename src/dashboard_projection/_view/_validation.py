"""An image decoded once and validated with the user's own pydantic model.

The model decides what is valid; this module adds the one thing pydantic cannot see: the
DynamoDB type an attribute is stored as. Pydantic would happily read ``{"S": "0.72"}`` into a
``Decimal`` field or a list into a set; a primary table that stores a score as a string is a
producer bug the dashboard should report, not paper over. The expected type tag of each field is
derived from its annotation (``str`` → S, ``Decimal`` → N, ``frozenset[str]`` → SS, a model →
M, …); fields whose annotation names no single DynamoDB type are left to the model.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    PlainValidator,
    ValidationError,
    WrapValidator,
)
from pydantic.fields import FieldInfo

from dashboard_projection._errors import DashboardProjectionError, ItemValidationError

_SETS = {"S": "SS", "N": "NS", "B": "BS"}
_SHOWN = 80  # characters of a rejected input shown in a message


def raise_as_ours(exc: ValidationError, path: str) -> ItemValidationError:
    """Pydantic's error as ours: every problem, each with its field path and input."""
    problems = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in (path, *error["loc"]) if part != "")
        message = error["msg"].removeprefix("Value error, ")
        # Our own messages already show the input, and a missing field's input is the whole
        # item: not worth repeating (nor spreading through logs and dead-letter queues).
        if error["type"] not in ("value_error", "missing"):
            shown = repr(error["input"])
            message += f" (got {shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + '…'})"
        problems.append((where, message))
    (first_path, first), *others = problems
    also = "".join(f"; {where}: {message}" for where, message in others)
    return ItemValidationError(first + also, path=first_path)


def _tag_of(annotation: object) -> str | None:
    """The DynamoDB type tag a value of ``annotation`` is stored as; ``None`` when not one."""
    origin = get_origin(annotation)
    if origin is None:
        return _class_tag(annotation) if isinstance(annotation, type) else None
    args = get_args(annotation)
    if origin is Annotated:
        return _tag_of(args[0])
    if origin is Literal:
        kinds = {_tag_of(type(value)) for value in args}
        return kinds.pop() if len(kinds) == 1 else None
    if origin in (frozenset, set):
        return _SETS.get(_tag_of(args[0]) or "") if args else None
    return {list: "L", tuple: "L", dict: "M", Mapping: "M"}.get(origin)


def _class_tag(annotation: type) -> str | None:
    if issubclass(annotation, bool):
        return "BOOL"
    if issubclass(annotation, str | date | datetime):  # a str Enum is a str
        return "S"
    if issubclass(annotation, int | Decimal):
        return "N"
    if issubclass(annotation, bytes):
        return "B"
    if issubclass(annotation, BaseModel | dict):
        return "M"
    return None


def _optional_tag(annotation: object) -> str | None:
    """The tag of ``X`` in ``X | None`` (or of ``X``); ``None`` for any other union."""
    if get_origin(annotation) in (Union, types.UnionType):
        others = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _tag_of(others[0]) if len(others) == 1 else None
    return _tag_of(annotation)


def key_tag(annotation: object) -> str | None:
    """S, N or B when every value of ``annotation`` is a valid key value of that type, else None.

    Stricter than the stored type: a key is required (no ``None``), and an instant type is no
    key type (its text would be re-spelled on the way back), nor a float (inexact).
    """
    if get_origin(annotation) is Annotated:
        return key_tag(get_args(annotation)[0])
    if get_origin(annotation) is Literal:
        return "S" if all(isinstance(value, str) for value in get_args(annotation)) else None
    if not isinstance(annotation, type) or issubclass(annotation, bool):
        return None
    if issubclass(annotation, str):
        return "S"
    if issubclass(annotation, int | Decimal):
        return "N"
    return "B" if issubclass(annotation, bytes) else None


def mentions_float(annotation: object) -> bool:
    """Whether ``annotation`` admits a float anywhere: itself, a member, an item, a value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False  # a nested model's own fields are its own business: it is not copied whole
    if annotation is float:
        return True
    return any(mentions_float(arg) for arg in get_args(annotation))


def literal_values(annotation: object) -> frozenset[object] | None:
    """The values a ``Literal`` or an ``Enum`` (possibly optional or annotated) allows.

    An Enum's are its members' values, as they are stored. ``None`` for any other type.
    """
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return frozenset(member.value for member in annotation)
    origin = get_origin(annotation)
    if origin is Annotated:
        return literal_values(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        found = [literal_values(arg) for arg in get_args(annotation) if arg is not type(None)]
        return found[0] if len(found) == 1 else None
    return frozenset(get_args(annotation)) if origin is Literal else None


_TRANSFORMING_CONFIG = ("str_strip_whitespace", "str_to_lower", "str_to_upper")
_VALIDATORS = (AfterValidator, BeforeValidator, PlainValidator, WrapValidator)


def _has_validator(annotation: object) -> bool:
    """Whether a validator function hides anywhere in ``annotation`` (``Annotated`` metadata)."""
    if get_origin(annotation) is Annotated and any(
        isinstance(extra, _VALIDATORS) for extra in get_args(annotation)[1:]
    ):
        return True
    return any(_has_validator(arg) for arg in get_args(annotation))


def kept_as_stored(model: type[BaseModel], names: Iterable[str]) -> bool:
    """Whether validating ``model`` leaves these attributes exactly as decoded.

    True when no validator can touch them: no field validator on them (nor on ``*``), no model
    validator and no ``model_post_init`` at all, no validator in their annotations, no config
    that rewrites strings. Then their stored values are the values the model holds.
    """
    if any(model.model_config.get(option) for option in _TRANSFORMING_CONFIG):
        return False
    decorators = model.__pydantic_decorators__
    # Any model validator (an "after" one too) and a model_post_init can rewrite a field from
    # the others: then equal stored values need not mean equal values.
    if decorators.model_validators or model.__pydantic_post_init__:
        return False
    by_stored = fields_by_stored_name(model)
    fields = {by_stored[name][0] for name in names if name in by_stored}
    for validator in decorators.field_validators.values():
        if "*" in validator.info.fields or fields & set(validator.info.fields):
            return False
    return not any(
        any(isinstance(extra, _VALIDATORS) for extra in info.metadata)
        or _has_validator(info.annotation)
        for _, info in (by_stored[name] for name in names if name in by_stored)
    )


def stored_types(model: type[BaseModel]) -> dict[str, str]:
    """Attribute name (the field's alias, if any) to the type tag it must be stored as."""
    tags = {}
    for name, info in model.model_fields.items():
        tag = _optional_tag(info.annotation)
        if tag is not None:
            tags[info.alias or name] = tag
    return tags


def decoding_tags(model: type[BaseModel]) -> dict[str, str]:
    """Every attribute a model reads → the type tag it must be stored as (``""``: any).

    What ``deserialize_known`` takes: it decodes these attributes alone, and refuses one
    stored as another DynamoDB type than its field's.
    """
    tags = stored_types(model)
    return {name: tags.get(name, "") for name in field_names(model)}


def fields_by_stored_name(model: type[BaseModel]) -> dict[str, tuple[str, FieldInfo]]:
    """Each attribute a model reads → the field's name and info.

    The attribute is the field's alias where it has one, else its name: the table's names are
    the aliases, the model's attributes the names.
    """
    return {info.alias or name: (name, info) for name, info in model.model_fields.items()}


def field_names(model: type[BaseModel]) -> frozenset[str]:
    """The attribute names a model reads: its fields' aliases where set, else their names."""
    return frozenset(fields_by_stored_name(model))


def validate(model: type[BaseModel], data: dict[str, Any], context: dict[str, Any]) -> Any:  # noqa: ANN401 - the user's model
    """``model.model_validate(data)`` with our error type, the path taken from ``context``.

    Calls the model's pydantic-core validator, which ``model_validate`` itself calls, directly:
    this runs once per record.

    Raises:
        ItemValidationError: The model refuses ``data``.
    """
    try:
        return model.__pydantic_validator__.validate_python(data, context=context)
    except ValidationError as exc:
        raise raise_as_ours(exc, str(context.get("path", ""))) from None
    except DashboardProjectionError:
        raise
    except Exception as exc:
        # A validator that raised something else than pydantic expects (a KeyError, say) is
        # about this item: its record is rejected, the batch goes on.
        raise ItemValidationError(
            f"{model.__name__} raised {type(exc).__name__} validating it: {exc}",
            path=str(context.get("path", "")),
        ) from exc
