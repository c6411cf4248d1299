"""The simulated primary table's vocabulary: its sources, what a schema draws, Lambda's records.

A :class:`Schema` knows the items of one primary table (the sentiment dashboard's, or any
:class:`~dashboard_projection.DashboardView`'s model); :mod:`._streams` runs a table of its
sources and writes the stream records DynamoDB would.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from hypothesis import strategies as st

from dashboard_projection.testing._values import Value

Record = dict[str, Any]
Image = dict[str, Value]
#: Turns a good INSERT or MODIFY record into one the projection rejects, in place.
Malform = Callable[[Record], None]

STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"
REGION = "us-east-1"
STREAM_ARN = (
    f"arn:aws:dynamodb:{REGION}:123456789012:table/sentiment-items-primary"
    "/stream/2025-11-16T00:00:00.000"
)
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


@dataclass(frozen=True, slots=True)
class Source:
    """One primary item of the simulated table: its key, first image, and fan-out members.

    ``members`` are the ones its versions may have, each small enough that every key derived
    from it fits DynamoDB.
    """

    keys: Image
    image: Image
    members: tuple[str, ...]


class Schema(Protocol):
    """What a simulated primary table needs to know of the items it holds."""

    def sources(self, draw: st.DrawFn, count: int) -> list[Source]:
        """``count`` sources with distinct keys (fewer only if the key space is that small)."""
        ...

    def version(self, draw: st.DrawFn, source: Source) -> Image:
        """A new image of ``source``: same key, other values; a fresh dict."""
        ...

    def checked(self, image: Image) -> None:
        """Make ``image`` one the projection validates (shown): a malformed one is then bad."""
        ...

    def malformation(self, draw: st.DrawFn) -> tuple[str, Malform]:
        """A kind of malformation, named, and what applies it to a record."""
        ...


def record(  # noqa: PLR0913 - the parts of a record, by name
    name: str,
    sequence: int,
    created: int,
    keys: Image,
    *,
    new: Image | None = None,
    old: Image | None = None,
    ttl: bool = False,
) -> Record:
    """A stream record as Lambda delivers it, made of copies: its dicts are its own."""
    body: dict[str, Any] = {"ApproximateCreationDateTime": created, "Keys": copy.deepcopy(keys)}
    if new is not None:
        body["NewImage"] = copy.deepcopy(new)
    if old is not None:
        body["OldImage"] = copy.deepcopy(old)
    body["SequenceNumber"] = str(sequence)
    body["SizeBytes"] = len(json.dumps([keys, new, old], ensure_ascii=False).encode())
    body["StreamViewType"] = STREAM_VIEW_TYPE
    raw: Record = {
        "eventID": hashlib.blake2b(body["SequenceNumber"].encode(), digest_size=16).hexdigest(),
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": body,
        "eventSourceARN": STREAM_ARN,
    }
    if ttl:
        raw["userIdentity"] = dict(TTL_IDENTITY)
    return raw
