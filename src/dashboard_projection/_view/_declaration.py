"""``DashboardView``: a dashboard over any primary table, declared in a few lines.

A declaration names the user's pydantic model of the primary item and what the dashboard shows
of it; everything else (the key design, the table definition, the projection the processor
runs, the queries, the typed items read back) is derived from it, once, at construction. A
mistake in the declaration is a :class:`ConfigurationError` at import time, not bad data on the
first record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from dashboard_projection._errors import ConfigurationError
from dashboard_projection._rules import DEFAULT_MAX_TAGS, NumberFormat, number_format
from dashboard_projection._types import WireItem
from dashboard_projection._view._layout import (
    BASE_PREFIX,
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    Layout,
)
from dashboard_projection._view._validation import field_names, stored_types

if TYPE_CHECKING:
    from dashboard_projection._plan import WriteOp
    from dashboard_projection._records import StreamRecord
    from dashboard_projection._types import AttributeValue
    from dashboard_projection._view._build import Rules
    from dashboard_projection._view._queries import Query, QueryClient

ModelT = TypeVar("ModelT", bound=BaseModel)
_KEY_TAGS = ("S", "N", "B")


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
    places: int = 2
    min_value: Decimal | int = 0
    max_value: Decimal | int = 1
    attribute: str | None = None
    index: str | None = None

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


@dataclass(frozen=True, slots=True, kw_only=True)
class DashboardView(Generic[ModelT]):
    """A dashboard over a primary table, declared once; keys, table, queries derived from it.

    Every shown primary item becomes one *base item* in the dashboard table, partitioned by the
    UTC day of its timestamp, plus one copy per member of the fan-out set. Example::

        orders = DashboardView(
            model=Order, key=("order_id", "created_at"), timestamp="created_at",
            shown=lambda order: order.status in ("paid", "shipped"),
            fan_out=FanOut("categories", attribute="category"),
            combined=CombinedKey("status", "total", max_value=Decimal("99999.99")),
            copy=("customer_id", "status", "total", "region"), ttl=timedelta(days=30),
        )

    A view is the :class:`~dashboard_projection.Projection` the processor runs:
    ``process_stream_event(event, sink, projection=orders)``, ``make_handler(orders)``.

    Attributes:
        model: The user's pydantic model of a primary item; it decides what is valid.
        key: The primary table's key attributes, partition key first (one or two).
        timestamp: The attribute (ISO-8601 text with an offset, or an aware datetime) that
            gives the day partition and the time order.
        shown: Which items the dashboard shows: a predicate on the model, or a
            :class:`ShownWhen` decided on the stored image before validation. An item that
            stops being shown loses its dashboard items. All valid items when omitted.
        fan_out: One copy per member of a string set attribute, with its own sparse GSI.
        combined: A ``category#value`` sort key on base items, with its own sparse GSI.
        copy: Attributes copied to every dashboard item (the key attributes and the timestamp
            are always copied), as stored in the primary table.
        ttl: How long a written item lives (whole seconds; the ``expires_at`` TTL attribute).
        propagate_removes: Delete an item's dashboard items when a user deletes it (never for
            the primary table's own TTL deletions).
        item_model: The typed dashboard item; derived from ``model`` when omitted.
    """

    model: type[ModelT]
    key: tuple[str, ...]
    timestamp: str
    shown: Callable[[ModelT], bool] | ShownWhen | None = None
    fan_out: FanOut | None = None
    combined: CombinedKey | None = None
    copy: tuple[str, ...] = ()
    ttl: timedelta = timedelta(days=7)
    propagate_removes: bool = False
    item_model: type[BaseModel] | None = None
    _rules: Rules = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the declaration and derive its rules: every mistake surfaces here."""
        from dashboard_projection._view._build import Rules  # noqa: PLC0415 - cycle

        _check(self)
        object.__setattr__(self, "_rules", Rules(self, _layout(self)))

    # --- the Projection protocol ---------------------------------------------------------------

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """The dashboard table's primary key: ``("day_partition", "item_key")``."""
        return (PARTITION_KEY, SORT_KEY)

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        """The puts and deletes a stream record implies (see ``docs/processing.md``).

        Raises:
            InvalidInputError: The record cannot be projected; its ``cleanup`` holds the deletes
                still owed for its old image.
        """
        return self._rules.operations(record, now)

    # --- projecting -----------------------------------------------------------------------------

    def project(self, item: ModelT, *, now: datetime) -> list[BaseModel]:
        """The typed dashboard items of ``item``: its base item, then one per member, sorted.

        Empty when the item is not shown. Time enters only as ``now`` (for the TTL).

        Raises:
            ItemValidationError: A key DynamoDB would refuse, or a value outside the
                combined key's range.
            ConfigurationError: ``now`` is naive.
        """
        return [self.read_item(wire) for wire in self.project_wire(item, now=now)]

    def project_wire(self, item: ModelT, *, now: datetime) -> list[dict[str, AttributeValue]]:
        """:meth:`project`, as the DynamoDB JSON written to the table."""
        return self._rules.from_model(item, now)

    def project_image(
        self, image: WireItem, *, now: datetime, path: str = "NewImage"
    ) -> list[dict[str, AttributeValue]]:
        """A stream image (DynamoDB JSON) to its dashboard items' DynamoDB JSON: the stream path.

        Decodes once, validates with the model, passes copied attributes through as stored.

        Raises:
            DeserializationError: The image is malformed DynamoDB JSON.
            ItemValidationError: The model refuses it, or it breaks a key rule.
        """
        return self._rules.from_image(image, now, path)

    def read_item(self, item: WireItem) -> BaseModel:
        """A dashboard item read from the table (DynamoDB JSON), typed as :attr:`item_type`.

        Raises:
            DeserializationError: ``item`` is malformed DynamoDB JSON.
            ItemValidationError: It is not a dashboard item of this view.
        """
        return self._rules.read_item(item)

    @property
    def item_type(self) -> type[BaseModel]:
        """The typed dashboard item: ``item_model``, or the one derived from ``model``."""
        return self._rules.item_type

    @property
    def layout(self) -> Layout:
        """The attribute and index names derived from the declaration."""
        return self._rules.layout

    # --- the table ------------------------------------------------------------------------------

    def table_spec(
        self, table_name: str, *, billing_mode: str = "PAY_PER_REQUEST"
    ) -> dict[str, Any]:
        """Keyword arguments for ``client.create_table(**spec)``: the table and its sparse GSIs."""
        from dashboard_projection._view._table import table_spec  # noqa: PLC0415

        return table_spec(self.layout, table_name, billing_mode=billing_mode)

    def ttl_spec(self, table_name: str) -> dict[str, Any]:
        """Keyword arguments for ``client.update_time_to_live(**spec)``: TTL on ``expires_at``."""
        from dashboard_projection._view._table import ttl_spec  # noqa: PLC0415

        return ttl_spec(table_name)

    # --- queries --------------------------------------------------------------------------------

    def query_by_day(self, table_name: str, day: date) -> Query:
        """``client.query`` arguments: the day's (UTC) shown source items, once each, by time."""
        from dashboard_projection._view import _queries  # noqa: PLC0415

        return _queries.by_day(table_name, day)

    def query_by_time_range(self, table_name: str, start: datetime, end: datetime) -> list[Query]:
        """``client.query`` arguments, one per UTC day, for items timed in ``[start, end)``.

        In time order, across as many days as the range spans.

        Raises:
            InvalidInputError: A naive datetime, or ``start`` not before ``end``.
        """
        from dashboard_projection._view import _queries  # noqa: PLC0415

        return _queries.by_time_range(table_name, start, end)

    def query_by_member(self, table_name: str, member: str) -> Query:
        """``client.query`` arguments: every source item with fan-out ``member``, by time.

        Raises:
            ConfigurationError: The view has no fan-out.
        """
        from dashboard_projection._view import _queries  # noqa: PLC0415

        return _queries.by_member(self.layout, table_name, member)

    def query_by_combined(
        self,
        table_name: str,
        day: date,
        category: str,
        low: Decimal | int | None = None,
        high: Decimal | int | None = None,
    ) -> Query:
        """``client.query`` arguments: a day's items of ``category`` with a value in [low, high].

        Bounds default to the declared range and compare as the combined key does (rounded to
        its places, both included).

        Raises:
            ConfigurationError: The view has no combined key.
            InvalidInputError: A bound outside the declared range.
        """
        from dashboard_projection._view import _queries  # noqa: PLC0415

        return _queries.by_combined(
            self, table_name=table_name, day=day, category=category, low=low, high=high
        )

    # --- reading --------------------------------------------------------------------------------

    def read(self, client: QueryClient, queries: Query | Sequence[Query]) -> Iterator[BaseModel]:
        """Every item the queries select, typed as :attr:`item_type`, page after page.

        ``client`` is a boto3 DynamoDB client (``boto3.client("dynamodb")``); ``queries`` one of
        the ``query_by_*`` results, or a list of them (a time range across days), read in order.

        Raises:
            DeserializationError: An item read back is malformed DynamoDB JSON.
            ItemValidationError: An item read back is not a dashboard item of this view.
        """
        from dashboard_projection._view import _queries  # noqa: PLC0415

        return _queries.read(self, client, queries)


