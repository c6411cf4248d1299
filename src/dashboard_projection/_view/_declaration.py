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
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, cast

from pydantic import BaseModel
from typing_extensions import TypeVar

from dashboard_projection._engine._codec import deserialize_image
from dashboard_projection._types import WireItem
from dashboard_projection._view import _queries
from dashboard_projection._view._build import Rules
from dashboard_projection._view._checks import check
from dashboard_projection._view._layout import (
    PARTITION_KEY,
    SORT_KEY,
    Layout,
    time_attribute_of,
)
from dashboard_projection._view._operations import identities, operations, operations_with_keys
from dashboard_projection._view._parts import CombinedKey, FanOut, ShownWhen
from dashboard_projection._view._queries import Query, QueryClient
from dashboard_projection._view._table import table_spec, ttl_spec
from dashboard_projection._view._validation import validate

if TYPE_CHECKING:
    from dashboard_projection._engine._plan import WriteOp
    from dashboard_projection._engine._projection import KeyedOperations
    from dashboard_projection._engine._records import StreamRecord
    from dashboard_projection._types import AttributeValue

ModelT = TypeVar("ModelT", bound=BaseModel)
#: The typed dashboard item: ``item_model`` when given, else a model derived from ``model``.
ItemT = TypeVar("ItemT", bound=BaseModel, default=BaseModel)


