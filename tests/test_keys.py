"""The key design as code: the table definition, TTL, key escaping, and the four queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard_projection import (
    DashboardItem,
    InvalidInputError,
    PrimaryItem,
    combined_key,
    dashboard_table_spec,
    project,
    query_by_day,
    query_by_sentiment,
    query_by_tag,
    query_by_time_range,
    ttl_spec,
)
from dashboard_projection._view._rules import escape
from hypothesis_profile import PROPERTY

NOW = datetime(2025, 11, 16, 14, 30, tzinfo=UTC)
EST = timezone(timedelta(hours=-5))
DAY = date(2025, 11, 16)


def item_at(ingested_at: str, *tags: str, score: str = "0.5") -> PrimaryItem:
    return PrimaryItem(
        source_id="newsapi#x",
        ingested_at=ingested_at,
        sentiment="negative",
        score=Decimal(score),
        matched_tags=frozenset(tags),
    )


def values(query: dict[str, Any]) -> dict[str, str]:
    """A query's expression attribute values, unwrapped from ``{"S": ...}``."""
    return {name: value["S"] for name, value in query["ExpressionAttributeValues"].items()}


# --- the table --------------------------------------------------------------------------------


def test_table_spec() -> None:
    def keys(hash_key: str, range_key: str) -> list[dict[str, str]]:
        return [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ]

    spec = dashboard_table_spec("t")
    assert spec == {
        "TableName": "t",
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": keys("day_partition", "item_key"),
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in (
                "day_partition",
                "item_key",
                "tag",
                "ingested_at_utc",
                "sentiment_score_combined",
            )
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by_tag",
                "KeySchema": keys("tag", "ingested_at_utc"),
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "by_sentiment_score",
                "KeySchema": keys("day_partition", "sentiment_score_combined"),
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
    }


def test_attribute_definitions_cover_exactly_the_key_attributes() -> None:
    spec = dashboard_table_spec("t")
    schemas = [spec["KeySchema"], *(index["KeySchema"] for index in spec["GlobalSecondaryIndexes"])]
    used = {key["AttributeName"] for schema in schemas for key in schema}
    defined = [definition["AttributeName"] for definition in spec["AttributeDefinitions"]]
    assert sorted(defined) == sorted(used)
    assert used <= set(DashboardItem.model_fields)


def test_billing_mode_is_an_option() -> None:
    assert dashboard_table_spec("t", billing_mode="PROVISIONED")["BillingMode"] == "PROVISIONED"


def test_ttl_spec_expires_on_expires_at() -> None:
    assert ttl_spec("t") == {
        "TableName": "t",
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires_at"},
    }
    assert "expires_at" in DashboardItem.model_fields


# --- key escaping -----------------------------------------------------------------------------


@PROPERTY
@given(st.text("#%23a"), st.text("#%23a"))
def test_escaping_removes_hashes_and_is_one_to_one(a: str, b: str) -> None:
    assert "#" not in escape(a)
    assert (escape(a) == escape(b)) == (a == b)


# --- query_by_day -----------------------------------------------------------------------------


def test_query_by_day_selects_base_items_by_key_prefix() -> None:
    assert query_by_day("t", DAY) == {
        "TableName": "t",
        "KeyConditionExpression": "#pk = :day AND begins_with(#sk, :base)",
        "ExpressionAttributeNames": {"#pk": "day_partition", "#sk": "item_key"},
        "ExpressionAttributeValues": {":day": {"S": "2025-11-16"}, ":base": {"S": "base#"}},
    }
    base, *tagged = project(item_at("2025-11-16T14:30:15Z", "AI", "base"), now=NOW)
    prefix = values(query_by_day("t", DAY))[":base"]
    assert base.item_key.startswith(prefix)
    assert not any(copy.item_key.startswith(prefix) for copy in tagged)


def test_query_by_day_takes_a_datetime_as_its_utc_date() -> None:
    late_evening = datetime(2025, 11, 16, 23, 30, tzinfo=EST)
    assert values(query_by_day("t", late_evening))[":day"] == "2025-11-17"


def test_query_by_day_rejects_a_naive_datetime() -> None:
    with pytest.raises(InvalidInputError):
        query_by_day("t", datetime(2025, 11, 16, 23, 30))  # noqa: DTZ001 - the point of the test


# --- query_by_time_range ----------------------------------------------------------------------


def test_query_by_time_range() -> None:
    start, end = datetime(2025, 11, 16, 9, tzinfo=UTC), datetime(2025, 11, 16, 17, tzinfo=UTC)
    assert query_by_time_range("t", start, end) == {
        "TableName": "t",
        "KeyConditionExpression": "#pk = :day AND #sk BETWEEN :start AND :end",
        "ExpressionAttributeNames": {"#pk": "day_partition", "#sk": "item_key"},
        "ExpressionAttributeValues": {
            ":day": {"S": "2025-11-16"},
            ":start": {"S": "base#2025-11-16T09:00:00.000000Z"},
            ":end": {"S": "base#2025-11-16T17:00:00.000000Z"},
        },
    }


def test_query_by_time_range_uses_the_utc_day() -> None:
    start, end = datetime(2025, 11, 16, 20, tzinfo=EST), datetime(2025, 11, 16, 22, tzinfo=EST)
    assert values(query_by_time_range("t", start, end)) == {
        ":day": "2025-11-17",
        ":start": "base#2025-11-17T01:00:00.000000Z",
        ":end": "base#2025-11-17T03:00:00.000000Z",
    }


