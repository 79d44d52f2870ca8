"""Shared fixtures: real workspaces in temporary directories and two ways to run `bd`.

`bd` (in-process, through typer's CliRunner) and `bd_proc` (a real subprocess) both take the
same arguments and return a `Run`. Every CLI test is parametrized over the backends in
`BACKENDS`; the daemon backend joins this list when the daemon exists, and then every CLI test
runs against both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bd_trio.cli.main import build_app, prepare

BACKENDS = ["direct"]


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def ok(self) -> Run:
        assert self.exit_code == 0, (
            f"exit {self.exit_code}\nstdout:{self.stdout}\nstderr:{self.stderr}"
        )
        return self


BdRunner = Callable[..., Run]


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory, the current directory for the test."""
    root = tmp_path / "proj"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.delenv("BEADS_DB", raising=False)
    monkeypatch.setenv("BD_ACTOR", "tester")
    monkeypatch.setenv("NO_COLOR", "1")
    return root


def _in_process(backend: str) -> BdRunner:
    runner = CliRunner()

    def bd(*args: str, input: str | None = None) -> Run:
        argv = list(args)
        if backend == "direct":
            argv.append("--no-daemon")
        rest = prepare(argv)
        result = runner.invoke(build_app(rest), rest, input=input, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return bd


@pytest.fixture
def bd(repo: Path, backend_name: str) -> Iterator[BdRunner]:
    """`bd` in-process against an initialised workspace with prefix `bd`."""
    run = _in_process(backend_name)
    run("init", "--prefix", "bd", "--quiet").ok()
    yield run


@pytest.fixture
def bd_bare(repo: Path, backend_name: str) -> BdRunner:
    """`bd` in-process in a directory that has not been initialised."""
    return _in_process(backend_name)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"BD_ACTOR": "tester", "NO_COLOR": "1"})
    env.pop("BEADS_DB", None)
    env.update(extra)
    return env


def run_bd_process(
    cwd: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None
) -> Run:
    proc = subprocess.run(
        [sys.executable, "-m", "bd_trio", *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        env=env or subprocess_env(),
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def bd_proc(repo: Path, backend_name: str) -> BdRunner:
    """`bd` as a real subprocess (python -m bd_trio) in an initialised workspace."""

    def bd(*args: str, input: str | None = None) -> Run:
        argv = list(args)
        if backend_name == "direct":
            argv.append("--no-daemon")
        return run_bd_process(repo, *argv, input=input)

    bd("init", "--prefix", "bd", "--quiet").ok()
    return bd


def jsonl_lines(root: Path) -> list[dict[str, Any]]:
    path = root / ".beads" / "issues.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line]


class OpRunner:
    """Runs operations on a real SQLite file, one transaction per call (as direct mode does)."""

    def __init__(self, path: Path, prefix: str = "bd", id_mode: str = "sequential") -> None:
        from bd_trio.store import Store

        self.store = Store(path)
        self.prefix = prefix
        self.id_mode = id_mode
        self.actor = "tester"

    def __call__(self, op: str, **args: Any) -> Any:
        from bd_trio.ops import OpContext, get_op

        spec = get_op(op)
        parsed = spec.parse_args(args)
        ctx = OpContext(actor=self.actor, prefix=self.prefix, id_mode=self.id_mode)
        with self.store.transaction() as conn:
            return spec.run(conn, parsed, ctx)

    def count(self, table: str) -> int:
        return int(self.store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, to prove that a failed call changed nothing."""
        conn = self.store.conn
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: sorted(tuple(r) for r in conn.execute(f"SELECT * FROM {t}")) for t in tables}


@pytest.fixture
def ops(tmp_path: Path) -> Iterator[OpRunner]:
    runner = OpRunner(tmp_path / "ops.db")
    yield runner
    runner.store.close()
