"""The database thread: one long-lived thread that runs what the writer task hands it, one
call at a time, and reports each outcome back to the event loop.

Why not `trio.to_thread.run_sync` per group: that costs a limiter, a thread-cache job and a
context copy per group on the loop; a thread that stays in its loop costs one queue put and
one `run_sync_soon` per group, which is what the floor of this design pays (measured in
`nox -s bench`: the writer task with `to_thread` used ~10% more CPU per create).

A call cannot be cancelled once handed over (SQLite is mid-transaction in the thread): the
awaiting task waits for the outcome, as a shielded `to_thread.run_sync` would.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import trio

T = TypeVar("T")

_Call = tuple[Callable[[], Any], Callable[[], None]]


class DatabaseThread:
    def __init__(self, name: str = "bd-writer") -> None:
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._token: trio.lowlevel.TrioToken | None = None

    def start(self) -> None:
        self._token = trio.lowlevel.current_trio_token()
        self._thread.start()

    async def stop(self) -> None:
        """After the calls already handed over."""
        self._calls.put(None)
        with trio.CancelScope(shield=True):
            await trio.to_thread.run_sync(self._thread.join)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        task = trio.lowlevel.current_task()
        token = self._token
        assert token is not None, "start() the database thread first"

        box: list[Any] = []  # (True, value) or (False, exception), filled by the thread

        def call() -> None:  # in the thread
            try:
                box.append((True, fn(*args)))
            except BaseException as exc:  # handed back to the awaiting task
                box.append((False, exc))

        def deliver() -> None:  # in the thread
            token.run_sync_soon(trio.lowlevel.reschedule, task)

        self._calls.put((call, deliver))
        await trio.lowlevel.wait_task_rescheduled(
            lambda _: trio.lowlevel.Abort.FAILED  # mid-transaction: wait for the outcome
        )
        ok, value = box[0]
        if not ok:
            raise value
        result: T = value
        return result

    def _serve(self) -> None:
        while (item := self._calls.get()) is not None:
            call, deliver = item
            call()
            try:
                deliver()
            except trio.RunFinishedError:
                return
