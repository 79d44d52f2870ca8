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


def test_closed_at_constraint_guards_the_invariant(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            store.conn.execute(
                "INSERT INTO issues (id, title, status, created_at, updated_at) "
                "VALUES ('bd-1', 't', 'closed', 'x', 'x')"
            )
    finally:
        store.close()
