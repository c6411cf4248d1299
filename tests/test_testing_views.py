"""The generic strategies and the law check of ``dashboard_projection.testing``, on three views.

The sentiment dashboard's, an orders table's and a sensor table's (``tests/views.py``, whose
combined key is signed): images of each model validate and project; streams follow the
declaration; ``check_view_laws`` passes for each and fails for projections that break a law.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from pydantic import BaseModel, Field

from dashboard_projection import (
    ConfigurationError,
    DashboardView,
    Delete,
    InvalidInputError,
    ShownWhen,
    StreamRecord,
    WriteOp,
    deserialize_image,
)
from dashboard_projection.testing import (
    check_view_laws,
    stream_images,
    stream_records,
    view_laws,
)
from dashboard_projection.testing._queries import check_queries
from dashboard_projection.testing._reference import Reference
from dashboard_projection.testing._table import record
from views import ORDERS, SENSORS, VIEWS, Order

NOW = datetime(2025, 11, 16, 12, tzinfo=UTC)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Failing runs: a fixed search, no shrinking (the failure is the point, not its smallest form).
FIND = settings(
    max_examples=60,
    stateful_step_count=8,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Record = dict[str, Any]


def validated(view: DashboardView[Any, Any], image: dict[str, Any]) -> BaseModel:
    known = {name: value for name, value in image.items() if name in view.model.model_fields}
    model: BaseModel = view.model.model_validate(deserialize_image(known), context={"max_tags": 20})
    return model


# --- images ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VIEWS)
def test_images_validate_with_the_model_and_project(name: str) -> None:
    view = VIEWS[name]

    @PROPERTY
    @given(stream_images(view))
    def check(image: dict[str, Any]) -> None:
        item = validated(view, image)
        items = view.project_image(image, now=NOW)
        keys = [(wire["day_partition"], wire["item_key"]) for wire in items]
        from_model = view.project_wire(item, now=NOW)
        # Both paths agree, an absent ShownWhen attribute included (it is the model's default).
        assert keys == [(wire["day_partition"], wire["item_key"]) for wire in from_model]
        for wire in items:
            assert view.read_item(wire).model_dump()["item_key"] == wire["item_key"]["S"]

    check()


class Stage(StrEnum):
    """The stages a ``ShownWhen`` on an Enum field hides and shows."""

    DRAFT = "draft"
    LIVE = "live"


class Post(BaseModel):
    """A post whose ``stage`` is an Enum: hidden by ``draft`` alone, the one other value."""

    post_id: str = Field(min_length=1)
    at: str
    stage: Stage


def test_shown_when_hides_with_a_value_the_field_allows() -> None:
    view = DashboardView(
        model=Post, key=("post_id",), timestamp="at", shown=ShownWhen("stage", "live")
    )
    stages: set[str] = set()

    @settings(max_examples=40, database=None, derandomize=True, phases=[Phase.generate])
    @given(stream_images(view))
    def check(image: dict[str, Any]) -> None:
        post = validated(view, image)
        assert isinstance(post, Post)
        stages.add(post.stage)

    check()
    assert stages == {"draft", "live"}


def test_shown_when_names_only_values_an_enum_field_allows() -> None:
    with pytest.raises(ConfigurationError, match="never allows: Live"):
        DashboardView(
            model=Post, key=("post_id",), timestamp="at", shown=ShownWhen("stage", "Live")
        )


@pytest.mark.parametrize("name", VIEWS)
def test_images_are_shown_and_hidden_members_and_spellings_vary(name: str) -> None:
    view = VIEWS[name]
    seen: set[str] = set()

    @settings(max_examples=60, database=None, derandomize=True, phases=[Phase.generate])
    @given(stream_images(view))
    def look(image: dict[str, Any]) -> None:
        items = view.project_image(image, now=NOW)
        seen.add("shown" if items else "hidden")
        seen.update("member" for item in items if view.layout.member_attribute in item)
        numbers = [value["N"] for value in image.values() if "N" in value]
        seen.update("respelled" for number in numbers if number != str(Decimal(number)))

    look()
    hidden = {"hidden"} if view.shown is not None else set()
    assert seen == {"shown", "member", "respelled"} | hidden


@PROPERTY
@given(stream_images(SENSORS))
def test_sensor_readings_reach_both_signs(image: dict[str, Any]) -> None:
    reading = Decimal(image["reading"]["N"])
    assert Decimal("-40.00") <= reading <= Decimal("125.00")


def test_signed_combined_values_below_zero_are_drawn() -> None:
    readings: list[Decimal] = []

    @settings(max_examples=40, database=None, derandomize=True, phases=[Phase.generate])
    @given(stream_images(SENSORS))
    def look(image: dict[str, Any]) -> None:
        readings.append(Decimal(image["reading"]["N"]))

    look()
    assert min(readings) < 0 < max(readings)
    assert Decimal(-40) in readings  # the bound itself


@PROPERTY
@given(stream_images(ORDERS, fields={"status": st.just("paid"), "region": st.just("eu-west")}))
def test_fields_override_the_model_types(image: dict[str, Any]) -> None:
    assert image["status"] == {"S": "paid"}
    assert image["region"] == {"S": "eu-west"}
    assert ORDERS.project_image(image, now=NOW)


class Tagged(BaseModel):
    code: str = Field(pattern="^[A-Z]{3}$")
    at: str


TAGGED = DashboardView(model=Tagged, key=("code",), timestamp="at")


def test_a_constraint_without_a_rule_needs_an_override() -> None:
    with pytest.raises(InvalidArgument, match=r"pattern.*fields=\{'code'"):
        stream_images(TAGGED)
    codes = st.from_regex("[A-Z]{3}", fullmatch=True)

    @PROPERTY
    @given(stream_images(TAGGED, fields={"code": codes}))
    def check(image: dict[str, Any]) -> None:
        assert re.fullmatch("[A-Z]{3}", image["code"]["S"])
        assert TAGGED.project_image(image, now=NOW)

    check()


@pytest.mark.parametrize(
    "make",
    [
        lambda: stream_images(ORDERS, fields={"no_such_field": st.just(1)}),
        lambda: stream_images(ORDERS, fields={"status": "paid"}),  # type: ignore[dict-item]
        lambda: stream_images(ORDERS, items=st.nothing()),
        lambda: stream_images(fields={"status": st.just("paid")}),
        lambda: stream_records(fields={"status": st.just("paid")}),
        lambda: stream_records(ORDERS, statuses=("paid",)),
        lambda: stream_records(ORDERS, max_tags=3),
        lambda: stream_images(Order),  # type: ignore[arg-type]
        lambda: view_laws(ORDERS, now=datetime(2025, 1, 1)),  # noqa: DTZ001
    ],
    ids=[
        "unknown field",
        "not a strategy",
        "items with a view",
        "fields without a view",
        "records: fields without a view",
        "statuses with a view",
        "max_tags with a view",
        "a model, not a view",
        "naive now",
    ],
)
def test_bad_options_are_refused(make: Any) -> None:
    with pytest.raises(InvalidArgument):
        make()


# --- streams -----------------------------------------------------------------------------------


def is_bad(record: Record) -> bool:
    return str(record["eventID"]).startswith("bad-")


@pytest.mark.parametrize("name", ["orders", "sensors"])
def test_view_streams_follow_the_declaration(name: str) -> None:
    view = VIEWS[name]

    @PROPERTY
    @given(stream_records(view, bad=True))
    def check(records: list[Record]) -> None:
        table: dict[str, Any] = {}
        for raw in records:
            if is_bad(raw):
                with pytest.raises(InvalidInputError):
                    view(StreamRecord.from_lambda_record(raw), now=NOW)
                continue
            body = raw["dynamodb"]
            assert set(body["Keys"]) == set(view.key)
            key = repr(sorted(body["Keys"].items()))
            assert body.get("OldImage") == table.get(key)
            if raw["eventName"] == "REMOVE":
                del table[key]
            else:
                table[key] = body["NewImage"]
                assert {name: body["NewImage"][name] for name in view.key} == body["Keys"]
                validated(view, body["NewImage"])
            view(StreamRecord.from_lambda_record(raw), now=NOW)

    check()


def test_view_streams_reach_the_interesting_cases() -> None:
    layout = ORDERS.layout
    seen: set[str] = set()
    kinds: set[str] = set()

    def members(raw: Record, image: str) -> set[str]:
        value = raw["dynamodb"].get(image, {}).get(layout.member_source, {})
        return set(value.get("SS", []))

    def shown(raw: Record, image: str) -> bool:
        return bool(
            image in raw["dynamodb"] and ORDERS.project_image(raw["dynamodb"][image], now=NOW)
        )

    @settings(max_examples=40, database=None, derandomize=True, phases=[Phase.generate])
    @given(stream_records(ORDERS, bad=True))
    def look(records: list[Record]) -> None:
        for raw in records:
            if is_bad(raw):
                seen.add("bad")
                kinds.add(str(raw["eventID"]).split("-")[1])
            elif raw["eventName"] == "MODIFY":
                old, new = members(raw, "OldImage"), members(raw, "NewImage")
                seen.update({"member added"} if new - old else set())
                seen.update({"member dropped"} if old - new else set())
                seen.update(
                    {"hidden"} if shown(raw, "OldImage") and not shown(raw, "NewImage") else set()
                )
                body = raw["dynamodb"]
                if body["OldImage"]["total"] != body["NewImage"]["total"]:
                    seen.add("value changed")
            elif "userIdentity" in raw:
                seen.add("ttl delete")

    look()
    wanted = {"member added", "member dropped", "hidden", "value changed", "ttl delete"}
    assert wanted | {"bad"} <= seen, wanted - seen
    assert len(kinds) >= 8, kinds


# --- the laws ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VIEWS)
def test_the_views_keep_the_laws(name: str) -> None:
    check_view_laws(VIEWS[name], max_examples=60)


def test_the_laws_run_as_a_state_machine_test_case() -> None:
    machine = view_laws(SENSORS)
    assert machine.__name__ == "ReadingViewLaws"
    machine.TestCase.settings = settings(FIND, max_examples=10)
    machine.TestCase("runTest").runTest()


class Wrapper:
    """A projection that runs a view's: the broken ones below change what it returns."""

    def __init__(self, view: DashboardView[Any, Any]) -> None:
        self.view = view
        self.key_attributes = view.key_attributes


