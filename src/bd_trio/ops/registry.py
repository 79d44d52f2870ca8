"""The operation table: name -> (parse arguments, run on a transaction, writes?).

Both the daemon's writer and direct mode call `run_parsed` on a connection inside a
transaction; there is no other code path per operation.
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


class OpSpec:
    """One operation: its name, argument parser, runner, whether it writes, argument aliases.
    (A plain class: a NamedTuple class costs every direct-mode call ~1 ms to create.)"""

    __slots__ = ("aliases", "name", "parse", "run", "writes")

    def __init__(
        self,
        name: str,
        parse: Parser,
        run: Runner,
        writes: bool,
        aliases: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.name = name
        self.parse = parse
        self.run = run
        self.writes = writes
        self.aliases = aliases

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
    "events": "issues",
    "list": "queries",
    "ready": "queries",
    "blocked": "queries",
    "stats": "queries",
    "dep_add": "deps",
    "dep_remove": "deps",
    "dep_tree": "deps",
    "dep_cycles": "deps",
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
    name: str, *, parse: Parser, writes: bool, aliases: dict[str, str] | None = None
) -> Callable[[Runner], Runner]:
    def register(run: Runner) -> Runner:
        if name in OPS:
            raise RuntimeError(f"operation {name!r} registered twice")
        OPS[name] = OpSpec(name, parse, run, writes, tuple((aliases or {}).items()))
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
