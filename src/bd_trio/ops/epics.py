"""Epics: how far each open epic is (its parent-child children, closed of total), closing the
ones whose children are all closed, and the parent links a tree view draws.

As Go bd: an epic's children are the issues with a `parent-child` dependency on it; an epic is
eligible for closing when it has children and every one is closed. JSON per epic:
`{"epic": Issue, "total_children", "closed_children", "eligible_for_close"}` (beads-ui reads
these names).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bd_trio.model.enums import Status
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.issues import apply_changes
from bd_trio.ops.registry import no_args, operation
from bd_trio.store import issues as rows

CLOSE_REASON = "All children completed"  # Go bd's reason

_EPICS = f"""
    WITH kids AS (
        SELECT d.depends_on_id AS epic_id,
               COUNT(*) AS total,
               SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END) AS done
        FROM dependencies d JOIN issues c ON c.id = d.issue_id
        WHERE d.type = 'parent-child'
        GROUP BY d.depends_on_id
    )
    SELECT {rows.ISSUE_COLUMNS},
           COALESCE(kids.total, 0) AS total_children,
           COALESCE(kids.done, 0) AS closed_children
    FROM issues LEFT JOIN kids ON kids.epic_id = issues.id
    WHERE issues.issue_type = 'epic' AND issues.status != 'closed'
    ORDER BY issues.priority, issues.created_at, issues.id
"""


def epic_statuses(conn: sqlite3.Connection, *, eligible_only: bool) -> list[dict[str, Any]]:
    found = conn.execute(_EPICS).fetchall()
    epics = rows.issues_from_rows(conn, found)
    out = []
    for row, epic in zip(found, epics, strict=True):
        total, closed = int(row["total_children"]), int(row["closed_children"])
        eligible = total > 0 and closed == total
        if eligible_only and not eligible:
            continue
        out.append(
            {
                "epic": epic.to_dict(),
                "total_children": total,
                "closed_children": closed,
                "eligible_for_close": eligible,
            }
        )
    return out


def parse_status(a: Args) -> bool:
    return a.flag("eligible_only")


@operation("epic_status", parse=parse_status, writes=False)
def epic_status(conn: sqlite3.Connection, eligible_only: bool, ctx: OpContext) -> Any:
    """Open epics, highest priority first, oldest first within a priority."""
    return epic_statuses(conn, eligible_only=eligible_only)


@operation("epic_close_eligible", parse=no_args, writes=True)
def epic_close_eligible(conn: sqlite3.Connection, _: None, ctx: OpContext) -> dict[str, Any]:
    """Close every eligible epic (one transaction: the set checked is the set closed)."""
    closed: list[str] = []
    for status in epic_statuses(conn, eligible_only=True):
        epic = rows.require_issue(conn, status["epic"]["id"])
        if epic.status != Status.CLOSED:
            apply_changes(conn, epic, {"status": "closed"}, ctx, reason=CLOSE_REASON)
            closed.append(epic.id)
    return {"closed": closed, "count": len(closed)}


def parse_ids(a: Args) -> list[str]:
    return a.strings("ids")


@operation("parent_links", parse=parse_ids, writes=False)
def parent_links(conn: sqlite3.Connection, ids: list[str], ctx: OpContext) -> Any:
    """`{child: parent}` for the parent-child dependencies among `ids` (all when empty)."""
    links = conn.execute(
        "SELECT issue_id, depends_on_id FROM dependencies WHERE type = 'parent-child' "
        "ORDER BY issue_id, depends_on_id"
    ).fetchall()
    wanted = set(ids)
    return {
        child: parent
        for child, parent in links
        if not wanted or (child in wanted and parent in wanted)
    }
