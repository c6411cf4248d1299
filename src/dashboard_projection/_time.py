"""Instants: parsing ``ingested_at`` strictly, and writing UTC instants that sort as strings."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant that states its offset (``Z`` or ``±hh:mm``).

    Raises:
        ValueError: ``text`` is not ISO-8601, has no offset, or cannot be expressed in UTC.
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected an ISO-8601 instant such as 2025-11-16T14:30:15Z, got {text!r}") from None
    if moment.utcoffset() is None:
        raise ValueError(f"expected an instant with a timezone (Z or +hh:mm), got {text!r}")
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text!r} falls outside the years 1 to 9999 in UTC") from None
    return moment


def utc_instant(moment: datetime) -> str:
    """``moment`` in UTC, fixed width with microseconds, so that such strings sort as instants.

    >>> utc_instant(parse_instant("2025-11-16T23:30:00-05:00"))
    '2025-11-17T04:30:00.000000Z'
    """
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"
