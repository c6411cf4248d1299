"""Local DynamoDB-compatible servers for the integration tests, and clients for them.

Two servers, because each catches what the other lets through: moto (in server mode, so the
sink's HTTP calls are real) and dynalite, a Node.js server built to mirror DynamoDB's
validation and error messages. dynalite comes from package-lock.json: run ``npm ci``.

:func:`fault_proxy` puts an HTTP proxy in front of either, to throttle ``BatchWriteItem`` calls
on a script without mocking the client.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import shutil
import socket
import subprocess
import threading
import time
import uuid
import zlib
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from email.message import Message

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.literals import ScalarAttributeTypeType

REPO = Path(__file__).resolve().parent.parent
DYNALITE_CLI = REPO / "node_modules" / "dynalite" / "cli.js"
STARTUP_SECONDS = 15.0
POLL_SECONDS = 0.05


def moto_server() -> contextlib.AbstractContextManager[str]:
    """Run moto's server in a thread on a free local port (as the demo does); yield its URL."""
    from dashboard_projection._cli._local_server import embedded_server  # noqa: PLC0415 - slow import

    return embedded_server()


@contextlib.contextmanager
def dynalite_server(log: Path) -> Iterator[str]:
    """Run dynalite under node on a free local port; yield its endpoint URL once it answers.

    Args:
        log: Where dynalite's output goes (a pipe nobody reads could fill up and stall it).
    """
    node = shutil.which("node")
    if node is None or not DYNALITE_CLI.exists():
        msg = f"dynalite is not installed: run `npm ci` in {REPO} (needs Node.js 20 or later)"
        raise RuntimeError(msg)
    port = _free_port()
    options = ["--host", "127.0.0.1", "--port", str(port)]
    instant = ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - a fixed command line, no user input
            [node, str(DYNALITE_CLI), *options, *instant], stdout=output, stderr=output
        )
    try:
        _wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    give_up = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < give_up:
        if process.poll() is not None:
            msg = f"dynalite exited with {process.returncode}: {log.read_text(errors='replace')}"
            raise RuntimeError(msg)
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(POLL_SECONDS)
    msg = f"dynalite did not answer on port {port} within {STARTUP_SECONDS}s"
    raise RuntimeError(msg)


def make_client(endpoint: str) -> DynamoDBClient:
    """A low-level client for a local server: fixed region, dummy credentials, no retries.

    Credentials are passed to the client, not put in the environment, so nothing leaks into
    other tests; botocore's retries are off so that the sink's own retries are what is tested.
    """
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - local servers accept any key
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5),
    )


def create_table(
    client: DynamoDBClient, key_schema: Sequence[tuple[str, ScalarAttributeTypeType]]
) -> str:
    """Create an on-demand table with a fresh name and wait until it is active.

    Args:
        client: A client for the server to create it on.
        key_schema: ``(name, type)`` pairs, partition key first; types are ``S``, ``N``, ``B``.

    Returns:
        The table's name.
    """
    name = f"t-{uuid.uuid4().hex}"
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": attribute, "KeyType": "HASH" if position == 0 else "RANGE"}
            for position, (attribute, _) in enumerate(key_schema)
        ],
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": kind} for attribute, kind in key_schema
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    wait_until_active(client, name)
    return name


def create_view_table(client: DynamoDBClient, spec: Mapping[str, Any]) -> str:
    """Create a table from a ``table_spec`` (a fresh name in place of its own); wait for it."""
    name = f"dashboard-{uuid.uuid4().hex}"
    client.create_table(**{**spec, "TableName": name})
    wait_until_active(client, name)
    return name


def wait_until_active(client: DynamoDBClient, name: str) -> None:
    """Poll until table ``name`` is ACTIVE.

    Raises:
        RuntimeError: It is not, within ``STARTUP_SECONDS``.
    """
    give_up = time.monotonic() + STARTUP_SECONDS
    while client.describe_table(TableName=name)["Table"].get("TableStatus") != "ACTIVE":
        if time.monotonic() > give_up:
            msg = f"table {name} did not become active within {STARTUP_SECONDS}s"
            raise RuntimeError(msg)
        time.sleep(POLL_SECONDS)


# --- a fault-injecting proxy ------------------------------------------------------------------

_Reply = tuple[int, list[tuple[str, str]], bytes]
#: A scripted fault: answer ``THROTTLE`` (HTTP 400 ProvisionedThroughputExceededException), or
#: an ``int`` k: forward the request without its last k items and hand those k back in the
#: response's ``UnprocessedItems``, as DynamoDB does under load (k covering every item is a
#: throttle, as DynamoDB answers when it can process none), or a ``(status, headers, body)``
#: answer, sent as it is (a corrupt or foreign answer; nothing is forwarded).
Fault = Literal["throttle"] | int | _Reply
THROTTLE: Fault = "throttle"
BATCH_WRITE_TARGET = "DynamoDB_20120810.BatchWriteItem"
TRANSACT_WRITE_TARGET = "DynamoDB_20120810.TransactWriteItems"
#: A scripted ``TransactWriteItems`` fault: ``"conflict"`` answers TransactionCanceledException
#: with a ``TransactionConflict`` reason per action (nothing forwarded); ``"lost"`` forwards the
#: request (it lands) and answers HTTP 500, as when the reply is lost on the way back.
TransactFault = Literal["conflict", "lost"]
THROTTLED_BODY = json.dumps(
    {
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "message": "Rate exceeded",
    }
).encode()
PROXY_TIMEOUT_SECONDS = 10.0
_JSON_TYPE = "application/x-amz-json-1.0"
_NOT_FORWARDED = frozenset(  # hop-by-hop, or recomputed for the body actually sent
    {"host", "content-length", "connection", "keep-alive", "transfer-encoding"}
)


