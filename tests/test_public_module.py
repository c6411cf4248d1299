"""Public classes show the module users import them from, in reprs and tracebacks."""

from __future__ import annotations

import pickle
import subprocess
import sys

import dashboard_projection
from dashboard_projection import ConfigurationError, Put, SerializationError


def test_every_public_class_names_the_public_module() -> None:
    classes = {
        name: value
        for name in dashboard_projection.__all__
        if isinstance(value := getattr(dashboard_projection, name), type)
    }
    assert len(classes) > 20
    assert {name: cls.__module__ for name, cls in classes.items()} == dict.fromkeys(
        classes, "dashboard_projection"
    )
    assert repr(dashboard_projection.InMemorySink) == "<class 'dashboard_projection.InMemorySink'>"


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
