"""Reads on read-only connections in worker threads: never on the event loop, never in the
writer's transaction. A read never waits behind a write group (WAL: readers see the last
committed state), and a write never waits behind a read.

A success is acknowledged only after its COMMIT, so a read that starts after an answer sees
that write. If issues.jsonl changed on disk (a git pull), the read is handed to the writer
instead, which imports the file first (`JsonlChanged`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.configwatch import ConfigWatch
from bd_trio.daemon.counters import Counters
from bd_trio.daemon.jobs import Group
from bd_trio.daemon.memory import LARGE_RESPONSE, release_free_memory
from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.protocol.encoded import Encoded, encode
from bd_trio.store import Store
from bd_trio.sync import refusal, watch
from bd_trio.workspace import Workspace

DEFAULT_READERS = 2  # concurrent reads: more would only fight over the GIL and two cores


class JsonlChanged(Exception):
    """The file changed under the daemon: the read must wait for the writer to import it."""


class ReadPool:
    def __init__(
        self,
        workspace: Workspace,
        configs: ConfigWatch,
        counters: Counters,
        size: int = DEFAULT_READERS,
    ) -> None:
        self.workspace = workspace
        self.configs = configs
        self.counters = counters
        self.limiter = trio.CapacityLimiter(size)
        self._idle: queue.SimpleQueue[Store] = queue.SimpleQueue()
        self._opened: list[Store] = []
        self._lock = threading.Lock()

    async def read(
        self, run: Callable[[Any, Group], Any], deadline: float, encoding: str
    ) -> Encoded:
        """Run a read in a worker thread and encode its answer there (CBOR or JSON: the loop
        never encodes a big answer); `timeout` when no reader frees up in time."""
        with trio.move_on_at(deadline):
            async with self.limiter:
                self.counters.read()
                # Shielded: once the read runs it finishes (it is bounded; its answer is kept).
                with trio.CancelScope(shield=True):
                    return await trio.to_thread.run_sync(self._run, run, encoding)
        raise BdError("timeout", "read not started: no reader was free before its deadline; retry")

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
        with self._lock:
            for store in self._opened:
                store.close()
            self._opened.clear()
