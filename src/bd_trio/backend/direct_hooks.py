"""Direct mode's hooks (configuration: bd_trio/hookconfig.py): the command that made a change
runs the matching hooks itself, after its COMMIT, one at a time in feed order, each with its
timeout (a run past it is killed). Failures become notices on stderr; the command's own
result and exit status stay what they were (the change is committed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bd_trio import hookconfig
from bd_trio.store import Store, feed
from bd_trio.store import issues as rows


def run(store: Store, root: Path, after: int, upto: int, notices: list[str]) -> None:
    """Run the hooks of the changes with cursors in (after, upto]."""
    hooks = hookconfig.load(root, lambda text: notices.append(f"bd: warning: {text}"))
    if not hooks.total:
        return
    with store.read() as conn:
        changes = feed.changes_since(conn, after, upto - after)
        issues = {}
        for change in changes:
            found = rows.get_issue(conn, change["id"])
            issues[change["id"]] = None if found is None else found.to_dict()
    for change in changes:
        for hook in hooks.for_event(change["event"]):
            failure = _run_one(hook, change, issues[change["id"]], hooks.timeout_s, root)
            if failure is not None:
                notices.append(
                    f"bd: hook {hook.name} for {change['event']} of {change['id']} {failure}"
                )


def _run_one(
    hook: hookconfig.Hook,
    change: dict[str, object],
    issue: dict[str, object] | None,
    timeout_s: float,
    root: Path,
) -> str | None:
    try:
        done = subprocess.run(
            hook.argv,
            input=hookconfig.payload(change, issue),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout_s,
            cwd=root,
            env=hookconfig.environment(change, root),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"was killed after {timeout_s:g} s (its timeout)"
    except OSError as exc:
        return f"could not start: {exc}"
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip()[-300:]
        return f"exited {done.returncode}: {tail}"
    return None
