from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard_projection._engine._limits import MAX_ITEM_BYTES
from dashboard_projection._engine._plan import Delete, Put
from dashboard_projection._engine._sink import Sink
from dashboard_projection._engine._sink_memory import InMemorySink
from dashboard_projection._errors import ConfigurationError, RejectedWriteError

if TYPE_CHECKING:
    from dashboard_projection._engine._plan import WriteOp

KEY = ("day_partition", "item_key")


def item(item_key: str, **attributes: dict[str, Any]) -> dict[str, Any]:
    return {"day_partition": {"S": "2024-05-01"}, "item_key": {"S": item_key}, **attributes}


def key(item_key: str) -> dict[str, Any]:
    return {"day_partition": {"S": "2024-05-01"}, "item_key": {"S": item_key}}


def test_is_a_sink() -> None:
    assert isinstance(InMemorySink(KEY), Sink)


def test_a_write_goes_in_requests_of_25() -> None:
    sink = InMemorySink(KEY)
    result = sink.write([Put(item(str(n))) for n in range(60)])
    assert (result.ok, result.requests, len(sink), sink.requests) == (True, 3, 60, 3)
    sink.write([Put(item("one more"))])
    assert sink.requests == 4


def test_the_last_operation_on_a_key_wins() -> None:
    sink = InMemorySink(KEY)
    sink.write([Put(item("a", v={"N": "1"})), Put(item("a", v={"N": "2"})), Put(item("b"))])
    assert sink.get(key("a")) == item("a", v={"N": "2"})
    sink.write([Put(item("c")), Delete(key("c")), Delete(key("b")), Put(item("b", v={"N": "3"}))])
    assert sink.get(key("c")) is None
    assert sink.get(key("b")) == item("b", v={"N": "3"})
    assert sorted(stored["item_key"]["S"] for stored in sink.items()) == ["a", "b"]


def test_keys_compare_as_dynamodb_compares_them() -> None:
    sink = InMemorySink(("n",))
    sink.write([Put({"n": {"N": "1.0"}, "v": {"S": "x"}})])
    assert sink.get({"n": {"N": "1"}}) == {"n": {"N": "1.0"}, "v": {"S": "x"}}


def test_items_dynamodb_rejects_are_reported_and_the_others_land() -> None:
    sink = InMemorySink(KEY)
    ops: list[WriteOp] = [
        Put(item("ok-1")),
        Put(item("float", score={"N": 0.5})),
        Put(item("empty-set", tags={"SS": []})),
        Put(item("huge", body={"S": "x" * MAX_ITEM_BYTES})),
        Delete({"day_partition": {"S": "2024-05-01"}}),
        Put(item("ok-2")),
    ]
    result = sink.write(ops)
    assert [failure.index for failure in result.failed] == [1, 2, 3, 4]
    assert all(isinstance(failure.error, RejectedWriteError) for failure in result.failed)
    assert "InMemorySink: item (day_partition=S:'2024-05-01', item_key=S:'float')" in str(
        result.failed[0].error
    )
    assert sorted(stored["item_key"]["S"] for stored in sink.items()) == ["ok-1", "ok-2"]


@pytest.mark.parametrize(
    "request_ops",
    [[Put(item(str(n))) for n in range(26)], [Put(item("a")), Delete(key("a"))]],
    ids=["26 operations", "two on one key"],
)
def test_a_request_breaking_batchwriteitem_rules_fails_loudly(request_ops: list[WriteOp]) -> None:
    with pytest.raises(AssertionError, match="DynamoDB takes at most 25, one per key"):
        InMemorySink(KEY)._apply(request_ops)


def test_key_attributes_are_checked() -> None:
    with pytest.raises(ConfigurationError):
        InMemorySink(())


_KEYS = st.integers(0, 39).map(str)  # enough keys to need two requests, few enough to repeat
_OPS = st.lists(
    st.one_of(
        st.builds(lambda k, v: Put(item(k, v={"N": str(v)})), _KEYS, st.integers(0, 9)),
        st.builds(lambda k: Delete(key(k)), _KEYS),
    ),
    max_size=120,
)


@given(_OPS)
def test_a_write_leaves_the_table_as_applying_each_operation_in_turn_would(
    ops: list[WriteOp],
) -> None:
    model: dict[str, Any] = {}
    for op in ops:
        if isinstance(op, Put):
            model[op.item["item_key"]["S"]] = op.item
        else:
            model.pop(op.key["item_key"]["S"], None)
    sink = InMemorySink(KEY)
    assert sink.write(ops).ok
    assert {stored["item_key"]["S"]: stored for stored in sink.items()} == model


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        ({"N": "1" * 39}, "38 significant digits"),
        ({"N": "1e200"}, "range"),
        ({"SS": ["x", "x"]}, "duplicate"),
        ({"M": {"inner": {"NS": ["1", "1.0"]}}}, "duplicate"),
    ],
)
def test_what_only_the_server_checked_before_is_refused_in_memory_too(
    attribute: dict[str, Any], message: str
) -> None:
    sink = InMemorySink(("k",))
    result = sink.write([Put({"k": {"S": "a"}, "value": attribute})])
    (failure,) = result.failed
    assert isinstance(failure.error, RejectedWriteError)
    assert message in str(failure.error)
    assert len(sink) == 0
