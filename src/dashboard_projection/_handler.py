"""``make_handler``: a ready Lambda handler, configured from the seed's environment variables.

Configuration is read and checked once, at cold start, so a wrong setting fails the first
invocation loudly instead of every record quietly; the boto3 client is made once per container.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from dashboard_projection._errors import ConfigurationError
from dashboard_projection._logging import configure_json_logging
from dashboard_projection._processor import (
    BatchResponse,
    LambdaContext,
    check_sink_fits,
    process_stream_event,
)
from dashboard_projection._rules import DEFAULT_TTL_DAYS
from dashboard_projection._sink import Sink
from dashboard_projection._sink_dynamodb import DynamoDBSink
from dashboard_projection._stream_projection import DashboardProjection

Handler = Callable[[Mapping[str, Any], LambdaContext | None], BatchResponse]
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _ttl_days(environ: Mapping[str, str]) -> int:
    text = environ.get("TTL_DAYS", str(DEFAULT_TTL_DAYS)).strip()
    if not text.isdecimal() or not text.isascii() or int(text) < 1:
        raise ConfigurationError(f"TTL_DAYS must be a whole number of days >= 1, got {text!r}")
    return int(text)


def _table_name(environ: Mapping[str, str]) -> str:
    table = environ.get("DASHBOARD_TABLE_NAME", "").strip()
    if not table:
        raise ConfigurationError("DASHBOARD_TABLE_NAME must name the dashboard table")
    return table


def _log_level(environ: Mapping[str, str]) -> str:
    level = environ.get("LOG_LEVEL", "INFO").strip().upper()
    if level not in _LEVELS:
        raise ConfigurationError(f"LOG_LEVEL must be one of {', '.join(_LEVELS)}, got {level!r}")
    return level


def make_handler(
    *,
    sink: Sink | None = None,
    environ: Mapping[str, str] | None = None,
    propagate_removes: bool = False,
) -> Handler:
    """Build ``lambda_handler`` from ``DASHBOARD_TABLE_NAME``, ``TTL_DAYS`` and ``LOG_LEVEL``.

    Args:
        sink: Where to write; by default a :class:`DynamoDBSink` on ``DASHBOARD_TABLE_NAME``.
        environ: The environment to read (``os.environ`` by default).
        propagate_removes: Delete a primary item's dashboard items when it is deleted.

    Raises:
        ConfigurationError: A variable is missing or invalid, or ``sink`` is not keyed like
            the dashboard table.
    """
    env = os.environ if environ is None else environ
    ttl_days = _ttl_days(env)
    level = _log_level(env)
    target = sink if sink is not None else DynamoDBSink(_table_name(env))
    projection = DashboardProjection(ttl_days=ttl_days, propagate_removes=propagate_removes)
    check_sink_fits(target, projection)
    configure_json_logging(level)  # only once every setting is known to be good
    logging.getLogger("dashboard_projection").debug("handler ready", extra={"ttl_days": ttl_days})

    def lambda_handler(event: Mapping[str, Any], context: LambdaContext | None) -> BatchResponse:
        return process_stream_event(event, target, context=context, projection=projection)

    return lambda_handler
