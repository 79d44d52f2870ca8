"""Project tasks: `nox -s tests lint typecheck` (CI), `nox -s stress`, `nox -s bench`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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


BEADS_UI = "beads-ui@0.12.0"


@nox.session
def ui(session: nox.Session) -> None:
    """beads-ui 0.12.0 (npm) drives bd-trio in a real Chromium (tests_ui/): every view, the
    board's columns, New issue, live updates, inline edits; with and without a daemon.
    Installs beads-ui into a cache directory (not the repository) and, when missing, Node,
    Chromium and chromedriver from Debian (CI runs as root)."""
    _system_packages(session)
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "bd-trio"
    beads_ui = cache / BEADS_UI.replace("@", "-")
    if not (beads_ui / "node_modules" / "beads-ui" / "server" / "index.js").exists():
        beads_ui.mkdir(parents=True, exist_ok=True)
        session.run(
            "npm", "install", "--prefix", str(beads_ui), "--no-audit", "--no-fund",
            "--loglevel=error", BEADS_UI, external=True,
        )  # fmt: skip
    session.install("-e", ".", "selenium>=4.20", "pytest>=8")
    output = Path(session.create_tmp()) / "ui-output"
    session.run(
        "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "tests_ui", *session.posargs,
        env={"BEADS_UI_DIR": str(beads_ui), "BD_UI_OUTPUT": str(output)},
    )  # fmt: skip
    session.log(f"screenshots: {output}")


def _system_packages(session: nox.Session) -> None:
    """node/npm, chromium and chromedriver from Debian when one is missing (needs root)."""
    wanted = {
        "node": "nodejs",
        "npm": "npm",
        "chromium": "chromium",
        "chromedriver": "chromium-driver",
    }
    missing = sorted({pkg for tool, pkg in wanted.items() if shutil.which(tool) is None})
    if not missing:
        return
    if os.geteuid() != 0:
        session.error(f"missing {', '.join(missing)}: apt-get install -y {' '.join(missing)}")
    session.run("apt-get", "update", "-q", external=True)
    session.run("apt-get", "install", "-y", "-q", *missing, external=True)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.5")
    session.run(
        "ruff",
        "check",
        "src",
        "tests",
        "tests_mcp",
        "tests_ui",
        "benchmarks",
        "examples",
        "noxfile.py",
    )


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy")
