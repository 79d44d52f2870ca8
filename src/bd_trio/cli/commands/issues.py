"""create, show, update, close, reopen: typer bindings (the work is in bd_trio.cli.writes and
bd_trio.cli.reads)."""

from __future__ import annotations

from pathlib import Path

import typer

from bd_trio.cli import reads, writes
from bd_trio.cli.commands.options import if_claimed_option, lease_option


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
    writes.run_create(
        title_arg=title_arg,
        title=title,
        description=description,
        design=design,
        acceptance=acceptance,
        notes=notes,
        prio=prio,
        issue_type=issue_type,
        assignee=assignee,
        labels=labels,
        issue_id=issue_id,
        external_ref=external_ref,
        deps=deps,
        file=file,
    )


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
    claim: bool = typer.Option(
        False, "--claim", help="Claim it: in progress, assigned to you (one winner)"
    ),
    lease: str | None = lease_option(),
    unclaim: bool = typer.Option(False, "--unclaim", help="Release your claim: back to open"),
    force: bool = typer.Option(False, "--force", help="With --unclaim: release anyone's claim"),
    if_claimed: int | None = if_claimed_option(),
) -> None:
    """Update fields of issues; only the flags given change anything. --claim takes the issue
    for you (exactly one caller wins), --unclaim releases it."""
    writes.run_update(
        ids,
        status=status,
        prio=prio,
        title=title,
        description=description,
        assignee=assignee,
        design=design,
        notes=notes,
        acceptance=acceptance,
        external_ref=external_ref,
        issue_type=issue_type,
        claim=claim,
        lease=lease,
        unclaim=unclaim,
        force=force,
        if_claimed=if_claimed,
    )


def close(
    ids: list[str] = typer.Argument(..., metavar="ID..."),
    reason: str = typer.Option("Closed", "--reason", "-r"),
    if_claimed: int | None = if_claimed_option(),
) -> None:
    """Close issues (with --if-claimed: only while that claim is current)."""
    writes.run_close(ids, reason, if_claimed)


def heartbeat(
    ids: list[str] = typer.Argument(..., metavar="ID..."),
    lease: str | None = lease_option(),
) -> None:
    """Renew your claims' leases (the holder only)."""
    writes.run_heartbeat(ids, lease)


def reopen(
    ids: list[str] = typer.Argument(..., metavar="ID..."),
    reason: str | None = typer.Option(None, "--reason", "-r"),
) -> None:
    """Reopen closed issues."""
    writes.run_reopen(ids, reason)


def register(app: typer.Typer) -> None:
    app.command()(create)
    app.command()(show)
    app.command()(update)
    app.command()(close)
    app.command()(reopen)
    app.command()(heartbeat)
