"""Counts kept in step with every write, so `stats` and `blocked` cost what changed, not the
size of the database.

Two tables, maintained by SQL triggers (every write path goes through them: ops, imports,
merges, renumbering, deletes, direct mode and the daemon alike):

- `issue_counts(name, n)`: `status:<status>` issues per status, and `lead_ms` / `lead_n`, the
  summed lead time (created -> closed, whole milliseconds, so the sum is exact) and the number
  of closed issues it covers.
- `open_blockers(issue_id, n, done)`: one row per issue that has `n` > 0 `blocks` dependencies
  on issues that are not done (`done`: the issue itself is done). It is the seed of the
  blocked set (`ready`, `blocked`, `stats`): a trigger recomputes the row of each issue whose
  blockers changed (a dependency added, removed or moved; a blocker closed or reopened), so no
  sequence of writes can make it drift. `issue_counts`' `blocked` follows its rows (issues not
  done with open blockers: `stats`' blocked count).

`recount` computes the same numbers from scratch (tests compare both after random operation
sequences; `doctor` can too). `DONE_STATUSES` is the one place that says which statuses no
longer block anything.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from bd_trio.store.sqlscript import statements

# Statuses in which an issue no longer blocks its dependents (a new "done" status goes here).
DONE_STATUSES: tuple[str, ...] = ("closed",)
DONE = "(" + ", ".join(f"'{s}'" for s in DONE_STATUSES) + ")"

# Lead time of a closed issue, in whole milliseconds; NULL when either timestamp is unreadable.
_LEAD_MS = (
    "CAST(round((julianday({r}.closed_at) - julianday({r}.created_at)) * 86400000.0) AS INTEGER)"
)
_HAS_LEAD = (
    "({r}.status = 'closed' AND julianday({r}.closed_at) IS NOT NULL "
    "AND julianday({r}.created_at) IS NOT NULL)"
)


def _add(name: str, amount: str, when: str = "1") -> str:
    """Add `amount` to the count `name` when `when` holds (an upsert: missing names start at 0)."""
    return (
        f"INSERT INTO issue_counts (name, n) SELECT {name}, {amount} WHERE {when} "
        "ON CONFLICT(name) DO UPDATE SET n = n + excluded.n;"
    )


def _status_term(row: str, sign: str) -> str:
    return _add(f"'status:' || {row}.status", f"{sign}1")


def _lead_terms(row: str, sign: str) -> str:
    return "\n".join(
        (
            _add("'lead_ms'", f"{sign}{_LEAD_MS.format(r=row)}"),
            _add("'lead_n'", f"{sign}1"),
        )
    )


def _refresh_blockers(ids: str) -> str:
    """Recompute the open_blockers rows of the issues selected by `ids` (an SQL set)."""
    return f"""
        DELETE FROM open_blockers WHERE issue_id IN {ids};
        INSERT INTO open_blockers (issue_id, n, done)
            SELECT d.issue_id, COUNT(*), a.status IN {DONE} FROM dependencies d
            JOIN issues b ON b.id = d.depends_on_id JOIN issues a ON a.id = d.issue_id
            WHERE d.issue_id IN {ids} AND d.type = 'blocks' AND b.status NOT IN {DONE}
            GROUP BY d.issue_id;
    """


_DEPENDENTS = "(SELECT issue_id FROM dependencies WHERE depends_on_id = new.id AND type = 'blocks')"

TABLES = """
    CREATE TABLE issue_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE open_blockers (
        issue_id TEXT PRIMARY KEY,
        n INTEGER NOT NULL,  -- open `blocks` blockers
        done INTEGER NOT NULL  -- the blocked issue itself is done (not counted as blocked)
    ) WITHOUT ROWID;
    CREATE INDEX idx_events_created ON events(created_at, event_type, issue_id);
    CREATE INDEX idx_issues_deferred ON issues(defer_until) WHERE defer_until IS NOT NULL;
    CREATE INDEX idx_issues_ephemeral ON issues(id) WHERE ephemeral = 1;
