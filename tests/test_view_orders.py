"""Another team's table, the orders example: what its declaration derives, end to end.

The view is ``examples/orders/orders.py``, exactly as docs/your-dashboard.md shows it.
"""

from __future__ import annotations

import importlib
import json
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from orders import Order, orders
from pydantic import BaseModel, field_validator

from dashboard_projection import (
    BadRecord,
    CombinedKey,
    ConfigurationError,
    DashboardView,
    DynamoDBSink,
    FanOut,
    InMemorySink,
    InvalidInputError,
    ItemValidationError,
    ShownWhen,
    combined_key,
    make_handler,
    process_stream_event,
    serialize_item,
)
from dashboard_projection.__main__ import main
from dashboard_projection._cli._errors import USAGE
from servers import create_view_table, make_client

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
KEY = ("day_partition", "item_key")


def order(**changes: Any) -> dict[str, Any]:
    """An order as the primary table stores it (DynamoDB JSON)."""
    fields: dict[str, Any] = {
        "order_id": "o-1",
        "created_at": "2025-11-16T23:30:00-05:00",  # the 17th in UTC
        "status": "paid",
        "total": Decimal("129.95"),
        "categories": {"books", "toys"},
        "customer_id": "c-9",
        "region": "eu",
    }
    stored = {name: value for name, value in (fields | changes).items() if value != set()}
    return dict(serialize_item(stored))  # DynamoDB has no empty set: the attribute is absent


