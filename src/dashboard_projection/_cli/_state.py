"""Small JSON files that let ``run`` and ``backfill`` resume where they stopped.

A state file is rewritten whole after each step, through a temporary file and a rename, so that
Ctrl-C or a crash leaves either the old state or the new one, never half of each. By default they
live in ``.dashboard-projection/`` under the current directory, named after the tables.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from dashboard_projection._cli._errors import FAILURE, CliError

STATE_DIRECTORY = Path(".dashboard-projection")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")  # a table ARN has ':' and '/'


def default_state_path(command: str, source_table: str, table: str) -> Path:
    """``.dashboard-projection/<command>-<source>-to-<table>.json``."""
    name = f"{command}-{source_table}-to-{table}"
    return STATE_DIRECTORY / f"{_UNSAFE.sub('_', name)}.json"


def load_state(path: Path) -> dict[str, Any] | None:
    """The state saved at ``path``, or ``None`` when there is none yet.

    Raises:
        CliError: The file cannot be read, or is not a JSON object.
    """
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CliError(f"cannot read the state file: {exc.strerror}", where=str(path)) from None
    try:
        state = json.loads(text)
    except json.JSONDecodeError as exc:
        state = exc
    if not isinstance(state, dict):
        raise damaged(path)
    return state


def damaged(path: Path) -> CliError:
    """The error for a state file that is not what this program wrote."""
    return CliError("the state file is damaged: delete it to start over", where=str(path))


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Replace the state at ``path`` atomically, creating its directory if needed.

    Raises:
        CliError: The file cannot be written.
    """
    temporary = path.with_name(f"{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", "utf-8")
        temporary.replace(path)
    except OSError as exc:
        raise CliError(
            f"cannot write the state file: {exc.strerror}", where=str(path), exit_code=FAILURE
        ) from None
