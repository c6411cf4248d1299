"""What every benchmark shares: rounds in alternating order, ratios, and the table's rows."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Row:
    """One line of the table; ``numbers`` holds the raw measurements for the JSON report."""

    name: str
    baseline: str
    candidate: str
    target: str
    verdict: str  # PASS, FAIL, info, or ERROR: ... (a failed correctness check)
    best: float | None = None
    median: float | None = None
    numbers: dict[str, Any] = field(default_factory=dict)


def alternating(names: Sequence[str], rounds: int) -> Iterator[str]:
    """Each name once per round, in reverse order every other round.

    Alternating spreads the slow spells of a shared machine over all contenders alike.
    """
    for round_ in range(rounds):
        yield from (names if round_ % 2 == 0 else reversed(names))


def interleave(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Seconds per call of each function, one call each per round, in alternating order.

    The garbage collector stays on (a real invocation pays for it too), but every call starts
    with a clean slate, so that no call pays for the garbage of the one before.
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    for name in alternating(list(runs), rounds):
        gc.collect()
        start = time.perf_counter()
        runs[name]()
        times[name].append(time.perf_counter() - start)
    return times


def ratios(numerator: list[float], denominator: list[float]) -> tuple[float, float]:
    """(best over best, median of the per-round ratios), per-round ratios pairing neighbours."""
    per_round = [n / d for n, d in zip(numerator, denominator, strict=True)]
    return min(numerator) / min(denominator), statistics.median(per_round)


def rate(count: int, seconds: list[float], unit: str) -> str:
    """``count`` things per second, at the best round's pace."""
    return f"{count / min(seconds):,.0f} {unit}/s"
