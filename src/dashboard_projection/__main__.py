"""Command line: ``dashboard-projection demo`` projects a bundled sample stream event.

Bad input gets a one-line error on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

from dashboard_projection._errors import DashboardProjectionError
from dashboard_projection._models import PrimaryItem
from dashboard_projection._projection import project

_SAMPLE_EVENT = "sample_event.json"


def _load_sample() -> dict[str, Any]:
    text = files("dashboard_projection").joinpath("samples", _SAMPLE_EVENT).read_text("utf-8")
    event: dict[str, Any] = json.loads(text)
    return event


def _demo(now: datetime) -> int:
    """Project every record of the sample event and print its dashboard items as JSON lines."""
    for record in _load_sample()["Records"]:
        image = record["dynamodb"].get("NewImage") or {}
        status = image.get("status", {}).get("S")
        label = f"record {record['eventID']} ({record['eventName']}, status={status})"
        if record["eventName"] == "REMOVE" or status != "analyzed":
            print(f"# {label}: skipped, not an analyzed item")
            continue
        try:
            items = project(PrimaryItem.from_image(image), now=now)
        except DashboardProjectionError as exc:
            print(f"# {label}: rejected: {exc}")
            continue
        print(f"# {label}: {len(items)} dashboard items")
        for item in items:
            print(item.model_dump_json(exclude_none=True))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dashboard-projection", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="project the bundled sample stream event")
    demo.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="the clock for TTLs, an ISO-8601 instant with offset (default: the current time)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    now = args.now or datetime.now(UTC)
    if now.utcoffset() is None:
        print(
            "dashboard-projection: error: --now needs a timezone, e.g. 2025-11-16T15:00:00Z",
            file=sys.stderr,
        )
        return 2
    return _demo(now)


if __name__ == "__main__":
    sys.exit(main())
