"""``run``: the stream into the dashboard, checkpointed per shard; resumption; Ctrl-C; errors."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError

from dashboard_projection.__main__ import main
from dashboard_projection._cli._aws import connect, stream_arn
from dashboard_projection._cli._dashboard_check import differences, expected_dashboard, scan
from dashboard_projection._cli._demo import Demo
from dashboard_projection._cli._demo_data import PRIMARY_KEY, demo_data
from dashboard_projection._cli._errors import CliError
from dashboard_projection._cli._stream_reader import ShardCheckpoint, StreamReader, lambda_record
from dashboard_projection._engine._plan import Put
from dashboard_projection._engine._sink_dynamodb import DynamoDBSink
from servers import create_table, make_client

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

    from dashboard_projection._engine._outcome import BatchResponse

NOW = datetime(2025, 11, 20, 12, tzinfo=UTC)


@pytest.fixture
def demo(moto_endpoint: str) -> Demo:
    """A primary table holding a small sample, its stream not processed; an empty dashboard."""
    tables = f"p-{uuid.uuid4().hex}", f"d-{uuid.uuid4().hex}"
    demo = Demo(connect(moto_endpoint), *tables, NOW, demo_data(items=30))
    with contextlib.redirect_stdout(io.StringIO()):
        demo.create_tables()
        demo.load()
    return demo


def run_argv(demo: Demo, checkpoint: Path, *more: str) -> list[str]:
    return [
        "run", "--source-table", demo.source_table, "--table", demo.table,
        "--endpoint-url", str(demo.aws.dynamodb.meta.endpoint_url),
        "--checkpoint", str(checkpoint), "--now", NOW.isoformat(), *more,
    ]  # fmt: skip


def test_run_projects_the_stream_and_a_rerun_goes_on_from_the_checkpoint(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    argv = run_argv(demo, checkpoint, "--idle-exit", "0", "--propagate-removes")
    records = len(demo.data.items) + len(demo.data.changes)
    assert main([*argv, "--batch-size", "25"]) == 0
    batches = math.ceil(records / 25)
    assert f"run: {records} records in {batches} batches" in capsys.readouterr().err
    assert _differences(demo) == []
    state = json.loads(checkpoint.read_text())
    assert state["stream_arn"] == stream_arn(demo.aws, demo.source_table)
    assert len(state["shards"]) == 1

    more = [Put(item) for item in demo_data(seed=7, items=5).items]
    DynamoDBSink(demo.source_table, client=demo.aws.writer, key_attributes=PRIMARY_KEY).write(more)
    assert main(argv) == 0
    assert "run: 5 records in 1 batch: " in capsys.readouterr().err
    assert _differences(demo) == []


def _differences(demo: Demo) -> list[str]:
    expected = expected_dashboard(scan(demo.aws.dynamodb, demo.source_table), NOW)
    return differences(expected, scan(demo.aws.dynamodb, demo.table))


class FailingHandler:
    """Reports the third record it is given as failed, ``times`` times, as a throttle would."""

    def __init__(self, *, times: int = 1) -> None:
        self.batches: list[list[str]] = []
        self.times = times
        self.target: str | None = None

    def __call__(self, event: Mapping[str, Any]) -> BatchResponse:
        sequences = [record["dynamodb"]["SequenceNumber"] for record in event["Records"]]
        self.batches.append(sequences)
        self.target = self.target or sequences[2]
        if self.target in sequences and self.times > 0:
            self.times -= 1
            return {"batchItemFailures": [{"itemIdentifier": self.target}]}
        return {"batchItemFailures": []}


def test_a_partial_failure_resumes_from_the_reported_record(demo: Demo) -> None:
    checkpoint = ShardCheckpoint(None, stream_arn(demo.aws, demo.source_table))
    reader = StreamReader(demo.aws.streams, checkpoint, batch_size=5, sleep=lambda _: None)
    handler = FailingHandler()
    reader.run(handler, idle_exit=0)
    first, retry, following = handler.batches[:3]
    assert len(first) == 5
    assert retry == first[2:]  # the records before the reported one are not delivered again
    assert int(following[0]) > int(first[-1])
    delivered = [sequence for batch in handler.batches[1:] for sequence in batch]
    assert [*first[:2], *delivered] == sorted({*first, *delivered}, key=int)  # each once, in order
    assert reader.records == len(demo.data.items) + len(demo.data.changes)


def test_a_batch_that_keeps_failing_stops_the_run_at_the_record_before(demo: Demo) -> None:
    checkpoint = ShardCheckpoint(None, stream_arn(demo.aws, demo.source_table))
    reader = StreamReader(demo.aws.streams, checkpoint, batch_size=5, sleep=lambda _: None)
    handler = FailingHandler(times=100)
    with pytest.raises(CliError, match="3 records not written after 5 attempts"):
        reader.run(handler, idle_exit=0)
    assert list(checkpoint.positions.values()) == [handler.batches[0][1]]


def test_ctrl_c_saves_the_checkpoint_and_exits_130(demo: Demo, tmp_path: Path) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = [sys.executable, "-m", "dashboard_projection", *run_argv(demo, checkpoint)]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    give_up = time.monotonic() + 30
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < give_up:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    records = len(demo.data.items) + len(demo.data.changes)
    assert err.splitlines()[-1] == (
        f"dashboard-projection: error: interrupted after {records} records; the next run "
        f"resumes from the checkpoint ({checkpoint})"
    )
    assert "Traceback" not in err
    assert json.loads(checkpoint.read_text())["shards"]


def test_a_checkpoint_of_another_stream_is_not_used(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(json.dumps({"stream_arn": "arn:other", "shards": {"s": "1"}}))
    assert main(run_argv(demo, checkpoint, "--idle-exit", "0")) == 0
    err = capsys.readouterr().err
    assert f"checkpoint {checkpoint} is for another stream; starting from TRIM_HORIZON" in err


@pytest.mark.parametrize("content", ["{", "[]", '{"stream_arn": "ARN", "shards": []}'])
def test_a_damaged_checkpoint_is_one_line_and_exit_code_2(
    content: str, demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(content.replace("ARN", stream_arn(demo.aws, demo.source_table)))
    assert main(run_argv(demo, checkpoint, "--idle-exit", "0")) == 2
    assert capsys.readouterr().err.splitlines() == [
        (
            "dashboard-projection: error: the state file is damaged: delete it to start over "
            f"({checkpoint})"
        )
    ]


def test_tables_are_checked_before_anything_runs(
    moto_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    no_stream = create_table(make_client(moto_endpoint), [("k", "S")])
    cases = {
        ("no-such-table", no_stream): "table 'no-such-table' does not exist in region us-east-1",
        (no_stream, "no-such-table"): f"table {no_stream!r} has no stream; enable one with "
        "NEW_AND_OLD_IMAGES",
    }
    for (source, table), message in cases.items():
        argv = ["run", "--source-table", source, "--table", table, "--endpoint-url", moto_endpoint]
        assert main([*argv, "--checkpoint", str(tmp_path / "c.json")]) == 2
        assert capsys.readouterr().err.splitlines() == [
            f"dashboard-projection: error: {message} ({moto_endpoint})"
        ]


def test_an_unreachable_endpoint_is_one_line_and_exit_code_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["run", "--source-table", "p", "--table", "d", "--endpoint-url", "http://127.0.0.1:9"]
    assert main(argv) == 1
    assert capsys.readouterr().err.splitlines() == [
        (
            "dashboard-projection: error: cannot reach DynamoDB (is the server running?) "
            "(http://127.0.0.1:9/)"
        )
    ]


def test_an_api_record_becomes_a_lambda_record() -> None:
    created = datetime(2025, 11, 16, 14, 30, 15, tzinfo=UTC)
    record = lambda_record(
        {
            "eventID": "e",
            "eventName": "REMOVE",
            "dynamodb": {"ApproximateCreationDateTime": created, "SequenceNumber": "7"},
            "userIdentity": {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"},
        },
        "arn:stream",
    )
    assert record == {
        "eventID": "e",
        "eventName": "REMOVE",
        "dynamodb": {"ApproximateCreationDateTime": 1763303415, "SequenceNumber": "7"},
        "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
        "eventSourceARN": "arn:stream",
    }


class FakeStreams:
    """A stream of two shards, listed child first: a closed parent and its open child.

    Sequence numbers are the records' positions; ``trimmed`` makes every position before the
    shard's last record gone, as after 24 hours.
    """

    def __init__(self, *, trimmed: bool = False) -> None:
        self.records = {"parent": ["1", "2"], "child": ["3", "4"]}
        self.trimmed = trimmed

    def describe_stream(self, **_: object) -> dict[str, Any]:
        shards = [{"ShardId": "child", "ParentShardId": "parent"}, {"ShardId": "parent"}]
        return {"StreamDescription": {"Shards": shards}}

    def get_shard_iterator(self, **request: str) -> dict[str, str]:
        shard, after = request["ShardId"], request.get("SequenceNumber")
        if after is not None and self.trimmed:
            error = {"Error": {"Code": "TrimmedDataAccessException", "Message": "trimmed"}}
            raise ClientError(error, "GetShardIterator")  # type: ignore[arg-type]
        start = 0 if after is None else self.records[shard].index(after) + 1
        return {"ShardIterator": f"{shard}:{start}"}

    def get_records(self, *, ShardIterator: str, Limit: int) -> dict[str, Any]:  # noqa: N803
        shard, start = ShardIterator.split(":")
        end = int(start) + Limit
        found = [
            {"eventName": "INSERT", "dynamodb": {"SequenceNumber": sequence}}
            for sequence in self.records[shard][int(start) : end]
        ]
        closed = shard == "parent" and end >= len(self.records[shard])
        return {"Records": found} | ({} if closed else {"NextShardIterator": f"{shard}:{end}"})


class Recorder:
    def __init__(self) -> None:
        self.sequences: list[str] = []

    def __call__(self, event: Mapping[str, Any]) -> BatchResponse:
        self.sequences += [record["dynamodb"]["SequenceNumber"] for record in event["Records"]]
        return {"batchItemFailures": []}


def read(streams: FakeStreams, checkpoint: ShardCheckpoint) -> list[str]:
    client = cast("DynamoDBStreamsClient", streams)
    handler = Recorder()
    StreamReader(client, checkpoint, batch_size=1, sleep=lambda _: None).run(handler, idle_exit=0)
    return handler.sequences


def test_a_parent_shard_is_read_to_its_end_before_its_child(tmp_path: Path) -> None:
    checkpoint = ShardCheckpoint(tmp_path / "checkpoint.json", "arn:stream")
    assert read(FakeStreams(), checkpoint) == ["1", "2", "3", "4"]
    assert checkpoint.positions == {"parent": "2", "child": "4"}
    again = ShardCheckpoint.load(tmp_path / "checkpoint.json", "arn:stream")
    assert read(FakeStreams(), again) == []


def test_a_trimmed_checkpoint_starts_over_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = ShardCheckpoint(tmp_path / "checkpoint.json", "arn:stream", {"parent": "1"})
    assert read(FakeStreams(trimmed=True), checkpoint) == ["1", "2", "3", "4"]
    assert "shard parent: records after the checkpoint were trimmed" in capsys.readouterr().err


def test_a_record_the_view_rejects_is_a_line_and_exit_code_3(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = next(item for item in demo.data.items if item["status"] == {"S": "analyzed"})
    bad = shown | {"source_id": {"S": "bad#1"}, "score": {"N": "2"}}
    demo.aws.dynamodb.put_item(TableName=demo.source_table, Item=bad)
    assert main(run_argv(demo, tmp_path / "checkpoint.json", "--idle-exit", "0")) == 3
    err = capsys.readouterr().err
    assert "record rejected: NewImage.score" in err
    assert ", 1 record rejected; " in err.splitlines()[-1]
