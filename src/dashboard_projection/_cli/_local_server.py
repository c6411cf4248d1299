"""The demo's own DynamoDB-compatible server: moto in server mode, on 127.0.0.1, in a thread.

moto is the most faithful server that installs from PyPI alone (DynamoDB Local needs Java, and
dynalite Node.js): it speaks the DynamoDB and DynamoDB Streams HTTP APIs, GSIs, TTL settings and
streams included, so the demo's clients make real HTTP calls, as they would to AWS. It comes with
the ``local`` extra, which a Lambda deployment does not install.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import threading
from typing import TYPE_CHECKING, Any

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

    _snapshot_tables_once()
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


class _TableCopies:
    """``copy`` for moto's DynamoDB backend, but a table deep-copied once per transaction.

    moto's ``transact_write_items`` snapshots each table for its rollback once per *action*,
    before applying any: copies of one unchanged table, identical, each costing time in
    proportion to the table. The counters' transactions hold up to 100 actions, so the demo
    spent minutes copying. Within a transaction (on its thread) a table's first copy serves
    for all; every other copy, and every call outside a transaction, is ``copy``'s own.
    """

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type
        self._local = threading.local()

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - whatever copy has
        return getattr(copy, name)

    def deepcopy(self, value: object, memo: dict[int, Any] | None = None) -> Any:  # noqa: ANN401
        copies: dict[int, object] | None = getattr(self._local, "copies", None)
        if copies is None or not isinstance(value, self._table_type):
            return copy.deepcopy(value, memo)
        if id(value) not in copies:
            copies[id(value)] = copy.deepcopy(value, memo)
        return copies[id(value)]

    def once(self, transact: Any) -> Any:  # noqa: ANN401 - moto's method
        @functools.wraps(transact)
        def transact_write_items(backend: object, *args: object, **kwargs: object) -> object:
            self._local.copies = {}
            try:
                return transact(backend, *args, **kwargs)
            finally:
                self._local.copies = None

        transact_write_items.snapshots_once = True  # type: ignore[attr-defined]
        return transact_write_items


def _snapshot_tables_once() -> None:
    """Install :class:`_TableCopies` in moto's DynamoDB backend (once per process)."""
    try:
        from moto.dynamodb import models  # noqa: PLC0415 - the extra is optional
        from moto.dynamodb.models.table import Table  # noqa: PLC0415
    except ImportError:  # another moto layout: its transactions stay as slow as they are
        return
    backend = models.DynamoDBBackend
    if getattr(backend.transact_write_items, "snapshots_once", False):
        return
    copies = _TableCopies(Table)
    vars(models)["copy"] = copies  # the backend module's name for copy
    backend.transact_write_items = copies.once(backend.transact_write_items)  # type: ignore[method-assign]
