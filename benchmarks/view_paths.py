"""Issue 8's figures: the public view path, fully validated, against the seed's own paths.

* record → wire items, the sentiment view: ``view.project_image`` on every NewImage against the
  seed's dicts + ``TypeSerializer`` (target: at least 4x);
* the same for the orders example, against the same kind of hand-written path for orders (its
  ratio within 20% of the sentiment one's);
* the processor's whole in-process path, ``process_stream_event`` up to a sink that accepts
  everything (parse, project, plan), against the seed's handler loop, on a stream with MODIFYs
  (target: at least 3x).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

import seed_baseline
from dashboard_projection import (
    WriteOp,
    WriteResult,
    process_stream_event,
    sentiment_view,
    serialize_item,
)
from harness import Row, interleave, rate, ratios
from paths import NOW, decoded, records_to_wire, view_records_to_wire

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "orders"))
from orders import orders

_CATEGORIES = ("books", "toys", "garden", "music", "games", "tools", "food", "sport")
_STATUSES = ("paid", "paid", "shipped", "placed")
_deserializer = TypeDeserializer()
_serializer = TypeSerializer()


def orders_event(count: int, *, seed: int = 2025) -> dict[str, Any]:
    """``count`` INSERT/MODIFY records of the orders table, about five categories each."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    for index in range(count):
        created = datetime(2025, 11, 14, tzinfo=UTC) + timedelta(seconds=rng.randrange(259_200))
        earlier = [r for r in records[-50:] if r["eventName"] == "INSERT"]
        if earlier and rng.random() < 0.3:
            old = rng.choice(earlier)["dynamodb"]["NewImage"]
            new = old | {"status": {"S": "shipped"}}
            name = "MODIFY"
        else:
            old, name = None, "INSERT"
            new = dict(
                serialize_item(
                    {
                        "order_id": f"order-{index:06d}",
                        "created_at": created.isoformat(timespec="milliseconds"),
                        "status": rng.choice(_STATUSES),
                        "total": Decimal(rng.randrange(100, 9_999_999)) / 100,
                        "categories": set(rng.sample(_CATEGORIES, rng.randint(1, 8))),
                        "customer_id": f"customer-{rng.randrange(1000)}",
                        "region": rng.choice(("eu", "us", "apac")),
                    }
                )
            )
        keys = {"order_id": new["order_id"], "created_at": new["created_at"]}
        body = {"Keys": keys, "NewImage": new, "OldImage": old, "SequenceNumber": str(index + 1)}
        records.append({"eventID": f"e{index}", "eventName": name, "dynamodb": body})
    return {"Records": records}


def seed_style_orders(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a hand-written handler in the seed's style does for orders: boto3's deserializer,
    Python dicts, one more per category, boto3's serializer on every attribute of each.
    """
    wire = []
    for record in records:
        image = record["dynamodb"]["NewImage"]
        order = {name: _deserializer.deserialize(value) for name, value in image.items()}
        if order["status"] not in ("paid", "shipped"):
            continue
        day = order["created_at"][:10]
        item = {
            "day_partition": day,
            "item_key": f"base#{order['created_at']}#{order['order_id']}",
            "status_total_combined": f"{order['status']}#{order['total']:08.2f}",
            **{
                name: order[name]
                for name in ("order_id", "created_at", "customer_id", "status", "total", "region")
            },
        }
        items = [item] + [
            {**item, "item_key": f"category#{c}#{order['created_at']}", "category": c}
            for c in sorted(order["categories"])
        ]
        wire += [{k: _serializer.serialize(v) for k, v in each.items()} for each in items]
    return wire


class AcceptingSink:
    """A sink that accepts every write at once: the processor's own cost, and nothing else."""

    key_attributes = ("day_partition", "item_key")

    def write(self, ops: Sequence[WriteOp], *, deadline: float | None = None) -> WriteResult:
        del ops, deadline
        return WriteResult()


def _row(name: str, baseline: str, times: dict[str, list[float]], count: int, target: float) -> Row:
    best, median = ratios(times["seed"], times["ours"])
    return Row(
        name,
        f"{baseline} {rate(count, times['seed'], 'records')}",
        rate(count, times["ours"], "records"),
        f"best >={target:g}x",
        "PASS" if best >= target else "FAIL",
        best,
        median,
        {"seconds": times},
    )


def bench_views(records: list[dict[str, Any]], rounds: int) -> list[Row]:
    """The three figures above, each its own interleaved run; outputs checked before timing."""
    view = sentiment_view()
    ours = view_records_to_wire(view, records, NOW)
    if decoded(ours) != decoded(records_to_wire(records, NOW)):
        return [Row("record->wire: sentiment view", "", "", "", "ERROR: items differ")]
    rows = [
        _row(
            "record->wire: sentiment view",
            "seed",
            interleave(
                {
                    "seed": lambda: seed_baseline.records_to_wire(records),
                    "ours": lambda: view_records_to_wire(view, records, NOW),
                },
                rounds,
            ),
            len(records),
            4,
        )
    ]
    order_records = orders_event(len(records))["Records"]
    rows.append(
        _row(
            "record->wire: orders view",
            "seed-style",
            interleave(
                {
                    "seed": lambda: seed_style_orders(order_records),
                    "ours": lambda: view_records_to_wire(orders, order_records, NOW),
                },
                rounds,
            ),
            len(order_records),
            0.8 * (rows[0].best or 0),
        )
    )
    event = {"Records": records}
    sink = AcceptingSink()

    def process() -> object:
        return process_stream_event(event, sink, now=NOW, metrics=False)

    assert process() == {"batchItemFailures": []}
    rows.append(
        _row(
            "processor in-process (MODIFYs)",
            "seed handler",
            interleave(
                {"seed": lambda: seed_baseline.records_to_wire(records), "ours": process}, rounds
            ),
            len(records),
            3,
        )
    )
    return rows
