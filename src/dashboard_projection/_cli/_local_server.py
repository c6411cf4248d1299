"""The demo's own DynamoDB-compatible server: moto in server mode, on 127.0.0.1, in a thread.

moto is the most faithful server that installs from PyPI alone (DynamoDB Local needs Java, and
dynalite Node.js): it speaks the DynamoDB and DynamoDB Streams HTTP APIs, GSIs, TTL settings and
streams included, so the demo's clients make real HTTP calls, as they would to AWS. It comes with
the ``local`` extra, which a Lambda deployment does not install.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextlib.contextmanager
def embedded_server() -> Iterator[str]:
    """Run moto's server on a free port of 127.0.0.1 until the block ends; yield its URL.

    Raises:
        ModuleNotFoundError: moto's server is not installed; the command line reports it as
            the missing ``local`` extra.
    """
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - the extra is optional

    access_log = logging.getLogger("werkzeug")  # one line per HTTP request otherwise
    level = access_log.level
    access_log.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        access_log.setLevel(level)
