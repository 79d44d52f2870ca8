"""Human-readable text for issues and results (the --json shapes are the ops' own data)."""

from __future__ import annotations

from typing import Any

from bd_trio.cli.output import style

STATUS_COLORS = {"open": "32", "in_progress": "33", "blocked": "31", "closed": "90"}


def priority_tag(priority: int) -> str:
    return style(f"[P{priority}]", "1;31" if priority <= 1 else "0")


def status_text(status: str) -> str:
    return style(status, STATUS_COLORS.get(status, "0"))


def issue_block(issue: dict[str, Any]) -> list[str]:
    """The block `list` prints per issue."""
    lines = [
        f"{style(issue['id'], '1')} {priority_tag(issue['priority'])} "
        f"[{issue['issue_type']}] {status_text(issue['status'])}",
        f"  {issue['title']}",
    ]
    if issue.get("assignee"):
        lines.append(f"  Assignee: {issue['assignee']}")
    if issue.get("labels"):
        lines.append(f"  Labels: [{', '.join(issue['labels'])}]")
    return lines


def epic_progress(entry: dict[str, Any]) -> list[str]:
    """`epic status`: the epic, then `Progress: 2/3 children closed (66%)`."""
    epic, total, closed = entry["epic"], entry["total_children"], entry["closed_children"]
    percent = closed * 100 // total if total else 0
    mark = "✓" if entry["eligible_for_close"] else "○"
    lines = [
        f"{mark} {style(epic['id'], '1')} {epic['title']}",
        f"   Progress: {closed}/{total} children closed ({percent}%)",
    ]
    if entry["eligible_for_close"]:
        lines.append("   Eligible for closure")
    return lines


def id_list(ids: list[str]) -> list[str]:
    return [f"  - {issue_id}" for issue_id in ids]


def tree(issues: list[dict[str, Any]], parents: dict[str, str]) -> list[str]:
    """`list --tree`: each issue under its parent (parent-child), in list order per level;
    an issue whose parent is not in the list is a root."""
    listed = {issue["id"] for issue in issues}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for issue in issues:
        parent = parents.get(issue["id"])
        children.setdefault(parent if parent in listed else None, []).append(issue)
    lines: list[str] = []
    seen: set[str] = set()

    def walk(parent: str | None, prefix: str) -> None:
        kids = [kid for kid in children.get(parent, []) if kid["id"] not in seen]
        for index, issue in enumerate(kids):
            seen.add(issue["id"])
            last = index == len(kids) - 1
            branch = "" if parent is None else ("└── " if last else "├── ")
            lines.append(
                f"{prefix}{branch}{style(issue['id'], '1')} {priority_tag(issue['priority'])} "
                f"[{issue['issue_type']}] {status_text(issue['status'])} {issue['title']}"
            )
            walk(issue["id"], prefix if parent is None else prefix + ("    " if last else "│   "))

    walk(None, "")
    for issue in issues:  # a parent-child cycle (imports can bring one): still listed
        if issue["id"] not in seen:
            seen.add(issue["id"])
            lines.append(f"{issue['id']} {issue['title']}")
    return lines


def claim_text(claim: dict[str, Any] | None) -> str:
    """`w1, token 5, until 2026-11-29T12:04:05Z` (or `no expiry`)."""
    if not claim:
        return "not claimed"
    expires = claim.get("expires_at")
    until = f"until {expires}" if expires else "no expiry"
    return f"{claim['holder']}, token {claim['token']}, {until}"


def one_line(issue: dict[str, Any]) -> str:
    return f"{priority_tag(issue['priority'])} {issue['id']}: {issue['title']}"


def show(issue: dict[str, Any]) -> list[str]:
    lines = [
        style(f"{issue['id']}: {issue['title']}", "1"),
        f"Status: {status_text(issue['status'])}",
        f"Priority: P{issue['priority']}",
        f"Type: {issue['issue_type']}",
    ]
    if issue.get("assignee"):
        lines.append(f"Assignee: {issue['assignee']}")
    if issue.get("owner"):
        lines.append(f"Owner: {issue['owner']}")
    if issue.get("claim"):
        lines.append(f"Claimed by: {claim_text(issue['claim'])}")
    if issue.get("external_ref"):
        lines.append(f"External Ref: {issue['external_ref']}")
    lines.append(f"Created: {issue['created_at']}")
    lines.append(f"Updated: {issue['updated_at']}")
    if issue.get("started_at"):
        lines.append(f"Started: {issue['started_at']}")
    if issue.get("defer_until"):
        lines.append(f"Deferred until: {issue['defer_until']}")
    if issue.get("closed_at"):
        lines.append(f"Closed: {issue['closed_at']}")
    if issue.get("close_reason"):
        lines.append(f"Close reason: {issue['close_reason']}")
    if issue.get("labels"):
        lines.append(f"Labels: [{', '.join(issue['labels'])}]")
    for title, key in (
        ("Description", "description"),
        ("Design", "design"),
        ("Acceptance Criteria", "acceptance_criteria"),
        ("Notes", "notes"),
    ):
        if issue.get(key):
            lines.append("")
            lines.append(f"{title}:")
            lines.extend(f"  {line}" for line in issue[key].splitlines())
    deps = issue.get("dependencies") or []
    if deps:
        lines.append("")
        lines.append(f"Depends on ({len(deps)}):")
        lines.extend(
            f"  → {d['id']}: {d['title']} [P{d['priority']}] ({d['dependency_type']}, "
            f"{d['status']})"
            for d in deps
        )
    dependents = issue.get("dependents") or []
    if dependents:
        lines.append("")
        lines.append(f"Blocks ({len(dependents)}):")
        lines.extend(
            f"  ← {d['id']}: {d['title']} [P{d['priority']}] ({d['dependency_type']}, "
            f"{d['status']})"
            for d in dependents
        )
    comments = issue.get("comments") or []
    if comments:
        lines.append("")
        lines.append(f"Comments ({len(comments)}):")
        for comment in comments:
            lines.extend(comment_lines(comment))
    return lines


def comment_lines(comment: dict[str, Any]) -> list[str]:
    head = f"  [{comment['author']}] at {comment['created_at']}"
    return [head, *(f"    {line}" for line in comment["text"].splitlines())]
