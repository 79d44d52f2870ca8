"""Hooks run after a change, configured only in the user's own config directory: real hook
processes (shell commands) in both modes; a hook put in files git carries never runs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from conftest import BdRunner, DaemonThread


def configure(tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch, **hooks: object) -> Path:
    config = tmp_path / "xdg"
    (config / "bd-trio").mkdir(parents=True, exist_ok=True)
    path = config / "bd-trio" / "hooks.json"
    path.write_text(json.dumps({str(repo.resolve()): hooks}))
    path.chmod(0o600)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return path


def daemon_sees_hooks(daemon: DaemonThread | None, count: int) -> None:
    """The daemon looks at hooks.json once a second: wait until it has these hooks."""
    if daemon is None:
        return
    deadline = time.monotonic() + 30
    with daemon.client() as client:
        while client.health()["hooks"]["configured"] != count:
            assert time.monotonic() < deadline, "the daemon never read hooks.json"
            time.sleep(0.02)


def appears(path: Path, lines: int = 1) -> list[str]:
    """The file's lines once it has `lines` of them (the daemon runs hooks after the reply)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if path.exists():
            got = path.read_text().splitlines()
            if len(got) >= lines:
                return got
        time.sleep(0.01)
    raise AssertionError(f"{path} never got {lines} lines")


def test_hooks_get_the_change_and_the_issue_on_stdin(
    tmp_path: Path,
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    bd: BdRunner,
    daemon: DaemonThread | None,
) -> None:
    log = tmp_path / "hook.log"
    configure(
        tmp_path,
        repo,
        monkeypatch,
        on_create=f"cat >> {log}",
        on_close=["/bin/sh", "-c", f'echo "closed $BD_ISSUE_ID $BD_CURSOR" >> {log}'],
    )
    daemon_sees_hooks(daemon, 2)
    bd("create", "hooked", "-p", "1").ok()
    bd("update", "bd-1", "--priority", "2").ok()  # no hook for updates
    bd("close", "bd-1").ok()
    first, second = appears(log, 2)
    got = json.loads(first)
    assert got["change"]["event"] == "created" and got["change"]["id"] == "bd-1"
    assert got["issue"]["title"] == "hooked"  # the issue as it stands when the hook runs
    assert second.startswith("closed bd-1 ")


def test_a_hook_in_files_git_carries_never_runs(
    tmp_path: Path,
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    bd: BdRunner,
    daemon: DaemonThread | None,
) -> None:
    pwned = repo / "pwned"
    planted = {"on_create": f"touch {pwned}", "on_change": f"touch {pwned}"}
    config = repo / ".beads" / "config.json"
    data = json.loads(config.read_text())
    config.write_text(json.dumps({**data, "hooks": planted, **planted}))
    (repo / ".beads" / "hooks.json").write_text(json.dumps({"*": planted}))
    marker = tmp_path / "marker"
    configure(tmp_path, repo, monkeypatch, on_change=f"echo ran >> {marker}")
    daemon_sees_hooks(daemon, 1)
    bd("create", "innocent").ok()
    appears(marker)  # the user's own hook ran: the planted ones would have run by now
    assert not pwned.exists()


def test_failing_and_slow_hooks_are_reported_not_fatal(
    tmp_path: Path,
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    bd: BdRunner,
    daemon: DaemonThread | None,
) -> None:
    configure(
        tmp_path,
        repo,
        monkeypatch,
        on_create="echo broken >&2; exit 3",
        on_close="sleep 5",
        timeout=0.3,
    )
    daemon_sees_hooks(daemon, 2)
    created = bd("create", "x")
    assert created.exit_code == 0
    closed = bd("close", "bd-1")
    assert closed.exit_code == 0
    if daemon is None:
        assert "hook on_create for created of bd-1 exited 3: broken" in created.stderr
        assert "killed after 0.3 s" in closed.stderr
        return
    deadline = time.monotonic() + 30
    with daemon.client() as client:
        while client.health()["hooks"]["failed"] < 2:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        hooks = client.health()["hooks"]
    assert hooks["configured"] == 2 and "killed after 0.3 s" in hooks["last_error"]
    status = bd("daemon", "status").ok().stdout
    assert "Hooks: 2 configured" in status and "2 failed" in status


def test_hooks_file_others_may_write_is_ignored(
    tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch, bd_direct: BdRunner
) -> None:
    marker = tmp_path / "marker"
    path = configure(tmp_path, repo, monkeypatch, on_create=f"touch {marker}")
    path.chmod(0o666)
    run = bd_direct("create", "x").ok()
    assert not marker.exists()
    assert "hooks must be owned by you and writable by you alone" in run.stderr
