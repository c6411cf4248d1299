"""``Backoff``: full jitter, doubling up to a ceiling, never waiting past the deadline."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from dashboard_projection._engine._backoff import Backoff


@given(attempts=st.integers(1, 3000), jitter=st.floats(0, 1, exclude_max=True))
def test_a_wait_is_the_jitter_of_a_doubling_capped_delay(attempts: int, jitter: float) -> None:
    waits: list[float] = []
    assert Backoff(0.05, 2.0, sleep=waits.append, rng=lambda: jitter).wait(attempts, None)
    assert waits == [jitter * min(2.0, 0.05 * 2.0 ** min(attempts - 1, 1000))]


def test_no_wait_starts_that_would_end_past_the_deadline() -> None:
    waits: list[float] = []
    backoff = Backoff(1.0, 1.0, sleep=waits.append, rng=lambda: 0.5)
    assert not backoff.wait(1, time.monotonic() + 0.1)
    assert waits == []
    assert backoff.wait(1, time.monotonic() + 60)
    assert waits == [0.5]
