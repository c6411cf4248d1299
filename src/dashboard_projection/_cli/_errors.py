"""The command line's errors: every failure a user can cause or meet becomes one line, no traceback.

``dashboard-projection: error: <what> (<where>)`` on stderr, and an exit code a script can test:

* 2 (:data:`USAGE`): the command line or its input is wrong: a missing or malformed file, not a
  stream event, a table that does not exist. Fix the command and run it again.
* 1 (:data:`FAILURE`): the work could not be done: an unreachable endpoint, a DynamoDB error,
  writes that kept failing, a consistency check that found differences.
* 130 (:data:`INTERRUPTED`): Ctrl-C, as shells report SIGINT.

An exception this module does not know stays a traceback: it is a bug, and hiding it would hide
the bug. botocore is imported only when an error needs sorting, never at start-up.
"""

from __future__ import annotations

from dashboard_projection._errors import (
    ConfigurationError,
    DashboardProjectionError,
    InvalidInputError,
)

PROG = "dashboard-projection"
FAILURE = 1
USAGE = 2
INTERRUPTED = 130


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


def as_cli_error(exc: Exception) -> CliError | None:
    """The one-line report of ``exc``, or ``None`` for an exception that is a bug."""
    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, InvalidInputError | ConfigurationError):
        return CliError(str(exc))
    if isinstance(exc, DashboardProjectionError):
        return CliError(str(exc), exit_code=FAILURE)
    if isinstance(exc, OSError):
        return CliError(exc.strerror or str(exc), where=str(exc.filename or ""), exit_code=FAILURE)
    return _botocore_error(exc)


def _botocore_error(exc: Exception) -> CliError | None:
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
