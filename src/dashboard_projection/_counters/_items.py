"""The counters table's items: counter shards and per-source markers, and the transaction.

    counter shard  pk = counter#<day>             sk = <dimension>#<escaped value>#<shard>
                   day, dimension, value (S); count, sum_<name>… (N, kept with ADD); expires_at
    marker         pk = marker#<source item key>  sk = marker
                   seq (S: the last applied SequenceNumber, zero-padded to 40 digits, so that
                   string order is numeric order), digest (S), contribution (M), expires_at

A transaction (``TransactWriteItems``, one action per item touched, at most 100): a ``Put``
of each source's new marker, conditioned on the marker being the one the deltas were computed
from, and one ``Update`` per counter shard whose amounts change (``ADD`` of the deltas).
Sources: DynamoDB Developer Guide, "Amazon DynamoDB Transactions" and "Condition expressions";
DynamoDB API Reference, ``TransactWriteItems`` and ``StreamRecord`` (a ``SequenceNumber`` is 21
to 40 digits).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dashboard_projection._counters._declaration import Contribution, Counters, split_counter_id
from dashboard_projection._errors import InvalidInputError
from dashboard_projection._types import WireItem
from dashboard_projection._view._layout import key_text
from dashboard_projection._view._rules import escape

PK = "pk"
SK = "sk"
MARKER_SK = "marker"
SEQUENCE_DIGITS = 40
_MAX_SOURCE_BYTES = 1024  # longer source keys are hashed: a partition key holds 2,048 bytes


@dataclass(frozen=True, slots=True)
class Marker:
    """What a source item currently contributes, and the record that made it so.

    Attributes:
        sequence: The last applied ``SequenceNumber``, zero-padded to 40 digits.
        contribution: Counter id → amounts.
    """

    sequence: str
    contribution: Contribution


def sequence_key(sequence_number: str) -> str:
    """A ``SequenceNumber`` as 40-digit text: string order is then numeric order.

    Raises:
        InvalidInputError: It is not 1 to 40 decimal digits.
    """
    if not (sequence_number.isascii() and sequence_number.isdecimal()) or (
        len(sequence_number) > SEQUENCE_DIGITS
    ):
        raise InvalidInputError(
            f"expected a SequenceNumber of up to {SEQUENCE_DIGITS} digits, got "
            f"{sequence_number!r:.60}",
            path="dynamodb.SequenceNumber",
        )
    return sequence_number.zfill(SEQUENCE_DIGITS)


def source_of(counters: Counters, keys: WireItem) -> str:
    """The source item's identity: its key values, as the dashboard's keys spell them.

    Raises:
        InvalidInputError: ``keys`` lacks a key attribute or one is not S, N or B.
    """
    names = counters.view.key
    try:
        text = "#".join(escape(key_text(keys[name], name)) for name in names)
    except KeyError as missing:
        raise InvalidInputError(
            "a key attribute of the primary table is missing",
            path=f"dynamodb.Keys.{missing.args[0]}",
        ) from None
    if len(text.encode("utf-8", "surrogatepass")) > _MAX_SOURCE_BYTES:
        return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return text


def digest(contribution: Mapping[str, tuple[Decimal, ...]]) -> str:
    """A fingerprint of a contribution (numbers compared as numbers: ``1`` and ``1.0`` match)."""
    canonical = sorted(
        (key, [_canonical(amount) for amount in amounts]) for key, amounts in contribution.items()
    )
    return hashlib.blake2b(json.dumps(canonical).encode(), digest_size=16).hexdigest()


def _canonical(amount: Decimal) -> str:
    return "0" if amount == 0 else f"{amount.normalize():f}"


def marker_key(source: str) -> dict[str, dict[str, str]]:
    """The key of ``source``'s marker."""
    return {PK: {"S": f"marker#{source}"}, SK: {"S": MARKER_SK}}


def counter_key(identifier: str, shard: int) -> dict[str, dict[str, str]]:
    """The key of one shard of counter ``identifier``."""
    day, dimension, value = identifier.split("#", 2)  # the value stays escaped
    return {PK: {"S": f"counter#{day}"}, SK: {"S": f"{dimension}#{value}#{shard}"}}


def encode_contribution(contribution: Contribution) -> dict[str, Any]:
    """A contribution as a DynamoDB map: counter id → list of numbers."""
    return {
        "M": {
            key: {"L": [{"N": _canonical(amount)} for amount in amounts]}
            for key, amounts in sorted(contribution.items())
        }
    }


def decode_marker(item: Mapping[str, Any]) -> Marker:
    """A marker item (DynamoDB JSON) as a :class:`Marker`."""
    entries = item.get("contribution", {}).get("M", {})
    contribution = {
        key: tuple(Decimal(number["N"]) for number in value["L"]) for key, value in entries.items()
    }
    return Marker(str(item["seq"]["S"]), contribution)


