"""Pure projection: a primary item to its dashboard items. No clock, no I/O.

Time enters only as the ``now`` argument, so that a replay, a test or a backfill decides it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from dashboard_projection._errors import ConfigurationError, InvalidInputError
from dashboard_projection._keys import base_item_key, tag_item_key
from dashboard_projection._models import DashboardItem, PrimaryItem
from dashboard_projection._time import parse_instant, utc_instant

SENTIMENTS = ("positive", "neutral", "negative")
MIN_SCORE = Decimal(0)
MAX_SCORE = Decimal(1)
DEFAULT_TTL_DAYS = 7
_SECONDS_PER_DAY = 86_400
_CENT = Decimal("0.01")


def day_partition(ingested_at: datetime | str) -> str:
    """The UTC date of an instant: ``2025-11-16T23:30:00-05:00`` is ``2025-11-17``.

    The seed sliced the first ten characters of the string, which files an item under its local
    date whenever the offset is not ``Z``.

    Raises:
        InvalidInputError: ``ingested_at`` is not an instant with a timezone.
    """
    moment = _instant(ingested_at)
    return moment.astimezone(UTC).date().isoformat()


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
    if not MIN_SCORE <= score <= MAX_SCORE:
        raise InvalidInputError(f"expected a score in [0, 1], got {score}", path="score")
    cents = Decimal(score).quantize(_CENT, rounding=ROUND_HALF_UP).copy_abs()  # no "-0.00"
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


def base_item(item: PrimaryItem, *, expires: int) -> DashboardItem:
    """The source item's base item, which carries ``sentiment_score_combined``."""
    instant = utc_instant(item.ingested_instant)
    return DashboardItem.model_construct(  # the inputs are validated; skip validating again
        day_partition=instant[:10],
        item_key=base_item_key(instant, item.ingested_at, item.source_id),
        source_id=item.source_id,
        ingested_at=item.ingested_at,
        ingested_at_utc=instant,
        sentiment=item.sentiment,
        score=item.score,
        expires_at=expires,
        sentiment_score_combined=combined_key(item.sentiment, item.score),
        tag=None,
        matched_tags=item.matched_tags,
        source_type=item.source_type,
        source_url=item.source_url,
        text_snippet=item.text_snippet,
    )


def fan_out(base: DashboardItem) -> list[DashboardItem]:
    """One copy of ``base`` per matched tag, in sorted tag order.

    A copy carries ``tag`` (the ``by_tag`` index key) and no ``sentiment_score_combined``, so it
    appears in ``by_tag`` only, and a query by day selects base items by the ``base#`` key prefix.
    """
    return [
        base.model_copy(
            update={
                "item_key": tag_item_key(
                    tag, base.ingested_at_utc, base.ingested_at, base.source_id
                ),
                "tag": tag,
                "sentiment_score_combined": None,
            }
        )
        for tag in sorted(base.matched_tags)
    ]


def project(
    item: PrimaryItem, *, now: datetime, ttl_days: int = DEFAULT_TTL_DAYS
) -> list[DashboardItem]:
    """Every dashboard item of ``item``: its base item first, then one per tag in sorted order.

    Whether to project at all (``status``, event type) is the caller's decision; this function
    projects whatever valid item it is given and never raises for one.
    """
    base = base_item(item, expires=expires_at(now, ttl_days))
    return [base, *fan_out(base)]
