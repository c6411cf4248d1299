"""How the command line ends, as a script sees it: a missing extra, rejected records, a closed
pipe, options that cannot apply, and counts in good English."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from dashboard_projection.__main__ import main

SAMPLE = str(resources.files("dashboard_projection").joinpath("samples", "sample_event.json"))
NOW = "2025-11-16T15:00:00Z"

#: Run the command line in a fresh interpreter where the named modules cannot be imported, as
#: after ``pip install dashboard-projection`` without extras.
WITHOUT = """\
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None  # import raises ModuleNotFoundError, as if not installed
from dashboard_projection.__main__ import main
sys.exit(main(sys.argv[2:]))
"""


def run_without(missing: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter, our own script
        [sys.executable, "-c", WITHOUT, missing, *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("missing", "argv", "extra"),
    [
        ("boto3,botocore", ["demo"], "local"),
        ("moto", ["demo"], "local"),
        ("boto3,botocore", ["run", "--source-table", "p", "--table", "d"], "aws"),
        ("boto3,botocore", ["backfill", "--source-table", "p", "--table", "d"], "aws"),
        ("boto3,botocore", ["replay", SAMPLE, "--table", "d"], "aws"),
    ],
    ids=["demo", "demo-without-moto", "run", "backfill", "replay-table"],
)
def test_a_missing_extra_is_one_line_naming_it_and_exit_2(
    missing: str, argv: list[str], extra: str
) -> None:
    result = run_without(missing, *argv)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert re.fullmatch(
        rf"dashboard-projection: error: {argv[0]} needs ({missing.replace(',', '|')}), which is "
        rf"not installed: pip install 'dashboard-projection\[{extra}\]'",
        line,
    ), line
    assert result.stdout == ""


def test_a_dry_run_needs_no_extra() -> None:
    result = run_without("boto3,botocore,moto", "replay", SAMPLE, "--dry-run", "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 6


def write_event(tmp_path: Path, records: list[dict[str, Any]]) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"Records": records}))
    return str(path)


def sample_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(Path(SAMPLE).read_text())["Records"]
    return records


@pytest.mark.parametrize("rejected", [0, 1, 4])
def test_replay_exits_3_when_any_record_was_rejected(
    rejected: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = sample_records()
    for record in records[:rejected]:
        record["dynamodb"]["NewImage" if "NewImage" in record["dynamodb"] else "Keys"] = [2]
    code = main(["replay", write_event(tmp_path, records), "--dry-run", "--now", NOW])
    err = capsys.readouterr().err
    assert code == (3 if rejected else 0)
    assert f"4 records, {rejected} rejected" in err


def test_a_closed_stdout_ends_the_command_quietly(tmp_path: Path) -> None:
    records = sample_records()
    many = []
    for copy in range(300):
        for record in records:
            again = json.loads(json.dumps(record))
            again["dynamodb"]["SequenceNumber"] = (
                f"{copy:06d}{record['dynamodb']['SequenceNumber']}"
            )
            for image in ("Keys", "NewImage", "OldImage"):
                if image in again["dynamodb"]:
                    again["dynamodb"][image]["source_id"] = {"S": f"copy-{copy}"}
            many.append(again)
    command = [sys.executable, "-m", "dashboard_projection", "replay", "--dry-run"]
    with subprocess.Popen(  # noqa: S603 - our own interpreter
        [*command, write_event(tmp_path, many), "--now", NOW],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        first = process.stdout.readline()  # as `| head -1` does, and then goes away
        process.stdout.close()
        err = process.stderr.read()
        code = process.wait(timeout=60)
    assert json.loads(first)["source_id"]
    # Notes the command wrote before stdout closed (deletes go to stderr) may be there; no
    # error, no traceback, no word about the broken pipe.
    assert b"Traceback" not in err
    assert b"error" not in err.lower()
    assert b"pipe" not in err.lower()
    assert code == 141  # as shells report a command that SIGPIPE stopped


@pytest.mark.parametrize(
    "options",
    [["--table", "x"], ["--endpoint-url", "http://127.0.0.1:9"], ["--region", "eu-west-1"]],
    ids=["table", "endpoint", "region"],
)
def test_options_a_dry_run_cannot_use_are_usage_errors(
    options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["replay", SAMPLE, "--dry-run", *options])
    assert exit_info.value.code == 2
    assert f"--dry-run writes nothing, so {options[0]} cannot apply" in capsys.readouterr().err


def test_one_of_a_thing_is_singular(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = sample_records()[:1]
    assert main(["replay", write_event(tmp_path, first), "--dry-run", "--now", NOW]) == 0
    summary = capsys.readouterr().err.splitlines()[-1]
    assert summary.startswith("replay (dry run): 1 record, 0 rejected; would put 4 items")


def test_the_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["replay", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit code 3 when any record was rejected as bad input" in text
