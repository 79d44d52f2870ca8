"""Project tasks: `nox -s tests lint typecheck` (CI), `nox -s stress`, `nox -s bench`."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True
# Sessions use the interpreter that runs nox (the README creates it), so no other Python
# needs to be installed.


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (stress tests excluded)."""
    session.install("-e", ".[dev]")
    session.run("pytest", "-q", *session.posargs)


@nox.session
def stress(session: nox.Session) -> None:
    """Concurrency stress tests (marker `stress`)."""
    session.install("-e", ".[dev]")
    session.run("pytest", "-q", "-m", "stress", "-p", "no:cacheprovider", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: daemon vs direct, concurrency, CLI latency, scale (`-- --quick`: seconds)."""
    session.install("-e", ".[dev]", "matplotlib>=3.8")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def mcp(session: nox.Session) -> None:
    """The latest beads-mcp (1.3.2, from PyPI) drives bd-trio: its client and its stdio
    server (tests_mcp/)."""
    session.install("-e", ".", "beads-mcp==1.3.2", "pytest>=8")
    session.run(
        "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "tests_mcp", *session.posargs
    )


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.5")
    session.run(
        "ruff", "check", "src", "tests", "tests_mcp", "benchmarks", "examples", "noxfile.py"
    )


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy")
