"""What Lambda bills: wall time and CPU from the event to the bytes on the wire, and cold start.

Every path runs through its production entry point against the same stub DynamoDB
(``stub_server.py``, its own process, answering after a fixed latency):

* ours: ``make_handler()`` configured from the environment (``DASHBOARD_TABLE_NAME``, the
  region and credentials, and ``AWS_ENDPOINT_URL_DYNAMODB``, botocore's own setting for the
  endpoint), called as Lambda calls it;
* the seed's handler: ``boto3.resource("dynamodb").Table(...)`` and one ``put_item`` per item;
* the seed's "Phase 2": the same table's ``batch_writer()``.

Wall time is ``time.perf_counter()``, CPU ``time.process_time()`` (every thread of this
process; the stub's work is not in it). Rounds alternate the paths, and ratios pair each round's
neighbours, as in ``run.py``. Cold start is timed in fresh interpreters, from the first import
to a handler (or table) ready to serve.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import seed_baseline
from harness import Row, alternating, ratios
from stub_server import DEFAULT_LATENCY, Stub, Traffic, stub_server

__all__ = ["DEFAULT_LATENCY", "bench_billed", "bench_cold_start"]

TABLE = "sentiment-items-dashboard"
_ENVIRONMENT = {
    "DASHBOARD_TABLE_NAME": TABLE,
    "AWS_REGION": "us-east-1",  # Lambda sets both
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "LOG_LEVEL": "WARNING",  # one INFO line per batch would flood the report, not the CPU
}
_PATHS = ("ours", "put_item", "batch_writer")
_READY = {
    "ours": "from dashboard_projection import make_handler; make_handler()",
    "seed": "import boto3; boto3.resource('dynamodb').Table({table!r})",
}
_PROBE = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"


class _Context:
    """Lambda's context: 15 minutes left, so no deadline cuts a retry short."""

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 900_000


@contextlib.contextmanager
def environment(endpoint: str) -> Iterator[dict[str, str]]:
    """The Lambda-like environment, pointed at ``endpoint``; restored on exit."""
    settings = {**_ENVIRONMENT, "AWS_ENDPOINT_URL_DYNAMODB": endpoint}
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield {**os.environ}
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _paths(event: dict[str, Any]) -> dict[str, Callable[[], object]]:
    """Each path, ready: clients made, so only the invocation is timed."""
    import boto3  # noqa: PLC0415 - only once the environment points at the stub

    from dashboard_projection import make_handler, sentiment_counters  # noqa: PLC0415

    handler = make_handler()
    counting = make_handler(
        counters=sentiment_counters(),
        environ={**os.environ, "COUNTERS_TABLE_NAME": "sentiment-items-counters"},
    )
    table = boto3.resource("dynamodb").Table(TABLE)
    records = event["Records"]

    def ours() -> object:
        return handler(event, _Context())

    def ours_counting() -> object:
        return counting(event, _Context())

    def put_item() -> None:
        seed_baseline.handle(records, lambda item: table.put_item(Item=item))

    def batch_writer() -> None:
        with table.batch_writer() as writer:
            seed_baseline.handle(records, lambda item: writer.put_item(Item=item))

    return {
        "ours": ours,
        "ours_counting": ours_counting,
        "put_item": put_item,
        "batch_writer": batch_writer,
    }


def _measure(
    runs: dict[str, Callable[[], object]], stub: Stub, rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, Traffic]]:
    """Wall and CPU seconds per call, alternating; the traffic of each path's last call."""
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    traffic: dict[str, Traffic] = {}
    for name in alternating(list(runs), rounds):
        gc.collect()
        before = stub.traffic()
        with contextlib.redirect_stdout(io.StringIO()):  # the handler's metrics line
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            runs[name]()
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start_wall)
        traffic[name] = stub.traffic() - before
    return wall, cpu, traffic


def _ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.1f} ms"


