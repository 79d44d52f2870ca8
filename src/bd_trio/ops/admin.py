"""Looking after a database: schema information, migrations, dependency repair, and the
database checks of `bd doctor` (the CLI adds the checks of files, the daemon and git)."""

from __future__ import annotations

import sqlite3
from typing import Any

from bd_trio.errors import BdError
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import no_args, operation
from bd_trio.store import claims, counts, graph, tombstones
from bd_trio.store import issues as rows
from bd_trio.store.ids import split_numeric_id
from bd_trio.store.schema import MIGRATIONS, SCHEMA_VERSION
from bd_trio.store.sqlscript import statements


def _tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {name: [col[1] for col in conn.execute(f"PRAGMA table_info({name})")] for name in names}


@operation("info", parse=no_args, writes=False)
def info(conn: sqlite3.Connection, _: None, ctx: OpContext) -> dict[str, Any]:
    """The database: schema version and tables, prefix, id mode, counts."""
    return {
        "schema_version": int(conn.execute("PRAGMA user_version").fetchone()[0]),
        "prefix": ctx.prefix,
        "id_mode": ctx.id_mode,
        "issue_count": int(conn.execute("SELECT COUNT(*) FROM issues").fetchone()[0]),
        "tombstone_count": int(conn.execute("SELECT COUNT(*) FROM tombstones").fetchone()[0]),
        # changed, not yet exported to issues.jsonl (`bd sync --status`)
        "dirty_issues": int(conn.execute("SELECT COUNT(*) FROM dirty_issues").fetchone()[0]),
        "tables": _tables(conn),
    }


@operation("migrate_inspect", parse=no_args, writes=False)
def migrate_inspect(conn: sqlite3.Connection, _: None, ctx: OpContext) -> dict[str, Any]:
    """Where the schema stands. bd migrates a database when it opens it (one transaction), so
    a database bd can read has nothing pending; a newer one is refused with its version."""
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    return {
        "current_version": current,
        "latest_version": SCHEMA_VERSION,
        "pending": list(range(current + 1, SCHEMA_VERSION + 1)),
        "needs_migration": current < SCHEMA_VERSION,
        "migrations": len(MIGRATIONS),
    }


def _orphans(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        {"issue_id": r[0], "depends_on_id": r[1], "type": r[2], "problem": r[3]}
        for r in conn.execute(
            "SELECT d.issue_id, d.depends_on_id, d.type, "
            "CASE WHEN i.id IS NULL THEN 'issue missing' ELSE 'target missing' END "
            "FROM dependencies d LEFT JOIN issues i ON i.id = d.issue_id "
            "LEFT JOIN issues t ON t.id = d.depends_on_id "
            "WHERE i.id IS NULL OR t.id IS NULL ORDER BY d.issue_id, d.depends_on_id"
        )
    ]


def parse_fix(a: Args) -> bool:
    return a.flag("fix")


@operation("repair_deps", parse=parse_fix, writes=True)
def repair_deps(conn: sqlite3.Connection, fix: bool, ctx: OpContext) -> dict[str, Any]:
    """Dependencies whose issue or target does not exist (left by an old tool or a database
    edited by hand); with fix, removed."""
    orphans = _orphans(conn)
    if fix:
        for o in orphans:
            rows.delete_dep(conn, o["issue_id"], o["depends_on_id"])
        rows.mark_dirty(conn, sorted({o["issue_id"] for o in orphans}), ctx.now)
    return {"orphaned": orphans, "count": len(orphans), "fixed": len(orphans) if fix else 0}


class DoctorRequest:
    __slots__ = ("check", "clean", "fix")

    def __init__(self, check: str | None, fix: bool, clean: bool) -> None:
        self.check = check
        self.fix = fix
        self.clean = clean


DATABASE_CHECKS = (
    "integrity",
    "foreign_keys",
    "dependencies",
    "cycles",
    "claims",
    "counters",
    "counts",
)
CHECK_GROUPS = {"validate": DATABASE_CHECKS, "pollution": ("pollution",)}


def parse_doctor(a: Args) -> DoctorRequest:
    check = a.text("check")
    known = (*DATABASE_CHECKS, "pollution", *CHECK_GROUPS)
    if check is not None and check not in known:
        raise BdError(
            "validation", f"unknown check {check!r}: one of {', '.join(known)}", field="check"
        )
    return DoctorRequest(check, a.flag("fix"), a.flag("clean"))


@operation("doctor", parse=parse_doctor, writes=True)
def doctor(conn: sqlite3.Connection, request: DoctorRequest, ctx: OpContext) -> dict[str, Any]:
    """The database's checks; each {"name", "ok", "detail", "fixed"}. `fix` repairs what it
    safely can (orphaned dependencies, stray claims, a counter behind its ids); `clean`
    deletes polluting issues (with tombstones)."""
    wanted = CHECK_GROUPS.get(request.check or "", (request.check,) if request.check else None)
    names = wanted or DATABASE_CHECKS
    results = [_CHECKS[name](conn, ctx, request) for name in names]
    return {"ok": all(r["ok"] for r in results), "checks": results}


