"""What the codec's two directions share: DynamoDB's limits, and the signal of a malformed value.

Decoding (``_codec``) and encoding (``_encode``) walk nested values alike: a value deep inside
raises :class:`Malformed`, and each container on the way out prepends its part of the path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

#: How deep DynamoDB lets maps and lists nest.
MAX_NESTING = 32
#: Largest attribute name, in UTF-8 bytes: DynamoDB's "less than 64 KB".
MAX_NAME_BYTES = 64 * 1024 - 1


class Malformed(Exception):  # noqa: N818 - internal signal, never escapes the codec
    """Raised deep in a value; containers prepend their part of the path on the way out."""

    def __init__(self, reason: str, trail: str = "") -> None:
        self.reason = reason
        self.trail = trail

    def within(self, segment: str) -> Malformed:
        self.trail = segment + self.trail
        return self


def describe(payload: object) -> str:
    text = repr(payload)
    return f"{type(payload).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"  # noqa: PLR2004


def each(convert: Callable[[Any], Any], elements: Iterable[Any], tag: str) -> list[Any]:
    """``convert`` applied to each element; an error names the element's index.

    The index is counted as the elements go, not found again afterwards: re-converting a
    failed element at every level of a nested list would take time exponential in its depth.
    """
    converted: list[Any] = []
    append = converted.append
    try:
        for element in elements:
            append(convert(element))
    except Malformed as bad:
        raise bad.within(f".{tag}[{len(converted)}]") from None
    return converted
