"""Structured logs: one JSON object per line, with the record's context as fields."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

_STANDARD_FIELDS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a log record as JSON: level, logger, message, and every ``extra=`` field."""

    def format(self, record: logging.LogRecord) -> str:
        """One line of JSON; CloudWatch Logs Insights can query each field."""
        document: dict[str, Any] = {
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
        }
        document |= {k: v for k, v in record.__dict__.items() if k not in _STANDARD_FIELDS}
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str)


def configure_json_logging(level: str) -> None:
    """Send the package's logs to stderr as JSON at ``level``, unless they already go somewhere."""
    package_logger = logging.getLogger("dashboard_projection")
    package_logger.setLevel(level)
    # A handler already there (ours from a warm start, or one a user or Powertools attached)
    # stays the only one: adding ours too would print every line twice.
    if not package_logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        package_logger.addHandler(handler)
        package_logger.propagate = False
