"""``CounterWriter``: brings a batch's counters up to date exactly once, in transactions.

Per source item of the batch (a :class:`Change`): its new contribution (what its dashboard
items add up to after its last record) minus the contribution its marker holds, applied with
``ADD`` in the same ``TransactWriteItems`` as the marker's new state. Several source items share
a transaction (up to 100 actions), their deltas merged per counter. The deltas are first
computed from the first record's old image (the marker's state when every record was applied
in order); a marker that says otherwise (``ConditionalCheckFailed``, the marker read from
``CancellationReasons``) cancels the transaction, and the next round sends:

* nothing for a marker at the item's last record or later: it was applied already, or a later
  record was (a redelivery, a replay, a lost reply);
* deltas recomputed from the marker itself for an older marker that contributes something else
  (a record skipped before, counters declared after items existed);
* the other items of the transaction unchanged.

Each transaction of a round goes to its own counter shard, so that a round's transactions run
concurrently without conflicting with each other. A conflict, a throttle or a lost connection
is retried a few times, then the transaction's earliest record is where Lambda must resume.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from dashboard_projection._counters._cancellations import (
    RETRYABLE_REASONS,
    cancellation_reasons,
    failed_markers,
    recomputed,
)
from dashboard_projection._counters._declaration import MAX_TRANSACTION_ACTIONS, Counters
from dashboard_projection._counters._items import Marker, transaction
from dashboard_projection._counters._units import Change, changes_of, merged_deltas, pack
from dashboard_projection._engine._backoff import DEFAULT_MAX_DELAY, Backoff
from dashboard_projection._engine._botocore import call_errors, explain, is_retryable
from dashboard_projection._engine._concurrency import run_concurrently
from dashboard_projection._engine._projection import Projection
from dashboard_projection._engine._steps import StepEntry, StepOutcome
from dashboard_projection._errors import (
    ConfigurationError,
    DashboardProjectionError,
    RejectedWriteError,
    RetryableWriteError,
)

#: Rounds of "a marker is not what the old image said": each reads the markers' real state.
_MAX_MARKER_ROUNDS = 4

logger = logging.getLogger("dashboard_projection")


class TransactClient(Protocol):
    """The part of a boto3 DynamoDB client the writer uses (``boto3.client("dynamodb")``)."""

    @property
    def transact_write_items(self) -> Callable[..., Mapping[str, Any]]:
        """``TransactWriteItems``."""
        ...


@dataclass(frozen=True, slots=True)
class _ConditionFailed(Exception):  # noqa: N818 - internal control flow, not an error
    """Markers were not as expected: position in the transaction → the marker as it is."""

    markers: dict[int, Marker | None]


@dataclass(slots=True)
class _Round:
    """One round: its deadline, and what its transactions leave.

    What they leave: changes for the next round, rejected records, records to retry from.
    Filled from the round's threads: ``list.append`` and a dict's item assignment are atomic.
    """

    deadline: float | None
    again: list[Change] = field(default_factory=list)
    rejected: dict[int, DashboardProjectionError] = field(default_factory=dict)
    retry_at: list[int] = field(default_factory=list)


class CounterWriter:
    """Keeps a :class:`Counters` table in step with the stream, exactly once per record.

    Attributes:
        requests: ``TransactWriteItems`` calls sent so far (retries included).
    """

    def __init__(  # noqa: PLR0913 - the retry policy is spelled out so tests can pin it
        self,
        counters: Counters,
        table_name: str,
        *,
        client: TransactClient | None = None,
        max_attempts: int = 3,
        base_delay: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
        max_concurrency: int = 10,
        max_actions: int = MAX_TRANSACTION_ACTIONS,
    ) -> None:
        """Write ``counters`` to ``table_name`` through ``client`` (boto3's by default).

        Args:
            counters: The declaration.
            table_name: The counters table (``counters.table_spec``).
            client: A DynamoDB client; one without botocore retries is made when omitted.
            max_attempts: Tries per transaction on a conflict, throttle or connection error.
            base_delay: Seconds; the wait before try n + 1 is up to ``base_delay * 2**(n-1)``
                (full jitter, at most 2 s, never past the deadline: :class:`Backoff`).
            sleep: How to wait (tests pass a no-op).
            max_concurrency: Transactions sent at once (a transaction mostly waits on
                DynamoDB); never more than ``counters.shards``, since each goes to a shard of
                its own so that they do not conflict (``TransactionConflict``).
            max_actions: Actions per transaction, at most DynamoDB's 100; fewer make smaller
                transactions (less to redo after a conflict), and more of them.

        Raises:
            ConfigurationError: A setting is out of range, boto3 is missing, or no client can
                be made (no region).
        """
        if (
            not table_name
            or max_attempts < 1
            or base_delay < 0
            or max_concurrency < 1
            or not 1 <= max_actions <= MAX_TRANSACTION_ACTIONS
        ):
            raise ConfigurationError(
                "expected a table name, max_attempts >= 1, base_delay >= 0, max_concurrency >= "
                f"1 and max_actions in 1..{MAX_TRANSACTION_ACTIONS}, got {table_name!r}, "
                f"{max_attempts}, {base_delay}, {max_concurrency}, {max_actions}"
            )
        if client is None:
            from dashboard_projection._engine._botocore import botocore_client  # noqa: PLC0415
            from dashboard_projection._engine._signed_call import SignedWrites  # noqa: PLC0415

            try:
                from botocore.exceptions import BotoCoreError  # noqa: PLC0415 - see the sink
            except ImportError as exc:
                raise ConfigurationError(
                    "CounterWriter needs boto3, which the AWS Lambda runtime provides; elsewhere "
                    "install it with: pip install 'dashboard-projection[aws]'"
                ) from exc
            try:
                client = SignedWrites(botocore_client(max_concurrency))
            except BotoCoreError as exc:  # e.g. NoRegionError: no AWS_REGION outside Lambda
                raise ConfigurationError(f"cannot make a DynamoDB client: {exc}") from exc
        self.counters = counters
        self.table_name = table_name
        self.requests = 0  # updated from the writer's threads, under _lock
        self.max_concurrency = max_concurrency
        self._lock = threading.Lock()
        self._client = client
        self._max_attempts = max_attempts
        self._backoff = Backoff(base_delay, max(base_delay, DEFAULT_MAX_DELAY), sleep)
        self._max_actions = max_actions

    def check_fits(self, projection: Projection) -> None:
        """Refuse a processor that runs another view than the one the counters count.

        A :class:`DashboardProjection` runs its ``view``; equal declarations count alike.

        Raises:
            ConfigurationError: The views differ.
        """
        view = getattr(projection, "view", projection)
        if view != self.counters.view:
            raise ConfigurationError(
                "the counters count another view than the one the processor runs: declare "
                "them over it, Counters(view=<the view given as projection=>, ...)"
            )

    def apply_batch(
        self, entries: Sequence[StepEntry], *, now: datetime, deadline: float | None
    ) -> StepOutcome:
        """Bring the counters to what ``entries`` leave on the dashboard.

        Args:
            entries: The batch's records whose dashboard writes landed, in stream order, each
                with its planned writes or the error the view rejected it with (its dashboard
                items are deleted then: it contributes nothing).
            now: The processor's clock (markers' expiry).
            deadline: ``time.monotonic()`` past which no transaction starts.

        Returns:
            The records rejected (a sequence number or key that cannot be used, a transaction
            DynamoDB refuses as invalid) and the earliest record Lambda must deliver again (a
            conflict, throttle or network error outlasted the retries; the deadline passed;
            markers kept changing).
        """
        changes, rejected = changes_of(self.counters, entries, now=now)
        retry_at: list[int] = []
        for _ in range(_MAX_MARKER_ROUNDS):
            if not changes:
                break
            done = self._round(changes, now, deadline)
            rejected.update(done.rejected)
            retry_at += done.retry_at
            changes = sorted(done.again, key=lambda change: change.indexes[0])
        if changes:
            first = min(change.indexes[0] for change in changes)
            logger.warning(
                "counters table %r: markers changed under %d transactions in a row; the batch "
                "will be retried from record %d",
                self.table_name,
                _MAX_MARKER_ROUNDS,
                first,
            )
            retry_at.append(first)
        return StepOutcome(dict(sorted(rejected.items())), min(retry_at, default=None))

    def _round(self, changes: list[Change], now: datetime, deadline: float | None) -> _Round:
        """Send ``changes`` packed in transactions, each lane of them on a shard of its own."""
        groups = pack(changes, self._max_actions)
        shards = self.counters.shards
        width = min(self.max_concurrency, shards, len(groups))
        offset = random.randrange(shards)  # noqa: S311 - spreads invocations over the shards
        done = _Round(deadline)

        def run(lane: int) -> None:
            for group in groups[lane::width]:
                if deadline is not None and time.monotonic() >= deadline:
                    done.retry_at.append(group[0].indexes[0])
                else:
                    self._apply(group, (offset + lane) % shards, now, done)

        run_concurrently(
            range(width), run, max_concurrency=width, name="dashboard-projection-count"
        )
        return done

    def _apply(self, group: list[Change], shard: int, now: datetime, done: _Round) -> None:
        """Send one transaction; say in ``done`` what is left of it."""
        markers = [(c.source, c.sequence, c.expected, c.new) for c in group]
        actions = transaction(
            self.counters, self.table_name, markers, merged_deltas(group), shard=shard, now=now
        )
        try:
            self._send(actions, _sources(group), done.deadline)
        except _ConditionFailed as failed:
            done.again += recomputed(group, failed.markers)
        except RejectedWriteError as error:
            if len(group) == 1:
                done.rejected.update(dict.fromkeys(group[0].indexes, error))
            else:  # find the change DynamoDB refuses: the others go through
                for change in group:
                    self._apply([change], shard, now, done)
        except Exception:
            first = min(change.indexes[0] for change in group)
            logger.exception("counters failed; the batch will be retried from record %d", first)
            done.retry_at.append(first)

    def _send(self, actions: list[dict[str, Any]], what: str, deadline: float | None) -> None:
        """Send one transaction, retrying what may succeed later; raise what is left."""
        errors = call_errors()
        attempts = 0
        while True:
            attempts += 1
            with self._lock:
                self.requests += 1
            try:
                self._client.transact_write_items(TransactItems=actions)
            except errors as exc:
                reasons = cancellation_reasons(exc)
                if reasons is None:
                    if not is_retryable(exc):
                        raise self._rejected(what, explain(exc)) from exc
                elif failed := failed_markers(reasons):
                    raise _ConditionFailed(failed) from None
                elif not {reason.get("Code") for reason in reasons} & RETRYABLE_REASONS:
                    raise self._rejected(what, explain(exc)) from exc
                error = exc
            else:
                return
            if attempts == self._max_attempts or not self._backoff.wait(attempts, deadline):
                raise RetryableWriteError(
                    f"counters table {self.table_name!r}: the transaction for {what} did not "
                    f"land after {attempts} attempt(s): {explain(error)}"
                ) from error

    def _rejected(self, what: str, why: str) -> RejectedWriteError:
        return RejectedWriteError(
            f"counters table {self.table_name!r} rejected the transaction for {what}: {why}"
        )


def _sources(group: list[Change]) -> str:
    """The source items of a transaction, for messages."""
    if len(group) == 1:
        return repr(group[0].source)
    return f"{len(group)} source items ({group[0].source!r}, ...)"
