"""The DynamoDB sink: ``BatchWriteItem`` with full-jitter backoff and poison-item isolation.

botocore is imported when a sink is built without a client, never by ``import
dashboard_projection``: a Lambda that only decodes records should not pay for it, and tests can
inject a client. botocore's exceptions are turned into :class:`WriteError` subclasses here, so
callers never catch botocore types.

The requests of one write are independent (one operation per key), so they are sent
concurrently, by at most ``max_concurrency`` threads; each request keeps its own retries and
backoff, within the shared deadline. The threads are daemons started for the write and joined
before it returns: no pool outlives a write, and a Ctrl-C in a command line that interrupts the
join cannot leave a lock held that interpreter exit would wait on (as ``concurrent.futures``
can: its ``wait`` and its exit hook take locks a ``KeyboardInterrupt`` may strand).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from dashboard_projection._engine._backoff import DEFAULT_MAX_DELAY, Backoff
from dashboard_projection._engine._botocore import (
    botocore_client,
    explain,
    is_retryable,
)
from dashboard_projection._engine._concurrency import run_concurrently
from dashboard_projection._engine._limits import (
    check_key_attributes,
    describe_key,
    split_into_requests,
)
from dashboard_projection._engine._plan import WriteOp, key_identity
from dashboard_projection._engine._requests import Pending, attributes_of_request, pending
from dashboard_projection._engine._sink import FailedWrite, WriteResult
from dashboard_projection._errors import ConfigurationError, RejectedWriteError, RetryableWriteError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from mypy_boto3_dynamodb.type_defs import (
        BatchWriteItemOutputTypeDef,
        WriteRequestTypeDef,
    )


#: Requests of one write in flight at once. botocore's connection pool holds 10 connections
#: by default (``Config.max_pool_connections``), and the default client is made with this many.
#: A 100-record batch of 5 tags makes about 24 requests: 10 at a time is 3 round trips
#: instead of 24, while the Python work of building and signing requests (one core's worth,
#: under the GIL) stays the bound; more threads only add switching. Lambda allows 1,024
#: threads and file descriptors per execution environment, far above this.
DEFAULT_MAX_CONCURRENCY = 10


class BatchWriteClient(Protocol):
    """The one call the sink makes; a boto3 low-level DynamoDB client (``client("dynamodb")``)."""

    def batch_write_item(
        self,
        *,
        RequestItems: Mapping[str, Sequence[WriteRequestTypeDef]],  # noqa: N803 - boto3's name
    ) -> BatchWriteItemOutputTypeDef:
        """Put and delete up to 25 items; those not processed come back in UnprocessedItems."""
        ...


@dataclass(slots=True)
class _Progress:
    """What one request of a :meth:`DynamoDBSink.write` call (and its halves) has done so far."""

    deadline: float | None
    requests: int = 0
    failed: list[FailedWrite] = field(default_factory=list)


class DynamoDBSink:
    """Writes puts and deletes to a DynamoDB table with ``BatchWriteItem``.

    Operations are checked (:func:`validate_item_for_write`) and reduced to the last one per key
    before anything is sent; an item DynamoDB would reject is reported as a
    :class:`RejectedWriteError` and never sent. The rest go in requests of at most 25.

    Failures are sorted by what retrying can do:

    * ``UnprocessedItems``, throttling, 5xx and connection or timeout errors are retried with
      exponential backoff and full jitter (``sleep(rng() * min(max_delay, base_delay * 2**n))``
      before retry ``n + 1``), at most ``max_attempts`` calls per request and never past the
      deadline; what is left is reported as :class:`RetryableWriteError`.
    * ``ResourceNotFoundException`` (and access or credential errors) are treated the same way:
      they are not about any item, the table may still be being created, and the stream should
      try the batch again rather than drop it.
    * ``ValidationException`` and other 4xx (and botocore's own parameter validation) are not
      retried: the request is split in halves, recursively, until each offending operation is
      alone; it gets a :class:`RejectedWriteError` with DynamoDB's message, the others land.

    The requests of a write go out concurrently, at most ``max_concurrency`` at once; each is
    retried, backed off and halved on its own, exactly as if it were the only one.

    Every reported error has the botocore exception, if any, as its ``__cause__``.
    """

    def __init__(  # noqa: PLR0913 - the retry policy is spelled out so tests can pin it
        self,
        table_name: str,
        *,
        client: BatchWriteClient | None = None,
        key_attributes: Sequence[str] = ("day_partition", "item_key"),
        max_attempts: int = 8,
        base_delay: float = 0.05,
        max_delay: float = DEFAULT_MAX_DELAY,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        """Prepare to write to ``table_name``.

        Args:
            table_name: The table's name (or ARN).
            client: A boto3 low-level DynamoDB client. By default one is made from the
                environment, with botocore's own retries off so that this sink's retries, and
                the deadline, are the only ones, and a connection pool of
                ``max_concurrency``; its calls skip botocore's validation and serialization
                (every operation is checked here first; see :class:`SignedWrites`). An
                injected client is called as it is, with its own settings (give it a
                ``max_pool_connections`` of at least ``max_concurrency``).
            key_attributes: The table's key attribute names, partition key first.
            max_attempts: Calls per request, the first included.
            base_delay: Seconds the backoff starts from.
            max_delay: Seconds no single backoff exceeds.
            max_concurrency: Requests of one write in flight at once (threads; 1 sends them
                one after another). Default 10: see :data:`DEFAULT_MAX_CONCURRENCY`.
            sleep: Waits that many seconds; injected by tests.
            rng: Returns a float in [0, 1) that scales each backoff (the jitter).

        Raises:
            ConfigurationError: A setting is out of range, boto3 is not installed, or no client
                can be made (no region).
        """
        try:
            from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415 - see module
        except ImportError as exc:
            raise ConfigurationError(
                "DynamoDBSink needs boto3, which the AWS Lambda runtime provides; elsewhere "
                "install it with: pip install 'dashboard-projection[aws]'"
            ) from exc

        if not table_name:
            raise ConfigurationError("table_name must name a DynamoDB table, got an empty string")
        if max_attempts < 1 or not 0 <= base_delay <= max_delay:
            raise ConfigurationError(
                "expected max_attempts >= 1 and 0 <= base_delay <= max_delay, got "
                f"max_attempts={max_attempts}, base_delay={base_delay}, max_delay={max_delay}"
            )
        if max_concurrency < 1:
            raise ConfigurationError(f"expected max_concurrency >= 1, got {max_concurrency}")
        self._table = table_name
        self._key_attributes = check_key_attributes(key_attributes)
        try:
            self._client = client if client is not None else _default_client(max_concurrency)
        except BotoCoreError as exc:  # e.g. NoRegionError: no AWS_REGION outside Lambda
            raise ConfigurationError(f"cannot make a DynamoDB client: {exc}") from exc
        self._max_attempts = max_attempts
        self._backoff = Backoff(base_delay, max_delay, sleep, rng)
        self._botocore_errors = (ClientError, BotoCoreError)
        self._max_concurrency = max_concurrency

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """Names of the table's primary key attributes (partition key first)."""
        return self._key_attributes

    @property
    def table_name(self) -> str:
        """The table written to."""
        return self._table

    def write(self, ops: Sequence[WriteOp], *, deadline: float | None = None) -> WriteResult:
        """Apply ``ops``; report, never raise, what did not land.

        Args:
            ops: Puts and deletes; on a shared key the later one wins.
            deadline: A ``time.monotonic()`` value; no retry starts, and no backoff ends, after
                it. Every request is still sent once.
        """
        where = f"table {self._table!r}"
        split = split_into_requests(ops, self._key_attributes, where=where)
        jobs = [
            (
                [pending(index, ops[index], split.identities[index]) for index in batch],
                _Progress(deadline),
            )
            for batch in split.batches
        ]
        run_concurrently(
            jobs,
            lambda job: self._send(*job),
            max_concurrency=self._max_concurrency,
            name="dashboard-projection-write",
        )
        progress = [done for _, done in jobs]
        failed = [*split.rejected, *(failure for done in progress for failure in done.failed)]
        failed.sort(key=lambda failure: failure.index)
        return WriteResult(failed=tuple(failed), requests=sum(done.requests for done in progress))

    def _send(self, pending: list[Pending], progress: _Progress) -> None:
        """Send one request until all of it has landed or been rejected, or retrying must stop."""
        attempts = 0
        while True:
            attempts += 1
            outcome = self._attempt(pending, progress)
            if outcome is None:
                return
            pending, cause = outcome
            if attempts == self._max_attempts or not self._backoff.wait(
                attempts, progress.deadline
            ):
                break
        progress.failed.extend(
            FailedWrite(item.index, self._not_written(item, attempts, cause)) for item in pending
        )

    def _attempt(
        self, pending: list[Pending], progress: _Progress
    ) -> tuple[list[Pending], Exception | None] | None:
        """Make one call; return what is left to retry and why, or ``None`` when nothing is."""
        progress.requests += 1
        try:
            response = self._client.batch_write_item(
                RequestItems={self._table: [item.request for item in pending]}
            )
        except self._botocore_errors as exc:
            if is_retryable(exc):
                return pending, exc
            self._isolate(pending, exc, progress)
            return None
        unprocessed = self._unprocessed(pending, response)
        return (unprocessed, None) if unprocessed else None

    def _isolate(self, pending: list[Pending], exc: Exception, progress: _Progress) -> None:
        """Find the operations a rejected request was rejected for, by halving it."""
        if len(pending) == 1:
            progress.failed.append(FailedWrite(pending[0].index, self._rejected(pending[0], exc)))
            return
        middle = len(pending) // 2
        self._send(pending[:middle], progress)
        self._send(pending[middle:], progress)

    def _unprocessed(
        self, pending: list[Pending], response: BatchWriteItemOutputTypeDef
    ) -> list[Pending]:
        bounced = response.get("UnprocessedItems", {}).get(self._table, [])
        identities = {
            key_identity(attributes_of_request(bounce), self._key_attributes) for bounce in bounced
        }
        return [item for item in pending if item.identity in identities]

    def _rejected(self, item: Pending, exc: Exception) -> RejectedWriteError:
        key = describe_key(item.attributes, self._key_attributes)
        error = RejectedWriteError(f"table {self._table!r} rejected item {key}: {explain(exc)}")
        error.__cause__ = exc
        return error

    def _not_written(
        self, item: Pending, attempts: int, cause: Exception | None
    ) -> RetryableWriteError:
        key = describe_key(item.attributes, self._key_attributes)
        stop = "the retry limit" if attempts == self._max_attempts else "the deadline"
        why = "DynamoDB returned it in UnprocessedItems every time"
        if cause is not None:
            why = explain(cause)
        error = RetryableWriteError(
            f"table {self._table!r}: item {key} not written after {attempts} attempt(s) "
            f"({stop}): {why}"
        )
        error.__cause__ = cause
        return error


def _default_client(max_concurrency: int) -> BatchWriteClient:
    """A DynamoDB client from the environment, reduced to this sink's one call.

    The client comes from botocore's own session, not boto3's: boto3's default session adds
    nothing to a low-level client (its resource machinery serves ``boto3.resource``), so the
    cold start skips it. Its ``botocore.config.Config``:

    * ``retries``: one attempt; the sink's backoff and the Lambda deadline are the only retries.
    * ``max_pool_connections``: a connection for each request in flight.

    The call itself goes through :class:`SignedWrites`: the client's endpoint, signer and
    HTTP session, without its model-driven validation and serialization, which repeated the
    checks every item has already passed and were most of a batch's CPU.
    """
    from dashboard_projection._engine._signed_call import SignedWrites  # noqa: PLC0415 - botocore

    return SignedWrites(botocore_client(max_concurrency))
