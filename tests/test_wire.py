"""The stream fast path (``_wire``) against the model path it short-cuts.

``wire_items`` must give, for every image, exactly what ``PrimaryItem.from_image`` → ``project``
→ ``serialize_item`` gives (compared decoded, so the order of set members and number spellings
do not matter), and must reject exactly what that path rejects.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard_projection import (
    InvalidInputError,
    PrimaryItem,
    deserialize_image,
    expires_at,
    project,
    serialize_item,
)
from dashboard_projection._wire import _fast_wire_items, wire_items
from dashboard_projection.testing import attribute_values, stream_images
from hypothesis_profile import PROPERTY
from seed import seed_image

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
MALFORMED = st.sampled_from(
    [
        {"S": ""},
        {"S": 1},
        {"N": "abc"},
        {"N": "1e999"},
        {"X": "1"},
        {"S": "a", "N": "1"},
        {},
        "plain",
        {"SS": []},
        {"SS": ["a", "a"]},
        {"M": {"author": {"N": "1"}}},
        {"M": {"author": {"S": "a"}, "bad": {"B": "!!"}}},
        {"L": [{"S": "AI"}]},
    ]
)
EXPIRES = expires_at(NOW)
SEED_IMAGE: dict[str, Any] = seed_image()


def decoded(items: list[dict[str, Any]]) -> list[str]:
    """Items as sorted canonical JSON of their decoded values: blind to encoding details."""

    def canonical(value: object) -> object:
        return sorted(map(str, value)) if isinstance(value, frozenset) else str(value)

    return sorted(
        json.dumps({k: canonical(v) for k, v in deserialize_image(i).items()}, sort_keys=True)
        for i in items
    )


def model_path(image: dict[str, Any]) -> list[dict[str, Any]]:
    return [serialize_item(i) for i in project(PrimaryItem.from_image(image), now=NOW)]


def outcome(path: Any, image: dict[str, Any]) -> list[str] | str:
    try:
        return decoded(path(image))
    except InvalidInputError as error:
        return f"rejected: {type(error).__name__}"


def test_the_seed_image_takes_the_fast_path_and_matches_the_model() -> None:
    fast = _fast_wire_items(SEED_IMAGE, EXPIRES, 20)
    assert fast is not None
    assert decoded(fast) == decoded(model_path(SEED_IMAGE))


@PROPERTY
@given(stream_images())
def test_every_valid_image_gives_the_models_items(image: dict[str, Any]) -> None:
    assert decoded(wire_items(image, expires=EXPIRES)) == decoded(model_path(image))


@PROPERTY
@given(stream_images(), st.data())
def test_a_damaged_image_fares_the_same_on_both_paths(
    image: dict[str, Any], data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from([*sorted(image), "metadata", "unknown"]))
    damaged = {**image, name: data.draw(attribute_values(max_depth=1) | MALFORMED)}
    assert outcome(lambda i: wire_items(i, expires=EXPIRES), damaged) == outcome(
        model_path, damaged
    )


@pytest.mark.parametrize(
    "score",
    [
        "0.72",
        "0.5",
        "0.125",
        "0.265",
        "0.994",
        "0.995",
        "0.9999",
        "0.0",
        "0.",
        "1",
        "0.005",
        "1.00",
    ],
)
def test_scores_rounded_as_text_agree_with_the_model(score: str) -> None:
    image = {**SEED_IMAGE, "score": {"N": score}}
    (base,) = [item for item in wire_items(image, expires=EXPIRES) if "tag" not in item]
    (model,) = [item for item in model_path(image) if "tag" not in item]
    assert base["sentiment_score_combined"] == model["sentiment_score_combined"]
