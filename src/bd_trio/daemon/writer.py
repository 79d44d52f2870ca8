"""The single writer: one owner of the database connection, fed by a memory channel.

Handlers put `Job`s on the memory channel. The writer task hands them, in order, to the
database thread, which owns the SQLite write connection: it takes one job, drains whatever else
is already waiting (up to `max_group`), runs them in one transaction (a SAVEPOINT each, so one
failure does not undo the others), COMMITs once, and only then hands the outcomes back to the
event loop, which wakes the handlers: a success is never acknowledged before it is durable.

Why a long-lived thread rather than `trio.to_thread.run_sync` per group: SQLite calls (and the
fsync of each COMMIT) must not block the event loop, and a thread that stays in its loop can
start the next group the moment one commits, instead of waiting for the event loop to schedule
the writer task again — that turnaround was half of each group's time under load.

While agents are busy (the previous group held more than one request), the thread waits up to
`commit_delay_s` (0.3 ms by default) until it holds as many requests as last time before it
commits: the same fsync then covers a larger group. At 8 agents this cut the daemon's CPU per
create by about a quarter and raised throughput by about a fifth; the median latency fell, as
fewer fsyncs queue up. A lone agent never waits, and a full queue is taken at once.

Deadlines: a job whose deadline passed before the database thread took it, or whose handler
gave up, is skipped and never applied. The take (thread) and the give-up (handler) are decided
under one lock, so exactly one of them wins. Once taken, the handler waits (shielded) for the
real outcome, whatever its deadline.

Light reads (one issue, or a page of at most 100) do not queue behind writes: the writer task
runs them at once on a second, read-only connection (WAL lets it read while the thread writes).
A success is only sent after its COMMIT, so such a read always sees every acknowledged write.
"""

from __future__ import annotations

import math
import queue
import sqlite3
import threading
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
from bd_trio.sync import files, watch
from bd_trio.sync.summary import ImportOptions
from bd_trio.workspace import Config, Workspace

QUEUED, TAKEN, ABANDONED, DONE = "queued", "taken", "abandoned", "done"
CONFIG_CHECK_S = 0.5


@dataclass(eq=False, slots=True)
class Job:
    # Called with the connection and the workspace config of this group (read once per group,
    # not per request: config.json changes only with a git pull).
    run: Callable[[sqlite3.Connection, Config], Any]
    deadline: float  # trio clock, for the handler's wait
    writes: bool
    light: bool = False  # a read cheap enough to run on the event loop (see module doc)
    done: trio.Event = field(default_factory=trio.Event)
    state: str = QUEUED
    result: Any = None
    error: BdError | None = None
    queued_at: float = field(default_factory=trio.current_time)
    # The same deadline on the monotonic clock, which the database thread can read.
    expires: float = field(init=False)

    def __post_init__(self) -> None:
        self.expires = time.monotonic() + (self.deadline - trio.current_time())


