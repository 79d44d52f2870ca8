"""The single writer task: handlers send write jobs over a bounded Trio memory channel to one
task, which gathers a group, runs it in the database thread, and after the COMMIT wakes the
handlers and publishes the group's changes (daemon/changes.py).

    handler --Job--> [memory channel, bounded] --> writer task --group--> database thread
       ^                                            |   (daemon/dbthread.py)
       +------------ job.done after COMMIT ---------+--> changes.publish(cursor)

The writer task takes one job, drains whatever else is already waiting (up to `max_group`),
and hands the group to the database thread (daemon/dbthread.py: one long-lived thread, one
call at a time): SQLite (and the fsync of each COMMIT) never runs on the event loop, and
never in two threads at once.
Only after the thread returned, so after the COMMIT, does it set the jobs' events: a success
is never acknowledged before it is durable.

While agents are busy (the previous group held more than one request), the task waits up to
`commit_delay_s` (0.3 ms by default, under `trio.move_on_after`) until it holds as many
requests as last time before it runs the group: the same fsync then covers a larger group. A
lone agent never waits.

The group runs optimistically, with no SAVEPOINT per job. If a job fails, the transaction is
rolled back and the group runs again with a savepoint around each job, so the failure undoes
only its own writes and the others commit (operations are deterministic given the same state
and the group's timestamp, so the second run gives the others the same results).

Deadlines are on Trio's clock only: a handler waits under `trio.move_on_at(job.deadline)`,
and the writer task skips a job whose deadline passed before it took it (daemon/jobs.py holds
the states and their transitions). Closing the channel (`close`) stops the task once it has
run what was queued and finished chunked work.

Reads do not come here: they run on read-only connections in worker threads
(daemon/reads.py), so a read never waits behind a write group and a write never waits behind
a read.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable
from typing import Any, NamedTuple

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.changes import Changes
from bd_trio.daemon.configwatch import ConfigWatch
from bd_trio.daemon.counters import Counters
from bd_trio.daemon.dbthread import DatabaseThread
from bd_trio.daemon.jobs import Group, Job, JobState, JobStates
from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.store import Store, feed
from bd_trio.store.connection import savepoint
from bd_trio.sync import files, watch
from bd_trio.sync.refusal import Refusal
from bd_trio.workspace import Config, Workspace


class _Outcome(NamedTuple):
    """What the database thread reports about a group."""

    imported: bool  # an auto-import changed the database first
    redone: bool  # the group ran again with a savepoint per job
    cursor: int  # the feed's newest cursor after the COMMIT (0: unknown)


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
        self.store = store  # used by the database thread only, while a group runs
        self.workspace = workspace
        self.counters = counters
        self.configs = configs
        self.max_group = max_group
        self.commit_delay_s = commit_delay_s
        self.on_write = on_write  # event loop: something changed, schedule an export
        self.changes = Changes()
        self._send, self._receive = trio.open_memory_channel[Job](queue_size)
        self._continuing: deque[Job] = deque()  # chunked jobs with more to do, back in line
        self._ended = False  # the channel is closed and empty
        self._thread = DatabaseThread()  # runs each group, one at a time
        self._states = JobStates()
        self._waiting = 0  # jobs sent (or being sent) and not completed
        self.finished = trio.Event()
        # issues.jsonl as last seen could not be imported (sync/refusal.py): reads go on,
        # writes are refused with its error. Set by the database thread, read on the loop.
        self.refusal: Refusal | None = None

    # --- handler side ---------------------------------------------------------------------

    @property
    def queue_depth(self) -> int:
        return self._waiting

    async def call(self, job: Job) -> Any:
        """Send the job to the writer task and wait for its outcome, honouring its deadline
        (daemon/jobs.py)."""
        queued = False
        self._waiting += 1
        try:
            with trio.move_on_at(job.deadline):
                try:
                    await self._send.send(job)  # waits while the channel is full
                except (trio.ClosedResourceError, trio.BrokenResourceError):
                    raise BdError("unavailable", "the daemon is shutting down; retry") from None
                queued = True
                await job.done.wait()
            if not job.done.is_set() and not self._states.abandon(job):
                with trio.CancelScope(shield=True):  # taken meanwhile: wait for the real outcome
                    await job.done.wait()
        finally:
            self._waiting -= 1
            if not job.done.is_set():
                self._states.abandon(job)  # cancelled from outside: the writer will skip it
        if job.state is JobState.ABANDONED:  # given up here or skipped by the writer
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
        """No more jobs: the writer task runs what is queued, then stops."""
        self._send.close()

    # --- the writer task ------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        self._thread.start()
        try:
            self.changes.cursor = await self._thread.run(self._read_cursor)
            task_status.started()
            last_size = 1
            async with self._receive:
                while True:
                    group = await self._gather(last_size)
                    if not group:  # closed, drained, no chunked work left
                        break
                    last_size = len(group)
                    await self._commit(group)
        finally:
            self._send.close()
            await self._thread.stop()
            self.finished.set()
            self.changes.wake()

    async def _gather(self, last_size: int) -> list[Job]:
        """The next group: a job (waiting for one unless chunked work is pending), what else
        is queued, and chunked work at the end of the line."""
        group: list[Job] = []
        if not self._continuing and not self._ended:
            try:
                group.append(await self._receive.receive())
            except trio.EndOfChannel:
                self._ended = True
        self._drain(group)
        # Under concurrency (the last group had company), gather for a moment longer: one
        # fsync then covers more requests. A lone agent never waits.
        want = min(last_size, self.max_group)
        if last_size > 1 and self.commit_delay_s > 0 and len(group) < want and not self._ended:
            with trio.move_on_after(self.commit_delay_s):
                while len(group) < want:
                    try:
                        group.append(await self._receive.receive())
                    except trio.EndOfChannel:
                        self._ended = True
                        break
        while self._continuing and len(group) < self.max_group:
            group.append(self._continuing.popleft())
        return group

    def _drain(self, group: list[Job]) -> None:
        while len(group) < self.max_group and not self._ended:
            try:
                group.append(self._receive.receive_nowait())
            except trio.WouldBlock:
                return
            except trio.EndOfChannel:
                self._ended = True

    async def _commit(self, group: list[Job]) -> None:
        now = trio.current_time()
        runnable = [job for job in group if self._states.take_or_skip(job, now)]
        outcome = _Outcome(False, False, 0)
        if runnable:
            # A group in the database thread always finishes, and its handlers always hear.
            outcome = await self._thread.run(self._execute, runnable)
        continuing = [job for job in runnable if _continues(job)]
        progress = [(job, *job.chunked.progress()) for job in runnable if job.chunked]
        for job in continuing:
            self._states.requeue(job)  # back in line: others are served first
            self._continuing.append(job)
        again = {id(job) for job in continuing}
        finished = [job for job in group if id(job) not in again]
        self._complete(finished, progress, len(runnable), outcome)

    # --- the database thread --------------------------------------------------------------

    def _read_cursor(self) -> int:
        return feed.last_cursor(self.store.conn)

    def _execute(self, jobs: list[Job]) -> _Outcome:
        """One transaction for the group (in the database thread)."""
        try:
            group = Group(self.configs.current(), clock.now())
        except BdError as exc:  # a broken config.json fails the group, not the writer
            for job in jobs:
                job.error = exc
            return _Outcome(False, False, 0)
        try:
            try:
                imported, cursor = self._run_group(jobs, group, isolated=False)
                return _Outcome(imported, False, cursor)
            except _Redo:
                imported, cursor = self._run_group(jobs, group, isolated=True)
                return _Outcome(imported, True, cursor)
        except Exception as exc:  # COMMIT failed: nothing in the group was applied
            logs.get().exception("group commit failed")
            for job in jobs:
                job.result = None
                job.error = BdError("internal", f"commit failed, nothing applied: {exc}")
            return _Outcome(False, False, 0)

    def _run_group(self, jobs: list[Job], group: Group, *, isolated: bool) -> tuple[bool, int]:
        """(an import changed the database, the feed's newest cursor at the COMMIT)."""
        with self.store.transaction() as conn:
            try:
                imported = self.import_if_changed(conn, group.config)
            except BdError as exc:  # e.g. conflict markers: every request gets the reason
                for job in jobs:
                    job.result, job.error = None, exc
                return False, 0
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
            cursor = feed.last_cursor(conn)  # what this COMMIT makes visible
        return imported, cursor

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
        outcome: _Outcome,
    ) -> None:
        """Wake the handlers of a committed group (all at once); tell chunked jobs' handlers
        how far they got; publish the group's changes."""
        imported, redone, cursor = outcome
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
        if ran:
            self.counters.group(ran, writes, redone)
        if imported:
            self.counters.imported()
        if writes or imported:
            self.on_write()
        if cursor:
            self.changes.publish(cursor)

    # --- start-up and shutdown (no group is running) --------------------------------------

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
