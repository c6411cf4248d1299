"""The command line's arguments: five commands, and the options they share.

Each command names the module that runs it (its ``command(args)`` function); ``__main__`` imports
that module only when the command runs, so ``--help`` and a mistyped option never load boto3.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date, datetime

from dashboard_projection._cli._demo_data import ITEMS
from dashboard_projection._cli._errors import PROG

MAX_BATCH_SIZE = 1000  # GetRecords' limit

_EPILOG = """\
exit codes: 0 done; 1 the work failed (unreachable endpoint, DynamoDB error, failed writes, the
demo's check found differences); 2 bad command line or input (file, JSON, event, table, a
missing extra); 3 replay, run or backfill rejected records as bad input (the rest was
processed); 130
interrupted; 141 stdout closed early (e.g. | head). State files for run and backfill default
to ./.dashboard-projection/.
"""


def instant(text: str) -> datetime:
    """An ISO-8601 instant with a timezone, for ``--now``."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"expected an ISO-8601 instant with a timezone, e.g. 2025-11-16T15:00:00Z; got {text!r}"
        )
    return moment


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def _batch_size(text: str) -> int:
    size = _positive(text)
    if size > MAX_BATCH_SIZE:
        raise argparse.ArgumentTypeError(f"GetRecords returns at most {MAX_BATCH_SIZE} records")
    return size


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also NaN
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return seconds


_Commands = argparse._SubParsersAction  # noqa: SLF001 - argparse's type for add_subparsers()
_TO_AWS = "a DynamoDB-compatible endpoint (default: AWS)"


def _command(
    commands: _Commands[argparse.ArgumentParser], name: str, module: str, summary: str, about: str
) -> argparse.ArgumentParser:
    """A command's parser, with the module that runs it, and the clock option all commands take."""
    command = commands.add_parser(name, help=summary, description=about)
    command.set_defaults(module=f"dashboard_projection.{module}")
    command.add_argument(
        "--now",
        type=instant,
        metavar="INSTANT",
        help="the clock (TTLs' expires_at; today, for recount's default days), an ISO-8601 "
        "instant with offset (default: now)",
    )
    return command


def _add_endpoint(parser: argparse.ArgumentParser, help_text: str = _TO_AWS) -> None:
    parser.add_argument("--endpoint-url", metavar="URL", help=help_text)
    parser.add_argument(
        "--region", help="AWS region (default: the environment's; us-east-1 with --endpoint-url)"
    )


def _add_tables(parser: argparse.ArgumentParser, *, demo: bool = False) -> None:
    """``--source-table`` and ``--table``: required, but for the demo, which makes its own."""
    for option, metavar, role, default in (
        ("--source-table", "T", "primary", "sentiment-items-primary"),
        ("--table", "D", "dashboard", "sentiment-items-dashboard"),
    ):
        parser.add_argument(
            option,
            metavar=metavar,
            required=not demo,
            default=default if demo else None,
            help=f"the {role} table" + (f" (default: {default})" if demo else ""),
        )


def _add_view(parser: argparse.ArgumentParser, *, propagate: bool = True) -> None:
    """``--view MODULE:ATTRIBUTE`` and, for the default view, ``--propagate-removes``."""
    parser.add_argument(
        "--view",
        metavar="MODULE:ATTR",
        help="the DashboardView to run, e.g. orders:orders (default: the sentiment dashboard)",
    )
    if not propagate:
        return
    parser.add_argument(
        "--propagate-removes",
        action="store_true",
        help="with the default view: delete a primary item's dashboard items when it is deleted "
        "(default: keep them)",
    )


def _demo(commands: _Commands[argparse.ArgumentParser]) -> None:
    demo = _command(
        commands,
        "demo",
        "_cli._demo",
        "the whole pipeline on a local server, checked (start here)",
        "Create both tables on a local DynamoDB-compatible server started for the demo, write a "
        "seeded sample of news and social items and their changes, stream them through the "
        "Lambda's processing, print the dashboard and check it against the pure projection.",
    )
    _add_endpoint(demo, "use this server instead of starting one (the demo creates new tables)")
    _add_tables(demo, demo=True)
    demo.add_argument(
        "--items", type=_positive, default=ITEMS, help=f"sample items to write (default: {ITEMS})"
    )


