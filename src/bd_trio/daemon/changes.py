"""Where the writer publishes what it committed: the newest cursor of the feed
(store/feed.py), and a wake-up for everyone waiting for a change.

The writer task calls `publish(cursor)` after each COMMIT (on the event loop). Waiters
(`ready --wait`, `events` with `wait_ms`, `watch` streams, hooks) await `wait_past(cursor)` and
then read what they need from the database themselves, from their own cursor. The writer
therefore never holds a subscriber's data and never waits for one: a slow subscriber falls
behind in the database, not in the writer's memory.
"""

from __future__ import annotations

import trio


class Changes:
    def __init__(self, cursor: int = 0) -> None:
        self.cursor = cursor  # the newest committed change
        self.published = 0  # how many commits published a new cursor (stats, tests)
        self.waiting = 0  # tasks waiting for the next commit right now (health: `waiting`)
        self._changed = trio.Event()

    def publish(self, cursor: int) -> None:
        """The writer committed changes up to `cursor`: wake every waiter (event loop)."""
        if cursor <= self.cursor:
            return
        self.cursor = cursor
        self.published += 1
        changed, self._changed = self._changed, trio.Event()
        changed.set()

    def wake(self) -> None:
        """Wake waiters without a new cursor (shutdown: they look again and finish)."""
        changed, self._changed = self._changed, trio.Event()
        changed.set()

    async def wait_past(self, cursor: int) -> int:
        """Return the newest cursor once it is past `cursor` (at once if it already is).
        Cancel it with a scope for a deadline."""
        while self.cursor <= cursor:
            await self.wait_next()
        return self.cursor

    async def wait_next(self, *, counted: bool = True) -> None:
        """The next publish (or wake), whatever the cursor. `counted`: a request or stream
        (health's `waiting`), not one of the daemon's own tasks."""
        self.waiting += counted
        try:
            await self._changed.wait()
        finally:
            self.waiting -= counted
