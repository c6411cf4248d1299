"""A seeded, realistic DynamoDB Streams event from ``sentiment-items-primary``.

Records are shaped like the sample in the seed's stream-processor contract (the same attributes,
the same DynamoDB JSON), with sizes that make the work realistic: a snippet of 100-400 characters,
1-8 tags (about 5 on average), scores with 2-4 decimals. About a fifth of the records are
``MODIFY`` re-analyses of an item already in the batch, so a batch writes some keys twice, as a
real stream does. The same seed always gives the same event, so runs compare like with like.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard_projection._cli._demo_data import TAG_WEIGHTS as _TAG_WEIGHTS
from dashboard_projection._cli._demo_data import TAGS as _TAGS

SEED = 2025
STREAM_ARN = (
    "arn:aws:dynamodb:us-east-1:123456789012:table/sentiment-items-primary"
    "/stream/2025-11-16T00:00:00.000"
)
#: Lambda's limits on one DynamoDB Streams batch: records, and bytes of payload.
MAX_BATCH_RECORDS = 10_000
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024

_SOURCES = (
    ("newsapi", "BBC News", "https://www.bbc.com/news/technology-"),
    ("newsapi", "Reuters", "https://www.reuters.com/technology/"),
    ("newsapi", "The Verge", "https://www.theverge.com/2025/11/"),
    ("rss", "Ars Technica", "https://arstechnica.com/tech-policy/"),
    ("reddit", "r/technology", "https://www.reddit.com/r/technology/comments/"),
)
_TEXT = (
    "the european union announces sweeping new rules for artificial intelligence systems as "
    "lawmakers debate how markets regulators and companies should respond to rapid change in "
    "energy prices while analysts expect further volatility across technology shares after a "
    "court ruling on privacy and data protection raised questions for startups and investors"
)
_WORDS = _TEXT.split()
_AUTHORS = ("Jane Smith", "Ravi Patel", "Ana Costa", "Wei Zhang", "Tom Okafor", "Lena Fischer")
_SENTIMENTS = ("positive", "neutral", "negative")
_MODIFY_SHARE = 0.2


def _s(text: str) -> dict[str, str]:
    return {"S": text}


def _words(rng: random.Random, low: int, high: int) -> str:
    """Text of ``low`` to ``high`` characters, cut at a word boundary."""
    longest = max(map(len, _WORDS))
    target = rng.randint(low + longest, high - 1)
    text = ""
    while len(text) <= target:
        text += rng.choice(_WORDS) + " "
    return text[:target].rsplit(" ", 1)[0].capitalize() + "."


def _image(rng: random.Random, index: int, tags: int | None) -> dict[str, Any]:
    source_type, source_name, url = _SOURCES[rng.randrange(len(_SOURCES))]
    ingested = datetime(2025, 11, 14, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(3 * 86_400), milliseconds=rng.randrange(1000)
    )
    ingested_at = ingested.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    title = _words(rng, 30, 90)
    slug = "-".join(title.lower().rstrip(".").split()[:5])
    count = tags if tags is not None else rng.choices(range(1, 9), weights=_TAG_WEIGHTS)[0]
    decimals = rng.randint(2, 4)
    published = (ingested - timedelta(minutes=rng.randint(5, 600))).isoformat(timespec="seconds")
    return {
        "source_id": _s(f"{source_type}#{slug}-{index}-{ingested_at[:10]}"),
        "ingested_at": _s(ingested_at),
        "source_type": _s(source_type),
        "source_url": _s(f"{url}{rng.randrange(10**7, 10**8)}"),
        "text_snippet": _s(_words(rng, 100, 400)),
        "sentiment": _s(rng.choice(_SENTIMENTS)),
        "score": {"N": f"{rng.random():.{decimals}f}"},
        "model_version": _s("v1.0.0"),
        "matched_tags": {"SS": rng.sample(_TAGS, count)},
        "status": _s("analyzed"),
        "metadata": {
            "M": {
                "author": _s(rng.choice(_AUTHORS)),
                "title": _s(title),
                "published_at": _s(published.replace("+00:00", "Z")),
                "source_name": _s(source_name),
            }
        },
    }


def _reanalysed(rng: random.Random, image: dict[str, Any]) -> dict[str, Any]:
    """``image`` scored again by a newer model: same keys and tags, new sentiment and score."""
    return image | {
        "sentiment": _s(rng.choice(_SENTIMENTS)),
        "score": {"N": f"{rng.random():.{rng.randint(2, 4)}f}"},
        "model_version": _s("v1.1.0"),
    }


def _record(
    rng: random.Random, seq: int, name: str, new: dict[str, Any], old: dict[str, Any] | None
) -> dict[str, Any]:
    keys = {"source_id": new["source_id"], "ingested_at": new["ingested_at"]}
    instant = datetime.fromisoformat(new["ingested_at"]["S"])
    return {
        "eventID": f"{rng.getrandbits(128):032x}",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": int(instant.timestamp()),
            "Keys": keys,
            "NewImage": new,
            "OldImage": old,
            "SequenceNumber": str(seq),
            "SizeBytes": len(json.dumps([keys, new, old])),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": STREAM_ARN,
    }


def make_event(
    records: int, *, seed: int = SEED, tags: int | None = None, max_bytes: int | None = None
) -> dict[str, Any]:
    """A Lambda event of ``records`` stream records (fewer if ``max_bytes`` of JSON come first).

    Args:
        records: How many records to generate.
        seed: The generator's seed; the same seed gives the same event.
        tags: Give every record exactly this many tags instead of 1-8.
        max_bytes: Stop before the event's JSON would exceed this size (Lambda's 6 MB payload).
    """
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    size = len('{"Records": []}')
    seq = 400_000_000_000_000_000_000
    for index in range(records):
        seq += rng.randint(1, 1000)
        earlier = [r for r in out[-50:] if r["eventName"] == "INSERT"]
        if earlier and rng.random() < _MODIFY_SHARE:
            old = rng.choice(earlier)["dynamodb"]["NewImage"]
            record = _record(rng, seq, "MODIFY", _reanalysed(rng, old), old)
        else:
            record = _record(rng, seq, "INSERT", _image(rng, index, tags), None)
        if max_bytes is not None:
            size += len(json.dumps(record)) + 2
            if size > max_bytes:
                break
        out.append(record)
    return {"Records": out}


def largest_event(*, seed: int = SEED) -> dict[str, Any]:
    """The largest batch Lambda delivers: 10,000 records or 6 MB of JSON, whichever is smaller."""
    return make_event(MAX_BATCH_RECORDS, seed=seed, max_bytes=MAX_PAYLOAD_BYTES)