def _replay(commands: _Commands[argparse.ArgumentParser]) -> None:
    replay = _command(
        commands,
        "replay",
        "_cli._replay",
        "run a saved Lambda event through process_stream_event",
        "Process a saved DynamoDB Streams Lambda event as the Lambda would: print the batch "
        "response (or, with --dry-run, the items) on stdout, a summary on stderr. Exit code 3 "
        "when any record was rejected as bad input (in Lambda it would be dead-lettered; the "
        "rest is processed), 1 when writes failed (Lambda would retry the batch), else 0.",
    )
    replay.add_argument("event", metavar="EVENT.json", help="the Lambda event, as JSON")
    replay.add_argument("--dry-run", action="store_true", help="print the items, write nothing")
    replay.add_argument("--ddb-json", action="store_true", help="with --dry-run: DynamoDB JSON")
    replay.add_argument("--table", metavar="D", help="the dashboard table to write to")
    _add_endpoint(replay)
    _add_view(replay)


def _run(commands: _Commands[argparse.ArgumentParser]) -> None:
    run = _command(
        commands,
        "run",
        "_cli._run",
        "process a table's stream into a dashboard table, like the Lambda",
        "Read the primary table's stream as Lambda's event source mapping does and process each "
        "batch as the Lambda would, checkpointing each shard; Ctrl-C stops. Exit code 3 when "
        "any record was rejected as bad input (the rest is processed, as in Lambda).",
    )
    _add_tables(run)
    _add_endpoint(run)
    run.add_argument("--checkpoint", metavar="FILE", help="the shard positions file")
    run.add_argument(
        "--idle-exit",
        type=_seconds,
        metavar="SECONDS",
        help="stop after the stream was idle this long; 0: once caught up (default: never)",
    )
    run.add_argument(
        "--batch-size", type=_batch_size, default=100, help="records per batch (default: 100)"
    )
    _add_view(run)


def _backfill(commands: _Commands[argparse.ArgumentParser]) -> None:
    backfill = _command(
        commands,
        "backfill",
        "_cli._backfill",
        "fill a dashboard table from a parallel scan of the primary table",
        "Scan the primary table in parallel segments and put every analysed item's dashboard "
        "items, as the stream would; a rerun skips the finished segments. Exit code 3 when "
        "any item was rejected as bad input (the rest is written).",
    )
    _add_tables(backfill)
    _add_endpoint(backfill)
    backfill.add_argument(
        "--segments", type=_positive, default=4, help="parallel scan segments (default: 4)"
    )
    backfill.add_argument("--progress-file", metavar="FILE", help="the finished segments file")
    _add_view(backfill, propagate=False)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day, e.g. 2025-11-16; got {text!r}") from None


def _recount(commands: _Commands[argparse.ArgumentParser]) -> None:
    recount = _command(
        commands,
        "recount",
        "_cli._recount",
        "recompute the counters from the dashboard table; report drift, --fix it",
        "Read a range of days of the counters table and of the dashboard table, recompute each "
        "counter from the dashboard items, print every counter that differs; with --fix, "
        "rewrite the markers and counters of every day of the range from the dashboard items "
        "(pause the stream first).",
    )
    recount.add_argument("--table", metavar="D", required=True, help="the dashboard table")
    recount.add_argument("--counters-table", metavar="C", required=True, help="the counters table")
    recount.add_argument(
        "--counters",
        metavar="MODULE:ATTR",
        help="the Counters declaration, e.g. orders:order_counters (default: the sentiment "
        "dashboard's)",
    )
    recount.add_argument(
        "--from",
        dest="first",
        type=_day,
        metavar="DAY",
        help="first UTC day (default: the oldest day the view's TTL keeps)",
    )
    recount.add_argument(
        "--to", dest="last", type=_day, metavar="DAY", help="last UTC day (default: today)"
    )
    recount.add_argument(
        "--fix",
        action="store_true",
        help="on drift, rewrite every day of the range from the dashboard",
    )
    _add_endpoint(recount)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse ``argv``; on a usage error, print it and exit with code 2 (argparse's way)."""
    main = parser()
    args = main.parse_args(argv)
    if args.command == "replay" and not args.dry_run and not args.table:
        main.error("replay: give --table D to write to, or --dry-run to print the items")
    if args.command == "replay" and args.ddb_json and not args.dry_run:
        main.error("replay: --ddb-json goes with --dry-run")
    if args.command == "replay" and args.dry_run:
        ignored = [
            option
            for option, value in (
                ("--table", args.table),
                ("--endpoint-url", args.endpoint_url),
                ("--region", args.region),
            )
            if value is not None
        ]
        if ignored:
            main.error(f"replay: --dry-run writes nothing, so {' and '.join(ignored)} cannot apply")
    return args


def parser() -> argparse.ArgumentParser:
    """The ``dashboard-projection`` argument parser."""
    main = argparse.ArgumentParser(
        prog=PROG,
        description="Project DynamoDB Streams records of a primary table into a dashboard "
        "table: the library's Lambda processing, from the command line.",
        epilog=_EPILOG,
    )
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_demo, _replay, _run, _backfill, _recount):
        add(commands)
    return main
