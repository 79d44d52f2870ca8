"""`--readonly`: a backend that refuses every operation that would write, before sending it.

Whether an operation writes is the operation table's own fact (`OpSpec.writes`); `sync`
(git and the database) always does. Nothing reaches the database or the daemon.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bd_trio.errors import BdError

if TYPE_CHECKING:
    from bd_trio.backend.base import Backend


def writes(op: str) -> bool:
    if op == "sync":
        return True
    # Imported here: only --readonly pays for loading the operation's module.
    from bd_trio.ops.registry import get_op

    return get_op(op).writes


class ReadOnlyBackend:
    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.notices = inner.notices  # the same list: the inner backend appends to it

    def call(
        self,
        op: str,
        args: dict[str, Any],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        if writes(op):
            raise BdError(
                "validation",  # a local refusal: never crosses the wire
                f"read-only mode: operation {op!r} would change the database, and --readonly "
                "refuses every write; nothing was changed (run without --readonly to write)",
                op=op,
            )
        return self.inner.call(op, args, on_progress)

    def close(self) -> None:
        self.inner.close()
