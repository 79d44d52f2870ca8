"""`bd daemon start --auto-commit --auto-push`: exports are committed and pushed to a real
(bare) remote, one git command at a time."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import trio

from daemon_helpers import client, make_workspace, running_daemon

pytestmark = pytest.mark.trio


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def repository(tmp_path: Path) -> tuple[Path, Path]:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(remote), str(work))
    git(work, "config", "user.email", "agent@example.invalid")
    git(work, "config", "user.name", "agent")
    (work / "README").write_text("repo\n")
    git(work, "add", "README")
    git(work, "commit", "-q", "-m", "start")
    git(work, "push", "-q", "origin", "HEAD")
    return work, remote


async def test_exports_are_committed_and_pushed(tmp_path: Path) -> None:
    work, remote = repository(tmp_path)
    ws = make_workspace(work)
    async with (
        running_daemon(ws, flush_debounce_s=0.05, auto_commit=True, auto_push=True),
        client(ws) as bd,
    ):
        await bd.create("tracked in git")
        with trio.fail_after(20):
            while "bd: update issues" not in git(remote, "log", "--format=%s", "-n", "5"):
                await trio.sleep(0.05)
    files = git(remote, "show", "--name-only", "--format=", "HEAD")
    assert files.split() == [".beads/issues.jsonl"]
    pushed = git(remote, "show", "HEAD:.beads/issues.jsonl")
    assert '"title":"tracked in git"' in pushed
    # The commit holds the JSONL only: the database stays out of git.
    assert git(work, "status", "--porcelain", "--", ".beads/issues.jsonl") == ""
