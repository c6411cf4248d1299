"""The stream paths' speed figures as CPU instructions per record: a reading noise cannot shake.

Wall-time ratios on a shared machine swing by 10-15% from one run to the next. Valgrind's
callgrind counts the instructions a path executes, the same on every run. Each path runs in a
child process under callgrind twice: once with the path called ``REPS`` more times than the
other. The difference, divided by the records those calls processed, is the path's cost per
record: imports, test data and the warm-up call cancel out. The garbage collector stays on, and
``PYTHONHASHSEED`` is fixed, so that both runs hash alike.

Instructions are not time: memory traffic and the garbage collector's walks cost more per
instruction than the seed's plain loops, so wall-time ratios come out lower. They are the
steady reading to tell whether a change made a path cheaper.

``run.py --instructions`` runs it (valgrind must be on PATH); a child is
``python benchmarks/instructions.py PATH REPS RECORDS``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness import Row

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "examples" / "orders"))  # the orders example, as view_paths
REPS = 2  # calls of the path on top of the warm-up, in the second run of each pair
_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)$", re.MULTILINE)


def collected(stderr: str) -> int:
    """The instruction count callgrind prints on exit (``==12== Collected : 123``).

    Raises:
        ValueError: ``stderr`` has no such line (valgrind failed, or is not callgrind).
    """
    found = _COLLECTED.search(stderr)
    if found is None:
        raise ValueError(f"no 'Collected' line in valgrind's output: {stderr[-500:]!r}")
    return int(found[1])


def per_record(without: int, with_reps: int, records: int, reps: int = REPS) -> float:
    """Instructions per record: what ``reps`` more calls over ``records`` records added."""
    return (with_reps - without) / (reps * records)


def _count(path: str, reps: int, records: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        str(HERE / "instructions.py"),
        path,
        str(reps),
        str(records),
    ]
    env = os.environ | {"PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    if done.returncode != 0:
        raise ValueError(f"{path} under valgrind exited {done.returncode}: {done.stderr[-500:]!r}")
    return collected(done.stderr)


def bench_instructions(records: int) -> list[Row]:
    """Sentiment view, orders view and processor, each against its seed path, per record."""
    if shutil.which("valgrind") is None:
        return [Row("instructions", "", "", "", "ERROR: valgrind is not on PATH")]
    paths = ("seed", "view", "orders-seed", "orders", "processor")
    jobs = [(path, reps) for path in paths for reps in (0, REPS)]
    try:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            counts = dict(
                zip(jobs, pool.map(lambda job: _count(job[0], job[1], records), jobs), strict=True)
            )
    except ValueError as failed:
        return [Row("instructions", "", "", "", f"ERROR: {failed}")]
    cost = {path: per_record(counts[path, 0], counts[path, REPS], records) for path in paths}
    sentiment = cost["seed"] / cost["view"]
    return [
        _row("sentiment view", ("seed", cost["seed"]), cost["view"], (4, "")),
        _row(
            "orders view",
            ("seed-style", cost["orders-seed"]),
            cost["orders"],
            (0.8 * sentiment, " (0.8 x sentiment)"),
        ),
        _row("processor, stream with MODIFYs", ("seed", cost["seed"]), cost["processor"], (3, "")),
    ]


def _row(name: str, seed: tuple[str, float], candidate: float, target: tuple[float, str]) -> Row:
    """One count, one ratio: the table's ``best`` column holds it (there are no rounds)."""
    label, baseline = seed
    bar, why = target
    ratio = baseline / candidate
    return Row(
        f"instructions: {name}",
        f"{label} {baseline / 1000:,.1f}k/record",
        f"{candidate / 1000:,.1f}k/record",
        f"ratio >={bar:.3g}x{why}",
        "PASS" if ratio >= bar else "FAIL",
        ratio,
        None,
        {"instructions_per_record": {"seed": baseline, "ours": candidate}},
    )


def _path(name: str, records: int) -> Callable[[], object]:
    """The path ``name`` over ``records`` seeded records, as ``view_paths`` times it."""
    from orders import orders  # noqa: PLC0415 - examples/orders, put on sys.path above

    import seed_baseline  # noqa: PLC0415 - a child's imports, not the parent's
    from dashboard_projection import process_stream_event, sentiment_view  # noqa: PLC0415
    from data import make_event  # noqa: PLC0415
    from paths import NOW, view_records_to_wire  # noqa: PLC0415
    from view_paths import AcceptingSink, orders_event, seed_style_orders  # noqa: PLC0415

    event = make_event(records)
    sentiment = event["Records"]
    order_records = orders_event(records)["Records"]
    view, sink = sentiment_view(), AcceptingSink()
    return {
        "seed": lambda: seed_baseline.records_to_wire(sentiment),
        "view": lambda: view_records_to_wire(view, sentiment, NOW),
        "orders-seed": lambda: seed_style_orders(order_records),
        "orders": lambda: view_records_to_wire(orders, order_records, NOW),
        "processor": lambda: process_stream_event(event, sink, now=NOW, metrics=False),
    }[name]


def main() -> None:
    """A child: the warm-up call, then ``REPS`` more."""
    name, reps, records = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    run = _path(name, records)
    run()
    for _ in range(reps):
        run()


if __name__ == "__main__":
    main()
