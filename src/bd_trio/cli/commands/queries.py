"""list, ready, blocked, stats."""

from __future__ import annotations

from typing import Any

import typer

from bd_trio.cli import globals as g
from bd_trio.cli import render
from bd_trio.cli.output import emit_json, fail, out
from bd_trio.cli.parsing import comma_list, priority
from bd_trio.cli.session import backend, call
from bd_trio.errors import BdError


def list_(
    status: str | None = typer.Option(None, "--status", "-s", help="Status, or 'all'"),
    prio: str | None = typer.Option(None, "--priority", "-p"),
    assignee: str | None = typer.Option(None, "--assignee", "-a"),
    issue_type: str | None = typer.Option(None, "--type", "-t"),
    label: list[str] | None = typer.Option(None, "--label", "-l", help="Has all of these"),
    label_any: list[str] | None = typer.Option(None, "--label-any", help="Has any of these"),
    title: str | None = typer.Option(None, "--title", help="Title contains (any case)"),
    ids: str | None = typer.Option(None, "--id", help="Only these ids: a,b"),
    limit: int = typer.Option(0, "--limit", "-n", help="At most N (0 = all)"),
) -> None:
    """List issues, highest priority first, newest first within a priority."""
    try:
        p = priority(prio)
    except BdError as exc:
        fail(exc)
    args: dict[str, Any] = {"limit": limit}
    for key, value in {
        "status": status,
        "priority": p,
        "assignee": assignee,
        "issue_type": issue_type,
        "title": title,
    }.items():
        if value is not None:
            args[key] = value
    if label:
        args["labels"] = comma_list(label)
    if label_any:
        args["labels_any"] = comma_list(label_any)
    if ids:
        args["ids"] = comma_list([ids])
    with backend() as be:
        issues = call(be, "list", args)
    if g.current.json:
        emit_json(issues)
        return
    out(f"Found {len(issues)} issues:")
    for issue in issues:
        out()
        for line in render.issue_block(issue):
            out(line)


def ready(
    limit: int = typer.Option(10, "--limit", "-n", help="At most N (0 = all)"),
    prio: str | None = typer.Option(None, "--priority", "-p"),
    assignee: str | None = typer.Option(None, "--assignee", "-a"),
) -> None:
    """Open issues with nothing blocking them: what to work on next."""
    try:
        p = priority(prio)
    except BdError as exc:
        fail(exc)
    args: dict[str, Any] = {"limit": limit}
    if p is not None:
        args["priority"] = p
    if assignee is not None:
        args["assignee"] = assignee
    with backend() as be:
        issues = call(be, "ready", args)
    if g.current.json:
        emit_json(issues)
        return
    if not issues:
        out("No ready work found")
        return
    out(f"Ready work ({len(issues)} issues with no blockers):")
    out()
    for number, issue in enumerate(issues, start=1):
        out(f"{number}. {render.one_line(issue)}")
        if issue.get("assignee"):
            out(f"   Assignee: {issue['assignee']}")


def blocked() -> None:
    """Issues waiting on open blockers."""
    with backend() as be:
        issues = call(be, "blocked", {})
    if g.current.json:
        emit_json(issues)
        return
    if not issues:
        out("No blocked issues")
        return
    out(f"Blocked issues ({len(issues)}):")
    for issue in issues:
        out()
        out(render.one_line(issue))
        out(
            f"  Blocked by {issue['blocked_by_count']} open dependencies: "
            f"[{', '.join(issue['blocked_by'])}]"
        )


def stats() -> None:
    """Counts of issues by state."""
    with backend() as be:
        data = call(be, "stats", {})
    if g.current.json:
        emit_json(data)
        return
    out("Issue Statistics:")
    out()
    out(f"Total Issues: {data['total_issues']}")
    out(f"Open: {data['open_issues']}")
    out(f"In Progress: {data['in_progress_issues']}")
    out(f"Closed: {data['closed_issues']}")
    out(f"Blocked: {data['blocked_issues']}")
    out(f"Ready: {data['ready_issues']}")
    if data["average_lead_time_hours"]:
        out(f"Avg Lead Time: {data['average_lead_time_hours']:.1f} hours")


def register(app: typer.Typer) -> None:
    app.command("list")(list_)
    app.command()(ready)
    app.command()(blocked)
    app.command()(stats)
