"""Counters stay exact under every delivery Lambda may make: a stateful property test.

Histories: INSERT, MODIFY (sentiment, score, tags, status), user and TTL REMOVEs, records the
model rejects, sequence numbers of varying length. Deliveries: batches of any size from each of
two "parallel" lanes (ParallelizationFactor, or two shards: per-item order kept, items
interleaved), resumed from the reported itemIdentifier; whole batches redelivered (a function
error); replays from an earlier position; shard splits (an item's later records in another
lane, once its lane is read to the end); records never delivered (MaximumRecordAgeInSeconds);
transaction conflicts, throttles and lost replies injected per call.

After every step: the counters equal the sum of the markers' contributions, and each marker
holds what its record contributes. Once every lane has caught up, unless a record was lost: the
counters equal a recount of the dashboard items (a lost record can leave stale copies on the
dashboard, which a recount would count).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dashboard_projection import InMemorySink, InvalidInputError, process_stream_event
from dashboard_projection._counters._declaration import Contribution, add
from dashboard_projection._counters._items import (
    decode_marker,
    marker_key,
    sequence_key,
    source_of,
)
from dashboard_projection._counters._reader import totals_of
from dashboard_projection._counters._writer import CounterWriter
from dashboard_projection._engine._records import parse_record
from dashboard_projection._sentiment._counters import sentiment_counters
from transactions import Fault, TransactionalTable

NOW = datetime(2025, 11, 17, 12, tzinfo=UTC)
COUNTERS = sentiment_counters(shards=3, propagate_removes=True)
#: (source_id, ingested_at): two on one day, one on the next; lanes 0, 1, 0.
ITEMS = (
    ("news#1", "2025-11-16T10:00:00Z"),
    ("news#2", "2025-11-16T23:30:00-05:00"),
    ("news%3", "2025-11-16T11:00:00.5Z"),
)
LANES = 2
TAGS = ("AI", "chips", "eu#ro", "100%")
STEPS = st.sampled_from([1, 9, 10**3, 10**19, 10**37])
FAULTS: st.SearchStrategy[list[Fault]] = st.lists(
    st.sampled_from([None, None, "conflict", "throttle", "lost"]), max_size=4
)


def image(
    index: int, *, status: str, sentiment: str, score: str, tags: list[str]
) -> dict[str, Any]:
    source_id, ingested_at = ITEMS[index]
    item: dict[str, Any] = {
        "source_id": {"S": source_id},
        "ingested_at": {"S": ingested_at},
        "source_type": {"S": "newsapi"},
        "status": {"S": status},
        "sentiment": {"S": sentiment},
        "score": {"N": score},
    }
    if tags:
        item["matched_tags"] = {"SS": tags}
    return item


def expected_contribution(raw: dict[str, Any]) -> Contribution:
    """What the record leaves on the dashboard, counted: the model of CounterWriter's rule."""
    record = parse_record(raw, 0)
    if record.new_image is None:
        return {}
    try:
        items = COUNTERS.view.project_image(record.new_image, now=NOW)
    except InvalidInputError:
        return {}
    return COUNTERS.contribution(items)


class CountersMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.table = TransactionalTable()
        self.writer = CounterWriter(
            COUNTERS,
            "counters",
            client=self.table,
            max_attempts=2,
            sleep=lambda _: None,
            max_concurrency=1,  # faults are scripted by call order (test_counters: in parallel)
            max_actions=12,  # a batch of several items is then several transactions
        )
        self.sink = InMemorySink(COUNTERS.view.key_attributes)
        self.primary: list[dict[str, Any] | None] = [None] * len(ITEMS)
        self.retired = [False] * len(ITEMS)  # a TTL delete ends an item's history here
        self.sequence = 10**20
        self.lanes: list[list[dict[str, Any]]] = [[] for _ in range(LANES)]
        self.checkpoints = [0] * LANES
        self.by_sequence: dict[str, dict[str, Any]] = {}
        self.applied: dict[str, str] = {}  # source → latest sequence known to be applied
        self.lane_of = [index % LANES for index in range(len(ITEMS))]
        self.lost = False

    def _append(self, index: int, name: str, new: dict[str, Any] | None, *, ttl: bool) -> None:
        old = self.primary[index]
        body: dict[str, Any] = {
            "Keys": {"source_id": {"S": ITEMS[index][0]}, "ingested_at": {"S": ITEMS[index][1]}},
            "SequenceNumber": str(self.sequence),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
        if new is not None:
            body["NewImage"] = new
        if old is not None:
            body["OldImage"] = old
        raw: dict[str, Any] = {"eventID": str(self.sequence), "eventName": name, "dynamodb": body}
        if ttl:
            raw["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
        self.lanes[self.lane_of[index]].append(raw)
        self.by_sequence[sequence_key(str(self.sequence))] = raw
        self.primary[index] = new

    @rule(
        index=st.integers(0, len(ITEMS) - 1),
        status=st.sampled_from(["analyzed", "analyzed", "pending"]),
        sentiment=st.sampled_from(["positive", "neutral", "negative"]),
        score=st.sampled_from(["0", "0.25", "0.5", "0.72", "1"]),
        tags=st.lists(st.sampled_from(TAGS), unique=True, max_size=3),
        bad=st.booleans(),
        step=STEPS,
    )
    def write(  # noqa: PLR0913 - one primary write, drawn part by part
        self, index: int, status: str, sentiment: str, score: str, tags: list[str], *,
        bad: bool, step: int,
    ) -> None:  # fmt: skip
        if self.retired[index]:
            return
        self.sequence += step
        name = "INSERT" if self.primary[index] is None else "MODIFY"
        new = image(
            index, status=status, sentiment=sentiment, score="2" if bad else score, tags=tags
        )
        self._append(index, name, new, ttl=False)

    @rule(index=st.integers(0, len(ITEMS) - 1), ttl=st.booleans(), step=STEPS)
    def remove(self, index: int, *, ttl: bool, step: int) -> None:
        if self.primary[index] is None or self.retired[index]:
            return
        self.sequence += step
        self._append(index, "REMOVE", None, ttl=ttl)
        self.retired[index] = ttl

    def _deliver(self, lane: int, size: int, faults: list[Fault]) -> str | None:
        start = self.checkpoints[lane]
        batch = self.lanes[lane][start : start + size]
        if not batch:
            return None
        self.table.faults = list(faults)
        response = process_stream_event(
            {"Records": batch},
            self.sink,
            projection=COUNTERS.view,
            counters=self.writer,
            now=NOW,
            metrics=False,
        )
        self.table.faults = []
        failures = response["batchItemFailures"]
        resumed = failures[0]["itemIdentifier"] if failures else None
        for raw in batch:
            body = raw["dynamodb"]
            if body["SequenceNumber"] == resumed:
                break
            if "userIdentity" not in raw:  # a TTL delete leaves the counters as they are
                source = source_of(COUNTERS, body["Keys"])
                sequence = sequence_key(body["SequenceNumber"])
                self.applied[source] = max(self.applied.get(source, ""), sequence)
        return resumed or "done"

    @rule(lane=st.integers(0, LANES - 1), size=st.integers(1, 6), faults=FAULTS)
    def deliver(self, lane: int, size: int, faults: list[Fault]) -> None:
        """A batch, then Lambda resumes from the reported record (or after the batch)."""
        start = self.checkpoints[lane]
        outcome = self._deliver(lane, size, faults)
        if outcome == "done":
            self.checkpoints[lane] = min(start + size, len(self.lanes[lane]))
        elif outcome is not None:
            sequences = [raw["dynamodb"]["SequenceNumber"] for raw in self.lanes[lane]]
            self.checkpoints[lane] = sequences.index(outcome, start)

    @rule(lane=st.integers(0, LANES - 1), size=st.integers(1, 6), faults=FAULTS)
    def redeliver(self, lane: int, size: int, faults: list[Fault]) -> None:
        """A batch whose invocation failed as a whole: Lambda sends it (or half of it) again."""
        self._deliver(lane, size, faults)

    @precondition(lambda self: any(self.checkpoints))
    @rule(lane=st.integers(0, LANES - 1), data=st.data())
    def replay(self, lane: int, data: st.DataObject) -> None:
        """The mapping restarts from an earlier record (a resumed itemIdentifier, a replay)."""
        self.checkpoints[lane] = data.draw(st.integers(0, self.checkpoints[lane]))

    @rule(index=st.integers(0, len(ITEMS) - 1), lane=st.integers(0, LANES - 1))
    def split(self, index: int, lane: int) -> None:
        """A shard split: the item's later records go to a child shard, read after its parent."""
        parent = self.lane_of[index]
        if self.checkpoints[parent] == len(self.lanes[parent]):
            self.lane_of[index] = lane

    @rule(lane=st.integers(0, LANES - 1), count=st.integers(1, 2))
    def expire(self, lane: int, count: int) -> None:
        """Records older than MaximumRecordAgeInSeconds: skipped, never delivered."""
        start = self.checkpoints[lane]
        self.checkpoints[lane] = min(start + count, len(self.lanes[lane]))
        self.lost |= self.checkpoints[lane] > start

    def teardown(self) -> None:
        """Without faults, every lane catches up in a bounded number of batches."""
        for lane in range(LANES):
            for _ in range(len(self.lanes[lane])):
                self.deliver(lane, 6, [])
            assert self.checkpoints[lane] == len(self.lanes[lane])
        self.caught_up_counters_equal_a_recount()

    @invariant()
    def counters_are_the_markers_sum(self) -> None:
        markers: Contribution = {}
        for (pk, _), item in self.table.items.items():
            if pk.startswith("marker#"):
                marker = decode_marker(item)
                assert marker.contribution == expected_contribution(
                    self.by_sequence[marker.sequence]
                )
                for key, amounts in marker.contribution.items():
                    add(markers, key, amounts)
        assert totals_of(COUNTERS, self.table.items.values()) == _nonzero(markers)

    @invariant()
    def a_marker_never_goes_back(self) -> None:
        for source, sequence in self.applied.items():
            marker = self.table.get_item(Key=marker_key(source))["Item"]
            assert decode_marker(marker).sequence >= sequence

    @invariant()
    def caught_up_counters_equal_a_recount(self) -> None:
        lanes = zip(self.checkpoints, self.lanes, strict=True)
        if not self.lost and all(cp == len(lane) for cp, lane in lanes):
            recount = COUNTERS.contribution(self.sink.items())
            assert totals_of(COUNTERS, self.table.items.values()) == recount


def _nonzero(total: Contribution) -> Contribution:
    return {key: amounts for key, amounts in total.items() if any(amounts)}


TestCounters = CountersMachine.TestCase
TestCounters.settings = settings(max_examples=200, stateful_step_count=25, deadline=None)
