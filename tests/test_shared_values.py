"""The items of one clock share their repeated attribute values; no clock sees another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard_projection import ConfigurationError, expires_at, sentiment_view
from dashboard_projection._view._shared import MAX_SHARED
from hypothesis_profile import PROPERTY

START = datetime(2025, 11, 17, tzinfo=UTC)


def _image(source_id: str, tags: list[str]) -> dict[str, Any]:
    return {
        "source_id": {"S": source_id},
        "ingested_at": {"S": "2025-11-16T10:00:00Z"},
        "sentiment": {"S": "neutral"},
        "score": {"N": "0.5"},
        "status": {"S": "analyzed"},
        "matched_tags": {"SS": tags},
    }


def test_items_of_one_clock_share_values_and_another_clock_gets_its_own() -> None:
    view = sentiment_view()
    now = START
    first = view.project_image(_image("a", ["x"]), now=now)
    second = view.project_image(_image("b", ["x"]), now=now)
    assert first[1]["tag"] is second[1]["tag"]
    assert first[0]["expires_at"] is second[0]["expires_at"]
    later = view.project_image(_image("b", ["x"]), now=now + timedelta(seconds=1))
    assert later[1]["tag"] == first[1]["tag"]
    assert later[1]["tag"] is not first[1]["tag"]


@PROPERTY
@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=12))
def test_each_clock_gets_its_own_expiry_whatever_the_order(clocks: list[int]) -> None:
    """The values are looked up by the clock object: equal clocks, distinct objects, included."""
    view = sentiment_view()
    for offset in clocks:
        now = START + timedelta(hours=offset % 2, days=offset // 2)
        items = view.project_image(_image("a", ["x", "y"]), now=now)
        assert {item["expires_at"]["N"] for item in items} == {str(expires_at(now, 7))}


def test_a_clock_held_long_shares_a_bounded_number_of_values() -> None:
    view = sentiment_view()
    for index in range(MAX_SHARED // 4):  # five values each: a day, four members
        view.project_image(_image(f"s{index}", [f"t{index}-{n}" for n in range(4)]), now=START)
    shared = view._rules.shared(START)
    assert 0 < len(shared.texts) <= MAX_SHARED


def test_a_hidden_image_projects_to_a_list_of_its_own() -> None:
    view = sentiment_view()
    hidden = view.project_image(_image("a", ["x"]) | {"status": {"S": "pending"}}, now=START)
    hidden.append({"day_partition": {"S": "x"}})
    assert view.project_image(_image("b", ["x"]) | {"status": {"S": "pending"}}, now=START) == []


def test_a_clock_that_is_no_datetime_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="aware datetime, got None"):
        sentiment_view().project_image(_image("a", ["x"]), now=None)  # type: ignore[arg-type]
