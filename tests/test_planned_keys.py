"""A view hands the processor each operation's identity: those must be the ops' own keys.

The processor plans a view's operations by the ``item_key`` values the view built
(``KnowsItsKeys``) instead of reading each key back out of every item; a MODIFY that keeps every
key skips working out the old image's items. Both shortcuts must change nothing: same ops, same
keys as the long way, and an identity that tells items apart exactly as their primary key does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from unittest.mock import MagicMock

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import model_validator

from dashboard_projection import (
    DashboardProjection,
    DashboardView,
    InMemorySink,
    InvalidInputError,
    PrimaryItem,
    Put,
    StreamRecord,
    WriteOp,
    WriteResult,
    process_stream_event,
    sentiment_view,
)
from dashboard_projection._engine._plan import WritePlan
from dashboard_projection._engine._projection import knows_its_keys
from dashboard_projection._types import WireItem
from dashboard_projection.testing import stream_records
from hypothesis_profile import PROPERTY
from views import VIEWS

NOW = datetime(2025, 11, 17, 12, tzinfo=UTC)


def _outcome(view: DashboardView[Any, Any], record: StreamRecord) -> object:
    try:
        return view._keyed_operations(NOW)(record)
    except InvalidInputError as error:
        return ("rejected", str(error), error.cleanup)


def _long_way(view: DashboardView[Any, Any]) -> DashboardView[Any, Any]:
    """The same declaration, made to work out every MODIFY's old items."""
    slow = dataclasses.replace(view)
    slow._rules.keys_follow_stored = False
    return slow


@pytest.mark.parametrize("name", VIEWS)
@PROPERTY
@given(data=st.data())
def test_the_keys_handed_over_are_the_ops_keys(name: str, data: st.DataObject) -> None:
    view = VIEWS[name]
    slow = _long_way(view)
    plan = WritePlan(view.key_attributes)
    primary_key_of: dict[object, object] = {}  # identity → key_identity, over the whole stream
    for index, raw in enumerate(data.draw(stream_records(view, bad=True))):
        try:
            record = StreamRecord.from_lambda_record(raw, index=index)
        except InvalidInputError:
            continue  # a malformed envelope: it never reaches a projection
        outcome = _outcome(view, record)
        assert outcome == _outcome(slow, record)
        if isinstance(outcome, tuple) and outcome and isinstance(outcome[0], list):
            ops: list[WriteOp] = outcome[0]
            assert ops == view(record, now=NOW)
            assert outcome[1] == view._identities(ops)
            for identity, key in zip(outcome[1], plan.identities(ops), strict=True):
                assert primary_key_of.setdefault(identity, key) == key
    assert len(set(primary_key_of.values())) == len(primary_key_of)  # and back: one to one


def test_views_and_the_legacy_projection_know_their_keys() -> None:
    assert knows_its_keys(sentiment_view())
    assert knows_its_keys(DashboardProjection())
    assert not knows_its_keys(lambda *_: [])
    assert not knows_its_keys(MagicMock())  # every attribute exists on a mock


@dataclasses.dataclass(frozen=True)
class _BaseItemsOnly(DashboardProjection):
    """A user's own projection over the preset: its tag copies are never written."""

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        return [op for op in super().__call__(record, now=now) if "tag" not in _attributes(op)]


def _event(keys: dict[str, Any], image: dict[str, Any]) -> dict[str, Any]:
    body = {"Keys": keys, "NewImage": image, "SequenceNumber": "1"}
    return {"Records": [{"eventID": "e", "eventName": "INSERT", "dynamodb": body}]}


def _attributes(op: WriteOp) -> WireItem:
    return op.item if isinstance(op, Put) else op.key


def test_a_subclass_that_overrides_call_is_the_one_the_processor_runs() -> None:
    assert not knows_its_keys(_BaseItemsOnly())
    image = _image(["x", "y"])
    keys = {"source_id": image["source_id"], "ingested_at": image["ingested_at"]}
    record = {
        "eventID": "e",
        "eventName": "INSERT",
        "dynamodb": {"Keys": keys, "NewImage": image, "SequenceNumber": "1"},
    }
    sink = InMemorySink(("day_partition", "item_key"))
    process_stream_event(
        {"Records": [record]}, sink, now=NOW, projection=_BaseItemsOnly(), metrics=False
    )
    assert [item["item_key"]["S"][:5] for item in sink.items()] == ["base#"]