def record(
    name: str, sequence: int, new: dict[str, Any] | None, old: dict[str, Any] | None = None
) -> dict[str, Any]:
    image = new or old or {}
    body: dict[str, Any] = {
        "Keys": {"order_id": image["order_id"], "created_at": image["created_at"]},
        "SequenceNumber": str(sequence),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        body["NewImage"] = new
    if old is not None:
        body["OldImage"] = old
    return {"eventID": f"e{sequence}", "eventName": name, "dynamodb": body}


def run(
    *records: dict[str, Any], sink: InMemorySink | None = None
) -> tuple[InMemorySink, list[BadRecord]]:
    target = sink if sink is not None else InMemorySink(KEY)
    dead: list[BadRecord] = []
    response = process_stream_event(
        {"Records": list(records)},
        target,
        now=NOW,
        projection=orders,
        metrics=False,
        dead_letter=dead.append,
    )
    assert response == {"batchItemFailures": []}
    return target, dead


def keys(sink: InMemorySink) -> set[str]:
    return {item["item_key"]["S"] for item in sink.items()}


# --- what the declaration derives -------------------------------------------------------------


def test_the_table_has_a_sparse_index_per_fan_out_and_combined_key() -> None:
    spec = orders.table_spec("orders-dashboard")
    indexes = {
        index["IndexName"]: [part["AttributeName"] for part in index["KeySchema"]]
        for index in spec["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        "by_category": ["category", "created_at_utc"],
        "by_status_total": ["day_partition", "status_total_combined"],
    }
    assert orders.ttl_spec("t")["TimeToLiveSpecification"]["AttributeName"] == "expires_at"


def test_a_paid_order_projects_a_base_item_and_one_copy_per_category() -> None:
    base, books, toys = orders.project_image(order(), now=NOW)
    suffix = "#2025-11-17T04:30:00.000000Z#2025-11-16T23:30:00-05:00#o-1"
    assert base["day_partition"] == {"S": "2025-11-17"}
    assert base["item_key"] == {"S": "base" + suffix}
    assert base["status_total_combined"] == {"S": "paid#00129.95"}
    assert (books["item_key"], books["category"]) == (
        {"S": "category#books" + suffix},
        {"S": "books"},
    )
    assert toys["category"] == {"S": "toys"}
    assert "category" not in base
    assert "status_total_combined" not in books
    assert base["expires_at"] == {"N": str(int(NOW.timestamp()) + 30 * 86_400)}
    assert set(base) >= {
        "order_id",
        "created_at",
        "customer_id",
        "status",
        "total",
        "region",
    }
    assert "categories" not in base  # not in copy=


def test_typed_items_and_the_wire_agree() -> None:
    item = Order.model_validate(
        {
            "order_id": "o-1",
            "created_at": "2025-11-16T23:30:00-05:00",
            "status": "shipped",
            "total": "5",
            "customer_id": "c",
            "region": "us",
        }
    )
    (typed,) = orders.project(item, now=NOW)
    assert typed == orders.read_item(orders.project_wire(item, now=NOW)[0])
    assert typed.model_dump()["status_total_combined"] == "shipped#00005.00"
    assert isinstance(typed, orders.item_type)


@given(
    st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2),
    st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2),
)
def test_combined_keys_sort_as_totals(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert combined_key("paid", low, max_value=Decimal("99999.99")) <= combined_key(
        "paid", high, max_value=Decimal("99999.99")
    )


def test_time_ranges_span_days_in_order() -> None:
    start = datetime(2025, 11, 16, 22, tzinfo=UTC)
    queries = orders.query_by_time_range("t", start, start + timedelta(days=2))
    days = [query["ExpressionAttributeValues"][":day"]["S"] for query in queries]
    assert days == ["2025-11-16", "2025-11-17", "2025-11-18"]


# --- what records imply -----------------------------------------------------------------------


def test_placed_is_not_shown_paid_is_and_cancelled_is_gone() -> None:
    placed, paid, cancelled = (
        order(status="placed"),
        order(status="paid"),
        order(status="cancelled"),
    )
    sink, _ = run(record("INSERT", 1, placed))
    assert len(sink) == 0
    run(record("MODIFY", 2, paid, placed), sink=sink)
    assert len(sink) == 3
    run(record("MODIFY", 3, cancelled, paid), sink=sink)
    assert len(sink) == 0


def test_a_dropped_category_loses_its_copy() -> None:
    before, after = order(), order(categories={"books"})
    sink, _ = run(record("INSERT", 1, before), record("MODIFY", 2, after, before))
    assert {key.split("#")[1] for key in keys(sink) if key.startswith("category#")} == {"books"}


def test_an_invalid_order_is_bad_input_and_its_old_items_go() -> None:
    good = order()
    broken = order(total=Decimal("100000.00"))  # over the model's bound
    sink, dead = run(record("INSERT", 1, good), record("MODIFY", 2, broken, good))
    assert len(sink) == 0
    (bad,) = dead
    assert isinstance(bad.error, ItemValidationError)
    assert bad.error.path == "NewImage.total"


def test_the_sentiment_default_on_an_orders_stream_says_so() -> None:
    dead: list[BadRecord] = []
    sink = InMemorySink(KEY)
    process_stream_event(
        {"Records": [record("INSERT", 1, order())]},
        sink,
        now=NOW,
        metrics=False,
        dead_letter=dead.append,
    )
    (bad,) = dead
    assert isinstance(bad.error, InvalidInputError)
    assert bad.error.path == "dynamodb.Keys"
    assert "created_at, order_id" in str(bad.error)
    assert "source_id, ingested_at" in str(bad.error)


def test_make_handler_runs_a_view() -> None:
    sink = InMemorySink(KEY)
    handler = make_handler(orders, sink=sink, environ={"LOG_LEVEL": "ERROR"})
    assert handler({"Records": [record("INSERT", 1, order())]}, None) == {"batchItemFailures": []}
    assert len(sink) == 3


@pytest.mark.parametrize("environ", [{"TTL_DAYS": "3"}], ids=["TTL_DAYS"])
def test_settings_of_the_default_view_do_not_apply_to_a_view(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="declares its own"):
        make_handler(orders, sink=InMemorySink(KEY), environ=environ)


# --- declaration mistakes ---------------------------------------------------------------------


class Loose(Order):
    """Order, with fields no key or timestamp may be."""

    region_or_none: str | None = None
    weight: float = 0.0


def declare(**changes: Any) -> DashboardView[Order]:
    options: dict[str, Any] = {
        "model": Loose,
        "key": ("order_id", "created_at"),
        "timestamp": "created_at",
        "fan_out": FanOut("categories", attribute="category"),
        "combined": CombinedKey("status", "total", max_value=Decimal("99999.99")),
        "copy": ("status",),
    }
    return DashboardView(**(options | changes))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": ("order_id", "nope")}, "key must name a field of Loose"),
        ({"key": ("order_id", "categories")}, "must be a required str, int, Decimal or bytes"),
        ({"key": ("order_id", "order_id")}, "distinct"),
        ({"key": ("region_or_none",)}, "with a default"),
        ({"key": ("weight",)}, "must be a required str, int, Decimal or bytes"),
        ({"timestamp": "weight"}, "timestamp 'weight' must be a required str"),
        ({"shown": ShownWhen("statsu", "paid")}, "ShownWhen's attribute must be a string field"),
        ({"shown": ShownWhen("total", "1")}, "ShownWhen's attribute must be a string field"),
        ({"shown": ShownWhen("status", "Paid")}, "never allows: Paid"),
        ({"fan_out": FanOut("categories", attribute="base#x")}, "without '#'"),
        ({"key": "order_id"}, "key must name"),
        ({"timestamp": "total"}, "timestamp 'total' must be stored as S"),
        ({"copy": ("nope",)}, "copy must name a field"),
        ({"fan_out": FanOut("status", attribute="s")}, "must be stored as SS"),
        ({"fan_out": FanOut("categories", attribute="base")}, "not 'base'"),
        ({"fan_out": FanOut("categories", attribute="status")}, "is a field of"),
        ({"fan_out": FanOut("categories", attribute="c", max_members=-1)}, "max_members"),
        ({"copy": ("weight",)}, "copy 'weight' is declared with float"),
        ({"combined": CombinedKey("status", "weight", max_value=1)}, "declared with float"),
        ({"combined": CombinedKey("total", "status", max_value=1)}, "must be stored as S"),
        (
            {"combined": CombinedKey("status", "total", min_value=5, max_value=1)},
            "min_value <= max_value",
        ),
        ({"combined": CombinedKey("status", "total", max_value=1, places=-1)}, "places"),
        ({"ttl": timedelta(0)}, "ttl"),
        ({"ttl": 30}, "ttl"),
        ({"shown": "paid"}, "shown must be"),
        ({"model": dict}, "pydantic model"),
    ],
)
def test_a_declaration_mistake_is_a_configuration_error(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        declare(**changes)


def test_shown_when_is_decided_before_validation() -> None:
    view = declare(shown=ShownWhen("status", "paid"))
    assert view.project_image(order(status="placed", total="not a number"), now=NOW) == []
    with pytest.raises(InvalidInputError):
        view.project_image(order(status="paid", total="not a number"), now=NOW)


# --- end to end, on moto and dynalite ---------------------------------------------------------

#: (order_id, created_at, status, total, categories): three UTC days, every status, a MODIFY.
HISTORY = [
    ("o-1", "2025-11-16T08:00:00Z", "paid", "129.95", {"books", "toys"}),
    ("o-2", "2025-11-16T23:30:00-05:00", "shipped", "5.00", {"books"}),  # the 17th in UTC
    ("o-3", "2025-11-17T12:00:00+00:00", "placed", "99.00", {"toys"}),  # not shown yet
    ("o-4", "2025-11-17T13:00:00.5Z", "cancelled", "12.50", {"garden"}),  # gone
    ("o-5", "2025-11-18T00:00:00Z", "paid", "99999.99", set()),
    ("o-6", "2025-11-18T09:15:00+09:00", "paid", "0.00", {"toys", "garden"}),  # the 18th 00:15
]


@pytest.mark.integration
def test_every_query_returns_each_shown_order_once(dynamodb_endpoint: str) -> None:
    client = make_client(dynamodb_endpoint)
    table = create_view_table(client, orders.table_spec("orders-dashboard"))
    images = {
        order_id: order(
            order_id=order_id, created_at=at, status=status, total=Decimal(total), categories=tags
        )
        for order_id, at, status, total, tags in HISTORY
    }
    placed_then_paid = order(
        order_id="o-7", created_at="2025-11-17T01:00:00Z", status="placed", total=Decimal(7)
    )
    paid = order(
        order_id="o-7",
        created_at="2025-11-17T01:00:00Z",
        status="paid",
        total=Decimal(7),
        categories={"books"},
    )
    records = [record("INSERT", n, image) for n, image in enumerate(images.values(), start=1)]
    records += [
        record("INSERT", 10, placed_then_paid),
        record("MODIFY", 11, paid, placed_then_paid),
    ]
    response = process_stream_event(
        {"Records": records},
        DynamoDBSink(table, client=client),
        now=NOW,
        projection=orders,
        metrics=False,
    )
    assert response == {"batchItemFailures": []}
    shown = {"o-1", "o-2", "o-5", "o-6", "o-7"}

    def ids(queries: Any) -> list[str]:
        return [item.model_dump()["order_id"] for item in orders.read(client, queries)]

    days = [date(2025, 11, 16), date(2025, 11, 17), date(2025, 11, 18)]
    by_day = [order_id for day in days for order_id in ids(orders.query_by_day(table, day))]
    assert sorted(by_day) == sorted(shown)
    span = orders.query_by_time_range(
        table, datetime(2025, 11, 16, tzinfo=UTC), datetime(2025, 11, 19, tzinfo=UTC)
    )
    assert ids(span) == ["o-1", "o-7", "o-2", "o-5", "o-6"]  # time order, across days
    assert sorted(ids(orders.query_by_member(table, "books"))) == ["o-1", "o-2", "o-7"]
    assert sorted(ids(orders.query_by_member(table, "toys"))) == ["o-1", "o-6"]
    assert ids(orders.query_by_member(table, "garden")) == ["o-6"]
    paid_18th = orders.query_by_combined(table, date(2025, 11, 18), "paid")
    assert ids(paid_18th) == ["o-6", "o-5"]  # by total: 0.00, then 99999.99
    assert ids(orders.query_by_combined(table, date(2025, 11, 18), "paid", 1, 99999)) == []
    assert ids(orders.query_by_combined(table, date(2025, 11, 17), "shipped", 5, 5)) == ["o-2"]


# --- the command line -------------------------------------------------------------------------


def test_replay_takes_a_view(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"Records": [record("INSERT", 1, order())]}))
    assert main(["replay", str(event), "--dry-run", "--view", "orders:orders"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [item["item_key"].split("#")[0] for item in printed] == ["base", "category", "category"]


@pytest.mark.parametrize(
    ("view", "message"),
    [
        ("orders", "expected --view MODULE:ATTRIBUTE"),
        ("no_such_module:view", "could not import module 'no_such_module'"),
        ("orders:nope", "orders has no attribute 'nope'"),
        ("orders:Order", "expected a DashboardView"),
    ],
)
def test_a_wrong_view_is_a_usage_error(
    view: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"Records": []}))
    assert main(["replay", str(event), "--dry-run", "--view", view]) == USAGE
    assert message in capsys.readouterr().err


