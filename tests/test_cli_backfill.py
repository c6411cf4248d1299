"""``backfill``: a parallel scan gives the stream path's table; resumable by segment; errors."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from dashboard_projection import dashboard_table_spec
from dashboard_projection.__main__ import main
from dashboard_projection._cli._aws import connect
from dashboard_projection._cli._dashboard_check import differences, scan
from dashboard_projection._cli._demo import Demo
from dashboard_projection._cli._demo_data import demo_data

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from dashboard_projection._types import WireItem

NOW = datetime(2025, 11, 20, 12, tzinfo=UTC)
SEGMENTS = 3


@pytest.fixture(scope="module")
def streamed(moto_endpoint: str) -> Demo:
    """The demo's steps on a small sample: a primary table, and the dashboard its stream made."""
    tables = f"p-{uuid.uuid4().hex}", f"d-{uuid.uuid4().hex}"
    demo = Demo(connect(moto_endpoint), *tables, NOW, demo_data(items=40))
    demo.create_tables()
    demo.load()
    demo.stream()
    return demo


def new_dashboard(streamed: Demo) -> str:
    table = f"b-{uuid.uuid4().hex}"
    streamed.aws.dynamodb.create_table(**dashboard_table_spec(table))
    return table


def backfill(streamed: Demo, table: str, progress: Path) -> int:
    return main(
        [
            "backfill", "--source-table", streamed.source_table, "--table", table,
            "--endpoint-url", str(streamed.aws.dynamodb.meta.endpoint_url),
            "--segments", str(SEGMENTS), "--progress-file", str(progress),
            "--now", NOW.isoformat(),
        ]
    )  # fmt: skip


def job_of(streamed: Demo, table: str) -> dict[str, object]:
    """What the progress file says the backfill into ``table`` is."""
    return {
        "source_table": streamed.source_table,
        "table": table,
        "endpoint": str(streamed.aws.dynamodb.meta.endpoint_url),
        "segments": SEGMENTS,
    }


def by_key(items: list[WireItem]) -> dict[tuple[str, str], WireItem]:
    return {(item["day_partition"]["S"], item["item_key"]["S"]): item for item in items}


def test_a_backfill_gives_the_table_the_stream_gave(
    streamed: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    progress = tmp_path / "progress.json"
    table = new_dashboard(streamed)
    assert backfill(streamed, table, progress) == 0
    stream_built = by_key(scan(streamed.aws.dynamodb, streamed.table))
    assert stream_built
    assert differences(stream_built, scan(streamed.aws.dynamodb, table)) == []
    assert not progress.exists()  # done: nothing to resume
    primary = scan(streamed.aws.dynamodb, streamed.source_table)
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .startswith(
            f"backfill: {len(primary)} items from 3 of 3 segments: {len(stream_built)} puts, "
            "0 items rejected in "
        )
    )


def test_a_rerun_skips_the_segments_already_done(
    streamed: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    progress = tmp_path / "progress.json"
    table = new_dashboard(streamed)
    progress.write_text(json.dumps({"job": job_of(streamed, table), "done": [0, 1]}))
    assert backfill(streamed, table, progress) == 0
    err = capsys.readouterr().err
    assert f"resuming: segments [0, 1] of {SEGMENTS} were done ({progress})" in err
    assert "from 1 of 3 segments" in err
    stream_built = by_key(scan(streamed.aws.dynamodb, streamed.table))
    backfilled = by_key(scan(streamed.aws.dynamodb, table))
    assert backfilled
    assert len(backfilled) < len(stream_built)
    assert all(stream_built[key] == item for key, item in backfilled.items())


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (
            lambda job: {"job": job | {"segments": 99}, "done": [1]},
            "the progress file is for another backfill",
        ),
        (
            lambda job: {"job": job, "done": "0 and 1"},
            "the state file is damaged: delete it to start over",
        ),
    ],
    ids=["another backfill", "damaged"],
)
def test_a_progress_file_that_does_not_fit_is_refused(
    state: Callable[[dict[str, object]], object],
    message: str,
    streamed: Demo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    progress = tmp_path / "progress.json"
    table = new_dashboard(streamed)
    progress.write_text(json.dumps(state(job_of(streamed, table))))
    assert backfill(streamed, table, progress) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"dashboard-projection: error: {message}")
    assert line.endswith(f"to start over ({progress})")


def test_a_missing_table_is_one_line_and_exit_code_2(
    moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["backfill", "--source-table", "nope", "--table", "d", "--endpoint-url", moto_endpoint]
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [
        (
            f"dashboard-projection: error: table 'nope' does not exist in region us-east-1 "
            f"({moto_endpoint})"
        )
    ]


def test_an_item_the_view_rejects_is_a_line_and_exit_code_3(
    moto_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = Demo(connect(moto_endpoint), *fresh_tables(), NOW, demo_data(items=5))
    demo.create_tables()
    demo.load()
    shown = next(item for item in demo.data.items if item["status"] == {"S": "analyzed"})
    bad = shown | {"source_id": {"S": "bad#1"}, "score": {"N": "2"}}
    demo.aws.dynamodb.put_item(TableName=demo.source_table, Item=bad)
    assert backfill(demo, demo.table, tmp_path / "progress.json") == 3
    err = capsys.readouterr().err
    assert "record rejected: NewImage.score" in err
    assert " puts, 1 item rejected in " in err.splitlines()[-1]


def fresh_tables() -> tuple[str, str]:
    return f"p-{uuid.uuid4().hex}", f"d-{uuid.uuid4().hex}"
