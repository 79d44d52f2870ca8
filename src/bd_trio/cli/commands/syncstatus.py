"""`bd sync --status`: the handler (the sync command is declared in cli/table.py; what a sync
would do is found by sync/status.py)."""

from __future__ import annotations

from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, fail, out
from bd_trio.cli.session import backend, call
from bd_trio.errors import BdError
from bd_trio.sync.git import GitError


def status() -> None:
    """What a sync would do (sync/status.py), changing nothing."""
    from pathlib import Path

    from bd_trio.sync.status import sync_status
    from bd_trio.workspace import discover

    with backend() as be:
        dirty = int(call(be, "info", {}).get("dirty_issues", 0))
    try:
        workspace = discover(g.current.db)
        report = sync_status(Path(workspace.root), workspace.beads_dir, dirty)
    except BdError as exc:
        fail(exc)
    except GitError as exc:
        fail(BdError("unavailable", str(exc)))
    if g.current.json:
        emit_json(report)
        return
    where = f"{report['remote']}/{report['remote_branch']}" if report["remote"] else "(no remote)"
    out(f"Branch: {report['branch']}  Remote: {where}")
    out(f"Unpushed commits: {report['ahead']}")
    for line in report["unpushed_commits"]:
        out(f"  {line}")
    known = "" if report["remote_known"] else " (not fetched yet)"
    out(f"Remote ahead (as of the last fetch): {report['behind']}{known}")
    for line in report["remote_commits"]:
        out(f"  {line}")
    out(f"issues.jsonl uncommitted: {'yes' if report['jsonl_uncommitted'] else 'no'}")
    out(f"Issues not yet exported: {report['dirty_issues']}")
    out("A sync would:")
    for step in report["would"]:
        out(f"  - {step}")
