"""The single writer: the only task that touches the database.

Handlers put `Job`s on a memory channel. The writer takes one, drains whatever else is already
queued (up to `max_group`), runs them in one transaction (a SAVEPOINT each, so one failure
does not undo the others), COMMITs once, and only then wakes the handlers: a success is never
acknowledged before it is durable.

Deadlines: a job whose deadline passed while it was queued, or whose handler gave up, is
skipped and never applied. Once the writer has taken a job, its handler waits for the real
outcome (shielded), whatever its deadline.

SQLite calls run in a worker thread (`trio.to_thread.run_sync`) so the event loop keeps
answering pings and accepting connections during a commit's fsync. The exception: a group made
only of *light* reads (one issue, or a page of at most 100) runs inline in a read transaction,
because it takes less time (~0.1 ms) than the hop to a thread and back.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.counters import Counters
from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.store import Store
from bd_trio.store.connection import savepoint
from bd_trio.sync import files
from bd_trio.sync.summary import ImportOptions
from bd_trio.workspace import Config, Workspace

QUEUED, TAKEN, ABANDONED, DONE = "queued", "taken", "abandoned", "done"
CONFIG_CHECK_S = 0.5


@dataclass(eq=False, slots=True)
class Job:
    # Called in the writer with the connection and the workspace config of this group (read
    # once per group, not per request: config.json changes only with a git pull).
    run: Callable[[sqlite3.Connection, Config], Any]
    deadline: float  # trio clock
    writes: bool
    light: bool = False  # a read cheap enough to run on the event loop (see module doc)
    done: trio.Event = field(default_factory=trio.Event)
    state: str = QUEUED
    result: Any = None
    error: BdError | None = None
    queued_at: float = field(default_factory=trio.current_time)


class Writer:
    def __init__(
        self,
        store: Store,
        workspace: Workspace,
        counters: Counters,
        *,
        max_group: int,
        queue_size: int,
    ) -> None:
        self.store = store
        self.workspace = workspace
        self.counters = counters
        self.max_group = max_group
        self._send, self._receive = trio.open_memory_channel[Job](queue_size)
        self.finished = trio.Event()
        # Export bookkeeping, read by the exporter task.
        self.dirty = trio.Event()
        self.first_dirty_at: float | None = None
        self.last_write_at = -math.inf
        self._config: Config = workspace.load_config()
        self._config_stamp: tuple[int, int] | None = self._stamp()
        self._config_checked = time.monotonic()

    # --- handler side ---------------------------------------------------------------------

    @property
    def queue_depth(self) -> int:
        return int(self._receive.statistics().current_buffer_used)

    @property
    def config(self) -> Config:
        """The workspace config, reloaded when config.json changes (after a git pull). The file
        is looked at no more than every CONFIG_CHECK_S: it changes rarely, requests are many."""
        now = time.monotonic()
        if now - self._config_checked >= CONFIG_CHECK_S:
            self._config_checked = now
            stamp = self._stamp()
            if stamp != self._config_stamp:
                self._config = self.workspace.load_config()
                self._config_stamp = stamp
        return self._config

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = self.workspace.config_path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    async def call(self, job: Job) -> Any:
        """Queue the job and wait for its outcome, honouring its deadline (see module doc)."""
        try:
            with trio.move_on_at(job.deadline):
                await self._send.send(job)
                await job.done.wait()
            if not job.done.is_set() and job.state == TAKEN:
                with trio.CancelScope(shield=True):
                    await job.done.wait()
        except (trio.ClosedResourceError, trio.BrokenResourceError):
            raise BdError("unavailable", "the daemon is shutting down; retry") from None
        finally:
            if job.state == QUEUED:
                job.state = ABANDONED  # the writer will skip it
        if job.state == ABANDONED:  # given up here, or skipped by the writer: not applied
            self.counters.timeouts += 1
            waited_ms = int((trio.current_time() - job.queued_at) * 1000)
            raise BdError(
                "timeout",
                f"request not applied: it waited {waited_ms} ms for the writer, past its "
                "deadline; nothing was changed, so it is safe to retry",
            )
        if job.error is not None:
            raise job.error
        return job.result

    def close(self) -> None:
        """No more jobs: the writer finishes what is queued, then stops."""
        self._send.close()

    # --- the writer task ------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        try:
            async with self._receive:
                async for first in self._receive:
                    group = [first]
                    while len(group) < self.max_group:
                        try:
                            group.append(self._receive.receive_nowait())
                        except (trio.WouldBlock, trio.EndOfChannel):
                            break
                    await self._run_group(group)
        finally:
            self.finished.set()

    async def _run_group(self, group: list[Job]) -> None:
        now = trio.current_time()
        runnable = []
        for job in group:
            if job.state == ABANDONED or now >= job.deadline:
                job.state = ABANDONED  # never run: its handler reports the timeout
                job.done.set()
                continue
            job.state = TAKEN
            runnable.append(job)
        if not runnable:
            return
        config = self.config
        if all(job.light for job in runnable) and not files.file_changed(
            self.store.conn, self.workspace.jsonl_path
        ):
            imported = self._execute_reads(runnable, config)
        else:
            # Not abandon_on_cancel: a taken group always runs to its COMMIT or ROLLBACK.
            imported = await trio.to_thread.run_sync(self._execute, runnable, config)
        self.counters.groups += 1
        self.counters.largest_group = max(self.counters.largest_group, len(runnable))
        wrote = imported
        for job in runnable:
            job.state = DONE
            if job.writes and job.error is None:
                self.counters.writes += 1
                wrote = True
            job.done.set()
        if wrote:
            self._mark_dirty()

    def _mark_dirty(self) -> None:
        now = trio.current_time()
        self.last_write_at = now
        if self.first_dirty_at is None:
            self.first_dirty_at = now
        self.dirty.set()

    def _execute(self, jobs: list[Job], config: Config) -> bool:
        """Worker thread: one transaction for the whole group. Returns True when an
        auto-import changed the database."""
        imported = False
        try:
            with self.store.transaction() as conn:
                try:
                    imported = self._import_if_changed(conn, config)
                    failure = None
                except BdError as exc:
                    failure = exc
                for job in jobs:
                    if failure is not None:
                        job.error = failure
                        continue
                    try:
                        with savepoint(conn):
                            job.result = job.run(conn, config)
                    except BdError as exc:
                        job.error = exc
                    except Exception as exc:  # a bug: report it, keep serving
                        logs.get().exception("operation failed")
                        job.error = BdError("internal", f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # COMMIT failed: nothing in the group was applied
            logs.get().exception("group commit failed")
            for job in jobs:
                job.result = None
                job.error = BdError("internal", f"commit failed, nothing applied: {exc}")
            return False
        return imported

    def _execute_reads(self, jobs: list[Job], config: Config) -> bool:
        """Light reads, inline on the event loop, in one read transaction."""
        with self.store.read() as conn:
            for job in jobs:
                try:
                    job.result = job.run(conn, config)
                except BdError as exc:
                    job.error = exc
                except Exception as exc:  # a bug: report it, keep serving
                    logs.get().exception("operation failed")
                    job.error = BdError("internal", f"{type(exc).__name__}: {exc}")
        return False

    def _import_if_changed(self, conn: sqlite3.Connection, config: Config) -> bool:
        path = self.workspace.jsonl_path
        if not files.file_changed(conn, path):
            return False
        opts = ImportOptions(
            actor="daemon", prefix=config.prefix, id_mode=config.id_mode, now=clock.now()
        )
        summary = files.auto_import(conn, path, opts)
        if summary is None:
            return False
        self.counters.imports += 1
        logs.get().info(
            "auto-import: %d created, %d updated, %d collisions",
            summary.created,
            summary.updated,
            len(summary.collisions),
        )
        return bool(summary.changed_ids)

    # --- direct access for start-up and shutdown ------------------------------------------

    def flush_now(self) -> files.FlushResult:
        """Export dirty issues (worker thread or after the writer stopped)."""
        with self.store.transaction() as conn:
            return files.flush(conn, self.workspace.jsonl_path)

    def flush_job(self, deadline: float) -> Job:
        path = self.workspace.jsonl_path
        return Job(run=lambda conn, _: files.flush(conn, path), deadline=deadline, writes=False)
