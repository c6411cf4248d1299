"""A view hands the processor each operation's key: those keys must be the ops' own.

The processor plans a view's operations by the keys the view built (``KnowsItsKeys``) instead
of reading them back out of every item; a MODIFY that keeps every key skips working out the old
image's items. Both shortcuts must change nothing: same ops, same keys as the long way.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard_projection import (
    DashboardProjection,
    DashboardView,
    InvalidInputError,
    StreamRecord,
    WriteOp,
    sentiment_view,
)
from dashboard_projection._engine._plan import WritePlan
from dashboard_projection._engine._projection import KnowsItsKeys
from dashboard_projection.testing import stream_records
from hypothesis_profile import PROPERTY
from views import ORDERS, SENSORS, TICKETS

NOW = datetime(2025, 11, 17, 12, tzinfo=UTC)
VIEWS: dict[str, DashboardView[Any, Any]] = {
    "sentiment": sentiment_view(),
    "orders": ORDERS,
    "sensors": SENSORS,
    "tickets": TICKETS,
}


def _outcome(view: DashboardView[Any, Any], record: StreamRecord) -> object:
    try:
        return view._operations_with_keys(record, NOW)
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
    for index, raw in enumerate(data.draw(stream_records(view, bad=True))):
        try:
            record = StreamRecord.from_lambda_record(raw, index=index)
        except InvalidInputError:
            continue  # a malformed envelope: it never reaches a projection
        outcome = _outcome(view, record)
        assert outcome == _outcome(slow, record)
        if isinstance(outcome, tuple) and outcome and isinstance(outcome[0], list):
            ops: list[WriteOp] = outcome[0]
            assert outcome[1] == plan.identities(ops)
            assert ops == view(record, now=NOW)


def test_views_and_the_legacy_projection_know_their_keys() -> None:
    assert isinstance(sentiment_view(), KnowsItsKeys)
    assert isinstance(DashboardProjection(), KnowsItsKeys)
    assert not isinstance(lambda *_: [], KnowsItsKeys)


def test_a_modify_that_moves_an_item_deletes_its_old_items() -> None:
    """The shortcut is taken only when the key's makings are stored alike."""
    view = sentiment_view()
    old: dict[str, dict[str, Any]] = {
        "source_id": {"S": "a"},
        "ingested_at": {"S": "2025-11-16T10:00:00Z"},
        "sentiment": {"S": "neutral"},
        "score": {"N": "0.5"},
        "status": {"S": "analyzed"},
        "matched_tags": {"SS": ["x", "y"]},
    }
    new = old | {"matched_tags": {"SS": ["x"]}}
    keys = {"source_id": old["source_id"], "ingested_at": old["ingested_at"]}
    record = StreamRecord("e", "MODIFY", "1", keys, new, old)
    ops, planned = view._operations_with_keys(record, NOW)
    assert planned[-1] == ("2025-11-16", "tag#y#2025-11-16T10:00:00.000000Z#2025-11-16T10:00:00Z#a")
    assert len(ops) == 3  # base, tag x, and the delete of tag y
