"""Hooks: commands run after a change, configured only where no repository can put them.

A repository must never be able to run a command on a machine because someone cloned or
pulled it, so hooks are read from ONE place, the user's own configuration directory, and never
from anything git carries (.beads/config.json, issues.jsonl, .gitattributes...):

    $XDG_CONFIG_HOME/bd-trio/hooks.json      (default ~/.config/bd-trio/hooks.json)

    {
      "/home/me/src/project": {                 <- a workspace root (absolute), or "*" for all
        "on_create": "notify-send new-issue",   <- a shell command, or ["argv", "list"]
        "on_close": ["/usr/local/bin/on-close"],
        "on_change": "logger -t bd",            <- every change
        "timeout": 10                           <- seconds per run (default 10)
      }
    }

Hook names are `on_` + a feed event (created -> `on_create` also accepted, as are
`on_created`, `on_closed`, `on_claimed` ...; see EVENT_HOOKS) and `on_change` for any change.
A workspace's entry wins over "*" hook by hook. The file is ignored, with a warning, when it
is not owned by the user or others may write it (then it could be someone else's command).

Each run gets the change and the issue as JSON on stdin: `{"change": {cursor, id, event,
actor, at, ...}, "issue": Issue or null}` (the issue as it stands when the hook runs: the
daemon runs hooks after answering, so a later change may be in already) and BD_EVENT,
BD_ISSUE_ID, BD_CURSOR, BD_WORKSPACE in its environment; it runs in the workspace root.
The daemon runs hooks after the COMMIT, in a task of its own, one at a time in feed order,
never in the writer's way (daemon/hooks.py); direct mode runs them in the command that made
the change, after its COMMIT (backend/direct_hooks.py). A run that exits non-zero or passes
its timeout (then it is killed) is logged, and counted in `bd daemon status`.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, NamedTuple

DEFAULT_TIMEOUT_S = 10.0

# Short hook names for the common events (besides on_<event> for every event).
EVENT_HOOKS = {
    "on_create": "created",
    "on_update": "updated",
    "on_close": "closed",
    "on_reopen": "reopened",
    "on_claim": "claimed",
    "on_comment": "commented",
    "on_delete": "deleted",
}
ANY = "on_change"


class Hook(NamedTuple):
    name: str
    argv: list[str]  # a shell command is ["/bin/sh", "-c", command]


class Hooks(NamedTuple):
    by_event: dict[str, list[Hook]]  # event -> hooks to run (on_<event> first, then on_change)
    any_change: list[Hook]
    timeout_s: float
    source: str  # the file they came from, for messages

    def for_event(self, event: str) -> list[Hook]:
        return self.by_event.get(event, []) + self.any_change

    @property
    def total(self) -> int:
        return sum(len(hooks) for hooks in self.by_event.values()) + len(self.any_change)


NO_HOOKS = Hooks({}, [], DEFAULT_TIMEOUT_S, "")


def hooks_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "bd-trio" / "hooks.json"


class HooksFile:
    """The hooks of a workspace, read again when hooks.json changed (a stat per look)."""

    def __init__(self, workspace_root: Path, warn: Any = None) -> None:
        self.root = workspace_root
        self.warn = warn
        self._signature: tuple[int, int, int, int] | None = None
        self.hooks = NO_HOOKS

    def current(self) -> Hooks:
        try:
            st = hooks_path().stat()
            signature = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode)
        except OSError:
            signature = None
        if signature != self._signature:
            self._signature = signature
            self.hooks = load(self.root, self.warn)
        return self.hooks


def load(workspace_root: Path, warn: Any = None) -> Hooks:
    """The hooks of a workspace (NO_HOOKS when none are configured); `warn(text)` hears why a
    file was ignored."""
    path = hooks_path()
    try:
        st = path.stat()
    except OSError:
        return NO_HOOKS
    if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        if warn is not None:
            warn(f"ignoring {path}: hooks must be owned by you and writable by you alone")
        return NO_HOOKS
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        if warn is not None:
            warn(f"ignoring {path}: {exc}")
        return NO_HOOKS
    if not isinstance(raw, dict):
        return NO_HOOKS
    entry: dict[str, Any] = {}
    for key in ("*", str(workspace_root.resolve())):
        if isinstance(raw.get(key), dict):
            entry.update(raw[key])
    by_event: dict[str, list[Hook]] = {}
    any_change: list[Hook] = []
    for name, value in sorted(entry.items()):
        argv = _argv(value)
        if argv is None or not name.startswith("on_"):
            continue
        hook = Hook(name, argv)
        if name == ANY:
            any_change.append(hook)
        else:
            event = EVENT_HOOKS.get(name, name.removeprefix("on_"))
            by_event.setdefault(event, []).append(hook)
    timeout = entry.get("timeout", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        timeout = DEFAULT_TIMEOUT_S
    return Hooks(by_event, any_change, float(timeout), str(path))


def _argv(value: object) -> list[str] | None:
    if isinstance(value, str) and value.strip():
        return ["/bin/sh", "-c", value]
    if isinstance(value, list) and value and all(isinstance(x, str) for x in value):
        return list(value)
    return None


def payload(change: dict[str, Any], issue: dict[str, Any] | None) -> bytes:
    return json.dumps({"change": change, "issue": issue}, ensure_ascii=False).encode() + b"\n"


def environment(change: dict[str, Any], workspace_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BD_EVENT=str(change["event"]),
        BD_ISSUE_ID=str(change["id"]),
        BD_CURSOR=str(change["cursor"]),
        BD_WORKSPACE=str(workspace_root),
    )
    return env


class HookStats:
    """What `bd daemon status` shows about hooks."""

    def __init__(self) -> None:
        self.configured = 0
        self.ran = 0
        self.failed = 0
        self.last_error: str | None = None

    def failure(self, text: str) -> None:
        self.failed += 1
        self.last_error = text

    def to_dict(self) -> dict[str, Any]:
        return {
            "configured": self.configured,
            "ran": self.ran,
            "failed": self.failed,
            "last_error": self.last_error,
        }
