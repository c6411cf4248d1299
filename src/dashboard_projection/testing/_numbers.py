"""Field constraints, and numbers drawn within them in DynamoDB's varied spellings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from pydantic.fields import FieldInfo

from dashboard_projection.testing._values import MAX_DIGITS, Value, draw_spelling

#: Draws one attribute value; ``None`` leaves the attribute out.
Drawer = Callable[[st.DrawFn], Value | None]
_BOUNDS = ("ge", "gt", "le", "lt")
_UNSUPPORTED = ("pattern", "multiple_of")
_DEFAULT_PLACES = 4


@dataclass(frozen=True, slots=True)
class Constraints:
    """The constraints of a field that a drawn value must meet (pydantic's, annotated-types')."""

    ge: Decimal | None = None
    gt: Decimal | None = None
    le: Decimal | None = None
    lt: Decimal | None = None
    min_length: int = 0
    max_length: int | None = None
    max_digits: int | None = None
    decimal_places: int | None = None
    unsupported: tuple[str, ...] = field(default=())

    def merged(self, metadata: Iterable[object]) -> Constraints:
        """These constraints and those in ``metadata`` (FieldInfo or annotated-types objects)."""
        found: dict[str, Any] = {}
        unsupported = list(self.unsupported)
        for meta in _flat(metadata):
            for name in (*_BOUNDS, "min_length", "max_length", "max_digits", "decimal_places"):
                value = getattr(meta, name, None)
                if value is not None:
                    found[name] = Decimal(value) if name in _BOUNDS else int(value)
            unsupported += [name for name in _UNSUPPORTED if getattr(meta, name, None) is not None]
        return replace(self, **found, unsupported=tuple(unsupported))


def _flat(metadata: Iterable[object]) -> Iterator[object]:
    for meta in metadata:
        if isinstance(meta, FieldInfo):
            yield from _flat(meta.metadata)
        else:
            yield meta


def numbers(constraints: Constraints, *, integer: bool, max_places: int | None = None) -> Drawer:
    """Numbers within the bounds, rounded to some places, bounds themselves often, respelled.

    Raises:
        InvalidArgument: No number with the allowed places lies within the bounds.
    """
    places = 0 if integer else constraints.decimal_places
    top = _DEFAULT_PLACES if places is None else places
    top = top if max_places is None else min(top, max_places)
    by_places = {}
    for count in range(top + 1):
        low, high = _scaled_range(constraints, count)
        if low <= high:
            by_places[count] = st.sampled_from([low, high]) | st.integers(low, high)
    if not by_places:
        raise InvalidArgument(f"no number with at most {top} places meets {constraints}")
    counts = st.sampled_from(sorted(by_places))

    def draw_number(draw: st.DrawFn) -> Value:
        count = draw(counts)
        return {"N": draw_spelling(draw, Decimal(f"{draw(by_places[count])}E-{count}"))}

    return draw_number


def _scaled_range(constraints: Constraints, places: int) -> tuple[int, int]:
    """The integers ``n`` such that ``n * 10**-places`` meets the constraints."""
    whole = MAX_DIGITS if constraints.max_digits is None else constraints.max_digits
    whole -= constraints.decimal_places or 0
    widest = 10 ** min(whole + places, MAX_DIGITS) - 1
    low, high = -widest, widest
    scale = Decimal(10) ** places
    if constraints.ge is not None:
        low = max(low, int((constraints.ge * scale).to_integral_value(ROUND_CEILING)))
    if constraints.gt is not None:
        low = max(low, int((constraints.gt * scale).to_integral_value(ROUND_FLOOR)) + 1)
    if constraints.le is not None:
        high = min(high, int((constraints.le * scale).to_integral_value(ROUND_FLOOR)))
    if constraints.lt is not None:
        high = min(high, int((constraints.lt * scale).to_integral_value(ROUND_CEILING)) - 1)
    return low, high


def number_set(drawn: list[Value | None]) -> Value:
    """An NS of the numbers drawn, each once (the first spelling of a number stays)."""
    unique: dict[Decimal, str] = {}
    for value in drawn:
        if value is not None:
            unique.setdefault(Decimal(value["N"]), value["N"])  # "1" and "1.0" are one number
    return {"NS": list(unique.values())}
