"""Row-level reads and writes of issues, labels, comments, events and dirty marks.

Functions take an open connection and never commit: the caller owns the transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from bd_trio.errors import not_found
from bd_trio.model.issue import COLUMN_NAMES, Issue
from bd_trio.store.claim_rows import claims_for, get_claim

# The SELECT list Issue.from_row reads, by position: the declared columns, in order.
ISSUE_COLUMNS = ", ".join(COLUMN_NAMES)
_INSERT_ISSUE = f"INSERT INTO issues ({ISSUE_COLUMNS}) VALUES ({','.join('?' * len(COLUMN_NAMES))})"

# SQLite's default limit on bound parameters is 32766; stay well below it per statement.
_CHUNK = 900


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def labels_for(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT issue_id, label FROM labels WHERE issue_id IN ({marks}) "
            "ORDER BY issue_id, label",
            tuple(chunk),
        ):
            out.setdefault(row[0], []).append(row[1])
    return out


def issues_from_rows(
    conn: sqlite3.Connection, rows: Sequence[sqlite3.Row], *, with_claims: bool = True
) -> list[Issue]:
    """Issues in row order, with their labels (and claims) loaded in one query per chunk."""
    ids = [row["id"] for row in rows]
    labels = labels_for(conn, ids)
    if not with_claims:
        return [Issue.from_row(row, labels.get(row["id"])) for row in rows]
    claims = claims_for(conn, ids)
    out = []
    for row in rows:
        claim = claims.get(row["id"])
        out.append(Issue.from_row(row, labels.get(row["id"]), claim.to_dict() if claim else None))
    return out


def get_issue(conn: sqlite3.Connection, issue_id: str) -> Issue | None:
    row = conn.execute(f"SELECT {ISSUE_COLUMNS} FROM issues WHERE id = ?", (issue_id,)).fetchone()
    if row is None:
        return None
    labels = [
        r[0]
        for r in conn.execute(
            "SELECT label FROM labels WHERE issue_id = ? ORDER BY label", (issue_id,)
        )
    ]
    claim = get_claim(conn, issue_id)
    return Issue.from_row(row, labels, claim.to_dict() if claim else None)


def require_issue(conn: sqlite3.Connection, issue_id: str) -> Issue:
    issue = get_issue(conn, issue_id)
    if issue is None:
        raise not_found(issue_id)
    return issue


def issue_exists(conn: sqlite3.Connection, issue_id: str) -> bool:
    return conn.execute("SELECT 1 FROM issues WHERE id = ?", (issue_id,)).fetchone() is not None


def get_issues(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Issue]:
    rows: list[sqlite3.Row] = []
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        rows.extend(
            conn.execute(f"SELECT {ISSUE_COLUMNS} FROM issues WHERE id IN ({marks})", tuple(chunk))
        )
    return {issue.id: issue for issue in issues_from_rows(conn, rows)}


def insert_issue(conn: sqlite3.Connection, issue: Issue) -> None:
    conn.execute(_INSERT_ISSUE, issue.column_values())
    for label in issue.labels:
        conn.execute(
            "INSERT OR IGNORE INTO labels (issue_id, label) VALUES (?, ?)", (issue.id, label)
        )


def insert_issues(conn: sqlite3.Connection, issues: Sequence[Issue]) -> None:
    """Many new issues at once (an import): one statement per table."""
    conn.executemany(_INSERT_ISSUE, [issue.column_values() for issue in issues])
    conn.executemany(
        "INSERT OR IGNORE INTO labels (issue_id, label) VALUES (?, ?)",
        [(issue.id, label) for issue in issues for label in issue.labels],
    )


# Fewer new issues than this: the full-text index is kept in step row by row, as always.
BULK_TEXT_INDEX_MIN = 1000
# The page cache while a big import inserts (KiB): the indexes' B-trees stay in memory (about
# a fifth faster at 40,000 issues, measured side by side); the usual size comes back after.
BULK_CACHE_KIB = 65536


@contextmanager
def text_index_in_bulk(conn: sqlite3.Connection, count: int) -> Iterator[None]:
    """Around the insertion of `count` new issues: above BULK_TEXT_INDEX_MIN, the full-text
    index's insert trigger is set aside and the new rows are indexed in one statement after
    (several times faster for a big import); the trigger is put back as it was (its own SQL,
    read from the schema), inside the caller's transaction."""
    trigger = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'issues_fts_insert'"
    ).fetchone()
    if count < BULK_TEXT_INDEX_MIN or trigger is None:
        yield
        return
    columns = ", ".join(row[1] for row in conn.execute("PRAGMA table_info(issues_fts)"))
    last = conn.execute("SELECT coalesce(max(rowid), 0) FROM issues").fetchone()[0]
    conn.execute("DROP TRIGGER issues_fts_insert")
    try:
        yield
        conn.execute(
            f"INSERT INTO issues_fts (rowid, {columns}) "
            f"SELECT rowid, {columns} FROM issues WHERE rowid > ?",
            (last,),
        )
    finally:
        conn.execute(trigger[0])