def expiry(counters: Counters, day: str) -> int | None:
    """``expires_at`` of a day's counters: the end of that day plus the retention."""
    if counters.retention is None:
        return None
    end = datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(), UTC)
    return int((end + counters.retention).timestamp())


def marker_item(
    counters: Counters,
    source: str,
    sequence: str,
    contribution: Contribution,
    *,
    now: datetime,
) -> dict[str, Any]:
    """``source``'s marker: its ``contribution`` since the record ``sequence``.

    With a ``retention``, it expires ``retention`` after the last day it contributes to, or
    after ``now`` if later: a marker must outlive the counters it accounts for.
    """
    marker: dict[str, Any] = {
        **marker_key(source),
        "seq": {"S": sequence},
        "digest": {"S": digest(contribution)},
        "contribution": encode_contribution(contribution),
    }
    if counters.retention is not None:
        days = {split_counter_id(key)[0] for key in contribution}
        expires = [int((now + counters.retention).timestamp())]
        expires += [stamp for day in days if (stamp := expiry(counters, day)) is not None]
        marker["expires_at"] = {"N": str(max(expires))}
    return marker


def transaction(  # noqa: PLR0913 - the parts of one transaction, by name
    counters: Counters,
    table_name: str,
    markers: Sequence[tuple[str, str, Contribution, Contribution]],
    changes: Contribution,
    *,
    shard: int,
    now: datetime,
) -> list[dict[str, Any]]:
    """``TransactItems``: a marker ``Put`` per source, then an ``Update`` per counter changed.

    ``markers`` are ``(source, sequence, expected, new)``, in the order their cancellation
    reasons come back. Each ``Put`` holds only if the marker is older than ``sequence`` and
    contributes ``expected`` (or, when ``expected`` is empty, is absent): a record applied
    before, or older than the one applied, fails it and cancels the whole transaction.
    ``changes`` (the sum of each ``new - expected``) are added to shard ``shard`` of each
    counter.
    """
    actions = [
        _conditional_put(
            table_name, marker_item(counters, source, sequence, new, now=now), sequence, expected
        )
        for source, sequence, expected, new in markers
    ]
    actions += [
        _update(counters, table_name, identifier, amounts, shard)
        for identifier, amounts in sorted(changes.items())
    ]
    return actions


def _conditional_put(
    table_name: str, marker: dict[str, Any], sequence: str, expected: Contribution
) -> dict[str, Any]:
    condition = "#seq < :seq AND #digest = :digest"
    if not expected:
        condition = f"attribute_not_exists(#seq) OR ({condition})"
    return {
        "Put": {
            "TableName": table_name,
            "Item": marker,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#seq": "seq", "#digest": "digest"},
            "ExpressionAttributeValues": {
                ":seq": {"S": sequence},
                ":digest": {"S": digest(expected)},
            },
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def counter_item(
    counters: Counters, identifier: str, amounts: tuple[Decimal, ...], shard: int
) -> dict[str, Any]:
    """One shard of counter ``identifier`` holding ``amounts``, as a whole item."""
    day, dimension, value = split_counter_id(identifier)
    item: dict[str, Any] = {
        **counter_key(identifier, shard),
        "day": {"S": day},
        "dimension": {"S": dimension},
        "value": {"S": value},
        "count": {"N": _canonical(amounts[0])},
    }
    for name, amount in zip(counters.sums, amounts[1:], strict=True):
        item[f"sum_{name}"] = {"N": _canonical(amount)}
    expires = expiry(counters, day)
    if expires is not None:
        item["expires_at"] = {"N": str(expires)}
    return item


def _update(
    counters: Counters,
    table_name: str,
    identifier: str,
    amounts: tuple[Decimal, ...],
    shard: int,
) -> dict[str, Any]:
    """``ADD`` the amounts to the shard; ``SET`` its descriptive attributes (the same each time)."""
    item = counter_item(counters, identifier, amounts, shard)
    added = {"count", *(f"sum_{name}" for name in counters.sums)}
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    adds, sets = [], []
    for position, (name, value) in enumerate(item.items()):
        if name in (PK, SK):
            continue
        names[f"#a{position}"] = name
        values[f":a{position}"] = value
        if name in added:
            adds.append(f"#a{position} :a{position}")
        else:
            sets.append(f"#a{position} = :a{position}")
    return {
        "Update": {
            "TableName": table_name,
            "Key": {PK: item[PK], SK: item[SK]},
            "UpdateExpression": f"ADD {', '.join(adds)} SET {', '.join(sets)}",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }
