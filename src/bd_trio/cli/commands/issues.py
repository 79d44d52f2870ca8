"""create, show, update, close, reopen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from bd_trio.cli import globals as g
from bd_trio.cli import reads
from bd_trio.cli.markdown_plan import parse_plan
from bd_trio.cli.output import emit_json, fail, out
from bd_trio.cli.parsing import comma_list, priority
from bd_trio.cli.session import backend, call, call_each
from bd_trio.errors import BdError


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(BdError("not_found", f"cannot read {path}: {exc.strerror}"))


def create(
    title_arg: str | None = typer.Argument(None, metavar="[TITLE]", help="Issue title"),
    title: str | None = typer.Option(None, "--title", help="Issue title (instead of TITLE)"),
    description: str | None = typer.Option(None, "--description", "-d"),
    design: str | None = typer.Option(None, "--design"),
    acceptance: str | None = typer.Option(None, "--acceptance", "--acceptance-criteria"),
    notes: str | None = typer.Option(None, "--notes"),
    prio: str | None = typer.Option(None, "--priority", "-p", help="0-4 or P0-P4 (default 2)"),
    issue_type: str | None = typer.Option(
        None, "--type", "-t", help="bug|feature|task|epic|chore (default task)"
    ),
    assignee: str | None = typer.Option(None, "--assignee", "-a"),
    labels: list[str] | None = typer.Option(None, "--labels", "-l", help="a,b (repeatable)"),
    issue_id: str | None = typer.Option(None, "--id", help="Explicit id (e.g. bd-42)"),
    external_ref: str | None = typer.Option(None, "--external-ref"),
    deps: str | None = typer.Option(None, "--deps", help="type:id,... (type defaults to blocks)"),
    file: Path | None = typer.Option(None, "--file", "-f", help="Create issues from Markdown"),
) -> None:
    """Create an issue (or several from a Markdown plan with -f)."""
    if file is not None:
        _create_from_plan(file)
        return
    if title_arg is not None and title is not None and title_arg != title:
        fail(BdError("validation", "give the title once: as TITLE or --title, not both"))
    args: dict[str, Any] = {"title": title if title is not None else title_arg or ""}
    try:
        p = priority(prio)
    except BdError as exc:
        fail(exc)
    optional = {
        "description": description,
        "design": design,
        "acceptance_criteria": acceptance,
        "notes": notes,
        "priority": p,
        "issue_type": issue_type,
        "assignee": assignee,
        "id": issue_id,
        "external_ref": external_ref,
    }
    args.update({k: v for k, v in optional.items() if v is not None})
    if labels:
        args["labels"] = comma_list(labels)
    if deps:
        args["dependencies"] = comma_list([deps])
    with backend() as be:
        issue = call(be, "create", args)
    if g.current.json:
        emit_json(issue)
        return
    out(f"Created issue: {issue['id']}")
    out(f"  Title: {issue['title']}")
    out(f"  Priority: P{issue['priority']}")
    out(f"  Status: {issue['status']}")


def _create_from_plan(path: Path) -> None:
    try:
        plan = parse_plan(_read_text(path), str(path))
    except BdError as exc:
        fail(exc)
    operations = [{"op": "create", "args": args} for args in plan]
    with backend() as be:
        result = call(be, "batch", {"operations": operations, "atomic": True})
    if not result["ok"]:
        bad = result["results"][-1]
        index = len(result["results"]) - 1
        fail(
            BdError(
                bad["error"]["code"],
                f"{path}: issue {index + 1} ({plan[index]['title']!r}): "
                f"{bad['error']['message']}; no issues were created",
            )
        )
    issues = [r["data"] for r in result["results"]]
    if g.current.json:
        emit_json(issues)
        return
    out(f"Created {len(issues)} issues from {path}:")
    for issue in issues:
        out(f"  {issue['id']}: {issue['title']} [P{issue['priority']}]")


def show(ids: list[str] = typer.Argument(..., metavar="ID...")) -> None:
    """Show issues with their dependencies, dependents and comments."""
    reads.run_show(ids)


def update(
    ids: list[str] = typer.Argument(..., metavar="ID..."),
    status: str | None = typer.Option(None, "--status", "-s"),
    prio: str | None = typer.Option(None, "--priority", "-p"),
    title: str | None = typer.Option(None, "--title"),
    description: str | None = typer.Option(None, "--description", "-d"),
    assignee: str | None = typer.Option(None, "--assignee", "-a"),
    design: str | None = typer.Option(None, "--design"),
    notes: str | None = typer.Option(None, "--notes"),
    acceptance: str | None = typer.Option(None, "--acceptance", "--acceptance-criteria"),
    external_ref: str | None = typer.Option(None, "--external-ref"),
    issue_type: str | None = typer.Option(None, "--type", "-t"),
) -> None:
    """Update fields of issues; only the flags given change anything."""
    try:
        p = priority(prio)
    except BdError as exc:
        fail(exc)
    changes = {
        k: v
        for k, v in {
            "status": status,
            "priority": p,
            "title": title,
            "description": description,
            "assignee": assignee,
            "design": design,
            "notes": notes,
            "acceptance_criteria": acceptance,
            "external_ref": external_ref,
            "issue_type": issue_type,
        }.items()
        if v is not None
    }
    with backend() as be:
        results, failed = call_each(be, ids, lambda i: ("update", {"id": i, **changes}))
    if g.current.json:
        emit_json(results)
    else:
        for issue in results:
            out(f"Updated issue: {issue['id']}")
    if failed:
        raise typer.Exit(1)


def close(
    ids: list[str] = typer.Argument(..., metavar="ID..."),
    reason: str = typer.Option("Closed", "--reason", "-r"),
) -> None:
    """Close issues."""
    with backend() as be:
        results, failed = call_each(be, ids, lambda i: ("close", {"id": i, "reason": reason}))
    if g.current.json:
        emit_json(results)
    else:
        for issue in results:
            out(f"Closed {issue['id']}: {reason}")
    if failed:
        raise typer.Exit(1)


def reopen(
    ids: list[str] = typer.Argument(..., metavar="ID..."),
    reason: str | None = typer.Option(None, "--reason", "-r"),
) -> None:
    """Reopen closed issues."""
    args: dict[str, Any] = {} if reason is None else {"reason": reason}
    with backend() as be:
        results, failed = call_each(be, ids, lambda i: ("reopen", {"id": i, **args}))
    if g.current.json:
        emit_json(results)
    else:
        for issue in results:
            out(f"Reopened {issue['id']}" + (f": {reason}" if reason else ""))
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(create)
    app.command()(show)
    app.command()(update)
    app.command()(close)
    app.command()(reopen)
