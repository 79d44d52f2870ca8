"""The operation table: name -> (parse arguments, run on a transaction, route).

Every operation the daemon, direct mode, the JSON-lines RPC and the typed clients know is a row
here, with its route: where the daemon runs it.

    loop       answered by the daemon's event loop from memory (ping, health, shutdown)
    reader     a read: a read-only connection in a worker thread (daemon/reads.py)
    writer     a write: a job for the writer task, run in its group transaction
    streaming  frames until the client goes away (watch)

Both the daemon's writer and direct mode call `spec.run` on a connection inside a
transaction; there is no other code path per operation. Operations that only a daemon can
answer (loop, streaming, flush and sync, which need the daemon's tasks) have a row too, so
every listing, the docs and the clients see one table; their `run` is the direct-mode
equivalent, or says that only a daemon answers them.

`waits`: the operation also takes `wait_ms`, and then answers as soon as its result is not
empty, or with the empty result once `wait_ms` passed (ready, ready_claim, events). The wait is
not the operation's: the daemon wakes it with the commit that made a change, direct mode
watches the database file (backend/direct.py).
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable
from typing import Any

from bd_trio.errors import BdError
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext

Parser = Callable[[Args], Any]
Runner = Callable[[sqlite3.Connection, Any, OpContext], Any]


# The routes (plain strings: an enum class costs the CLI's start-up more than it gives here).
LOOP = "loop"
READER = "reader"
WRITER = "writer"
STREAMING = "streaming"
ROUTES = (LOOP, READER, WRITER, STREAMING)

# The argument a waiting operation takes besides its own (milliseconds, at most a day).
WAIT_ARG = "wait_ms"
MAX_WAIT_MS = 24 * 3600 * 1000


class OpSpec:
    """One operation: its name, argument parser, runner, route, whether it can wait, argument
    aliases. (A plain class: a NamedTuple class costs every direct-mode call ~1 ms to create.)"""

    __slots__ = ("aliases", "name", "parse", "route", "run", "waits", "writes")

    def __init__(
        self,
        name: str,
        parse: Parser,
        run: Runner,
        route: str,
        aliases: tuple[tuple[str, str], ...] = (),
        waits: bool = False,
    ) -> None:
        if route not in ROUTES:
            raise RuntimeError(f"operation {name!r}: unknown route {route!r}")
        self.name = name
        self.parse = parse
        self.run = run
        self.route = route
        self.writes = route == WRITER  # derived: a write is what the writer runs
        self.aliases = aliases
        self.waits = waits

    def split_wait(self, raw: object) -> tuple[object, float | None]:
        """The operation's own arguments, and the wait in seconds (None: answer at once)."""
        if not self.waits or not isinstance(raw, dict) or WAIT_ARG not in raw:
            return raw, None
        own = dict(raw)
        wait_ms = own.pop(WAIT_ARG)
        if wait_ms is None:
            return own, None
        if isinstance(wait_ms, bool) or not isinstance(wait_ms, int):
            raise BdError(
                "bad_request",
                f"{self.name}: argument {WAIT_ARG!r} must be an integer (milliseconds)",
                field=WAIT_ARG,
            )
        if not 0 <= wait_ms <= MAX_WAIT_MS:
            raise BdError(
                "validation",
                f"{self.name}: {WAIT_ARG} must be between 0 and {MAX_WAIT_MS} (a day)",
                field=WAIT_ARG,
            )
        return own, wait_ms / 1000

    def parse_args(self, raw: object) -> Any:
        args = Args(self.name, raw, dict(self.aliases))
        parsed = self.parse(args)
        args.done()
        return parsed


OPS: dict[str, OpSpec] = {}

# Which module of bd_trio.ops defines each operation. A CLI call is a short process, so an
# operation's module is imported when the operation is first used, not all of them up front.
# tests/test_ops.py checks that this map and the registrations agree.
OP_MODULES: dict[str, str] = {
    "create": "issues",
    "show": "issues",
    "update": "issues",
    "close": "issues",
    "reopen": "issues",
    "events": "feed",
    "watch": "feed",
    "cursor": "feed",
    "ping": "control",
    "health": "control",
    "shutdown": "control",
    "flush": "control",
    "sync": "control",
    "list": "queries",
    "ready": "queries",
    "blocked": "queries",
    "stats": "queries",
    "dep_add": "deps",
    "dep_remove": "deps",
    "dep_tree": "deps",
    "dep_cycles": "deps",
    "dep_relate": "deps",
    "dep_unrelate": "deps",
    "label_add": "labels",
    "label_remove": "labels",
    "label_list": "labels",
    "label_list_all": "labels",
    "comments": "comments",
    "comment_add": "comments",
    "export": "transfer",
    "export_lines": "transfer",
    "import": "transfer",
    "batch": "batch",
    "claim": "claims",
    "ready_claim": "claims",
    "heartbeat": "claims",
    "unclaim": "claims",
    "stale": "claims",
    "delete": "delete",
    "note_add": "comments",
    "info": "admin",
    "migrate_inspect": "admin",
    "repair_deps": "admin",
    "doctor": "admin",
    "search": "queries",
    "epic_status": "epics",
    "epic_close_eligible": "epics",
    "parent_links": "epics",
}


def operation(
    name: str,
    *,
    parse: Parser,
    writes: bool | None = None,
    route: str | None = None,
    aliases: dict[str, str] | None = None,
    waits: bool = False,
) -> Callable[[Runner], Runner]:
    """Register an operation; `writes=True/False` is short for route writer/reader."""
    if route is None:
        route = WRITER if writes else READER
    elif writes is not None:
        raise RuntimeError(f"operation {name!r}: give writes or route, not both")

    def register(run: Runner) -> Runner:
        if name in OPS:
            raise RuntimeError(f"operation {name!r} registered twice")
        OPS[name] = OpSpec(name, parse, run, route, tuple((aliases or {}).items()), waits)
        return run

    return register


def get_op(name: object) -> OpSpec:
    if not isinstance(name, str) or name not in OP_MODULES:
        raise BdError(
            "bad_request",
            f"unknown operation {name!r}; known operations: {', '.join(sorted(OP_MODULES))}",
            op=str(name),
        )
    if name not in OPS:
        importlib.import_module(f"bd_trio.ops.{OP_MODULES[name]}")
    return OPS[name]


def load_all() -> dict[str, OpSpec]:
    """Import every operation module (for listings and tests)."""
    for module in sorted(set(OP_MODULES.values())):
        importlib.import_module(f"bd_trio.ops.{module}")
    return OPS


def no_args(args: Args) -> None:
    return None
