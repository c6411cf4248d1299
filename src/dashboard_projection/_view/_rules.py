"""The dashboard's rules as plain functions: day partition, combined key, TTL, and their bounds.

No pydantic here: the stream path needs these on every record without building any model.
Time enters only as the ``now`` argument, so that a replay, a test or a backfill decides it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache

from dashboard_projection._errors import ConfigurationError, InvalidInputError
from dashboard_projection._view._time import parse_instant

SENTIMENTS = ("positive", "neutral", "negative")
MIN_SCORE = Decimal(0)
MAX_SCORE = Decimal(1)
DEFAULT_TTL_DAYS = 7
#: Default cap on ``matched_tags``: each tag is one more item written per record.
DEFAULT_MAX_TAGS = 20
_SECONDS_PER_DAY = 86_400
_MAX_DIGITS = 38  # DynamoDB numbers: 38 significant digits
_MAX_PLACES = 30
_WIDE = Context(prec=80)  # exact for every number a combined key may hold


def escape(component: str) -> str:
    """Make ``component`` safe to join with ``#``: no ``#`` left, and the mapping is one-to-one."""
    if "#" not in component and "%" not in component:
        return component
    return component.replace("%", "%25").replace("#", "%23")


def day_partition(ingested_at: datetime | str, *, path: str = "ingested_at") -> str:
    """The UTC date of an instant: ``2025-11-16T23:30:00-05:00`` is ``2025-11-17``.

    The seed sliced the first ten characters of the string, which files an item under its local
    date whenever the offset is not ``Z``. ``path`` names the argument in errors.

    Raises:
        InvalidInputError: ``ingested_at`` is not an instant with a timezone.
    """
    moment = _instant(ingested_at, path)
    try:
        return moment.astimezone(UTC).date().isoformat()
    except OverflowError:
        raise InvalidInputError(
            f"{moment.isoformat()} falls outside the years 1 to 9999 in UTC", path=path
        ) from None


def _instant(moment: object, path: str) -> datetime:
    if isinstance(moment, datetime):
        if moment.utcoffset() is None:
            raise InvalidInputError(
                f"expected a timezone-aware datetime, got naive {moment.isoformat()}", path=path
            )
        return moment
    if not isinstance(moment, str):
        raise InvalidInputError(
            f"expected an aware datetime or ISO-8601 text, got {type(moment).__name__}", path=path
        )
    try:
        return parse_instant(moment)
    except ValueError as exc:
        raise InvalidInputError(str(exc), path=path) from None


def combined_key(
    category: str,
    value: Decimal | int,
    *,
    places: int = 2,
    min_value: Decimal | int = MIN_SCORE,
    max_value: Decimal | int = MAX_SCORE,
) -> str:
    """``category#value``: a sort key whose string order is ``value``'s numeric order.

    ``value`` is rounded half-up (away from zero on a tie) to ``places`` decimals and written
    with a fixed number of integer digits, enough for the larger bound's magnitude:
    ``combined_key("neutral", Decimal("0.72"))`` is ``neutral#0.72`` (the sentiment defaults,
    [0, 1] to cents) and ``combined_key("paid", Decimal("129.95"), max_value=99999)`` is
    ``paid#00129.95``. A negative value is written as ``-`` and the complement of its magnitude
    to ``10**digits`` (``-40.00`` in [-40, 125] is ``-960.00``): ``-`` sorts before every
    digit, and the complement makes more negative values sort first. So a ``BETWEEN`` of two
    combined keys of one category selects exactly the values within the bounds. The category is
    escaped (``%`` and ``#``, as in item keys) so that no category runs into its number.

    Raises:
        InvalidInputError: ``value`` is a float (floats cannot represent ``0.265`` exactly, so
            rounding them half-up is not well defined), not finite, or outside
            ``[min_value, max_value]``.
        ConfigurationError: ``places`` or the bounds are not valid.
    """
    fmt = number_format(places, min_value, max_value)
    return f"{escape(category)}#{fmt.encode(value)}"


