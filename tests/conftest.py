"""Shared fixtures. The local DynamoDB servers start once per session, on first use."""

from __future__ import annotations

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
