"""Any JSON anywhere in a record is, at most, that one record's bad-input error.

Emulators and half-unmarshalled envelopes put plain JSON (``[2]``, ``true``, ``{"a": 1}``) where
an attribute value belongs. Whatever the JSON and wherever it sits (top-level fields,
``dynamodb``, ``Keys``, ``NewImage``, ``OldImage``, inside ``M`` and ``L``), the codec raises
only ``DeserializationError``, the models only ``ItemValidationError``/``DeserializationError``,
and the processor dead-letters the record and writes the rest of the batch.
"""

from __future__ import annotations

import copy
import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard_projection import (
    BadRecord,
    DashboardProjectionError,
    DeserializationError,
    InMemorySink,
    InvalidInputError,
    PrimaryItem,
    deserialize_image,
    deserialize_value,
    process_stream_event,
)
from dashboard_projection.testing import attribute_values, stream_images
from hypothesis_profile import PROPERTY

if TYPE_CHECKING:
    from collections.abc import Callable

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
KEY = ("day_partition", "item_key")
TAGS = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # json.loads reads NaN and Infinity too
    st.text(max_size=10),
    st.sampled_from(TAGS),
)
#: Any JSON value: what ``json.loads`` can return.
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5) | st.sampled_from(TAGS), inner, max_size=3)
    ),
    max_leaves=8,
)
#: DynamoDB JSON, valid and not, nested: plain JSON in any position of M and L, and type tags
#: with any payload.
MIXED = st.recursive(
    ANY_JSON | attribute_values(max_depth=0),
    lambda inner: st.one_of(
        st.dictionaries(st.text(max_size=5), inner, max_size=3).map(lambda m: {"M": m}),
        st.lists(inner, max_size=3).map(lambda elements: {"L": elements}),
        st.tuples(st.sampled_from(TAGS), inner).map(lambda pair: {pair[0]: pair[1]}),
        st.lists(inner, max_size=3),
    ),
    max_leaves=12,
)


@pytest.mark.parametrize(
    "value",
    [
        {"M": {"a": [2]}},
        {"M": {"a": [True]}},
        {"M": {"a": [0]}},
        {"M": {"a": ["a"]}},
        {"L": [[2]]},
        {"L": [{"M": {"a": [1]}}]},
        [2],
        {"M": {"a": "S"}},
    ],
    ids=repr,
)
def test_plain_json_where_a_value_belongs_is_a_deserialization_error(value: Any) -> None:
    with pytest.raises(DeserializationError, match="expected an attribute value") as caught:
        deserialize_value(value, path="NewImage.x")
    assert caught.value.path.startswith("NewImage.x")


def test_an_image_of_plain_json_names_the_attribute() -> None:
    with pytest.raises(DeserializationError) as caught:
        deserialize_image({"a": [2]})  # type: ignore[dict-item]
    assert caught.value.path == "NewImage.a"
    with pytest.raises(DeserializationError) as caught:
        deserialize_image({"metadata": {"M": {"title": {"S": "t"}, "ranks": [2]}}})
    assert caught.value.path == "NewImage.metadata.M.ranks"


def test_nesting_deeper_than_python_can_walk_is_a_deserialization_error() -> None:
    value: Any = {"S": "leaf"}
    for _ in range(5000):
        value = {"L": [value]}
    with pytest.raises(DeserializationError, match="nested too deeply"):
        deserialize_value(value, path="NewImage.deep")
    with pytest.raises(DeserializationError, match=r"^NewImage: nested too deeply"):
        deserialize_image({"deep": value})


def raised(call: Callable[[], object]) -> InvalidInputError | None:
    """The package's input error ``call`` raises, if any; any other exception fails the test."""
    try:
        call()
    except InvalidInputError as error:
        return error
    return None


def test_a_bad_leaf_deep_in_lists_is_found_in_linear_time() -> None:
    value: Any = {"N": "x"}
    for _ in range(30):
        value = {"L": [{"S": "ok"}, value]}
    started = time.monotonic()
    with pytest.raises(DeserializationError) as caught:
        deserialize_value(value, path="v")
    assert time.monotonic() - started < 1
    assert caught.value.path == "v" + ".L[1]" * 30


@PROPERTY
@given(MIXED)
def test_the_codec_raises_nothing_but_deserialization_errors(value: Any) -> None:
    error = raised(lambda: deserialize_value(value, path="v"))
    assert error is None or (type(error) is DeserializationError and error.path.startswith("v"))


@PROPERTY
@given(st.dictionaries(st.text(max_size=5), MIXED, max_size=4) | ANY_JSON)
def test_images_raise_nothing_but_deserialization_errors(image: Any) -> None:
    error = raised(lambda: deserialize_image(image))
    assert error is None or (
        type(error) is DeserializationError and error.path.startswith("NewImage")
    )


@PROPERTY
@given(stream_images(), st.data())
def test_the_model_raises_only_the_packages_input_errors(image: Any, data: st.DataObject) -> None:
    spoiled = spoil(image, data)
    error = raised(lambda: PrimaryItem.from_image(spoiled))
    assert error is None or error.path.startswith("NewImage")