def _layout(view: DashboardView[Any]) -> Layout:
    return Layout(
        key=view.key,
        timestamp=view.timestamp,
        time_attribute=f"{view.timestamp}_utc",
        member_source=view.fan_out.source if view.fan_out else None,
        member_attribute=view.fan_out.attribute if view.fan_out else None,
        member_index=view.fan_out.index_name if view.fan_out else None,
        combined_attribute=view.combined.attribute_name if view.combined else None,
        combined_index=view.combined.index_name if view.combined else None,
    )


def _check(view: DashboardView[Any]) -> None:
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

    if not isinstance(view.key, tuple) or len(view.key) not in (1, 2):
        raise ConfigurationError(
            f"key must name the primary table's key attributes (one or two), got {view.key!r}"
        )
    for name in view.key:
        known(name, "key", tag=_KEY_TAGS)
    known(view.timestamp, "timestamp", tag=("S",))
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


def _check_shown(view: DashboardView[Any]) -> None:
    if view.shown is not None and not callable(view.shown):
        raise ConfigurationError(
            f"shown must be a predicate on {view.model.__name__} or a ShownWhen, got {view.shown!r}"
        )


def _check_copy(view: DashboardView[Any], known: Callable[..., None]) -> tuple[str, ...]:
    if not isinstance(view.copy, tuple):
        raise ConfigurationError(f"copy must be a tuple of attribute names, got {view.copy!r}")
    for name in view.copy:
        known(name, "copy")
    return tuple(dict.fromkeys((*view.key, view.timestamp, *view.copy)))


