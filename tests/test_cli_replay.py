"""``replay``: a saved event through the processor, dry or into a table; bad input in one line."""

from __future__ import annotations

import json
import uuid
from importlib import resources
from pathlib import Path

import pytest

from dashboard_projection import dashboard_table_spec
from dashboard_projection.__main__ import main
from dashboard_projection._cli._dashboard_check import scan
from servers import make_client

NOW = "2025-11-16T15:00:00Z"
SAMPLE = str(resources.files("dashboard_projection").joinpath("samples", "sample_event.json"))
# The sample: an INSERT with 3 tags, a MODIFY dropping one, a pending INSERT, a REMOVE.
SAMPLE_PUTS = 6


def replay(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["replay", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_dry_run_prints_the_items_as_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = replay(capsys, SAMPLE, "--dry-run", "--now", NOW)
    assert code == 0
    items = [json.loads(line) for line in out.splitlines()]
    assert len(items) == SAMPLE_PUTS
    assert items[0]["matched_tags"] == ["AI", "europe"]  # the MODIFY's, sorted
    assert items[0]["score"] == "0.125"  # exact, not a float
    assert items[0]["expires_at"] == 1763910000  # NOW + 7 days
    assert "would delete" in err  # the tag the MODIFY dropped
    assert err.splitlines()[-1] == (
        "replay (dry run): 4 records, 0 rejected; would put 6 items, would delete 1; "
        'batch response {"batchItemFailures": []}'
    )


def test_a_dry_run_prints_dynamodb_json_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = replay(capsys, SAMPLE, "--dry-run", "--ddb-json", "--now", NOW)
    assert code == 0
    items = [json.loads(line) for line in out.splitlines()]
    assert len(items) == SAMPLE_PUTS
    assert items[0]["score"] == {"N": "0.125"}
    assert items[0]["matched_tags"]["SS"]


def test_a_replay_writes_to_the_table_and_prints_the_batch_response(
    moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(moto_endpoint)
    table = f"d-{uuid.uuid4().hex}"
    client.create_table(**dashboard_table_spec(table))
    code, out, err = replay(
        capsys, SAMPLE, "--table", table, "--endpoint-url", moto_endpoint, "--now", NOW
    )
    assert code == 0
    assert json.loads(out) == {"batchItemFailures": []}
    assert err.splitlines() == [
        f"replay: 4 records, 0 rejected; put 6 items, deleted 1 in table {table!r}"
    ]
    assert len(scan(client, table)) == SAMPLE_PUTS


def test_a_rejected_record_is_one_log_line_and_counted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    event = json.loads(Path(SAMPLE).read_text())
    del event["Records"][0]["dynamodb"]["NewImage"]["score"]
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    code, _, err = replay(capsys, str(path), "--dry-run")
    assert code == 3  # processed as in Lambda (skipped, not retried), and a script can tell
    rejected = [line for line in err.splitlines() if "record rejected" in line]
    assert len(rejected) == 1
    assert rejected[0].startswith("dashboard-projection: record rejected: NewImage.score")
    assert "event_id=1" in rejected[0]
    assert "4 records, 1 rejected" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the event: No such file or directory"),
        (b'{"Records": [', "the event is not valid JSON: Expecting value at line 1 column 14"),
        (b"\xff\xfe", "the event is not UTF-8 text"),
        (b"[1, 2]", 'not a DynamoDB Streams event: expected {"Records": [...]}'),
        (b'{"records": []}', 'not a DynamoDB Streams event: expected {"Records": [...]}'),
    ],
    ids=["missing file", "malformed JSON", "not text", "a list", "no Records"],
)
def test_bad_input_is_one_line_and_exit_code_2(
    content: bytes | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "event.json"
    if content is not None:
        path.write_bytes(content)
    code, out, err = replay(capsys, str(path), "--dry-run")
    assert code == 2
    assert out == ""
    assert err.splitlines() == [f"dashboard-projection: error: {message} ({path})"]


def test_a_missing_table_is_one_line_and_exit_code_2(
    moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = replay(
        capsys, SAMPLE, "--table", "no-such-table", "--endpoint-url", moto_endpoint
    )
    assert code == 2
    assert err.splitlines() == [
        (
            "dashboard-projection: error: table 'no-such-table' does not exist in region "
            f"us-east-1 ({moto_endpoint})"
        )
    ]


def test_an_unreachable_endpoint_is_one_line_and_exit_code_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = replay(capsys, SAMPLE, "--table", "t", "--endpoint-url", "http://127.0.0.1:9")
    assert code == 1
    assert err.splitlines() == [
        (
            "dashboard-projection: error: cannot reach DynamoDB (is the server running?) "
            "(http://127.0.0.1:9/)"
        )
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([SAMPLE], "give --table D to write to, or --dry-run"),
        ([SAMPLE, "--table", "t", "--ddb-json"], "--ddb-json goes with --dry-run"),
    ],
)
def test_replay_needs_a_table_or_a_dry_run(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["replay", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