# --- any JSON anywhere in a record: one record rejected, the rest written ---------------------


def positions(tree: Any, trail: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path to every node of a JSON tree (dict keys and list indexes), the root excluded."""
    if isinstance(tree, dict):
        children: Any = tree.items()
    elif isinstance(tree, list):
        children = enumerate(tree)
    else:
        return []
    found: list[tuple[Any, ...]] = []
    for step, child in children:
        found.append((*trail, step))
        found.extend(positions(child, (*trail, step)))
    return found


def spoil(tree: Any, data: st.DataObject) -> Any:
    """A copy of ``tree`` with one node replaced by any JSON, or one member added or dropped."""
    spoiled = copy.deepcopy(tree)
    where = data.draw(st.sampled_from([(), *positions(spoiled)]), label="position")
    replacement = data.draw(ANY_JSON | MIXED, label="replacement")
    if not where:
        parent: Any = {"root": spoiled}
        where = ("root",)
    else:
        parent = spoiled
        for step in where[:-1]:
            parent = parent[step]
    how = data.draw(st.sampled_from(["replace", "drop", "add"]), label="how")
    if how == "drop" and len(where) > 1:
        del parent[where[-1]]
    elif how == "add" and isinstance(parent, dict) and len(where) > 1:
        parent[data.draw(st.text(max_size=8), label="new member")] = replacement
    else:
        parent[where[-1]] = replacement
    return parent["root"] if where == ("root",) else spoiled


def record(number: int, new: Any, old: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Keys": {"source_id": new["source_id"], "ingested_at": new["ingested_at"]},
        "NewImage": new,
        "SequenceNumber": str(100 + number),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        body["OldImage"] = old
    return {
        "eventID": f"event-{number}",
        "eventName": "MODIFY" if old is not None else "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": body,
    }


def table(sink: InMemorySink) -> list[str]:
    return sorted(json.dumps(item, sort_keys=True, default=repr) for item in sink.items())


DISTINCT_IMAGES = st.lists(
    stream_images(), min_size=3, max_size=3, unique_by=lambda image: image["source_id"]["S"]
)


@PROPERTY
@given(DISTINCT_IMAGES, st.booleans(), st.data())
def test_any_json_anywhere_is_at_most_that_records_error(
    images: list[dict[str, Any]],
    modify: bool,  # noqa: FBT001 - drawn by Hypothesis
    data: st.DataObject,
) -> None:
    first, middle, last = images
    good = [record(0, first), record(2, last)]
    bad = spoil(record(1, middle, old=middle if modify else None), data)
    dead: list[BadRecord] = []
    sink, alone = InMemorySink(KEY), InMemorySink(KEY)

    response = process_stream_event(
        {"Records": [good[0], bad, good[1]]},
        sink,
        now=NOW,
        metrics=False,
        dead_letter=dead.append,
    )
    process_stream_event({"Records": good}, alone, now=NOW, metrics=False)

    assert response == {"batchItemFailures": []}
    assert [bad_record.raw for bad_record in dead] in ([], [bad])
    for bad_record in dead:
        assert isinstance(bad_record.error, DashboardProjectionError)
        assert not bad_record.error.retryable
    assert set(table(alone)) <= set(table(sink)), "the good records' items were all written"


@pytest.mark.parametrize(
    "spoiled",
    [
        {"NewImage": {"metadata": {"M": {"title": {"S": "t"}, "ranks": [2]}}}},
        {"OldImage": {"score": [2]}},
        {"NewImage": {"score": [True]}},
        {"Keys": {"source_id": [2]}},
    ],
    ids=["metadata-ranks", "old-score", "new-score", "keys"],
)
def test_the_reported_batch_writes_the_other_two_records(
    spoiled: dict[str, dict[str, Any]],
) -> None:
    """The issue's example: three INSERTs (or a MODIFY), the middle one with ``[2]`` inside."""
    images = [
        {
            "source_id": {"S": f"news#{number}"},
            "ingested_at": {"S": "2025-11-16T14:30:15.000Z"},
            "sentiment": {"S": "neutral"},
            "score": {"N": "0.5"},
            "status": {"S": "analyzed"},
        }
        for number in range(3)
    ]
    middle = record(1, images[1], old=copy.deepcopy(images[1]))
    for part, attributes in spoiled.items():
        middle["dynamodb"][part] |= attributes
    dead: list[BadRecord] = []
    sink = InMemorySink(KEY)
    event = {"Records": [record(0, images[0]), middle, record(2, images[2])]}

    response = process_stream_event(event, sink, now=NOW, metrics=False, dead_letter=dead.append)

    assert response == {"batchItemFailures": []}
    written = {item["source_id"]["S"] for item in sink.items()}
    assert {"news#0", "news#2"} <= written
    if "NewImage" in spoiled:
        assert [bad.raw for bad in dead] == [middle]
        assert isinstance(dead[0].error, InvalidInputError)
        assert written == {"news#0", "news#2"}
