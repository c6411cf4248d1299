"""``demo``: end to end on its own server (a fresh process), and against the tests' moto server.

The run on its own server is the README's command, with the full sample. The run against the
tests' server uses a smaller sample, to be quick, and leaves its tables there: the check's failure
path is tested on that stream-built dashboard, with one item changed, one deleted, one added.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime

import pytest

from dashboard_projection.__main__ import main
from dashboard_projection._cli._aws import Aws, connect
from dashboard_projection._cli._dashboard_check import scan
from dashboard_projection._cli._demo import Demo

NOW = "2025-11-20T12:00:00Z"


@dataclass(frozen=True)
class DemoRun:
    exit_code: int
    stdout: str
    stderr: str
    aws: Aws
    source_table: str
    table: str


def run_main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def demo_run(moto_endpoint: str) -> DemoRun:
    source, table = f"p-{uuid.uuid4().hex}", f"d-{uuid.uuid4().hex}"
    code, out, err = run_main(
        "demo", "--endpoint-url", moto_endpoint, "--source-table", source, "--table", table,
        "--now", NOW, "--items", "60",
    )  # fmt: skip
    return DemoRun(code, out, err, connect(moto_endpoint), source, table)


def test_the_demo_runs_in_a_fresh_process_on_its_own_server(tmp_path: os.PathLike[str]) -> None:
    # As on a fresh machine: no AWS configuration at all, and `python -m`.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "HOME": str(tmp_path)
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "dashboard_projection", "demo", "--now", NOW],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,  # moto copies the counters table per transaction: a minute or more
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(started for the demo)" in result.stdout
    assert [line[:2] for line in result.stdout.splitlines() if re.match(r"\d\. ", line)] == [
        "1.", "2.", "3.", "4.", "5.", "6.",
    ]  # fmt: skip
    assert "check: OK" in result.stdout
    assert "6. Recounted the counters from the dashboard table: OK" in result.stdout
    assert "Traceback" not in result.stderr
    assert "streaming: 522 records" in result.stderr  # the non-terminal progress: last line only


def test_the_demo_against_the_test_server_is_consistent(demo_run: DemoRun) -> None:
    assert demo_run.exit_code == 0, demo_run.stdout + demo_run.stderr
    assert "check: OK" in demo_run.stdout
    analysed = [
        item
        for item in scan(demo_run.aws.dynamodb, demo_run.source_table)
        if item["status"]["S"] == "analyzed"
    ]
    total = re.search(r"total\s+(\d+)", demo_run.stdout)
    assert total is not None
    assert int(total.group(1)) == len(analysed)  # query_by_day found each source item once
    assert "6. Recounted the counters from the dashboard table: OK" in demo_run.stdout
    counted = re.findall(r"^\s+(\d{4}-\d\d-\d\d)\s+(\d+)\s", demo_run.stdout, re.MULTILINE)
    queried, from_counters = counted[: len(counted) // 2], counted[len(counted) // 2 :]
    assert queried == from_counters  # items per day: the queries and the counters agree


def test_the_check_reports_every_difference_and_the_demo_exits_1(
    demo_run: DemoRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = demo_run.aws.dynamodb
    items = sorted(scan(client, demo_run.table), key=lambda i: i["item_key"]["S"])
    changed, deleted = items[0], items[1]
    added = {**deleted, "item_key": {"S": "base#not-a-projected-item"}}
    client.put_item(TableName=demo_run.table, Item={**changed, "score": {"N": "0.999"}})
    key = {name: deleted[name] for name in ("day_partition", "item_key")}
    client.delete_item(TableName=demo_run.table, Key=key)
    client.put_item(TableName=demo_run.table, Item=added)
    for step in ("create_tables", "load", "stream", "summarize"):  # only the check is needed
        monkeypatch.setattr(Demo, step, lambda _: None)
    try:
        code, out, _ = run_main(
            "demo", "--endpoint-url", str(client.meta.endpoint_url),
            "--source-table", demo_run.source_table, "--table", demo_run.table, "--now", NOW,
            "--items", "60",
        )  # fmt: skip
    finally:
        client.put_item(TableName=demo_run.table, Item=changed)
        client.put_item(TableName=demo_run.table, Item=deleted)
        client.delete_item(TableName=demo_run.table, Key={**key, "item_key": added["item_key"]})
    assert code == 1
    assert "check: FAILED, 3 differences" in out
    assert "6. Recounted the counters from the dashboard table: FAILED" in out
    assert f"different:  {changed['day_partition']['S']} {changed['item_key']['S']}: score" in out
    assert f"missing:    {deleted['day_partition']['S']} {deleted['item_key']['S']}" in out
    assert "unexpected: " in out
    assert "base#not-a-projected-item" in out


def test_the_demo_leaves_existing_tables_alone(demo_run: DemoRun) -> None:
    code, _, err = run_main(
        "demo", "--endpoint-url", str(demo_run.aws.dynamodb.meta.endpoint_url),
        "--source-table", demo_run.source_table, "--table", f"d-{uuid.uuid4().hex}",
    )  # fmt: skip
    assert code == 2
    assert err.splitlines() == [
        (
            f"dashboard-projection: error: table {demo_run.source_table!r} exists already; the "
            "demo makes new tables: name them with --source-table and --table "
            f"({demo_run.aws.dynamodb.meta.endpoint_url})"
        )
    ]


def test_the_demo_without_the_local_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "moto.server", None)  # import fails, as when not installed
    code, out, err = run_main("demo")
    assert code == 2  # a usage error: install the extra and run it again
    assert out == ""
    assert err.splitlines() == [
        (
            "dashboard-projection: error: demo needs moto, which is not installed: "
            "pip install 'dashboard-projection[local]'"
        )
    ]


def test_now_must_have_a_timezone(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--now", datetime(2025, 11, 16).isoformat()])  # noqa: DTZ001 - the point
    assert exit_info.value.code == 2
    assert "expected an ISO-8601 instant with a timezone" in capsys.readouterr().err


def test_ctrl_c_in_the_demo_is_one_line_and_exit_code_130(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(_: Demo) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Demo, "load", interrupted)
    table = f"p-{uuid.uuid4().hex}"
    code, _, err = run_main(
        "demo", "--endpoint-url", moto_endpoint, "--source-table", table, "--table", f"d{table}"
    )
    assert code == 130
    assert err.splitlines() == ["dashboard-projection: error: interrupted"]
