"""The dashboard's rules as plain functions: day partition, combined key, TTL, and their bounds.

No pydantic here: the stream path needs these on every record without building any model.
Time enters only as the ``now`` argument, so that a replay, a test or a backfill decides it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from dashboard_projection._errors import ConfigurationError, InvalidInputError
from dashboard_projection._time import parse_instant

SENTIMENTS = ("positive", "neutral", "negative")
MIN_SCORE = Decimal(0)
MAX_SCORE = Decimal(1)
DEFAULT_TTL_DAYS = 7
#: Default cap on ``matched_tags``: each tag is one more item written per record.
DEFAULT_MAX_TAGS = 20
_SECONDS_PER_DAY = 86_400
CENT = Decimal("0.01")


def day_partition(ingested_at: datetime | str) -> str:
    """The UTC date of an instant: ``2025-11-16T23:30:00-05:00`` is ``2025-11-17``.

    The seed sliced the first ten characters of the string, which files an item under its local
    date whenever the offset is not ``Z``.

    Raises:
        InvalidInputError: ``ingested_at`` is not an instant with a timezone.
    """
    moment = _instant(ingested_at)
    try:
        return moment.astimezone(UTC).date().isoformat()
    except OverflowError:
        raise InvalidInputError(
            f"{moment.isoformat()} falls outside the years 1 to 9999 in UTC", path="ingested_at"
        ) from None


def _instant(moment: datetime | str) -> datetime:
    if isinstance(moment, datetime):
        if moment.utcoffset() is None:
            raise InvalidInputError(
                f"expected a timezone-aware datetime, got naive {moment.isoformat()}",
                path="ingested_at",
            )
        return moment
    try:
        return parse_instant(moment)
    except ValueError as exc:
        raise InvalidInputError(str(exc), path="ingested_at") from None


def combined_key(sentiment: str, score: Decimal | int) -> str:
    """``sentiment#score`` with the score rounded half-up to exactly two decimals.

    ``neutral#0.72``; ``0.265`` gives ``0.27``. Scores lie in [0, 1], so the number always has
    the form ``d.dd`` and string order equals numeric order within a sentiment: a
    ``BETWEEN 'negative#0.80' AND 'negative#1.00'`` key condition selects by score.

    Raises:
        InvalidInputError: Unknown sentiment, a score outside [0, 1], or a float score (floats
            cannot represent ``0.265`` exactly, so rounding them half-up is not well defined).
    """
    if sentiment not in SENTIMENTS:
        raise InvalidInputError(
            f"expected one of {', '.join(SENTIMENTS)}, got {sentiment!r}", path="sentiment"
        )
    if not isinstance(score, Decimal | int) or isinstance(score, bool):
        raise InvalidInputError(f"expected a Decimal, got {type(score).__name__}", path="score")
    if isinstance(score, Decimal) and not score.is_finite():
        raise InvalidInputError(f"expected a finite score in [0, 1], got {score}", path="score")
    if not MIN_SCORE <= score <= MAX_SCORE:
        raise InvalidInputError(f"expected a score in [0, 1], got {score}", path="score")
    cents = Decimal(score).quantize(CENT, rounding=ROUND_HALF_UP).copy_abs()  # no "-0.00"
    return f"{sentiment}#{cents}"


def expires_at(now: datetime, ttl_days: int = DEFAULT_TTL_DAYS) -> int:
    """The TTL attribute: epoch seconds ``ttl_days`` after ``now``.

    The seed used ``datetime.utcnow()``, a naive datetime that ``.timestamp()`` reads as *local*
    time, so on any host not set to UTC items expired hours early or late.

    Raises:
        ConfigurationError: ``now`` is naive, or ``ttl_days`` is not a positive whole number.
    """
    if now.utcoffset() is None:
        raise ConfigurationError(f"expected a timezone-aware now, got naive {now.isoformat()}")
    if isinstance(ttl_days, bool) or not isinstance(ttl_days, int) or ttl_days < 1:
        raise ConfigurationError(f"expected ttl_days to be a positive integer, got {ttl_days!r}")
    return int(now.timestamp()) + ttl_days * _SECONDS_PER_DAY
