"""sync, delete, merge-driver: the handlers (declared in cli/table.py)."""

from __future__ import annotations

import sys
from typing import Any

from bd_trio.backend.daemon import DaemonBackend
from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, err, note, out, usage
from bd_trio.cli.session import backend, call
from bd_trio.model.durations import DEFAULT_SYNC_TIMEOUT_S, parse_duration

# How much longer than the sync's deadline the CLI waits for the daemon's answer (the last
# attempt may start just before the deadline).
SYNC_ANSWER_GRACE_S = 60.0


def sync(
    message: str | None = None,
    no_pull: bool = False,
    no_push: bool = False,
    dry_run: bool = False,
    status: bool = False,
    timeout: str | None = None,
) -> None:
    """Exchange issues with the remote through git (see sync/gitsync.py)."""
    if status:
        if message is not None or no_pull or no_push or dry_run or timeout is not None:
            usage(
                "--status changes nothing: it goes without -m, --no-pull, --no-push, "
                "--dry-run, --timeout"
            )
        from bd_trio.cli.commands.syncstatus import status as show_status

        show_status()
        return
    args: dict[str, Any] = {
        "message": message or "bd sync: update issues",
        "pull": not no_pull,
        "push": not no_push,
        "dry_run": dry_run,
    }
    if timeout is not None:
        args["timeout"] = timeout  # checked by the operation (a clear error, nothing done)
    with backend() as be:
        if isinstance(be, DaemonBackend):  # the daemon answers when the sync is done
            seconds = parse_duration(timeout) if timeout is not None else None
            be.client.set_timeout((seconds or DEFAULT_SYNC_TIMEOUT_S) + SYNC_ANSWER_GRACE_S)
        summary = call(be, "sync", args)
    if g.current.json:
        emit_json(summary)
        return
    for step in summary["steps"]:
        note(f"  {step}")
    for old, new in summary["renumbered"].items():
        out(f"Renumbered {old} -> {new} (the remote already has {old})")
    retried = (
        f" after {summary['attempts']} attempts ({summary['elapsed_s']:.1f} s)"
        if summary.get("rejected")
        else ""
    )
    out(
        f"Sync complete: {summary['pulled']} issues pulled, "
        f"{'pushed' + retried if summary['pushed'] else 'not pushed'}"
        f"{', ' + str(summary['deleted']) + ' deleted' if summary['deleted'] else ''}"
        f"{'' if summary['remote'] else ' (no remote: committed locally)'}"
    )


def delete(ids: list[str], force: bool = False) -> None:
    """Delete issues (tombstones carry the deletion to other clones); --force to do it."""
    with backend() as be:
        result = call(be, "delete", {"ids": ids, "force": force})
    if g.current.json:
        emit_json(result)
        return
    verb = "Deleted" if result["deleted"] else "Would delete"
    for item in result["issues"]:
        out(f"{verb} {item['id']}: {item['title']}")
        if item["dependents"]:
            out(f"  depended on by: {', '.join(item['dependents'])} (those dependencies go too)")
        if item["depends_on"]:
            out(f"  its dependencies on: {', '.join(item['depends_on'])}")
    if not result["deleted"]:
        out("Nothing changed: run again with --force to delete")


def merge_driver(base: str, ours: str, theirs: str) -> None:
    """What git runs to merge issues.jsonl (registered by bd in each clone)."""
    from bd_trio.errors import BdError
    from bd_trio.sync.gitsetup import merge_driver as run

    try:
        run(base, ours, theirs)
    except BdError as exc:  # git leaves the conflict; the message is printed inert
        err(f"bd merge-driver: {exc.message}")
        sys.exit(1)
