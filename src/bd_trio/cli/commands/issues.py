"""create, show, update, close, reopen, heartbeat: the handlers (declared in cli/table.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, fail, out, usage
from bd_trio.cli.parsing import comma_list, priority
from bd_trio.cli.session import backend, call, call_each, run_each
from bd_trio.errors import BdError

if TYPE_CHECKING:
    from pathlib import Path


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(BdError("not_found", f"cannot read {path}: {exc.strerror}"))
    except UnicodeDecodeError as exc:
        fail(BdError("validation", f"{path} is not UTF-8 text (byte {exc.start})"))


def create(
    title_arg: str | None = None,
    title: str | None = None,
    description: str | None = None,
    design: str | None = None,
    acceptance: str | None = None,
    notes: str | None = None,
    prio: str | None = None,
    issue_type: str | None = None,
    assignee: str | None = None,
    labels: list[str] | None = None,
    issue_id: str | None = None,
    external_ref: str | None = None,
    deps: str | None = None,
    file: Path | None = None,
) -> None:
    """Create an issue (or several from a Markdown plan with -f)."""
    if file is not None:
        _create_from_plan(file)
        return
    if title_arg is not None and title is not None and title_arg != title:
        fail(BdError("validation", "give the title once: as TITLE or --title, not both"))
    args: dict[str, Any] = {"title": title if title is not None else title_arg or ""}
    p = priority(prio)
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
    from bd_trio.cli.markdown_plan import parse_plan

    plan = parse_plan(_read_text(path), str(path))
    operations = [{"op": "create", "args": args} for args in plan]
    from bd_trio.cli.progress import ProgressBar

    with backend() as be, ProgressBar(f"create -f {path.name}") as bar:
        result = call(be, "batch", {"operations": operations, "atomic": True}, bar.listener)
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


def update(
    ids: list[str],
    status: str | None = None,
    prio: str | None = None,
    title: str | None = None,
    description: str | None = None,
    assignee: str | None = None,
    design: str | None = None,
    notes: str | None = None,
    acceptance: str | None = None,
    external_ref: str | None = None,
    issue_type: str | None = None,
    claim: bool = False,
    lease: str | None = None,
    unclaim: bool = False,
    force: bool = False,
    if_claimed: int | None = None,
) -> None:
    """Update fields of issues; only the flags given change anything. --claim takes the issue
    for the caller (exactly one caller wins), --unclaim releases it."""
    p = priority(prio)
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
    if unclaim:
        if claim or changes or lease is not None or if_claimed is not None:
            usage("--unclaim goes alone (with --force at most): release first, then update")
        run_each(
            "unclaim",
            ids,
            lambda i: {"id": i, "force": force},
            lambda r: f"Released {r['id']}: {r['status']}, unassigned",
        )
        return
    if force:
        usage("--force goes with --unclaim")
    if lease is not None and not claim:
        usage("--lease goes with --claim")
    if claim:
        changes["claim"] = True
        if lease is not None:
            changes["lease"] = lease
    if if_claimed is not None:
        changes["if_claimed"] = if_claimed
    describe = _claimed if claim else (lambda r: f"Updated issue: {r['id']}")
    run_each("update", ids, lambda i: {"id": i, **changes}, describe)


def _claim_text(issue: dict[str, Any]) -> str:
    from bd_trio.cli import render  # human output only

    return render.claim_text(issue.get("claim"))


def _claimed(issue: dict[str, Any]) -> str:
    return f"Claimed {issue['id']}: {issue['title']} ({_claim_text(issue)})"


def close(
    ids: list[str],
    reason: str = "Closed",
    if_claimed: int | None = None,
) -> None:
    """Close issues (with --if-claimed: only while that claim is current)."""
    fence = {} if if_claimed is None else {"if_claimed": if_claimed}
    run_each(
        "close",
        ids,
        lambda i: {"id": i, "reason": reason, **fence},
        lambda r: f"Closed {r['id']}: {reason}",
    )


def heartbeat(ids: list[str], lease: str | None = None) -> None:
    """Renew your claims' leases (the holder only)."""
    extra = {} if lease is None else {"lease": lease}
    run_each(
        "heartbeat",
        ids,
        lambda i: {"id": i, **extra},
        lambda r: f"Renewed {r['id']}: {_claim_text(r)}",
    )


def reopen(
    ids: list[str],
    reason: str | None = None,
) -> None:
    """Reopen closed issues."""
    args: dict[str, Any] = {} if reason is None else {"reason": reason}
    suffix = f": {reason}" if reason else ""
    run_each("reopen", ids, lambda i: {"id": i, **args}, lambda r: f"Reopened {r['id']}{suffix}")


def show(ids: list[str]) -> None:
    """Show issues with their dependencies, dependents and comments."""
    with backend() as be:
        results, failed = call_each(be, "show", ids, lambda i: {"id": i})
    if g.current.json:
        emit_json(results)
    else:
        from bd_trio.cli import render  # human output only

        for index, issue in enumerate(results):
            if index:
                out()
            for line in render.show(issue):
                out(line)
    if failed:
        raise SystemExit(1)
