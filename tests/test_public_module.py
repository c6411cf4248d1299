"""Public errors show the module users import them from, in tracebacks; every public class's
annotations resolve."""

from __future__ import annotations

import pickle
import subprocess
import sys
import typing

import dashboard_projection
from dashboard_projection import ConfigurationError, Put, SerializationError


def test_every_public_error_names_the_public_module() -> None:
    errors = {
        name: value
        for name in dashboard_projection.__all__
        if isinstance(value := getattr(dashboard_projection, name), type)
        and issubclass(value, Exception)
    }
    assert len(errors) >= 8
    assert {name: cls.__module__ for name, cls in errors.items()} == dict.fromkeys(
        errors, "dashboard_projection"
    )


def test_every_public_class_has_type_hints_that_resolve() -> None:
    """Other classes keep their own module: ``typing.get_type_hints`` (and pydantic, and
    dataclass tools) resolve a class's annotations in the module it names."""
    classes = [
        value
        for name in dashboard_projection.__all__
        if isinstance(value := getattr(dashboard_projection, name), type)
    ]
    assert len(classes) > 20
    for cls in classes:
        typing.get_type_hints(cls)


def test_a_traceback_names_the_public_class_even_before_it_is_imported() -> None:
    script = "import dashboard_projection\ndashboard_projection.make_handler(environ={})\n"
    result = subprocess.run(  # noqa: S603 - our own interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    last = result.stderr.splitlines()[-1]
    assert last.startswith("dashboard_projection.ConfigurationError: DASHBOARD_TABLE_NAME"), last
    assert "_errors" not in result.stderr


def test_public_objects_still_pickle() -> None:
    error = pickle.loads(pickle.dumps(ConfigurationError("x")))  # noqa: S301 - our own bytes
    assert type(error) is ConfigurationError
    assert pickle.loads(pickle.dumps(Put({"k": {"S": "v"}}))) == Put({"k": {"S": "v"}})  # noqa: S301
    assert SerializationError.__module__ == "dashboard_projection"
