"""``dashboard-projection`` (or ``python -m dashboard_projection``): demo, replay, run, backfill.

* ``demo``: the whole pipeline on a local server started for it, checked; the first command to
  run on a fresh machine (``pip install 'dashboard-projection[local]'``).
* ``replay EVENT.json``: a saved Lambda event through the Lambda's processing.
* ``run``: a primary table's stream into a dashboard table, as the Lambda would, resumable.
* ``backfill``: a dashboard table from a parallel scan of the primary table, resumable.

Each command's module is imported only when it runs, so that ``import dashboard_projection``, and
``--help``, stay light; boto3 and moto load with the commands that use them. Whatever goes wrong
is one line on stderr and a non-zero exit code (see ``_cli_errors``), never a traceback; a
missing extra names the one to install, and a closed stdout ends the command quietly.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import TYPE_CHECKING

from dashboard_projection._cli._errors import BROKEN_PIPE, INTERRUPTED, CliError, as_cli_error
from dashboard_projection._cli._handler import cli_logging
from dashboard_projection._cli._parser import parse_args

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = parse_args(argv)
    with cli_logging():
        try:
            command: Callable[[argparse.Namespace], int] = import_module(args.module).command
            return command(args)
        except KeyboardInterrupt:
            error = CliError("interrupted", exit_code=INTERRUPTED)
        except BrokenPipeError:  # `... | head`: the reader has all it wanted
            _discard_stdout()
            return BROKEN_PIPE
        except Exception as exc:
            known = as_cli_error(exc, args.command)
            if known is None:
                raise
            error = known
    print(error.line(), file=sys.stderr)
    return error.exit_code


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
