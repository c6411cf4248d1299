"""``fan_out``: one copy per member of any set attribute, of a mapping or of any model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from dashboard_projection import DashboardItem, InvalidInputError, PrimaryItem, fan_out, project
from dashboard_projection._sentiment._keys import tag_item_key

MEMBERS = st.frozensets(st.text(max_size=12), max_size=8)


class Order(BaseModel):
    model_config = ConfigDict(frozen=True)

    order_id: str
    categories: frozenset[str] = frozenset()
    category: str | None = None


@given(members=MEMBERS, extra=st.dictionaries(st.text(max_size=5), st.integers(), max_size=4))
def test_a_mapping_gets_one_copy_per_member_in_sorted_order(
    members: frozenset[str], extra: dict[str, int]
) -> None:
    item: dict[str, Any] = {**extra, "categories": members}
    copies = fan_out(item, "categories", "category", update=lambda m: {"key": f"c#{m}"})
    assert [copy["category"] for copy in copies] == sorted(members)
    for copy in copies:
        assert copy == {**item, "category": copy["category"], "key": f"c#{copy['category']}"}
    assert item == {**extra, "categories": members}  # the item itself is left as it was


@given(members=MEMBERS)
def test_a_model_gets_model_copies(members: frozenset[str]) -> None:
    order = Order(order_id="o-1", categories=members)
    copies = fan_out(order, "categories", "category")
    assert all(type(copy) is Order for copy in copies)
    assert [copy.category for copy in copies] == sorted(members)
    assert {copy.model_copy(update={"category": None}) for copy in copies} <= {order}
    assert order.category is None


def test_the_sentiment_dashboard_item_gives_each_copy_its_own_key() -> None:
    item = PrimaryItem(
        source_id="s-1",
        ingested_at="2025-11-16T14:30:15Z",
        sentiment="neutral",
        score="0.72",
        matched_tags=frozenset({"b#", "a"}),
    )
    (base,) = [i for i in project(item, now=datetime(2025, 11, 16, tzinfo=UTC)) if i.is_base]
    copies = fan_out(base)
    assert all(type(copy) is DashboardItem for copy in copies)
    assert [(copy.tag, copy.item_key) for copy in copies] == [
        (tag, tag_item_key(tag, base.ingested_at_utc, "2025-11-16T14:30:15Z", "s-1"))
        for tag in ("a", "b#")
    ]
    assert all(copy.sentiment_score_combined is None for copy in copies)


@pytest.mark.parametrize(
    "members", [["a", "b"], "ab", {1, 2}, {"a", None}], ids=["list", "str", "ints", "None"]
)
def test_anything_but_a_set_of_strings_is_invalid_input(members: object) -> None:
    with pytest.raises(InvalidInputError, match="expected a set of strings") as raised:
        fan_out({"tags": members}, "tags")
    assert raised.value.path == "tags"


def test_an_absent_set_gives_no_copies() -> None:
    assert fan_out({"id": 1}, "tags") == []
    assert fan_out(Order(order_id="o-1"), "categories") == []
