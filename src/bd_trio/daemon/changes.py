"""Where the writer publishes what it committed: the newest cursor of the feed
(store/feed.py), and a wake-up for everyone waiting for a change.

The writer task calls `publish(cursor)` after each COMMIT (on the event loop). Waiters
(`ready --wait`, `events` with `wait_ms`, `watch` streams, hooks) await `wait_past(cursor)` and
then read what they need from the database themselves, from their own cursor. The writer
therefore never holds a subscriber's data and never waits for one: a slow subscriber falls
behind in the database, not in the writer's memory.

Claim waiters (`ready --claim --wait`) stand in lines instead, one line per kind of request
(the same filters): a commit wakes the first of each line only. If it claims an issue, that
claim is itself a commit and wakes the next. If it finds nothing, the others would find
nothing either, unless ready work is assigned to one of them (only its assignee may claim
it): then the waiter passes its turn on (`pass_on`) to the next one that has not looked
since the last commit. A create thus costs two claim attempts (the winner's and one that
finds nothing), not one per waiter.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

import trio


class _Turn:
    """A waiter's place in a line: woken by `event`; `looked_at`: the cursor it last ran at."""

    __slots__ = ("event", "looked_at")

    def __init__(self, looked_at: int) -> None:
        self.event = trio.Event()
        self.looked_at = looked_at


class Changes:
    def __init__(self, cursor: int = 0) -> None:
        self.cursor = cursor  # the newest committed change
        self.published = 0  # how many commits published a new cursor (stats, tests)
        self.waiting = 0  # tasks waiting for the next commit right now (health: `waiting`)
        self._changed = trio.Event()
        self._lines: dict[Hashable, deque[_Turn]] = {}

    def publish(self, cursor: int) -> None:
        """The writer committed changes up to `cursor`: wake every waiter and the first of
        each line (event loop)."""
        if cursor <= self.cursor:
            return
        self.cursor = cursor
        self.published += 1
        changed, self._changed = self._changed, trio.Event()
        changed.set()
        for line in self._lines.values():
            if line:
                line.popleft().event.set()

    def wake(self) -> None:
        """Wake every waiter without a new cursor (shutdown: they look again and finish)."""
        changed, self._changed = self._changed, trio.Event()
        changed.set()
        for line in self._lines.values():
            while line:
                line.popleft().event.set()

    def pass_on(self, key: Hashable) -> None:
        """Wake the first of the line that has not looked since the last commit."""
        line = self._lines.get(key)
        if not line:
            return
        for turn in line:
            if turn.looked_at < self.cursor:
                line.remove(turn)
                turn.event.set()
                return

    async def wait_in_line(self, key: Hashable, *, front: bool, looked_at: int) -> None:
        """Wait for a commit as one of a line of waiters (`front`: one who was woken and found
        nothing keeps its place at the head; `looked_at`: the cursor its last run saw)."""
        line = self._lines.setdefault(key, deque())
        turn = _Turn(looked_at)
        if front:
            line.appendleft(turn)
        else:
            line.append(turn)
        self.waiting += 1
        try:
            await turn.event.wait()
        except BaseException:
            if not turn.event.is_set():  # gave up (its deadline): leave the line
                line.remove(turn)
            elif line:  # woken as it gave up: the wake goes to the next one
                line.popleft().event.set()
            raise
        finally:
            self.waiting -= 1
            if not line and self._lines.get(key) is line:
                del self._lines[key]

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
