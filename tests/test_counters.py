"""Counters: the declaration's checks, sequence numbers, the transaction's shape, the hooks."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st
from orders import orders

from dashboard_projection import (
    ConfigurationError,
    DashboardView,
    FailedWrite,
    InMemorySink,
    InvalidInputError,
    Put,
    RejectedWriteError,
    WriteOp,
    WriteResult,
    make_handler,
    process_stream_event,
    sentiment_view,
)
from dashboard_projection._cli._recount import _days_kept
from dashboard_projection._counters._declaration import Contribution, Counters, add
from dashboard_projection._counters._items import sequence_key, transaction
from dashboard_projection._counters._reader import as_totals, totals_of
from dashboard_projection._counters._units import Change, merged_deltas, pack
from dashboard_projection._counters._writer import CounterWriter
from dashboard_projection._sentiment._counters import sentiment_counters
from test_view_orders import order, record
from transactions import TransactionalTable

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
SAMPLE = "src/dashboard_projection/samples/sample_event.json"
KEY = ("day_partition", "item_key")


def epoch_now() -> int:
    return int(datetime.now(UTC).timestamp())


def sample_event() -> dict[str, Any]:
    with open(SAMPLE, encoding="utf-8") as sample:  # noqa: PTH123 - a fixed repository file
        event: dict[str, Any] = json.load(sample)
    return event


def run(event: dict[str, Any], writer: CounterWriter) -> object:
    return process_stream_event(
        event,
        InMemorySink(writer.counters.view.key_attributes),
        projection=writer.counters.view,
        counters=writer,
        now=NOW,
        metrics=False,
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"by": ("status",)}, "does not copy"),
        ({"sums": ("score", "score")}, "distinct"),
        ({"sums": ("sentiment",)}, "only numbers can be summed"),
        ({"shards": 0}, "shards must be in"),
        ({"shards": True}, "whole number"),
        ({"retention": timedelta(0)}, "positive"),
    ],
)
def test_a_declaration_mistake_is_a_configuration_error(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Counters(view=sentiment_view(), **options)


def test_a_fan_out_too_wide_for_one_transaction_is_refused() -> None:
    # a marker, then old and new: the day total, one sentiment and every tag
    assert Counters(view=sentiment_view(max_tags=47), by=("sentiment",)).max_actions == 99
    with pytest.raises(ConfigurationError, match="transaction takes 100"):
        Counters(view=sentiment_view(max_tags=48), by=("sentiment",))


def test_per_member_needs_a_fan_out() -> None:
    view = sentiment_view()
    plain = DashboardView(model=view.model, key=view.key, timestamp=view.timestamp, copy=("score",))
    with pytest.raises(ConfigurationError, match="give per_member=False"):
        Counters(view=plain)
    assert Counters(view=plain, per_member=False).dimensions == ("*",)


def test_sequence_numbers_of_any_length_compare_as_numbers() -> None:
    numbers = ["9", "10", "99", "100", "4" * 21, "1" + "0" * 39]
    assert sorted(numbers, key=sequence_key) == sorted(numbers, key=int)
    for bad in ("", "12a", "1" * 41, "١٢"):
        with pytest.raises(InvalidInputError, match="SequenceNumber"):
            sequence_key(bad)


def test_a_record_without_a_usable_sequence_number_is_rejected_and_the_rest_counted() -> None:
    event = sample_event()
    event["Records"][0]["dynamodb"]["SequenceNumber"] = "not-a-number"
    table = TransactionalTable()
    writer = CounterWriter(sentiment_counters(), "c", client=table)
    assert run(event, writer) == {"batchItemFailures": []}
    totals = as_totals(writer.counters, totals_of(writer.counters, table.items.values()))
    # record 0 was the first analyzed image of the BBC item; record 3 (its MODIFY) counted it
    assert {(t.day, t.dimension, t.value, t.count) for t in totals if t.dimension == "*"} == {
        (date(2025, 11, 16), "*", "*", 1),
        (date(2025, 11, 17), "*", "*", 1),
    }


def test_one_transaction_merges_old_and_new_counters_within_the_action_limit() -> None:
    counters = sentiment_counters()
    old: Contribution = {f"2025-11-16#tag#old{n}": (Decimal(1), Decimal("0.5")) for n in range(20)}
    new: Contribution = {f"2025-11-16#tag#new{n}": (Decimal(1), Decimal("0.5")) for n in range(20)}
    old["2025-11-16#*#*"] = new["2025-11-16#*#*"] = (Decimal(1), Decimal("0.5"))
    change = Change("s", sequence_key("5"), old, new, (0,))
    markers = [(change.source, change.sequence, change.expected, change.new)]
    actions = transaction(counters, "c", markers, merged_deltas([change]), shard=0, now=NOW)
    assert len(actions) == 1 + 40 <= counters.max_actions
    keys = [json.dumps(next(iter(a.values())).get("Key"), sort_keys=True) for a in actions[1:]]
    assert len(set(keys)) == len(keys)  # each item once per transaction


def test_a_batch_is_one_transaction_whatever_its_records() -> None:
    table = TransactionalTable()
    writer = CounterWriter(sentiment_counters(), "c", client=table)
    assert run(sample_event(), writer) == {"batchItemFailures": []}
    assert table.calls == writer.requests == 1  # 4 records, 3 source items
    assert run(sample_event(), writer) == {"batchItemFailures": []}  # a redelivery
    assert table.calls == 2  # cancelled: every marker is at its record already; nothing resent


def test_retention_expires_counters_after_their_day_and_markers_after_their_last_day() -> None:
    table = TransactionalTable()
    writer = CounterWriter(sentiment_counters(retention=timedelta(days=30)), "c", client=table)
    run(sample_event(), writer)
    day_end = int(datetime(2025, 11, 17, tzinfo=UTC).timestamp())
    month = 30 * 86_400
    counter = table.items["counter#2025-11-16", "*#*#" + _shard(table, "2025-11-16")]
    assert counter["expires_at"] == {"N": str(day_end + month)}
    marker = next(item for key, item in table.items.items() if key[0].startswith("marker#reddit"))
    assert marker["expires_at"] == {"N": str(day_end + 86_400 + month)}  # its day: 11-17


def _shard(table: TransactionalTable, day: str) -> str:
    (shard,) = {sk.rsplit("#", 1)[1] for pk, sk in table.items if pk == f"counter#{day}"}
    return shard


class Refusing:
    """A client whose every transaction DynamoDB refuses as invalid."""

    calls = 0

    def transact_write_items(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        error: Any = {"Error": {"Code": "ValidationException", "Message": "Item size too big"}}
        raise ClientError(error, "TransactWriteItems")

    def get_item(self, **_: Any) -> dict[str, Any]:
        return {}


def test_a_transaction_dynamodb_refuses_rejects_its_record_and_the_batch_goes_on() -> None:
    client = Refusing()
    writer = CounterWriter(sentiment_counters(), "c", client=client)
    assert run(sample_event(), writer) == {"batchItemFailures": []}
    assert client.calls == 1 + 3  # the batch's, then each source item's alone: never retried


def test_throttles_outlasting_the_attempts_resume_from_the_transactions_first_record() -> None:
    table = TransactionalTable()
    table.faults = ["throttle", "throttle"]
    writer = CounterWriter(
        sentiment_counters(), "c", client=table, max_attempts=2, sleep=lambda _: None
    )
    assert run(sample_event(), writer) == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    assert not table.items
    assert run(sample_event(), writer) == {"batchItemFailures": []}  # Lambda's retry


def test_make_handler_counts_the_view_it_runs_and_needs_the_counters_table() -> None:
    counters = sentiment_counters()
    sink = InMemorySink(counters.view.key_attributes)
    table = TransactionalTable()
    environ = {"COUNTERS_TABLE_NAME": "c", "TTL_DAYS": "3"}
    with pytest.MonkeyPatch.context() as patch:  # the writer's client: the fake, not boto3's
        patch.setattr("dashboard_projection._engine._botocore.botocore_client", lambda _: table)
        patch.setattr("dashboard_projection._engine._signed_call.SignedWrites", lambda c: c)
        handler = make_handler(counters=counters, sink=sink, environ=environ)
    assert handler(sample_event(), None) == {"batchItemFailures": []}
    assert totals_of(counters, table.items.values()) == counters.contribution(sink.items())
    lifetimes = {int(item["expires_at"]["N"]) - epoch_now() for item in sink.items()}
    assert all(3 * 86_400 - 60 < lifetime <= 3 * 86_400 for lifetime in lifetimes)  # TTL_DAYS
    with pytest.raises(ConfigurationError, match="COUNTERS_TABLE_NAME"):
        make_handler(counters=counters, sink=InMemorySink(counters.view.key_attributes), environ={})
    with pytest.raises(ConfigurationError, match="counters must count the view"):
        make_handler(
            sentiment_view(ttl_days=3),
            counters=counters,
            sink=InMemorySink(counters.view.key_attributes),
            environ={"COUNTERS_TABLE_NAME": "c"},
        )


class NoTimeLeft:
    def get_remaining_time_in_millis(self) -> int:
        return 1_000  # under the processor's 2 s margin: the deadline has passed


def test_past_the_deadline_the_counters_are_left_for_the_retry() -> None:
    table = TransactionalTable()
    writer = CounterWriter(sentiment_counters(), "c", client=table)
    response = process_stream_event(
        sample_event(),
        InMemorySink(writer.counters.view.key_attributes),
        projection=writer.counters.view,
        counters=writer,
        now=NOW,
        context=NoTimeLeft(),
        metrics=False,
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    assert table.calls == 0


def test_counters_over_another_view_count_its_by_values_members_and_sums() -> None:
    counters = Counters(view=orders, by=("status", "region"), sums=("total",), shards=2)
    paid = order()
    shipped = order(status="shipped", categories={"books"})
    placed = order(order_id="o-2", total=Decimal("5.00"), region="us")
    paid_2 = order(order_id="o-2", total=Decimal("5.00"), region="us", status="paid")
    events = [
        record("INSERT", 1, paid),
        record("INSERT", 2, placed),
        record("MODIFY", 3, shipped, paid),
        record("MODIFY", 4, paid_2, placed),
    ]
    table = TransactionalTable()
    writer = CounterWriter(counters, "c", client=table)
    sink = InMemorySink(orders.key_attributes)
    for batch in (events, events[2:], events):  # in order, a resumed half, a redelivery
        process_stream_event(
            {"Records": batch}, sink, projection=orders, counters=writer, now=NOW, metrics=False
        )
    totals = totals_of(counters, table.items.values())
    assert totals == counters.contribution(sink.items())
    day = "2025-11-17"  # both orders are of the 17th in UTC
    assert totals == {
        f"{day}#*#*": (Decimal(2), Decimal("134.95")),
        f"{day}#status#shipped": (Decimal(1), Decimal("129.95")),
        f"{day}#status#paid": (Decimal(1), Decimal("5.00")),
        f"{day}#region#eu": (Decimal(1), Decimal("129.95")),
        f"{day}#region#us": (Decimal(1), Decimal("5.00")),
        f"{day}#category#books": (Decimal(2), Decimal("134.95")),
        f"{day}#category#toys": (Decimal(1), Decimal("5.00")),
    }


def test_without_a_region_the_writer_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    with pytest.raises(ConfigurationError, match="cannot make a DynamoDB client"):
        CounterWriter(sentiment_counters(), "c")


# --- transactions in parallel, each on its own shard ----------------------------------------


class Gate:
    """A client in front of the fake: holds the first ``parties`` transactions until all are in
    flight, and throttles every transaction of an order named in ``throttled``."""

    def __init__(self, table: TransactionalTable, parties: int, throttled: set[str]) -> None:
        self.table = table
        self.parties = parties
        self.barrier = threading.Barrier(parties, timeout=10)
        self.throttled = throttled
        self.arrived = 0
        self.lock = threading.Lock()
        self.shards: list[set[str]] = []  # the counter shards of each transaction, as it arrives
        self.landed: list[set[str]] = []  # the sources of each transaction that landed
        self.refused: list[set[str]] = []  # the sources of each throttled transaction

    def transact_write_items(self, **kwargs: Any) -> dict[str, Any]:
        actions = kwargs["TransactItems"]
        sources = {
            a["Put"]["Item"]["pk"]["S"].removeprefix("marker#") for a in actions if "Put" in a
        }
        with self.lock:
            self.arrived += 1
            first = self.arrived <= self.parties
            self.shards.append(
                {a["Update"]["Key"]["sk"]["S"].rsplit("#", 1)[1] for a in actions if "Update" in a}
            )
        if first:
            with contextlib.suppress(threading.BrokenBarrierError):
                self.barrier.wait()  # fails the test (timeout) unless `parties` are in flight
        if {source.split("#")[0] for source in sources} & self.throttled:
            self.refused.append(sources)
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}},
                "TransactWriteItems",
            )
        response = self.table.transact_write_items(**kwargs)
        self.landed.append(sources)
        return response


def many_orders(count: int) -> dict[str, Any]:
    """``count`` orders, each inserted then paid: two records per source item."""
    records = []
    for n in range(count):
        placed = order(order_id=f"o-{n}", status="placed")
        paid = order(order_id=f"o-{n}", status="paid")
        records += [record("INSERT", 2 * n + 1, placed), record("MODIFY", 2 * n + 2, paid, placed)]
    return {"Records": records}


ORDER_COUNTERS = Counters(view=orders, by=("status",), sums=("total",), shards=4)
#: Enough source items for five transactions: each holds about 96 markers and 4 counters.
MANY = 400


def test_transactions_go_out_in_parallel_each_on_its_own_shard() -> None:
    table = TransactionalTable()
    gate = Gate(table, parties=4, throttled=set())
    writer = CounterWriter(ORDER_COUNTERS, "c", client=gate, max_concurrency=4)
    sink = InMemorySink(orders.key_attributes)
    response = process_stream_event(
        many_orders(MANY), sink, projection=orders, counters=writer, now=NOW, metrics=False
    )
    assert response == {"batchItemFailures": []}
    assert not gate.barrier.broken, "four transactions were in flight at once"
    assert len(gate.landed) == writer.requests == 5
    first_four = set.union(*gate.shards[:4])
    assert len(first_four) == 4, f"each on its own shard: {gate.shards[:4]}"
    assert all(len(shards) == 1 for shards in gate.shards)
    assert totals_of(ORDER_COUNTERS, table.items.values()) == ORDER_COUNTERS.contribution(
        sink.items()
    )


def test_a_failing_transaction_resumes_from_its_first_record_and_the_others_land() -> None:
    table = TransactionalTable()
    gate = Gate(table, parties=1, throttled={"o-150"})
    writer = CounterWriter(
        ORDER_COUNTERS, "c", client=gate, max_attempts=2, sleep=lambda _: None, max_concurrency=4
    )
    sink = InMemorySink(orders.key_attributes)
    event = many_orders(MANY)
    response = process_stream_event(
        event, sink, projection=orders, counters=writer, now=NOW, metrics=False
    )
    first = min(int(source.split("#")[0].removeprefix("o-")) for source in gate.refused[0])
    assert response == {"batchItemFailures": [{"itemIdentifier": str(2 * first + 1)}]}
    assert any(f"o-{MANY - 1}#" in "".join(sources) for sources in gate.landed), "others landed"
    gate.throttled.clear()  # Lambda delivers again from there: what landed after it is a no-op
    retried = {"Records": event["Records"][2 * first :]}
    assert process_stream_event(
        retried, sink, projection=orders, counters=writer, now=NOW, metrics=False
    ) == {"batchItemFailures": []}
    assert totals_of(ORDER_COUNTERS, table.items.values()) == ORDER_COUNTERS.contribution(
        sink.items()
    )


def test_counters_over_an_equal_view_are_the_handlers_own() -> None:
    counters = sentiment_counters()  # over sentiment_view(), an equal but separate object
    table = TransactionalTable()
    with pytest.MonkeyPatch.context() as patch:  # the writer's client: the fake, not boto3's
        patch.setattr("dashboard_projection._engine._botocore.botocore_client", lambda _: table)
        patch.setattr("dashboard_projection._engine._signed_call.SignedWrites", lambda c: c)
        handler = make_handler(
            sentiment_view(propagate_removes=False),
            counters=counters,
            sink=InMemorySink(counters.view.key_attributes),
            environ={"COUNTERS_TABLE_NAME": "c"},
        )
    assert handler(sample_event(), None) == {"batchItemFailures": []}


_COUNTER_IDS = st.sampled_from([f"2025-11-16#tag#t{n}" for n in range(60)])
_AMOUNTS = st.tuples(st.integers(-2, 2).map(Decimal), st.just(Decimal(0)))


@given(
    contributions=st.lists(
        st.tuples(
            st.dictionaries(_COUNTER_IDS, _AMOUNTS, max_size=30),
            st.dictionaries(_COUNTER_IDS, _AMOUNTS, max_size=30),
        ),
        max_size=40,
    ),
    max_actions=st.integers(1, 100),
)
def test_packed_transactions_keep_the_order_and_the_action_limit(
    contributions: list[tuple[Contribution, Contribution]], max_actions: int
) -> None:
    changes = [
        Change(f"s{n}", sequence_key(str(n + 1)), expected, new, (n,))
        for n, (expected, new) in enumerate(contributions)
    ]
    groups = pack(changes, max_actions)
    assert [change for group in groups for change in group] == changes
    for group in groups:
        actions = len(group) + len(set().union(*(change.deltas for change in group)))
        assert actions <= max_actions or len(group) == 1
        merged = merged_deltas(group)
        expected_sum: Contribution = {}
        for change in group:
            for identifier, amounts in change.deltas.items():
                add(expected_sum, identifier, amounts)
        assert merged == {key: value for key, value in expected_sum.items() if any(value)}


class RefusingOneItem(InMemorySink):
    """An in-memory dashboard table that refuses every write of one source item."""

    def __init__(self, key_attributes: tuple[str, ...], source_id: str) -> None:
        super().__init__(key_attributes)
        self.source_id = source_id

    def write(self, ops: Sequence[WriteOp], *, deadline: float | None = None) -> WriteResult:
        refused = {
            position
            for position, op in enumerate(ops)
            if isinstance(op, Put) and op.item["source_id"] == {"S": self.source_id}
        }
        kept = [position for position in range(len(ops)) if position not in refused]
        result = super().write([ops[position] for position in kept], deadline=deadline)
        assert result.ok
        error = RejectedWriteError("Item size has exceeded the maximum allowed size")
        return WriteResult(failed=tuple(FailedWrite(position, error) for position in refused))


def test_a_record_whose_dashboard_write_was_refused_is_not_counted() -> None:
    table = TransactionalTable()
    writer = CounterWriter(sentiment_counters(), "c", client=table)
    sink = RefusingOneItem(writer.counters.view.key_attributes, "reddit#t3_1gsx0kq")
    response = process_stream_event(
        sample_event(), sink, projection=writer.counters.view, counters=writer, now=NOW,
        metrics=False,
    )  # fmt: skip
    assert response == {"batchItemFailures": []}  # refused: dead-lettered, not retried
    totals = totals_of(writer.counters, table.items.values())
    assert totals == writer.counters.contribution(sink.items())
    assert not any("reddit" in pk for pk, _ in table.items), "no marker for the refused item"


def test_counters_of_another_view_are_refused_before_any_write() -> None:
    sink = InMemorySink(orders.key_attributes)
    writer = CounterWriter(sentiment_counters(), "c", client=TransactionalTable())
    with pytest.raises(ConfigurationError, match="count another view"):
        process_stream_event(many_orders(1), sink, projection=orders, counters=writer, now=NOW)
    orders_writer = CounterWriter(ORDER_COUNTERS, "c", client=TransactionalTable())
    with pytest.raises(ConfigurationError, match="count another view"):  # the default view
        process_stream_event(sample_event(), InMemorySink(KEY), counters=orders_writer, now=NOW)
    assert not sink.items()


def test_a_declaration_where_its_writer_belongs_says_what_to_write() -> None:
    with pytest.raises(ConfigurationError, match=r"CounterWriter\(counters, table_name\)"):
        process_stream_event(
            sample_event(),
            InMemorySink(KEY),
            counters=sentiment_counters(),  # type: ignore[arg-type]
            now=NOW,
        )


def test_the_default_view_takes_counters_of_the_same_view() -> None:
    table = TransactionalTable()
    writer = CounterWriter(sentiment_counters(), "c", client=table)
    sink = InMemorySink(KEY)
    assert process_stream_event(sample_event(), sink, counters=writer, now=NOW, metrics=False) == {
        "batchItemFailures": []
    }
    assert totals_of(writer.counters, table.items.values()) == writer.counters.contribution(
        sink.items()
    )


@pytest.mark.parametrize(
    ("ttl", "days"),
    [(timedelta(hours=12), 1), (timedelta(days=1), 1), (timedelta(hours=36), 2), (timedelta(7), 7)],
)
def test_recount_by_default_covers_the_days_a_ttl_keeps(ttl: timedelta, days: int) -> None:
    assert _days_kept(ttl) == days
