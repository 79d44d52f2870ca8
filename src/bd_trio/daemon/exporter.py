"""The export task: after writes, wait for a quiet moment (the debounce), then have the writer
export the dirty issues to `.beads/issues.jsonl`; optionally git-commit (and push) the file.

`ExportSchedule` is the exporter's own state: the writer (and the claim sweeper) only call
`note_write()`. A burst of writes is exported once, at most `flush_max_delay_s` after its first
write. The export itself runs in the database thread, as a writer job: never on the loop.
"""

from __future__ import annotations

import math

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.counters import Counters
from bd_trio.daemon.options import DaemonOptions
from bd_trio.daemon.writer import Writer
from bd_trio.store.connection import checkpoint_file
from bd_trio.sync import git

EXPORT_TIMEOUT_S = 300.0
RETRY_AFTER_ERROR_S = 2.0


class ExportSchedule:
    """When the next export is due (event loop only)."""

    def __init__(self) -> None:
        self._dirty = trio.Event()
        self._first: float | None = None
        self._last = -math.inf
        self.written = trio.Event()  # for the auto-sync: set by every write, reset by it

    @property
    def pending(self) -> bool:
        return self._dirty.is_set()

    def note_write(self) -> None:
        self.written.set()
        now = trio.current_time()
        self._last = now
        if self._first is None:
            self._first = now
        self._dirty.set()

    async def wait_due(self, debounce_s: float, max_delay_s: float) -> None:
        """Until something was written and then it was quiet for `debounce_s` (or the first
        write is `max_delay_s` old); then the schedule is clear again."""
        await self._dirty.wait()
        while True:
            first = self._first if self._first is not None else 0.0
            target = min(self._last + debounce_s, first + max_delay_s)
            if trio.current_time() >= target:
                break
            await trio.sleep_until(target)
        self._dirty = trio.Event()
        self._first = None


async def run_exporter(
    writer: Writer,
    schedule: ExportSchedule,
    options: DaemonOptions,
    counters: Counters,
    git_lock: trio.Lock,
    sync_lock: trio.Lock,
) -> None:
    log = logs.get()
    while True:
        await schedule.wait_due(options.flush_debounce_s, options.flush_max_delay_s)
        job = writer.flush_job(trio.current_time() + EXPORT_TIMEOUT_S)
        try:
            async with sync_lock:  # never while a sync works on the file with git
                result = await writer.call(job)
        except Exception as exc:
            message = getattr(exc, "message", str(exc))
            if counters.export_failed(message):
                log.warning("export failed: %s", message)
            await trio.sleep(RETRY_AFTER_ERROR_S)
            schedule.note_write()  # try again
            continue
        # After every export, written or not: the writes went to the WAL, and tools that
        # watch the database file (beads-ui) see them once they reach it.
        await trio.to_thread.run_sync(checkpoint_file, writer.workspace.db_path)
        if not result.written:
            continue
        counters.exported()
        if options.auto_commit:
            await commit_export(writer, options, git_lock)


async def commit_export(writer: Writer, options: DaemonOptions, git_lock: trio.Lock) -> None:
    """git add + commit the JSONL (and push): one git command at a time, never two."""
    log = logs.get()
    root = writer.workspace.root
    async with git_lock:
        try:
            committed = await trio.to_thread.run_sync(
                git.commit_file, root, writer.workspace.jsonl_path, "bd: update issues"
            )
            if committed and options.auto_push:
                await trio.to_thread.run_sync(git.push, root)
        except git.GitError as exc:
            log.warning("auto-commit failed: %s", exc)
