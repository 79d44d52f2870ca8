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


async def until_not_empty(
    run: Callable[[], Awaitable[tuple[Any, bool]]],
    changes: Changes,
    wait_s: float,
    stopping: Callable[[], bool],
    line: Hashable | None = None,
) -> Any:
    """`line`: the waiter consumes what it finds (a claim) and waits in that line of
    interchangeable waiters (daemon/changes.py); None: every commit wakes it."""
    until = trio.current_time() + wait_s
    woken = False
    while True:
        seen = changes.cursor
        result, found = await run()
        if found or trio.current_time() >= until or stopping():
            return result
        if changes.cursor > seen:  # committed while it ran: look again at once
            continue
        with trio.move_on_at(until):
            if line is not None:
                await changes.wait_in_line(line, front=woken)
                woken = True
            else:
                while changes.cursor <= seen and not stopping():
                    await changes.wait_next()
