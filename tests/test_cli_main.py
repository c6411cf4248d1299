"""The command line itself: help, light start-up, error lines, the progress bar."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from dashboard_projection.__main__ import main
from dashboard_projection._cli._console import Progress
from dashboard_projection._cli._errors import as_cli_error
from dashboard_projection._errors import RetryableWriteError

if TYPE_CHECKING:
    from pathlib import Path

COMMANDS = ("demo", "replay", "run", "backfill")


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert all(f"\n    {command} " in out for command in COMMANDS)


def test_python_dash_m_runs_it_without_loading_boto3() -> None:
    script = (
        "import sys, runpy\n"
        "sys.argv = ['dashboard-projection', 'run', '--help']\n"
        "try:\n"
        "    runpy.run_module('dashboard_projection', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0\n"
        "print(sorted({'boto3', 'botocore', 'moto'} & set(sys.modules)))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "--source-table T" in result.stdout
    assert result.stdout.splitlines()[-1] == "[]"


def test_known_errors_become_one_line_and_bugs_stay_tracebacks() -> None:
    throttled = ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Scan"
    )
    cases = [
        (
            NoCredentialsError(),
            1,
            "no AWS credentials found: configure them, or pass --endpoint-url for a local server",
        ),
        (throttled, 1, "DynamoDB Scan failed: ThrottlingException: slow down"),
        (RetryableWriteError("item x not written"), 1, "item x not written"),
        (PermissionError(13, "Permission denied", "cp.json"), 1, "Permission denied (cp.json)"),
    ]
    for exc, code, message in cases:
        error = as_cli_error(exc)
        assert error is not None
        assert (error.exit_code, error.line()) == (code, f"dashboard-projection: error: {message}")
    assert as_cli_error(ZeroDivisionError()) is None


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_on_a_terminal_only() -> None:
    terminal, log = Terminal(), io.StringIO()
    for stream in (terminal, log):
        with Progress("loading", total=4, unit="write", stream=stream) as progress:
            progress.advance(2)
            progress.detail = "to t"
    assert f"\r\033[Kloading: [{'.' * 28}] 0/4 writes\r" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\033[Kloading: 2 writes to t in 0.0 s\n")
    assert log.getvalue() == "loading: 2 writes to t in 0.0 s\n"


def test_the_progress_bar_is_cleared_without_a_final_line_on_an_error() -> None:
    terminal = Terminal()
    with pytest.raises(KeyError), Progress("run", stream=terminal):
        raise KeyError
    assert terminal.getvalue().endswith("\r\033[K")


def test_aws_itself_needs_a_region(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    assert main(["backfill", "--source-table", "p", "--table", "d"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "dashboard-projection: error: no AWS region: pass --region, or set AWS_REGION"
    ]
