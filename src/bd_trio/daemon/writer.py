"""The single writer: one database thread owns the SQLite write connection.

A handler hands a write `Job` straight to the database thread (a thread-safe queue; a
semaphore bounds how many may wait) and waits on the job's event. The thread takes one job,
drains whatever else is already waiting (up to `max_group`), runs them in one transaction and
COMMITs once; only then does it hand the outcomes back to the event loop, which wakes the
handlers: a success is never acknowledged before it is durable.

The group runs optimistically, with no SAVEPOINT per job. If a job fails, the transaction is
rolled back and the group runs again with a savepoint around each job, so the failure undoes
only its own writes and the others commit (operations are deterministic given the same state
and the group's timestamp, so the second run gives the others the same results).

Why a long-lived thread rather than `trio.to_thread.run_sync` per group: SQLite calls (and the
fsync of each COMMIT) must not block the event loop, and a thread that stays in its loop starts
the next group the moment one commits.

While agents are busy (the previous group held more than one request), the thread waits up to
`commit_delay_s` (0.3 ms by default) until it holds as many requests as last time before it
commits: the same fsync then covers a larger group. A lone agent never waits.

Deadlines and the job's states: daemon/jobs.py. Reads do not come here: they run on read-only
connections in worker threads (daemon/reads.py), so a read never waits behind a write group
and a write never waits behind a read.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.configwatch import ConfigWatch
from bd_trio.daemon.counters import Counters
from bd_trio.daemon.jobs import Group, Job, JobState, JobStates
from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.store import Store
from bd_trio.store.connection import savepoint
from bd_trio.sync import files, watch
from bd_trio.sync.refusal import Refusal
from bd_trio.workspace import Config, Workspace


class _Redo(Exception):
    """A job failed in the optimistic run: undo the group and run it with savepoints."""


class Writer:
    def __init__(
        self,
        store: Store,
        workspace: Workspace,
        counters: Counters,
        configs: ConfigWatch,
        *,
        max_group: int,
        queue_size: int,
        commit_delay_s: float = 0.0,
        on_write: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store  # used by the database thread only, while it runs
        self.workspace = workspace
        self.counters = counters
        self.configs = configs
        self.max_group = max_group
        self.commit_delay_s = commit_delay_s
        self.on_write = on_write  # event loop: something changed, schedule an export
        self._queue_size = queue_size
        self._slots = trio.Semaphore(queue_size)  # jobs handed to the thread, not completed
        self._pending: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._states = JobStates()
        self._closing = trio.Event()
        self.finished = trio.Event()
        # issues.jsonl as last seen could not be imported (sync/refusal.py): reads go on,
        # writes are refused with its error. Set by the database thread, read on the loop.
        self.refusal: Refusal | None = None

    # --- handler side (event loop) --------------------------------------------------------

    @property
    def queue_depth(self) -> int:
        return self._queue_size - int(self._slots.value)

    async def call(self, job: Job) -> Any:
        """Hand the job to the database thread and wait for its outcome, honouring its
        deadline (daemon/jobs.py)."""
        queued = False
        try:
            with trio.move_on_at(job.deadline):
                await self._slots.acquire()
                if self._closing.is_set():  # no await since the check: the thread is still there
                    self._slots.release()
                    raise BdError("unavailable", "the daemon is shutting down; retry")
                self._pending.put(job)
                queued = True
                await job.done.wait()
            if not job.done.is_set() and not self._states.abandon(job):
                with trio.CancelScope(shield=True):  # taken meanwhile: wait for the real outcome
                    await job.done.wait()
        finally:
            if not job.done.is_set():
                self._states.abandon(job)  # cancelled from outside: the thread will skip it
        if job.state is JobState.ABANDONED:  # given up here or skipped by the thread
            self.counters.timeout()
            where = "for the writer" if queued else "for a place in the writer's queue"
            raise BdError(
                "timeout",
                f"request not applied: its deadline passed while it waited {where}; "
                "nothing was changed, so it is safe to retry",
            )
        if job.error is not None:
            raise job.error
        return job.result

    def close(self) -> None:
        """No more jobs: the thread finishes what is queued, then stops."""
        self._closing.set()

    # --- the writer task ------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        token = trio.lowlevel.current_trio_token()
        thread = threading.Thread(
            target=self._database_thread, args=(token,), name="bd-writer", daemon=True
        )
        thread.start()
        task_status.started()
        try:
            await self._closing.wait()
        finally:
            self._closing.set()
            self._pending.put(None)  # after every job already queued
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(thread.join)
            self.finished.set()

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
                        following = self._pending.get(timeout=wait)  # about as many as last time
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
            runnable = [job for job in group if self._states.take_or_skip(job, now)]
            imported, redone = self._execute(runnable) if runnable else (False, False)
            continuing = [job for job in runnable if _continues(job)]
            if stopping:  # nothing is taken after this group: finish chunked work here
                for job in continuing:
                    while _continues(job):
                        self._execute([job])
                continuing = []
            progress = [(job, *job.chunked.progress()) for job in runnable if job.chunked]
            for job in continuing:
                self._states.requeue(job)  # back in line: others are served first
                self._pending.put(job)
            finished = [job for job in group if job not in continuing]
            try:
                token.run_sync_soon(
                    self._complete, finished, progress, len(runnable), imported, redone
                )
            except trio.RunFinishedError:
                return

    def _execute(self, jobs: list[Job]) -> tuple[bool, bool]:
        """One transaction for the group: (an auto-import changed the database, the group had
        to run again with savepoints)."""
        try:
            group = Group(self.configs.current(), clock.now())
        except BdError as exc:  # a broken config.json fails the group, not the thread
            for job in jobs:
                job.error = exc
            return False, False
        try:
            try:
                return self._run_group(jobs, group, isolated=False), False
            except _Redo:
                return self._run_group(jobs, group, isolated=True), True
        except Exception as exc:  # COMMIT failed: nothing in the group was applied
            logs.get().exception("group commit failed")
            for job in jobs:
                job.result = None
                job.error = BdError("internal", f"commit failed, nothing applied: {exc}")
            return False, False

    def _run_group(self, jobs: list[Job], group: Group, *, isolated: bool) -> bool:
        with self.store.transaction() as conn:
            try:
                imported = self.import_if_changed(conn, group.config)
            except BdError as exc:  # e.g. conflict markers: every request gets the reason
                for job in jobs:
                    job.result, job.error = None, exc
                return False
            refused = self.refusal
            for job in jobs:
                job.result, job.error = None, None
                if refused is not None and job.writes:  # nothing may diverge from the file
                    job.error = refused.error
                    continue
                if job.chunked is not None:  # the same chunk again when the group is redone
                    if isolated:
                        job.chunked.restore(job.mark)
                    else:
                        job.mark = job.chunked.mark()
                if isolated:
                    _run_isolated(job, conn, group)
                    continue
                try:
                    job.result = _run(job, conn, group)
                except Exception as exc:
                    raise _Redo from exc
        return imported

    def import_if_changed(self, conn: sqlite3.Connection, config: Config) -> bool:
        """Import issues.jsonl if it changed under us (a git pull); True when that changed
        the database. Database thread (or start-up, before it runs)."""
        path = self.workspace.jsonl_path
        if not watch.file_changed(conn, path):
            self.refusal = None
            return False
        from bd_trio.sync.summary import ImportOptions

        opts = ImportOptions(
            actor="daemon", prefix=config.prefix, id_mode=config.id_mode, now=clock.now()
        )
        summary = files.import_changed(conn, path, opts)
        if isinstance(summary, Refusal):
            if self.refusal is None or self.refusal.token != summary.token:
                logs.get().warning("issues.jsonl refused: %s", summary.error.message)
            self.refusal = summary
            return False
        self.refusal = None
        if summary is None:
            return False
        logs.get().info(
            "auto-import: %d created, %d updated, %d collisions",
            summary.created,
            summary.updated,
            len(summary.collisions),
        )
        return True

    # --- back on the event loop -----------------------------------------------------------

    def _complete(
        self,
        finished: list[Job],
        progress: list[tuple[Job, int, int]],
        ran: int,
        imported: bool,
        redone: bool,
    ) -> None:
        """Wake the handlers of a committed group (all at once); tell chunked jobs' handlers
        how far they got."""
        writes = 0
        for job, done, total in progress:
            if job.on_progress is not None:
                job.on_progress(done, total)
            writes += 1  # a chunk was applied: the file needs an export
        for job in finished:
            if job.state is JobState.TAKEN:
                self._states.finish(job)
                if job.writes and job.error is None and job.chunked is None:
                    writes += 1
            job.done.set()
            self._slots.release()
        if ran:
            self.counters.group(ran, writes, redone)
        if imported:
            self.counters.imported()
        if writes or imported:
            self.on_write()

    # --- start-up and shutdown (the thread is not running) --------------------------------

    def catch_up(self) -> None:
        """Before serving: import what changed in the file, export what is dirty."""
        from bd_trio.sync.gitsetup import ensure_merge_driver

        ensure_merge_driver(self.workspace.root, self.workspace.beads_dir)
        with self.store.transaction() as conn:
            self.import_if_changed(conn, self.configs.current())
        try:
            self.flush_now()
        except BdError as exc:
            logs.get().warning("start-up export skipped: %s", exc.message)

    def flush_now(self) -> files.FlushResult:
        """Export dirty issues (before the database thread starts or after it stopped)."""
        with self.store.transaction() as conn:
            return files.flush(conn, self.workspace.jsonl_path)

    def flush_job(self, deadline: float) -> Job:
        """Export: the group has imported a changed file first (never export over unread
        changes)."""
        path = self.workspace.jsonl_path
        return Job(run=lambda conn, _: files.flush(conn, path), deadline=deadline, writes=False)


def _run(job: Job, conn: sqlite3.Connection, group: Group) -> Any:
    """A job's result; for chunked work, its next chunk (and its result once done)."""
    if job.chunked is None:
        assert job.run is not None
        return job.run(conn, group)
    return job.chunked.result() if job.chunked.step(conn, group) else None


def _continues(job: Job) -> bool:
    """A chunked job whose last chunk succeeded and that has more to do."""
    return (
        job.chunked is not None
        and job.error is None
        and job.state is JobState.TAKEN
        and job.result is None
    )


def _run_isolated(job: Job, conn: sqlite3.Connection, group: Group) -> None:
    """Run one job in a SAVEPOINT: its failure undoes its own writes only."""
    try:
        with savepoint(conn):
            job.result = _run(job, conn, group)
    except BdError as exc:
        job.error = exc
    except Exception as exc:  # a bug: report it, keep serving
        logs.get().exception("operation failed")
        job.error = BdError("internal", f"{type(exc).__name__}: {exc}")
