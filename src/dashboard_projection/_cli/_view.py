"""``--view MODULE:ATTRIBUTE``: the dashboard a command runs, loaded as uvicorn loads an app."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from dashboard_projection._cli._errors import CliError
from dashboard_projection._counters._declaration import Counters
from dashboard_projection._engine._projection import Projection
from dashboard_projection._sentiment._counters import sentiment_counters
from dashboard_projection._sentiment._projection import DashboardProjection


def load_view(spec: str) -> Projection:
    """The view ``spec`` names, ``package.module:attribute`` (the attribute may be dotted).

    The current directory is importable, as it is for ``python -m``.

    Raises:
        CliError: ``spec`` is malformed, the module does not import, the attribute is missing,
            or it is not a view (a projection with ``key_attributes``).
    """
    value = load_object(spec, "--view")
    if not callable(value) or not isinstance(getattr(value, "key_attributes", None), tuple):
        kind = f"the class {value.__name__}" if isinstance(value, type) else type(value).__name__
        raise CliError(f"expected a DashboardView (or a Projection), got {kind}", where=spec)
    return value  # type: ignore[return-value]  # checked above, as far as a protocol can be


def load_counters(spec: str | None) -> Counters:
    """The :class:`Counters` ``spec`` names (``--counters``); the sentiment preset's if ``None``.

    Raises:
        CliError: As :func:`load_view`, or the object is not a ``Counters``.
    """
    if spec is None:
        return sentiment_counters()
    value = load_object(spec, "--counters")
    if not isinstance(value, Counters):
        raise CliError(f"expected a Counters, got a {type(value).__name__}", where=spec)
    return value


def load_object(spec: str, option: str) -> object:
    """The object ``spec`` names, ``package.module:attribute``, for ``option``.

    Raises:
        CliError: ``spec`` is malformed, the module does not import, the attribute is missing.
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise CliError(f"expected {option} MODULE:ATTRIBUTE, e.g. orders:orders", where=spec)
    here = str(Path.cwd())
    if here not in sys.path and "" not in sys.path:
        sys.path.insert(0, here)
    try:
        value: object = importlib.import_module(module_name)
    except ImportError as exc:
        raise CliError(f"could not import module {module_name!r}: {exc}", where=spec) from None
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise CliError(f"{module_name} has no attribute {attribute!r}", where=spec) from None
    return value


def projection_of(args: argparse.Namespace) -> Projection:
    """The command's view: ``--view``, or the sentiment dashboard (``--propagate-removes``).

    Raises:
        CliError: As :func:`load_view`, or ``--propagate-removes`` given with ``--view``.
    """
    propagate = bool(getattr(args, "propagate_removes", False))
    if args.view is None:
        return DashboardProjection(propagate_removes=propagate)
    if propagate:
        raise CliError(
            "--propagate-removes configures the default view; a view declares propagate_removes",
            where=args.view,
        )
    return load_view(args.view)
