"""`batch`: several operations in order, each in its own SAVEPOINT, stopping at the first
failure. `atomic: true` undoes the whole batch when any operation fails; `continue_on_error:
true` runs every operation and reports each failure in its place.

`BatchRun` steps through a batch: direct mode (and an atomic batch anywhere) runs all of it in
one transaction; the daemon runs a non-atomic batch a chunk per group commit, so other agents'
requests are served between the chunks (daemon/writer.py). The same code decides the results
either way.

A later operation refers to the result of an earlier one with a one-key map
`{"$ref": "N.path"}` (N is the 0-based index in the batch, path a dotted key path into its
data), e.g. `{"$ref": "0.id"}` for the id that operation 0 created. No operation takes a map
with a `$ref` key as a value, so the form is unambiguous.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from bd_trio.errors import BdError
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import get_op, operation
from bd_trio.ops.rows import materialized
from bd_trio.store.connection import Undo, savepoint

MAX_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class BatchItem:
    op: str
    args: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BatchRequest:
    items: list[BatchItem]
    atomic: bool
    continue_on_error: bool = False


def parse_batch(a: Args) -> BatchRequest:
    raw_items = a.raw("operations")
    atomic = a.flag("atomic", False)
    continue_on_error = a.flag("continue_on_error", False)
    if atomic and continue_on_error:
        raise BdError(
            "validation",
            "batch: atomic and continue_on_error do not go together: an atomic batch is undone "
            "at its first failure; choose one",
            field="continue_on_error",
        )
    if not isinstance(raw_items, list):
        raise BdError("bad_request", "batch: 'operations' must be a list of {op, args} maps")
    if len(raw_items) > MAX_BATCH:
        raise BdError("too_large", f"batch: at most {MAX_BATCH} operations, got {len(raw_items)}")
    items = []
    for index, raw in enumerate(raw_items):
        if not isinstance(raw, dict):
            raise BdError("bad_request", f"batch: operation {index} must be a map")
        name = raw.get("op", raw.get("operation"))
        unknown = set(raw) - {"op", "operation", "args"}
        if unknown:
            raise BdError(
                "bad_request",
                f"batch: operation {index} has unknown keys {', '.join(sorted(unknown))} "
                "(use op and args)",
            )
        if name == "batch":
            raise BdError("bad_request", f"batch: operation {index} cannot itself be a batch")
        get_op(name)
        args = raw.get("args") or {}
        if not isinstance(args, dict):
            raise BdError("bad_request", f"batch: operation {index} args must be a map")
        items.append(BatchItem(str(name), args))
    return BatchRequest(items, atomic, continue_on_error)


def resolve_refs(value: Any, results: list[dict[str, Any]], index: int) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$ref"}:
            return _lookup(value["$ref"], results, index)
        return {k: resolve_refs(v, results, index) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_refs(v, results, index) for v in value]
    return value


def _lookup(ref: object, results: list[dict[str, Any]], index: int) -> Any:
    if not isinstance(ref, str):
        raise BdError("bad_request", f"batch: operation {index}: $ref must be a string like '0.id'")
    head, _, path = ref.partition(".")
    if not head.isdigit() or int(head) >= index:
        raise BdError(
            "bad_request",
            f"batch: operation {index}: $ref {ref!r} must name an earlier operation "
            f"(0-{index - 1})",
        )
    target = results[int(head)]
    if not target["ok"]:
        raise BdError(
            "validation",
            f"batch: operation {index}: $ref {ref!r} refers to operation {head}, which failed "
            f"({target['error']['code']}: {target['error']['message']})",
            field="$ref",
        )
    value: Any = target["data"]
    for key in path.split(".") if path else []:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            raise BdError(
                "bad_request", f"batch: operation {index}: $ref {ref!r}: no {key!r} in that result"
            )
    return value


class BatchRun:
    """A batch being run: where it is, and the results so far. `step` runs the next
    operations inside the caller's transaction; `mark`/`restore` let a caller that rolls a
    transaction back run the same step again."""

    def __init__(self, request: BatchRequest) -> None:
        self.request = request
        self.results: list[dict[str, Any]] = []
        self.stopped = False  # stopped at a failure (not with continue_on_error)

    @property
    def total(self) -> int:
        return len(self.request.items)

    @property
    def done(self) -> int:
        return len(self.results)

    @property
    def finished(self) -> bool:
        return self.stopped or self.done >= self.total

    def mark(self) -> tuple[int, bool]:
        return self.done, self.stopped

    def restore(self, mark: tuple[int, bool]) -> None:
        del self.results[mark[0] :]
        self.stopped = mark[1]

    def step(self, conn: sqlite3.Connection, ctx: OpContext, limit: int | None = None) -> bool:
        """Run up to `limit` more operations (all when None); True when the batch is done."""
        end = self.total if limit is None else min(self.total, self.done + limit)
        while not self.finished and self.done < end:
            index = self.done
            item = self.request.items[index]
            try:
                spec = get_op(item.op)
                parsed = spec.parse_args(resolve_refs(item.args, self.results, index))
                with savepoint(conn):
                    data = materialized(spec.run(conn, parsed, ctx))
            except BdError as exc:
                self.results.append({"op": item.op, "ok": False, "error": exc.to_dict()})
                self.stopped = not self.request.continue_on_error
                continue
            self.results.append({"op": item.op, "ok": True, "data": data})
            if ctx.progress is not None and (self.done % PROGRESS_EVERY == 0):
                ctx.progress(self.done, self.total)
        return self.finished

    def outcome(self, rolled_back: bool = False) -> dict[str, Any]:
        return {
            "results": self.results,
            "ok": all(r["ok"] for r in self.results),
            "atomic": self.request.atomic,
            "rolled_back": rolled_back,
        }


PROGRESS_EVERY = 256  # operations between progress reports inside one transaction


@operation("batch", parse=parse_batch, writes=True)
def batch(conn: sqlite3.Connection, request: BatchRequest, ctx: OpContext) -> dict[str, Any]:
    """The whole batch in the caller's transaction (atomic: undone at the first failure)."""
    run = BatchRun(request)
    rolled_back = False
    with savepoint(conn):
        run.step(conn, ctx)
        rolled_back = request.atomic and bool(run.results) and not run.results[-1]["ok"]
        if rolled_back:
            raise Undo
    return run.outcome(rolled_back)