"""

TRIGGERS = f"""
    CREATE TRIGGER counts_issue_insert AFTER INSERT ON issues BEGIN
        {_status_term("new", "+")}
    END;
    CREATE TRIGGER counts_issue_insert_closed AFTER INSERT ON issues
    WHEN {_HAS_LEAD.format(r="new")} BEGIN
        {_lead_terms("new", "+")}
    END;
    CREATE TRIGGER counts_issue_delete AFTER DELETE ON issues BEGIN
        {_status_term("old", "-")}
        DELETE FROM open_blockers WHERE issue_id = old.id;
    END;
    CREATE TRIGGER counts_issue_delete_closed AFTER DELETE ON issues
    WHEN {_HAS_LEAD.format(r="old")} BEGIN
        {_lead_terms("old", "-")}
    END;
    CREATE TRIGGER counts_issue_status AFTER UPDATE OF status ON issues
    WHEN old.status != new.status BEGIN
        {_status_term("old", "-")}
        {_status_term("new", "+")}
    END;
    CREATE TRIGGER counts_issue_lead_old AFTER UPDATE OF status, closed_at, created_at ON issues
    WHEN {_HAS_LEAD.format(r="old")} BEGIN
        {_lead_terms("old", "-")}
    END;
    CREATE TRIGGER counts_issue_lead_new AFTER UPDATE OF status, closed_at, created_at ON issues
    WHEN {_HAS_LEAD.format(r="new")} BEGIN
        {_lead_terms("new", "+")}
    END;
    CREATE TRIGGER blockers_issue_done AFTER UPDATE OF status ON issues
    WHEN (old.status IN {DONE}) != (new.status IN {DONE}) BEGIN
        {_refresh_blockers(_DEPENDENTS)}
        UPDATE open_blockers SET done = new.status IN {DONE} WHERE issue_id = new.id;
    END;
    CREATE TRIGGER blockers_issue_renamed AFTER UPDATE OF id ON issues BEGIN
        UPDATE open_blockers SET issue_id = new.id WHERE issue_id = old.id;
    END;
    CREATE TRIGGER counts_blocked_insert AFTER INSERT ON open_blockers BEGIN
        {_add("'blocked'", "1", "new.done = 0")}
    END;
    CREATE TRIGGER counts_blocked_delete AFTER DELETE ON open_blockers BEGIN
        {_add("'blocked'", "-1", "old.done = 0")}
    END;
    CREATE TRIGGER counts_blocked_update AFTER UPDATE OF done ON open_blockers BEGIN
        {_add("'blocked'", "(new.done = 0) - (old.done = 0)")}
    END;
    CREATE TRIGGER blockers_dep_insert AFTER INSERT ON dependencies
    WHEN new.type = 'blocks' BEGIN
        -- One more open blocker (imports add thousands: an upsert, not a recount).
        INSERT INTO open_blockers (issue_id, n, done)
            SELECT new.issue_id, 1, a.status IN {DONE} FROM issues a JOIN issues b
            ON b.id = new.depends_on_id WHERE a.id = new.issue_id AND b.status NOT IN {DONE}
            ON CONFLICT(issue_id) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER blockers_dep_delete AFTER DELETE ON dependencies
    WHEN old.type = 'blocks' BEGIN
        {_refresh_blockers("(old.issue_id)")}
    END;
    CREATE TRIGGER blockers_dep_update AFTER UPDATE ON dependencies
    WHEN old.type = 'blocks' OR new.type = 'blocks' BEGIN
        {_refresh_blockers("(old.issue_id, new.issue_id)")}
    END;