class FaultProxy:
    """An HTTP proxy to a DynamoDB-compatible server that spoils scripted ``BatchWriteItem`` calls.

    Each ``BatchWriteItem`` request takes the next fault of :attr:`faults`, each
    ``TransactWriteItems`` request the next of :attr:`transact_faults`; once they are used up,
    and for every other operation, requests are forwarded untouched. Nothing is mocked: the
    client speaks HTTP to the proxy, the proxy to the real server.

    Attributes:
        endpoint: The proxy's URL, for ``endpoint_url``.
        faults: What the next ``BatchWriteItem`` requests get, in order; set by the test.
        transact_faults: What the next ``TransactWriteItems`` requests get, in order.
        batch_writes: ``BatchWriteItem`` requests received so far, spoiled or not.
        bodies: Their bodies, as received, in order of arrival.
        transact_writes: ``TransactWriteItems`` requests received so far.
    """

    def __init__(self, upstream: str, endpoint: str) -> None:
        """Forward to ``upstream`` (``http://host:port``); ``endpoint`` is where we listen."""
        self.endpoint = endpoint
        self.faults: list[Fault] = []
        self.transact_faults: list[TransactFault] = []
        self.batch_writes = 0
        self.bodies: list[bytes] = []
        self.transact_writes = 0
        split = urlsplit(upstream)
        self._upstream = (split.hostname or "127.0.0.1", split.port or 80)
        self._lock = threading.Lock()

    def reply(self, path: str, headers: Message, body: bytes) -> _Reply:
        """What the client gets for one request."""
        fault: Fault | None = None
        if headers.get("X-Amz-Target") == TRANSACT_WRITE_TARGET:
            return self._transact(path, headers, body)
        if headers.get("X-Amz-Target") == BATCH_WRITE_TARGET:
            with self._lock:
                self.batch_writes += 1
                self.bodies.append(body)
                fault = self.faults.pop(0) if self.faults else None
        if fault is None:
            return self._forward(path, headers, body)
        if fault == THROTTLE:
            return _throttled()
        if isinstance(fault, tuple):
            return fault
        return self._bounce(path, headers, body, int(fault))

    def _transact(self, path: str, headers: Message, body: bytes) -> _Reply:
        with self._lock:
            self.transact_writes += 1
            fault = self.transact_faults.pop(0) if self.transact_faults else None
        if fault is None:
            return self._forward(path, headers, body)
        if fault == "lost":
            self._forward(path, headers, body)
            return HTTPStatus.INTERNAL_SERVER_ERROR, [("Content-Type", _JSON_TYPE)], b"{}"
        actions = json.loads(body)["TransactItems"]
        reply = {
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "message": "Transaction cancelled, please refer cancellation reasons",
            "CancellationReasons": [{"Code": "TransactionConflict"} for _ in actions],
        }
        return HTTPStatus.BAD_REQUEST, [("Content-Type", _JSON_TYPE)], json.dumps(reply).encode()

    def _bounce(self, path: str, headers: Message, body: bytes, count: int) -> _Reply:
        request = json.loads(body)
        ((table, writes),) = request["RequestItems"].items()
        if count >= len(writes):
            return _throttled()
        kept, bounced = writes[: len(writes) - count], writes[len(writes) - count :]
        request["RequestItems"] = {table: kept}
        status, reply_headers, reply = self._forward(path, headers, json.dumps(request).encode())
        if status != HTTPStatus.OK:
            return status, reply_headers, reply
        response = json.loads(reply)
        unprocessed = response.setdefault("UnprocessedItems", {})
        unprocessed[table] = [*unprocessed.get(table, []), *bounced]
        payload = json.dumps(response).encode()
        # botocore checks DynamoDB's CRC32 of the body when the header is there: keep it true.
        crc = str(zlib.crc32(payload))
        fixed = [(n, crc if n.lower() == "x-amz-crc32" else v) for n, v in reply_headers]
        return status, fixed, payload

    def _forward(self, path: str, headers: Message, body: bytes) -> _Reply:
        host, port = self._upstream
        connection = http.client.HTTPConnection(host, port, timeout=PROXY_TIMEOUT_SECONDS)
        try:
            sent = {n: v for n, v in headers.items() if n.lower() not in _NOT_FORWARDED}
            connection.request("POST", path, body=body, headers=sent)
            response = connection.getresponse()
            payload = response.read()
            kept = [(n, v) for n, v in response.getheaders() if n.lower() not in _NOT_FORWARDED]
            return response.status, kept, payload
        finally:
            connection.close()


def _throttled() -> _Reply:
    return HTTPStatus.BAD_REQUEST, [("Content-Type", _JSON_TYPE)], THROTTLED_BODY


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, proxy_of: Callable[[str], FaultProxy]) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        host, port = self.server_address[:2]
        self.proxy = proxy_of(f"http://{host!s}:{port}")


class _ProxyHandler(BaseHTTPRequestHandler):
    timeout = PROXY_TIMEOUT_SECONDS  # a client that stalls does not hold a thread for ever

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        proxy = cast("_ProxyServer", self.server).proxy
        status, headers, payload = proxy.reply(self.path, self.headers, body)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """One line per request would be noise in failure reports."""
        del format, args


@contextlib.contextmanager
def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    """Run a :class:`FaultProxy` to ``upstream`` on a free local port, in a thread, until exit."""
    server = _ProxyServer(lambda endpoint: FaultProxy(upstream, endpoint))
    thread = threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield server.proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(PROXY_TIMEOUT_SECONDS)
