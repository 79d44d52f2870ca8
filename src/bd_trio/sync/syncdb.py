"""The database side of `bd sync` (sync/gitsync.py's SyncDatabase), written once as functions
of a write connection; direct mode runs them in its own transactions (`StoreSyncDatabase`), the
daemon as jobs of its writer (daemon/syncing.py)."""

from __future__ import annotations

import sqlite3
from typing import Any

from bd_trio.model import clock
from bd_trio.store import Store
from bd_trio.store.renumber import renumber
from bd_trio.sync import files, watch
from bd_trio.sync.summary import ImportOptions
from bd_trio.workspace import Config, Workspace


def import_file(
    conn: sqlite3.Connection,
    workspace: Workspace,
    config: Config,
    actor: str,
    only: set[str] | None = None,
) -> dict[str, Any]:
    opts = ImportOptions(actor=actor, prefix=config.prefix, id_mode=config.id_mode, now=clock.now())
    summary = files.auto_import(conn, workspace.jsonl_path, opts, only)
    if summary is None:
        return {}
    result = summary.to_dict()
    if summary.renumbered:
        result["renumbered"] = summary.renumbered
    return result


def export_file(conn: sqlite3.Connection, workspace: Workspace, config: Config, actor: str) -> None:
    """Import first if the file changed (never export over unread changes), then export."""
    if watch.file_changed(conn, workspace.jsonl_path):
        import_file(conn, workspace, config, actor)
    files.flush(conn, workspace.jsonl_path)


def local_ids(conn: sqlite3.Connection) -> dict[str, str]:
    return {row[0]: row[1] for row in conn.execute("SELECT id, created_at FROM issues")}


def renumber_all(conn: sqlite3.Connection, renames: dict[str, str], actor: str) -> None:
    now = clock.now()
    for old, new in renames.items():
        renumber(conn, old, new, actor, now)


class StoreSyncDatabase:
    """Direct mode: each step in its own `BEGIN IMMEDIATE` transaction."""

    def __init__(self, store: Store, workspace: Workspace, config: Config, actor: str) -> None:
        self.store = store
        self.workspace = workspace
        self.config = config
        self.actor = actor

    def import_file(self, only: set[str] | None = None) -> dict[str, Any]:
        with self.store.transaction() as conn:
            return import_file(conn, self.workspace, self.config, self.actor, only)

    def export_file(self) -> None:
        with self.store.transaction() as conn:
            export_file(conn, self.workspace, self.config, self.actor)

    def local_ids(self) -> dict[str, str]:
        with self.store.read() as conn:
            return local_ids(conn)

    def renumber(self, renames: dict[str, str]) -> None:
        with self.store.transaction() as conn:
            renumber_all(conn, renames, self.actor)
