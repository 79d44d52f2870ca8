"""The JSONL record of an issue: the issue fields plus `labels`, `dependencies` (records where
the issue is `issue_id`) and `comments`, in Go bd's key order (sync/recordmap.py); and of a
tombstone.

`issue_record` is the one serializer: the export (`build_records`, from the database), import's
change detection (`IncomingIssue.to_record`, from a parsed line) and the three-way merge all
produce records through it, so equal issues are equal records everywhere.

`build_lines` turns records into the file's lines: an issue or tombstone whose record is the
one it had when its line was last read (same digest of the canonical record) is written as
that line, byte for byte; any other is rendered in Go bd's form (recordmap.render_line). Lines
that are not issues (`other_records`) follow the issues."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from bd_trio.model.issue import Issue
from bd_trio.store import tombstones
from bd_trio.store.issues import ISSUE_COLUMNS, DepRecord, issues_from_rows
from bd_trio.sync import recordmap

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
        # with the dependencies kept whose target is not here (merge._replace_dependencies)
        "SELECT * FROM (SELECT issue_id, depends_on_id, type, created_at, created_by, extra "
        "FROM dependencies UNION ALL SELECT issue_id, depends_on_id, type, created_at, "
        "created_by, extra FROM dangling_deps)",
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
    return recordmap.go_record(issue, dependencies, comments)


def canonical_text(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def record_digest(record: dict[str, Any]) -> str:
    """What says "this record is the one that line was read as"."""
    return hashlib.blake2b(canonical_text(record).encode("utf-8"), digest_size=16).hexdigest()


def remember_lines(conn: sqlite3.Connection, lines: Iterable[tuple[str, str, str]]) -> None:
    """Keep (id, line, digest of the line's canonical record) for lines just read."""
    conn.executemany("INSERT OR REPLACE INTO raw_lines (id, line, digest) VALUES (?, ?, ?)", lines)


def remember_others(conn: sqlite3.Connection, lines: Iterable[tuple[str, str]]) -> None:
    """Keep records that are not issues (key, line); a newer line of the same key replaces
    the older one, none is ever dropped."""
    conn.executemany("INSERT OR REPLACE INTO other_records (key, line) VALUES (?, ?)", lines)


def _raw_for(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT id, line, digest FROM raw_lines WHERE id IN ({marks})", tuple(chunk)
        ):
            out[row[0]] = (row[1], row[2])
    return out


def line_of(record: dict[str, Any], raw: tuple[str, str] | None) -> str:
    if raw is not None and raw[1] == record_digest(record):
        return raw[0]
    return recordmap.render_line(record, raw[0] if raw is not None else None)


def build_lines(
    conn: sqlite3.Connection, ids: Sequence[str] | None = None, status: str | None = None
) -> list[tuple[str, str]]:
    """(key, line) of the given ids (everything when None: issues, tombstones and the other
    records after them), sorted by key."""
    records = build_records(conn, ids, status)
    if ids is None and conn.execute("SELECT 1 FROM raw_lines LIMIT 1").fetchone() is None:
        raws: dict[str, tuple[str, str]] = {}
    else:
        raws = _raw_for(conn, [str(r["id"]) for r in records])
    out = [(str(r["id"]), line_of(r, raws.get(str(r["id"])))) for r in records]
    if ids is None and status is None:
        out.extend(
            (row[0], row[1])
            for row in conn.execute("SELECT key, line FROM other_records ORDER BY key")
        )
    return out


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
