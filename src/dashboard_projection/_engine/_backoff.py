"""Exponential backoff with full jitter, bounded by a deadline: every retry loop's wait.

Before retry ``n + 1``, sleep ``rng() * min(max_delay, base_delay * 2**(n - 1))`` seconds
(AWS Architecture Blog, "Exponential Backoff And Jitter": full jitter spreads the retries of
many clients that failed together). A wait that would end past the deadline is not started.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

_MAX_DOUBLINGS = 1000  # beyond this 2.0**n overflows; the delay is long capped by then
#: Seconds no single wait exceeds unless told otherwise: the sink's and the counters' default.
DEFAULT_MAX_DELAY = 2.0


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long to wait before a retry.

    Attributes:
        base_delay: Seconds the backoff starts from.
        max_delay: Seconds no single wait exceeds.
        sleep: Waits that many seconds; tests inject a no-op.
        rng: Returns a float in [0, 1) that scales each wait (the jitter).
    """

    base_delay: float
    max_delay: float
    sleep: Callable[[float], None] = time.sleep
    rng: Callable[[], float] = random.random

    def wait(self, attempts: int, deadline: float | None) -> bool:
        """Sleep before attempt ``attempts + 1``; ``False``, without sleeping, past ``deadline``.

        ``deadline`` is a ``time.monotonic()`` value, or ``None`` for none.
        """
        ceiling = self.base_delay * 2.0 ** min(attempts - 1, _MAX_DOUBLINGS)
        delay = self.rng() * min(self.max_delay, ceiling)
        if deadline is not None and time.monotonic() + delay >= deadline:
            return False
        self.sleep(delay)
        return True
