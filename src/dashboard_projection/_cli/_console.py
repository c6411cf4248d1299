"""What the command line shows: results on stdout, progress and notes on stderr.

Results go to stdout so they can be piped; everything about the work itself (progress bars,
notes, errors) goes to stderr. A progress bar redraws itself only on a terminal: in a log file
or a CI job it would be hundreds of lines, so there it prints its final line alone. No
dependency: one line, redrawn with a carriage return, at most ten times a second.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Self, TextIO

_BAR_WIDTH = 28
_REDRAW_SECONDS = 0.1


def say(line: str = "") -> None:
    """Print a line of the command's result on stdout, at once (in order with stderr's lines)."""
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def counted(count: int, noun: str, plural: str = "") -> str:
    """``1 record``, ``2 records``: a count and its noun, singular or plural as English wants."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def note(line: str) -> None:
    """Print a line about the work on stderr."""
    sys.stderr.write(f"{line}\n")


class Progress:
    """A one-line progress bar (or counter, when the total is unknown) on stderr.

    Thread-safe: the backfill's segments advance one bar together. Use it as a context manager;
    leaving the block prints the final line, ``<label>: <count> <unit> in <seconds> s``, with
    whatever was set in :attr:`detail`.

    Attributes:
        count: How many units are done.
        detail: Text appended to the final line (and to the bar), e.g. ``"in 7 batches"``.
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        unit: str = "item",
        units: str = "",
        stream: TextIO | None = None,
    ) -> None:
        """Prepare a bar; ``total`` may be a guess (it only sets the bar's scale).

        Args:
            label: What is being done, e.g. ``"streaming"``.
            total: How many units to expect, or ``None`` for a plain counter.
            unit: What is counted, singular (``"record"``).
            units: Its plural, when not ``unit`` + "s" (``"queries"``).
            stream: Where to draw; ``sys.stderr`` when ``None`` (looked up now, not at import).
        """
        self._label = label
        self._total = total
        self._unit = unit
        self._units = units or f"{unit}s"
        self._stream = stream if stream is not None else sys.stderr
        self._live = self._stream.isatty()
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._drawn = 0.0
        self.count = 0
        self.detail = ""

    def __enter__(self) -> Self:
        """Draw the empty bar."""
        self._draw(force=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Replace the bar with its final line; on an error, only clear the bar."""
        with self._lock:
            if self._live:
                self._stream.write("\r\033[K")
            if exc is None:
                seconds = time.monotonic() - self._started
                shown = counted(self.count, self._unit, self._units)
                self._stream.write(f"{self._label}: {self._detailed(shown)} in {seconds:.1f} s\n")
            self._stream.flush()

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more units done."""
        with self._lock:
            self.count += count
            self._draw(force=False)

    def _draw(self, *, force: bool) -> None:
        now = time.monotonic()
        if not self._live or (not force and now - self._drawn < _REDRAW_SECONDS):
            return
        self._drawn = now
        shown = counted(self.count, self._unit, self._units)
        if self._total:
            done = min(self.count, self._total) * _BAR_WIDTH // self._total
            bar = f"[{'#' * done}{'.' * (_BAR_WIDTH - done)}]"
            shown = f"{bar} {self.count}/{self._total} {self._units}"
        self._stream.write(f"\r\033[K{self._label}: {self._detailed(shown)}")
        self._stream.flush()

    def _detailed(self, shown: str) -> str:
        """``shown``, and the detail if any."""
        return shown + (f" {self.detail}" if self.detail else "")
