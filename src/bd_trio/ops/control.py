"""The rows of the operation table that are about the daemon or the workspace rather than
the issues: ping, health, shutdown (answered on the daemon's loop), flush and sync (the
daemon runs them through its writer and its git lock; direct mode through its own store).

Their runners here are what a store transaction can do for them: nothing for the loop
operations (only a running daemon can answer them), so they say so. Direct mode serves flush
and sync itself (backend/direct.py: `DIRECT_SERVED`).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bd_trio.errors import BdError
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import LOOP, WRITER, no_args, operation


def _daemon_only(name: str) -> Any:
    def run(conn: sqlite3.Connection, parsed: Any, ctx: OpContext) -> Any:
        raise BdError(
            "unavailable",
            f"{name} is answered by a running daemon only (bd daemon start), not in direct mode",
        )

    return run


def _parse_sync(a: Args) -> Any:
    from bd_trio.sync.gitsync import parse_sync  # git's machinery: only when syncing

    return parse_sync(a.everything())


for _name in ("ping", "health", "shutdown"):
    operation(_name, parse=no_args, route=LOOP)(_daemon_only(_name))
operation("flush", parse=no_args, route=WRITER)(_daemon_only("flush"))
operation("sync", parse=_parse_sync, route=WRITER)(_daemon_only("sync"))
