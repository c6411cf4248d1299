"""The one settings profile every property test uses: ``@PROPERTY`` above ``@given``."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

#: Enough examples to find edge cases, no per-example deadline (CI machines stall), and no
#: complaint about slow generation: items near the key size limits are large on purpose.
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
