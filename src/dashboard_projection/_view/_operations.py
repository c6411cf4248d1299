"""What one stream record implies: puts for the new image's items, deletes for what is gone.

The table holds exactly the projection of the primary items that are currently shown:

* INSERT or MODIFY of a shown item puts its items and deletes the items its old image had that
  the new one has not (a dropped member leaves no stale copy);
* MODIFY to an item that is no longer shown deletes the old image's items: once the old image
  is gone from the stream, nothing could say which items to delete later;
* REMOVE changes nothing unless the view propagates removes, and never for TTL deletions of the
  primary table, which are housekeeping, not retractions;
* a record whose new image is invalid is rejected, and its old image's items are still deleted
  (``InvalidInputError.cleanup``), so nothing stale stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dashboard_projection._engine._plan import Delete, Put, WriteOp
from dashboard_projection._engine._records import StreamRecord
from dashboard_projection._errors import DashboardProjectionError, InvalidInputError
from dashboard_projection._types import WireItem
from dashboard_projection._view._build import Rules, WireDict
from dashboard_projection._view._layout import PARTITION_KEY, SORT_KEY, key_text
from dashboard_projection._view._shared import SharedValues
from dashboard_projection._view._time import utc_instant_of

#: Primary keys of dashboard items: ``(day_partition, item_key)`` values.
PrimaryKeys = list[tuple[str, str]]


def operations(rules: Rules, record: StreamRecord, now: datetime) -> list[WriteOp]:
    """Puts for the new image's items, deletes for the old image's items that are gone."""
    return operations_with_keys(rules, rules.shared(now), record)[0]


def operations_with_keys(
    rules: Rules, shared: SharedValues, record: StreamRecord
) -> tuple[list[WriteOp], list[str]]:
    """:func:`operations` at the clock of ``shared``, and each op's :func:`identities`.

    The clock's shared values come in looked up: a batch has one clock (see
    ``DashboardView._keyed_operations``).
    """
    if record.keys and record.keys.keys() != rules.key_names:
        raise _not_the_views_key(rules, record)  # from another table's stream: never nothing
    if record.event_name == "REMOVE":
        if not rules.propagate_removes or record.is_ttl_delete:
            return [], []
        if record.old_image is None:
            raise InvalidInputError(
                "REMOVE without an OldImage: to propagate removes, the stream's view type "
                "must be NEW_AND_OLD_IMAGES",
                path="dynamodb.OldImage",
            )
        new: list[WireDict] = []
        keys: list[str] = []
    elif record.new_image is None:
        raise InvalidInputError(
            f"{record.event_name} without a NewImage: the stream's view type must be "
            "NEW_AND_OLD_IMAGES",
            path="dynamodb.NewImage",
        )
    else:
        try:
            new, _, keys = rules.project_keyed(record.new_image, shared, "NewImage")
        except InvalidInputError as error:
            # The record is rejected, but the item it replaced must not linger on the
            # dashboard: its old items are deleted as if it were no longer shown.
            error.cleanup = tuple(_deletes(_old_keys(rules, record.old_image)))
            raise
    if record.keys:
        try:
            _check_images_match_keys(record)
        except InvalidInputError as error:
            error.cleanup = tuple(_deletes(_old_keys(rules, record.old_image)))
            raise
    ops: list[WriteOp] = list(map(Put, new))
    old = record.old_image
    if not old or (new and _same_keys(rules, old, record.new_image)):
        return ops, keys  # an INSERT, or a MODIFY that keeps every key: nothing to delete
    kept = set(keys)
    gone = [(day, key) for day, key in _old_keys(rules, old) if key not in kept]
    return ops + _deletes(gone), keys + [key for _, key in gone]


def identities(ops: Sequence[WriteOp]) -> list[str]:
    """Each op's ``item_key``: what tells a view's items apart, their day included.

    An ``item_key`` holds its item's UTC instant, and so its ``day_partition``: two items with
    one ``item_key`` have one primary key (docs/key-design.md). A plain string, hashed once,
    is what a batch's plan keys its thousands of operations by.

    Raises:
        InvalidInputError: An op has no ``item_key`` string.
    """
    try:
        return [(op.item if isinstance(op, Put) else op.key)[SORT_KEY]["S"] for op in ops]
    except (KeyError, TypeError) as exc:
        raise InvalidInputError(
            f"expected every operation to carry {SORT_KEY} as an S value "
            f"({type(exc).__name__}: {exc})"
        ) from None


def _same_keys(rules: Rules, old: WireItem, new: WireItem | None) -> bool:
    """Whether a shown new image's items have every key its old image's items had.

    So when what the keys are made of is stored alike in both, and nothing else (a
    validator) has a say in them: then the old image had these keys, or none at all.
    """
    if not rules.keys_follow_stored or new is None:
        return False
    names = rules.key_sources
    return list(map(old.get, names)) == list(map(new.get, names))


def _not_the_views_key(rules: Rules, record: StreamRecord) -> InvalidInputError:
    """A record from another table's stream: bad input that says so, never silently nothing."""
    return InvalidInputError(
        f"the record's key attributes are {', '.join(sorted(map(str, record.keys)))}; "
        f"expected the view's primary key {', '.join(rules.layout.key)} "
        f"({rules.model.__name__}): is this the stream of the view's primary table, and was "
        "the view given (process_stream_event(..., projection=view))?",
        path="dynamodb.Keys",
    )


