"""``nox``: lint, typecheck, tests, docs. ``nox -s demo``: the main job. ``nox -s bench``."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"


def install(session: nox.Session, *groups: str) -> None:
    """Install the project (editable) with the named dependency groups from pyproject.toml."""
    session.install("--upgrade", "pip")  # dependency groups need pip >= 25.1
    requirements = [
        dep for group in groups for dep in nox.project.dependency_groups(PYPROJECT, group)
    ]
    session.install("-e", ".", *requirements)


def node_servers(session: nox.Session) -> None:
    """Install dynalite (the strict DynamoDB-compatible server) from package-lock.json."""
    if Path("package-lock.json").exists():
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks", "examples", "noxfile.py")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    install(session, "typecheck")
    session.run(
        "mypy",
        "--strict",
        "src",
        "tests",
        "benchmarks",
        "examples/lambda/function",
        "examples/orders",
        "noxfile.py",
    )


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    install(session, "tests")
    node_servers(session)
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    install(session, "docs")
    # --strict: a broken link, reference or docstring fails the build.
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", "site", env={"NO_MKDOCS_2_WARNING": "1"}
    )


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    session.install("--upgrade", "pip")
    session.install("-e", ".[local]")
    session.run("dashboard-projection", "demo", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    install(session, "bench")
    session.run("python", "benchmarks/run.py", *session.posargs)
