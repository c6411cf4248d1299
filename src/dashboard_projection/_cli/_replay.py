"""``replay EVENT.json``: run a saved Lambda event through the Lambda's processing.

For "what did this batch do?": the event goes through :func:`process_stream_event` as in Lambda.
With ``--dry-run`` nothing is written: the writes go to an in-memory table that refuses what
DynamoDB would refuse, and the items put are printed as JSON lines; otherwise they go to
``--table``. stdout gets the data (the batch response, or the items); stderr the summary. A
script can tell the outcomes apart: exit 0 when every record was processed, 3 when any was
rejected as bad input (the rest still processed, as in Lambda), 1 when writes failed.
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard_projection._cli._console import counted, note, say
from dashboard_projection._cli._errors import FAILURE, REJECTED, CliError
from dashboard_projection._cli._handler import CliHandler, TallySink
from dashboard_projection._cli._view import projection_of
from dashboard_projection._engine._codec import deserialize_image
from dashboard_projection._engine._plan import Put, WriteOp
from dashboard_projection._engine._records import records_of
from dashboard_projection._engine._sink_memory import InMemorySink
from dashboard_projection._errors import InvalidInputError

if TYPE_CHECKING:
    import argparse

    from dashboard_projection._engine._sink import Sink
    from dashboard_projection._types import WireItem


def read_event(path: str) -> dict[str, Any]:
    """The Lambda event saved in ``path``.

    Raises:
        CliError: The file cannot be read, is not JSON, or is not a stream event.
    """
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise CliError(f"cannot read the event: {exc.strerror}", where=path) from None
    except UnicodeDecodeError:
        raise CliError("the event is not UTF-8 text", where=path) from None
    try:
        event = json.loads(text)
    except json.JSONDecodeError as exc:
        what = f"the event is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise CliError(what, where=path) from None
    try:
        records_of(event)
    except InvalidInputError:
        what = 'not a DynamoDB Streams event: expected {"Records": [...]}'
        raise CliError(what, where=path) from None
    return dict(event)


def command(args: argparse.Namespace) -> int:
    """Run the ``replay`` command; returns the exit code."""
    event = read_event(args.event)
    projection = projection_of(args)
    sink = TallySink(_target(args, projection.key_attributes), keep=args.dry_run)
    handler = CliHandler(sink, now=args.now, projection=projection)
    response = handler(event)
    counts = f"{counted(len(event['Records']), 'record')}, {len(handler.rejected)} rejected"
    if args.dry_run:
        _print_ops(sink.ops, ddb_json=args.ddb_json)
        writes = f"would put {counted(sink.puts, 'item')}, would delete {sink.deletes}"
        note(f"replay (dry run): {counts}; {writes}; batch response {json.dumps(response)}")
    else:
        say(json.dumps(response))
        writes = f"put {counted(sink.puts, 'item')}, deleted {sink.deletes} in table {args.table!r}"
        note(f"replay: {counts}; {writes}")
    if response["batchItemFailures"]:
        return FAILURE
    return REJECTED if handler.rejected else 0


def _print_ops(ops: list[WriteOp], *, ddb_json: bool) -> None:
    """The items put, as JSON lines on stdout; the keys deleted, on stderr."""
    for op in ops:
        if isinstance(op, Put):
            say(json.dumps(op.item if ddb_json else _plain(op.item), default=_json_value))
        else:
            note(f"would delete {json.dumps(op.key)}")


def _target(args: argparse.Namespace, key_attributes: tuple[str, ...]) -> Sink:
    if args.dry_run:
        return InMemorySink(key_attributes)
    from dashboard_projection._cli._aws import connect, require_table  # noqa: PLC0415 - boto3
    from dashboard_projection._engine._sink_dynamodb import DynamoDBSink  # noqa: PLC0415

    aws = connect(args.endpoint_url, args.region)
    require_table(aws, args.table)
    return DynamoDBSink(args.table, client=aws.writer, key_attributes=key_attributes)


def _plain(item: WireItem) -> dict[str, Any]:
    """An item as plain JSON values: sets as sorted lists; numbers kept exact (see below)."""
    return {
        name: sorted(value) if isinstance(value, set | frozenset) else value
        for name, value in deserialize_image(item, path="item").items()
    }


def _json_value(value: object) -> object:
    """Whole numbers as JSON numbers, other decimals as strings (a float would round them)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
