"""Waiting operations through the daemon (`ready --wait`, `ready --claim --wait`, `events`
with `wait_ms`): run the operation; if its answer is empty, sleep until the writer publishes
a commit (daemon/changes.py), then run it again; answer the empty result when the wait ends.

Nobody polls: between two commits a waiter costs nothing but its task. The cursor is noted
before each run, so a commit that lands while the operation runs wakes the waiter at once
instead of being missed. A claim whose lease passes is expired by the sweeper through the
writer, so that too is a commit that wakes waiters. Claim waiters wait in lines (one per
actor and filters), so a commit wakes one of them per line, not all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import trio

from bd_trio.daemon.changes import Changes
from bd_trio.errors import BdError


async def until_not_empty(
    run: Callable[[], Awaitable[tuple[Any, bool]]],
    changes: Changes,
    wait_s: float,
    stopping: Callable[[], bool],
    line: Hashable | None = None,
    others_may: Callable[[], Awaitable[bool]] | None = None,
) -> Any:
    """`line`: the waiter consumes what it finds (a claim) and waits in that line
    (daemon/changes.py); `others_may()`: is there work someone else in the line may take (then
    a waiter that found nothing passes its turn on). None: every commit wakes it."""
    until = trio.current_time() + wait_s
    woken = False
    while True:
        seen = changes.cursor
        result, found = await run()
        if found or trio.current_time() >= until:
            return result
        if stopping():  # nothing found, and the wait is cut short: say so, do not answer []
            raise BdError(
                "unavailable",
                "the daemon is stopping before the wait ended (nothing was claimed); ask again",
            )
        if line is None:
            with trio.move_on_at(until):
                while changes.cursor <= seen and not stopping():
                    await changes.wait_next()
            continue
        if woken and others_may is not None and await others_may():
            changes.pass_on(line)
        # No await between this look and taking a place in the line: a commit in between
        # would wake nobody.
        if changes.cursor > seen:  # committed since it ran: look again at once
            continue
        with trio.move_on_at(until):
            await changes.wait_in_line(line, front=woken, looked_at=seen)
            woken = True
