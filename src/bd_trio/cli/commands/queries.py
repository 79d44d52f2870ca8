"""list, ready, blocked, stats: typer bindings (the work is in bd_trio.cli.reads)."""

from __future__ import annotations

import typer

from bd_trio.cli import reads
from bd_trio.cli.commands.options import lease_option


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
    reads.run_list(status, prio, assignee, issue_type, label, label_any, title, ids, limit)


def ready(
    limit: int = typer.Option(10, "--limit", "-n", help="At most N (0 = all)"),
    prio: str | None = typer.Option(None, "--priority", "-p"),
    assignee: str | None = typer.Option(None, "--assignee", "-a"),
    claim: bool = typer.Option(
        False, "--claim", help="Claim the first one you may take (one winner per issue)"
    ),
    lease: str | None = lease_option(),
) -> None:
    """Open issues with nothing blocking them: what to work on next. With --claim: claim the
    first one you may take, in one step."""
    reads.run_ready(limit, prio, assignee, claim, lease)


def stale(
    hours: float = typer.Option(24.0, "--hours", help="Idle for at least this many hours"),
) -> None:
    """In-progress issues whose claim expired or with no activity for --hours."""
    reads.run_stale(hours)


def blocked() -> None:
    """Issues waiting on open blockers."""
    reads.run_blocked()


def stats() -> None:
    """Counts of issues by state."""
    reads.run_stats()


def register(app: typer.Typer) -> None:
    app.command("list")(list_)
    app.command()(ready)
    app.command()(blocked)
    app.command()(stats)
    app.command()(stale)
