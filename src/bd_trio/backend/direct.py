"""Direct mode: the CLI process opens the database itself and runs operations in-process.

Each call is one transaction (`BEGIN IMMEDIATE` for writes), after expiring the claims whose
lease has passed. Before the first call the JSONL
file is imported if it changed under us; on close the dirty issues are exported, so every
changing command leaves `.beads/issues.jsonl` up to date when it exits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bd_trio.model import clock
from bd_trio.ops import OpContext, OpSpec, get_op
from bd_trio.ops.rows import materialized
from bd_trio.store import Store, claims, feed
from bd_trio.store.connection import DEFAULT_BUSY_TIMEOUT_S
from bd_trio.sync import watch
from bd_trio.workspace import Config, Workspace

if TYPE_CHECKING:
    from bd_trio.sync.refusal import Refusal
    from bd_trio.sync.summary import ImportSummary


def describe_import(summary: ImportSummary, source: str) -> list[str]:
    lines = [f"{source}: {summary.created} created, {summary.updated} updated from issues.jsonl"]
    for collision in summary.collisions:
        lines.append(
            f"  id collision: incoming {collision['old_id']} ({collision['title']!r}) "
            f"was renamed to {collision['new_id']}"
        )
    lines.extend(f"  warning: {w}" for w in summary.warnings)
    return lines


class DirectBackend:
    def __init__(
        self,
        workspace: Workspace,
        *,
        actor: str,
        auto_import: bool = True,
        auto_flush: bool = True,
        synchronous: str = "FULL",
        config: Config | None = None,
        busy_timeout_s: float | None = None,
        read_only: bool = False,
    ) -> None:
        self.workspace = workspace
        self.actor = actor
        self.auto_import = auto_import
        self.auto_flush = auto_flush
        self.config = config or workspace.load_config()
        self.store = Store(
            workspace.db_path,
            synchronous=synchronous,
            busy_timeout_s=DEFAULT_BUSY_TIMEOUT_S if busy_timeout_s is None else busy_timeout_s,
        )
        # --readonly: not even the housekeeping writes (claim expiry, JSONL import/export).
        self.read_only = read_only
        self.notices: list[str] = []
        self._refusal: Refusal | None = None  # issues.jsonl could not be imported
        self._wrote = False
        self._import_checked = not auto_import
        from bd_trio.sync.gitsetup import ensure_merge_driver

        ensure_merge_driver(workspace.root, workspace.beads_dir)  # a read when already there

    def _context(self) -> OpContext:
        return OpContext(
            actor=self.actor,
            prefix=self.config.prefix,
            id_mode=self.config.id_mode,
            claim_lease_s=self.config.claim_lease_s,
        )

    def _import_if_changed(self) -> None:
        if self._import_checked:
            return
        self._import_checked = True
        path = self.workspace.jsonl_path
        if not watch.file_changed(self.store.conn, path):
            return
        # Imported here: importing is needed after a pull, not on every command.
        from bd_trio.sync import files, refusal
        from bd_trio.sync.refusal import Refusal
        from bd_trio.sync.summary import ImportOptions

        with self.store.read() as conn:  # the same refused file: no write lock for a read
            self._refusal = refusal.current(conn, path)
        if self._refusal is not None:
            return
        ctx = self._context()
        opts = ImportOptions(actor=ctx.actor, prefix=ctx.prefix, id_mode=ctx.id_mode, now=ctx.now)
        with self.store.transaction() as conn:
            summary = files.import_changed(conn, path, opts)
        if isinstance(summary, Refusal):  # reads go on from the database; writes refuse
            self._refusal = summary
            return
        if summary is not None and (summary.created or summary.updated or summary.collisions):
            self._wrote = True
            self.notices.extend(describe_import(summary, "auto-import"))

    def call(
        self,
        op: str,
        args: dict[str, Any],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        spec = get_op(op)
        own, wait_s = spec.split_wait(args)
        parsed = spec.parse_args(own)  # a bad request never touches the database
        if op == "sync":  # git and the database: the same engine as the daemon's
            return self._sync(parsed)
        if wait_s is None:
            return self._run(spec, parsed, on_progress)
        from bd_trio.backend import filewatch

        return filewatch.until_not_empty(
            lambda: self._run(spec, parsed, on_progress),
            self.workspace.db_path,
            wait_s,
            self._next_due_s,
        )

    def _next_due_s(self) -> float | None:
        """Seconds until the next claim's lease passes (None: none will)."""
        with self.store.read() as conn:
            due = claims.next_expiry(conn)
        if due is None:
            return None
        return (clock.parse_ts(due) - clock.parse_ts(clock.now())).total_seconds()

    def _run(
        self, spec: OpSpec, parsed: Any, on_progress: Callable[[int, int], None] | None
    ) -> Any:
        self._import_if_changed()
        if self._refusal is not None:
            if spec.writes:
                raise self._refusal.error
            if self._refusal.warning not in self.notices:
                self.notices.append(self._refusal.warning)
        ctx = self._context()
        ctx.progress = on_progress
        if not self.read_only:
            self._expire_claims(ctx.now)
        if spec.writes:
            with self.store.transaction() as conn:
                before = feed.last_cursor(conn)
                result = spec.run(conn, parsed, ctx)
                after = feed.last_cursor(conn)
            self._wrote = True
            self._hooks(before, after)
            return result
        with self.store.read() as conn:  # Rows are read inside the transaction
            return materialized(spec.run(conn, parsed, ctx))

    def _sync(self, request: Any) -> dict[str, Any]:
        from bd_trio.sync.gitsync import SyncEngine
        from bd_trio.sync.syncdb import StoreSyncDatabase

        database = StoreSyncDatabase(self.store, self.workspace, self.config, self.actor)
        engine = SyncEngine(self.workspace.root, self.workspace.beads_dir, database)
        summary = engine.run_request(request)
        self._import_checked = True
        return summary.to_dict()

    def _expire_claims(self, now: str) -> None:
        """No daemon sweeps claims here, so every command expires the due ones first (an index
        probe when none is due): direct mode and the daemon show the same claims."""
        with self.store.read() as conn:
            due = claims.any_due(conn, now)
        if due:
            with self.store.transaction() as conn:
                before = feed.last_cursor(conn)
                expired = claims.expire_due(conn, now)
                after = feed.last_cursor(conn)
            if expired:
                self._wrote = True
                self._hooks(before, after)

    def _hooks(self, before: int, after: int) -> None:
        """Run the hooks of this command's own changes (cursors in (before, after]), after
        their COMMIT (bd_trio/hookconfig.py)."""
        if after > before:
            from bd_trio.backend import direct_hooks

            direct_hooks.run(self.store, self.workspace.root, before, after, self.notices)

    def flush(self) -> None:
        """Export the dirty issues, after importing the file if it changed meanwhile (another
        process, a pull): nothing writes issues.jsonl without having read it first."""
        from bd_trio.sync import syncdb

        with self.store.transaction() as conn:
            syncdb.export_file(conn, self.workspace, self.config, self.actor)

    def close(self) -> None:
        try:
            # Not over a file bd refused: the changes (expired claims) are exported once the file
            # is fixed and imported.
            if self._wrote and self.auto_flush and self._refusal is None:
                self.flush()
            if self._wrote:
                self.store.checkpoint()
        finally:
            self.store.close()
