"""One daemon per `.beads/`: an exclusive flock on `.beads/daemon.lock`, held for the
daemon's lifetime, with the daemon's pid written inside for `bd daemon status/stop`."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bd_trio.daemon_state import read_pid
from bd_trio.errors import BdError


class DaemonLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid = read_pid(self.path)
            raise BdError(
                "conflict",
                f"a daemon is already running for {self.path.parent} (pid {pid}); "
                "use `bd daemon status` or `bd daemon stop`",
                pid=pid,
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
