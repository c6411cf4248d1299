"""The laws every view keeps, checked by Hypothesis over the view's own streams.

:func:`view_laws` builds a :class:`hypothesis.stateful.RuleBasedStateMachine` that delivers a
stream (drawn with ``stream_records(view, bad=True)``) to the processor in batches, redelivers
batches and retries them after part of their writes landed, and checks after every step:

* **total**: every valid record projects without raising; a malformed one raises
  :class:`~dashboard_projection.InvalidInputError`, and nothing else;
* **storable**: a strict :class:`~dashboard_projection.InMemorySink` accepts every write, and
  the index keys (fan-out member, UTC instant, combined key) are strings DynamoDB can index;
* **distinct keys**: no two writes of one record share a key;
* **batches**: the table equals the records applied one by one;
* **replays**: delivering a batch again changes nothing;
* **no stale items**: the table holds exactly the projection of the primary table's current
  shown items (and the items of removed ones that the view keeps until their TTL);
* **queries**: ``query_by_day``, ``query_by_member`` and ``query_by_combined`` (over whole and
  partial value ranges) select each shown item exactly once, evaluated on the table in memory.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from dashboard_projection._engine._outcome import BadRecord
from dashboard_projection._engine._processor import process_stream_event
from dashboard_projection._engine._projection import Projection
from dashboard_projection._engine._sink_memory import InMemorySink
from dashboard_projection._errors import InvalidInputError
from dashboard_projection._view._declaration import DashboardView
from dashboard_projection.testing._checks import check_record, describe, same
from dashboard_projection.testing._queries import check_queries
from dashboard_projection.testing._reference import Reference, by_key
from dashboard_projection.testing._streams import stream_records
from dashboard_projection.testing._values import SearchStrategy

#: The clock the laws are checked at, unless told otherwise.
DEFAULT_NOW = datetime(2025, 11, 16, 12, tzinfo=UTC)
_SIZES = st.integers(1, 8)


def check_view_laws(  # noqa: PLR0913 - every option is keyword-only with a default
    view: DashboardView[Any, Any],
    *,
    fields: Mapping[str, SearchStrategy[Any]] | None = None,
    projection: Projection | None = None,
    now: datetime = DEFAULT_NOW,
    max_examples: int = 50,
    settings: settings | None = None,
) -> None:
    """Check, in one call, that ``view`` keeps every law of a dashboard (see the module doc).

    For a user's own test suite::

        def test_orders_view_keeps_the_laws():
            check_view_laws(orders)

    Hypothesis draws streams of ``view.model`` items (as ``stream_records(view, bad=True,
    fields=fields)`` does), delivers them in batches, redelivered and retried, and shrinks any
    failure to a short story of steps, printed before the error.

    Args:
        view: The declaration under test.
        fields: Strategies of Python values for attributes that the model's types do not
            describe well enough (see :func:`stream_images`).
        projection: What the processor runs; ``view`` itself by default. Pass a wrapper (one
            that logs, or filters) to check that it keeps ``view``'s laws.
        now: The clock (timezone-aware) the projection runs at.
        max_examples: How many streams to try.
        settings: Hypothesis settings for the run; ``max_examples`` is ignored when given.

    Raises:
        AssertionError: A law is broken; the message names it and shows the difference.
        InvalidArgument: ``now`` is naive, or ``fields`` does not fit the model.
    """
    machine = view_laws(view, fields=fields, projection=projection, now=now)
    chosen = settings or _settings(max_examples=max_examples)
    run_state_machine_as_test(machine, settings=chosen)


def _settings(*, max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        stateful_step_count=8,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def view_laws(
    view: DashboardView[Any, Any],
    *,
    fields: Mapping[str, SearchStrategy[Any]] | None = None,
    projection: Projection | None = None,
    now: datetime = DEFAULT_NOW,
) -> type[RuleBasedStateMachine]:
    """The state machine that :func:`check_view_laws` runs, for pytest or your own settings.

    For example::

        TestOrderLaws = view_laws(orders).TestCase

    Args:
        view: The declaration under test.
        fields: As for :func:`check_view_laws`.
        projection: As for :func:`check_view_laws`.
        now: As for :func:`check_view_laws`.

    Returns:
        A :class:`~hypothesis.stateful.RuleBasedStateMachine` subclass.

    Raises:
        InvalidArgument: ``now`` is naive, or ``fields`` does not fit the model.
    """
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise InvalidArgument(f"now must be a timezone-aware datetime, got {now!r}")
    streams = stream_records(view, fields=fields, bad=True, max_records=16)
    runs = projection if projection is not None else view

    class ViewLaws(_Laws):
        @initialize(records=streams)
        def start(self, records: list[dict[str, Any]]) -> None:
            self.begin(view, runs, now, records)

    ViewLaws.__name__ = ViewLaws.__qualname__ = f"{view.model.__name__}ViewLaws"
    return ViewLaws


class _Laws(RuleBasedStateMachine):
    """The rules and invariants; :func:`view_laws` adds the stream to start from."""

    def begin(
        self,
        view: DashboardView[Any, Any],
        projection: Projection,
        now: datetime,
        records: list[dict[str, Any]],
    ) -> None:
        """Start with empty tables, at the start of ``records``."""
        self.view, self.projection, self.now, self.records = view, projection, now, records
        keys = projection.key_attributes
        self.batched, self.one_by_one = InMemorySink(keys), InMemorySink(keys)
        self.reference = Reference(view, now)
        self.position = 0
        self.last: list[dict[str, Any]] | None = None

    def started(self) -> bool:
        return hasattr(self, "records")

    def more(self) -> bool:
        return self.started() and self.position < len(self.records)

    @precondition(lambda self: self.more())
    @rule(size=_SIZES)
    def deliver(self, size: int) -> None:
        """The next batch, as Lambda delivers it."""
        self._deliver(self.records[self.position : self.position + size])

    @precondition(lambda self: self.more())
    @rule(size=_SIZES, landed=_SIZES)
    def retry(self, size: int, landed: int) -> None:
        """The next batch after an invocation whose first ``landed`` records' writes landed."""
        batch = self.records[self.position : self.position + size]
        self._process(copy.deepcopy(batch[:landed]), self.batched)
        self._deliver(batch)

    @precondition(lambda self: self.started() and self.last is not None)
    @rule()
    def redeliver(self) -> None:
        """The last batch again, an equal copy, as after a timeout."""
        before = by_key(self.batched.items())
        self._process(copy.deepcopy(self.last or []), self.batched)
        same(
            "replays",
            "after redelivering the last batch",
            before,
            by_key(self.batched.items()),
        )

    @invariant()
    def tables_agree(self) -> None:
        """Batches equal one by one; the table is the primary table's projection."""
        if not self.started():
            return
        batched, one_by_one = by_key(self.batched.items()), by_key(self.one_by_one.items())
        same("batches", "batched vs one by one", one_by_one, batched)
        same(
            "no stale items",
            "table vs the primary table's projection",
            self.reference.table(),
            batched,
        )

    @invariant()
    def queries_select_each_item_once(self) -> None:
        """Every query selects each shown item it should, once."""
        if self.started():
            check_queries(self.view, self.reference, self.batched.items())

    # --- steps -----------------------------------------------------------------------------------

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        for raw in batch:
            bad = str(raw.get("eventID", "")).startswith("bad-")
            check_record(self.view, self.projection, raw, self.now, bad=bad)
            self._process([copy.deepcopy(raw)], self.one_by_one)
            self.reference.apply(raw, bad=bad)
        self._process(copy.deepcopy(batch), self.batched)
        self.position += len(batch)
        self.last = batch

    def _process(self, batch: list[dict[str, Any]], sink: InMemorySink) -> None:
        dead: list[BadRecord] = []
        response = process_stream_event(
            {"Records": batch},
            sink,
            now=self.now,
            projection=self.projection,
            dead_letter=dead.append,
            metrics=False,
        )
        refused = [bad for bad in dead if not isinstance(bad.error, InvalidInputError)]
        if refused or response != {"batchItemFailures": []}:
            first = f"{describe(refused[0].raw)}: {refused[0].error}" if refused else response
            raise AssertionError(f"law 'storable' broken: the sink refused a write: {first}")
