"""The parts of a declaration: which items are shown, the fan-out, the combined key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from dashboard_projection._errors import ConfigurationError, ItemValidationError
from dashboard_projection._types import WireItem
from dashboard_projection._view._rules import DEFAULT_MAX_TAGS, NumberFormat, number_format


@dataclass(frozen=True, slots=True, init=False)
class ShownWhen:
    """Show an item when its stored ``attribute`` is a string among ``values``.

    Decided on the stored image, before the model validates it: an item that is not shown yet
    (``status = pending``, no sentiment so far) need not be valid yet. Use a callable on the
    model instead when every item is valid and the rule needs typed fields.
    """

    attribute: str
    values: frozenset[str]

    def __init__(self, attribute: str, *values: str) -> None:
        """``ShownWhen("status", "paid", "shipped")``."""
        if not values or not all(isinstance(value, str) for value in values):
            raise ConfigurationError(f"ShownWhen({attribute!r}) needs one or more string values")
        object.__setattr__(self, "attribute", attribute)
        object.__setattr__(self, "values", frozenset(values))

    def __call__(self, image: WireItem) -> bool:
        """Whether ``image`` (DynamoDB JSON) is shown."""
        value = image.get(self.attribute)
        text = value.get("S") if type(value) is dict else None
        return type(text) is str and text in self.values


def shown_by(shown: Callable[[Any], bool], item: BaseModel, path: str) -> bool:
    """A view's ``shown`` callable on a model; what it raises is about the item: bad input.

    Raises:
        ItemValidationError: The predicate raised (the item cannot be shown or hidden).
    """
    try:
        return bool(shown(item))
    except Exception as exc:
        raise ItemValidationError(
            f"the view's shown predicate raised {type(exc).__name__}: {exc}", path=path
        ) from exc


@dataclass(frozen=True, slots=True)
class FanOut:
    """One copy of the base item per member of a string set attribute.

    Attributes:
        source: The model's string set attribute (``categories``, ``matched_tags``).
        attribute: The attribute that holds the member on each copy (``category``, ``tag``):
            the partition key of the fan-out index, and the prefix of the copies' ``item_key``.
        index: The fan-out GSI's name; ``by_<attribute>`` when omitted.
        max_members: The cap: an item with more members is rejected as invalid input (each
            member is one more item written per record).
    """

    source: str
    attribute: str
    index: str | None = None
    max_members: int = DEFAULT_MAX_TAGS

    @property
    def index_name(self) -> str:
        """The fan-out GSI's name."""
        return self.index or f"by_{self.attribute}"


@dataclass(frozen=True, slots=True)
class CombinedKey:
    """A sort key ``<category>#<value>`` on base items, for "by category and value within a day".

    See :func:`~dashboard_projection.combined_key` for the encoding: string order is numeric
    order across ``[min_value, max_value]``, negative values included.

    Attributes:
        category: The model's string attribute (``status``, ``sentiment``).
        value: The model's decimal attribute (``total``, ``score``).
        places: Decimal places kept (rounded half-up).
        min_value: The smallest value accepted; smaller ones are invalid input.
        max_value: The largest value accepted.
        attribute: The combined attribute's name; ``<category>_<value>_combined`` if omitted.
        index: The GSI's name; ``by_<category>_<value>`` when omitted.
    """

    category: str
    value: str
    max_value: Decimal | int = field(kw_only=True)
    min_value: Decimal | int = field(default=0, kw_only=True)
    places: int = field(default=2, kw_only=True)
    attribute: str | None = field(default=None, kw_only=True)
    index: str | None = field(default=None, kw_only=True)

    @property
    def attribute_name(self) -> str:
        """The combined attribute's name."""
        return self.attribute or f"{self.category}_{self.value}_combined"

    @property
    def index_name(self) -> str:
        """The combined GSI's name."""
        return self.index or f"by_{self.category}_{self.value}"

    @property
    def number_format(self) -> NumberFormat:
        """The fixed-width encoding of ``value``.

        Raises:
            ConfigurationError: ``places`` or the bounds are invalid.
        """
        return number_format(self.places, self.min_value, self.max_value)
