"""Small daemon pieces: peer credentials, log rotation, the lock file."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from bd_trio.daemon import logs
from bd_trio.daemon.lockfile import DaemonLock
from bd_trio.daemon.security import peer_allowed, peer_uid
from bd_trio.daemon_state import daemon_pid, lock_held
from bd_trio.errors import BdError
from bd_trio.workspace import Workspace


def test_peer_uid_is_read_from_the_kernel() -> None:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        assert peer_uid(left) == os.getuid()
        assert peer_allowed(left)


def test_log_rotates(tmp_path: Path) -> None:
    path = tmp_path / "daemon.log"
    log = logs.setup(path, max_bytes=500, backups=2)
    for i in range(100):
        log.info("line %d with some padding to fill the file quickly", i)
    for handler in log.handlers:
        handler.flush()
    assert path.exists() and (tmp_path / "daemon.log.1").exists()
    assert (tmp_path / "daemon.log.2").exists() and not (tmp_path / "daemon.log.3").exists()
    assert path.stat().st_size <= 600


def test_lock_is_exclusive_and_records_the_pid(tmp_path: Path) -> None:
    beads = tmp_path / ".beads"
    beads.mkdir()
    workspace = Workspace(beads, beads / "beads.db")
    first = DaemonLock(workspace.lock_path)
    first.acquire()
    try:
        assert lock_held(workspace)
        assert daemon_pid(workspace) == os.getpid()
        with pytest.raises(BdError) as info:
            DaemonLock(workspace.lock_path).acquire()
        assert f"pid {os.getpid()}" in info.value.message
    finally:
        first.release()
    assert not lock_held(workspace)
    assert daemon_pid(workspace) is None
