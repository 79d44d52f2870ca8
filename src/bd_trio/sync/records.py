"""The JSONL record of an issue: the issue fields plus `labels`, `dependencies` (records where
the issue is `issue_id`) and `comments`, in fixed key order; and of a tombstone.

`issue_record` is the one serializer: the export (`build_records`, from the database), import's
change detection (`IncomingIssue.to_record`, from a parsed line) and the three-way merge all
produce records through it, so equal issues are equal bytes everywhere."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from bd_trio.model.issue import Issue
from bd_trio.store import tombstones
from bd_trio.store.issues import ISSUE_COLUMNS, DepRecord, issues_from_rows

_CHUNK = 900


def build_records(
    conn: sqlite3.Connection, ids: Sequence[str] | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Records for the given ids (all issues when None), sorted by id."""
    if ids is None:
        sql = f"SELECT {ISSUE_COLUMNS} FROM issues"
        params: tuple[Any, ...] = ()
        if status is not None:
            sql += " WHERE status = ?"
            params = (status,)
        rows = conn.execute(sql + " ORDER BY id", params).fetchall()
    else:
        rows = []
        ordered = sorted(set(ids))
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows.extend(
                conn.execute(
                    f"SELECT {ISSUE_COLUMNS} FROM issues WHERE id IN ({marks}) ORDER BY id",
                    tuple(chunk),
                )
            )
    issues = issues_from_rows(conn, rows, with_claims=False)
    wanted = [issue.id for issue in issues]
    deps = _grouped(
        conn,
        "SELECT issue_id, depends_on_id, type, created_at, created_by FROM dependencies",
        "issue_id",
        wanted,
        "issue_id, depends_on_id",
        ids is None and status is None,
    )
    comments = _grouped(
        conn,
        "SELECT issue_id, author, text, created_at FROM comments",
        "issue_id",
        wanted,
        "issue_id, created_at, id",
        ids is None and status is None,
    )
    records = [
        issue_record(
            issue,
            [DepRecord(*d) for d in deps.get(issue.id, [])],
            comments.get(issue.id, []),
        )
        for issue in issues
    ]
    if status is None:  # a deleted issue is exported as its tombstone
        records.extend(t.to_record() for t in tombstones.of(conn, ids))
        records.sort(key=lambda r: str(r["id"]))
    return records


def issue_record(
    issue: Issue, dependencies: Sequence[DepRecord], comments: Sequence[Any]
) -> dict[str, Any]:
    """THE serializer of an issue's JSONL record (comments: maps with author, text,
    created_at; database rows or parsed dicts)."""
    record = issue.to_dict()
    record["dependencies"] = [d.to_dict() for d in dependencies]
    record["comments"] = [
        {"author": c["author"], "text": c["text"], "created_at": c["created_at"]} for c in comments
    ]
    return record


def _grouped(
    conn: sqlite3.Connection,
    select: str,
    key: str,
    ids: Sequence[str],
    order: str,
    everything: bool,
) -> dict[str, list[sqlite3.Row]]:
    out: dict[str, list[sqlite3.Row]] = {}
    if everything:
        batches: list[Sequence[str] | None] = [None]
    else:
        batches = [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
    for chunk in batches:
        if chunk is None:
            cursor = conn.execute(f"{select} ORDER BY {order}")
        else:
            marks = ",".join("?" * len(chunk))
            cursor = conn.execute(
                f"{select} WHERE {key} IN ({marks}) ORDER BY {order}", tuple(chunk)
            )
        for row in cursor:
            out.setdefault(row[key], []).append(row)
    return out
