"""A DynamoDB stub in its own process: answers after a fixed latency, counts what it receives.

The billed benchmark (``billed.py``) points every client at it, so what is measured is the
client's cost (CPU in the benchmark's process) and the round trips (wall time), never a real
server's work. Each connection gets its own thread, so concurrent requests wait out their
latency concurrently, as they would against DynamoDB. HTTP/1.1 keep-alive lets botocore reuse
its pooled connections, as it does against AWS.

    python benchmarks/stub_server.py [--latency SECONDS]   # prints the port, then serves

``BatchWriteItem`` gets ``{"UnprocessedItems": {}}`` (everything written), ``PutItem`` and any
other target ``{}``. ``GET /stats`` returns the requests and request-body bytes received so far,
per ``X-Amz-Target``; requests for ``/stats`` are not counted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast

#: Default latency of a DynamoDB call, seconds: single-digit milliseconds within a region.
DEFAULT_LATENCY = 0.008
_BATCH_WRITE = "DynamoDB_20120810.BatchWriteItem"
_BODIES = {_BATCH_WRITE: b'{"UnprocessedItems":{}}'}
_JSON_TYPE = "application/x-amz-json-1.0"


@dataclass(frozen=True)
class Traffic:
    """What the stub received: requests and request-body bytes, per operation."""

    requests: dict[str, int]
    bytes: dict[str, int]

    def __sub__(self, earlier: Traffic) -> Traffic:
        """What arrived between ``earlier`` and this snapshot."""
        return Traffic(
            dict(Counter(self.requests) - Counter(earlier.requests)),
            dict(Counter(self.bytes) - Counter(earlier.bytes)),
        )

    @property
    def total_requests(self) -> int:
        """Requests of every operation."""
        return sum(self.requests.values())

    @property
    def total_bytes(self) -> int:
        """Request-body bytes of every operation."""
        return sum(self.bytes.values())


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, latency: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.latency = latency
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.bytes: Counter[str] = Counter()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses its pooled connections
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

    def do_POST(self) -> None:
        server = cast("_Server", self.server)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target") or "?"
        with server.lock:
            server.requests[target] += 1
            server.bytes[target] += len(body)
        time.sleep(server.latency)
        self._reply(_BODIES.get(target, b"{}"), _JSON_TYPE)

    def do_GET(self) -> None:
        server = cast("_Server", self.server)
        with server.lock:
            stats = {"requests": dict(server.requests), "bytes": dict(server.bytes)}
        self._reply(json.dumps(stats).encode(), "application/json")

    def _reply(self, payload: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", "stub")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        del format, args


@dataclass(frozen=True)
class Stub:
    """A running stub: where it listens, and how to read its counters."""

    endpoint: str

    def traffic(self) -> Traffic:
        """The counters so far (a local HTTP call, not counted)."""
        with urllib.request.urlopen(f"{self.endpoint}/stats", timeout=10) as response:  # noqa: S310 - our own local URL
            stats = json.load(response)
        return Traffic(stats["requests"], stats["bytes"])


@contextlib.contextmanager
def stub_server(latency: float = DEFAULT_LATENCY) -> Iterator[Stub]:
    """Run the stub in a child process until exit; yield it once it listens."""
    command = [sys.executable, __file__, "--latency", str(latency)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 - our own script
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield Stub(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY, help="seconds (0.008)")
    server = _Server(parser.parse_args().latency)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
