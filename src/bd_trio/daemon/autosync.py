"""The daemon syncs by itself (`bd daemon start --auto-sync 60s`, or `sync_interval` in
config.json): `bd sync` every interval, and a few seconds after writes (at most once per
AFTER_WRITE_S), in one task that shares the sync lock with the exports. An unreachable remote
is retried with a growing delay (up to MAX_BACKOFF_S); nothing is lost meanwhile, the commits
wait locally. `bd daemon status --json` shows the last sync, the last error and how many local
commits wait for a push."""

from __future__ import annotations

import time

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.exporter import ExportSchedule
from bd_trio.daemon.syncing import run_sync
from bd_trio.daemon.writer import Writer
from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.sync import git
from bd_trio.sync.gitsync import SyncRequest

AFTER_WRITE_S = 5.0
MAX_BACKOFF_S = 300.0


class SyncStatus:
    """What health reports of the automatic syncs (event loop only)."""

    def __init__(self) -> None:
        self.last_sync_at: str | None = None
        self.last_error: str | None = None
        self.unpushed: int | None = None
        self.syncs = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "last_sync_at": self.last_sync_at,
            "last_sync_error": self.last_error,
            "unpushed_commits": self.unpushed,
            "syncs": self.syncs,
        }


def _unpushed(writer: Writer) -> int | None:
    try:
        out = git.run_git(writer.workspace.root, "rev-list", "--count", "@{u}..HEAD")
    except git.GitError:
        return None
    return int(out.strip() or 0)


async def run_auto_sync(
    writer: Writer,
    schedule: ExportSchedule,
    interval_s: float,
    status: SyncStatus,
    sync_lock: trio.Lock,
) -> None:
    log = logs.get()
    request = SyncRequest("bd sync (daemon): update issues", pull=True, push=True, dry_run=False)
    delay = interval_s
    while True:
        with trio.move_on_after(delay):
            await schedule.written.wait()  # a write: sync soon, not at once
            await trio.sleep(AFTER_WRITE_S)
        schedule.written = trio.Event()
        started = time.monotonic()
        try:
            await run_sync(writer, request, "daemon", sync_lock)
        except BdError as exc:
            status.last_error = exc.message
            delay = min(max(delay, interval_s) * 2, MAX_BACKOFF_S)
            log.warning("auto-sync failed (next try in %.0f s): %s", delay, exc.message)
        else:
            status.last_error = None
            status.syncs += 1
            status.last_sync_at = clock.now()
            delay = interval_s
            log.info("auto-sync done in %.2f s", time.monotonic() - started)
        status.unpushed = await trio.to_thread.run_sync(_unpushed, writer)
