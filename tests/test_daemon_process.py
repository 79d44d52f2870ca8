"""`bd daemon start|stop|status|restart` with real detached daemon processes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Run, run_bd_process, subprocess_env


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "repo"
    root.mkdir()
    run_bd_process(root, "init", "--prefix", "bd", "-q").ok()
    yield root
    run_bd_process(root, "daemon", "stop")  # never leave a daemon behind


def bd(root: Path, *args: str, **env: str) -> Run:
    return run_bd_process(root, *args, env=subprocess_env(**env))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 20
    while pid_alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap if it is our child
        time.sleep(0.02)
    assert not pid_alive(pid)


def test_start_status_stop(workspace: Path) -> None:
    assert bd(workspace, "daemon", "status").ok().stdout.strip() == "Daemon is not running"
    started = bd(workspace, "daemon", "start").ok().stdout
    assert started.startswith("Daemon started (PID ")
    pid = int(started.split("PID ")[1].split(")")[0])
    status = bd(workspace, "daemon", "status").ok().stdout
    assert f"Daemon is running (PID {pid})" in status
    health = bd(workspace, "daemon", "status", "--json").ok().json()
    assert health["pid"] == pid
    assert health["database"] == str(workspace / ".beads" / "beads.db")
    for key in (
        "uptime_s",
        "socket",
        "queue_depth",
        "connections",
        "requests_served",
        "version",
        "interface_version",
    ):
        assert key in health
    again = bd(workspace, "daemon", "start")
    assert again.exit_code == 1 and "already running" in again.stderr
    # Commands go through it (BD_REQUIRE_DAEMON refuses a silent fallback to direct mode).
    created = bd(workspace, "create", "via daemon", "--json", BD_REQUIRE_DAEMON="1").ok().json()
    assert bd(workspace, "daemon", "status", "--json").ok().json()["requests_served"] > 2
    stopped = bd(workspace, "daemon", "stop").ok().stdout
    assert stopped.strip() == f"Daemon stopped (PID {pid})"
    wait_gone(pid)
    assert not (workspace / ".beads" / "bd.sock").exists()
    # The final export happened on stop.
    lines = (workspace / ".beads" / "issues.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [created["id"]]
    assert "serving" in (workspace / ".beads" / "daemon.log").read_text()
    assert bd(workspace, "daemon", "stop").ok().stdout.strip() == "Daemon is not running"


def test_restart_gives_a_new_process(workspace: Path) -> None:
    first = bd(workspace, "daemon", "start", "--json").ok().json()["pid"]
    second = bd(workspace, "daemon", "restart", "--json").ok().json()["pid"]
    assert first != second
    wait_gone(first)
    assert bd(workspace, "daemon", "status", "--json").ok().json()["pid"] == second


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_gracefully(workspace: Path, signum: int) -> None:
    pid = bd(workspace, "daemon", "start", "--json", "--flush-debounce", "30").ok().json()["pid"]
    bd(workspace, "create", "before the signal", BD_REQUIRE_DAEMON="1").ok()
    os.kill(pid, signum)
    wait_gone(pid)
    assert not (workspace / ".beads" / "bd.sock").exists()
    assert "before the signal" in (workspace / ".beads" / "issues.jsonl").read_text()
    log = (workspace / ".beads" / "daemon.log").read_text()
    assert f"received signal {int(signum)}" in log and "stopped" in log


def test_sigkill_leaves_a_stale_socket_that_is_handled(workspace: Path) -> None:
    pid = bd(workspace, "daemon", "start", "--json").ok().json()["pid"]
    created = [
        bd(workspace, "create", f"acked {i}", "--json", BD_REQUIRE_DAEMON="1").ok().json()["id"]
        for i in range(5)
    ]
    os.kill(pid, signal.SIGKILL)
    wait_gone(pid)
    assert (workspace / ".beads" / "bd.sock").exists()  # stale
    assert bd(workspace, "daemon", "status").ok().stdout.strip() == "Daemon is not running"
    # Without a daemon the CLI falls back to direct mode and sees every acknowledged write.
    listed = {i["id"] for i in bd(workspace, "list", "--json").ok().json()}
    assert listed == set(created)
    refused = bd(workspace, "list", BD_REQUIRE_DAEMON="1")
    assert refused.exit_code == 1 and "bd daemon start" in refused.stderr
    # A new daemon replaces the stale socket.
    bd(workspace, "daemon", "start").ok()
    assert len(bd(workspace, "list", "--json", BD_REQUIRE_DAEMON="1").ok().json()) == 5


def test_auto_start(workspace: Path) -> None:
    run = bd(workspace, "create", "first", "--json", BD_AUTO_START="1", BD_REQUIRE_DAEMON="1")
    assert run.ok().json()["id"] == "bd-1"
    health = bd(workspace, "daemon", "status", "--json").ok().json()
    assert health["status"] == "ok" and health["writes"] == 1


def test_auto_start_backs_off_after_a_failure(workspace: Path) -> None:
    beads = workspace / ".beads"
    (beads / "config.json").write_text(json.dumps({"prefix": "bd", "auto_start": True}))
    state = beads / "daemon.autostart"
    # A start that fails (the socket cannot be created) is recorded...
    bad_socket = "/proc/bd-trio-cannot-bind-here.sock"
    run = bd(workspace, "create", "direct after a failed start", "--json", BD_SOCKET=bad_socket)
    assert run.ok().json()["id"] == "bd-1"
    assert json.loads(state.read_text())["failures"] == 1
    # ...and after several failures, no new attempt is made until the backoff has passed.
    state.write_text(json.dumps({"failures": 3, "last": time.time()}))
    run = bd(workspace, "create", "direct while backing off", "--json")
    assert run.ok().json()["id"] == "bd-2"
    assert bd(workspace, "daemon", "status").ok().stdout.strip() == "Daemon is not running"
    assert json.loads(state.read_text())["failures"] == 3  # no new attempt yet