def test_query_by_time_range_may_end_at_the_next_midnight() -> None:
    start, end = datetime(2025, 11, 16, tzinfo=UTC), datetime(2025, 11, 17, tzinfo=UTC)
    assert values(query_by_time_range("t", start, end))[":day"] == "2025-11-16"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2025, 11, 16, 23, tzinfo=UTC), datetime(2025, 11, 17, 1, tzinfo=UTC)),
        (datetime(2025, 11, 16, 12, tzinfo=UTC), datetime(2025, 11, 16, 12, tzinfo=UTC)),
        (datetime(2025, 11, 16, 13, tzinfo=UTC), datetime(2025, 11, 16, 12, tzinfo=UTC)),
        (datetime(2025, 11, 16, 18, tzinfo=EST), datetime(2025, 11, 16, 20, tzinfo=EST)),
        (datetime(2025, 11, 16, 9), datetime(2025, 11, 16, 10)),  # noqa: DTZ001 - naive
        # BUG: an aware start and a naive end raise TypeError, from comparing them.
        (datetime(2025, 11, 16, 9, tzinfo=UTC), datetime(2025, 11, 16, 10)),  # noqa: DTZ001
    ],
    ids=["spans two days", "empty", "reversed", "spans two UTC days", "naive", "half naive"],
)
def test_query_by_time_range_rejects(start: datetime, end: datetime) -> None:
    with pytest.raises(InvalidInputError):
        query_by_time_range("t", start, end)


MICROS_PER_DAY = 86_400 * 10**6
ZONES = st.sampled_from([UTC, EST, timezone(timedelta(hours=5, minutes=30))])


@PROPERTY
@given(st.data())
def test_query_by_time_range_selects_the_half_open_range(data: st.DataObject) -> None:
    """Simulate the key condition on a base item's key: selected iff ``start <= instant < end``."""
    day = data.draw(st.dates(min_value=date(1900, 1, 2), max_value=date(9000, 1, 1)))
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    low, high = sorted(
        data.draw(st.lists(st.integers(0, MICROS_PER_DAY), min_size=2, max_size=2, unique=True))
    )
    edges = st.sampled_from([low, high, low - 1, high - 1])  # the boundaries, both sides
    micros = data.draw(edges | st.integers(-1, MICROS_PER_DAY))
    start, end, instant = (midnight + timedelta(microseconds=us) for us in (low, high, micros))
    spelled = instant.astimezone(data.draw(ZONES)).isoformat()
    base = project(item_at(spelled), now=NOW)[0]
    query = values(
        query_by_time_range(
            "t", start.astimezone(data.draw(ZONES)), end.astimezone(data.draw(ZONES))
        )
    )
    selected = (
        base.day_partition == query[":day"] and query[":start"] <= base.item_key <= query[":end"]
    )
    assert selected == (start <= instant < end)


# --- query_by_tag -----------------------------------------------------------------------------


def test_query_by_tag_uses_the_tag_index_and_the_unescaped_tag() -> None:
    assert query_by_tag("t", "a#b") == {
        "TableName": "t",
        "KeyConditionExpression": "#member = :member",
        "ExpressionAttributeNames": {"#member": "tag"},
        "ExpressionAttributeValues": {":member": {"S": "a#b"}},
        "IndexName": "by_tag",
    }
    tagged = project(item_at("2025-11-16T14:30:15Z", "a#b"), now=NOW)[1]
    assert tagged.tag == values(query_by_tag("t", "a#b"))[":member"]


# --- query_by_sentiment -----------------------------------------------------------------------


def test_query_by_sentiment_spans_all_scores_by_default() -> None:
    assert query_by_sentiment("t", DAY, "negative") == {
        "TableName": "t",
        "KeyConditionExpression": "#pk = :day AND #combined BETWEEN :low AND :high",
        "ExpressionAttributeNames": {
            "#pk": "day_partition",
            "#combined": "sentiment_score_combined",
        },
        "ExpressionAttributeValues": {
            ":day": {"S": "2025-11-16"},
            ":low": {"S": "negative#0.00"},
            ":high": {"S": "negative#1.00"},
        },
        "IndexName": "by_sentiment_score",
    }


def test_query_by_sentiment_bounds_are_combined_keys() -> None:
    query = query_by_sentiment("t", DAY, "positive", Decimal("0.8"), Decimal("0.925"))
    assert values(query) == {
        ":day": "2025-11-16",
        ":low": "positive#0.80",
        ":high": "positive#0.93",
    }


def test_query_by_sentiment_takes_a_datetime_as_its_utc_date() -> None:
    late_evening = datetime(2025, 11, 16, 23, 30, tzinfo=EST)
    assert values(query_by_sentiment("t", late_evening, "neutral"))[":day"] == "2025-11-17"


@pytest.mark.parametrize(
    ("sentiment", "low", "high"),
    [
        ("happy", Decimal(0), Decimal(1)),
        ("neutral", Decimal(-1), Decimal(1)),
        ("neutral", Decimal(0), Decimal(2)),
    ],
)
def test_query_by_sentiment_rejects(sentiment: str, low: Decimal, high: Decimal) -> None:
    with pytest.raises(InvalidInputError):
        query_by_sentiment("t", DAY, sentiment, low, high)


def cents(score: Decimal) -> Decimal:
    return score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


SCORES = st.decimals(min_value=0, max_value=1, places=4)


@PROPERTY
@given(SCORES, SCORES, SCORES)
def test_query_by_sentiment_selects_by_rounded_score(
    score: Decimal, a: Decimal, b: Decimal
) -> None:
    low, high = sorted([a, b])
    base = project(item_at("2025-11-16T14:30:15Z", score=str(score)), now=NOW)[0]
    query = values(query_by_sentiment("t", DAY, "negative", low, high))
    assert base.sentiment_score_combined == combined_key("negative", score)
    selected = query[":low"] <= base.sentiment_score_combined <= query[":high"]
    assert selected == (cents(low) <= cents(score) <= cents(high))
