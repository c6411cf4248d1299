"""Settings are checked up front: at cold start, not on the first record that needs them."""

from __future__ import annotations

from datetime import datetime

import pytest

from dashboard_projection import (
    ConfigurationError,
    DashboardProjection,
    InMemorySink,
    process_stream_event,
)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ttl_days": 0}, "ttl_days"),
        ({"max_tags": -1}, "max_tags"),
        ({"ttl_days": 1.5}, "ttl_days"),
    ],
)
def test_a_bad_setting_fails_when_the_projection_is_built(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        DashboardProjection(**options)  # type: ignore[arg-type]


def test_a_naive_clock_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        process_stream_event(
            {"Records": []},
            InMemorySink(("day_partition", "item_key")),
            now=datetime(2025, 11, 16),  # noqa: DTZ001 - naive on purpose
        )
