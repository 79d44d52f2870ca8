"""Direct mode's wait for a change (`ready --wait`, `events` with `wait_ms`): no daemon
publishes commits here, so the command watches the database files themselves.

Every commit by any process (a direct-mode command, a daemon) writes the WAL file (or, in
rollback mode, the database file): its size, modification time or inode changes. The watcher
stats both files, first after 5 ms, then backing off by doubling to at most MAX_DELAY_S. It
never opens the database while nothing changed.

The cost, stated: at most 1 / MAX_DELAY_S = 10 rounds a second of two `stat` calls (a few
microseconds each) while nothing happens, and a change is seen within MAX_DELAY_S (sooner
right after the previous one). A claim whose lease passes changes no file; the waiter also
wakes when the next lease is due (the command's own run then expires it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FIRST_DELAY_S = 0.005
MAX_DELAY_S = 0.1

Signature = tuple[tuple[int, int, int] | None, ...]


def signature(paths: tuple[Path, ...]) -> Signature:
    out: list[tuple[int, int, int] | None] = []
    for path in paths:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            out.append(None)
            continue
        out.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


def until_not_empty(
    run: Callable[[], Any],
    db_path: Path,
    wait_s: float,
    next_due_s: Callable[[], float | None],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Any:
    """Run; while the answer is empty and `wait_s` has not passed, wait for the database to
    change (or the next claim to fall due) and run again."""
    paths = (db_path, db_path.with_name(db_path.name + "-wal"))
    until = clock() + wait_s
    while True:
        seen = signature(paths)  # before the run: a commit during it is not missed
        result = run()
        if result or clock() >= until:
            return result
        due = next_due_s()
        wake_at = until if due is None else min(until, clock() + max(due, 0.0))
        delay = FIRST_DELAY_S
        while clock() < wake_at and signature(paths) == seen:
            sleep(max(0.0, min(delay, wake_at - clock())))
            delay = min(delay * 2, MAX_DELAY_S)
