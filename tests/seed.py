"""The seed contract's sample event (``tests/data/seed_event.json``, verbatim), for every test."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

_EVENT: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "seed_event.json").read_text(encoding="utf-8")
)
SEED_SOURCE_ID = "newsapi#bbc-news-ai-regulation-2025-11-16"


def seed_event() -> dict[str, Any]:
    """A fresh copy of the seed's event: one INSERT of an analyzed item with three tags."""
    return copy.deepcopy(_EVENT)


def seed_image() -> dict[str, Any]:
    """A fresh copy of that record's ``NewImage``."""
    image: dict[str, Any] = seed_event()["Records"][0]["dynamodb"]["NewImage"]
    return image
