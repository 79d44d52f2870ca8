"""The `watch` stream: the changes after a cursor, one frame each, then each new commit's
changes as the writer publishes them (daemon/changes.py), until the client goes away or the
daemon stops.

The stream reads the changes from the database (a reader thread), from its own cursor: the
writer keeps nothing for a subscriber and never waits for one. A subscriber that does not
read its frames for SLOW_SUBSCRIBER_S (the socket's buffer is full) is cut off with an error
that names the cursor to resume from; resuming with `since` = the last cursor it received
misses nothing and repeats nothing, across disconnects and daemon restarts (the cursor lives
in the database).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.changes import Changes

SLOW_SUBSCRIBER_S = 10.0
READ_TIMEOUT_S = 30.0
BATCH = 1000

ReadChanges = Callable[[int, int], Awaitable[list[dict[str, Any]]]]
Send = Callable[[list[Any]], Awaitable[None]]  # items, each sent as a frame of its own


class SharedReads:
    """Subscribers woken by the same commit usually stand at the same cursor: one read of the
    database serves all of them (a reader thread per commit, not one per subscriber)."""

    def __init__(self, read: ReadChanges) -> None:
        self._read = read
        self._reading: dict[tuple[int, int], tuple[trio.Event, list[Any]]] = {}

    async def __call__(self, since: int, limit: int) -> list[dict[str, Any]]:
        key = (since, limit)
        if key in self._reading:
            done, box = self._reading[key]
            await done.wait()
            if box:
                result: list[dict[str, Any]] = box[0]
                return result
            return await self._read(since, limit)  # that read failed: try one of our own
        done, box = trio.Event(), []
        self._reading[key] = (done, box)
        try:
            box.append(await self._read(since, limit))
        finally:
            del self._reading[key]
            done.set()
        result = box[0]
        return result


class CutOff(trio.BrokenResourceError):
    """A subscriber too slow to read its frames: its connection is closed (a frame may be half
    sent). The client knows the last cursor it got and resumes from it."""


async def stream_changes(
    changes: Changes,
    read: ReadChanges,
    since: int | None,
    send: Send,
    stopping: Callable[[], bool],
    slow_after_s: float = SLOW_SUBSCRIBER_S,
) -> dict[str, Any]:
    """Send every change after `since` (None: from now on); return `{cursor, stopped}` when
    the daemon stops (the answer after the frames)."""
    cursor = changes.cursor if since is None else since
    while not stopping():
        seen = changes.cursor
        batch = await read(cursor, BATCH)
        if batch:
            # One send for the whole batch: a frame each, in one write to the socket.
            with trio.move_on_after(slow_after_s) as scope:
                await send(batch)
            if scope.cancelled_caught:
                logs.get().warning(
                    "watch cut off: the subscriber did not read for %g s (at cursor %d)",
                    slow_after_s,
                    cursor,
                )
                raise CutOff(f"slow subscriber cut off at cursor {cursor}")
            cursor = batch[-1]["cursor"]
        if len(batch) == BATCH:
            continue  # more are there already
        while changes.cursor <= max(seen, cursor) and not stopping():
            await changes.wait_next()
    return {"cursor": cursor, "stopped": True}
