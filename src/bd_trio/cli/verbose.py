"""`--verbose/-v`: debug lines on stderr saying which backend serves the command, and each
operation with its time. Stdout is unchanged, so `-v --json` stays parseable."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bd_trio.backend.base import Backend


def describe(be: object) -> str:
    workspace = getattr(be, "workspace", None)
    if workspace is not None:
        return f"direct mode on {workspace.db_path}"
    client = getattr(be, "client", None)
    socket_path = getattr(client, "socket_path", None)
    return f"the daemon at {socket_path}" if socket_path else type(be).__name__


def debug(text: str) -> None:
    from bd_trio.cli.output import err  # inert, like every message (paths come from data)

    err(f"bd: debug: {text}")


class VerboseBackend:
    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.notices = inner.notices  # the same list: the inner backend appends to it
        debug(f"served by {describe(inner)}")

    def call(
        self,
        op: str,
        args: dict[str, Any],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        started = time.perf_counter()
        try:
            return self.inner.call(op, args, on_progress)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            debug(f"{op} {sorted(args)} took {elapsed_ms:.1f} ms")

    def close(self) -> None:
        self.inner.close()