def _result(name: str, ok: bool, detail: str, fixed: str | None = None) -> dict[str, Any]:
    return {"name": name, "ok": ok, "detail": detail, "fixed": fixed}


def _integrity(conn: sqlite3.Connection, ctx: OpContext, r: DoctorRequest) -> dict[str, Any]:
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    ok = problems == ["ok"]
    return _result("integrity", ok, "SQLite integrity_check: ok" if ok else "; ".join(problems))


def _foreign_keys(conn: sqlite3.Connection, ctx: OpContext, r: DoctorRequest) -> dict[str, Any]:
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    return _result("foreign_keys", not problems, f"{len(problems)} rows point at missing rows")


def _dependencies(conn: sqlite3.Connection, ctx: OpContext, r: DoctorRequest) -> dict[str, Any]:
    found = repair_deps(conn, r.fix, ctx)
    fixed = f"removed {found['fixed']} dependencies" if found["fixed"] else None
    return _result(
        "dependencies",
        found["count"] == 0 or r.fix,
        f"{found['count']} dependencies on missing issues",
        fixed,
    )


def _cycles(conn: sqlite3.Connection, ctx: OpContext, r: DoctorRequest) -> dict[str, Any]:
    cycles = graph.find_cycles(conn)
    detail = "; ".join(" -> ".join(c) for c in cycles) or "no dependency cycles"
    return _result(
        "cycles", not cycles, detail + (" (remove one with bd dep remove)" if cycles else "")
    )


def _claims(conn: sqlite3.Connection, ctx: OpContext, r: DoctorRequest) -> dict[str, Any]:
    stray = [
        row[0]
        for row in conn.execute(
            "SELECT c.issue_id FROM claims c JOIN issues i ON i.id = c.issue_id "
            "WHERE i.status != 'in_progress' OR i.assignee != c.holder"
        )
    ]
    fixed = None
    if stray and r.fix:
        claims.reconcile(conn, stray, ctx.actor, ctx.now)
        fixed = f"released {len(stray)} claims"
    return _result("claims", not stray or r.fix, f"{len(stray)} claims out of step", fixed)


def _counters(conn: sqlite3.Connection, ctx: OpContext, r: DoctorRequest) -> dict[str, Any]:
    highest: dict[str, int] = {}
    for (issue_id,) in conn.execute("SELECT id FROM issues UNION SELECT id FROM tombstones"):
        parts = split_numeric_id(issue_id)
        if parts is not None:
            highest[parts[0]] = max(highest.get(parts[0], 0), parts[1])
    counters = dict(conn.execute("SELECT prefix, last_id FROM issue_counters").fetchall())
    behind = {p: n for p, n in highest.items() if counters.get(p, 0) < n}
    fixed = None
    if behind and r.fix:
        from bd_trio.store.ids import note_explicit_id

        for prefix, number in behind.items():
            note_explicit_id(conn, f"{prefix}-{number}")
        fixed = f"moved {len(behind)} counters forward"
    detail = ", ".join(f"{p} at {counters.get(p, 0)} < {n}" for p, n in behind.items())
    return _result(
        "counters", not behind or r.fix, detail or "id counters ahead of every id", fixed
    )


def _counts(conn: sqlite3.Connection, ctx: OpContext, r: DoctorRequest) -> dict[str, Any]:
    """The counts the triggers keep (stats, blocked) against a full recount."""
    fresh, blockers = counts.recount(conn)
    off = []
    if counts.read_counts(conn).as_tuple() != fresh.as_tuple():
        off.append("status, lead time or blocked counts")
    if counts.kept_blockers(conn) != blockers:
        off.append("open blockers")
    fixed = None
    if off and r.fix:
        for statement in statements(counts.BACKFILL):
            conn.execute(statement)
        fixed = "recounted"
    detail = f"out of step: {', '.join(off)}" if off else "kept counts match a full recount"
    return _result("counts", not off or r.fix, detail, fixed)


def _pollution(conn: sqlite3.Connection, ctx: OpContext, r: DoctorRequest) -> dict[str, Any]:
    """Issues whose id has another project's prefix (imported or created by mistake)."""
    foreign = [
        row[0]
        for row in conn.execute("SELECT id FROM issues ORDER BY id")
        if not str(row[0]).startswith(f"{ctx.prefix}-")
    ]
    fixed = None
    if foreign and r.clean:
        for issue_id in foreign:
            tombstones.delete_issue(conn, issue_id, ctx.actor, ctx.now)
        fixed = f"deleted {len(foreign)} issues"
    detail = (
        f"{len(foreign)} issues without the prefix {ctx.prefix}-: {', '.join(foreign[:20])}"
        if foreign
        else f"every issue has the prefix {ctx.prefix}-"
    )
    return _result("pollution", not foreign or r.clean, detail, fixed)


_CHECKS = {
    "integrity": _integrity,
    "foreign_keys": _foreign_keys,
    "dependencies": _dependencies,
    "cycles": _cycles,
    "claims": _claims,
    "counters": _counters,
    "counts": _counts,
    "pollution": _pollution,
}
