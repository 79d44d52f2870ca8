"""The versioned schema: a new database is migrated, a newer one is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bd_trio.errors import BdError
from bd_trio.store import Store
from bd_trio.store.schema import SCHEMA_VERSION


def test_new_database_is_at_the_current_version_with_wal(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    try:
        conn = store.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        store.close()
    # Opening again does not migrate twice.
    Store(tmp_path / "a.db").close()


def test_database_from_a_newer_bd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(BdError) as info:
        Store(path)
    assert info.value.code == "version_mismatch"
    assert "upgrade" in info.value.message


def test_any_status_and_type_are_stored_but_priority_is_checked(tmp_path: Path) -> None:
    """Real files hold upstream's and custom statuses and types, and closed_at as they wrote
    it (migration 7 dropped bd 0.12's CHECKs); a priority outside 0-4 is still refused."""
    store = Store(tmp_path / "c.db")
    try:
        store.conn.execute(
            "INSERT INTO issues (id, title, status, issue_type, created_at, updated_at) "
            "VALUES ('bd-1', 't', 'hooked', 'merge-request', 'x', 'x')"
        )
        with pytest.raises(sqlite3.IntegrityError):
            store.conn.execute(
                "INSERT INTO issues (id, title, priority, created_at, updated_at) "
                "VALUES ('bd-2', 't', 9, 'x', 'x')"
            )
    finally:
        store.close()


def test_migration_from_version_5_keeps_data_triggers_and_indexes(tmp_path: Path) -> None:
    from bd_trio.store.schema import MIGRATIONS, _statements

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:5]:
        assert isinstance(script, str)
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 5")
    conn.execute(
        "INSERT INTO issues (id, title, notes, status, created_at, updated_at, closed_at) "
        "VALUES ('bd-1', 'old title', 'needle', 'closed', 'x', 'x', 'y')"
    )
    conn.close()
    store = Store(path)
    try:
        c = store.conn
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        row = c.execute("SELECT title, status, closed_at, metadata, extra FROM issues").fetchone()
        assert tuple(row) == ("old title", "closed", "y", "", "")
        # the full-text triggers still work on the migrated table
        c.execute("UPDATE issues SET notes = 'haystack' WHERE id = 'bd-1'")
        hits = c.execute("SELECT rowid FROM issues_fts WHERE issues_fts MATCH 'haystack'")
        assert len(hits.fetchall()) == 1
        indexes = {r[0] for r in c.execute("SELECT name FROM sqlite_schema WHERE type='index'")}
        assert {"idx_issues_ready", "idx_issues_list"} <= indexes
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        store.close()