def test_propagate_removes_is_for_the_default_view(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"Records": []}))
    args = ["replay", str(event), "--dry-run", "--view", "orders:orders", "--propagate-removes"]
    assert main(args) == USAGE


@pytest.mark.integration
def test_the_orders_lambda_module_runs_on_moto(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``examples/orders/orders_lambda.py`` as Lambda would load it: configured from the
    environment, writing to the table its view defines."""
    client = make_client(moto_endpoint)
    table = create_view_table(client, orders.table_spec("orders-dashboard"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("DASHBOARD_TABLE_NAME", table)
    monkeypatch.delitem(sys.modules, "orders_lambda", raising=False)
    module = importlib.import_module("orders_lambda")
    event = {"Records": [record("INSERT", 1, order())]}
    assert module.lambda_handler(event, None) == {"batchItemFailures": []}
    assert len(client.scan(TableName=table)["Items"]) == 3


# --- what a newcomer tried ----------------------------------------------------------------------


class Lowered(BaseModel):
    """A model that normalises its fan-out members: stored ``Billing`` is held as ``billing``."""

    id: str
    at: str
    status: str
    labels: frozenset[str] = frozenset()

    @field_validator("labels")
    @classmethod
    def _lower(cls, labels: frozenset[str]) -> frozenset[str]:
        return frozenset(label.lower() for label in labels)


def test_a_normalising_model_leaves_no_stale_copy() -> None:
    view = DashboardView(
        model=Lowered,
        key=("id",),
        timestamp="at",
        shown=ShownWhen("status", "open"),
        fan_out=FanOut("labels", attribute="label"),
        propagate_removes=True,
    )
    first = dict(
        serialize_item(
            {"id": "t", "at": "2025-11-16T10:00:00Z", "status": "open", "labels": {"Billing"}}
        )
    )
    second = first | {"labels": {"SS": ["Other"]}}
    keys = {"id": first["id"]}

    def rec(name: str, seq: int, new: Any, old: Any) -> dict[str, Any]:
        body = {"Keys": keys, "SequenceNumber": str(seq), "NewImage": new, "OldImage": old}
        return {
            "eventID": str(seq),
            "eventName": name,
            "dynamodb": {k: v for k, v in body.items() if v is not None},
        }

    sink = InMemorySink(KEY)
    events = [
        rec("INSERT", 1, first, None),
        rec("MODIFY", 2, second, first),
        rec("REMOVE", 3, None, second),
    ]
    process_stream_event({"Records": events}, sink, now=NOW, projection=view, metrics=False)
    assert len(sink) == 0


def test_a_predicate_that_raises_rejects_its_record_not_the_batch() -> None:
    view = declare(shown=lambda order: order.region_or_none.startswith("e"))
    dead: list[BadRecord] = []
    sink = InMemorySink(KEY)
    odd = order(order_id="o-2")  # no region_or_none: the predicate calls None.startswith
    response = process_stream_event(
        {"Records": [record("INSERT", 1, odd), record("INSERT", 2, order(region_or_none="eu"))]},
        sink,
        now=NOW,
        projection=view,
        metrics=False,
        dead_letter=dead.append,
    )
    assert response == {"batchItemFailures": []}
    assert len(sink) == 3
    (bad,) = dead
    assert "shown predicate raised" in str(bad.error)


def test_a_remove_without_old_image_cannot_propagate_and_says_so() -> None:
    view = declare(propagate_removes=True)
    gone = record("REMOVE", 1, None, order())
    del gone["dynamodb"]["OldImage"]
    dead: list[BadRecord] = []
    process_stream_event(
        {"Records": [gone]},
        InMemorySink(KEY),
        now=NOW,
        projection=view,
        metrics=False,
        dead_letter=dead.append,
    )
    (bad,) = dead
    assert isinstance(bad.error, InvalidInputError)
    assert bad.error.path == "dynamodb.OldImage"


def test_an_image_of_another_item_than_its_keys_is_bad_input() -> None:
    wrong = record("INSERT", 1, order())
    wrong["dynamodb"]["Keys"] = {"order_id": {"S": "o-999"}, "created_at": order()["created_at"]}
    sink, dead = run(wrong)
    assert len(sink) == 0
    (bad,) = dead
    assert isinstance(bad.error, InvalidInputError)
    assert bad.error.path == "dynamodb.NewImage.order_id"


def test_the_docs_replay_of_the_orders_event_runs_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``cd examples/orders && dashboard-projection replay event.json --dry-run --view ...``."""
    monkeypatch.chdir(Path(__file__).parent.parent / "examples" / "orders")
    now = ["--now", "2025-11-16T12:00:00Z"]
    assert main(["replay", "event.json", "--dry-run", "--view", "orders:orders", *now]) == 0
    out, err = capsys.readouterr()
    items = [json.loads(line) for line in out.splitlines()]
    assert {(item["order_id"], item.get("category")) for item in items} == {
        ("o-1001", None),
        ("o-1001", "books"),
        ("o-1002", None),
        ("o-1002", "garden"),
    }
    assert "would delete" in err
    assert "category#toys#" in err


class Defaulted(BaseModel):
    """A status the primary table may leave out: then it is the default."""

    id: str
    at: str
    status: str = "open"


def test_shown_when_an_absent_attribute_is_its_default_on_both_paths() -> None:
    view = DashboardView(
        model=Defaulted, key=("id",), timestamp="at", shown=ShownWhen("status", "open")
    )
    image = {"id": {"S": "t-1"}, "at": {"S": "2025-11-16T10:00:00Z"}}
    assert len(view.project_image(image, now=NOW)) == 1
    assert len(view.project(Defaulted(id="t-1", at="2025-11-16T10:00:00Z"), now=NOW)) == 1
    assert view.project_image(image | {"status": {"S": "closed"}}, now=NOW) == []


def test_a_bad_record_says_which_record_it_is() -> None:
    broken = record("INSERT", 7, order(total=Decimal("100000.00")))
    _, dead = run(broken)
    (bad,) = dead
    assert (bad.event_id, bad.sequence_number) == ("e7", "7")
    assert (BadRecord(None, bad.error).event_id, BadRecord(None, bad.error).sequence_number) == (
        "",
        "",
    )


def test_serialize_item_writes_a_views_typed_item_as_the_view_does() -> None:
    item = Order.model_validate(
        {"order_id": "o-1", "created_at": "2025-11-16T23:30:00-05:00", "status": "paid",
         "total": "129.95", "customer_id": "c", "region": "eu"}
    )  # fmt: skip
    (typed,) = orders.project(item, now=NOW)
    assert serialize_item(typed) == orders.project_wire(item, now=NOW)[0]


def test_an_image_of_another_item_still_deletes_what_its_old_image_had() -> None:
    before = order()
    sink, _ = run(record("INSERT", 1, before))
    wrong = record("MODIFY", 2, order(order_id="o-999"), before)
    wrong["dynamodb"]["Keys"] = {"order_id": before["order_id"], "created_at": before["created_at"]}
    _, dead = run(wrong, sink=sink)
    assert len(dead) == 1
    assert len(sink) == 0  # o-1's items went with its rejected MODIFY, as for an invalid image