@contextmanager
def bulk_cache(conn: sqlite3.Connection, count: int) -> Iterator[None]:
    """A bigger page cache while `count` (above BULK_TEXT_INDEX_MIN) records are written."""
    if count < BULK_TEXT_INDEX_MIN:
        yield
        return
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


def update_columns(conn: sqlite3.Connection, issue_id: str, changes: dict[str, Any]) -> None:
    """Set the given columns. Column names come from code (model.issue.UPDATABLE), never input."""
    if not changes:
        return
    assignments = ", ".join(f"{column} = ?" for column in changes)
    conn.execute(f"UPDATE issues SET {assignments} WHERE id = ?", (*changes.values(), issue_id))


def add_event(
    conn: sqlite3.Connection,
    issue_id: str,
    event_type: str,
    actor: str,
    at: str,
    *,
    old: str | None = None,
    new: str | None = None,
    comment: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO events (issue_id, event_type, actor, old_value, new_value, comment, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (issue_id, event_type, actor, old, new, comment, at),
    )


def add_events(
    conn: sqlite3.Connection, events: Iterable[tuple[str, str, str, str, str | None, str | None]]
) -> None:
    """Many events at once: (issue_id, event_type, actor, created_at, new_value, comment)."""
    conn.executemany(
        "INSERT INTO events (issue_id, event_type, actor, created_at, new_value, comment) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        events,
    )


def events_of(conn: sqlite3.Connection, issue_id: str) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in conn.execute(
            "SELECT id, issue_id, event_type, actor, old_value, new_value, comment, created_at "
            "FROM events WHERE issue_id = ? ORDER BY id",
            (issue_id,),
        )
    ]


def mark_dirty(conn: sqlite3.Connection, issue_ids: Iterable[str], at: str) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO dirty_issues (issue_id, marked_at) VALUES (?, ?)",
        [(issue_id, at) for issue_id in issue_ids],
    )


def touch(conn: sqlite3.Connection, issue_id: str, at: str) -> None:
    conn.execute("UPDATE issues SET updated_at = ? WHERE id = ?", (at, issue_id))


# --- labels -----------------------------------------------------------------------------------


def add_label(conn: sqlite3.Connection, issue_id: str, label: str) -> bool:
    cursor = conn.execute(
        "INSERT OR IGNORE INTO labels (issue_id, label) VALUES (?, ?)", (issue_id, label)
    )
    return cursor.rowcount > 0


def remove_label(conn: sqlite3.Connection, issue_id: str, label: str) -> bool:
    cursor = conn.execute("DELETE FROM labels WHERE issue_id = ? AND label = ?", (issue_id, label))
    return cursor.rowcount > 0


def label_counts(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        {"label": row[0], "count": row[1]}
        for row in conn.execute("SELECT label, COUNT(*) FROM labels GROUP BY label ORDER BY label")
    ]


# --- comments ---------------------------------------------------------------------------------


def add_comment(
    conn: sqlite3.Connection, issue_id: str, author: str, text: str, at: str
) -> dict[str, Any]:
    cursor = conn.execute(
        "INSERT INTO comments (issue_id, author, text, created_at) VALUES (?, ?, ?, ?)",
        (issue_id, author, text, at),
    )
    return {
        "id": str(cursor.lastrowid),  # a string, as newer clients expect (0.12 ones coerce it)
        "issue_id": issue_id,
        "author": author,
        "text": text,
        "created_at": at,
    }


def comments_of(conn: sqlite3.Connection, issue_id: str) -> list[dict[str, Any]]:
    return [
        {**dict(row), "id": str(row["id"])}
        for row in conn.execute(
            "SELECT id, issue_id, author, text, created_at FROM comments "
            "WHERE issue_id = ? ORDER BY created_at, id",
            (issue_id,),
        )
    ]


# --- dependencies -----------------------------------------------------------------------------


class DepRecord(NamedTuple):
    issue_id: str
    depends_on_id: str
    type: str
    created_at: str
    created_by: str
    # The record's other keys as read (upstream's metadata, thread_id...): a compact JSON
    # object, '' when none; written back after the declared keys.
    extra: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "issue_id": self.issue_id,
            "depends_on_id": self.depends_on_id,
            "type": self.type,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }
        if self.extra:
            for key, value in json.loads(self.extra).items():
                out.setdefault(key, value)
        return out