class DropsDeletes(Wrapper):
    """A broken wrapper: the view's writes without its deletes, so stale items stay."""

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        return [op for op in self.view(record, now=now) if not isinstance(op, Delete)]


class DriftingClock(Wrapper):
    """A broken wrapper: each call a second later, so a replay writes another TTL."""

    calls = 0

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        self.calls += 1
        return self.view(record, now=now + timedelta(seconds=self.calls))


class AcceptsAnything(Wrapper):
    """A broken wrapper: a record the view rejects projects to nothing instead."""

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        try:
            return self.view(record, now=now)
        except InvalidInputError:
            return []


class WritesTwice(Wrapper):
    """A broken wrapper: the base item put twice in one record's writes."""

    def __call__(self, record: StreamRecord, *, now: datetime) -> list[WriteOp]:
        ops = self.view(record, now=now)
        return ops + ops[:1]


@pytest.mark.parametrize(
    ("broken", "law"),
    [
        (DropsDeletes, "no stale items"),
        (WritesTwice, "distinct keys"),
        (DriftingClock, "batches|replays"),
        (AcceptsAnything, "total"),
    ],
)
@pytest.mark.parametrize("name", ["orders", "sensors"])
def test_the_laws_catch_a_broken_projection(broken: Any, law: str, name: str) -> None:
    view = VIEWS[name]
    with pytest.raises(AssertionError, match=f"law '({law})' broken"):
        check_view_laws(view, projection=broken(view), settings=FIND)


