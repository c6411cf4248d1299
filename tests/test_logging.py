"""JSON logs: one object per line, millisecond UTC timestamps, never printed twice."""

from __future__ import annotations

import io
import json
import logging

import pytest

from dashboard_projection._engine._logging import JsonFormatter, configure_json_logging

LOGGER = logging.getLogger("dashboard_projection")


@pytest.fixture(autouse=True)
def _no_handlers() -> None:
    """Start each test with a bare logger (conftest restores the real one afterwards)."""
    LOGGER.handlers.clear()


def test_a_line_is_json_with_the_extra_fields_and_a_millisecond_utc_timestamp() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    LOGGER.addHandler(handler)
    LOGGER.setLevel("INFO")
    LOGGER.info("batch processed", extra={"records": 3})
    line = json.loads(stream.getvalue())
    assert line["message"] == "batch processed"
    assert line["records"] == 3
    assert line["timestamp"].endswith("+00:00")
    assert len(line["timestamp"]) == len("2025-11-16T15:00:00.123+00:00")


def test_configuring_twice_or_over_another_handler_adds_no_second_handler() -> None:
    configure_json_logging("INFO")
    configure_json_logging("DEBUG")  # a warm start
    assert len(LOGGER.handlers) == 1
    LOGGER.handlers[:] = [logging.NullHandler()]  # e.g. Powertools' handler, copied over
    configure_json_logging("INFO")
    assert len(LOGGER.handlers) == 1
    assert isinstance(LOGGER.handlers[0], logging.NullHandler)
