"""`bd sync` in the daemon: the same engine as direct mode (sync/gitsync.py) runs in a worker
thread; its database steps are jobs of the writer, and it holds the sync lock, which the
exporter also takes, so no export writes issues.jsonl while git works on it."""

from __future__ import annotations

from typing import Any

import trio

from bd_trio.daemon.jobs import Group, Job
from bd_trio.daemon.writer import Writer
from bd_trio.errors import BdError
from bd_trio.sync import syncdb
from bd_trio.sync.failures import sync_failure
from bd_trio.sync.gitsync import SyncEngine, SyncRequest

STEP_TIMEOUT_S = 600.0


class WriterSyncDatabase:
    """SyncDatabase whose steps run in the writer's database thread (called from a worker
    thread, which waits for each)."""

    def __init__(self, writer: Writer, actor: str) -> None:
        self.writer = writer
        self.actor = actor

    def _run(self, step: Any) -> Any:
        def job() -> Any:
            # writes=False: a sync exports right after each of its own steps, so they schedule
            # no export; counted as writes they would wake the auto-sync again and again.
            return self.writer.call(
                Job(run=step, deadline=trio.current_time() + STEP_TIMEOUT_S, writes=False)
            )

        return trio.from_thread.run(job)

    def import_file(self, only: set[str] | None = None) -> dict[str, Any]:
        ws = self.writer.workspace
        result: dict[str, Any] = self._run(
            lambda conn, group: syncdb.import_file(conn, ws, group.config, self.actor, only)
        )
        return result

    def export_file(self) -> None:
        ws = self.writer.workspace
        self._run(lambda conn, group: syncdb.export_file(conn, ws, group.config, self.actor))

    def local_ids(self) -> dict[str, str]:
        result: dict[str, str] = self._run(lambda conn, group: syncdb.local_ids(conn))
        return result

    def renumber(self, renames: dict[str, str]) -> None:
        self._run(lambda conn, group: syncdb.renumber_all(conn, renames, self.actor))


async def run_sync(
    writer: Writer, request: SyncRequest, actor: str, sync_lock: trio.Lock
) -> dict[str, Any]:
    workspace = writer.workspace
    engine = SyncEngine(workspace.root, workspace.beads_dir, WriterSyncDatabase(writer, actor))
    async with sync_lock:
        try:
            summary = await trio.to_thread.run_sync(engine.run_request, request)
        except BdError:
            raise
        except Exception as exc:  # a sync's failure is its answer, never the daemon's end
            raise sync_failure(exc, workspace.root) from exc
    return summary.to_dict()


__all__ = ["Group", "WriterSyncDatabase", "run_sync"]
