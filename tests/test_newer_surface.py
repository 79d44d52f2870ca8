"""The newer bd surface agents use today (beads-mcp drives it in tests_mcp/): BEADS_DIR,
comment and note, the ready/list/blocked filters, stats' summary, newer dependency types, and
the daemon's version handshake and exits."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from conftest import BdRunner, DaemonThread, run_bd_process, subprocess_env


def test_beads_dir_points_at_the_workspace(bd: BdRunner, repo: Path, tmp_path: Path) -> None:
    bd("create", "found through BEADS_DIR").ok()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = subprocess_env(BEADS_DIR=str(repo / ".beads"), BD_NO_DAEMON="1")
    listed = run_bd_process(elsewhere, "list", "--json", env=env).ok().json()
    assert [i["title"] for i in listed] == ["found through BEADS_DIR"]
    wrong = run_bd_process(elsewhere, "list", env=subprocess_env(BEADS_DIR=str(elsewhere)))
    assert wrong.exit_code == 1 and "BEADS_DIR" in wrong.stderr


def test_comment_and_note(bd: BdRunner) -> None:
    bd("create", "A").ok()
    assert "Comment added to bd-1" in bd("comment", "bd-1", "looks", "good").ok().stdout
    comments = bd("comments", "bd-1", "--json").ok().json()
    assert comments[0]["text"] == "looks good" and isinstance(comments[0]["id"], str)
    bd("note", "bd-1", "first").ok()
    noted = bd("note", "bd-1", "second", "--json").ok().json()
    assert noted["notes"] == "first\n\nsecond"


def test_ready_list_and_blocked_filters(bd: BdRunner) -> None:
    epic = bd("create", "Epic", "-t", "epic", "--json").ok().json()["id"]
    bug = (
        bd("create", "Bug", "-t", "bug", "-l", "web", "--deps", f"parent-child:{epic}", "--json")
        .ok()
        .json()["id"]
    )
    task = bd("create", "Task", "-l", "web,api", "-a", "ann", "--json").ok().json()["id"]
    blocked = bd("create", "Waits", "--deps", f"{task},parent-child:{epic}", "--json").ok()
    waits = blocked.json()["id"]
    ids = lambda run: [i["id"] for i in run.ok().json()]  # noqa: E731
    assert ids(bd("ready", "--type", "bug", "--json")) == [bug]
    assert ids(bd("ready", "-l", "web", "-l", "api", "--json")) == [task]
    assert sorted(ids(bd("ready", "--label-any", "api,web", "--json"))) == sorted([bug, task])
    assert task not in ids(bd("ready", "--unassigned", "--json"))
    assert ids(bd("ready", "--parent", epic, "--json")) == [bug]
    assert ids(bd("ready", "--sort", "oldest", "--json"))[0] == epic
    assert bd("ready", "--sort", "newest").exit_code == 1
    assert ids(bd("blocked", "--parent", epic, "--json")) == [waits]
    assert sorted(ids(bd("list", "--parent", epic, "--json"))) == sorted([bug, waits])
    assert task not in ids(bd("list", "--no-assignee", "--json"))
    bd("close", bug).ok()
    assert sorted(ids(bd("list", "--status", "open,closed", "--json"))) == sorted(
        [epic, bug, task, waits]
    )


def test_newer_dependency_types_record_without_blocking(bd: BdRunner) -> None:
    bd("create", "A").ok()
    bd("create", "B").ok()
    added = bd("dep", "add", "bd-1", "bd-2", "--type", "tracks", "--json").ok().json()
    assert added["type"] == "tracks"
    assert [i["id"] for i in bd("ready", "--json").ok().json()] == ["bd-1", "bd-2"]
    assert bd("dep", "add", "bd-2", "bd-1", "--type", "bogus").exit_code == 1


def test_stats_keeps_flat_keys_and_adds_summary(bd: BdRunner) -> None:
    bd("create", "A").ok()
    stats = bd("stats", "--json").ok().json()
    assert stats["total_issues"] == 1 and stats["summary"]["total_issues"] == 1
    assert stats["recent_activity"]["issues_created"] == 1


def test_a_daemon_of_another_version_is_not_used_silently(
    repo: Path, bd_direct: BdRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bd_trio.daemon import connection

    daemon = DaemonThread(repo).start()
    try:
        monkeypatch.setattr(connection, "__version__", "9.9.9")
        bd_direct("create", "made directly").ok()
        run = run_bd_process(repo, "list", "--json", env=subprocess_env())
        assert run.exit_code == 0 and [i["title"] for i in run.json()] == ["made directly"]
        assert "this daemon runs bd-trio 9.9.9" in run.stderr
        assert "direct mode" in run.stderr
        status = run_bd_process(repo, "daemon", "status").ok().stdout
        assert "bd-trio 9.9.9" not in status or "differs" in status
    finally:
        daemon.stop()


def _pid_gone(pid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_a_daemon_whose_workspace_goes_away_exits(repo: Path) -> None:
    run_bd_process(repo, "init", "-q", "--prefix", "bd").ok()
    started = run_bd_process(repo, "daemon", "start", "--json").ok().json()
    shutil.rmtree(repo / ".beads")
    try:
        assert _pid_gone(started["pid"], 10)
    finally:
        with contextlib.suppress(ProcessLookupError):  # still there: do not leave it running
            os.kill(started["pid"], signal.SIGTERM)


def test_an_auto_started_daemon_exits_when_idle(repo: Path) -> None:
    run_bd_process(repo, "init", "-q", "--prefix", "bd").ok()
    config = repo / ".beads" / "config.json"
    import json

    config.write_text(json.dumps({**json.loads(config.read_text()), "daemon_idle_timeout": "1s"}))
    env = subprocess_env(BD_AUTO_START="1")
    run_bd_process(repo, "create", "starts a daemon", env=env).ok()
    health = run_bd_process(repo, "daemon", "status", "--json").ok().json()
    assert health["status"] == "ok" and health["cli_version"] == health["version"]
    assert _pid_gone(health["pid"], 10)
    assert "Daemon is not running" in run_bd_process(repo, "daemon", "status").ok().stdout


def test_search_ranks_title_matches_first(bd: BdRunner) -> None:
    bd("create", "Login page broken", "-d", "the form").ok()
    bd("create", "Unrelated", "-d", "mentions login in passing").ok()
    bd("create", "Other", "-d", "nothing here").ok()
    bd("update", "bd-3", "--notes", "logins audited").ok()
    found = [i["id"] for i in bd("search", "login", "--json").ok().json()]
    assert found[0] == "bd-1" and set(found) == {"bd-1", "bd-2", "bd-3"}
    assert [i["id"] for i in bd("search", "login", "page", "--json").ok().json()] == ["bd-1"]
    bd("close", "bd-1").ok()
    open_only = [i["id"] for i in bd("search", "login", "-s", "open", "--json").ok().json()]
    assert "bd-1" not in open_only
    assert bd("search", 'we"ird (AND) *', "--json").ok().json() == []  # no query syntax
    human = bd("search", "login").ok().stdout
    assert "Found 3 issues" in human


# A real daemon process that reports another version: the test cannot install an old
# bd-trio, so the child sets the version its connections announce before serving.
_OTHER_VERSION_DAEMON = """
import sys
from bd_trio.daemon import connection
connection.__version__ = "9.9.9"
from bd_trio.daemon.__main__ import main
sys.exit(main(["--db", sys.argv[1]]))
"""


def test_auto_start_restarts_a_daemon_of_another_version(repo: Path) -> None:
    import subprocess
    import sys

    from bd_trio.backend import launcher
    from bd_trio.workspace import Workspace

    run_bd_process(repo, "init", "-q", "--prefix", "bd").ok()
    beads = repo / ".beads"
    workspace = Workspace(beads, beads / "beads.db")
    old = subprocess.Popen(
        [sys.executable, "-c", _OTHER_VERSION_DAEMON, str(beads / "beads.db")],
        cwd=repo,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while (answer := launcher.health(workspace, timeout=1.0)) is None:
            assert old.poll() is None and time.monotonic() < deadline, "old daemon never answered"
            time.sleep(0.05)
        assert answer["pid"] == old.pid
        created = run_bd_process(
            repo, "create", "after the upgrade", "--json", env=subprocess_env(BD_AUTO_START="1")
        ).ok()
        assert "restarted the daemon" in created.stderr
        assert old.wait(timeout=10) == 0  # asked to shut down, not killed
        health = run_bd_process(repo, "daemon", "status", "--json").ok().json()
        assert health["pid"] != old.pid and health["version"] == health["cli_version"]
        listed = run_bd_process(repo, "list", "--json").ok().json()
        assert [i["title"] for i in listed] == ["after the upgrade"]
        run_bd_process(repo, "daemon", "stop").ok()
    finally:
        if old.poll() is None:
            old.kill()
            old.wait()
        with contextlib.suppress(BaseException):
            launcher.stop(workspace)
