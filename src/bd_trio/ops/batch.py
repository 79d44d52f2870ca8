"""`batch`: several operations in order, each in its own SAVEPOINT, stopping at the first
failure. `atomic: true` undoes the whole batch when any operation fails.

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


def parse_batch(a: Args) -> BatchRequest:
    raw_items = a.raw("operations")
    atomic = a.flag("atomic", False)
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
    return BatchRequest(items, atomic)


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
    value: Any = results[int(head)]["data"]
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


def run_items(
    conn: sqlite3.Connection, request: BatchRequest, ctx: OpContext
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for index, item in enumerate(request.items):
        try:
            spec = get_op(item.op)
            parsed = spec.parse_args(resolve_refs(item.args, results, index))
            with savepoint(conn):
                data = materialized(spec.run(conn, parsed, ctx))
        except BdError as exc:
            results.append({"op": item.op, "ok": False, "error": exc.to_dict()})
            break
        results.append({"op": item.op, "ok": True, "data": data})
    return results


@operation("batch", parse=parse_batch, writes=True)
def batch(conn: sqlite3.Connection, request: BatchRequest, ctx: OpContext) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    with savepoint(conn):
        results = run_items(conn, request, ctx)
        rolled_back = request.atomic and bool(results) and not results[-1]["ok"]
        if rolled_back:
            raise Undo
    return {
        "results": results,
        "ok": all(r["ok"] for r in results),
        "atomic": request.atomic,
        "rolled_back": rolled_back,
    }
