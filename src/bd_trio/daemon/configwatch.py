"""The workspace config (`.beads/config.json`) as the daemon's threads see it: reloaded when
the file changes (a git pull), looked at no more than every CHECK_S (requests are many, the
file changes rarely). Called from the database thread and the read threads, never the loop.
A broken file fails requests with its error until it is fixed; it never stops the daemon."""

from __future__ import annotations

import threading
import time

from bd_trio.errors import BdError
from bd_trio.workspace import Config, Workspace

CHECK_S = 0.5


class ConfigWatch:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._lock = threading.Lock()
        self._config: Config = workspace.load_config()
        self._error: BdError | None = None
        self._stamp = self._read_stamp()
        self._checked = time.monotonic()

    def _read_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.workspace.config_path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def current(self) -> Config:
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= CHECK_S:
                self._checked = now
                stamp = self._read_stamp()
                if stamp != self._stamp:
                    self._stamp = stamp
                    try:
                        self._config = self.workspace.load_config()
                        self._error = None
                    except BdError as exc:
                        self._error = exc
            if self._error is not None:
                raise self._error
            return self._config
