"""Read a table's stream the way Lambda's event source mapping does, on a laptop.

Every shard is read, parents before children (a parent's records are older), in batches of up
to 100 records, each turned into Lambda's record shape and handed to the handler; a partial
batch response makes the batch resume from the reported record (:func:`deliver`). After each
batch, the shard's last sequence number is saved (:class:`ShardCheckpoint`), so that a restart
goes on ``AFTER_SEQUENCE_NUMBER`` instead of replaying the shard from ``TRIM_HORIZON``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from dashboard_projection._cli._console import note
from dashboard_projection._cli._handler import Record, deliver
from dashboard_projection._cli._state import damaged, load_state, save_state

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_dynamodbstreams.type_defs import RecordTypeDef, ShardTypeDef

    from dashboard_projection._engine._outcome import BatchResponse

#: Lambda's default batch size for DynamoDB Streams.
BATCH_SIZE = 100
_POLL_SECONDS = 0.5
_REDESCRIBE_SECONDS = 60.0  # new shards appear about every four hours; look once a minute
_RESTART_CODES = frozenset({"ExpiredIteratorException", "TrimmedDataAccessException"})


def lambda_record(record: RecordTypeDef, stream_arn: str) -> Record:
    """A DynamoDB Streams API record as Lambda delivers it.

    Lambda adds ``eventSourceARN``, gives ``ApproximateCreationDateTime`` as epoch seconds
    (botocore parses it into a datetime) and spells ``userIdentity``'s keys in camel case (the
    processor reads them to tell TTL deletions). Binary values stay bytes: the codec takes them.
    """
    body: dict[str, Any] = dict(record.get("dynamodb", {}))
    created = body.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        body["ApproximateCreationDateTime"] = int(created.timestamp())
    out: Record = {**record, "dynamodb": body, "eventSourceARN": stream_arn}
    identity = record.get("userIdentity")
    if identity is not None:
        out["userIdentity"] = {
            "type": identity.get("Type"),
            "principalId": identity.get("PrincipalId"),
        }
    return out


@dataclass(slots=True)
class ShardCheckpoint:
    """The last sequence number processed in each shard of one stream, kept in a JSON file.

    Attributes:
        path: The file; ``None`` keeps the checkpoint in memory only (the demo).
        stream_arn: The stream the positions belong to.
        positions: Shard id to the last sequence number processed.
    """

    path: Path | None
    stream_arn: str
    positions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, stream_arn: str) -> ShardCheckpoint:
        """The checkpoint saved at ``path``; an empty one if none, or if it was another stream's.

        A table deleted and created again has a new stream: the old positions mean nothing in it.

        Raises:
            CliError: The file cannot be read, or is damaged.
        """
        state = load_state(path)
        if state is None:
            return cls(path, stream_arn)
        if state.get("stream_arn") != stream_arn:
            note(f"checkpoint {path} is for another stream; starting from TRIM_HORIZON")
            return cls(path, stream_arn)
        positions = state.get("shards")
        if not isinstance(positions, dict):
            raise damaged(path)
        return cls(path, stream_arn, {str(k): str(v) for k, v in positions.items()})

    def advance(self, shard_id: str, sequence_number: str) -> None:
        """Record that ``shard_id`` is done up to ``sequence_number``, and save."""
        self.positions[shard_id] = sequence_number
        self.save()

    def save(self) -> None:
        """Write the file (nothing to do in memory)."""
        if self.path is not None:
            save_state(self.path, {"stream_arn": self.stream_arn, "shards": self.positions})


@dataclass(slots=True)
class _Cursor:
    """Where the reading of one open shard is."""

    shard_id: str
    iterator: str


class StreamReader:
    """Polls every shard of a stream and hands each batch to a handler, resuming on failure."""

    def __init__(
        self,
        client: DynamoDBStreamsClient,
        checkpoint: ShardCheckpoint,
        *,
        batch_size: int = BATCH_SIZE,
        on_records: Callable[[int], None] = lambda _: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Prepare to read the checkpoint's stream.

        Args:
            client: A DynamoDB Streams client.
            checkpoint: Where each shard starts, and where progress is saved.
            batch_size: Records per ``GetRecords`` call and per handler call.
            on_records: Called with how many records were just processed.
            sleep: Waits while the stream is idle, and between retries.
        """
        self._client = client
        self._checkpoint = checkpoint
        self._batch_size = batch_size
        self._on_records = on_records
        self._sleep = sleep
        self._cursors: dict[str, _Cursor] = {}
        self._finished: set[str] = set()
        self._described = -_REDESCRIBE_SECONDS
        self.records = 0
        self.batches = 0

    def run(
        self,
        handler: Callable[[Mapping[str, Any]], BatchResponse],
        *,
        idle_exit: float | None = None,
        expected: int | None = None,
    ) -> None:
        """Process the stream until it has been idle ``idle_exit`` seconds (forever if ``None``).

        With ``idle_exit=0`` it stops as soon as every shard has been read to its end once: the
        way to process what is there now (on a local server, where records appear at once).
        With ``expected``, it stops as soon as that many records were processed and every shard
        was read to its end: AWS may show a record a moment after the write, so a reader that
        knows how many writes were made need not wait out ``idle_exit``.
        """
        idle_since: float | None = None
        while True:
            self._discover_shards()
            if sum(self._poll(cursor, handler) for cursor in list(self._cursors.values())):
                idle_since = None
                continue
            if expected is not None and self.records >= expected:
                return
            now = time.monotonic()
            idle_since = now if idle_since is None else idle_since
            if idle_exit is not None and now - idle_since >= idle_exit:
                return
            self._sleep(_POLL_SECONDS)

    def _discover_shards(self) -> None:
        """Open cursors on new shards whose parent is done; re-describe at most once a minute."""
        if self._cursors and time.monotonic() - self._described < _REDESCRIBE_SECONDS:
            return
        self._described = time.monotonic()
        shards = self._shards()
        listed = {shard["ShardId"] for shard in shards}
        for shard in shards:
            shard_id, parent = shard["ShardId"], shard.get("ParentShardId")
            if shard_id in self._cursors or shard_id in self._finished:
                continue
            if parent in listed and parent not in self._finished:
                continue  # its parent's records come first
            self._cursors[shard_id] = _Cursor(shard_id, self._iterator(shard_id))

    def _shards(self) -> list[ShardTypeDef]:
        shards: list[ShardTypeDef] = []
        start: dict[str, Any] = {}
        while True:
            description = self._client.describe_stream(
                StreamArn=self._checkpoint.stream_arn, **start
            )["StreamDescription"]
            shards += description.get("Shards", [])
            last = description.get("LastEvaluatedShardId")
            if last is None:
                return shards
            start = {"ExclusiveStartShardId": last}

    def _iterator(self, shard_id: str, *, from_start: bool = False) -> str:
        position = None if from_start else self._checkpoint.positions.get(shard_id)
        where: dict[str, Any] = {"ShardIteratorType": "TRIM_HORIZON"}
        if position is not None:
            where = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": position}
        try:
            return self._client.get_shard_iterator(
                StreamArn=self._checkpoint.stream_arn, ShardId=shard_id, **where
            )["ShardIterator"]
        except ClientError as exc:
            if _code(exc) != "TrimmedDataAccessException" or position is None:
                raise
        note(
            f"shard {shard_id}: records after the checkpoint were trimmed (streams keep 24 "
            "hours); starting from TRIM_HORIZON, run `backfill` to recover what was lost"
        )
        return self._iterator(shard_id, from_start=True)

    def _poll(self, cursor: _Cursor, handler: Callable[[Mapping[str, Any]], BatchResponse]) -> int:
        """Read and process one batch of ``cursor``'s shard; how many records it had."""
        try:
            page = self._client.get_records(ShardIterator=cursor.iterator, Limit=self._batch_size)
        except ClientError as exc:
            if _code(exc) not in _RESTART_CODES:
                raise
            cursor.iterator = self._iterator(cursor.shard_id)  # iterators expire after 15 min
            return 0
        records = [lambda_record(r, self._checkpoint.stream_arn) for r in page["Records"]]
        if records:
            deliver(
                handler, records, on_done=lambda done: self._done(cursor, done), sleep=self._sleep
            )
            self.batches += 1
        following = cast("str | None", page.get("NextShardIterator"))
        if following is not None:
            cursor.iterator = following
        else:  # a closed shard, read to its end
            del self._cursors[cursor.shard_id]
            self._finished.add(cursor.shard_id)
            self._described = -_REDESCRIBE_SECONDS  # its children may start now
        return len(records)

    def _done(self, cursor: _Cursor, records: Sequence[Record]) -> None:
        self._checkpoint.advance(cursor.shard_id, records[-1]["dynamodb"]["SequenceNumber"])
        self.records += len(records)
        self._on_records(len(records))


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
