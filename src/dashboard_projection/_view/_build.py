"""The one implementation of a view's rules: a validated primary item to its dashboard items.

Two doors lead in, one rule set applies behind them:

* the stream path (:meth:`Rules.from_image`): read the image with the user's model (pydantic
  reading its DynamoDB JSON itself where the model allows, see ``_direct``), and pass copied
  attributes through as the DynamoDB JSON they were stored as;
* the model path (:meth:`Rules.from_model`): the same, from a model instance a user holds.

Both end in :meth:`Rules.build`, which derives the keys, checks their sizes, and assembles the
base item and one copy per fan-out member. ``_operations.operations`` is what the processor runs
per record: puts for the new image's items, deletes for what is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from dashboard_projection._engine._codec import deserialize_value
from dashboard_projection._engine._encode import serialize_value
from dashboard_projection._errors import (
    ItemValidationError,
)
from dashboard_projection._types import AttributeValue, WireItem
from dashboard_projection._view._direct import ImageRead, Values
from dashboard_projection._view._item_type import derive_item_type
from dashboard_projection._view._layout import (
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    Layout,
    check_key_sizes,
    copied_names,
)
from dashboard_projection._view._parts import ShownWhen, shown_by
from dashboard_projection._view._rules import expires_at
from dashboard_projection._view._shared import SharedValues
from dashboard_projection._view._validation import (
    fields_by_stored_name,
    kept_as_stored,
    stored_types,
)
from dashboard_projection._view._values import (
    CombinedText,
    default_text,
    instant_of,
    members_of,
    storable,
    text_of,
)

if TYPE_CHECKING:
    from dashboard_projection._view._declaration import DashboardView

WireDict = dict[str, AttributeValue]
# Stored values that go to the table as they are. Binary arrives in stream events as base64
# text but the client sends bytes, so B/BS, and maps and lists that may hold them, are encoded.
_AS_STORED = frozenset(("S", "N", "SS", "NS", "BOOL"))


#: Items, their ``day_partition`` and their ``item_key`` values (see :meth:`Rules.build`).
Built = tuple[list[WireDict], str, list[str]]


class Rules:
    """A declaration compiled for the hot path: names resolved, checks chosen, once."""

    __slots__ = (
        "combined",
        "combined_attribute",
        "copied",
        "copied_as_typed",
        "copied_checked",
        "item_type",
        "key_names",
        "key_sources",
        "keys_as_stored",
        "keys_follow_stored",
        "last_shared",
        "layout",
        "max_members",
        "member_attribute",
        "model",
        "names",
        "propagate_removes",
        "read",
        "shown_image",
        "shown_model",
        "shown_when_absent",
        "source_field",
        "stored",
        "time_attribute",
        "timestamp_field",
        "ttl",
    )

    def __init__(self, view: DashboardView[Any, Any], layout: Layout) -> None:
        """Resolve everything per-record work needs from ``view``."""
        self.layout = layout
        self.time_attribute = layout.time_attribute
        self.member_attribute = layout.member_attribute or ""
        self.combined_attribute = layout.combined_attribute or ""
        self.model = view.model
        self.read = ImageRead(view.model)
        self.stored = stored_types(view.model)
        # Stored attribute name → the model's field name (they differ where a field has an alias)
        self.names = {
            stored: name for stored, (name, _) in fields_by_stored_name(view.model).items()
        }
        self.timestamp_field = self.names[view.timestamp]
        self.source_field = self.names[view.fan_out.source] if view.fan_out else ""
        self.copied = copied_names(view)
        # Copied attributes whose declared type goes to the table as stored (S, N, SS, NS,
        # BOOL), and the others, which go as stored only when they hold such a type.
        self.copied_as_typed = tuple(n for n in self.copied if self.stored.get(n) in _AS_STORED)
        self.copied_checked = tuple(n for n in self.copied if n not in self.copied_as_typed)
        self.key_names = frozenset(view.key)
        self.shown_image = view.shown if isinstance(view.shown, ShownWhen) else None
        # An image without the ShownWhen attribute is what the model's default says it is.
        self.shown_when_absent = (
            self.shown_image is not None
            and default_text(view.model, self.shown_image.attribute) in self.shown_image.values
        )
        self.shown_model = None if isinstance(view.shown, ShownWhen) else view.shown
        # What an item's keys are made of: its key, timestamp and fan-out set attributes.
        self.key_sources = (
            *view.key,
            view.timestamp,
            *([view.fan_out.source] if view.fan_out else []),
        )
        # Whether its keys follow from how those are stored, with no validator having a say;
        # then an old image's keys are read from its stored attributes (see _operations).
        self.keys_follow_stored = kept_as_stored(view.model, self.key_sources)
        self.keys_as_stored = self.shown_model is None and self.keys_follow_stored
        self.max_members = view.fan_out.max_members if view.fan_out else 0
        self.combined = (
            CombinedText(
                view.combined.number_format,
                self.names[view.combined.category],
                self.names[view.combined.value],
                view.combined.value,
            )
            if view.combined
            else None
        )
        self.ttl = view.ttl
        self.propagate_removes = view.propagate_removes
        self.item_type = view.item_model or derive_item_type(view, layout)
        self.last_shared: SharedValues | None = None

    # --- the two doors ---------------------------------------------------------------------------

    def from_image(self, image: WireItem, now: datetime, path: str) -> list[WireDict]:
        """The dashboard items of a stream image; see ``DashboardView.project_image``."""
        return self.project_keyed(image, self.shared(now), path)[0]

    def from_model(
        self, item: BaseModel, now: datetime, *, if_shown: bool = True
    ) -> list[WireDict]:
        """The dashboard items of a model instance; see ``DashboardView.project_wire``.

        ``if_shown=False`` projects the item whether it is shown or not.
        """
        shared = self.shared(now)
        if if_shown and not self._shown(item):
            return []
        copied = {}
        for name in self.copied:
            value = getattr(item, self.names[name])
            if value is not None and value != frozenset():  # DynamoDB has no empty set
                copied[name] = serialize_value(storable(value))
        key = tuple(serialize_value(getattr(item, self.names[name])) for name in self.layout.key)
        return self.build(item.__dict__, key, copied, shared, "item")[0]

    def shared(self, now: datetime) -> SharedValues:
        """The values the items projected at ``now`` share: one set per clock, so per batch."""
        last = self.last_shared
        if last is None or last.now is not now:  # the same (immutable) datetime: the same values
            last = self.last_shared = SharedValues(now, expires_at(now, self.ttl))
        return last

    def project_keyed(self, image: WireItem, shared: SharedValues, path: str) -> Built:
        """:meth:`from_image` at the clock of ``shared``, with the items' day and keys."""
        if self.shown_image is not None and not self.is_shown(image):
            return [], "", []  # not shown: no items
        if self.shown_model is None:
            values = self.read.values(image, path)
        else:  # the predicate takes the model itself
            item = self.read.item(image, path)
            if not shown_by(self.shown_model, item, path):
                return [], "", []  # not shown: no items
            values = item.__dict__
        copied: WireDict = {}
        for name in self.copied_as_typed:  # a loop, not a comprehension: a call less a record
            value = image.get(name)
            if value is not None and "NULL" not in value:
                copied[name] = value
        for name in self.copied_checked:
            value = image.get(name)
            if value is not None and "NULL" not in value:
                as_stored = next(iter(value)) in _AS_STORED
                copied[name] = value if as_stored else serialize_value(deserialize_value(value))
        try:
            key = tuple(map(image.__getitem__, self.layout.key))
        except KeyError as missing:
            raise ItemValidationError(
                "a key attribute of the primary table is missing", path=f"{path}.{missing.args[0]}"
            ) from None
        return self.build(values, key, copied, shared, path)

    def is_shown(self, image: WireItem) -> bool:
        """Whether the ``ShownWhen`` rule shows a stored image (the model's default if absent)."""
        rule = self.shown_image
        if rule is None:
            return True
        return self.shown_when_absent if rule.attribute not in image else rule(image)

    def _shown(self, item: BaseModel) -> bool:
        if self.shown_image is not None:
            value = getattr(item, self.names.get(self.shown_image.attribute, ""), None)
            return text_of(value) in self.shown_image.values
        return self.shown_model is None or shown_by(self.shown_model, item, "item")

    # --- the rules -------------------------------------------------------------------------------

    def build(
        self,
        values: Values,
        key: Sequence[AttributeValue],
        copied: WireDict,
        shared: SharedValues,
        path: str,
    ) -> Built:
        """The base item, then one copy per fan-out member in sorted order, as DynamoDB JSON.

        ``values`` are the model's field values; returned with the items' day
        (``day_partition``) and their ``item_key`` values, in order.

        ``copied`` (the copied attributes, a fresh dict) becomes the attributes items share,
        and then the base item itself: the copies are taken before the base's own attributes
        go in, so that a record costs one dict copy less. Error paths (``NewImage.score``) are
        spelled out only on an error: this runs once per record.

        Raises:
            ItemValidationError: A key value is not S/N/B, a key is too long, a member is
                empty, there are more members than allowed, or the combined value is out of
                range.
        """
        layout = self.layout
        instant = instant_of(values[self.timestamp_field], path, layout.timestamp)
        try:
            suffix = layout.key_suffix(instant, key)
        except ItemValidationError as error:
            raise ItemValidationError(error.reason, path=f"{path}.{error.path}") from None
        source = layout.member_source
        members = (
            members_of(values[self.source_field] or (), source, self.max_members, path)
            if source is not None
            else []
        )
        keys = layout.item_keys(suffix, members)
        check_key_sizes(keys, path)
        texts = shared.texts  # looked up here, added by shared.text(): a call only when new
        common = copied  # the caller's fresh dict: the attributes every item has
        day = instant[:10]
        common[PARTITION_KEY] = texts.get(day) or shared.text(day)
        common[self.time_attribute] = {"S": instant}
        common[TTL_ATTRIBUTE] = shared.expires_at
        common[SORT_KEY] = {"S": keys[0]}  # the base item's; each copy overwrites it
        copies = []
        if members:
            # Room for the member made once, before copying: a copy that only overwrites
            # never outgrows its hash table, and a resize per copy would cost more than it.
            member_attribute = self.member_attribute
            common[member_attribute] = common[SORT_KEY]
            for position, member in enumerate(members, 1):
                copy = common.copy()  # copy() and stores: cheaper than {**common, ...}
                copy[SORT_KEY] = {"S": keys[position]}
                copy[member_attribute] = texts.get(member) or shared.text(member)
                copies.append(copy)
            del common[member_attribute]
        base = common
        if self.combined is not None:
            combined = self.combined.text(values, path)
            if combined is not None:
                base[self.combined_attribute] = texts.get(combined) or shared.text(combined)
        return [base, *copies], day, keys