class NumberFormat:
    """Fixed-width text for decimals in ``[low, high]`` whose string order is numeric order.

    Built once per declaration (:class:`CombinedKey`), used once per item.
    """

    __slots__ = ("digits", "high", "low", "modulus", "places", "quantum", "spec", "width")

    def __init__(self, places: int, low: Decimal, high: Decimal) -> None:
        """Check the bounds and derive the width; see :func:`combined_key`."""
        if (
            isinstance(places, bool)
            or not isinstance(places, int)
            or not 0 <= places <= _MAX_PLACES
        ):
            raise ConfigurationError(
                f"places must be a whole number from 0 to {_MAX_PLACES}, got {places!r}"
            )
        if not low <= high:
            raise ConfigurationError(f"expected min_value <= max_value, got {low} and {high}")
        self.places = places
        self.quantum = Decimal(1).scaleb(-places)
        self.low = low
        self.high = high
        widest = max(abs(self._round(low)), abs(self._round(high)))
        self.digits = max(len(str(int(widest))), 1)
        self.modulus = Decimal(10) ** self.digits
        self.width = self.digits + (places + 1 if places else 0)
        self.spec = f"0{self.width}f"
        if self.digits + places > _MAX_DIGITS:
            raise ConfigurationError(
                f"a range of {low} to {high} with {places} places needs {self.digits + places} "
                f"digits; DynamoDB numbers keep {_MAX_DIGITS}"
            )

    def _round(self, value: Decimal) -> Decimal:
        return value.quantize(self.quantum, ROUND_HALF_UP, _WIDE)

    def encode(self, value: Decimal | int) -> str:
        """``value`` rounded and written at the fixed width.

        Raises:
            InvalidInputError: As :func:`combined_key`.
        """
        if type(value) is not Decimal or not value.is_finite():  # a finite Decimal: no more
            _check_exact(value)
        if not self.low <= value <= self.high:
            raise InvalidInputError(
                f"expected a number in [{self.low}, {self.high}], got {value}", path="value"
            )
        exact = value if type(value) is Decimal else Decimal(value)
        rounded = exact.quantize(self.quantum, ROUND_HALF_UP, _WIDE)
        if rounded > 0:
            text = str(rounded)  # the common case: fixed-point, short of leading zeros at most
            return text.zfill(self.width) if "E" not in text else format(rounded, self.spec)
        if rounded == 0:  # "-0.00" included: zero has one spelling
            return format(rounded.copy_abs(), self.spec)
        return "-" + format(self.modulus + rounded, self.spec)


def _check_exact(value: object) -> None:
    """Refuse what :meth:`NumberFormat.encode` cannot round exactly: all but finite numbers."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise InvalidInputError(f"expected a Decimal, got {type(value).__name__}", path="value")
    if isinstance(value, Decimal) and not value.is_finite():
        raise InvalidInputError(f"expected a finite number, got {value}", path="value")


@cache
def number_format(places: int, low: Decimal | int, high: Decimal | int) -> NumberFormat:
    """The (cached) :class:`NumberFormat` of a range; bounds must be exact numbers.

    Raises:
        ConfigurationError: A bound is not an exact, finite number, or ``places`` is invalid.
    """
    bounds = []
    for name, bound in (("min_value", low), ("max_value", high)):
        if isinstance(bound, bool) or not isinstance(bound, Decimal | int):
            raise ConfigurationError(f"{name} must be a Decimal or int, got {bound!r}")
        if isinstance(bound, Decimal) and not bound.is_finite():
            raise ConfigurationError(f"{name} must be finite, got {bound}")
        bounds.append(Decimal(bound))
    return NumberFormat(places, bounds[0], bounds[1])


def expires_at(now: datetime, ttl_days: int | timedelta = DEFAULT_TTL_DAYS) -> int:
    """The TTL attribute: epoch seconds ``ttl_days`` days (or a ``timedelta``) after ``now``.

    The seed used ``datetime.utcnow()``, a naive datetime that ``.timestamp()`` reads as *local*
    time, so on any host not set to UTC items expired hours early or late. DynamoDB's TTL
    attribute is a Number of epoch seconds (DynamoDB docs, "Using time to live").

    Raises:
        ConfigurationError: ``now`` is not an aware datetime, or the TTL is not a positive
            whole number of days (or a ``timedelta`` of at least one whole second).
    """
    if not isinstance(now, datetime):
        raise ConfigurationError(f"expected now to be an aware datetime, got {now!r:.80}")
    if now.utcoffset() is None:
        raise ConfigurationError(f"expected a timezone-aware now, got naive {now.isoformat()}")
    if isinstance(ttl_days, timedelta):
        seconds = ttl_days.total_seconds()
        if seconds < 1 or ttl_days.microseconds:
            raise ConfigurationError(f"expected a TTL of whole seconds >= 1, got {ttl_days!r}")
        return int(now.timestamp()) + int(seconds)
    if isinstance(ttl_days, bool) or not isinstance(ttl_days, int) or ttl_days < 1:
        raise ConfigurationError(f"expected ttl_days to be a positive integer, got {ttl_days!r}")
    return int(now.timestamp()) + ttl_days * _SECONDS_PER_DAY
