"""Importing parsed JSONL records into the database.

Matching is by id:
- an unknown id is created with that id (the id counter moves past it);
- a known id with the same `created_at` is the same issue changed elsewhere: it is updated when
  the incoming `updated_at` is newer, and kept as it is otherwise;
- a known id with a different `created_at` is a *collision* (the same id created independently
  in two clones): the incoming issue gets a new id, every reference to it in the incoming
  records (dependencies and mentions in its text fields) is rewritten, and the summary lists
  the renames so the user can be told.
- an incoming issue whose id is unknown but whose (`created_at`, `title`) equals a local issue
  is that issue, renamed by an earlier collision on another clone: it updates the local one
  instead of creating a duplicate.

Every check happens before the first write of a record; the caller runs the import in one
transaction, so an error leaves the database as it was.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

from bd_trio.errors import BdError
from bd_trio.model.issue import COLUMN_NAMES, Issue
from bd_trio.store import claims, ids, tombstones
from bd_trio.store import issues as rows
from bd_trio.sync import jsonl
from bd_trio.sync.records import build_records, record_digest, remember_lines, remember_others
from bd_trio.sync.summary import ImportOptions, ImportSummary


def import_records(
    conn: sqlite3.Connection, records: list[jsonl.Incoming], opts: ImportOptions
) -> ImportSummary:
    with rows.bulk_cache(conn, len(records)):
        return _import_records(conn, records, opts)


def _import_records(
    conn: sqlite3.Connection, records: list[jsonl.Incoming], opts: ImportOptions
) -> ImportSummary:
    summary = ImportSummary()
    _remember_read_lines(conn, records)
    # Tombstones first: only a tombstone deletes, and a deletion wins over any edit of the
    # issue (an incoming issue whose id is tombstoned here stays deleted).
    for rec in records:
        if isinstance(rec, jsonl.IncomingTombstone) and _apply_tombstone(conn, rec, opts):
            summary.deleted += 1
    deleted = {row[0] for row in conn.execute("SELECT id FROM tombstones")}
    incoming = [
        rec
        for rec in records
        if isinstance(rec, jsonl.IncomingIssue) and rec.issue.id not in deleted
    ]
    existing = rows.get_issues(conn, [rec.issue.id for rec in incoming])
    unexported = (
        {row[0] for row in conn.execute("SELECT issue_id FROM dirty_issues")}
        if opts.file_wins
        else set()
    )
    local_records = {r["id"]: r for r in build_records(conn, list(existing))} if existing else {}
    identity: dict[tuple[str, str], str] | None = None

    to_create: list[jsonl.IncomingIssue] = []
    to_update: list[jsonl.IncomingIssue] = []
    colliding: list[jsonl.IncomingIssue] = []
    remap: dict[str, str] = {}

    for rec in incoming:
        local = existing.get(rec.issue.id)
        if local is None or local.created_at != rec.issue.created_at:
            # Not the issue stored under this id: maybe the same issue under another id.
            if identity is None:
                identity = {
                    (row[0], row[1]): row[2]
                    for row in conn.execute("SELECT created_at, title, id FROM issues")
                }
            twin = identity.get((rec.issue.created_at, rec.issue.title))
            if twin is not None and twin != rec.issue.id:
                remap[rec.issue.id] = twin
                local = existing[twin] = rows.require_issue(conn, twin)
                local_records[twin] = build_records(conn, [twin])[0]
                rec.issue = rec.issue.replace(id=twin)
            elif local is None:
                to_create.append(rec)
                continue
            else:
                colliding.append(rec)
                continue
        if jsonl.dumps_record(rec.to_record()) == jsonl.dumps_record(local_records[local.id]):
            summary.unchanged += 1
        elif opts.skip_existing:
            summary.skipped += 1
        elif rec.issue.updated_at > local.updated_at or (
            opts.file_wins and local.id not in unexported
        ):
            to_update.append(rec)
        else:
            summary.unchanged += 1  # ours is newer: it wins and is exported as it is

    # Numbers of incoming ids must never be handed out to colliding issues.
    ids.note_explicit_ids(conn, (rec.issue.id for rec in to_create))
    taken = {rec.issue.id for rec in incoming}
    for rec in colliding:
        new_id = _allocate(conn, opts, rec.issue, taken)
        taken.add(new_id)
        remap[rec.issue.id] = new_id
        summary.collisions.append(
            {"old_id": rec.issue.id, "new_id": new_id, "title": rec.issue.title}
        )
    if remap:
        for rec in incoming:
            _rewrite(rec, remap)

    known_targets = {rec.issue.id for rec in (*to_create, *to_update, *colliding)}
    progress = _Progress(opts.progress, len(incoming))
    progress.advance(len(incoming) - len(to_create) - len(colliding) - len(to_update))
    created = [*to_create, *colliding]
    for start in range(0, len(created), _Progress.EVERY):  # in steps, for the progress bar
        step = created[start : start + _Progress.EVERY]
        rows.insert_issues(conn, [rec.issue for rec in step])
        rows.add_events(
            conn,
            (
                (r.issue.id, "created", opts.actor, opts.now, r.issue.title, "imported")
                for r in step
            ),
        )
        for rec in step:
            if rec.comments:
                _add_comments(conn, rec, set())
        summary.created += len(step)
        progress.advance(len(step))
    for rec in to_update:
        _update_issue(conn, rec, opts)
        summary.updated += 1
        progress.advance()
    for rec in created:
        _replace_dependencies(conn, rec, known_targets, opts, summary, new=True)
    for rec in to_update:
        _replace_dependencies(conn, rec, known_targets, opts, summary)

    _link_arrived_targets(conn)
    summary.changed_ids = sorted(rec.issue.id for rec in (*to_create, *colliding, *to_update))
    rows.mark_dirty(conn, summary.changed_ids, opts.now)
    # An issue closed or reassigned on another clone is no longer claimed here.
    claims.reconcile(conn, summary.changed_ids, opts.actor, opts.now)
    progress.finish()
    return summary


def _link_arrived_targets(conn: sqlite3.Connection) -> None:
    """Dependencies kept without their target become real ones once it exists."""
    arrived = "depends_on_id IN (SELECT id FROM issues)"
    conn.execute(
        "INSERT OR IGNORE INTO dependencies (issue_id, depends_on_id, type, created_at, "
        f"created_by, extra) SELECT * FROM dangling_deps WHERE {arrived}"
    )
    conn.execute(f"DELETE FROM dangling_deps WHERE {arrived}")


def _remember_read_lines(conn: sqlite3.Connection, records: list[jsonl.Incoming]) -> None:
    """Each line as it was read, with the digest of its record, before anything renames it:
    while the stored record stays the one the line was read as, the export writes the line
    back byte for byte (records.build_lines). Records that are not issues are kept as lines."""
    remember_lines(
        conn,
        (
            (rec.key, rec.raw, record_digest(rec.to_record()))
            for rec in records
            if not isinstance(rec, jsonl.IncomingOther) and rec.raw is not None
        ),
    )
    remember_others(
        conn, ((rec.key, rec.raw) for rec in records if isinstance(rec, jsonl.IncomingOther))
    )


class _Progress:
    """(done, total) to the import's listener: at least every EVERY records, and at the end."""

    EVERY = 256

    def __init__(self, report: Callable[[int, int], None] | None, total: int) -> None:
        self.report = report
        self.total = total
        self.done = 0
        self._reported = 0

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.report is not None and self.done - self._reported >= self.EVERY:
            self._reported = self.done
            self.report(self.done, self.total)

    def finish(self) -> None:
        if self.report is not None and self._reported != self.total:
            self.report(self.total, self.total)


