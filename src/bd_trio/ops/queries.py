"""Read-only views over many issues: list, ready, blocked, stats."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from bd_trio.model import validate
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import no_args, operation
from bd_trio.ops.rows import Rows
from bd_trio.store import graph
from bd_trio.store.issues import ListFilter, list_issues


def parse_list(a: Args) -> ListFilter:
    status = a.text("status")
    if status is not None and status.strip().lower() in ("all", "any", ""):
        status = None
    return ListFilter(
        status=validate.status(status).value if status is not None else None,
        priority=a.checked("priority", validate.priority),
        assignee=a.text("assignee"),
        issue_type=a.checked("issue_type", lambda v: validate.issue_type(v).value),
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


def parse_ready(a: Args) -> dict[str, Any]:
    return {
        "limit": a.integer("limit", 10, minimum=0),
        "priority": a.checked("priority", validate.priority),
        "assignee": a.text("assignee"),
    }


@operation("ready", parse=parse_ready, writes=False)
def ready(conn: sqlite3.Connection, opts: dict[str, Any], ctx: OpContext) -> list[dict[str, Any]]:
    return [issue.to_dict() for issue in graph.ready_issues(conn, **opts)]


@operation("blocked", parse=no_args, writes=False)
def blocked(conn: sqlite3.Connection, _: None, ctx: OpContext) -> Rows:
    """Issue + blocked_by_count, blocked_by; in chunks (Rows): the answer can be most of a
    big database."""

    def chunks() -> Iterator[list[dict[str, Any]]]:
        for chunk in graph.iter_blocked(conn):
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
    counts = graph.status_counts(conn)
    return {
        "total_issues": sum(counts.values()),
        "open_issues": counts.get("open", 0),
        "in_progress_issues": counts.get("in_progress", 0),
        "closed_issues": counts.get("closed", 0),
        "blocked_issues": graph.count_blocked(conn),
        "ready_issues": graph.count_ready(conn),
        "average_lead_time_hours": graph.average_lead_time_hours(conn),
    }