"""

# Computes the kept counts of the rows already there (the migration of a filled database).
BACKFILL = f"""
    DELETE FROM open_blockers;
    {_refresh_blockers("(SELECT issue_id FROM dependencies WHERE type = 'blocks')")}
    DELETE FROM issue_counts;
    INSERT INTO issue_counts (name, n) SELECT 'blocked', COUNT(*) FROM open_blockers
        WHERE done = 0;
    INSERT INTO issue_counts (name, n) SELECT 'status:' || status, COUNT(*) FROM issues
        GROUP BY status;
    INSERT INTO issue_counts (name, n)
        SELECT 'lead_ms', COALESCE(SUM({_LEAD_MS.format(r="i")}), 0) FROM issues i
        WHERE {_HAS_LEAD.format(r="i")};
    INSERT INTO issue_counts (name, n)
        SELECT 'lead_n', COUNT(*) FROM issues i WHERE {_HAS_LEAD.format(r="i")};
"""

# Migration 6 creates the tables; the triggers are installed by `install_triggers` after every
# migration (schema.migrate), so a later migration may rebuild `issues` or `dependencies`
# (create, copy, drop, rename) without meeting triggers that name the other table.
MIGRATION = TABLES
TRIGGER_NAMES = tuple(re.findall(r"CREATE TRIGGER (\w+)", TRIGGERS))


def drop_triggers(conn: sqlite3.Connection) -> None:
    """Before migrations run: out of their way."""
    for name in TRIGGER_NAMES:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


def install_triggers(conn: sqlite3.Connection) -> None:
    """After migrations ran (inside their transaction): the triggers, and the counts they
    keep computed from the rows as they are now."""
    for statement in statements(TRIGGERS):
        conn.execute(statement)
    for statement in statements(BACKFILL):
        conn.execute(statement)


class Counts:
    """What the triggers keep: issues per status, and the lead-time sum and count."""

    __slots__ = ("blocked", "lead_ms", "lead_n", "statuses")

    def __init__(self, statuses: dict[str, int], lead_ms: int, lead_n: int, blocked: int) -> None:
        self.statuses = statuses
        self.lead_ms = lead_ms
        self.lead_n = lead_n
        self.blocked = blocked  # issues not done with at least one open `blocks` blocker

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def average_lead_time_hours(self) -> float:
        return round(self.lead_ms / self.lead_n / 3_600_000, 2) if self.lead_n else 0.0

    def as_tuple(self) -> tuple[dict[str, int], int, int, int]:
        return self.statuses, self.lead_ms, self.lead_n, self.blocked


def read_counts(conn: sqlite3.Connection) -> Counts:
    kept = dict(conn.execute("SELECT name, n FROM issue_counts").fetchall())
    statuses = {
        name.removeprefix("status:"): int(n)
        for name, n in kept.items()
        if name.startswith("status:") and n
    }
    return Counts(
        statuses,
        int(kept.get("lead_ms", 0)),
        int(kept.get("lead_n", 0)),
        int(kept.get("blocked", 0)),
    )


def recount(conn: sqlite3.Connection) -> tuple[Counts, dict[str, tuple[int, int]]]:
    """The counts and the open blockers computed from scratch (to check the kept ones)."""
    statuses = dict(conn.execute("SELECT status, COUNT(*) FROM issues GROUP BY status"))
    lead: Any = conn.execute(
        f"SELECT COALESCE(SUM({_LEAD_MS.format(r='i')}), 0), COUNT(*) FROM issues i "
        f"WHERE {_HAS_LEAD.format(r='i')}"
    ).fetchone()
    blockers = {
        issue_id: (int(n), int(status in DONE_STATUSES))
        for issue_id, n, status in conn.execute(
            "SELECT d.issue_id, COUNT(*), a.status FROM dependencies d JOIN issues b "
            "ON b.id = d.depends_on_id JOIN issues a ON a.id = d.issue_id "
            f"WHERE d.type = 'blocks' AND b.status NOT IN {DONE} GROUP BY d.issue_id"
        )
    }
    blocked = sum(1 for _, done in blockers.values() if not done)
    return Counts(statuses, int(lead[0]), int(lead[1]), blocked), blockers


def kept_blockers(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    return {
        issue_id: (int(n), int(done))
        for issue_id, n, done in conn.execute("SELECT issue_id, n, done FROM open_blockers")
    }