def _check_fan_out(view: DashboardView[Any], known: Callable[..., None]) -> list[tuple[str, str]]:
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
    if f"{fan_out.attribute}#" == BASE_PREFIX:
        raise ConfigurationError("fan_out.attribute cannot be 'base': base items use that prefix")
    return [(fan_out.attribute, "fan_out.attribute"), (fan_out.index_name, "fan_out.index")]


def _check_combined(view: DashboardView[Any], known: Callable[..., None]) -> list[tuple[str, str]]:
    combined = view.combined
    if combined is None:
        return []
    if not isinstance(combined, CombinedKey):
        raise ConfigurationError(f"combined must be a CombinedKey, got {combined!r}")
    known(combined.category, "combined.category", tag=("S",))
    known(combined.value, "combined.value", tag=("N",))
    combined.number_format  # noqa: B018 - raises ConfigurationError for bad places or bounds
    return [
        (combined.attribute_name, "combined.attribute"),
        (combined.index_name, "combined.index"),
    ]


def _check_names(
    view: DashboardView[Any], copied: tuple[str, ...], derived: list[tuple[str, str]]
) -> None:
    """No two roles share a name: nothing copied or derived overwrites another attribute."""
    attributes = {
        PARTITION_KEY: "the partition key",
        SORT_KEY: "the sort key",
        TTL_ATTRIBUTE: "the TTL attribute",
        f"{view.timestamp}_utc": "the UTC instant",
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
