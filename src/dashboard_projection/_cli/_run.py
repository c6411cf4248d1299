"""``run``: the Lambda, on a laptop: a primary table's stream into a dashboard table.

For developing against DynamoDB Local or moto (or a real table): the stream is read as Lambda's
event source mapping reads it, each batch goes through the Lambda's processing, and the position
in each shard is saved after each batch, so that a restart goes on where the last run stopped.
Ctrl-C stops it cleanly: what was processed is checkpointed, and the exit code is 130.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dashboard_projection._cli._aws import connect, require_table, stream_arn
from dashboard_projection._cli._console import Progress, counted
from dashboard_projection._cli._errors import INTERRUPTED, REJECTED, CliError
from dashboard_projection._cli._handler import CliHandler, TallySink
from dashboard_projection._cli._state import default_state_path
from dashboard_projection._cli._stream_reader import ShardCheckpoint, StreamReader
from dashboard_projection._cli._view import projection_of
from dashboard_projection._engine._sink_dynamodb import DynamoDBSink

if TYPE_CHECKING:
    import argparse


def command(args: argparse.Namespace) -> int:
    """Run the ``run`` command; returns the exit code."""
    aws = connect(args.endpoint_url, args.region)
    arn = stream_arn(aws, args.source_table)
    require_table(aws, args.table)
    path = Path(args.checkpoint or default_state_path("run", args.source_table, args.table))
    checkpoint = ShardCheckpoint.load(path, arn)
    sink = TallySink(DynamoDBSink(args.table, client=aws.writer))
    handler = CliHandler(sink, now=args.now, projection=projection_of(args))
    with Progress("run", unit="record") as progress:
        reader = StreamReader(
            aws.streams, checkpoint, batch_size=args.batch_size, on_records=progress.advance
        )
        try:
            reader.run(handler, idle_exit=args.idle_exit)
        except KeyboardInterrupt:
            checkpoint.save()
            raise CliError(
                f"interrupted after {counted(reader.records, 'record')}; the next run resumes "
                "from the checkpoint",
                where=str(path),
                exit_code=INTERRUPTED,
            ) from None
        progress.detail = (
            f"in {counted(reader.batches, 'batch', 'batches')}: {counted(sink.puts, 'put')}, "
            f"{counted(sink.deletes, 'delete')}, {counted(len(handler.rejected), 'record')} "
            f"rejected; checkpoint {path}"
        )
    return REJECTED if handler.rejected else 0
