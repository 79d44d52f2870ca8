"""The daemon syncs by itself (`bd daemon start --auto-sync 60s`, or `sync_interval` in
config.json): `bd sync` every interval, and soon after writes, in one task that shares the
sync lock with the exports.

Writes are gathered the way the writer gathers requests into one transaction, one level up: a
burst of writes becomes one commit and one push. The first write opens a gathering window; the
sync starts once writes have been quiet for QUIET_S, or GATHER_S after the first one (never
later than the interval), and writes that arrive while it runs make the next burst.

The interval adapts to the remote. A sync whose pushes were rejected (others pushed first)
means the remote is crowded: the interval in use grows with the rejections (up to
MAX_CROWDED_FACTOR times the configured one), so a fleet of daemons spreads its pushes out; a
sync that gets through at its first attempt halves it back towards the configured interval.
An unreachable remote doubles it, up to MAX_BACKOFF_S; nothing is lost meanwhile, the commits
wait locally. `bd daemon status --json` shows the attempts, the rejections, the interval in
use, the last sync, the last error and how many local commits wait for a push.
"""

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

QUIET_S = 1.0  # a burst ends when writes stop for this long
GATHER_S = 5.0  # ... or this long after its first write
MAX_CROWDED_FACTOR = 8.0  # the interval under contention: at most this times the configured
MAX_BACKOFF_S = 300.0  # the interval while the remote cannot be reached: at most this
SYNC_TIMEOUT_S = 30.0  # how long one automatic sync retries rejected pushes


class SyncStatus:
    """What health reports of the automatic syncs, and the interval in use (event loop
    only)."""

    def __init__(self, interval_s: float | None = None) -> None:
        self.configured_s = interval_s
        self.interval_s = interval_s
        self.last_sync_at: str | None = None
        self.last_error: str | None = None
        self.unpushed: int | None = None
        self.syncs = 0
        self.attempts = 0  # exchanges with the remote, over all automatic syncs
        self.rejections = 0  # pushes rejected because someone pushed first

    def to_dict(self) -> dict[str, object]:
        return {
            "last_sync_at": self.last_sync_at,
            "last_sync_error": self.last_error,
            "unpushed_commits": self.unpushed,
            "syncs": self.syncs,
            "attempts": self.attempts,
            "rejections": self.rejections,
            "interval_s": self.interval_s,
            "configured_interval_s": self.configured_s,
        }

    def after_sync(self, attempts: int, rejected: int) -> float:
        """A sync got through: adapt the interval to how crowded the remote was."""
        base = self.configured_s or 0.0
        current = self.interval_s or base
        self.syncs += 1
        self.attempts += attempts
        self.rejections += rejected
        self.last_error = None
        self.last_sync_at = clock.now()
        if rejected:
            current = min(current * (1 + rejected), base * MAX_CROWDED_FACTOR)
        else:
            current = max(current / 2, base)
        self.interval_s = current
        return current

    def after_failure(self, message: str, attempts: int, rejected: int) -> float:
        base = self.configured_s or 0.0
        self.attempts += attempts
        self.rejections += rejected
        self.last_error = message
        self.interval_s = min(max(self.interval_s or base, base) * 2, max(MAX_BACKOFF_S, base))
        return self.interval_s


def _unpushed(writer: Writer) -> int | None:
    try:
        out = git.run_git(writer.workspace.root, "rev-list", "--count", "@{u}..HEAD")
    except git.GitError:
        return None
    return int(out.strip() or 0)


async def gather_burst(schedule: ExportSchedule, interval_s: float, crowd: float = 1.0) -> None:
    """Until the interval has passed, or a burst of writes has ended: quiet for QUIET_S, or
    GATHER_S after its first write (both stretched by `crowd`, how many times the configured
    interval the one in use is), never later than the interval."""
    with trio.move_on_after(interval_s) as scope:
        await schedule.written.wait()
    if scope.cancelled_caught:
        return
    window_end = trio.current_time() + min(GATHER_S * crowd, interval_s)
    while trio.current_time() < window_end:
        schedule.written = trio.Event()
        with trio.move_on_at(min(trio.current_time() + QUIET_S * crowd, window_end)):
            await schedule.written.wait()
            continue  # another write: the burst goes on
        break  # quiet


async def run_auto_sync(
    writer: Writer,
    schedule: ExportSchedule,
    interval_s: float,
    status: SyncStatus,
    sync_lock: trio.Lock,
) -> None:
    log = logs.get()
    request = SyncRequest(
        "bd sync (daemon): update issues",
        pull=True,
        push=True,
        dry_run=False,
        timeout_s=SYNC_TIMEOUT_S,
    )
    status.configured_s = status.interval_s = interval_s
    delay = interval_s
    while True:
        await gather_burst(schedule, delay, delay / interval_s)
        schedule.written = trio.Event()  # writes from now on make the next burst
        started = time.monotonic()
        try:
            summary = await run_sync(writer, request, "daemon", sync_lock)
        except BdError as exc:
            attempts = int(exc.details.get("attempts", 1))
            rejected = int(exc.details.get("rejected", 0))
            delay = status.after_failure(exc.message, attempts, rejected)
            log.warning("auto-sync failed (next try in %.0f s): %s", delay, exc.message)
        else:
            delay = status.after_sync(int(summary["attempts"]), int(summary["rejected"]))
            log.info(
                "auto-sync done in %.2f s (%d attempts; next in %.1f s)",
                time.monotonic() - started,
                summary["attempts"],
                delay,
            )
        status.unpushed = await trio.to_thread.run_sync(_unpushed, writer)
