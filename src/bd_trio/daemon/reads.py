"""Reads on read-only connections, never on the event loop, never in the writer's
transaction. A read never waits behind a write group (WAL: readers see the last committed
state), and a write never waits behind a read.

Where a read runs (`route`): reads that can be big (`blocked`, `ready`, `list`, `stats`,
`export`, ...) go to reader processes (daemon/readers.py), where the GIL they hold is not the
daemon's; point reads of one issue (`show`, `comments`, ...) cost less than the hop to another
process, so they run in a worker thread here, as does a read that reports progress; and a
`show` of a small issue runs on the loop itself, where it costs less than any hop (LOOP_READS).

A success is acknowledged only after its COMMIT, so a read that starts after an answer sees
that write. If issues.jsonl changed on disk (a git pull), the read is handed to the writer
instead, which imports the file first (`JsonlChanged`).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.configwatch import ConfigWatch
from bd_trio.daemon.counters import Counters
from bd_trio.daemon.jobs import Group
from bd_trio.daemon.memory import LARGE_RESPONSE, release_free_memory
from bd_trio.daemon.readers import (
    DEFAULT_READER_PROCESSES,
    JsonlChangedInReader,
    ReaderProcesses,
)
from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.protocol.encoded import Encoded, encode
from bd_trio.store import Store
from bd_trio.sync import refusal, watch
from bd_trio.workspace import Workspace

DEFAULT_READERS = 2  # concurrent reads: more would only fight over the GIL and two cores

# Reads of one issue's rows: cheaper in a thread than the round trip to a reader process.
IN_PROCESS_READS = frozenset({"show", "comments", "label_list", "events"})

# `show` of an issue with few related rows and little text costs ~0.1 ms of SQLite: less than
# the hop to a thread (~0.3 ms) or a process, so it runs on the loop, on the loop's own
# read-only connection. A bounded check (a few index probes) decides first; a bigger issue
# (a hub with thousands of dependents) goes to a thread.
LOOP_MAX_ROWS = 50
LOOP_MAX_TEXT = 64 * 1024
_LIMIT = LOOP_MAX_ROWS + 1
_SHOW_SIZE = f"""
    SELECT
        (SELECT COUNT(*) FROM (SELECT 1 FROM dependencies WHERE issue_id = ?1 LIMIT {_LIMIT}))
        + (SELECT COUNT(*) FROM (SELECT 1 FROM dependencies WHERE depends_on_id = ?1
            LIMIT {_LIMIT}))
        + (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE issue_id = ?1 LIMIT {_LIMIT})),
        (SELECT length(title) + length(description) + length(design) + length(notes)
            + length(acceptance_criteria) FROM issues WHERE id = ?1)
