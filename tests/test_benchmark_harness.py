"""The benchmark harness still runs: a smoke run, not a timing (timings live in ``nox -s bench``).

Its exit code reflects correctness only: the fast path's items equal the model path's, and
importing the package loads no boto3.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
