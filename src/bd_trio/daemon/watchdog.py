"""The daemon stops by itself when it has nothing left to serve: its workspace went away (the
`.beads/` directory or the database deleted under it), or, for a daemon that auto-start
launched, nobody asked anything for `idle_timeout_s` (default 1 hour). Checked every CHECK_S,
the file checks in a worker thread (the event loop reads no files)."""

from __future__ import annotations

import os
from collections.abc import Callable

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.counters import Counters
from bd_trio.workspace import Workspace

CHECK_S = 2.0


def _workspace_gone(workspace: Workspace) -> str | None:
    if not os.path.isdir(workspace.beads_dir):
        return f"{workspace.beads_dir} was removed"
    if not os.path.exists(workspace.db_path):
        return f"{workspace.db_path} was removed"
    return None


async def run_watchdog(
    workspace: Workspace,
    counters: Counters,
    idle_timeout_s: float | None,
    stop: Callable[[], None],
    check_s: float = CHECK_S,
) -> None:
    log = logs.get()
    while True:
        await trio.sleep(check_s)
        gone = await trio.to_thread.run_sync(_workspace_gone, workspace)
        if gone is not None:
            log.warning("stopping: %s", gone)
            stop()
            return
        if idle_timeout_s is not None and counters.idle_s() >= idle_timeout_s:
            log.info("stopping: no request for %.0f s", counters.idle_s())
            stop()
            return
