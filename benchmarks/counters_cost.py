"""(f) What counters cost: write units and requests per 100-record batch, counters off and on.

Counts, not timings. Write units follow the DynamoDB Developer Guide ("Read/write capacity
mode"): a standard write of an item costs one WCU per started KB of its size, a transactional
write two (``TransactWriteItems`` writes each item twice, prepare and commit). Item sizes are
the library's own ``item_size`` (names plus values, as DynamoDB counts them). A delete is
counted as one WCU (the deleted item's size is not in the plan; dashboard items are under 1 KB).
A counter update is costed at the size of the whole counter item it leaves.

The transactions go to a recording client that accepts every one, so the count is that of a
stream applied in order without conflicts: one ``TransactWriteItems`` call per up to 100 actions
(a marker per source item of the batch, an update per counter shard they change).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from typing import Any

from dashboard_projection import InMemorySink, Put, process_stream_event
from dashboard_projection._counters._writer import CounterWriter
from dashboard_projection._engine._sizes import item_size
from dashboard_projection._sentiment._counters import sentiment_counters
from harness import Row
from paths import NOW

KB = 1024
TRANSACTION_FACTOR = 2


class RecordingClient:
    """Accepts every transaction; keeps the write units each would cost.

    The writer calls it from several threads: the totals are added up under a lock.
    """

    def __init__(self) -> None:
        self.wcu = 0
        self.actions = 0
        self._lock = threading.Lock()

    def transact_write_items(self, **kwargs: Any) -> Mapping[str, Any]:  # noqa: ANN401 - boto3 kwargs
        wcu = 0
        for action in kwargs["TransactItems"]:
            ((kind, body),) = action.items()
            if kind == "Put":
                item = body["Item"]
            else:
                names, values = body["ExpressionAttributeNames"], body["ExpressionAttributeValues"]
                item = {**body["Key"], **{names[n]: values[":" + n[1:]] for n in names}}
            wcu += TRANSACTION_FACTOR * math.ceil(item_size(item) / KB)
        with self._lock:
            self.wcu += wcu
            self.actions += len(kwargs["TransactItems"])
        return {}


class PlanCost(InMemorySink):
    """An in-memory table that also adds up the write units of what it is asked to write."""

    def __init__(self, key_attributes: tuple[str, ...]) -> None:
        super().__init__(key_attributes)
        self.wcu = 0

    def write(self, ops: Any, *, deadline: float | None = None) -> Any:  # noqa: ANN401
        self.wcu += sum(
            math.ceil(item_size(op.item) / KB) if isinstance(op, Put) else 1 for op in ops
        )
        return super().write(ops, deadline=deadline)


def bench_counters_cost(label: str, records: list[dict[str, Any]]) -> Row:
    """Dashboard writes alone, then with ``sentiment_counters()`` kept in the same batch."""
    counters = sentiment_counters()
    sink = PlanCost(counters.view.key_attributes)
    client = RecordingClient()
    writer = CounterWriter(counters, "counters", client=client)
    response = process_stream_event(
        {"Records": records},
        sink,
        projection=counters.view,
        counters=writer,
        now=NOW,
        metrics=False,
    )
    assert response == {"batchItemFailures": []}, response
    count = len(records)
    off_requests, on_requests = sink.requests, sink.requests + writer.requests
    off_wcu, on_wcu = sink.wcu, sink.wcu + client.wcu
    return Row(
        f"counters cost: {label}",
        f"off {off_wcu / count:.1f} WCU/record, {off_requests} requests",
        f"on {on_wcu / count:.1f} WCU/record, {on_requests} requests "
        f"(+{writer.requests} TransactWriteItems, {client.actions / count:.1f} items/record)",
        "info",
        "info",
        numbers={
            "records": count,
            "off": {"wcu": off_wcu, "requests": off_requests},
            "on": {"wcu": on_wcu, "requests": on_requests, "transactions": writer.requests},
            "transaction_items": client.actions,
        },
    )
