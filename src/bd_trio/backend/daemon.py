"""Daemon mode: the CLI sends each operation to the daemon over its socket.

The daemon owns the database and the JSONL file: this backend never writes either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bd_trio.client.connection import BlockingConnection


class DaemonBackend:
    def __init__(self, client: BlockingConnection) -> None:
        self.client = client
        self.notices: list[str] = []

    def call(
        self,
        op: str,
        args: dict[str, Any],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        return self.client.call(op, args, on_progress=on_progress)

    def close(self) -> None:
        self.client.close()