@dataclass(frozen=True, slots=True, kw_only=True)
class DashboardView(Generic[ModelT, ItemT]):
    """A dashboard over a primary table, declared once; keys, table, queries derived from it.

    Every shown primary item becomes one *base item* in the dashboard table, partitioned by the
    UTC day of its timestamp, plus one copy per member of the fan-out set. Example::

        orders = DashboardView(
            model=Order, key=("order_id", "created_at"), timestamp="created_at",
            shown=ShownWhen("status", "paid", "shipped"),
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
    item_model: type[ItemT] | None = None
    _rules: Rules = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the declaration and derive its rules: every mistake surfaces here."""
        check(self)
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
        return operations(self._rules, record, now)

    def _keyed_operations(self, now: datetime) -> KeyedOperations:
        """The processor's way in (``KnowsItsKeys``): per record, its ops and their keys."""
        return partial(operations_with_keys, self._rules, self._rules.shared(now))

    def _identities(self, ops: Sequence[WriteOp]) -> list[str]:
        """Each op's ``item_key``, which tells a view's items apart (``KnowsItsKeys``)."""
        return identities(ops)

    # --- projecting -----------------------------------------------------------------------------

    def project(self, item: ModelT, *, now: datetime) -> list[ItemT]:
        """The typed dashboard items of ``item``: its base item, then one per member, sorted.

        Empty when the item is not shown. Time enters only as ``now`` (for the TTL).

        Raises:
            ItemValidationError: A key DynamoDB would refuse, or a value outside the
                combined key's range.
            ConfigurationError: ``now`` is naive.
        """
        return [self.read_item(wire) for wire in self.project_wire(item, now=now)]

    def project_wire(self, item: ModelT, *, now: datetime) -> list[dict[str, AttributeValue]]:
        """:meth:`project`, as the DynamoDB JSON written to the table.

        The items share attribute values (see :meth:`project_image`): read-only.
        """
        return self._rules.from_model(item, now)

    def project_image(
        self, image: WireItem, *, now: datetime, path: str = "NewImage"
    ) -> list[dict[str, AttributeValue]]:
        """A stream image (DynamoDB JSON) to its dashboard items' DynamoDB JSON: the stream path.

        Decodes once, validates with the model, passes copied attributes through as stored.

        The items share attribute values (``{"S": ...}`` dicts): with each other, with
        ``image``, and with the items of other calls at the same ``now`` object (a batch's
        day, TTL, members and combined keys are one dict each, which makes a batch markedly
        cheaper). Treat them as read-only, as the sinks do: copy an item's value before
        changing it.

        Raises:
            DeserializationError: The image is malformed DynamoDB JSON.
            ItemValidationError: The model refuses it, or it breaks a key rule.
        """
        return self._rules.from_image(image, now, path)

    def read_item(self, item: WireItem) -> ItemT:
        """A dashboard item read from the table (DynamoDB JSON), typed as :attr:`item_type`.

        Raises:
            DeserializationError: ``item`` is malformed DynamoDB JSON.
            ItemValidationError: It is not a dashboard item of this view.
        """
        data = deserialize_image(item, path="item")
        return cast("ItemT", validate(self._rules.item_type, data, {"path": "item"}))

    @property
    def item_type(self) -> type[ItemT]:
        """The typed dashboard item: ``item_model``, or the one derived from ``model``."""
        return cast("type[ItemT]", self._rules.item_type)

    @property
    def layout(self) -> Layout:
        """The attribute and index names derived from the declaration."""
        return self._rules.layout

    # --- the table ------------------------------------------------------------------------------

    def table_spec(
        self, table_name: str, *, billing_mode: str = "PAY_PER_REQUEST"
    ) -> dict[str, Any]:
        """Keyword arguments for ``client.create_table(**spec)``: the table and its sparse GSIs.

        With ``billing_mode="PROVISIONED"``, add ``ProvisionedThroughput`` to the table and to
        each index before creating it: DynamoDB requires them, and only you know the numbers.
        """
        return table_spec(self.layout, table_name, billing_mode=billing_mode)

    def ttl_spec(self, table_name: str) -> dict[str, Any]:
        """Keyword arguments for ``client.update_time_to_live(**spec)``: TTL on ``expires_at``."""
        return ttl_spec(table_name)

    # --- queries --------------------------------------------------------------------------------

    def query_by_day(self, table_name: str, day: date) -> Query:
        """``client.query`` arguments: the day's (UTC) shown source items, once each, by time."""
        return _queries.by_day(table_name, day)

    def query_by_time_range(self, table_name: str, start: datetime, end: datetime) -> list[Query]:
        """``client.query`` arguments, one per UTC day, for items timed in ``[start, end)``.

        In time order, across as many days as the range spans.

        Raises:
            InvalidInputError: A naive datetime, or ``start`` not before ``end``.
        """
        return _queries.by_time_range(table_name, start, end)

    def query_by_member(self, table_name: str, member: str) -> Query:
        """``client.query`` arguments: every source item with fan-out ``member``, by time.

        Raises:
            ConfigurationError: The view has no fan-out.
        """
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
            InvalidInputError: A bound outside the declared range, or ``low`` above ``high``.
        """
        return _queries.by_combined(
            self, table_name=table_name, day=day, category=category, low=low, high=high
        )

    # --- reading --------------------------------------------------------------------------------

    def read(self, client: QueryClient, queries: Query | Sequence[Query]) -> Iterator[ItemT]:
        """Every item the queries select, typed as :attr:`item_type`, page after page.

        ``client`` is a boto3 DynamoDB client (``boto3.client("dynamodb")``); ``queries`` one of
        the ``query_by_*`` results, or a list of them (a time range across days), read in order.

        Raises:
            DeserializationError: An item read back is malformed DynamoDB JSON.
            ItemValidationError: An item read back is not a dashboard item of this view.
        """
        return map(self.read_item, _queries.pages(client, queries))


def _layout(view: DashboardView[Any, Any]) -> Layout:
    return Layout(
        key=view.key,
        timestamp=view.timestamp,
        time_attribute=time_attribute_of(view.timestamp),
        member_source=view.fan_out.source if view.fan_out else None,
        member_attribute=view.fan_out.attribute if view.fan_out else None,
        member_index=view.fan_out.index_name if view.fan_out else None,
        combined_attribute=view.combined.attribute_name if view.combined else None,
        combined_index=view.combined.index_name if view.combined else None,
    )
