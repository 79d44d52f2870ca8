"""bd's newline-delimited JSON RPC, kept for old tools (docs/PROTOCOL.md "Compatibility").

A connection whose first byte is `{` speaks it: one JSON object per line,
`{"operation", "args", "actor"?, "cwd"?}` -> `{"success", "data"?, "error"?}`. Operations map
onto the same operation table; argument names already match it (dep_add's from_id / to_id /
dep_type are aliases there).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bd_trio.errors import BdError
from bd_trio.protocol.limits import MAX_FRAME

# bd's RPC operation names. They are the table's names (ops/registry.py); any other operation
# of the table is reached by its own name too.
OPERATIONS = {
    "ping": "ping",
    "health": "health",
    "create": "create",
    "update": "update",
    "close": "close",
    "reopen": "reopen",
    "list": "list",
    "show": "show",
    "ready": "ready",
    "blocked": "blocked",
    "stats": "stats",
    "dep_add": "dep_add",
    "dep_remove": "dep_remove",
    "dep_tree": "dep_tree",
    "label_add": "label_add",
    "label_remove": "label_remove",
    "comment_add": "comment_add",
    "batch": "batch",
    "claim": "claim",
    "ready_claim": "ready_claim",
    "heartbeat": "heartbeat",
    "unclaim": "unclaim",
    "stale": "stale",
}


@dataclass(frozen=True, slots=True)
class RpcRequest:
    op: str
    args: dict[str, Any]
    actor: str | None


class LineDecoder:
    """Splits a byte stream into lines; a line longer than the limit is fatal."""

    def __init__(self, max_line: int = MAX_FRAME) -> None:
        self.max_line = max_line
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        lines = []
        while (end := self._buffer.find(b"\n")) >= 0:
            lines.append(bytes(self._buffer[:end]))
            del self._buffer[: end + 1]
        if len(self._buffer) > self.max_line:
            raise BdError("too_large", f"request line longer than {self.max_line} bytes")
        return lines

    def tail(self) -> bytes:
        """What is left at end of stream (a last request without a newline)."""
        rest = bytes(self._buffer)
        self._buffer.clear()
        return rest


def parse_line(line: bytes) -> RpcRequest:
    try:
        value = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BdError("bad_request", f"request is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BdError("bad_request", "request must be a JSON object")
    operation = value.get("operation")
    if not isinstance(operation, str) or not operation:
        raise BdError("bad_request", "request needs 'operation': the name of an operation")
    args = value.get("args") or {}
    if not isinstance(args, dict):
        raise BdError("bad_request", "args must be a JSON object")
    if operation == "batch":
        args = _batch_args(args)
    actor = value.get("actor")
    # bd's names, then every other operation of the table by its own name (an unknown one is
    # refused by the table, with the list of known operations).
    name = OPERATIONS.get(operation, operation)
    return RpcRequest(name, args, actor if isinstance(actor, str) else None)


def _batch_args(args: dict[str, Any]) -> dict[str, Any]:
    operations = args.get("operations")
    if not isinstance(operations, list):
        raise BdError("bad_request", "batch needs 'operations': [{operation, args}]")
    converted = []
    for item in operations:
        if not isinstance(item, dict):
            raise BdError("bad_request", "each batch operation must be an object")
        name = item.get("operation", item.get("op"))
        op = OPERATIONS.get(name, name) if isinstance(name, str) else name
        converted.append({"op": op, "args": item.get("args") or {}})
    out = dict(args)
    out["operations"] = converted
    return out


def success_line(data: Any) -> bytes:
    return _dump({"success": True, "data": data})


def error_line(error: BdError) -> bytes:
    return _dump({"success": False, "error": error.message})


def _dump(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
