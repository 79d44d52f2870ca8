"""The feed of changes: every committed change has a cursor.

The cursor is the audit trail's `events.id`. It is an AUTOINCREMENT key, so it only grows and
is never handed out twice (SQLite keeps the last one in `sqlite_sequence`, in the database
file: it survives restarts). Every write takes SQLite's one write lock (the daemon's writer,
or `BEGIN IMMEDIATE` in direct mode), so cursors are assigned in commit order: a reader that
asks for `id > cursor` after a commit sees every change of that commit and of every earlier
one. Resuming from the last cursor seen therefore misses nothing and repeats nothing.

Retention: events are kept for the database's life (nothing deletes them; deleting an issue
keeps its events and adds a `deleted` one), so `since 0` replays every change ever made here.
A database rebuilt from issues.jsonl (a fresh clone) starts its own feed with the import.
"""

from __future__ import annotations

import sqlite3
from typing import Any

# The audit trail's names where the feed speaks of a change differently.
FEED_NAMES = {"label_added": "labeled", "label_removed": "unlabeled"}


def last_cursor(conn: sqlite3.Connection) -> int:
    """The cursor of the newest change (0 when nothing ever changed)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    return int(row[0]) if row is not None else 0


def changes_since(conn: sqlite3.Connection, since: int, limit: int) -> list[dict[str, Any]]:
    """The changes after `since`, oldest first, at most `limit` (0: all)."""
    sql = (
        "SELECT id, issue_id, event_type, actor, old_value, new_value, comment, created_at "
        "FROM events WHERE id > ? ORDER BY id"
    )
    params: tuple[int, ...] = (since,)
    if limit:
        sql += " LIMIT ?"
        params = (since, limit)
    return [change(row) for row in conn.execute(sql, params)]


def change(row: tuple[Any, ...]) -> dict[str, Any]:
    cursor, issue_id, event_type, actor, old, new, comment, at = row
    out: dict[str, Any] = {
        "cursor": cursor,
        "id": issue_id,
        "event": FEED_NAMES.get(event_type, event_type),
        "actor": actor,
        "at": at,
    }
    if event_type == "updated" and comment:  # an update records which field in `comment`
        out["field"] = comment
        out["old"], out["new"] = old, new
        return out
    if old is not None:
        out["old"] = old
    if new is not None:
        out["new"] = new
    if comment is not None:
        out["comment"] = comment
    return out
