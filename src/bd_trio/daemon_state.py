"""Is a daemon alive for this workspace, and which pid? (Reads the lock file; no trio.)"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bd_trio.workspace import Workspace


def lock_held(workspace: Workspace) -> bool:
    return held(workspace.lock_path)


def held(lock_path: Path) -> bool:
    """Someone holds the daemon's exclusive flock on `lock_path`."""
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def daemon_pid(workspace: Workspace) -> int | None:
    return read_pid(workspace.lock_path)


def read_pid(lock_path: Path) -> int | None:
    """The pid a daemon wrote into its lock file (None when there is none)."""
    try:
        text = lock_path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