def _apply_tombstone(
    conn: sqlite3.Connection, rec: jsonl.IncomingTombstone, opts: ImportOptions
) -> bool:
    """Record an incoming tombstone; True when it deleted a local issue."""
    if tombstones.exists(conn, rec.id):
        return False
    ids.note_explicit_id(conn, rec.id)  # never handed out again
    if rows.issue_exists(conn, rec.id):
        tombstones.delete_issue(
            conn,
            rec.id,
            rec.tombstone.deleted_by,
            opts.now,
            deleted_at=rec.tombstone.deleted_at,
        )
        return True
    tombstones.add(conn, rec.tombstone)
    rows.mark_dirty(conn, [rec.id], opts.now)
    return False


def _allocate(conn: sqlite3.Connection, opts: ImportOptions, issue: Issue, taken: set[str]) -> str:
    while True:
        if opts.id_mode == "hash":
            candidate = ids.next_hash_id(conn, opts.prefix, f"{issue.title}\0{issue.created_at}")
        else:
            candidate = ids.next_sequential_id(conn, opts.prefix)
        if candidate not in taken:
            return candidate


def _rewrite(rec: jsonl.IncomingIssue, remap: dict[str, str]) -> None:
    issue = rec.issue
    new_id = remap.get(issue.id, issue.id)
    pattern = re.compile(
        r"(?<![A-Za-z0-9_.-])(" + "|".join(re.escape(old) for old in remap) + r")(?![A-Za-z0-9_-])"
    )

    def swap(text: str) -> str:
        return pattern.sub(lambda m: remap[m.group(1)], text) if text else text

    rec.issue = issue.replace(
        id=new_id,
        description=swap(issue.description),
        design=swap(issue.design),
        acceptance_criteria=swap(issue.acceptance_criteria),
        notes=swap(issue.notes),
    )
    rec.dependencies = sorted(
        (
            d._replace(issue_id=new_id, depends_on_id=remap.get(d.depends_on_id, d.depends_on_id))
            for d in rec.dependencies
        ),
        key=lambda d: d.depends_on_id,
    )


