"""Choosing how the CLI reaches the operations: through the daemon when its socket answers,
directly otherwise. Both backends have the same `call(op, args)` and run the same operations."""

from __future__ import annotations

import os

from bd_trio.backend.base import Backend
from bd_trio.errors import BdError
from bd_trio.workspace import Workspace


def open_backend(
    workspace: Workspace,
    *,
    actor: str,
    no_daemon: bool = False,
    auto_import: bool = True,
    auto_flush: bool = True,
) -> Backend:
    if not no_daemon and not _env_flag("BD_NO_DAEMON"):
        daemon = _connect(workspace, actor)
        if daemon is not None:
            return daemon
        if _env_flag("BD_REQUIRE_DAEMON"):
            raise BdError(
                "unavailable",
                f"no daemon answers at {workspace.socket_path} and BD_REQUIRE_DAEMON is set: "
                "start one with `bd daemon start`",
            )
    # Imported here: a CLI call in daemon mode never loads the store, the ops or the sync code.
    from bd_trio.backend.direct import DirectBackend

    return DirectBackend(workspace, actor=actor, auto_import=auto_import, auto_flush=auto_flush)


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def _connect(workspace: Workspace, actor: str) -> Backend | None:
    socket_path = workspace.socket_path
    if not socket_path.exists():
        # Imported here: auto-start is rare and direct mode must stay light.
        from bd_trio.backend import launcher

        if not (launcher.autostart_enabled(workspace) and launcher.try_autostart(workspace)):
            return None
    from bd_trio.backend.daemon import DaemonBackend
    from bd_trio.client.blocking import BlockingClient

    client = BlockingClient(socket_path, actor=actor)
    try:
        client.connect()
    except BdError:
        return None  # a socket left by a daemon that died: fall back to direct mode
    return DaemonBackend(client)


__all__ = ["Backend", "open_backend"]
