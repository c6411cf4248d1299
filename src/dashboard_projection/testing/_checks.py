"""The laws of one record's projection, and the differences between two tables, for messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dashboard_projection._engine._limits import MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES
from dashboard_projection._engine._plan import Put, attributes_of, key_identity
from dashboard_projection._engine._projection import Projection
from dashboard_projection._engine._records import StreamRecord
from dashboard_projection._engine._sink_memory import InMemorySink
from dashboard_projection._errors import InvalidInputError
from dashboard_projection._view._declaration import DashboardView
from dashboard_projection.testing._reference import ItemKey

_DIFFERENCES_SHOWN = 3


def check_record(
    view: DashboardView[Any, Any],
    projection: Projection,
    raw: dict[str, Any],
    now: datetime,
    *,
    bad: bool,
) -> None:
    """Total, storable, distinct keys: one record, projected directly.

    Raises:
    AssertionError: Naming the law the record's projection breaks.
    """
    try:
        ops = projection(StreamRecord.from_lambda_record(raw), now=now)
    except InvalidInputError as error:
        if not bad:
            raise AssertionError(
                f"law 'total' broken: the valid record {describe(raw)} raised "
                f"{type(error).__name__}: {error} (if the model's own validators ask more than "
                "its field types say, draw that attribute with check_view_laws(fields=...))"
            ) from error
        return
    except Exception as error:
        raise AssertionError(
            f"law 'total' broken: record {describe(raw)} raised {type(error).__name__}: "
            f"{error}; only InvalidInputError may reject a record"
        ) from error
    if bad:
        raise AssertionError(
            f"law 'total' broken: the malformed record {describe(raw)} was "
            f"projected to {len(ops)} writes instead of raising InvalidInputError"
        )
    keys = projection.key_attributes
    identities = [key_identity(attributes_of(op), keys) for op in ops]
    if len(set(identities)) != len(identities):
        raise AssertionError(
            f"law 'distinct keys' broken: record {describe(raw)} writes one key twice: "
            f"{sorted(map(str, identities))}"
        )
    failed = InMemorySink(keys).write(ops).failed
    if failed:
        raise AssertionError(f"law 'storable' broken: record {describe(raw)}: {failed[0].error}")
    for op in ops:
        if isinstance(op, Put):
            _check_index_keys(view, op.item, raw)


def _check_index_keys(
    view: DashboardView[Any, Any], item: Mapping[str, Any], raw: dict[str, Any]
) -> None:
    """GSI key attributes are non-empty strings within DynamoDB's key sizes, or absent."""
    layout = view.layout
    limits = {
        layout.member_attribute: MAX_PARTITION_KEY_BYTES,
        layout.time_attribute: MAX_SORT_KEY_BYTES,
        layout.combined_attribute: MAX_SORT_KEY_BYTES,
    }
    for name, limit in limits.items():
        if name is None or name not in item:
            continue
        text = item[name].get("S") if isinstance(item[name], dict) else None
        if not isinstance(text, str) or not text or len(text.encode()) > limit:
            raise AssertionError(
                f"law 'storable' broken: record {describe(raw)} writes the index key {name} as "
                f"{item[name]!r:.120}; DynamoDB indexes a non-empty string of {limit} bytes at most"
            )


def same(law: str, what: str, expected: dict[ItemKey, Any], actual: dict[ItemKey, Any]) -> None:
    """Raise unless the tables are equal, showing the first differences.

    Raises:
        AssertionError: Naming ``law`` and what was compared.
    """
    if expected == actual:
        return
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = sorted(key for key in set(expected) & set(actual) if expected[key] != actual[key])
    lines = [f"law '{law}' broken ({what}):"]
    lines += [f"  missing {key}" for key in missing[:_DIFFERENCES_SHOWN]]
    lines += [f"  unexpected {key}: {actual[key]!r:.200}" for key in extra[:_DIFFERENCES_SHOWN]]
    lines += [
        f"  {key}: {_difference(expected[key], actual[key])}"
        for key in changed[:_DIFFERENCES_SHOWN]
    ]
    lines.append(f"  ({len(missing)} missing, {len(extra)} unexpected, {len(changed)} changed)")
    raise AssertionError("\n".join(lines))


def _difference(expected: dict[str, Any], actual: dict[str, Any]) -> str:
    names = sorted(name for name in {*expected, *actual} if expected.get(name) != actual.get(name))
    absent = "<absent>"
    return ", ".join(
        f"{name} expected {expected.get(name, absent)!r:.80}, got {actual.get(name, absent)!r:.80}"
        for name in names
    )


def describe(raw: object) -> str:
    """A record, for messages: its id, event name and key."""
    if not isinstance(raw, dict):
        return repr(raw)[:80]
    body = raw.get("dynamodb")
    keys = body.get("Keys") if isinstance(body, dict) else None
    return f"{raw.get('eventID')} ({raw.get('eventName')} of {keys!r:.120})"
