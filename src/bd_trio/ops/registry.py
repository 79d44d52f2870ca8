"""The operation table: name -> (parse arguments, run on a transaction, writes?).

Both the daemon's writer and direct mode call `run_parsed` on a connection inside a
transaction; there is no other code path per operation.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bd_trio.errors import BdError
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext

Parser = Callable[[Args], Any]
Runner = Callable[[sqlite3.Connection, Any, OpContext], Any]


@dataclass(frozen=True, slots=True)
class OpSpec:
    name: str
    parse: Parser
    run: Runner
    writes: bool
    aliases: tuple[tuple[str, str], ...] = ()

    def parse_args(self, raw: object) -> Any:
        args = Args(self.name, raw, dict(self.aliases))
        parsed = self.parse(args)
        args.done()
        return parsed


OPS: dict[str, OpSpec] = {}


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
    if not isinstance(name, str) or name not in OPS:
        raise BdError(
            "bad_request",
            f"unknown operation {name!r}; known operations: {', '.join(sorted(OPS))}",
            op=str(name),
        )
    return OPS[name]


def no_args(args: Args) -> None:
    return None
