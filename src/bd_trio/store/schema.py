"""The versioned schema. `PRAGMA user_version` holds the version; migrations run in order.

Index choices (checked by tests/test_scale.py::test_queries_use_indexes at 100k issues):
- issues(status, priority, created_at, id): `ready` walks open issues in output order (oldest
  first) and stops at the limit.
- issues(status, priority, created_at DESC, id) and issues(priority, created_at DESC, id):
  `list` (newest first) with and without a status filter, so a limit stops the scan early.
- dependencies(issue_id, type, depends_on_id): "what blocks X" and the parent walk for `ready`.
- dependencies(depends_on_id, type, issue_id): dependents, `blocked`, and `show`'s "Blocks".
- labels(label, issue_id): `list --label`.
- claims(expires_at): the expiry sweep finds due claims without a scan.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from bd_trio.errors import BdError


def _drop_value_checks(conn: sqlite3.Connection) -> None:
    """Drop the CHECKs that allowed only bd 0.12's statuses and types, and tied closed_at to
    status: real files hold upstream's and custom values (model.validate checks what commands
    write). Done as SQLite documents for removing CHECK constraints (edit the stored CREATE
    TABLE, bump schema_version): rebuilding the table would lose the triggers and indexes other
    migrations put on it."""
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'issues'"
    ).fetchone()
    new = re.sub(r"\s*CHECK \((status|issue_type) IN \([^)]*\)\)", "", sql)
    new = re.sub(r",\s*CHECK \(\(status = 'closed'\) = \(closed_at IS NOT NULL\)\)", "", new)
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute(
            "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'issues'", (new,)
        )
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


Migration = str | Callable[[sqlite3.Connection], None]

MIGRATIONS: tuple[Migration, ...] = (
    # 1: the initial schema
    """
    CREATE TABLE issues (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        design TEXT NOT NULL DEFAULT '',
        acceptance_criteria TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'in_progress', 'blocked', 'closed')),
        priority INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 4),
        issue_type TEXT NOT NULL DEFAULT 'task'
            CHECK (issue_type IN ('bug', 'feature', 'task', 'epic', 'chore')),
        assignee TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        closed_at TEXT,
        external_ref TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL DEFAULT '',
        CHECK ((status = 'closed') = (closed_at IS NOT NULL))
    );
    CREATE INDEX idx_issues_ready ON issues(status, priority, created_at, id);
    CREATE INDEX idx_issues_list_status ON issues(status, priority, created_at DESC, id);
    CREATE INDEX idx_issues_list ON issues(priority, created_at DESC, id);
    CREATE INDEX idx_issues_assignee ON issues(assignee) WHERE assignee != '';

    CREATE TABLE dependencies (
        issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
        depends_on_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
        type TEXT NOT NULL
            CHECK (type IN ('blocks', 'related', 'parent-child', 'discovered-from')),
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (issue_id, depends_on_id),
        CHECK (issue_id != depends_on_id)
    ) WITHOUT ROWID;
    CREATE INDEX idx_deps_from_type ON dependencies(issue_id, type, depends_on_id);
    CREATE INDEX idx_deps_to_type ON dependencies(depends_on_id, type, issue_id);

    CREATE TABLE labels (
        issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        PRIMARY KEY (issue_id, label)
    ) WITHOUT ROWID;
    CREATE INDEX idx_labels_label ON labels(label, issue_id);

    CREATE TABLE comments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX idx_comments_issue ON comments(issue_id, created_at);

    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        issue_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        actor TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        comment TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX idx_events_issue ON events(issue_id, id);

    CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE dirty_issues (issue_id TEXT PRIMARY KEY, marked_at TEXT NOT NULL);
    CREATE TABLE issue_counters (prefix TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
    """,
    # 2: claims (store/claims.py). One row per claimed issue; `token` is the fencing token,
    # unique and increasing across the database's life (`claim_tokens` keeps the last one, so
    # a token is never handed out twice even after its claim is gone). `expires_at` NULL: the
    # lease never expires. Claims are local to this database and not exported to JSONL: the
    # issue's status and assignee are what travels.
    """
    CREATE TABLE claims (
        issue_id TEXT PRIMARY KEY REFERENCES issues(id) ON DELETE CASCADE,
        holder TEXT NOT NULL,
        token INTEGER NOT NULL UNIQUE,
        claimed_at TEXT NOT NULL,
        renewed_at TEXT NOT NULL,
        lease_s REAL NOT NULL CHECK (lease_s >= 0),
        expires_at TEXT
    );
    CREATE INDEX idx_claims_expiry ON claims(expires_at) WHERE expires_at IS NOT NULL;
    CREATE TABLE claim_tokens (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL);
    """,
    # 3: tombstones (store/tombstones.py). A deleted issue leaves its id, title, when and by
    # whom; exported to issues.jsonl so that other clones delete it too, and the id is never
    # handed out again.
    """
    CREATE TABLE tombstones (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        deleted_at TEXT NOT NULL,
        deleted_by TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID;
    """,
    # 4: the newer dependency types (model.enums.DepType checks the value): the table is
    # rebuilt without the CHECK that allowed only bd 0.12's four.
    """
    CREATE TABLE dependencies_new (
        issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
        depends_on_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (issue_id, depends_on_id),
        CHECK (issue_id != depends_on_id)
    ) WITHOUT ROWID;
    INSERT INTO dependencies_new SELECT issue_id, depends_on_id, type, created_at, created_by
        FROM dependencies;
    DROP TABLE dependencies;
    ALTER TABLE dependencies_new RENAME TO dependencies;
    CREATE INDEX idx_deps_from_type ON dependencies(issue_id, type, depends_on_id);
    CREATE INDEX idx_deps_to_type ON dependencies(depends_on_id, type, issue_id);
    """,
    # 5: full-text search over title, description and notes (`bd search`), kept in step with
    # the issues by triggers.
    """
    CREATE VIRTUAL TABLE issues_fts USING fts5(
        title, description, notes, content='issues', content_rowid='rowid'
    );
    INSERT INTO issues_fts (rowid, title, description, notes)
        SELECT rowid, title, description, notes FROM issues;
    CREATE TRIGGER issues_fts_insert AFTER INSERT ON issues BEGIN
        INSERT INTO issues_fts (rowid, title, description, notes)
        VALUES (new.rowid, new.title, new.description, new.notes);
    END;
    CREATE TRIGGER issues_fts_delete AFTER DELETE ON issues BEGIN
        INSERT INTO issues_fts (issues_fts, rowid, title, description, notes)
        VALUES ('delete', old.rowid, old.title, old.description, old.notes);
    END;
    CREATE TRIGGER issues_fts_update AFTER UPDATE OF title, description, notes ON issues BEGIN
        INSERT INTO issues_fts (issues_fts, rowid, title, description, notes)
        VALUES ('delete', old.rowid, old.title, old.description, old.notes);
        INSERT INTO issues_fts (rowid, title, description, notes)
        VALUES (new.rowid, new.title, new.description, new.notes);
    END;
    """,
    # 6: upstream's `metadata` (a JSON object of extension data, stored as compact JSON text;
    # '' when there is none, never NULL) and `ephemeral` (0/1: upstream's "not synced via
    # git" flag, carried as data). model.issue.COLUMNS declares them.
    """
    ALTER TABLE issues ADD COLUMN metadata TEXT NOT NULL DEFAULT '';
    ALTER TABLE issues ADD COLUMN ephemeral INTEGER NOT NULL DEFAULT 0
        CHECK (ephemeral IN (0, 1));
    """,
    # 7 and 8: every real record (issue 15): any status and type (the CHECKs go), upstream's
    # owner, started_at, close_reason and defer_until, `extra` (the keys bd-trio does not
    # model, a compact JSON object, '' when none; likewise on dependencies); `raw_lines`: the
    # line each issue or tombstone was last read as, with the digest of its canonical record
    # (while the record is unchanged, that line is written back byte for byte);
    # `other_records`: lines that are not issues (`_type` memory and the like), kept by key
    # and written back; `dangling_deps`: dependencies read on an issue whose target is not
    # here (yet): kept and exported with it, linked when the target arrives.
    _drop_value_checks,
    """
    ALTER TABLE issues ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    ALTER TABLE issues ADD COLUMN started_at TEXT;
    ALTER TABLE issues ADD COLUMN close_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE issues ADD COLUMN defer_until TEXT;
    ALTER TABLE issues ADD COLUMN extra TEXT NOT NULL DEFAULT '';
    ALTER TABLE dependencies ADD COLUMN extra TEXT NOT NULL DEFAULT '';
    CREATE TABLE raw_lines (
        id TEXT PRIMARY KEY,
        line TEXT NOT NULL,
        digest TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE other_records (key TEXT PRIMARY KEY, line TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE dangling_deps (
        issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
        depends_on_id TEXT NOT NULL,
        type TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT '',
        extra TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (issue_id, depends_on_id)
    ) WITHOUT ROWID;
    CREATE INDEX idx_dangling_target ON dangling_deps(depends_on_id);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """The statements of a migration (a trigger's body holds semicolons of its own)."""
    out: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending)
            pending = ""
    return out


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to SCHEMA_VERSION inside one immediate transaction."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise BdError(
            "version_mismatch",
            f"database schema version {current} is newer than this bd ({SCHEMA_VERSION}): "
            "upgrade bd-trio",
        )
    if current == SCHEMA_VERSION:
        return SCHEMA_VERSION
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the lock.
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        for version in range(current, SCHEMA_VERSION):
            step = MIGRATIONS[version]
            if callable(step):
                step(conn)
                continue
            for statement in _statements(step):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION
