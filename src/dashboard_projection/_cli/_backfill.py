"""``backfill``: fill a dashboard table from the primary table itself, not from its stream.

A stream keeps 24 hours, so a dashboard table created later (or a stream consumer that fell too
far behind) needs the primary table read in full. The table is scanned in parallel segments
(``Segment``/``TotalSegments``), and each page of items goes through the same processing as the
stream: as a batch of INSERT records, through :class:`DashboardProjection` into a
:class:`DynamoDBSink`, resumed from the failed record on a partial failure. So the result is what
the stream would have written for the table's current items: pending items are skipped, invalid
ones rejected and logged. It only puts: dashboard items of primary items deleted before the
backfill stay, as with a stream whose REMOVEs do not propagate.

Finished segments are recorded in a progress file; a rerun of the same backfill skips them, and a
complete backfill deletes the file.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard_projection._cli._aws import Aws, connect, require_table
from dashboard_projection._cli._console import Progress, counted, note
from dashboard_projection._cli._errors import INTERRUPTED, REJECTED, CliError
from dashboard_projection._cli._handler import CliHandler, Record, TallySink, deliver
from dashboard_projection._cli._state import damaged, default_state_path, load_state, save_state
from dashboard_projection._cli._stream_reader import BATCH_SIZE
from dashboard_projection._cli._view import projection_of
from dashboard_projection._engine._sink_dynamodb import DynamoDBSink

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from dashboard_projection._types import WireItem

#: At most this many segments are scanned at once (each is a thread and a connection).
MAX_WORKERS = 16


@dataclass(slots=True)
class _Backfill:
    """One backfill's settings and shared state; each segment runs :meth:`segment` in a thread."""

    aws: Aws
    source_table: str
    handler: CliHandler
    segments: int
    progress: Progress
    state_path: Path
    state: dict[str, Any]
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def segment(self, segment: int) -> None:
        """Scan one segment; put its items' dashboard items; mark it done."""
        pages = self.aws.dynamodb.get_paginator("scan").paginate(
            TableName=self.source_table,
            Segment=segment,
            TotalSegments=self.segments,
            ConsistentRead=True,
        )
        for page in pages:
            items = page.get("Items", [])
            for start in range(0, len(items), BATCH_SIZE):
                if self.stop.is_set():
                    return
                batch = _as_records(items[start : start + BATCH_SIZE], segment, start)
                deliver(self.handler, batch, on_done=lambda done: self.progress.advance(len(done)))
        with self.lock:
            self.state["done"] = sorted({*self.state["done"], segment})
            save_state(self.state_path, self.state)


def _as_records(items: Sequence[WireItem], segment: int, start: int) -> list[Record]:
    """Scanned items as INSERT stream records; the sequence numbers only tell them apart."""
    return [
        {
            "eventID": f"backfill-{segment}-{start + offset}",
            "eventName": "INSERT",
            "eventSource": "dashboard-projection:backfill",
            "dynamodb": {"NewImage": item, "SequenceNumber": str(start + offset)},
        }
        for offset, item in enumerate(items)
    ]


def command(args: argparse.Namespace) -> int:
    """Run the ``backfill`` command; returns the exit code."""
    aws = connect(args.endpoint_url, args.region)
    count = require_table(aws, args.source_table).get("ItemCount", 0)  # approximate on AWS
    require_table(aws, args.table)
    path = Path(args.progress_file or default_state_path("backfill", args.source_table, args.table))
    state = _resume(path, args, aws.where)
    todo = [s for s in range(args.segments) if s not in state["done"]]
    sink = TallySink(DynamoDBSink(args.table, client=aws.writer))
    handler = CliHandler(sink, now=args.now, projection=projection_of(args))
    total = count * len(todo) // args.segments
    with Progress("backfill", total=total or None, unit="item") as progress:
        job = _Backfill(aws, args.source_table, handler, args.segments, progress, path, state)
        _run(job, todo)
        progress.detail = (
            f"from {len(todo)} of {counted(args.segments, 'segment')}: "
            f"{counted(sink.puts, 'put')}, {counted(len(handler.rejected), 'item')} rejected"
        )
    path.unlink(missing_ok=True)
    return REJECTED if handler.rejected else 0


def _resume(path: Path, args: argparse.Namespace, where: str) -> dict[str, Any]:
    """The progress of this backfill so far: a fresh one, or the one in ``path``.

    Raises:
        CliError: ``path`` holds another backfill's progress (tables, endpoint or segments),
            or is damaged.
    """
    job = {
        "source_table": args.source_table,
        "table": args.table,
        "endpoint": where,
        "segments": args.segments,
    }
    state = load_state(path)
    if state is None:
        return {"job": job, "done": []}
    if state.get("job") != job:
        raise CliError(
            f"the progress file is for another backfill ({state.get('job')}): rerun that one, "
            "or delete the file to start over",
            where=str(path),
        )
    done = state.get("done")
    if not isinstance(done, list) or not all(isinstance(s, int) for s in done):
        raise damaged(path)
    note(f"resuming: segments {done} of {args.segments} were done ({path})")
    return state


def _run(job: _Backfill, todo: list[int]) -> None:
    """Scan the segments ``todo`` in parallel; on Ctrl-C, let running pages finish, then stop."""
    with ThreadPoolExecutor(max_workers=max(1, min(len(todo), MAX_WORKERS))) as pool:
        futures = [pool.submit(job.segment, segment) for segment in todo]
        try:
            for future in futures:
                future.result()
        except KeyboardInterrupt:
            job.stop.set()
            raise CliError(
                "interrupted; finished segments are recorded, rerun to do the others",
                where=str(job.state_path),
                exit_code=INTERRUPTED,
            ) from None
        except BaseException:
            job.stop.set()
            raise