def test_a_mock_projection_is_called_as_a_projection() -> None:
    put = Put({"day_partition": {"S": "d"}, "item_key": {"S": "k"}})
    projection = MagicMock(return_value=[put], key_attributes=("day_partition", "item_key"))
    sink = InMemorySink(("day_partition", "item_key"))
    record = {
        "eventID": "e",
        "eventName": "INSERT",
        "dynamodb": {"Keys": {}, "NewImage": {}, "SequenceNumber": "1"},
    }
    response = process_stream_event(
        {"Records": [record]}, sink, now=NOW, projection=projection, metrics=False
    )
    assert response == {"batchItemFailures": []}
    assert sink.items() == [put.item]


def _image(tags: list[str], **changes: str) -> dict[str, dict[str, Any]]:
    image: dict[str, dict[str, Any]] = {
        "source_id": {"S": "a"},
        "ingested_at": {"S": "2025-11-16T10:00:00Z"},
        "sentiment": {"S": "neutral"},
        "score": {"N": "0.5"},
        "status": {"S": "analyzed"},
        "matched_tags": {"SS": tags},
    }
    return image | {name: {"S": value} for name, value in changes.items()}


def _modify(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> StreamRecord:
    keys = {"source_id": old["source_id"], "ingested_at": old["ingested_at"]}
    return StreamRecord("e", "MODIFY", "1", keys, new, old)


def test_a_modify_that_moves_an_item_deletes_its_old_items() -> None:
    """The shortcut is taken only when the key's makings are stored alike."""
    view = sentiment_view()
    record = _modify(_image(["x", "y"]), _image(["x"]))
    ops, planned = view._keyed_operations(NOW)(record)
    assert planned[-1] == "tag#y#2025-11-16T10:00:00.000000Z#2025-11-16T10:00:00Z#a"
    assert len(ops) == 3  # base, tag x, and the delete of tag y


class _Archivable(PrimaryItem):
    """A model whose after validator empties the tags of an archived item."""

    @model_validator(mode="after")
    def _archived_has_no_tags(self) -> _Archivable:
        if self.model_version == "archived":
            object.__setattr__(self, "matched_tags", frozenset())
        return self


def test_a_validator_that_rewrites_the_keys_makings_disables_the_shortcut() -> None:
    """Equal stored tags, but the new item has none: its tag copies must go."""
    view = dataclasses.replace(sentiment_view(), model=_Archivable, item_model=None)
    assert not view._rules.keys_follow_stored
    record = _modify(_image(["x"]), _image(["x"], model_version="archived"))
    ops, _ = view._keyed_operations(NOW)(record)
    assert [type(op).__name__ for op in ops] == ["Put", "Delete"]


class _Recording(InMemorySink):
    """An InMemorySink that keeps what the processor handed it."""

    def __init__(self) -> None:
        super().__init__(("day_partition", "item_key"))
        self.handed: list[WriteOp] = []

    def write(self, ops: Sequence[WriteOp], *, deadline: float | None = None) -> WriteResult:
        self.handed += ops
        return super().write(ops, deadline=deadline)


def test_a_rejected_records_cleanup_replaces_an_earlier_put_of_the_same_item() -> None:
    """The cleanup goes into the plan by the same identity as the view's own puts: one op a key.

    Otherwise the put and the delete of one item would both reach the sink, in stream order
    only by luck of the sink's own splitting.
    """
    image = _image(["x", "y"])
    keys = {"source_id": image["source_id"], "ingested_at": image["ingested_at"]}
    broken = image | {"score": {"N": "7"}}  # out of [0, 1]: the MODIFY is rejected
    bodies = [{"NewImage": image}, {"NewImage": broken, "OldImage": image}]
    records = [
        {"eventID": name, "eventName": name, "dynamodb": body | {"Keys": keys, "SequenceNumber": n}}
        for name, body, n in zip(("INSERT", "MODIFY"), bodies, "12", strict=True)
    ]
    sink = _Recording()
    response = process_stream_event(
        {"Records": records}, sink, now=NOW, metrics=False, dead_letter=lambda _: None
    )
    assert response == {"batchItemFailures": []}  # the bad record is reported, not retried
    assert [type(op).__name__ for op in sink.handed] == ["Delete"] * 3  # base and two tags
    assert sink.items() == []  # nothing stale
