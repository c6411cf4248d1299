"""The benchmark harness still runs: a smoke run, not a timing (timings live in ``nox -s bench``).

Its exit code reflects correctness only: the fast path's items equal the model path's, and
importing the package loads no boto3.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_the_quick_benchmark_run_succeeds_and_reports_every_measure(tmp_path: Path) -> None:
    report = tmp_path / "bench.json"
    subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--json", str(report)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    names = " ".join(row["name"] for row in json.loads(report.read_text())["results"])
    measures = (
        "codec",
        "record->wire",
        "import time",
        "writes",
        "peak RSS",
        "billed",
        "cold start",
        "counters cost",
    )
    for measure in measures:
        assert measure in names


def _instructions_module() -> ModuleType:
    """``benchmarks/instructions.py``, loaded by path: the benchmarks are scripts, not a package."""
    spec = importlib.util.spec_from_file_location(
        "instructions", REPO / "benchmarks" / "instructions.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(REPO / "benchmarks"))  # its own imports (harness) resolve there
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return module


def test_the_instruction_count_is_read_from_callgrinds_summary() -> None:
    instructions = _instructions_module()
    stderr = (
        "==41== Callgrind, a call-graph generating cache profiler\n"
        "==41== Events    : Ir\n"
        "==41== Collected : 8123456789\n"
        "==41== I   refs:      8,123,456,789\n"
    )
    assert instructions.collected(stderr) == 8_123_456_789
    with pytest.raises(ValueError, match="Collected"):
        instructions.collected("valgrind: command not found")
    # Two more calls over 300 records added 600 records' worth.
    assert instructions.per_record(1_000_000, 1_000_000 + 600 * 170_000, 300, reps=2) == 170_000


def test_the_instruction_reading_without_valgrind_says_so(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--instructions"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"PATH": str(tmp_path)},  # an empty directory: no valgrind on it
        check=False,
    )
    assert done.returncode == 1
    assert "ERROR: valgrind is not on PATH" in done.stdout


def test_a_failing_valgrind_is_an_error_row_not_a_crash(tmp_path: Path) -> None:
    fake = tmp_path / "valgrind"
    fake.write_text("#!/bin/sh\necho 'valgrind: broken' >&2\nexit 3\n")
    fake.chmod(0o755)
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--instructions"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"PATH": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 1
    assert "under valgrind exited 3" in done.stdout
    assert "Traceback" not in done.stderr
