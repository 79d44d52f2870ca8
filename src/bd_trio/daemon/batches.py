"""A non-atomic batch in the daemon: a chunk of its operations per group commit.

Between two chunks the batch goes back to the end of the writer's queue, so the single
requests of other agents are served while a 5,000-operation batch runs, instead of waiting for
all of it. The batch's meaning stays: in order, stopping at the first failure (unless
`continue_on_error`), results up to it, each operation applied once, `$ref` across chunks (the
results so far stay with the batch). The stepping itself is `ops.batch.BatchRun`, the code
direct mode runs in one go. An atomic batch is one transaction and is not chunked.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bd_trio.daemon.jobs import Group
from bd_trio.ops.batch import BatchRequest, BatchRun

CHUNK = 128  # operations per group commit (progress frames come at least this often)


class ChunkedBatch:
    def __init__(self, request: BatchRequest, actor: str, chunk: int = CHUNK) -> None:
        self.run = BatchRun(request)
        self.actor = actor
        self.chunk = chunk

    def mark(self) -> Any:
        return self.run.mark()

    def restore(self, mark: Any) -> None:
        self.run.restore(mark)

    def step(self, conn: sqlite3.Connection, group: Group) -> bool:
        return self.run.step(conn, group.context(self.actor), self.chunk)

    def result(self) -> dict[str, Any]:
        return self.run.outcome()

    def progress(self) -> tuple[int, int]:
        return self.run.done, self.run.total
