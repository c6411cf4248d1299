"""``demo``: the whole pipeline on a laptop, from an empty server to a checked dashboard.

On its own local DynamoDB-compatible server (or ``--endpoint-url``), the demo creates the primary
table with a NEW_AND_OLD_IMAGES stream and the dashboard table from the library's definition,
writes the seeded sample and its changes to the primary table, reads the stream as Lambda's event
source mapping does and feeds each batch to the Lambda's processing, then reads the dashboard
back through the library's queries and checks it against the pure projection of the final
primary table. It keeps per-day counters too (``sentiment_counters``), prints the same days from
them, and recounts them from the dashboard table. Exit code 1 if a check finds any difference.

REMOVEs propagate in the demo (``DashboardProjection(propagate_removes=True)``; the library's
default, like the seed, ignores them): that way the dashboard must equal the projection of the
primary table exactly, deletions included, and the check can say so without exceptions. One
clock (``--now``) serves the stream and the check, so that TTLs compare exactly too.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from dashboard_projection._cli._aws import Aws, connect, stream_arn
from dashboard_projection._cli._console import Progress, counted, say
from dashboard_projection._cli._dashboard_check import differences, expected_dashboard, report, scan
from dashboard_projection._cli._dashboard_summary import (
    read_summary,
    render_counters,
    render_summary,
)
from dashboard_projection._cli._demo_data import PRIMARY_KEY, DemoData, demo_data
from dashboard_projection._cli._errors import FAILURE, CliError
from dashboard_projection._cli._handler import CliHandler, TallySink
from dashboard_projection._cli._local_server import embedded_server
from dashboard_projection._cli._stream_reader import ShardCheckpoint, StreamReader
from dashboard_projection._counters._recount import recount
from dashboard_projection._counters._writer import CounterWriter
from dashboard_projection._engine._plan import Put
from dashboard_projection._engine._sink_dynamodb import DynamoDBSink
from dashboard_projection._sentiment._counters import sentiment_counters
from dashboard_projection._sentiment._keys import dashboard_table_spec
from dashboard_projection._view._table import ttl_spec

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator, Sequence

    from dashboard_projection._engine._plan import WriteOp

_WRITE_CHUNK = 100  # primary writes per progress step (four BatchWriteItem requests)
#: Seconds the stream may stay idle before all the writes' records were seen: AWS may show a
#: record a moment after the write (a local server shows them at once).
_SETTLE_SECONDS = 5.0
#: The demo's counters: per day, per day and sentiment (score summed), per day and tag.
COUNTERS = sentiment_counters(propagate_removes=True)


def command(args: argparse.Namespace) -> int:
    """Run the ``demo`` command; returns the exit code."""
    now = args.now or datetime.now(UTC).replace(microsecond=0)
    with _endpoint(args.endpoint_url, args.region) as (aws, server):
        say(f"Demo: the Lambda's stream processing, end to end, on {server}")
        demo = Demo(aws, args.source_table, args.table, now, demo_data(items=args.items))
        demo.create_tables()
        demo.load()
        demo.stream()
        demo.summarize()
        checked = demo.check()
        return 0 if demo.check_counters() and checked else FAILURE


@contextlib.contextmanager
def _endpoint(endpoint_url: str | None, region: str | None) -> Iterator[tuple[Aws, str]]:
    """Clients for ``endpoint_url``, or for a server started for the demo; and its description."""
    if endpoint_url is not None:
        yield connect(endpoint_url, region), endpoint_url
        return
    with embedded_server() as url:
        yield connect(url, local=True), f"moto {version('moto')} at {url} (started for the demo)"


@dataclass(slots=True)
class Demo:
    """The demo's steps, on two tables of one endpoint, each printing what it did.

    Attributes:
        aws: The endpoint's clients.
        source_table: The primary table, made by :meth:`create_tables`.
        table: The dashboard table, made by :meth:`create_tables`.
        now: The clock of the stream processing and of the check.
        data: What is written to the primary table.
        counters_table: The counters table (``<table>-counters`` when empty).
    """

    aws: Aws
    source_table: str
    table: str
    now: datetime
    data: DemoData
    counters_table: str = ""

    def __post_init__(self) -> None:
        """Name the counters table after the dashboard table unless given."""
        self.counters_table = self.counters_table or f"{self.table}-counters"

    def create_tables(self) -> None:
        """The primary table (keyed as in the seed, with a stream) and the dashboard table.

        Raises:
            CliError: A table of that name exists already: the demo leaves existing tables alone.
        """
        self._create(
            {
                "TableName": self.source_table,
                "KeySchema": [
                    {"AttributeName": PRIMARY_KEY[0], "KeyType": "HASH"},
                    {"AttributeName": PRIMARY_KEY[1], "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": name, "AttributeType": "S"} for name in PRIMARY_KEY
                ],
                "BillingMode": "PAY_PER_REQUEST",
                "StreamSpecification": {
                    "StreamEnabled": True,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
            }
        )
        self._create(dashboard_table_spec(self.table))
        self.aws.dynamodb.update_time_to_live(**ttl_spec(self.table))
        self._create(COUNTERS.table_spec(self.counters_table))
        say(
            f"1. Created {self.source_table} (stream NEW_AND_OLD_IMAGES), {self.table} (the "
            "library's definition: GSIs by_tag and by_sentiment_score, TTL on expires_at) and "
            f"{self.counters_table} (per-day counters, {COUNTERS.shards} shards each)."
        )

    def _create(self, spec: dict[str, Any]) -> None:
        name = spec["TableName"]
        try:
            self.aws.dynamodb.create_table(**spec)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
                raise
            raise CliError(
                f"table {name!r} exists already; the demo makes new tables: name them with "
                "--source-table and --table",
                where=self.aws.where,
            ) from None
        self.aws.dynamodb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
        )

    def load(self) -> None:
        """Write the sample, then its changes, to the primary table."""
        data = self.data
        self._write("loading", [Put(item) for item in data.items])
        self._write("changing", data.changes)
        pending = sum(item["status"]["S"] == "pending" for item in data.items)
        changes = ", ".join(f"{count} {kind}" for kind, count in data.counts.items())
        say(
            f"2. Wrote {len(data.items)} news and social items ({pending} pending analysis), "
            f"ingested {data.days[0]} to {data.days[-1]}, then {len(data.changes)} changes: "
            f"{changes}."
        )

    def _write(self, label: str, ops: Sequence[WriteOp]) -> None:
        # One request at a time: the primary table's stream is what the demo reads, and moto
        # numbers stream records with len(records) + start, unlocked (moto 5.2.5,
        # StreamShard.add), so concurrent writes can share a sequence number.
        sink = DynamoDBSink(
            self.source_table, client=self.aws.writer, key_attributes=PRIMARY_KEY, max_concurrency=1
        )
        with Progress(label, total=len(ops), unit="write") as progress:
            for start in range(0, len(ops), _WRITE_CHUNK):
                chunk = ops[start : start + _WRITE_CHUNK]
                result = sink.write(chunk)
                if result.failed:
                    error = str(result.failed[0].error)
                    raise CliError(error, where=self.aws.where, exit_code=FAILURE)
                progress.advance(len(chunk))

    def stream(self) -> None:
        """Read the primary table's stream into the dashboard table, as the Lambda would."""
        sink = TallySink(DynamoDBSink(self.table, client=self.aws.writer))
        # One transaction at a time: moto snapshots a table for a transaction by deep-copying
        # it, unlocked (moto 5.2.5), so concurrent transactions break each other's copies.
        writer = CounterWriter(
            COUNTERS, self.counters_table, client=self.aws.writer, max_concurrency=1
        )
        handler = CliHandler(sink, now=self.now, projection=COUNTERS.view, counters=writer)
        checkpoint = ShardCheckpoint(None, stream_arn(self.aws, self.source_table))
        expected = len(self.data.items) + len(self.data.changes)
        with Progress("streaming", total=expected, unit="record") as progress:
            reader = StreamReader(self.aws.streams, checkpoint, on_records=progress.advance)
            reader.run(handler, idle_exit=_SETTLE_SECONDS, expected=expected)
        rejected = (
            f", {counted(len(handler.rejected), 'record')} rejected" if handler.rejected else ""
        )
        say(
            "3. Read the stream as Lambda's event source mapping does: "
            f"{counted(reader.records, 'record')} from "
            f"{counted(len(checkpoint.positions), 'shard')} in "
            f"{counted(reader.batches, 'batch', 'batches')} of up to 100, each through "
            f"process_stream_event (clock {_iso(self.now)}; REMOVEs propagate): "
            f"{counted(sink.puts, 'put')} and {counted(sink.deletes, 'delete')} in "
            f"{self.table}{rejected};"
            f" {writer.requests} TransactWriteItems calls kept the counters."
        )

    def summarize(self) -> None:
        """Print the dashboard as its queries see it."""
        with Progress("querying", unit="query", units="queries") as progress:
            days = list(self.data.days)
            summary = read_summary(self.aws.dynamodb, self.table, days, on_query=progress.advance)
        say("4. The dashboard, read back with the library's queries:")
        for line in render_summary(summary):
            say(f"   {line}".rstrip())
        totals = COUNTERS.read(self.aws.dynamodb, self.counters_table, *self._span())
        say(f"   The same days from the counters ({len(self.data.days)} queries, no scan):")
        for line in render_counters(totals):
            say(f"   {line}".rstrip())

    def check(self) -> bool:
        """Compare the dashboard table with the pure projection of the primary table; print it."""
        with Progress("checking", unit="item") as progress:
            primary = scan(self.aws.dynamodb, self.source_table, on_items=progress.advance)
            expected = expected_dashboard(primary, self.now)
            found = differences(
                expected, scan(self.aws.dynamodb, self.table, on_items=progress.advance)
            )
        say(f"5. Compared with the pure projection of the final primary table at {_iso(self.now)}:")
        for line in report(len(expected), found):
            say(f"   {line}")
        return not found

    def check_counters(self) -> bool:
        """Recount the counters from the dashboard table; print what differs."""
        found = recount(
            COUNTERS,
            self.aws.dynamodb,
            counters_table=self.counters_table,
            dashboard_table=self.table,
            first=self._span()[0],
            last=self._span()[1],
        )
        verdict = "OK" if not found.drifts else f"FAILED, {len(found.drifts)} differ"
        say(
            f"6. Recounted the counters from the dashboard table: {verdict} "
            f"({len(found.recounted)} counters)."
        )
        for drifted in found.drifts:
            say(f"   {drifted.counter}: counted {drifted.counted}, recounted {drifted.recounted}")
        return not found.drifts

    def _span(self) -> tuple[date, date]:
        return min(self.data.days), max(self.data.days)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