def _update_issue(conn: sqlite3.Connection, rec: jsonl.IncomingIssue, opts: ImportOptions) -> None:
    issue = rec.issue
    # every stored field but the identity: the incoming record is the issue now
    changes: dict[str, Any] = {
        name: issue.column_value(name) for name in COLUMN_NAMES if name not in ("id", "created_at")
    }
    rows.update_columns(conn, issue.id, changes)
    conn.execute("DELETE FROM labels WHERE issue_id = ?", (issue.id,))
    for label in issue.labels:
        rows.add_label(conn, issue.id, label)
    present = {(c["author"], c["created_at"], c["text"]) for c in rows.comments_of(conn, issue.id)}
    _add_comments(conn, rec, present)
    rows.add_event(conn, issue.id, "updated", opts.actor, opts.now, comment="imported")


def _add_comments(
    conn: sqlite3.Connection, rec: jsonl.IncomingIssue, present: set[tuple[str, str, str]]
) -> None:
    for comment in rec.comments:
        key = (comment["author"], comment["created_at"], comment["text"])
        if key not in present:
            rows.add_comment(
                conn, rec.issue.id, comment["author"], comment["text"], comment["created_at"]
            )
            present.add(key)


def _replace_dependencies(
    conn: sqlite3.Connection,
    rec: jsonl.IncomingIssue,
    known_targets: set[str],
    opts: ImportOptions,
    summary: ImportSummary,
    new: bool = False,
) -> None:
    if not new:  # a new issue has none yet
        conn.execute("DELETE FROM dependencies WHERE issue_id = ?", (rec.issue.id,))
        conn.execute("DELETE FROM dangling_deps WHERE issue_id = ?", (rec.issue.id,))
    seen: set[str] = set()
    for dep in rec.dependencies:
        if dep.depends_on_id in seen:
            continue
        seen.add(dep.depends_on_id)
        if dep.depends_on_id not in known_targets and not rows.issue_exists(
            conn, dep.depends_on_id
        ):
            message = (
                f"{rec.issue.id} (line {rec.line}) depends on {dep.depends_on_id}, "
                "which does not exist"
            )
            if opts.strict:
                raise BdError("not_found", f"{message}; nothing was imported (--strict)")
            # Kept (and written back) but not linked, until the target arrives.
            summary.warnings.append(message + ": dependency kept, not linked")
            conn.execute("INSERT INTO dangling_deps VALUES (?, ?, ?, ?, ?, ?)", tuple(dep))
            continue
        rows.insert_dep(conn, dep)
