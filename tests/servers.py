"""Local DynamoDB-compatible servers for the integration tests, and clients for them.

Two servers, because each catches what the other lets through: moto (in server mode, so the
sink's HTTP calls are real) and dynalite, a Node.js server built to mirror DynamoDB's
validation and error messages. dynalite comes from package-lock.json: run ``npm ci``.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.literals import ScalarAttributeTypeType

REPO = Path(__file__).resolve().parent.parent
DYNALITE_CLI = REPO / "node_modules" / "dynalite" / "cli.js"
STARTUP_SECONDS = 15.0
POLL_SECONDS = 0.05


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Run moto's server in a thread on a free local port; yield its endpoint URL."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - moto is slow to import

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    access_log = logging.getLogger("werkzeug")  # one line per request: noise in failure reports
    level = access_log.level
    access_log.setLevel(logging.WARNING)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        access_log.setLevel(level)


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
    give_up = time.monotonic() + STARTUP_SECONDS
    while client.describe_table(TableName=name)["Table"].get("TableStatus") != "ACTIVE":
        if time.monotonic() > give_up:
            msg = f"table {name} did not become active within {STARTUP_SECONDS}s"
            raise RuntimeError(msg)
        time.sleep(POLL_SECONDS)
    return name
