"""The git commands bd runs. Each is a blocking subprocess with a timeout; callers serialise
them (the daemon holds one lock for all git work)."""

from __future__ import annotations

import subprocess
from pathlib import Path

GIT_TIMEOUT_S = 120.0


class GitError(Exception):
    pass


def run_git(root: Path, *args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {' '.join(args)}: {exc}") from exc
    if proc.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def is_repository(root: Path) -> bool:
    try:
        run_git(root, "rev-parse", "--git-dir")
    except GitError:
        return False
    return True


def commit_file(root: Path, path: Path, message: str) -> bool:
    """Commit `path` alone if it changed; returns whether a commit was made."""
    if not is_repository(root):
        raise GitError(f"{root} is not a git repository")
    relative = str(path.relative_to(root))
    run_git(root, "add", "--", relative)
    status = run_git(root, "diff", "--cached", "--name-only", "--", relative)
    if not status.strip():
        return False
    run_git(root, "commit", "-q", "-m", message, "--", relative)
    return True


def push(root: Path) -> None:
    run_git(root, "push", "-q")