def _speedup_row(  # noqa: PLR0913 - the row's parts, by name
    what: str,
    seconds: dict[str, list[float]],
    baseline: str,
    target: float,
    numbers: dict[str, Any],
    *,
    candidate: str = "ours",
) -> Row:
    best, median = ratios(seconds[baseline], seconds[candidate])
    label = "make_handler" if candidate == "ours" else "make_handler(counters=...)"
    return Row(
        f"billed {what}",
        f"seed {baseline} {_ms(seconds[baseline])}",
        f"{label} {_ms(seconds[candidate])}",
        f"best >={target:g}x",
        "PASS" if best >= target else "FAIL",
        best,
        median,
        numbers,
    )


def _traffic_row(label: str, traffic: dict[str, Traffic], expected: int) -> Row:
    shown = {
        name: f"{traffic[name].total_requests} req {traffic[name].total_bytes / 1024:.0f} KB"
        for name in _PATHS
    }
    ours = traffic["ours"].total_requests
    verdict = "info" if ours == expected else f"ERROR: {ours} requests, expected {expected}"
    return Row(
        f"billed traffic: {label}",
        f"put_item {shown['put_item']}, batch_writer {shown['batch_writer']}",
        f"ours {shown['ours']}",
        "",
        verdict,
        numbers={name: {"requests": t.requests, "bytes": t.bytes} for name, t in traffic.items()},
    )


def bench_billed(
    event: dict[str, Any], rounds: int, expected_requests: int, latency: float = DEFAULT_LATENCY
) -> list[Row]:
    """(f) One batch through each production path against the stub: wall, CPU, traffic."""
    label = f"{len(event['Records'])} records, stub {latency * 1000:g} ms"
    with stub_server(latency) as stub, environment(stub.endpoint):
        runs = _paths(event)
        for run in runs.values():  # warm: connections open, lazy imports done, as in Lambda
            with contextlib.redirect_stdout(io.StringIO()):
                run()
        wall, cpu, traffic = _measure(runs, stub, rounds)
    numbers = {"latency": latency, "wall_seconds": wall, "cpu_seconds": cpu}
    return [
        _speedup_row(f"wall: {label}", wall, "batch_writer", 4, numbers),
        _speedup_row(f"wall: {label}", wall, "put_item", 60, numbers),
        _speedup_row(f"CPU: {label}", cpu, "batch_writer", 2, numbers),
        _speedup_row(f"CPU: {label}", cpu, "put_item", 1, numbers),
        # Issue 11: counters on (the batch's TransactWriteItems, after its writes) against
        # the seed's batch_writer path without any.
        _speedup_row(
            f"wall, counters on: {label}",
            wall,
            "batch_writer",
            2,
            numbers,
            candidate="ours_counting",
        ),
        _traffic_row(label, traffic, expected_requests),
    ]


def _ready_seconds(name: str, env: dict[str, str]) -> float:
    statement = _READY[name].format(table=TABLE)
    command = [sys.executable, "-c", _PROBE.format(statement)]
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env)  # noqa: S603 - our code
    return float(out.stdout.split()[-1])


def bench_cold_start(rounds: int) -> Row:
    """(g) ``make_handler()`` ready to serve, against the seed's ``resource(...).Table(...)``.

    Both in fresh interpreters, with the same environment; only the timed statement differs.
    """
    with environment("http://127.0.0.1:9") as env:  # never called: only clients are made
        _ready_seconds("ours", env)  # an edit may have left the package's bytecode stale
        seconds: dict[str, list[float]] = {name: [] for name in _READY}
        for name in alternating(list(_READY), rounds):
            seconds[name].append(_ready_seconds(name, env))
    best, median = ratios(seconds["ours"], seconds["seed"])
    return Row(
        "cold start: ready to serve",
        f"boto3.resource().Table() {_ms(seconds['seed'])}",
        f"make_handler() {_ms(seconds['ours'])}",
        "median <=1.0x",
        "PASS" if median <= 1.0 else "FAIL",
        best,
        median,
        {"seconds": seconds},
    )
