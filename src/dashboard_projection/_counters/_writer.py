"""``CounterWriter``: applies each record's counter deltas exactly once, in one transaction.

Per record: the source item's new contribution (what its dashboard items add up to after the
record) minus the contribution its marker holds, applied with ``ADD`` in the same
``TransactWriteItems`` as the marker's new state. The deltas are first computed from the
record's old image (the marker's state when every record was applied in order: one request);
when the marker says otherwise (``ConditionalCheckFailed``, the marker read from
``CancellationReasons``):

* its sequence number is this record's or later: the record was applied already, or a later
  one was (a redelivery, a replay, a lost reply): nothing to do;
* it is older but contributes something else (a record skipped before, counters declared
  after items existed): the deltas are recomputed from the marker itself and sent again.

A transaction conflict, a throttle or a lost connection is retried a few times, then raised as
:class:`RetryableWriteError`: the processor reports the record, and Lambda resumes from it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from dashboard_projection._counters._declaration import Contribution, Counters, deltas
from dashboard_projection._counters._items import (
    Marker,
    decode_marker,
    sequence_key,
    source_of,
    transaction,
)
from dashboard_projection._engine._botocore import call_errors, explain, is_retryable
from dashboard_projection._engine._plan import Put, WriteOp
from dashboard_projection._engine._records import StreamRecord
from dashboard_projection._errors import (
    ConfigurationError,
    DashboardProjectionError,
    InvalidInputError,
    RejectedWriteError,
    RetryableWriteError,
)

#: What applying one record did: deltas written, nothing owed (applied before, or superseded by
#: a later record of the same item), or nothing to count (a REMOVE the dashboard ignores).
CounterOutcome = Literal["applied", "superseded", "skipped"]
#: Cancellation reasons after which the same transaction may succeed later.
_RETRYABLE_REASONS = frozenset(
    {
        "TransactionConflict",
        "ProvisionedThroughputExceeded",
        "ThrottlingError",
        "RequestLimitExceeded",
    }
)
#: Rounds of "the marker is not what the old image said": each reads the marker's real state.
_MAX_MARKER_ROUNDS = 4


class TransactClient(Protocol):
    """The part of a boto3 DynamoDB client the writer uses (``boto3.client("dynamodb")``)."""

    @property
    def transact_write_items(self) -> Callable[..., Mapping[str, Any]]:
        """``TransactWriteItems``."""
        ...


@dataclass(frozen=True, slots=True)
class _ConditionFailed(Exception):  # noqa: N818 - internal control flow, not an error
    marker: Marker | None


class CounterWriter:
    """Keeps a :class:`Counters` table in step with the stream, one transaction per record.

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
        max_concurrency: int = 1,
    ) -> None:
        """Write ``counters`` to ``table_name`` through ``client`` (boto3's by default).

        Args:
            counters: The declaration.
            table_name: The counters table (``counters.table_spec``).
            client: A DynamoDB client; one without botocore retries is made when omitted.
            max_attempts: Tries per transaction on a conflict, throttle or connection error.
            base_delay: Seconds; the backoff before try n is up to ``base_delay * 2**n``.
            sleep: How to wait (tests pass a no-op).
            max_concurrency: Source items whose records are applied at once (each item's in
                stream order): a transaction mostly waits on DynamoDB. One by default:
                transactions that touch one counter shard at the same time conflict
                (``TransactionConflict``, retried, then left for Lambda's retry), and most
                records touch their day's total; raise it only with ``shards`` well above it.

        Raises:
            ConfigurationError: A setting is out of range, boto3 is missing, or no client can
                be made (no region).
        """
        if not table_name or max_attempts < 1 or base_delay < 0 or max_concurrency < 1:
            raise ConfigurationError(
                "expected a table name, max_attempts >= 1, base_delay >= 0 and "
                f"max_concurrency >= 1, got {table_name!r}, {max_attempts}, {base_delay}, "
                f"{max_concurrency}"
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
        self.requests = 0  # updated from the processor's threads, under _lock
        self.max_concurrency = max_concurrency
        self._lock = threading.Lock()
        self._client = client
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._sleep = sleep

    def apply(
        self,
        record: StreamRecord,
        effect: Sequence[WriteOp] | InvalidInputError,
        *,
        now: datetime,
    ) -> CounterOutcome:
        """Bring the counters to what ``record`` leaves on the dashboard.

        Args:
            record: The stream record.
            effect: The writes the view planned for it, or the error it was rejected with (its
                dashboard items are deleted then: it contributes nothing).
            now: The processor's clock (markers' expiry).

        Raises:
            RetryableWriteError: A conflict, throttle or network error outlasted the retries.
            RejectedWriteError: DynamoDB refused the transaction itself (a validation error).
            InvalidInputError: The record's sequence number or key cannot be used.
        """
        if record.event_name == "REMOVE" and (
            record.is_ttl_delete or not self.counters.view.propagate_removes
        ):
            return "skipped"  # the dashboard keeps the item's items: so do the counters
        new = (
            {}
            if isinstance(effect, InvalidInputError)
            else self.counters.contribution(op.item for op in effect if isinstance(op, Put))
        )
        source = source_of(self.counters, record.keys)
        sequence = sequence_key(record.sequence_number)
        expected = self._old_contribution(record, now)
        for _ in range(_MAX_MARKER_ROUNDS):
            actions = transaction(
                self.counters,
                self.table_name,
                source=source,
                sequence=sequence,
                expected=expected,
                new=new,
                changes=deltas(expected, new),
                now=now,
            )
            try:
                self._send(actions, source)
            except _ConditionFailed as failed:
                if failed.marker is None:
                    expected = {}
                elif failed.marker.sequence >= sequence:
                    return "superseded"
                else:
                    expected = failed.marker.contribution
            else:
                return "applied"
        raise RetryableWriteError(
            f"counters table {self.table_name!r}: the marker of {source!r} changed under "
            f"{_MAX_MARKER_ROUNDS} transactions in a row (record {record.sequence_number})"
        )

    def _old_contribution(self, record: StreamRecord, now: datetime) -> Contribution:
        """What the old image projected: the marker's state when records apply in order."""
        if not record.old_image:
            return {}
        try:
            items = self.counters.view.project_image(record.old_image, now=now, path="OldImage")
        except DashboardProjectionError:
            return {}
        return self.counters.contribution(items)

    def _send(self, actions: list[dict[str, Any]], source: str) -> None:
        error: Exception | None = None
        errors = call_errors()
        for attempt in range(self._max_attempts):
            if attempt:
                self._sleep(random.random() * self._base_delay * 2.0**attempt)  # noqa: S311
            with self._lock:
                self.requests += 1
            try:
                self._client.transact_write_items(TransactItems=actions)
            except errors as exc:
                reasons = _reasons(exc)
                if reasons is None:
                    if not is_retryable(exc):
                        raise self._rejected(source, explain(exc)) from exc
                elif reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                    item = reasons[0].get("Item")  # ALL_OLD: present whenever the marker is
                    raise _ConditionFailed(decode_marker(item) if item else None) from None
                elif not {reason.get("Code") for reason in reasons} & _RETRYABLE_REASONS:
                    raise self._rejected(source, explain(exc)) from exc
                error = exc
            else:
                return
        raise RetryableWriteError(
            f"counters table {self.table_name!r}: the transaction for {source!r} did not land "
            f"after {self._max_attempts} attempt(s): {explain(error) if error else ''}"
        ) from error

    def _rejected(self, source: str, why: str) -> RejectedWriteError:
        return RejectedWriteError(
            f"counters table {self.table_name!r} rejected the transaction for {source!r}: {why}"
        )


def _reasons(exc: Exception) -> list[Mapping[str, Any]] | None:
    """``CancellationReasons`` of a cancelled transaction; ``None`` for any other error."""
    response = getattr(exc, "response", None)
    if not isinstance(response, Mapping):
        return None
    if response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return None
    return list(response.get("CancellationReasons", []))
