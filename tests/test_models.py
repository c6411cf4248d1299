"""PrimaryItem and DashboardItem: what validation accepts, what it rejects, and where it says."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from dashboard_projection import (
    DEFAULT_MAX_TAGS,
    DashboardItem,
    DashboardProjectionError,
    DeserializationError,
    ItemValidationError,
    Metadata,
    PrimaryItem,
)
from dashboard_projection.testing import primary_items, stream_images
from hypothesis_profile import PROPERTY
from seed import seed_image

# The NewImage of the seed's sample event, verbatim.
SEED_IMAGE: dict[str, Any] = seed_image()


def image(**attributes: dict[str, Any]) -> dict[str, Any]:
    """The seed image with some attributes replaced (or, given ``{}``, removed)."""
    changed = SEED_IMAGE | attributes
    return {name: value for name, value in changed.items() if value}


def rejected(wire: dict[str, Any], *, max_tags: int = DEFAULT_MAX_TAGS) -> ItemValidationError:
    with pytest.raises(ItemValidationError) as caught:
        PrimaryItem.from_image(wire, max_tags=max_tags)
    return caught.value


def test_the_seed_image_decodes() -> None:
    item = PrimaryItem.from_image(SEED_IMAGE)
    assert item.source_id == "newsapi#bbc-news-ai-regulation-2025-11-16"
    assert item.ingested_at == "2025-11-16T14:30:15.000Z"
    assert item.sentiment == "neutral"
    assert item.score == Decimal("0.72")
    assert item.matched_tags == frozenset({"AI", "regulation", "europe"})
    assert item.status == "analyzed"
    assert item.model_version == "v1.0.0"
    assert item.metadata == Metadata(
        author="Jane Smith",
        title="EU Announces AI Regulation Framework",
        published_at="2025-11-16T10:00:00Z",
        source_name="BBC News",
    )


def test_only_the_four_required_attributes_are_required() -> None:
    required = {
        name: SEED_IMAGE[name] for name in ("source_id", "ingested_at", "sentiment", "score")
    }
    item = PrimaryItem.from_image(required)
    assert (item.matched_tags, item.metadata, item.status) == (frozenset(), None, None)


@pytest.mark.parametrize("name", ["source_id", "ingested_at", "sentiment", "score"])
def test_a_missing_required_attribute_is_named(name: str) -> None:
    assert rejected(image(**{name: {}})).path == f"NewImage.{name}"


def test_unknown_attributes_are_ignored() -> None:
    extra = image(shard={"N": "7"}, nested={"M": {"x": {"L": [{"NULL": True}]}}})
    assert PrimaryItem.from_image(extra) == PrimaryItem.from_image(SEED_IMAGE)


def test_malformed_json_is_a_deserialization_error_not_a_validation_error() -> None:
    with pytest.raises(DeserializationError, match=r"^NewImage\.score: "):
        PrimaryItem.from_image(image(score={"N": "NaN"}))


# --- ingested_at ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "2025-11-16T14:30:15.000Z",
        "2025-11-16T09:30:15.000-05:00",
        "2025-11-16T14:30:15Z",
        "2025-11-16T14:30:15.123456789+00:00",
        "2025-11-17T00:00:00+05:30",
    ],
)
def test_ingested_at_is_kept_byte_for_byte(spelling: str) -> None:
    assert PrimaryItem.from_image(image(ingested_at={"S": spelling})).ingested_at == spelling


@pytest.mark.parametrize(
    "spelling",
    [
        "2025-11-16T14:30:15",  # no timezone
        "2025-11-16",  # a date, not an instant
        "2025-11-16T14:30:15 UTC",
        "16/11/2025 14:30",
        "",
        "9999-12-31T23:00:00-05:00",  # past year 9999 in UTC
    ],
)
def test_ingested_at_must_be_an_instant_with_a_timezone(spelling: str) -> None:
    assert rejected(image(ingested_at={"S": spelling})).path == "NewImage.ingested_at"


def test_ingested_instant_keeps_the_offset() -> None:
    item = PrimaryItem.from_image(image(ingested_at={"S": "2025-11-16T09:30:15-05:00"}))
    assert item.ingested_instant.isoformat() == "2025-11-16T09:30:15-05:00"


# --- score and sentiment ----------------------------------------------------------------------


@pytest.mark.parametrize("score", ["0", "1", "1.000", "0.125", "-0", "1E-130"])
def test_score_accepts_decimals_in_the_unit_interval(score: str) -> None:
    assert PrimaryItem.from_image(image(score={"N": score})).score == Decimal(score)


@pytest.mark.parametrize("score", ["1.0000000001", "-0.01", "2", "1E+2"])
def test_score_outside_the_unit_interval_is_rejected(score: str) -> None:
    assert rejected(image(score={"N": score})).path == "NewImage.score"


@pytest.mark.parametrize(
    "score",
    [0.5, Decimal("NaN"), Decimal("Infinity"), Decimal("1E-200"), Decimal("0." + "1" * 39)],
    ids=["float", "NaN", "Infinity", "below DynamoDB's range", "39 digits"],
)
def test_score_must_be_a_decimal_dynamodb_can_store(score: object) -> None:
    fields = PrimaryItem.from_image(SEED_IMAGE).model_dump()
    with pytest.raises(ItemValidationError) as caught:
        PrimaryItem.model_validate(fields | {"score": score})
    assert caught.value.path == "score"


@pytest.mark.parametrize("sentiment", ["happy", "Neutral", "", "neutral "])
def test_sentiment_is_one_of_three(sentiment: str) -> None:
    error = rejected(image(sentiment={"S": sentiment}))
    assert error.path == "NewImage.sentiment"
    assert "positive" in str(error)


# --- tags -------------------------------------------------------------------------------------


def tags(count: int) -> dict[str, list[str]]:
    return {"SS": [f"tag{number}" for number in range(count)]}


def test_tags_must_be_non_empty_strings() -> None:
    assert rejected(image(matched_tags={"SS": ["AI", ""]})).path.startswith("NewImage.matched_tags")


def test_tags_are_capped_by_default() -> None:
    capped = PrimaryItem.from_image(image(matched_tags=tags(DEFAULT_MAX_TAGS)))
    assert len(capped.matched_tags) == DEFAULT_MAX_TAGS
    error = rejected(image(matched_tags=tags(DEFAULT_MAX_TAGS + 1)))
    assert error.path == "NewImage.matched_tags"
    assert f"at most {DEFAULT_MAX_TAGS}" in str(error)


def test_the_tag_cap_is_an_option() -> None:
    assert len(PrimaryItem.from_image(image(matched_tags=tags(50)), max_tags=50).matched_tags) == 50
    assert rejected(image(matched_tags=tags(3)), max_tags=2).path == "NewImage.matched_tags"


# --- key sizes --------------------------------------------------------------------------------

INSTANT = "2025-11-16T14:30:15Z"
# "base#" + a 27-character UTC instant + "#" + ingested_at + "#": what a base key adds.
BASE_KEY_OVERHEAD = len("base#") + 27 + 1 + len(INSTANT) + 1


@pytest.mark.parametrize("char", ["a", "é", "€", "𝄞"])
def test_source_id_may_fill_the_sort_key_exactly(char: str) -> None:
    room = 1024 - BASE_KEY_OVERHEAD
    longest = char * (room // len(char.encode()))
    fits = {"ingested_at": {"S": INSTANT}, "source_id": {"S": longest}}
    assert PrimaryItem.from_image(image(**fits, matched_tags={})).source_id == longest
    too_long = {"ingested_at": {"S": INSTANT}, "source_id": {"S": longest + char}}
    error = rejected(image(**too_long, matched_tags={}))
    assert error.path == "NewImage"
    assert "1024" in str(error)
    assert "bytes" in str(error)


def test_escaped_tags_count_towards_the_sort_key() -> None:
    # A tag key adds "tag#" and "#" where a base key adds "base#": the same overhead. Each "#"
    # of a tag is escaped to the three bytes "%23".
    room = 1024 - BASE_KEY_OVERHEAD - len("s")
    short_id = {"ingested_at": {"S": INSTANT}, "source_id": {"S": "s"}}
    longest = "#" * (room // 3)
    assert PrimaryItem.from_image(image(**short_id, matched_tags={"SS": [longest]})).matched_tags
    error = rejected(image(**short_id, matched_tags={"SS": [longest + "#"]}))
    assert "1024" in str(error)


# --- errors and immutability ------------------------------------------------------------------


def test_errors_are_ours_whichever_way_a_model_is_validated() -> None:
    with pytest.raises(ItemValidationError) as caught:
        PrimaryItem(source_id="s", ingested_at=INSTANT, sentiment="neutral", score=Decimal(2))
    assert caught.value.path == "score"
    assert isinstance(caught.value, DashboardProjectionError)
    assert not isinstance(caught.value, ValidationError)


def test_every_problem_is_reported() -> None:
    error = rejected(image(score={"N": "2"}, sentiment={"S": "happy"}))
    assert "NewImage.score" in str(error)
    assert "NewImage.sentiment" in str(error)


def test_models_are_frozen() -> None:
    item = PrimaryItem.from_image(SEED_IMAGE)
    with pytest.raises(ValidationError, match="frozen"):
        item.score = Decimal(0)  # type: ignore[misc]
    assert item.metadata is not None
    with pytest.raises(ValidationError, match="frozen"):
        item.metadata.author = "someone else"  # type: ignore[misc]


def test_dashboard_items_validate_too() -> None:
    fields = {
        "day_partition": "2025-11-16",
        "item_key": "base#x",
        "source_id": "s",
        "ingested_at": INSTANT,
        "ingested_at_utc": "2025-11-16T14:30:15.000000Z",
        "sentiment": "neutral",
        "score": Decimal("0.5"),
        "expires_at": 1,
    }
    item = DashboardItem.model_validate(fields)
    assert item.is_base
    with pytest.raises(ItemValidationError, match="score"):
        DashboardItem.model_validate(fields | {"score": Decimal(2)})
    with pytest.raises(ValidationError, match="frozen"):
        item.tag = "AI"  # type: ignore[misc]


# --- properties -------------------------------------------------------------------------------


@PROPERTY
@given(st.data())
def test_a_stream_image_decodes_to_its_item(data: st.DataObject) -> None:
    item = data.draw(primary_items())
    assert PrimaryItem.from_image(data.draw(stream_images(items=st.just(item)))) == item


@PROPERTY
@given(stream_images())
def test_every_stream_image_is_a_valid_item(wire: dict[str, Any]) -> None:
    assert PrimaryItem.from_image(wire).source_id == wire["source_id"]["S"]


@PROPERTY
@given(primary_items(max_tags=30, statuses=("analyzed", "pending")))
def test_items_honour_the_strategy_options(item: PrimaryItem) -> None:
    assert len(item.matched_tags) <= 30
    assert item.status in {"analyzed", "pending"}


def test_a_dashboard_item_rejects_a_float_score_too() -> None:
    with pytest.raises(ItemValidationError, match="float"):
        DashboardItem(
            day_partition="2025-11-16",
            item_key="base#x",
            source_id="s",
            ingested_at="2025-11-16T14:30:15Z",
            ingested_at_utc="2025-11-16T14:30:15.000000Z",
            sentiment="neutral",
            score=0.5,
            expires_at=1,
        )


@pytest.mark.parametrize("name", ["source_id", "text_snippet", "status"])
def test_a_string_attribute_stored_as_binary_is_rejected_not_coerced(name: str) -> None:
    image = {**SEED_IMAGE, name: {"B": "YWJj"}}  # base64 of "abc"
    with pytest.raises(ItemValidationError, match=r"expected a string \(S\), got B"):
        PrimaryItem.from_image(image)
