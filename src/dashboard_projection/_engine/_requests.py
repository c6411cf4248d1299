"""``BatchWriteItem`` write requests made from a plan's operations, and read back from replies.

Binary arrives in stream events as base64 text; the request carries bytes, as boto3's client
and the signed call both expect (they encode bytes as base64 on the wire), so an item with no
binary at all is sent as it is, uncopied.
"""

from __future__ import annotations

import base64
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from dashboard_projection._engine._plan import Put, WriteOp

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import WriteRequestOutputTypeDef, WriteRequestTypeDef

    from dashboard_projection._types import AttributeValue, WireItem


@dataclass(frozen=True, slots=True)
class Pending:
    """An operation on its way: where it was in the write, what to send, which item it is."""

    index: int
    attributes: WireItem
    request: WriteRequestTypeDef
    identity: tuple[Hashable, ...]


def pending(index: int, op: WriteOp, identity: tuple[Hashable, ...]) -> Pending:
    if isinstance(op, Put):
        request = {"PutRequest": {"Item": _with_bytes(op.item)}}
        return Pending(index, op.item, cast("WriteRequestTypeDef", request), identity)
    request = {"DeleteRequest": {"Key": _with_bytes(op.key)}}
    return Pending(index, op.key, cast("WriteRequestTypeDef", request), identity)


def attributes_of_request(request: WriteRequestOutputTypeDef) -> WireItem:
    put = request.get("PutRequest")
    return put["Item"] if put is not None else request["DeleteRequest"]["Key"]


_PLAIN_TAGS = frozenset({"S", "N", "BOOL", "NULL", "SS", "NS"})


def _binary_as_bytes(value: AttributeValue) -> AttributeValue:
    """boto3 base64-encodes bytes itself; base64 text, as in stream events, must be decoded.

    ``value`` itself when it holds no base64 text: nothing is copied that need not be.
    """
    ((tag, payload),) = value.items()
    if tag in _PLAIN_TAGS:
        return value
    if tag == "B" and type(payload) is str:
        return {"B": base64.b64decode(payload)}
    if tag == "BS" and any(type(member) is str for member in payload):
        return {"BS": [base64.b64decode(m) if type(m) is str else m for m in payload]}
    if tag == "M":
        members = _with_bytes(payload)
        return value if members is payload else {"M": members}
    if tag == "L":
        elements = [_binary_as_bytes(element) for element in payload]
        changed = any(new is not old for new, old in zip(elements, payload, strict=True))
        return {"L": elements} if changed else value
    return value


def _with_bytes(attributes: WireItem) -> WireItem:
    """``attributes`` with base64 text decoded to bytes; the same mapping if there is none."""
    copied: dict[str, AttributeValue] | None = None
    for name, value in attributes.items():
        converted = _binary_as_bytes(value)
        if converted is not value:
            if copied is None:
                copied = dict(attributes)
            copied[name] = converted
    return attributes if copied is None else copied
