"""A catalogue of malformed records: each is dead-lettered with a precise error, and never stops
the good record beside it.

Every file in ``data/bad_events`` is a Lambda event with one good record (``newsapi#good``,
three tags) and one malformed record; its ``_expect`` entry (ignored by the processor, which
reads only ``Records``) says which path the error must name and what its message must say.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dashboard_projection import BadRecord, InMemorySink, InvalidInputError, process_stream_event

NOW = datetime(2025, 11, 16, 15, tzinfo=UTC)
KEY = ("day_partition", "item_key")
BAD_EVENTS = sorted((Path(__file__).parent / "data" / "bad_events").glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(path.read_text())
    return event


def test_the_catalogue_is_large_enough() -> None:
    assert len(BAD_EVENTS) >= 20


@pytest.mark.parametrize("path", BAD_EVENTS, ids=[path.stem for path in BAD_EVENTS])
def test_a_malformed_record_is_dead_lettered_and_the_good_one_written(path: Path) -> None:
    event = load(path)
    expect = event["_expect"]
    sink = InMemorySink(KEY)
    dead: list[BadRecord] = []

    response = process_stream_event(event, sink, now=NOW, metrics=False, dead_letter=dead.append)

    assert response == {"batchItemFailures": []}
    assert {item["source_id"]["S"] for item in sink.items()} == {"newsapi#good"}
    assert len(sink) == 4  # its base item and one item per tag
    assert len(dead) == 1, [str(bad.error) for bad in dead]
    (bad,) = dead
    assert bad.raw is event["Records"][1]
    error = bad.error
    assert isinstance(error, InvalidInputError), repr(error)
    assert expect["path"] in error.path, f"{error.path!r} does not name {expect['path']!r}"
    assert re.search(expect["message"], str(error)), str(error)
    assert str(error).startswith(f"{error.path}: "), "the message leads with where"


@pytest.mark.parametrize("path", BAD_EVENTS, ids=[path.stem for path in BAD_EVENTS])
def test_the_good_record_alone_gives_the_same_table(path: Path) -> None:
    """The bad record leaves no trace: not a partial item, not a stale one."""
    event = load(path)
    with_bad, alone = InMemorySink(KEY), InMemorySink(KEY)
    process_stream_event(event, with_bad, now=NOW, metrics=False)
    process_stream_event({"Records": event["Records"][:1]}, alone, now=NOW, metrics=False)
    canonical = sorted(json.dumps(item, sort_keys=True) for item in with_bad.items())
    assert canonical == sorted(json.dumps(item, sort_keys=True) for item in alone.items())


#: Malformed attributes the dashboard does not project.
UNPROJECTED = {
    "metadata_not_a_map": {"metadata": {"S": "Jane Smith"}},
    "bad_base64_in_unknown_attribute": {"thumbnail": {"B": "not*base64!"}},
    "two_type_tags_in_model_version": {"model_version": {"S": "v1", "N": "1"}},
    "unknown_type_tag_in_unknown_attribute": {"weird": {"Q": "1"}},
}


@pytest.mark.parametrize("extra", UNPROJECTED.values(), ids=list(UNPROJECTED))
def test_a_records_fate_does_not_depend_on_how_its_score_is_spelled(extra: dict[str, Any]) -> None:
    """``0.72`` and ``7.2E-1`` are one score; a record must be accepted or rejected alike.

    (The stream fast path handles plain decimals and skips attributes it does not project; any
    other spelling goes through the full model, which decodes every attribute.)
    """
    fates = []
    for score in ("0.72", "7.2E-1"):
        event = load(BAD_EVENTS[0])
        record = event["Records"][0]
        record["dynamodb"]["NewImage"] |= {**extra, "score": {"N": score}}
        dead: list[BadRecord] = []
        sink = InMemorySink(KEY)
        process_stream_event(event, sink, now=NOW, metrics=False, dead_letter=dead.append)
        fates.append((len(sink), [str(bad.error) for bad in dead]))
    assert fates[0] == fates[1]
