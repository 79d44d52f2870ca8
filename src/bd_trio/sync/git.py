"""The git commands bd runs. Each is a blocking subprocess with a timeout; callers serialise
them (the daemon holds one lock for all git work)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bd_trio.errors import BdError

GIT_TIMEOUT_S = 120.0


class GitError(Exception):
    pass


def run_git(root: Path, *args: str) -> str:
    """git's output as text. Output that is not UTF-8 (a pushed issues.jsonl holding other
    bytes) is a BdError, not a GitError: callers that take a GitError for "no such file" must
    not take a broken file for an absent one."""
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {' '.join(args)}: {exc}") from exc
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args)}: {stderr or proc.stdout.decode('utf-8', 'replace')}")
    try:
        return proc.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BdError(
            "validation",
            f"git {' '.join(args)}: the output is not UTF-8 text (byte {exc.start}); fix the "
            "file in that commit",
        ) from None


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
