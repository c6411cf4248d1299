"""Independent jobs run from a bounded number of threads, for the I/O a batch waits on.

Lambda bills wall-clock time, and a batch's requests (BatchWriteItem requests, the counters'
transactions) mostly wait on DynamoDB. The threads are daemon threads started
for one call and joined before it returns: no pool outlives a batch, so a Ctrl-C that
interrupts the wait can strand no lock the interpreter's exit would then wait on.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

JobT = TypeVar("JobT")


def run_concurrently(
    jobs: Sequence[JobT], work: Callable[[JobT], None], *, max_concurrency: int, name: str
) -> None:
    """``work(job)`` for every job, from at most ``max_concurrency`` threads at once.

    With one job, or a bound of one, the jobs run in this thread, in order.

    Raises:
        Exception: The first exception ``work`` raised (a bug: ``work`` reports failures it
            expects by other means), once every thread has finished.
    """
    if len(jobs) <= 1 or max_concurrency <= 1:
        for job in jobs:
            work(job)
        return
    todo: queue.SimpleQueue[JobT] = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)
    bugs: list[Exception] = []
    worker = _worker(todo, work, bugs)
    threads = [
        threading.Thread(target=worker, name=name, daemon=True)
        for _ in range(min(max_concurrency, len(jobs)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if bugs:
        raise bugs[0]


def _worker(
    todo: queue.SimpleQueue[JobT], work: Callable[[JobT], None], bugs: list[Exception]
) -> Callable[[], None]:
    """A thread's loop: jobs until none is left; a bug is kept for the caller and ends it."""

    def worker() -> None:
        try:
            while True:
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                work(job)
        except Exception as exc:  # noqa: BLE001 - re-raised by the caller
            bugs.append(exc)

    return worker
