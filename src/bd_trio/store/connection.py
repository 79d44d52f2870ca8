"""Opening the database and running transactions.

Every write runs inside `BEGIN IMMEDIATE`: the write lock is taken up front, so concurrent
direct-mode processes queue on SQLite's busy handler instead of failing with "database is
locked" when a read transaction tries to upgrade.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from bd_trio.errors import BdError
from bd_trio.store.schema import migrate

SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")
DEFAULT_BUSY_TIMEOUT_S = 30.0
T = TypeVar("T")


class _Connection(sqlite3.Connection):
    """A connection that can hold answers computed for one committed state (`per_commit`)."""

    memo: dict[str, tuple[int, Any]] | None = None


def per_commit(conn: sqlite3.Connection, key: str, compute: Callable[[], T]) -> T:
    """`compute()`, remembered on a read-only connection until another connection commits.

    Inside a read transaction `PRAGMA data_version` names the committed state the transaction
    sees; it changes when any other connection has committed since. A read-only connection
    never commits itself, so an equal version means an equal database. Other connections
    (the writer's, direct mode's) compute every time."""
    memo = getattr(conn, "memo", None)
    if memo is None or not conn.in_transaction:
        return compute()
    version = int(conn.execute("PRAGMA data_version").fetchone()[0])
    kept = memo.get(key)
    if kept is not None and kept[0] == version:
        return cast(T, kept[1])
    value = compute()
    memo[key] = (version, value)
    return value


class Store:
    """One SQLite connection plus transaction helpers. Not thread-safe: one owner at a time."""

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: str = "FULL",
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        read_only: bool = False,
    ) -> None:
        if synchronous.upper() not in SYNCHRONOUS_MODES:
            raise BdError(
                "validation",
                f"invalid synchronous mode {synchronous!r}: one of {', '.join(SYNCHRONOUS_MODES)}",
            )
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (Python's implicit
        # transactions would start deferred ones).
        self.conn = sqlite3.connect(
            str(self.path),
            timeout=busy_timeout_s,
            isolation_level=None,
            check_same_thread=False,
            factory=_Connection,
        )
        self.conn.row_factory = sqlite3.Row
        try:
            mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute(f"PRAGMA synchronous={synchronous.upper()}")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA temp_store=MEMORY")
            migrate(self.conn)
            if read_only:
                self.conn.execute("PRAGMA query_only=ON")
                self.conn.memo = {}
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            from bd_trio.diskspace import disk_full

            if disk_full(exc, self.path.parent):
                raise BdError(
                    "unavailable",
                    f"cannot open database {self.path}: the disk is full ({exc}); nothing was "
                    "written and nothing stored is lost: free some space and try again",
                    path=str(self.path),
                ) from exc
            raise BdError(
                "internal", f"cannot open database {self.path}: {exc}", path=str(self.path)
            ) from exc

    def close(self) -> None:
        self.conn.close()

    def checkpoint(self) -> None:
        checkpoint(self.conn)

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; rolls back on any exception (including cancellation)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            raise BdError(
                "timeout",
                f"the database {self.path} is locked by another process and stayed locked for "
                f"the lock timeout ({self.busy_timeout_s:g}s): nothing was changed; retry, or "
                "give a longer --lock-timeout",
                path=str(self.path),
            ) from exc
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for multi-statement reads."""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self.conn.execute("COMMIT")


_savepoint_names = itertools.count(1)


class Undo(Exception):
    """Raise inside `savepoint` to undo its work on purpose (an atomic batch that failed, a
    dry run): the savepoint is rolled back and the exception goes no further."""


@contextmanager
def savepoint(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A nested unit inside the current transaction: released on success, undone on error
    (or on `Undo`, which it swallows)."""
    name = f"sp{next(_savepoint_names)}"
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield conn
    except BaseException as exc:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        if isinstance(exc, Undo):
            return
        raise
    conn.execute(f"RELEASE {name}")


def checkpoint(conn: sqlite3.Connection) -> None:
    """Copy what the WAL holds into the database file, without waiting for anyone (a PASSIVE
    checkpoint; outside a transaction). Tools that watch `.beads/*.db` for changes (beads-ui
    watches that one file) would otherwise see a write only at SQLite's next automatic
    checkpoint, maybe a thousand pages later. The last connection to close checkpoints
    anyway; this matters while another process (the daemon) keeps the database open."""
    with contextlib.suppress(sqlite3.OperationalError):  # busy or locked: the next one will
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def checkpoint_file(path: str | Path) -> None:
    """`checkpoint` on a connection of its own (the daemon's exporter, in a worker thread)."""
    conn = sqlite3.connect(str(path), timeout=1.0, isolation_level=None)
    try:
        checkpoint(conn)
    finally:
        conn.close()
