"""The demo's primary table: a seeded sample of news and social items, and what happens to it.

400 items ingested over five days (2025-11-12 to 2025-11-16) from news sites, RSS feeds and social
networks, shaped like the seed contract's sample: 1-8 matched tags each (about 5 on average), a
snippet, metadata, and about one in ten still ``pending`` analysis. Then the changes a live table
sees, in an interleaved order: re-analyses by a newer model (new sentiment and score, a tag
dropped and another matched), pending items analysed, analysed items queued for re-analysis
(back to ``pending``), and deletions. Each item changes at most once, so the changes can be sent
in batches without two writes to one key. The same seed gives the same data, so the demo's output
is the same on every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dashboard_projection._engine._plan import Delete, Put, WriteOp

SEED = 2025
FIRST_DAY = date(2025, 11, 12)
DAYS = 5
ITEMS = 400
PRIMARY_KEY = ("source_id", "ingested_at")
_PENDING_SHARE = 0.1
# Shares of the analysed items that are re-analysed, queued again, deleted; of pending, analysed.
_REANALYSED, _QUEUED, _REMOVED, _ANALYSED = 0.2, 0.03, 0.05, 0.6

TAGS = (
    "AI", "regulation", "europe", "climate", "elections", "markets", "energy", "health",
    "security", "privacy", "chips", "startups", "layoffs", "space", "trade", "china", "usa",
    "inflation", "crypto", "ev", "labor", "courts", "education", "open-source", "cloud",
    "robotics", "biotech", "media", "sports", "weather",
)  # fmt: skip
TAG_WEIGHTS = (1, 2, 3, 5, 6, 5, 4, 2)  # for 1..8 tags: about 5 on average
_SOURCES = (
    ("newsapi", "BBC News", "https://www.bbc.com/news/technology-"),
    ("newsapi", "Reuters", "https://www.reuters.com/technology/"),
    ("rss", "Ars Technica", "https://arstechnica.com/tech-policy/"),
    ("rss", "The Verge", "https://www.theverge.com/2025/11/"),
    ("reddit", "r/technology", "https://www.reddit.com/r/technology/comments/"),
    ("bluesky", "Bluesky", "https://bsky.app/profile/newsdesk/post/"),
    ("mastodon", "mastodon.social", "https://mastodon.social/@technews/"),
)
_HEADLINES = (
    "New rules for {} draw criticism from industry",
    "Analysts split over the outlook for {}",
    "What the latest numbers say about {}",
    "Lawmakers debate {} as deadline nears",
    "Why everyone is talking about {} today",
    "{} shares swing after surprise announcement",
    "Community reacts to {} news",
    "Investigation raises questions about {}",
)
_SENTENCES = (
    "Officials said more details would follow later this week.",
    "Critics argue the plan moves too fast, supporters that it is overdue.",
    "Markets reacted within minutes of the announcement.",
    "Several companies declined to comment.",
    "The debate is expected to continue into next year.",
    "Experts warn the effects may take months to show.",
)
_AUTHORS = ("Jane Smith", "Ravi Patel", "Ana Costa", "Wei Zhang", "Tom Okafor", "Lena Fischer")
_SENTIMENTS = ("positive", "neutral", "negative")

Image = dict[str, Any]


@dataclass(frozen=True, slots=True)
class DemoData:
    """What the demo writes to the primary table, in order.

    Attributes:
        items: The items first loaded (each an INSERT in the stream).
        changes: Then these puts (MODIFYs) and deletes (REMOVEs), on distinct keys.
        counts: How many changes of each kind, by description.
        days: The days the items were ingested on (UTC).
    """

    items: list[Image]
    changes: list[WriteOp]
    counts: dict[str, int]
    days: tuple[date, ...]


def demo_data(seed: int = SEED, *, items: int = ITEMS) -> DemoData:
    """The demo's ``items`` items and their changes; the same arguments give the same data."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not a secret
    sample = [_item(rng, index) for index in range(items)]
    analysed = [item for item in sample if item["status"]["S"] == "analyzed"]
    pending = [item for item in sample if item["status"]["S"] == "pending"]
    rng.shuffle(analysed)
    cuts = [round(share * len(analysed)) for share in (_REANALYSED, _QUEUED, _REMOVED)]
    reanalysed, queued, removed = _split(analysed, cuts)
    analysed_now = pending[: round(_ANALYSED * len(pending))]
    changes: list[WriteOp] = [Put(_reanalysed(rng, item)) for item in reanalysed]
    changes += [Put(item | _analysis(rng, "v1.0.0")) for item in analysed_now]
    changes += [Put(item | {"status": {"S": "pending"}}) for item in queued]
    changes += [Delete({name: item[name] for name in PRIMARY_KEY}) for item in removed]
    rng.shuffle(changes)
    counts = {
        "re-analysed (new sentiment, score and tags)": len(reanalysed),
        "pending items analysed": len(analysed_now),
        "queued for re-analysis (back to pending)": len(queued),
        "removed": len(removed),
    }
    days = tuple(FIRST_DAY + timedelta(days=day) for day in range(DAYS))
    return DemoData(sample, changes, counts, days)


def _split(items: list[Image], sizes: list[int]) -> list[list[Image]]:
    """Consecutive, disjoint slices of ``items`` of the given sizes."""
    slices, start = [], 0
    for size in sizes:
        slices.append(items[start : start + size])
        start += size
    return slices


def _item(rng: random.Random, index: int) -> Image:
    source_type, source_name, url = rng.choice(_SOURCES)
    start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC)
    ingested = start + timedelta(
        seconds=rng.randrange(DAYS * 86_400), milliseconds=rng.randrange(1000)
    )
    ingested_at = ingested.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    tags = rng.sample(TAGS, rng.choices(range(1, 9), weights=TAG_WEIGHTS)[0])
    title = rng.choice(_HEADLINES).format(tags[0])
    slug = "-".join(title.lower().split()[:5])
    published = ingested - timedelta(minutes=rng.randint(5, 600))
    item: Image = {
        "source_id": {"S": f"{source_type}#{slug}-{index}"},
        "ingested_at": {"S": ingested_at},
        "source_type": {"S": source_type},
        "source_url": {"S": f"{url}{rng.randrange(10**7, 10**8)}"},
        "text_snippet": {"S": " ".join([f"{title}.", *rng.sample(_SENTENCES, 2)])},
        "matched_tags": {"SS": tags},
        "status": {"S": "pending"},
        "metadata": {
            "M": {
                "author": {"S": rng.choice(_AUTHORS)},
                "title": {"S": title},
                "published_at": {"S": published.isoformat(timespec="seconds")[:19] + "Z"},
                "source_name": {"S": source_name},
            }
        },
    }
    if rng.random() >= _PENDING_SHARE:
        item |= _analysis(rng, "v1.0.0")
    return item


def _analysis(rng: random.Random, model_version: str) -> Image:
    """What the sentiment model adds to an item."""
    return {
        "sentiment": {"S": rng.choice(_SENTIMENTS)},
        "score": {"N": f"{rng.random():.{rng.randint(2, 4)}f}"},
        "model_version": {"S": model_version},
        "status": {"S": "analyzed"},
    }


def _reanalysed(rng: random.Random, item: Image) -> Image:
    """``item`` analysed again by a newer model: new sentiment and score, one tag swapped."""
    tags = list(item["matched_tags"]["SS"])
    tags.remove(rng.choice(tags))
    tags.append(rng.choice([tag for tag in TAGS if tag not in tags]))
    return item | _analysis(rng, "v1.1.0") | {"matched_tags": {"SS": tags}}
