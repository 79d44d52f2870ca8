"""Read-only views over many issues: list, ready, blocked, stats."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from bd_trio.errors import BdError
from bd_trio.model import validate
from bd_trio.model.enums import IN_PROGRESS_STATUSES
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import no_args, operation
from bd_trio.ops.rows import Rows
from bd_trio.store import graph
from bd_trio.store.issues import ISSUE_COLUMNS, ListFilter, issues_from_rows, list_issues


def parse_list(a: Args) -> ListFilter:
    status = a.text("status")
    if status is not None and status.strip().lower() in ("all", "any", ""):
        status = None
    statuses: list[str] = []
    if status is not None and "," in status:  # the newer `--status open,in_progress`
        statuses = [validate.any_status(part.strip()) for part in status.split(",")]
        status = None
    parent = a.text("parent")
    return ListFilter(
        statuses=statuses,
        no_assignee=a.flag("no_assignee"),
        parent=validate.issue_id(parent, "parent") if parent is not None else None,
        status=validate.any_status(status) if status is not None else None,
        priority=a.checked("priority", validate.priority),
        assignee=a.text("assignee"),
        issue_type=a.checked("issue_type", validate.any_issue_type),
        labels_all=[validate.label(x) for x in a.strings("labels")],
        labels_any=[validate.label(x) for x in a.strings("labels_any")],
        title_contains=a.text("title"),
        ids=[validate.issue_id(x, "ids") for x in a.strings("ids")],
        limit=a.integer("limit", 0, minimum=0),
    )


@operation(
    "list", parse=parse_list, writes=False, aliases={"label": "labels", "type": "issue_type"}
)
def list_(conn: sqlite3.Connection, flt: ListFilter, ctx: OpContext) -> list[dict[str, Any]]:
    return [issue.to_dict() for issue in list_issues(conn, flt)]


def parse_ready_filters(a: Args) -> graph.ReadyFilters:
    sort = a.text("sort", "priority")
    if sort not in graph.SORTS:
        raise BdError(
            "validation",
            f"invalid sort {sort!r}: one of {', '.join(graph.SORTS)}",
            field="sort",
        )
    parent = a.text("parent")
    return graph.ReadyFilters(
        issue_type=a.checked("issue_type", validate.any_issue_type),
        labels_all=tuple(validate.label(x) for x in a.strings("labels")),
        labels_any=tuple(validate.label(x) for x in a.strings("labels_any")),
        unassigned=a.flag("unassigned"),
        parent=validate.issue_id(parent, "parent") if parent is not None else None,
        sort=sort,
    )


def parse_ready(a: Args) -> dict[str, Any]:
    return {
        "limit": a.integer("limit", 10, minimum=0),
        "priority": a.checked("priority", validate.priority),
        "assignee": a.text("assignee"),
        "filters": parse_ready_filters(a),
    }


@operation(
    "ready",
    parse=parse_ready,
    writes=False,
    aliases={"label": "labels", "type": "issue_type", "label_any": "labels_any"},
)
def ready(conn: sqlite3.Connection, opts: dict[str, Any], ctx: OpContext) -> list[dict[str, Any]]:
    return [issue.to_dict() for issue in graph.ready_issues(conn, **opts, now=ctx.now)]


def parse_blocked(a: Args) -> str | None:
    parent = a.text("parent")
    return validate.issue_id(parent, "parent") if parent is not None else None


@operation("blocked", parse=parse_blocked, writes=False)
def blocked(conn: sqlite3.Connection, parent: str | None, ctx: OpContext) -> Rows:
    """Issue + blocked_by_count, blocked_by; in chunks (Rows): the answer can be most of a
    big database."""

    def chunks() -> Iterator[list[dict[str, Any]]]:
        for chunk in graph.iter_blocked(conn, parent):
            yield [
                {
                    **item.issue.to_dict(),
                    "blocked_by_count": len(item.blocked_by),
                    "blocked_by": item.blocked_by,
                }
                for item in chunk
            ]

    return Rows(chunks)


@operation("stats", parse=no_args, writes=False)
def stats(conn: sqlite3.Connection, _: None, ctx: OpContext) -> dict[str, Any]:
    """The 0.12 flat counts, plus the newer `summary` (the same counts, and tombstones) and
    `recent_activity` (the last 24 hours of the audit trail)."""
    counts = graph.status_counts(conn)
    flat = {
        "total_issues": sum(counts.values()),
        "open_issues": counts.get("open", 0),
        # upstream's `hooked` (claimed by a worker) is work in progress too
        "in_progress_issues": sum(counts.get(s, 0) for s in IN_PROGRESS_STATUSES),
        "closed_issues": counts.get("closed", 0),
        "blocked_issues": graph.count_blocked(conn),
        "ready_issues": graph.count_ready(conn, ctx.now),
        "average_lead_time_hours": graph.average_lead_time_hours(conn),
    }
    tombstones = conn.execute("SELECT COUNT(*) FROM tombstones").fetchone()[0]
    return {
        **flat,
        "summary": {**flat, "tombstone_issues": int(tombstones)},
        "recent_activity": recent_activity(conn, ctx.now, hours=24),
    }


def recent_activity(conn: sqlite3.Connection, now: str, hours: int) -> dict[str, Any]:
    from datetime import timedelta

    from bd_trio.model import clock

    since = clock.format_ts(clock.parse_ts(now) - timedelta(hours=hours))
    counts = dict(
        conn.execute(
            "SELECT event_type, COUNT(DISTINCT issue_id) FROM events WHERE created_at >= ? "
            "GROUP BY event_type",
            (since,),
        ).fetchall()
    )
    total = conn.execute("SELECT COUNT(*) FROM events WHERE created_at >= ?", (since,)).fetchone()
    return {
        "hours_tracked": hours,
        "issues_created": int(counts.get("created", 0)),
        "issues_closed": int(counts.get("closed", 0)),
        "issues_updated": int(counts.get("updated", 0) + counts.get("status_changed", 0)),
        "issues_reopened": int(counts.get("reopened", 0)),
        "total_changes": int(total[0]),
    }


class SearchRequest:
    __slots__ = ("limit", "query", "status")

    def __init__(self, query: str, status: str | None, limit: int) -> None:
        self.query = query
        self.status = status
        self.limit = limit


def parse_search(a: Args) -> SearchRequest:
    query = a.text("query", required=True).strip()
    if not query:
        raise BdError("validation", "search: give some words to look for", field="query")
    status = a.text("status")
    return SearchRequest(
        query,
        validate.any_status(status) if status not in (None, "all") else None,
        a.integer("limit", 20, minimum=1),
    )


@operation("search", parse=parse_search, writes=False)
def search(
    conn: sqlite3.Connection, request: SearchRequest, ctx: OpContext
) -> list[dict[str, Any]]:
    """Issues whose title, description or notes hold every word (as a word or the start of
    one), best matches first: a title match counts most (full-text index, fast at 100k)."""
    # Each word quoted (no query syntax can break it) and matched as a prefix.
    words = [w.replace('"', '""') for w in request.query.split()]
    match = " AND ".join(f'"{w}"*' for w in words)
    sql = (
        f"SELECT {', '.join('i.' + c.strip() for c in ISSUE_COLUMNS.split(','))} "
        "FROM issues_fts JOIN issues i ON i.rowid = issues_fts.rowid "
        "WHERE issues_fts MATCH ?"
    )
    params: list[Any] = [match]
    if request.status is not None:
        sql += " AND i.status = ?"
        params.append(request.status)
    sql += " ORDER BY bm25(issues_fts, 10.0, 2.0, 1.0), i.priority, i.id LIMIT ?"
    params.append(request.limit)
    return [
        issue.to_dict() for issue in issues_from_rows(conn, conn.execute(sql, params).fetchall())
    ]