class Writer:
    def __init__(
        self,
        store: Store,
        workspace: Workspace,
        counters: Counters,
        *,
        max_group: int,
        queue_size: int,
        reader: Store | None = None,
        commit_delay_s: float = 0.0,
    ) -> None:
        self.store = store  # used by the database thread only, while it runs
        self.reader = reader  # read-only connection for light reads on the event loop
        self.workspace = workspace
        self.counters = counters
        self.max_group = max_group
        self.commit_delay_s = commit_delay_s
        self._queue_size = queue_size
        self._send, self._receive = trio.open_memory_channel[Job](queue_size)
        self._pending: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._slots = trio.Semaphore(queue_size)  # jobs handed to the thread, not yet done
        self._state_lock = threading.Lock()
        self.finished = trio.Event()
        # Export bookkeeping, read by the exporter task.
        self.dirty = trio.Event()
        self.first_dirty_at: float | None = None
        self.last_write_at = -math.inf
        self._config: Config = workspace.load_config()
        self._config_error: BdError | None = None
        self._config_stamp: tuple[int, int] | None = self._stamp()
        self._config_checked = time.monotonic()

    # --- handler side ---------------------------------------------------------------------

    @property
    def queue_depth(self) -> int:
        waiting = int(self._receive.statistics().current_buffer_used)
        return waiting + self._queue_size - int(self._slots.value)

    @property
    def config(self) -> Config:
        """The workspace config, reloaded when config.json changes (after a git pull). The file
        is looked at no more than every CONFIG_CHECK_S: it changes rarely, requests are many."""
        now = time.monotonic()
        if now - self._config_checked >= CONFIG_CHECK_S:
            self._config_checked = now
            stamp = self._stamp()
            if stamp != self._config_stamp:
                self._config_stamp = stamp
                try:
                    self._config = self.workspace.load_config()
                    self._config_error = None
                except BdError as exc:  # every request fails with it until the file is fixed
                    self._config_error = exc
        if self._config_error is not None:
            raise self._config_error
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
            if not job.done.is_set():
                self._abandon(job)
                if job.state != ABANDONED:  # taken in the meantime: wait for the real outcome
                    with trio.CancelScope(shield=True):
                        await job.done.wait()
        except (trio.ClosedResourceError, trio.BrokenResourceError):
            raise BdError("unavailable", "the daemon is shutting down; retry") from None
        finally:
            if not job.done.is_set():
                self._abandon(job)  # cancelled from outside: the thread will skip it
        if job.state == ABANDONED:  # given up here, or skipped by the thread: not applied
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

    def _abandon(self, job: Job) -> None:
        with self._state_lock:
            if job.state == QUEUED:
                job.state = ABANDONED

    def close(self) -> None:
        """No more jobs: the writer finishes what is queued, then stops."""
        self._send.close()

    # --- the writer task ------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        token = trio.lowlevel.current_trio_token()
        thread = threading.Thread(
            target=self._database_thread, args=(token,), name="bd-writer", daemon=True
        )
        thread.start()
        task_status.started()
        try:
            async with self._receive:
                async for job in self._receive:
                    if job.light and self._read_inline(job):
                        continue
                    await self._slots.acquire()
                    self._pending.put(job)
        finally:
            # The thread finishes every job already handed to it, then exits.
            self._pending.put(None)
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(thread.join)
            self.finished.set()

    def _read_inline(self, job: Job) -> bool:
        """Run a light read on the read-only connection; False when it must go to the thread
        (no reader, or the JSONL changed and must be imported first)."""
        reader = self.reader
        if reader is None or watch.file_changed(reader.conn, self.workspace.jsonl_path):
            return False
        if job.state == ABANDONED or trio.current_time() >= job.deadline:
            self._abandon(job)
            job.done.set()
            return True
        job.state = TAKEN
        try:
            config = self.config
        except BdError as exc:  # a broken config.json fails requests, never the daemon
            job.error = exc
        else:
            with reader.read() as conn:
                _run_job(job, conn, config, in_savepoint=False)
        job.state = DONE
        job.done.set()
        return True

    # --- the database thread --------------------------------------------------------------

    def _database_thread(self, token: trio.lowlevel.TrioToken) -> None:
        stopping = False
        last_size = 1
        while not stopping:
            first = self._pending.get()
            if first is None:
                return
            group = [first]
            # Under concurrency (the last group had company), gather for a moment longer: one
            # fsync then covers more requests. A lone agent never waits.
            gather_until = time.monotonic() + (self.commit_delay_s if last_size > 1 else 0.0)
            while len(group) < self.max_group:
                try:
                    wait = gather_until - time.monotonic()
                    if wait > 0 and len(group) < last_size:
                        # Expect about as many requests as last time; no longer.
                        following = self._pending.get(timeout=wait)
                    else:
                        following = self._pending.get_nowait()
                except queue.Empty:
                    break
                if following is None:
                    stopping = True
                    break
                group.append(following)
            last_size = len(group)
            now = time.monotonic()
            runnable = []
            with self._state_lock:
                for job in group:
                    if job.state == ABANDONED or now >= job.expires:
                        job.state = ABANDONED  # never run: its handler reports the timeout
                    else:
                        job.state = TAKEN
                        runnable.append(job)
            imported = False
            try:
                config = self.config
            except BdError as exc:  # a broken config.json fails the group, not the thread
                for job in runnable:
                    job.error = exc
            else:
                imported = self._execute(runnable, config) if runnable else False
            try:
                token.run_sync_soon(self._complete, group, len(runnable), imported)
            except trio.RunFinishedError:
                return

    def _complete(self, group: list[Job], ran: int, imported: bool) -> None:
        """Event loop: wake the handlers of a committed group (all at once)."""
        if ran:
            self.counters.groups += 1
            self.counters.largest_group = max(self.counters.largest_group, ran)
        wrote = imported
        for job in group:
            if job.state == TAKEN:
                job.state = DONE
                if job.writes and job.error is None:
                    self.counters.writes += 1
                    wrote = True
            job.done.set()
            self._slots.release()
        if wrote:
            self.mark_dirty()

    def mark_dirty(self) -> None:
        """Something changed the database: schedule an export."""
        now = trio.current_time()
        self.last_write_at = now
        if self.first_dirty_at is None:
            self.first_dirty_at = now
        self.dirty.set()

    def _execute(self, jobs: list[Job], config: Config) -> bool:
        """Database thread: one transaction for the whole group. Returns True when an
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
                    _run_job(job, conn, config, in_savepoint=True)
        except Exception as exc:  # COMMIT failed: nothing in the group was applied
            logs.get().exception("group commit failed")
            for job in jobs:
                job.result = None
                job.error = BdError("internal", f"commit failed, nothing applied: {exc}")
            return False
        return imported

    def _import_if_changed(self, conn: sqlite3.Connection, config: Config) -> bool:
        path = self.workspace.jsonl_path
        if not watch.file_changed(conn, path):
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
        """Export dirty issues (before the database thread starts or after it stopped)."""
        with self.store.transaction() as conn:
            return files.flush(conn, self.workspace.jsonl_path)

    def flush_job(self, deadline: float) -> Job:
        path = self.workspace.jsonl_path
        return Job(run=lambda conn, _: files.flush(conn, path), deadline=deadline, writes=False)


def _run_job(job: Job, conn: sqlite3.Connection, config: Config, *, in_savepoint: bool) -> None:
    """Run one job and keep its outcome on it. In a SAVEPOINT, a failing job's partial writes
    are undone without touching the rest of its group."""
    try:
        if in_savepoint:
            with savepoint(conn):
                job.result = job.run(conn, config)
        else:
            job.result = job.run(conn, config)
    except BdError as exc:
        job.error = exc
    except Exception as exc:  # a bug: report it, keep serving
        logs.get().exception("operation failed")
        job.error = BdError("internal", f"{type(exc).__name__}: {exc}")
