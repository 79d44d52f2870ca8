"""Choosing how the CLI reaches the operations: through the daemon when its socket answers,
directly otherwise. Both backends have the same `call(op, args)` and run the same operations.

The daemon path finds the socket with `locate` (plain strings) and talks through a
`BlockingConnection`: a CLI call served by the daemon imports neither pathlib nor the store.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from bd_trio import locate
from bd_trio.errors import BdError

if TYPE_CHECKING:
    from bd_trio.backend.base import Backend
    from bd_trio.workspace import Workspace


def open_backend(
    *,
    db: str | None,
    actor: str,
    no_daemon: bool = False,
    auto_import: bool = True,
    auto_flush: bool = True,
    busy_timeout_s: float | None = None,
    read_only: bool = False,
) -> Backend:
    """The daemon's backend if one answers for the workspace `db` (--db) names or the current
    directory is in, else direct mode (BD_REQUIRE_DAEMON: an error instead)."""
    beads_dir, db_path = locate.find(db)

    def direct() -> Backend:
        # Imported here: a CLI call in daemon mode never loads the store, ops or sync code.
        from bd_trio.backend.direct import DirectBackend

        return DirectBackend(
            _workspace(beads_dir, db_path),
            actor=actor,
            auto_import=auto_import,
            auto_flush=auto_flush,
            busy_timeout_s=busy_timeout_s,
            read_only=read_only,
        )

    if not no_daemon and not _env_flag("BD_NO_DAEMON"):
        daemon = _connect(beads_dir, db_path, actor, direct)
        if daemon is not None:
            return daemon
        if _env_flag("BD_REQUIRE_DAEMON"):
            raise BdError(
                "unavailable",
                f"no daemon answers at {locate.socket_path(beads_dir)} and BD_REQUIRE_DAEMON "
                "is set: start one with `bd daemon start`",
            )
    return direct()


def _workspace(beads_dir: str, db_path: str) -> Workspace:
    from pathlib import Path

    from bd_trio.workspace import Workspace

    return Workspace(Path(beads_dir), Path(db_path))


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def _connect(
    beads_dir: str, db_path: str, actor: str, direct: Callable[[], Backend]
) -> Backend | None:
    socket_path = locate.socket_path(beads_dir)
    if not os.path.exists(socket_path):
        # Imported here: auto-start is rare and direct mode must stay light.
        from bd_trio.backend import launcher

        workspace = _workspace(beads_dir, db_path)
        if not (launcher.autostart_enabled(workspace) and launcher.try_autostart(workspace)):
            return None
    from bd_trio import __version__
    from bd_trio.backend.daemon import DaemonBackend
    from bd_trio.client.connection import BlockingConnection

    def connection() -> BlockingConnection:
        return BlockingConnection(socket_path, actor=actor, client_version=__version__)

    def restart() -> BlockingConnection | None:
        """A daemon of this version, when auto-start is on."""
        from bd_trio.backend import launcher

        workspace = _workspace(beads_dir, db_path)
        if not launcher.autostart_enabled(workspace):
            return None
        launcher.stop(workspace)
        launcher.start(
            workspace,
            launcher.StartOptions(idle_timeout_s=launcher.autostart_idle_timeout(workspace)),
        )
        return connection().connect()

    first = connection()
    try:
        first.connect()
    except BdError:
        return None  # a socket left by a daemon that died: fall back to direct mode
    return DaemonBackend(first, fallback=direct, restart=restart)


__all__ = ["open_backend"]
