"""``make_handler``: a ready Lambda handler for a view, configured from environment variables.

Configuration is read and checked once, at cold start, so a wrong setting fails the first
invocation loudly instead of every record quietly; the boto3 client is made once per container.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dashboard_projection._engine._logging import configure_json_logging
from dashboard_projection._engine._metrics import NAMESPACE, Metrics
from dashboard_projection._engine._outcome import BatchResponse
from dashboard_projection._engine._processor import (
    LambdaContext,
    check_sink_fits,
    process_stream_event,
)
from dashboard_projection._engine._projection import Projection
from dashboard_projection._engine._sink import Sink
from dashboard_projection._engine._sink_dynamodb import DynamoDBSink
from dashboard_projection._engine._steps import BatchStep
from dashboard_projection._errors import ConfigurationError
from dashboard_projection._view._rules import DEFAULT_TTL_DAYS

if TYPE_CHECKING:
    from dashboard_projection._counters._declaration import Counters

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


def _metrics(environ: Mapping[str, str], metrics: Metrics | None) -> Metrics:
    namespace = environ.get("METRICS_NAMESPACE", "").strip()
    if metrics is not None and namespace:
        raise ConfigurationError(
            "give the metrics namespace as METRICS_NAMESPACE or metrics=, not both"
        )
    return metrics or Metrics(namespace or NAMESPACE)


def _projection(
    view: Projection | None, environ: Mapping[str, str], *, propagate_removes: bool
) -> Projection:
    """The view to run; ``TTL_DAYS`` and ``propagate_removes`` configure the default one only."""
    if view is None:
        from dashboard_projection._sentiment._view import sentiment_view  # noqa: PLC0415

        return sentiment_view(ttl_days=_ttl_days(environ), propagate_removes=propagate_removes)
    if not callable(view) or not isinstance(getattr(view, "key_attributes", None), tuple):
        raise ConfigurationError(f"expected a DashboardView (or a Projection), got {view!r}")
    if "TTL_DAYS" in environ or propagate_removes:
        raise ConfigurationError(
            "TTL_DAYS and propagate_removes configure the default sentiment view; a view "
            "declares its own ttl and propagate_removes"
        )
    return view


def _counter_step(
    counters: Counters | None,
    projection: Projection,
    environ: Mapping[str, str],
    *,
    default_view: bool,
) -> BatchStep | None:
    """A :class:`CounterWriter` on ``COUNTERS_TABLE_NAME``, for counters of the view run.

    With the default view, the counters count it as the environment configures it (``TTL_DAYS``
    changes no contribution); otherwise they must count the very view given.
    """
    if counters is None:
        return None
    from dashboard_projection._counters._writer import CounterWriter  # noqa: PLC0415 - lazy
    from dashboard_projection._view._declaration import DashboardView  # noqa: PLC0415

    if default_view and isinstance(projection, DashboardView):
        counters = dataclasses.replace(counters, view=projection)
    if counters.view != projection:  # equal declarations count the same items
        raise ConfigurationError(
            "counters must count the view the handler runs: declare them over it, "
            "Counters(view=<the view given to make_handler>, ...)"
        )
    table = environ.get("COUNTERS_TABLE_NAME", "").strip()
    if not table:
        raise ConfigurationError("COUNTERS_TABLE_NAME must name the counters table")
    return CounterWriter(counters, table)


def make_handler(  # noqa: PLR0913 - every option is keyword-only with a safe default
    view: Projection | None = None,
    *,
    sink: Sink | None = None,
    environ: Mapping[str, str] | None = None,
    propagate_removes: bool = False,
    metrics: Metrics | None = None,
    counters: Counters | None = None,
) -> Handler:
    """Build ``lambda_handler`` for ``view``, configured from the environment at cold start.

    ``lambda_handler = make_handler(orders)`` in the Lambda's module; without a view, the
    sentiment dashboard of the seed. The environment: ``DASHBOARD_TABLE_NAME`` (the table the
    default sink writes), ``LOG_LEVEL`` (``INFO``), ``METRICS_NAMESPACE`` (``SentimentAnalyzer``)
    and, for the default view only, ``TTL_DAYS`` (7); with ``counters``, ``COUNTERS_TABLE_NAME``.

    Args:
        view: The :class:`DashboardView` (or any :class:`Projection`) to run.
        sink: Where to write; by default a :class:`DynamoDBSink` on ``DASHBOARD_TABLE_NAME``.
        environ: The environment to read (``os.environ`` by default).
        propagate_removes: For the default view: delete a primary item's dashboard items when
            it is deleted (a view declares its own).
        metrics: The metrics' namespace and dimensions (or ``METRICS_NAMESPACE``).
        counters: Keep these :class:`Counters` too, in ``COUNTERS_TABLE_NAME``: of ``view``,
            or, without one, of the default view as the environment configures it.

    Raises:
        ConfigurationError: A variable is missing or invalid, a setting does not apply, or
            ``sink`` is not keyed like the dashboard table.
    """
    env = os.environ if environ is None else environ
    projection = _projection(view, env, propagate_removes=propagate_removes)
    level = _log_level(env)
    settings = _metrics(env, metrics)
    target = sink if sink is not None else DynamoDBSink(_table_name(env))
    check_sink_fits(target, projection)
    step = _counter_step(counters, projection, env, default_view=view is None)
    configure_json_logging(level)  # only once every setting is known to be good
    logging.getLogger("dashboard_projection").debug(
        "handler ready", extra={"key_attributes": projection.key_attributes}
    )

    def lambda_handler(event: Mapping[str, Any], context: LambdaContext | None) -> BatchResponse:
        return process_stream_event(
            event,
            target,
            context=context,
            projection=projection,
            metrics=settings,
            counters=step,
        )

    return lambda_handler
