"""The command line's errors: every failure a user can cause or meet becomes one line, no traceback.

``dashboard-projection: error: <what> (<where>)`` on stderr, and an exit code a script can test:

* 2 (:data:`USAGE`): the command line or its input is wrong: a missing or malformed file, not a
  stream event, a table that does not exist. Fix the command and run it again.
* 1 (:data:`FAILURE`): the work could not be done: an unreachable endpoint, a DynamoDB error,
  writes that kept failing, a consistency check that found differences.
* 3 (:data:`REJECTED`): ``replay``, ``run`` and ``backfill``: the work was done, but records
  (items, for ``backfill``) were rejected as bad input (each is a line on stderr; in Lambda
  they would be dead-lettered).
* 130 (:data:`INTERRUPTED`): Ctrl-C, as shells report SIGINT.
* 141 (:data:`BROKEN_PIPE`): stdout was closed before the output ended (``... | head -1``);
  nothing is printed, as for a command SIGPIPE stops, which shells report as 141.

A command that needs an extra that is not installed (boto3 for ``run``, ``backfill`` and
``replay --table``; moto as well for ``demo``) is a usage error naming the extra to install.
An exception this module does not know stays a traceback: it is a bug, and hiding it would hide
the bug. botocore is imported only when an error needs sorting, never at start-up.
"""

from __future__ import annotations

import sys

from dashboard_projection._errors import (
    ConfigurationError,
    DashboardProjectionError,
    InvalidInputError,
)

PROG = "dashboard-projection"
FAILURE = 1
USAGE = 2
REJECTED = 3
INTERRUPTED = 130
BROKEN_PIPE = 141  # 128 + SIGPIPE

#: The optional packages (top-level module names) and the extra that installs each; ``demo``
#: needs the ``local`` extra, whichever of them is missing.
_EXTRA_OF = {
    "boto3": "aws",
    "botocore": "aws",
    "moto": "local",
    "flask": "local",
    "flask_cors": "local",
    "werkzeug": "local",
}


class CliError(Exception):
    """An error the command line reports as one line.

    Attributes:
        what: What went wrong, and what to do about it when that is not obvious.
        where: The file, table or endpoint concerned ("" when nothing in particular).
        exit_code: The process exit code.
    """

    def __init__(self, what: str, *, where: str = "", exit_code: int = USAGE) -> None:
        """Build the error; see the attributes."""
        self.what = what
        self.where = where
        self.exit_code = exit_code
        super().__init__(self.line())

    def line(self) -> str:
        """The line printed on stderr."""
        where = f" ({self.where})" if self.where else ""
        return f"{PROG}: error: {self.what}{where}"


def as_cli_error(exc: Exception, command: str = "") -> CliError | None:
    """The one-line report of ``exc``, or ``None`` for an exception that is a bug.

    Args:
        exc: What went wrong.
        command: The command that was running, to name the extra it needs when a module is
            missing.
    """
    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, ModuleNotFoundError):
        return missing_extra(exc, command)
    if isinstance(exc, InvalidInputError | ConfigurationError):
        return CliError(str(exc))
    if isinstance(exc, DashboardProjectionError):
        return CliError(str(exc), exit_code=FAILURE)
    if isinstance(exc, OSError):
        return CliError(exc.strerror or str(exc), where=str(exc.filename or ""), exit_code=FAILURE)
    return _botocore_error(exc)


def missing_extra(exc: ModuleNotFoundError, command: str) -> CliError | None:
    """``pip install 'dashboard-projection[<extra>]'`` for a missing optional dependency.

    ``None`` when the missing module is none of the extras' (a bug, or a broken install).
    """
    module = (exc.name or "").partition(".")[0]
    if module not in _EXTRA_OF:
        return None
    extra = "local" if command == "demo" else _EXTRA_OF[module]
    doing = f"{command} needs" if command else "this needs"
    return CliError(
        f"{doing} {module}, which is not installed: pip install 'dashboard-projection[{extra}]'"
    )


def _botocore_error(exc: Exception) -> CliError | None:
    if "botocore" not in sys.modules:  # then no exception can be botocore's
        return None
    from botocore.exceptions import (  # noqa: PLC0415 - only when an error needs sorting
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    if isinstance(exc, EndpointConnectionError):
        where = str(exc.kwargs.get("endpoint_url", ""))
        return CliError(
            "cannot reach DynamoDB (is the server running?)", where=where, exit_code=FAILURE
        )
    if isinstance(exc, NoCredentialsError):
        return CliError(
            "no AWS credentials found: configure them, or pass --endpoint-url for a local server",
            exit_code=FAILURE,
        )
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        what = f"DynamoDB {exc.operation_name} failed: {error.get('Code')}: {error.get('Message')}"
        return CliError(what, exit_code=FAILURE)
    if isinstance(exc, BotoCoreError):
        return CliError(str(exc), exit_code=FAILURE)
    return None
