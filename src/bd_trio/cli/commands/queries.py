"""list, ready, blocked, stats, stale: the handlers (declared in cli/table.py)."""

from __future__ import annotations

from typing import Any

from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, out, usage
from bd_trio.cli.parsing import comma_list, priority
from bd_trio.cli.session import backend, call


def list_issues(
    status: str | None = None,
    prio: str | None = None,
    assignee: str | None = None,
    issue_type: str | None = None,
    label: list[str] | None = None,
    label_any: list[str] | None = None,
    title: str | None = None,
    ids: str | None = None,
    limit: int = 0,
    no_assignee: bool = False,
    parent: str | None = None,
    tree: bool | None = None,
    pretty: bool = False,
    flat: bool = False,
) -> None:
    """List issues, highest priority first, newest first within a priority."""
    p = priority(prio)
    args: dict[str, Any] = {"limit": limit}
    for key, value in {
        "status": status,
        "priority": p,
        "assignee": assignee,
        "issue_type": issue_type,
        "title": title,
        "parent": parent,
    }.items():
        if value is not None:
            args[key] = value
    if label:
        args["labels"] = comma_list(label)
    if label_any:
        args["labels_any"] = comma_list(label_any)
    if ids:
        args["ids"] = comma_list([ids])
    if no_assignee:
        args["no_assignee"] = True
    as_tree = (bool(tree) or pretty) and not flat and not g.current.json
    with backend() as be:
        issues = call(be, "list", args)
        parents = call(be, "parent_links", {"ids": [i["id"] for i in issues]}) if as_tree else {}
    if g.current.json:
        emit_json(issues)
        return
    from bd_trio.cli import render  # human output only

    if as_tree:
        out(f"Found {len(issues)} issues:")
        for line in render.tree(issues, parents):
            out(line)
        return
    out(f"Found {len(issues)} issues:")
    for issue in issues:
        out()
        for line in render.issue_block(issue):
            out(line)


def ready(
    limit: int = 10,
    prio: str | None = None,
    assignee: str | None = None,
    claim: bool = False,
    lease: str | None = None,
    issue_type: str | None = None,
    label: list[str] | None = None,
    label_any: list[str] | None = None,
    unassigned: bool = False,
    sort: str | None = None,
    parent: str | None = None,
) -> None:
    """Open issues with nothing blocking them: what to work on next. With --claim: claim the
    first one you may take, in one step (exactly one caller gets each issue)."""
    p = priority(prio)
    args: dict[str, Any] = {} if claim else {"limit": limit}
    if p is not None:
        args["priority"] = p
    if assignee is not None:
        args["assignee"] = assignee
    filters = {
        "issue_type": issue_type,
        "labels": comma_list(label) or None,
        "labels_any": comma_list(label_any) or None,
        "unassigned": unassigned or None,
        "sort": sort,
        "parent": parent,
    }
    if claim and any(value is not None for value in filters.values()):
        usage("--claim takes --priority and --assignee; the other filters go with plain ready")
    args.update({k: v for k, v in filters.items() if v is not None})
    if lease is not None:
        if not claim:
            usage("--lease goes with --claim")
        args["lease"] = lease
    with backend() as be:
        issues = call(be, "ready_claim" if claim else "ready", args)
    if g.current.json:
        emit_json(issues)
        return
    from bd_trio.cli import render  # human output only

    if claim:
        if issues:
            issue = issues[0]
            out(f"Claimed {issue['id']}: {issue['title']}")
            out(f"  {render.claim_text(issue.get('claim'))}")
        else:
            out("No ready work")
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


def stale(hours: float = 24.0) -> None:
    """In-progress issues whose claim expired or with no activity for HOURS."""
    with backend() as be:
        issues = call(be, "stale", {"hours": hours})
    if g.current.json:
        emit_json(issues)
        return
    from bd_trio.cli import render  # human output only

    if not issues:
        out(f"No stale issues (in progress, idle for {hours:g} h or with an expired claim)")
        return
    out(f"Stale issues ({len(issues)}):")
    for issue in issues:
        out()
        out(render.one_line(issue))
        holder = issue.get("holder") or "nobody"
        out(f"  {issue['stale_reason']}: held by {holder}, idle {issue['idle_hours']:.1f} h")


def blocked(parent: str | None = None) -> None:
    """Issues waiting on open blockers."""
    with backend() as be:
        issues = call(be, "blocked", {} if parent is None else {"parent": parent})
    if g.current.json:
        emit_json(issues)
        return
    from bd_trio.cli import render  # human output only

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


def search(query: list[str], limit: int = 20, status: str | None = None) -> None:
    """Full-text search of titles, descriptions and notes."""
    args: dict[str, Any] = {"query": " ".join(query), "limit": limit}
    if status is not None:
        args["status"] = status
    with backend() as be:
        issues = call(be, "search", args)
    if g.current.json:
        emit_json(issues)
        return
    from bd_trio.cli import render  # human output only

    out(f"Found {len(issues)} issues matching {' '.join(query)!r}:")
    for issue in issues:
        out(f"  {render.one_line(issue)} ({issue['status']})")
