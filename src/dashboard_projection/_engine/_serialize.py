"""``serialize_item``: a dashboard item, or any mapping, as the DynamoDB JSON written to a table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from dashboard_projection._engine._encode import serialize_mapping
from dashboard_projection._errors import SerializationError
from dashboard_projection._types import AttributeValue

if TYPE_CHECKING:
    from pydantic import BaseModel


class SupportsToWire(Protocol):
    """An item that knows its own DynamoDB JSON, as :class:`DashboardItem` does."""

    def to_wire(self) -> Mapping[str, AttributeValue]:
        """The item as written."""
        ...


def serialize_item(
    item: SupportsToWire | BaseModel | Mapping[str, Any],
) -> dict[str, AttributeValue]:
    """Encode an item for ``PutItem``/``BatchWriteItem`` through the boto3 low-level client.

    A :class:`DashboardItem`, or a view's typed item, leaves out its absent fields and empty
    sets (DynamoDB has no empty sets, and a sparse index needs the attribute absent, not NULL).
    A plain mapping is encoded as given, ``None`` becoming NULL, as boto3's ``TypeSerializer``
    does.

    Raises:
        SerializationError: A value DynamoDB cannot store (a float, NaN, an empty set, a map
            key that is not a string, a lone surrogate, ...); its ``path`` names the attribute.
    """
    if isinstance(item, Mapping):
        return serialize_mapping(item)
    to_wire = getattr(item, "to_wire", None)
    if callable(to_wire):
        return dict(to_wire())
    dump = getattr(item, "model_dump", None)  # a view's typed item (``view.item_type``)
    if not callable(dump):
        raise SerializationError(
            f"expected a mapping or a dashboard item, got {type(item).__name__}"
        )
    fields = dump(by_alias=True, exclude_none=True)
    return serialize_mapping(
        {name: value for name, value in fields.items() if value != frozenset()}
    )
