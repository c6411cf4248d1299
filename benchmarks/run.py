"""Benchmarks of dashboard_projection against the seed and boto3, as ratios measured side by side.

The machine is shared and noisy, so no absolute time here is worth comparing between runs. Each
timing benchmark runs its baseline and candidates in one process, on the same seeded data, in
alternating rounds; it reports the ratio of the best rounds (the least disturbed ones) and the
median of the per-round ratios (how steady that was). Import time is measured the same way, in
fresh interpreters. A missed target is reported, not fatal: the exit status is 1 only when a
correctness check fails (outputs differ, or importing the package imports boto3).

    python benchmarks/run.py [--records N] [--rounds N] [--quick] [--json PATH]
    python benchmarks/run.py --instructions [--json PATH]    # needs valgrind: see instructions.py
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

import seed_baseline
from counters_cost import bench_counters_cost
from dashboard_projection import InMemorySink, deserialize_image, process_stream_event
from dashboard_projection._sentiment._keys import KEY_ATTRIBUTES
from data import SEED, largest_event, make_event
from harness import Row, alternating, interleave, rate, ratios
from instructions import bench_instructions
from paths import NOW
from view_paths import bench_views

HERE = Path(__file__).resolve().parent
BATCH_WRITE_LIMIT = 25  # items per BatchWriteItem request
LAMBDA_MEMORY_MB = 512  # the contract's memory_size
INSTRUCTION_RECORDS = 300  # valgrind runs a path about 50 times slower


def bench_codec(records: list[dict[str, Any]], rounds: int) -> Row:
    """(a) Decoding every NewImage: our table-driven codec against boto3's TypeDeserializer."""
    images = [record["dynamodb"]["NewImage"] for record in records]
    deserializer = TypeDeserializer()

    def boto3_codec() -> list[dict[str, Any]]:
        return [{k: deserializer.deserialize(v) for k, v in image.items()} for image in images]

    def ours() -> list[dict[str, Any]]:
        return [deserialize_image(image) for image in images]

    name = f"codec: {len(images):,} NewImages"
    if ours() != boto3_codec():  # frozenset == set: the same values, so the same work
        return Row(name, "TypeDeserializer", "deserialize_image", "", "ERROR: values differ")
    times = interleave({"boto3": boto3_codec, "ours": ours}, rounds)
    best, median = ratios(times["boto3"], times["ours"])
    return Row(
        name,
        f"TypeDeserializer {rate(len(images), times['boto3'], 'images')}",
        f"deserialize_image {rate(len(images), times['ours'], 'images')}",
        "best >=2x (aim 4x)",
        "PASS" if best >= 2 else "FAIL",
        best,
        median,
        {"seconds": times},
    )


_PROBE = (
    "import sys, time; t = time.perf_counter(); {}; t = time.perf_counter() - t; "
    "print(t, any(m in sys.modules for m in ('boto3', 'botocore')))"
)


