"""What a model's values become in a view's keys: instants, fan-out members, combined keys.

Each function raises :class:`ItemValidationError` naming ``path`` (``NewImage.created_at``)
for a value the view cannot key, whatever the model accepted.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from pydantic import BaseModel

from dashboard_projection._errors import InvalidInputError, ItemValidationError
from dashboard_projection._view._rules import NumberFormat, escape
from dashboard_projection._view._time import utc_instant, utc_instant_of
from dashboard_projection._view._validation import fields_by_stored_name


def instant_of(value: object, path: str, name: str) -> str:
    """The fixed-width UTC instant of ISO-8601 text with an offset, or of an aware datetime.

    Errors name ``<path>.<name>``.
    """
    try:
        if isinstance(value, str):
            return utc_instant_of(value)
        if isinstance(value, datetime) and value.utcoffset() is not None:
            return utc_instant(value)
    except (ValueError, OverflowError) as exc:
        raise ItemValidationError(str(exc), path=f"{path}.{name}") from None
    raise ItemValidationError(
        f"expected an ISO-8601 instant with an offset, or an aware datetime, got {value!r:.80}",
        path=f"{path}.{name}",
    )


def members_of(members: Collection[object], source: str, cap: int, path: str) -> list[str]:
    """The fan-out members, sorted: at most ``cap`` of them, each a non-empty string.

    Errors name ``<path>.<source>``.
    """
    if len(members) > cap:
        raise ItemValidationError(
            f"{source} has {len(members)} members; at most {cap} allowed "
            "(each member is one more dashboard item to write)",
            path=f"{path}.{source}",
        )
    try:
        "".join(members)  # type: ignore[arg-type]  # every member a str, checked in C
        valid = "" not in members
    except TypeError:
        valid = False
    if not valid:
        raise ItemValidationError(
            "expected non-empty strings: each member is a key of the fan-out index",
            path=f"{path}.{source}",
        )
    return sorted(cast("Collection[str]", members))  # all strings, checked above


def combined_of(
    fmt: NumberFormat, category: str, value: Decimal | int, path: str, name: str
) -> str:
    """``<escaped category>#<value at the format's fixed width>``; errors name ``<path>.<name>``."""
    try:
        return f"{escape(category)}#{fmt.encode(value)}"
    except InvalidInputError as error:
        raise ItemValidationError(error.reason, path=f"{path}.{name}") from None


@dataclass(frozen=True, slots=True)
class CombinedText:
    """A view's combined key, read from a model's field values (see :meth:`text`)."""

    format: NumberFormat
    category_field: str
    value_field: str
    value_name: str  # the value's attribute, as errors name it

    def text(self, values: Mapping[str, Any], path: str) -> str | None:
        """``<category>#<value>``, or ``None`` when either is absent (a sparse index key).

        Raises:
            ItemValidationError: The value is out of range, naming ``<path>.<value_name>``.
        """
        category = values[self.category_field]
        if type(category) is not str:  # a str Enum, or no category at all
            category = text_of(category)
        value = values[self.value_field]
        if category is None or value is None:
            return None  # left out of the combined index, as DynamoDB leaves sparse keys
        return combined_of(self.format, category, value, path, self.value_name)


def text_of(value: object) -> str | None:
    """A category or status as text: a string, or a string enum's value."""
    if type(value) is str:  # the common case, before an isinstance() against Enum's metaclass
        return value
    if isinstance(value, Enum):
        value = value.value
    return value if isinstance(value, str) else None


def default_text(model: type[BaseModel], name: str) -> str | None:
    """The default of the field stored as ``name``, as text (``None`` when it is required)."""
    found = fields_by_stored_name(model).get(name)
    if found is None or found[1].is_required():
        return None
    return text_of(found[1].get_default(call_default_factory=True))


def storable(value: object) -> object:
    """A model's value as the codec takes it: nested models as dicts, instants as ISO text."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
