"""Giving an issue a new id: every row that names it follows (dependencies both ways, labels,
comments, events, claims), inside the caller's transaction. `bd sync` renumbers local issues
that were never pushed when the remote uses their id for another issue."""

from __future__ import annotations

import sqlite3

from bd_trio.errors import BdError
from bd_trio.store import ids
from bd_trio.store import issues as rows

_TABLES = (
    ("dependencies", "issue_id"),
    ("dependencies", "depends_on_id"),
    ("labels", "issue_id"),
    ("comments", "issue_id"),
    ("events", "issue_id"),
    ("claims", "issue_id"),
)


def renumber(conn: sqlite3.Connection, old: str, new: str, actor: str, now: str) -> None:
    if rows.issue_exists(conn, new):
        raise BdError("conflict", f"cannot renumber {old} to {new}: {new} exists", issue_id=new)
    conn.execute("PRAGMA defer_foreign_keys = ON")  # checked at COMMIT, when all rows moved
    dependents = [d.issue_id for d in rows.dependents_of(conn, old)]
    conn.execute("UPDATE issues SET id = ? WHERE id = ?", (new, old))
    for table, column in _TABLES:
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new, old))
    ids.note_explicit_id(conn, new)
    for dependent in dependents:
        rows.touch(conn, dependent, now)
    rows.add_event(conn, new, "renumbered", actor, now, old=old, new=new)
    # The old id leaves the file (it was never pushed); the new one and the dependents change.
    rows.mark_dirty(conn, [old, new, *dependents], now)
