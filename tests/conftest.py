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
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bd_trio.cli.main import main
from bd_trio.client.blocking import BlockingClient
from bd_trio.errors import BdError
from bd_trio.workspace import Workspace

BACKENDS = ["direct", "daemon"]


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


class DaemonThread:
    """A real daemon (the same Server as `bd daemon start`) on a real socket, run by trio in a
    thread of the test process so that starting one per test is cheap."""

    def __init__(self, root: Path, flush_debounce_s: float = 0.05) -> None:
        from bd_trio.daemon.options import DaemonOptions

        db = root / ".beads" / "beads.db"
        self.workspace = Workspace(db.parent, db)
        self.options = DaemonOptions(flush_debounce_s=flush_debounce_s, handle_signals=False)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import trio

        from bd_trio.daemon.server import Server

        async def main() -> None:
            await Server(self.workspace, self.options).serve()

        try:
            trio.run(main)
        except BaseException as exc:  # reported by stop()
            self.error = exc

    def client(self) -> BlockingClient:
        return BlockingClient(self.workspace.socket_path, actor="tester")

    def start(self) -> DaemonThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.error is not None:
                raise self.error
            try:
                with self.client() as client:
                    client.ping()
                return self
            except BdError:
                time.sleep(0.01)
        raise RuntimeError("test daemon did not start")

    def stop(self) -> None:
        if self.thread.is_alive():
            try:
                with self.client() as client:
                    client.shutdown()
            except BdError:
                pass
            self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "daemon did not stop"
        if self.error is not None:
            raise self.error


def _in_process(backend: str, parser: str = "fast") -> BdRunner:
    """Runs `bd_trio.cli.main.main` itself with its standard streams captured by typer's test
    runner; `parser` "typer" sends every line through the typer app instead of the fast
    parser (both are derived from cli/table.py; the CLI suite runs through each)."""
    runner = CliRunner()

    def bd(*args: str, input: str | None = None) -> Run:
        argv = list(args)
        if backend == "direct":
            argv.append("--no-daemon")
        env = {
            "BD_REQUIRE_DAEMON": "1" if backend == "daemon" else None,
            "BD_CLI_PARSER": "typer" if parser == "typer" else None,
        }
        with runner.isolation(input=input, env=env) as streams:
            try:
                main(argv)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            sys.stdout.flush()
            sys.stderr.flush()
            stdout, stderr = streams[0].getvalue(), streams[1].getvalue()
        return Run(code, stdout.decode(), stderr.decode())

    return bd


@pytest.fixture
def daemon(repo: Path, backend_name: str) -> Iterator[DaemonThread | None]:
    """The workspace's daemon when the backend is `daemon` (after `bd init`), else None."""
    _in_process("direct")("init", "--prefix", "bd", "--quiet").ok()
    if backend_name != "daemon":
        yield None
        return
    running = DaemonThread(repo).start()
    yield running
    running.stop()


@pytest.fixture(params=["fast", "typer"])
def cli_parser(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def bd(daemon: DaemonThread | None, backend_name: str, cli_parser: str) -> BdRunner:
    """`bd` in-process against an initialised workspace with prefix `bd`, through the backend
    under test (with BD_REQUIRE_DAEMON set, a daemon test can never fall back to direct), and
    through the fast parser or typer."""
    return _in_process(backend_name, cli_parser)


@pytest.fixture
def bd1(daemon: DaemonThread | None, backend_name: str) -> BdRunner:
    """`bd` in-process through the backend under test, the fast parser only (for tests about
    data rather than command lines: the parsers are compared by the CLI suite)."""
    return _in_process(backend_name)


@pytest.fixture
def settle(daemon: DaemonThread | None) -> Callable[[], None]:
    """Wait until issues.jsonl reflects every acknowledged write. Direct mode writes it before
    the command exits; the daemon exports after a debounce, so ask it to flush now."""

    def wait() -> None:
        if daemon is not None:
            with daemon.client() as client:
                client.flush()

    return wait


@pytest.fixture
def bd_direct(repo: Path) -> BdRunner:
    """`bd` in-process, direct mode only: for direct-mode flags (--no-auto-flush...)."""
    run = _in_process("direct")
    run("init", "--prefix", "bd", "--quiet").ok()
    return run


@pytest.fixture
def bd_bare(repo: Path) -> BdRunner:
    """`bd` in-process (direct) in a directory that has not been initialised."""
    return _in_process("direct")


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"BD_ACTOR": "tester", "NO_COLOR": "1"})
    env.pop("BEADS_DB", None)
    env.update(extra)
    return env


def run_bd_process(
    cwd: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None
) -> Run:
    """`python -m bd_trio ARGS` in `cwd`."""
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
def bd_proc(repo: Path, daemon: DaemonThread | None, backend_name: str) -> BdRunner:
    """`bd` as a real subprocess (python -m bd_trio) in an initialised workspace."""
    env = subprocess_env(BD_REQUIRE_DAEMON="1") if daemon is not None else None

    def bd(*args: str, input: str | None = None) -> Run:
        argv = list(args)
        if backend_name == "direct":
            argv.append("--no-daemon")
        return run_bd_process(repo, *argv, input=input, env=env)

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
        from bd_trio.ops.rows import materialized

        spec = get_op(op)
        parsed = spec.parse_args(args)
        ctx = OpContext(actor=self.actor, prefix=self.prefix, id_mode=self.id_mode)
        with self.store.transaction() as conn:
            return materialized(spec.run(conn, parsed, ctx))

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
