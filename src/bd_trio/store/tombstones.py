"""Tombstones: what is left of a deleted issue (id, title, when, by whom).

Only a tombstone deletes an issue on another clone: an issue absent from a file is never taken
for deleted. A tombstone wins over a concurrent edit (the edit of a deleted issue is dropped at
the merge), and a tombstoned id is never handed out again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, NamedTuple

_CHUNK = 900


class Tombstone(NamedTuple):
    id: str
    title: str
    deleted_at: str
    deleted_by: str

    def to_record(self) -> dict[str, Any]:
        """Its JSONL line (keys in a fixed order, the id first)."""
        return {
            "id": self.id,
            "tombstone": True,
            "title": self.title,
            "deleted_at": self.deleted_at,
            "deleted_by": self.deleted_by,
        }


def add(conn: sqlite3.Connection, tombstone: Tombstone) -> None:
    """Record a deletion; an older tombstone of the same id is kept (the first one counts)."""
    conn.execute(
        "INSERT INTO tombstones (id, title, deleted_at, deleted_by) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(id) DO NOTHING",
        tuple(tombstone),
    )


def exists(conn: sqlite3.Connection, issue_id: str) -> bool:
    return conn.execute("SELECT 1 FROM tombstones WHERE id = ?", (issue_id,)).fetchone() is not None


def get(conn: sqlite3.Connection, issue_id: str) -> Tombstone | None:
    row = conn.execute(
        "SELECT id, title, deleted_at, deleted_by FROM tombstones WHERE id = ?", (issue_id,)
    ).fetchone()
    return Tombstone(*row) if row else None


def of(conn: sqlite3.Connection, ids: Sequence[str] | None) -> list[Tombstone]:
    """The tombstones of these ids (all of them when None), sorted by id."""
    sql = "SELECT id, title, deleted_at, deleted_by FROM tombstones"
    if ids is None:
        return [Tombstone(*row) for row in conn.execute(sql + " ORDER BY id")]
    out: list[Tombstone] = []
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        out.extend(
            Tombstone(*row)
            for row in conn.execute(f"{sql} WHERE id IN ({marks}) ORDER BY id", tuple(chunk))
        )
    return out


def delete_issue(
    conn: sqlite3.Connection,
    issue_id: str,
    actor: str,
    now: str,
    *,
    deleted_at: str | None = None,
) -> list[str]:
    """Delete an issue and leave its tombstone (dated `deleted_at`, default now: an imported
    tombstone keeps its own date); its dependencies go with it. Returns the ids of the issues
    that depended on it (their records changed: they are touched and re-exported)."""
    from bd_trio.store import issues as rows

    row = conn.execute("SELECT title FROM issues WHERE id = ?", (issue_id,)).fetchone()
    title = row[0] if row else ""
    dependents = [
        r[0]
        for r in conn.execute(
            "SELECT issue_id FROM dependencies WHERE depends_on_id = ? ORDER BY issue_id",
            (issue_id,),
        )
    ]
    conn.execute("DELETE FROM issues WHERE id = ?", (issue_id,))  # cascades: deps, labels...
    add(conn, Tombstone(issue_id, title, deleted_at or now, actor))
    for dependent in dependents:
        rows.touch(conn, dependent, now)
    rows.add_event(conn, issue_id, "deleted", actor, now, old=title)
    rows.mark_dirty(conn, [issue_id, *dependents], now)
    return dependents