def test_the_query_law_catches_an_index_that_is_not_sparse() -> None:
    """A fan-out copy carrying the combined key: the combined query would see the order twice."""
    image: dict[str, dict[str, Any]] = {
        "order_id": {"S": "o-1"},
        "created_at": {"S": "2025-11-16T09:30:00+01:00"},
        "status": {"S": "paid"},
        "total": {"N": "129.95"},
        "categories": {"SS": ["books"]},
        "customer_id": {"S": "c-1"},
        "region": {"S": "eu"},
    }
    keys = {name: image[name] for name in ORDERS.key}
    reference = Reference(ORDERS, NOW)
    reference.apply(record("INSERT", 1, 1_763_300_000, keys, new=image), bad=False)
    table = list(reference.table().values())
    check_queries(ORDERS, reference, table)  # the view's own items keep the law
    combined = ORDERS.layout.combined_attribute or ""
    base = next(item for item in table if combined in item)
    broken = [item if combined in item else {**item, combined: base[combined]} for item in table]
    with pytest.raises(AssertionError, match=r"law 'queries' broken.*combined"):
        check_queries(ORDERS, reference, broken)
    with pytest.raises(AssertionError, match=r"query_by_day"):
        check_queries(ORDERS, reference, [*table, {**base, "item_key": {"S": "base#copy"}}])
