"""Projection: day partition, combined key, TTL, and the dashboard items of a primary item."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, target
from hypothesis import strategies as st

from dashboard_projection import (
    DEFAULT_TTL_DAYS,
    ConfigurationError,
    DashboardItem,
    InvalidInputError,
    PrimaryItem,
    combined_key,
    dashboard_table_spec,
    day_partition,
    deserialize_image,
    expires_at,
    project,
    serialize_item,
)
from dashboard_projection.testing import primary_items
from hypothesis_profile import PROPERTY

NOW = datetime(2025, 11, 16, 14, 30, tzinfo=UTC)
SEED = PrimaryItem(
    source_id="newsapi#bbc-news-ai-regulation-2025-11-16",
    ingested_at="2025-11-16T14:30:15.000Z",
    sentiment="neutral",
    score=Decimal("0.72"),
    matched_tags=frozenset({"AI", "regulation", "europe"}),
    source_type="newsapi",
    source_url="https://www.bbc.com/news/technology-12345678",
    text_snippet="European Union announces sweeping AI regulation...",
    status="analyzed",
)
SENTIMENTS = st.sampled_from(["positive", "neutral", "negative"])
AWARE_NOWS = st.datetimes(
    min_value=datetime(1971, 1, 1),  # noqa: DTZ001 - Hypothesis wants naive bounds
    max_value=datetime(9000, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=14))]),
)

# --- day_partition ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ingested_at", "day"),
    [
        ("2025-11-16T14:30:15.000Z", "2025-11-16"),
        ("2025-11-16T23:30:00-05:00", "2025-11-17"),  # the seed's ingested_at[:10] said the 16th
        ("2025-11-17T01:00:00+05:30", "2025-11-16"),
        ("2025-11-16T00:00:00Z", "2025-11-16"),
        ("2025-11-16T23:59:59.999999999Z", "2025-11-16"),
        ("2024-12-31T20:00:00-04:00", "2025-01-01"),
    ],
)
def test_day_partition_is_the_utc_date(ingested_at: str, day: str) -> None:
    assert day_partition(ingested_at) == day


def test_day_partition_takes_an_aware_datetime() -> None:
    moment = datetime(2025, 11, 16, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert day_partition(moment) == "2025-11-17"


@pytest.mark.parametrize("ingested_at", ["2025-11-16T14:30:15", "2025-11-16", "soon", ""])
def test_day_partition_needs_an_instant_with_a_timezone(ingested_at: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        day_partition(ingested_at)
    assert caught.value.path == "ingested_at"


def test_day_partition_rejects_a_naive_datetime() -> None:
    with pytest.raises(InvalidInputError, match="naive"):
        day_partition(datetime(2025, 11, 16, 14, 30))  # noqa: DTZ001 - the point of the test


def test_day_partition_rejects_a_datetime_past_year_9999_in_utc() -> None:
    # Once an OverflowError, outside the package's error hierarchy.
    with pytest.raises(InvalidInputError):
        day_partition(datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))))


SPELLING = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)")
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def utc_day(ingested_at: str) -> str:
    """The UTC date by arithmetic on the spelled fields: no parsing library, no time zones."""
    match = SPELLING.fullmatch(ingested_at)
    assert match, f"primary_items() spelled an instant unexpectedly: {ingested_at!r}"
    *fields, zone = match.groups()
    year, month, day, hour, minute, second = map(int, fields)
    offset_minutes = (
        0 if zone == "Z" else int(zone[0] + "1") * (int(zone[1:3]) * 60 + int(zone[4:]))
    )
    seconds = calendar.timegm((year, month, day, hour, minute, second)) - offset_minutes * 60
    return date.fromordinal(EPOCH_ORDINAL + seconds // 86_400).isoformat()


@PROPERTY
@given(primary_items(max_tags=0))
def test_day_partition_agrees_with_arithmetic(item: PrimaryItem) -> None:
    expected = utc_day(item.ingested_at)
    assert day_partition(item.ingested_at) == expected
    assert day_partition(item.ingested_instant) == expected
    assert project(item, now=NOW)[0].day_partition == expected


# --- combined_key -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "key"),
    [
        (Decimal("0.72"), "neutral#0.72"),
        (Decimal("0.265"), "neutral#0.27"),
        (Decimal("0.125"), "neutral#0.13"),  # the seed's f"{0.125:.2f}" gives 0.12 (half-even)
        (Decimal("0.285"), "neutral#0.29"),  # the seed's f"{0.285:.2f}" gives 0.28 (binary float)
        (Decimal("0.005"), "neutral#0.01"),
        (Decimal("0.00499999999999999999999999999999999999"), "neutral#0.00"),
        (Decimal("0.995"), "neutral#1.00"),
        (Decimal(0), "neutral#0.00"),
        (Decimal("-0"), "neutral#0.00"),
        (Decimal("1E-130"), "neutral#0.00"),
        (Decimal(1), "neutral#1.00"),
        (1, "neutral#1.00"),
    ],
)
def test_combined_key_rounds_half_up_to_two_decimals(score: Decimal | int, key: str) -> None:
    assert combined_key("neutral", score) == key


@pytest.mark.parametrize(
    "score",
    [
        Decimal("1.01"),
        Decimal("-0.01"),
        0.5,
        True,
        Decimal("Infinity"),
        Decimal("NaN"),  # once a decimal.InvalidOperation
    ],
)
def test_combined_key_rejects(score: Decimal) -> None:
    # Any category is fine (the sentiment query checks sentiments); the value must be in range.
    with pytest.raises(InvalidInputError) as caught:
        combined_key("neutral", score)
    assert caught.value.path == "value"


UNIT_SCORES = st.decimals(min_value=0, max_value=1, allow_nan=False, allow_infinity=False)


@PROPERTY
@given(SENTIMENTS, UNIT_SCORES, UNIT_SCORES)
def test_combined_key_order_is_score_order(sentiment: str, a: Decimal, b: Decimal) -> None:
    low, high = sorted([a, b])
    assert combined_key(sentiment, low) <= combined_key(sentiment, high)
    assert re.fullmatch(rf"{sentiment}#[01]\.\d\d", combined_key(sentiment, a))


@PROPERTY
@given(SENTIMENTS, UNIT_SCORES, UNIT_SCORES)
def test_distinct_combined_keys_mean_distinct_scores(
    sentiment: str, a: Decimal, b: Decimal
) -> None:
    if combined_key(sentiment, a) < combined_key(sentiment, b):
        assert a < b


# --- expires_at -------------------------------------------------------------------------------


def test_expires_at_is_epoch_seconds_ttl_days_after_now() -> None:
    assert expires_at(NOW) == 1_763_908_200  # 2025-11-23T14:30:00Z
    assert expires_at(NOW, 1) == 1_763_389_800
    assert DEFAULT_TTL_DAYS == 7


def test_expires_at_does_not_depend_on_the_offset_of_now() -> None:
    same_instant = NOW.astimezone(timezone(timedelta(hours=-5)))
    assert expires_at(same_instant) == expires_at(NOW)


def test_expires_at_rejects_a_naive_now() -> None:
    with pytest.raises(ConfigurationError, match="naive"):
        expires_at(datetime(2025, 11, 16, 14, 30))  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize("ttl_days", [0, -1, True, 1.5])
def test_expires_at_rejects_a_bad_ttl(ttl_days: int) -> None:
    with pytest.raises(ConfigurationError):
        expires_at(NOW, ttl_days)


# --- project ----------------------------------------------------------------------------------


def test_project_gives_the_base_item_then_one_per_tag_in_sorted_order() -> None:
    base, *tagged = project(SEED, now=NOW)
    instant = "2025-11-16T14:30:15.000000Z"
    rest = f"{instant}#2025-11-16T14:30:15.000Z#newsapi#bbc-news-ai-regulation-2025-11-16"
    assert base.item_key == f"base#{rest}"
    assert (base.tag, base.sentiment_score_combined) == (None, "neutral#0.72")
    assert [item.tag for item in tagged] == ["AI", "europe", "regulation"]
    assert [item.item_key for item in tagged] == [
        f"tag#{tag}#{rest}" for tag in ["AI", "europe", "regulation"]
    ]
    for item in (base, *tagged):
        assert (item.day_partition, item.ingested_at_utc) == ("2025-11-16", instant)
        assert (item.ingested_at, item.score, item.expires_at) == (
            SEED.ingested_at,
            SEED.score,
            1_763_908_200,
        )
        assert item.matched_tags == SEED.matched_tags
        assert item.source_url == SEED.source_url


def test_tags_are_escaped_in_keys_but_not_in_the_tag_attribute() -> None:
    item = SEED.model_copy(update={"matched_tags": frozenset({"c#", "c%23"})})
    tagged = project(item, now=NOW)[1:]
    assert [(copy.tag, copy.item_key.split("#")[1]) for copy in tagged] == [
        ("c#", "c%23"),
        ("c%23", "c%2523"),
    ]


def test_project_files_an_item_under_its_utc_day() -> None:
    late = SEED.model_copy(update={"ingested_at": "2025-11-16T23:30:00-05:00"})
    assert {item.day_partition for item in project(late, now=NOW)} == {"2025-11-17"}


def test_project_rejects_a_naive_now() -> None:
    with pytest.raises(ConfigurationError):
        project(SEED, now=datetime(2025, 11, 16))  # noqa: DTZ001 - the point of the test


@PROPERTY
@given(primary_items(), AWARE_NOWS, st.integers(1, 3650))
def test_project_never_raises_for_a_valid_item(
    item: PrimaryItem, now: datetime, ttl_days: int
) -> None:
    base, *tagged = project(item, now=now, ttl_days=ttl_days)
    assert [copy.tag for copy in tagged] == sorted(item.matched_tags)
    assert {copy.expires_at for copy in (base, *tagged)} == {expires_at(now, ttl_days)}


@PROPERTY
@given(primary_items())
def test_base_items_alone_carry_the_combined_key_and_tag_items_alone_the_tag(
    item: PrimaryItem,
) -> None:
    base, *tagged = project(item, now=NOW)
    assert base.is_base
    assert base.sentiment_score_combined == combined_key(item.sentiment, item.score)
    assert base.item_key.startswith("base#")
    for copy in tagged:
        assert not copy.is_base
        assert copy.sentiment_score_combined is None
        assert copy.tag in item.matched_tags
        assert copy.item_key.startswith("tag#")


@PROPERTY
@given(primary_items(), AWARE_NOWS)
def test_projection_is_deterministic(item: PrimaryItem, now: datetime) -> None:
    first, second = project(item, now=now), project(item, now=now)
    assert first == second
    assert [serialize_item(copy) for copy in first] == [serialize_item(copy) for copy in second]


def dashboard_keys(items: list[DashboardItem]) -> list[tuple[str, str]]:
    return [(copy.day_partition, copy.item_key) for copy in items]


@PROPERTY
@given(
    st.lists(
        primary_items(max_tags=4),
        max_size=6,
        unique_by=lambda item: (item.source_id, item.ingested_at),
    )
)
def test_distinct_items_never_share_a_dashboard_key(items: list[PrimaryItem]) -> None:
    keys = [key for item in items for key in dashboard_keys(project(item, now=NOW))]
    assert len(set(keys)) == len(keys)


UTC_INSTANTS = st.datetimes(
    min_value=datetime(2, 1, 1),  # noqa: DTZ001 - Hypothesis wants naive bounds
    max_value=datetime(9998, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@st.composite
def colliding_items(draw: st.DrawFn) -> list[PrimaryItem]:
    """Items made to collide: few source ids, few instants in many spellings, tags that escape."""
    source_ids = st.sampled_from(
        draw(st.lists(st.text("ab#%", min_size=1), min_size=1, max_size=3))
    )
    instants = st.sampled_from(draw(st.lists(UTC_INSTANTS, min_size=1, max_size=2)))
    offsets = st.sampled_from([0, -300, 330, 1439]).map(lambda minutes: timedelta(minutes=minutes))
    items = {}
    for _ in range(draw(st.integers(0, 8))):
        spelling = draw(instants).astimezone(timezone(draw(offsets))).isoformat()
        item = PrimaryItem(
            source_id=draw(source_ids),
            ingested_at=spelling.replace("+00:00", "Z") if draw(st.booleans()) else spelling,
            sentiment="neutral",
            score=Decimal("0.5"),
            matched_tags=draw(st.frozensets(st.sampled_from(["a", "a#", "a%23", "%", "#"]))),
        )
        items[item.source_id, item.ingested_at] = item  # one item per primary key
    return list(items.values())


@PROPERTY
@given(colliding_items())
def test_items_made_to_collide_never_share_a_dashboard_key(items: list[PrimaryItem]) -> None:
    keys = [key for item in items for key in dashboard_keys(project(item, now=NOW))]
    assert len(set(keys)) == len(keys)


def key_limits() -> dict[str, int]:
    """Every key attribute of the table and its indexes, with DynamoDB's limit in bytes."""
    spec = dashboard_table_spec("t")
    schemas = [spec["KeySchema"], *(index["KeySchema"] for index in spec["GlobalSecondaryIndexes"])]
    limits: dict[str, int] = {}
    for schema in schemas:
        for key in schema:
            limit = 2048 if key["KeyType"] == "HASH" else 1024
            limits[key["AttributeName"]] = min(limit, limits.get(key["AttributeName"], limit))
    return limits


@PROPERTY
@given(primary_items())
def test_every_key_attribute_fits_dynamodbs_limits(item: PrimaryItem) -> None:
    limits = key_limits()
    longest = 0
    for copy in project(item, now=NOW):
        wire = serialize_item(copy)
        for name, limit in limits.items():
            if name in wire:
                size = len(wire[name]["S"].encode())
                assert 0 < size <= limit, (name, size)
                longest = max(longest, size)
    target(float(longest), label="longest key value, in bytes")


@PROPERTY
@given(primary_items())
def test_serialized_items_decode_to_their_values(item: PrimaryItem) -> None:
    for copy in project(item, now=NOW):
        decoded = deserialize_image(serialize_item(copy))
        present = {
            name: value
            for name, value in copy.model_dump().items()
            if value not in (None, frozenset())
        }
        assert decoded == present
        assert DashboardItem.model_validate(decoded) == copy
