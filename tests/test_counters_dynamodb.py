"""Counters against real local servers: moto's ``TransactWriteItems`` over HTTP, no mocks.

Conflicts and lost replies come from :class:`servers.FaultProxy` in front of moto. dynalite has
no ``TransactWriteItems``: its test probes it and skips, saying so.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError
from orders import orders

from dashboard_projection import DynamoDBSink, process_stream_event
from dashboard_projection.__main__ import main
from dashboard_projection._counters._declaration import Counters
from dashboard_projection._counters._items import digest, encode_contribution
from dashboard_projection._counters._reader import as_totals
from dashboard_projection._counters._writer import CounterWriter
from dashboard_projection._engine._signed_call import SignedWrites
from dashboard_projection._sentiment._counters import sentiment_counters
from servers import create_view_table, fault_proxy, make_client
from test_view_orders import order, record

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mypy_boto3_dynamodb import DynamoDBClient

    from dashboard_projection import BatchResponse
    from dashboard_projection._counters._declaration import Contribution

pytestmark = pytest.mark.integration

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
SAMPLE = "src/dashboard_projection/samples/sample_event.json"
DAYS = (date(2025, 11, 16), date(2025, 11, 17))


def sample_records() -> list[dict[str, Any]]:
    with open(SAMPLE, encoding="utf-8") as sample:  # noqa: PTH123 - a fixed repository file
        records: list[dict[str, Any]] = json.load(sample)["Records"]
    return records


class Tables:
    """A dashboard table and a counters table on one server, and what runs a batch into both."""

    def __init__(self, client: DynamoDBClient, counters: Counters) -> None:
        self.client = client
        self.counters = counters
        self.dashboard = create_view_table(client, counters.view.table_spec("dashboard"))
        self.table = create_view_table(client, counters.table_spec("counters"))

    def run(self, records: list[dict[str, Any]], writer: CounterWriter) -> BatchResponse:
        return process_stream_event(
            {"Records": records},
            DynamoDBSink(self.dashboard, client=self.client),
            projection=self.counters.view,
            counters=writer,
            now=NOW,
            metrics=False,
        )

    def writer(self, client: DynamoDBClient | None = None, attempts: int = 3) -> CounterWriter:
        return CounterWriter(
            self.counters,
            self.table,
            client=client or self.client,
            max_attempts=attempts,
            sleep=lambda _: None,
            max_concurrency=1,  # faults are scripted by call order
        )

    def dashboard_items(self) -> Iterator[dict[str, Any]]:
        for page in self.client.get_paginator("scan").paginate(TableName=self.dashboard):
            yield from page["Items"]

    def assert_counters_equal_a_recount(self) -> None:
        recounted = as_totals(self.counters, self.counters.contribution(self.dashboard_items()))
        assert self.counters.read(self.client, self.table, *DAYS) == recounted
        assert recounted  # the sample has shown items: the comparison is not of two empties


@pytest.fixture
def tables(moto_endpoint: str) -> Tables:
    return Tables(make_client(moto_endpoint), sentiment_counters(shards=3))


def test_a_batch_delivered_again_and_in_halves_counts_each_record_once(tables: Tables) -> None:
    records = sample_records()
    writer = tables.writer()
    assert tables.run(records, writer) == {"batchItemFailures": []}
    assert tables.run(records, writer) == {"batchItemFailures": []}  # whole-batch redelivery
    assert tables.run(records[:2], writer) == {"batchItemFailures": []}  # a bisected half
    assert tables.run(records[2:], writer) == {"batchItemFailures": []}
    tables.assert_counters_equal_a_recount()
    totals = {(t.day, t.dimension, t.value): t.count for t in tables.counters.read(
        tables.client, tables.table, *DAYS)}  # fmt: skip
    assert totals[date(2025, 11, 16), "*", "*"] == 1  # the MODIFY replaced, did not add
    assert totals[date(2025, 11, 17), "tag", "AI"] == 1


def test_conflicts_and_a_lost_reply_are_retried_and_counted_once(
    tables: Tables, moto_endpoint: str
) -> None:
    with fault_proxy(moto_endpoint) as proxy:
        proxy.transact_faults = ["conflict", "lost", "conflict"]
        writer = tables.writer(make_client(proxy.endpoint), attempts=4)
        assert tables.run(sample_records(), writer) == {"batchItemFailures": []}
    # 4 records, 3 source items, one transaction; 3 faults, each answered by one more call: the
    # 4th finds the markers of the transaction that lost its reply (ConditionalCheckFailed,
    # ALL_OLD: every record superseded), so nothing is sent again
    assert proxy.transact_writes == writer.requests == 4
    tables.assert_counters_equal_a_recount()


def test_faults_past_the_attempts_resume_from_the_transactions_first_record(
    tables: Tables, moto_endpoint: str
) -> None:
    records = sample_records()
    with fault_proxy(moto_endpoint) as proxy:
        writer = tables.writer(make_client(proxy.endpoint), attempts=2)
        proxy.transact_faults = ["lost", "lost"]  # the batch transaction's reply, twice
        assert tables.run(records, writer) == {"batchItemFailures": [{"itemIdentifier": "101"}]}
        # Lambda resumes from 101: the transaction had landed, so nothing is counted twice.
        assert tables.run(records, writer) == {"batchItemFailures": []}
    tables.assert_counters_equal_a_recount()


def test_dynalite_has_no_transactions(dynalite_endpoint: str) -> None:
    client = make_client(dynalite_endpoint)
    counters = sentiment_counters()
    table = create_view_table(client, counters.table_spec("counters"))
    try:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "p"}, "sk": {"S": "s"}}}}
            ]
        )
    except ClientError as exc:
        reason = f"dynalite does not implement TransactWriteItems: {exc}"
        print(reason)  # noqa: T201 - the skip's reason, in the log as well
        pytest.skip(reason)
    pytest.fail("dynalite answered TransactWriteItems: run the counters' tests on it too")


def recount_main(tables: Tables, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                "recount", "--table", tables.dashboard, "--counters-table", tables.table,
                "--endpoint-url", str(tables.client.meta.endpoint_url),
                "--from", DAYS[0].isoformat(), "--to", DAYS[1].isoformat(), *extra,
            ]
        )  # fmt: skip
    return code, out.getvalue(), err.getvalue()


def test_recount_reports_drift_and_fix_repairs_markers_and_counters(
    moto_endpoint: str,
) -> None:
    tables = Tables(make_client(moto_endpoint), sentiment_counters())  # the CLI's default
    records = sample_records()
    writer = tables.writer()
    tables.run(records[:3], writer)
    code, out, _ = recount_main(tables)
    assert code == 0
    assert out.splitlines()[-1] == "9 counters agree with the dashboard, 2025-11-16 to 2025-11-17"
    # Drift: a counter bumped by hand, and a marker that lost part of what its item contributes.
    scanned = tables.client.scan(TableName=tables.table)["Items"]
    counter = next(
        i for i in scanned if i["pk"]["S"] == "counter#2025-11-17" and i["sk"]["S"][:7] == "tag#AI#"
    )
    tables.client.update_item(
        TableName=tables.table, Key={"pk": counter["pk"], "sk": counter["sk"]},
        UpdateExpression="ADD #c :five", ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":five": {"N": "5"}},
    )  # fmt: skip
    bbc = next(i for i in scanned if i["pk"]["S"].startswith("marker#newsapi%23bbc"))
    partial: Contribution = {"2025-11-16#*#*": (Decimal(1), Decimal("0.72"))}  # no tags, sentiment
    tables.client.put_item(
        TableName=tables.table,
        Item={
            **bbc,
            "contribution": encode_contribution(partial),
            "digest": {"S": digest(partial)},
        },
    )
    code, out, err = recount_main(tables)
    assert code == 1
    assert (
        "2025-11-17#tag#AI: counted count=6 sum_score=0.265, recounted count=1 sum_score=0.265"
        in out
    )
    assert "1 counter differs from the dashboard" in err
    code, out, _ = recount_main(tables, "--fix")
    assert code == 0
    assert "repaired 1 counter, " in out
    assert recount_main(tables)[0] == 0
    # The stream goes on from the repaired state: the MODIFY's deltas land on true markers.
    assert tables.run(records, writer) == {"batchItemFailures": []}
    tables.assert_counters_equal_a_recount()


def test_the_signed_transaction_is_the_clients_own(tables: Tables) -> None:
    """The writer's default call (``SignedWrites``) against botocore's, on moto: the same writes,
    and a cancelled transaction's ``CancellationReasons`` (with ``ALL_OLD``) read the same."""
    signed = SignedWrites(tables.client)
    put: dict[str, Any] = {
        "Put": {
            "TableName": tables.table,
            "Item": {"pk": {"S": "probe"}, "sk": {"S": "x"}, "n": {"N": "1"}},
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }
    signed.transact_write_items(TransactItems=[put])  # lands: the item did not exist
    calls: list[Callable[..., object]] = [
        signed.transact_write_items,
        tables.client.transact_write_items,
    ]
    errors: list[dict[str, Any]] = []
    for call in calls:
        with pytest.raises(ClientError) as caught:
            call(TransactItems=[put])
        errors.append(dict(caught.value.response))
    mine, theirs = errors
    assert mine["Error"]["Code"] == theirs["Error"]["Code"] == "TransactionCanceledException"
    assert mine["CancellationReasons"] == theirs["CancellationReasons"]
    assert mine["CancellationReasons"][0]["Item"]["n"] == {"N": "1"}


def test_recount_with_the_declaration_of_another_table_is_one_line_and_exit_code_2(
    moto_endpoint: str,
) -> None:
    tables = Tables(make_client(moto_endpoint), ORDER_COUNTERS)
    assert tables.run([record("INSERT", 1, order())], tables.writer()) == {"batchItemFailures": []}
    code, out, err = recount_main(tables)  # no --counters: the sentiment dashboard's
    assert code == 2
    assert not out
    (line,) = err.splitlines()
    assert "have no source_id" in line
    assert "Traceback" not in err
    code, out, _ = recount_main(tables, "--counters", "test_counters_dynamodb:ORDER_COUNTERS")
    assert (code, out.splitlines()[-1]) == (
        0,
        "4 counters agree with the dashboard, 2025-11-16 to 2025-11-17",
    )


ORDER_COUNTERS = Counters(view=orders, by=("status",), sums=("total",))
