"""watch: the handler (declared in cli/table.py).

Both modes run the same loop: `events` after the last cursor printed, with `wait_ms`, so
each request returns as soon as something was committed (the daemon wakes it with the
commit; direct mode watches the database file). Nothing is printed twice and nothing is
skipped, because every request starts from the cursor of the last change printed.
"""

from __future__ import annotations

import json
import sys
import time

from bd_trio.cli import globals as g
from bd_trio.cli.output import err, fail, out
from bd_trio.cli.session import backend
from bd_trio.errors import BdError

BATCH = 1000
WAIT_MS = 3_600_000  # one request waits up to an hour, then the loop asks again
RECONNECT_S = 0.5  # after the daemon went away: then the backend is opened again


def watch(since: int | None = None, once: bool = False) -> None:
    """Print each change as it is committed (one JSON object a line with --json)."""
    cursor = since
    while True:  # a daemon that stops or restarts: open the backend again, go on from cursor
        with backend() as be:
            try:
                if cursor is None:
                    cursor = int(be.call("cursor", {})["cursor"])
                while True:
                    args = {"since": cursor, "limit": BATCH, "wait_ms": WAIT_MS}
                    changes = be.call("events", args)
                    for change in changes:
                        _print(change)
                        cursor = int(change["cursor"])
                    sys.stdout.flush()
                    if once and changes and len(changes) < BATCH:
                        return
            except BdError as exc:
                if exc.code != "unavailable":
                    fail(exc)
                err(f"bd: {exc.message}; going on after cursor {cursor}")
        time.sleep(RECONNECT_S)


def _print(change: dict[str, object]) -> None:
    if g.current.json:
        out(json.dumps(change, ensure_ascii=False, separators=(",", ":")))
        return
    from bd_trio.cli import render  # human output only

    out(render.change_line(change))