def get_dep(conn: sqlite3.Connection, issue_id: str, depends_on_id: str) -> DepRecord | None:
    row = conn.execute(
        "SELECT issue_id, depends_on_id, type, created_at, created_by FROM dependencies "
        "WHERE issue_id = ? AND depends_on_id = ?",
        (issue_id, depends_on_id),
    ).fetchone()
    return DepRecord(*row) if row else None


def insert_dep(conn: sqlite3.Connection, dep: DepRecord) -> None:
    conn.execute(
        "INSERT INTO dependencies (issue_id, depends_on_id, type, created_at, created_by, extra) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        tuple(dep),
    )


def delete_dep(conn: sqlite3.Connection, issue_id: str, depends_on_id: str) -> bool:
    cursor = conn.execute(
        "DELETE FROM dependencies WHERE issue_id = ? AND depends_on_id = ?",
        (issue_id, depends_on_id),
    )
    return cursor.rowcount > 0


def deps_of(conn: sqlite3.Connection, issue_id: str) -> list[DepRecord]:
    """What `issue_id` depends on."""
    return [
        DepRecord(*row)
        for row in conn.execute(
            "SELECT issue_id, depends_on_id, type, created_at, created_by FROM dependencies "
            "WHERE issue_id = ? ORDER BY depends_on_id",
            (issue_id,),
        )
    ]


def dependents_of(conn: sqlite3.Connection, issue_id: str) -> list[DepRecord]:
    """What depends on `issue_id`."""
    return [
        DepRecord(*row)
        for row in conn.execute(
            "SELECT issue_id, depends_on_id, type, created_at, created_by FROM dependencies "
            "WHERE depends_on_id = ? ORDER BY issue_id",
            (issue_id,),
        )
    ]


# --- listing ----------------------------------------------------------------------------------


# Conditions shared by list, ready and blocked; each names the issue row `i`.

# The descendants of an issue through parent-child (children, grandchildren...).
DESCENDANTS = """
    i.id IN (
        WITH RECURSIVE below(id) AS (
            SELECT d.issue_id FROM dependencies d
            WHERE d.depends_on_id = ? AND d.type = 'parent-child'
            UNION
            SELECT d.issue_id FROM dependencies d JOIN below ON d.depends_on_id = below.id
            WHERE d.type = 'parent-child'
        )
        SELECT id FROM below
    )
"""


def add_label_filters(
    where: list[str], params: list[Any], labels_all: Sequence[str], labels_any: Sequence[str]
) -> None:
    """Every label of `labels_all`, and at least one of `labels_any` when given."""
    for label in labels_all:
        where.append("EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label = ?)")
        params.append(label)
    if labels_any:
        marks = ",".join("?" * len(labels_any))
        where.append(
            f"EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label IN ({marks}))"
        )
        params.extend(labels_any)


class ListFilter(NamedTuple):
    status: str | None = None
    priority: int | None = None
    assignee: str | None = None
    issue_type: str | None = None
    labels_all: Sequence[str] = ()
    labels_any: Sequence[str] = ()
    title_contains: str | None = None
    ids: Sequence[str] = ()
    limit: int = 0
    statuses: Sequence[str] = ()  # any of these (`--status open,in_progress`)
    no_assignee: bool = False
    parent: str | None = None  # descendants of this issue (parent-child)


def list_issues(conn: sqlite3.Connection, flt: ListFilter) -> list[Issue]:
    """Issues matching every given filter, priority first then newest first."""
    where: list[str] = []
    params: list[Any] = []
    if flt.status is not None:
        where.append("status = ?")
        params.append(flt.status)
    if flt.statuses:
        where.append(f"status IN ({','.join('?' * len(flt.statuses))})")
        params.extend(flt.statuses)
    if flt.no_assignee:
        where.append("assignee = ''")
    if flt.parent is not None:
        where.append(DESCENDANTS)
        params.append(flt.parent)
    if flt.priority is not None:
        where.append("priority = ?")
        params.append(flt.priority)
    if flt.assignee is not None:
        where.append("assignee = ?")
        params.append(flt.assignee)
    if flt.issue_type is not None:
        where.append("issue_type = ?")
        params.append(flt.issue_type)
    add_label_filters(where, params, flt.labels_all, flt.labels_any)
    if flt.title_contains:
        where.append("instr(lower(title), lower(?)) > 0")
        params.append(flt.title_contains)
    if flt.ids:
        marks = ",".join("?" * len(flt.ids))
        where.append(f"id IN ({marks})")
        params.extend(flt.ids)
    sql = f"SELECT {ISSUE_COLUMNS} FROM issues i"  # `i`: as the shared filters name it
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY priority, created_at DESC, id"
    if flt.limit > 0:
        sql += " LIMIT ?"
        params.append(flt.limit)
    return issues_from_rows(conn, conn.execute(sql, params).fetchall())