def _check_images_match_keys(record: StreamRecord) -> None:
    """Checked once an image has validated, so that the model reports a malformed one first."""
    keys = record.keys
    for part, image in (("NewImage", record.new_image), ("OldImage", record.old_image)):
        if not image or keys.items() <= image.items():  # every key value stored as in Keys
            continue
        for name, value in keys.items():
            stored = image.get(name, value)
            if stored != value and not _same_key_value(stored, value, name):
                raise InvalidInputError(
                    f"{part}.{name} is {stored!r:.80}, but the record's Keys say {value!r:.80}",
                    path=f"dynamodb.{part}.{name}",
                )


def _same_key_value(first: object, second: object, name: str) -> bool:
    """Two spellings of one key value (``{"N": "1"}`` and ``{"N": "1.0"}``)."""
    try:
        return key_text(first, name) == key_text(second, name)  # type: ignore[arg-type]
    except DashboardProjectionError:
        return False


def _deletes(keys: PrimaryKeys) -> list[WriteOp]:
    return [Delete({PARTITION_KEY: {"S": day}, SORT_KEY: {"S": key}}) for day, key in keys]


def _old_keys(rules: Rules, image: WireItem | None) -> PrimaryKeys:
    """Keys the old image's items had; an old image that never projected had none."""
    if not image:
        return []
    if rules.keys_as_stored:  # neither shown-ness nor the keys need the model
        keys = _stored_keys(rules, image)
        if keys is not None:
            return keys
    try:
        _, day, item_keys = rules.project_keyed(image, SharedValues(None, 0), "OldImage")
    except DashboardProjectionError:
        return []
    return [(day, key) for key in item_keys]


def _stored_keys(rules: Rules, image: WireItem) -> PrimaryKeys | None:
    """The keys of a shown image's items, from its stored key attributes alone.

    Equal to the keys of its projected items whenever it projects. When it would be
    rejected, the extra deletes are of keys that hold nothing: harmless. ``None`` when the
    stored attributes are not plain enough to say (the full path decides then).
    """
    if rules.shown_image is not None and not rules.is_shown(image):
        return []
    layout = rules.layout
    try:
        instant = utc_instant_of(image[layout.timestamp]["S"])
        suffix = layout.key_suffix(instant, tuple(image[name] for name in layout.key))
        source = layout.member_source
        members = sorted(set(image[source]["SS"])) if source and source in image else []
        keys = layout.item_keys(suffix, members)
    except (KeyError, TypeError, ValueError, AttributeError, DashboardProjectionError):
        return None
    day = instant[:10]
    return [(day, key) for key in keys]
