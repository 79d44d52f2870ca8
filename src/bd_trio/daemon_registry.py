"""The per-user registry of running daemons, for `bd daemons list|health|logs|stop|...`.

Where it lives: `$BD_DAEMON_REGISTRY` if set, else `$XDG_RUNTIME_DIR/bd-trio/daemons`, else
`~/.cache/bd-trio/daemons` (a 0700 directory). Each daemon writes one file,
`<pid>-<hash of its .beads path>.json`, when it starts serving and removes it when it stops
(one file per daemon: several run in one process in the tests); one file each means no
read-modify-write of a shared file, so daemons starting together never lose each other's
entries. A daemon killed with SIGKILL leaves its file behind: a reader prunes entries whose
process is gone or no longer holds its workspace's lock (a reused pid), so the registry only
ever lists live daemons. No trio here: the CLI and the daemon both use it.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from bd_trio.daemon_state import held, read_pid

ENV = "BD_DAEMON_REGISTRY"


def registry_dir() -> str:
    override = os.environ.get(ENV)
    if override:
        return os.path.abspath(os.path.expanduser(override))
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return os.path.join(runtime, "bd-trio", "daemons")
    return os.path.join(os.path.expanduser("~"), ".cache", "bd-trio", "daemons")


def _entry_path(pid: int, beads_dir: str) -> str:
    # The pid and the workspace: tests run several daemons in one process.
    import hashlib

    digest = hashlib.sha256(os.fsencode(beads_dir)).hexdigest()[:12]
    return os.path.join(registry_dir(), f"{pid}-{digest}.json")


def register(entry: dict[str, Any]) -> str:
    """Write this daemon's entry (atomically: readers never see half a file)."""
    directory = registry_dir()
    os.makedirs(directory, mode=0o700, exist_ok=True)
    path = _entry_path(int(entry["pid"]), str(entry["beads_dir"]))
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(entry, handle)
    os.replace(tmp, path)
    return path


def unregister(pid: int, beads_dir: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(_entry_path(pid, beads_dir))


def _alive(entry: dict[str, Any]) -> bool:
    """The daemon still runs: its process exists and it still holds its workspace's lock,
    which names it (a pid reused by another process after a crash does not count, nor does
    a killed daemon not yet reaped: the kernel released its lock when it died)."""
    pid = entry.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or another user's process
        return False
    lock = entry.get("lock_path")
    if not isinstance(lock, str):
        return True  # an entry without its lock path: trust the process
    return read_pid(Path(lock)) == pid and held(Path(lock))


def entries(prune: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(live entries sorted by workspace, stale entries). Stale ones are removed unless
    `prune` is False."""
    directory = registry_dir()
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return [], []
    live: list[dict[str, Any]] = []
    stale: list[dict[str, Any]] = []
    for name in names:
        if not name.endswith(".json"):
            continue
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as handle:
                entry = json.load(handle)
        except FileNotFoundError:
            continue  # its daemon stopped while we listed
        except (OSError, ValueError):
            entry = {"pid": None, "registry_file": path}
        if not isinstance(entry, dict):
            entry = {"pid": None, "registry_file": path}
        if _alive(entry):
            live.append(entry)
            continue
        stale.append(entry)
        if prune:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    live.sort(key=lambda e: (str(e.get("workspace_path", "")), int(e["pid"])))
    return live, stale


def find(target: str) -> dict[str, Any] | None:
    """The live daemon whose pid is `target`, or whose workspace (or .beads directory, or
    database) is the path `target`."""
    live, _ = entries()
    if target.isdigit():
        for entry in live:
            if entry["pid"] == int(target):
                return entry
        return None
    wanted = os.path.realpath(os.path.expanduser(target))
    for entry in live:
        paths = (entry.get("workspace_path"), entry.get("beads_dir"), entry.get("database_path"))
        if wanted in {os.path.realpath(p) for p in paths if isinstance(p, str)}:
            return entry
    return None
