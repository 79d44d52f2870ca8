"""The export task: after writes, wait for a quiet moment (the debounce), then have the writer
export the dirty issues to `.beads/issues.jsonl`; optionally git-commit (and push) the file.

A burst of writes is exported once, at most `flush_max_delay_s` after its first write.
"""

from __future__ import annotations

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.counters import Counters
from bd_trio.daemon.options import DaemonOptions
from bd_trio.daemon.writer import Writer
from bd_trio.sync import git

EXPORT_TIMEOUT_S = 300.0
RETRY_AFTER_ERROR_S = 2.0


async def run_exporter(
    writer: Writer, options: DaemonOptions, counters: Counters, git_lock: trio.Lock
) -> None:
    log = logs.get()
    while True:
        await writer.dirty.wait()
        while True:
            first = writer.first_dirty_at if writer.first_dirty_at is not None else 0.0
            target = min(
                writer.last_write_at + options.flush_debounce_s,
                first + options.flush_max_delay_s,
            )
            if trio.current_time() >= target:
                break
            await trio.sleep_until(target)
        writer.dirty = trio.Event()
        writer.first_dirty_at = None
        job = writer.flush_job(trio.current_time() + EXPORT_TIMEOUT_S)
        try:
            result = await writer.call(job)
        except Exception as exc:
            message = getattr(exc, "message", str(exc))
            if counters.last_export_error != message:
                log.warning("export failed: %s", message)
            counters.last_export_error = message
            await trio.sleep(RETRY_AFTER_ERROR_S)
            writer.dirty.set()  # try again
            if writer.first_dirty_at is None:
                writer.first_dirty_at = trio.current_time()
            continue
        counters.last_export_error = None
        if not result.written:
            continue
        counters.exports += 1
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