"""


def _small_show(conn: sqlite3.Connection, args: dict[str, Any]) -> bool:
    issue_id = args.get("id")
    if not isinstance(issue_id, str):
        return False
    related, text = conn.execute(_SHOW_SIZE, (issue_id,)).fetchone()
    return bool(related <= LOOP_MAX_ROWS and (text or 0) <= LOOP_MAX_TEXT)


LOOP_READS: dict[str, Callable[[sqlite3.Connection, dict[str, Any]], bool]] = {"show": _small_show}


class JsonlChanged(Exception):
    """The file changed under the daemon: the read must wait for the writer to import it."""


class ReadPool:
    def __init__(
        self,
        workspace: Workspace,
        configs: ConfigWatch,
        counters: Counters,
        size: int = DEFAULT_READERS,
        processes: int = DEFAULT_READER_PROCESSES,
    ) -> None:
        self.workspace = workspace
        self.configs = configs
        self.counters = counters
        self.limiter = trio.CapacityLimiter(size)
        self._idle: queue.SimpleQueue[Store] = queue.SimpleQueue()
        self._opened: list[Store] = []
        self._lock = threading.Lock()
        self.processes = ReaderProcesses(workspace, processes) if processes else None
        self._loop_store: Store | None = None  # the loop's own connection, for LOOP_READS

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Start the reader processes (a task of the daemon's nursery, until it is cancelled)."""
        if self.processes is None:
            task_status.started()
            return
        await self.processes.run(task_status=task_status)

    def reader_pids(self) -> list[int]:
        return self.processes.pids() if self.processes is not None else []

    def in_process(self, op: str, reports_progress: bool) -> bool:
        return (
            self.processes is None
            or op in IN_PROCESS_READS
            or reports_progress
            or not self.processes.available
        )

    async def read(
        self,
        run: Callable[[Any, Group], Any],
        deadline: float,
        encoding: str,
        *,
        op: str,
        args: dict[str, Any],
        actor: str,
        reports_progress: bool = False,
    ) -> Encoded:
        """The read's answer encoded in `encoding`: from a reader process, or run in a worker
        thread here (`run`), never on the loop; `timeout` when no reader frees up in time."""
        if op in LOOP_READS and not reports_progress:
            answer = self._on_loop(run, encoding, op, args)
            if answer is not None:
                return answer
        if not self.in_process(op, reports_progress):
            assert self.processes is not None
            self.counters.read()
            try:
                return await self.processes.read(op, args, actor, deadline, encoding)
            except JsonlChangedInReader:
                raise JsonlChanged from None
        with trio.move_on_at(deadline):
            async with self.limiter:
                self.counters.read()
                # Shielded: once the read runs it finishes (it is bounded; its answer is kept).
                with trio.CancelScope(shield=True):
                    return await trio.to_thread.run_sync(self._run, run, encoding)
        raise BdError("timeout", "read not started: no reader was free before its deadline; retry")

    def _on_loop(
        self, run: Callable[[Any, Group], Any], encoding: str, op: str, args: dict[str, Any]
    ) -> Encoded | None:
        """A small point read on the loop's connection; None when it is not small."""
        if self._loop_store is None:
            self._loop_store = Store(self.workspace.db_path, read_only=True)
        try:
            with self._loop_store.read() as conn:
                if not LOOP_READS[op](conn, args):
                    return None
                if watch.file_changed(conn, self.workspace.jsonl_path):
                    raise JsonlChanged
                self.counters.read()
                return encode(run(conn, Group(self.configs.current(), clock.now())), encoding)
        except (BdError, JsonlChanged):
            raise
        except Exception as exc:  # a bug: report it, keep serving
            logs.get().exception("read failed")
            raise BdError("internal", f"{type(exc).__name__}: {exc}") from None

    def _run(self, run: Callable[[Any, Group], Any], encoding: str) -> Encoded:
        store = self._checkout()
        try:
            config = self.configs.current()
            with store.read() as conn:
                path = self.workspace.jsonl_path
                # A file the writer refused is not imported again: the read answers from the
                # database as it is (the response carries the refusal's warning).
                if watch.file_changed(conn, path) and refusal.current(conn, path) is None:
                    raise JsonlChanged
                encoded = encode(run(conn, Group(config, clock.now())), encoding)
            if len(encoded.payload) >= LARGE_RESPONSE:
                # A big answer: give this thread's freed memory (SQLite's sort, the chunks'
                # objects) back to the system, here where it was allocated.
                release_free_memory()
            return encoded
        except (BdError, JsonlChanged):
            raise
        except Exception as exc:  # a bug: report it, keep serving
            logs.get().exception("read failed")
            raise BdError("internal", f"{type(exc).__name__}: {exc}") from None
        finally:
            self._idle.put(store)

    def _checkout(self) -> Store:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            store = Store(self.workspace.db_path, read_only=True)
            with self._lock:
                self._opened.append(store)
            return store

    def close(self) -> None:
        if self._loop_store is not None:
            self._loop_store.close()
            self._loop_store = None
        with self._lock:
            for store in self._opened:
                store.close()
            self._opened.clear()