def _import_seconds(statement: str) -> tuple[float, bool]:
    """Seconds ``statement`` takes in a fresh interpreter, and whether boto3 got imported."""
    command = [sys.executable, "-c", _PROBE.format(statement)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 - our code
    seconds, boto3 = out.stdout.split()
    return float(seconds), boto3 == "True"


def bench_import(rounds: int) -> list[Row]:
    """(c) Cold import time of the package against pydantic's, in fresh interpreters.

    ``import pydantic`` is lazy (``BaseModel`` and its machinery load on first access), and so is
    ``import dashboard_projection``. What a Lambda's cold start really pays is the handler's
    import, ``from dashboard_projection import make_handler``: that row is shown too, against
    ``from pydantic import BaseModel``, the floor for any package that defines a model.
    """
    statements = {
        "pydantic": "import pydantic",
        "BaseModel": "from pydantic import BaseModel",
        "ours": "import dashboard_projection",
        "handler": "from dashboard_projection import make_handler",
    }
    _import_seconds(statements["ours"])  # an edit may have left the package's bytecode stale
    seconds: dict[str, list[float]] = {name: [] for name in statements}
    boto3_seen = False
    for name in alternating(list(statements), rounds):
        elapsed, boto3 = _import_seconds(statements[name])
        seconds[name].append(elapsed)
        boto3_seen |= boto3 and name in {"ours", "handler"}
    ms = {name: statistics.median(values) * 1000 for name, values in seconds.items()}
    rows = []
    for ours, base, target in (
        ("ours", "pydantic", "median <=1.2x"),
        ("handler", "BaseModel", ""),
    ):
        best, median = ratios(seconds[ours], seconds[base])
        verdict = "PASS" if median <= 1.2 else "FAIL"
        rows.append(
            Row(
                f"import time vs {statements[base]}",
                f"{ms[base]:.0f} ms",
                f"{statements[ours]} {ms[ours]:.0f} ms",
                target,
                verdict if target else "info",
                best,
                median,
                {"seconds": {base: seconds[base], ours: seconds[ours]}},
            )
        )
    if boto3_seen:
        rows.append(Row("import dashboard_projection", "", "", "", "ERROR: imported boto3"))
    return rows


def _keys_and_requests(records: list[dict[str, Any]]) -> tuple[int, int]:
    """Distinct dashboard keys the batch writes, and the BatchWriteItem requests that takes.

    Counted by running the batch through ``process_stream_event`` into an ``InMemorySink``, which
    splits writes exactly as ``DynamoDBSink`` does and counts its requests.
    """
    sink = InMemorySink(KEY_ATTRIBUTES)
    process_stream_event({"Records": records}, sink, now=NOW, metrics=False)
    return len(sink), sink.requests


def bench_writes(label: str, records: list[dict[str, Any]]) -> Row:
    """(d) Requests per batch: the seed's one PutItem per item against deduplicated batches of 25.

    A count, not a timing: it is exact, so it needs no baseline run beside it.
    """
    puts = len(seed_baseline.records_to_wire(records))  # one entry per PutItem call
    keys, requests = _keys_and_requests(records)
    assert requests == math.ceil(keys / BATCH_WRITE_LIMIT), (keys, requests)
    tags = sum(len(r["dynamodb"]["NewImage"]["matched_tags"]["SS"]) for r in records) / len(records)
    return Row(
        f"writes: {label}, {tags:.1f} tags/record",
        f"seed {puts:,} PutItem",
        f"{requests:,} BatchWriteItem ({keys:,} keys)",
        "fewer requests",
        "PASS" if requests < puts else "FAIL",
        puts / requests,
        None,
        {"records": len(records), "seed_puts": puts, "distinct_keys": keys, "requests": requests},
    )


def bench_rss(event: dict[str, Any]) -> Row:
    """(e) Peak memory of one invocation on ``event``, in a fresh process (see ``rss_child.py``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "event.json"
        path.write_text(json.dumps(event))
        payload_mb = path.stat().st_size / 2**20
        command = [sys.executable, str(HERE / "rss_child.py"), str(path)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    result = json.loads(out)
    result["payload_mb"] = round(payload_mb, 2)
    peak = result["rss_peak_mb"]
    verdict = "PASS" if peak <= LAMBDA_MEMORY_MB else "FAIL"
    return Row(
        f"peak RSS: {result['records']:,} records, {payload_mb:.1f} MB event",
        f"event loaded {result['rss_event_mb']:.0f} MB",
        f"{result['path']} peak {peak:.0f} MB (+{result['processing_mb']:.0f})",
        f"<= {LAMBDA_MEMORY_MB} MB",
        "ERROR: imported boto3" if result["boto3_imported"] else verdict,
        numbers=result,
    )


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def print_table(rows: list[Row]) -> None:
    """One line per row, columns as wide as their widest cell."""
    header = ("benchmark", "baseline", "candidate", "best", "median", "target", "verdict")
    cells = [header] + [
        (r.name, r.baseline, r.candidate, _ratio(r.best), _ratio(r.median), r.target, r.verdict)
        for r in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    for line in cells:
        padded = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        print("  ".join(padded).rstrip())


def _billed(quick: bool, rounds: int) -> list[Row]:  # noqa: FBT001 - the --quick flag
    """(f, g) What Lambda bills, in ``billed.py``: end to end against a stub, and cold start."""
    import billed  # noqa: PLC0415 - it starts processes: only when run

    batch = make_event(20 if quick else 100, tags=5)["Records"]
    latency = 0.001 if quick else billed.DEFAULT_LATENCY
    _, requests = _keys_and_requests(batch)
    event = {"Records": batch}
    return [
        *billed.bench_billed(event, 1 if quick else max(3, rounds // 3), requests, latency),
        billed.bench_cold_start(2 if quick else rounds),
    ]


def _timed(count: int, rounds: int, *, quick: bool) -> list[Row]:
    """Every timed benchmark, and the counts beside them."""
    records = make_event(count)["Records"]
    return [
        bench_codec(records, rounds),
        *bench_views(records, rounds),
        *bench_import(2 if quick else rounds),
        bench_writes(f"{count:,} records", records),
        bench_writes("100 records", make_event(100, tags=5)["Records"]),
        bench_counters_cost("100 records, 5 tags", make_event(100, tags=5)["Records"]),
        bench_counters_cost("100 records, 1-8 tags", make_event(100)["Records"]),
        bench_rss(make_event(100) if quick else largest_event()),
        *_billed(quick, rounds),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark, print the table, write the JSON; 1 if a correctness check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1000, help="records in the event (1000)")
    parser.add_argument("--rounds", type=int, help="rounds per timing (15; --quick: 3)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny sizes, seconds")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help=f"instead of timings: CPU instructions per record under valgrind, over "
        f"{INSTRUCTION_RECORDS} records (--records, --rounds and --quick do not apply)",
    )
    args = parser.parse_args(argv)
    count = 50 if args.quick else args.records
    rounds = args.rounds or (3 if args.quick else 15)
    if args.instructions:
        rows = bench_instructions(INSTRUCTION_RECORDS)
        measure = {"measure": "instructions (callgrind)", "records": INSTRUCTION_RECORDS}
    else:
        rows = _timed(count, rounds, quick=args.quick)
        measure = {"measure": "time", "records": count, "rounds": rounds, "quick": args.quick}
    meta = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "seed": SEED,
        **measure,
    }
    print(", ".join(f"{name} {value}" for name, value in meta.items()))
    print_table(rows)
    if args.json:
        report = {"meta": meta, "results": [asdict(row) for row in rows]}
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if any(row.verdict.startswith("ERROR") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
