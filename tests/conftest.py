"""Shared fixtures. The local DynamoDB servers start once per session, on first use."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from servers import dynalite_server, moto_server

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto in server mode, on a free local port."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def dynalite_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """dynalite (``npm ci`` installs it), on a free local port."""
    with dynalite_server(tmp_path_factory.mktemp("dynalite") / "dynalite.log") as endpoint:
        yield endpoint


@pytest.fixture(scope="session", params=["moto", "dynalite"])
def dynamodb_endpoint(request: pytest.FixtureRequest) -> str:
    """Each local server in turn: a test using it runs against both."""
    endpoint: str = request.getfixturevalue(f"{request.param}_endpoint")
    return endpoint


@pytest.fixture(autouse=True)
def _restore_package_logger() -> Iterator[None]:
    """``make_handler`` configures the package logger; every test leaves it as it found it."""
    package_logger = logging.getLogger("dashboard_projection")
    saved = (package_logger.level, package_logger.propagate, list(package_logger.handlers))
    yield
    package_logger.setLevel(saved[0])
    package_logger.propagate = saved[1]
    package_logger.handlers[:] = saved[2]
