"""daemons list / health / logs / stop / restart / killall: every bd daemon of this user, found
through the per-user registry (daemon_registry.py), whatever workspace the command runs in.

JSON shapes follow Go bd's `bd daemons` (its health report, stop, restart, logs and killall
objects); `list` gives the registry entries (snake_case keys) plus what the daemon's health
says (`alive`, `uptime_seconds`, `queue_depth`), and Go bd's own keys (`WorkspacePath`,
`PID`, `Alive`, ...).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from bd_trio import __version__, daemon_registry
from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, err, fail, out
from bd_trio.errors import BdError
from bd_trio.workspace import Workspace

STOP_TIMEOUT_S = 30.0
TERM_GRACE_S = 3.0


def _health(entry: dict[str, Any], timeout: float = 2.0) -> dict[str, Any] | None:
    from bd_trio.client.blocking import BlockingClient

    try:
        with BlockingClient(
            Path(entry["socket_path"]), timeout=timeout, connect_timeout=timeout
        ) as client:
            answer: dict[str, Any] = client.health()
            return answer
    except (BdError, KeyError, TypeError):
        return None


def _workspace(entry: dict[str, Any]) -> Workspace:
    return Workspace(Path(entry["beads_dir"]), Path(entry["database_path"]))


def _target(target: str) -> dict[str, Any]:
    entry = daemon_registry.find(target)
    if entry is None:
        fail(
            BdError(
                "not_found",
                f"no running daemon for {target}: `bd daemons list` shows them (give a "
                "workspace path or a PID)",
            )
        )
    return entry


def _human_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m"
    if seconds < 86400:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"


def list_daemons(search: list[str] | None = None, no_cleanup: bool = False) -> None:
    """Every running bd daemon of this user (stale registry entries are pruned)."""
    live, stale = daemon_registry.entries(prune=not no_cleanup)
    if stale and not no_cleanup and not g.current.json:
        err(f"Cleaned up {len(stale)} stale registry entr{'y' if len(stale) == 1 else 'ies'}")
    rows = []
    for entry in live:
        health = _health(entry)
        uptime = health["uptime_s"] if health else None
        rows.append(
            {
                **entry,
                "alive": health is not None,
                "uptime_seconds": uptime,
                "queue_depth": health["queue_depth"] if health else None,
                # Go bd's DaemonInfo keys, which its JSON spells like the struct's fields
                # (tools read `bd daemons list --json` with them)
                "WorkspacePath": entry["workspace_path"],
                "DatabasePath": entry["database_path"],
                "SocketPath": entry["socket_path"],
                "PID": entry["pid"],
                "Version": entry["version"],
                "UptimeSeconds": uptime or 0.0,
                "LastActivityTime": "",
                "ExclusiveLockActive": False,
                "ExclusiveLockHolder": "",
                "Alive": health is not None,
                "Error": "" if health else "the daemon does not answer on its socket",
            }
        )
    if g.current.json:
        emit_json(rows)
        return
    if not rows:
        out("No running daemons found")
        return
    out(f"{'WORKSPACE':40}  {'PID':>7}  {'VERSION':9}  UPTIME")
    for row in rows:
        uptime = (
            "(no answer)"
            if row["uptime_seconds"] is None
            else (_human_duration(float(row["uptime_seconds"])))
        )
        workspace = str(row.get("workspace_path", "(unknown)"))
        out(f"{workspace:40}  {row['pid']:>7}  {row['version']!s:9}  {uptime}")


def health(search: list[str] | None = None) -> None:
    """Check every daemon: healthy, stale (registered, process gone), version_mismatch,
    unresponsive. Exit 1 when any is not healthy."""
    live, stale = daemon_registry.entries()
    reports: list[dict[str, Any]] = []
    for entry in stale:
        reports.append(
            {
                "workspace": entry.get("workspace_path", ""),
                "socket_path": entry.get("socket_path", ""),
                "pid": entry.get("pid"),
                "version": entry.get("version", ""),
                "status": "stale",
                "issue": "the daemon's process is gone (its registry entry was removed)",
            }
        )
    for entry in live:
        report: dict[str, Any] = {
            "workspace": entry["workspace_path"],
            "socket_path": entry["socket_path"],
            "pid": entry["pid"],
            "version": entry["version"],
        }
        answer = _health(entry)
        if answer is None:
            report.update(status="unresponsive", issue="the daemon does not answer on its socket")
        elif answer["version"] != __version__:
            report.update(
                status="version_mismatch",
                issue=f"daemon version {answer['version']} != client version {__version__}",
                version_mismatch=True,
            )
        else:
            report["status"] = "healthy"
        reports.append(report)
    counts = {
        key: sum(1 for r in reports if r["status"] == status)
        for key, status in (
            ("healthy", "healthy"),
            ("stale", "stale"),
            ("mismatched", "version_mismatch"),
            ("unresponsive", "unresponsive"),
        )
    }
    if g.current.json:
        emit_json({"total": len(reports), **counts, "daemons": reports})
    elif not reports:
        out("No daemons found")
    else:
        out("Health Check Summary:")
        out(f"  Total:        {len(reports)}")
        for key, count in counts.items():
            out(f"  {key.capitalize() + ':':13} {count}")
        for r in reports:
            issue = f"  ({r['issue']})" if r.get("issue") else ""
            out(f"  {r['workspace']}  PID {r['pid']}  {r['status']}{issue}")
    if len(reports) != counts["healthy"]:
        raise SystemExit(1)


def logs(target: str, lines: int = 50, follow: bool = False) -> None:
    """The log of one daemon (by workspace path or PID): its last lines, or follow it."""
    entry = _target(target)
    path = Path(entry.get("log_path") or Path(entry["beads_dir"]) / "daemon.log")
    try:
        content = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        fail(BdError("not_found", f"cannot read the log {path}: {exc.strerror}"))
    if g.current.json:
        emit_json({"workspace": entry["workspace_path"], "log_path": str(path), "content": content})
        return
    for line in content.splitlines()[-lines:] if lines > 0 else []:
        out(line)
    if follow:
        _follow(path, len(content.encode("utf-8")))


def _follow(path: Path, offset: int) -> None:
    """Print what is appended to the log until interrupted (like `tail -f`)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            while True:
                chunk = handle.readline()
                if chunk:
                    sys.stdout.write(chunk.decode("utf-8", errors="replace"))
                    sys.stdout.flush()
                else:
                    time.sleep(0.2)
    except KeyboardInterrupt:
        return


def _stop(entry: dict[str, Any], force: bool = False) -> None:
    """Stop one daemon: the `shutdown` request, else SIGTERM, else (force) SIGKILL; wait until
    it released its workspace's lock."""
    from bd_trio.client.blocking import BlockingClient
    from bd_trio.daemon_state import lock_held

    workspace = _workspace(entry)
    pid = int(entry["pid"])
    asked = False
    try:
        with BlockingClient(Path(entry["socket_path"]), timeout=5.0) as client:
            client.shutdown()
            asked = True
    except BdError:
        pass
    if not asked:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + (TERM_GRACE_S if force else STOP_TIMEOUT_S)
    while time.monotonic() < deadline:
        if not lock_held(workspace):
            return
        time.sleep(0.02)
    if force:
        _signal(pid, signal.SIGKILL)
        daemon_registry.unregister(pid, str(entry["beads_dir"]))
        return
    raise BdError("timeout", f"the daemon (PID {pid}) did not stop within {STOP_TIMEOUT_S:.0f} s")


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def stop(target: str) -> None:
    """Stop one daemon gracefully, by workspace path or PID."""
    entry = _target(target)
    try:
        _stop(entry)
    except BdError as exc:
        fail(exc)
    if g.current.json:
        emit_json({"workspace": entry["workspace_path"], "pid": entry["pid"], "stopped": True})
    else:
        out(f"Stopped daemon for {entry['workspace_path']} (PID {entry['pid']})")


def restart(target: str, search: list[str] | None = None) -> None:
    """Stop one daemon, then start it again with the options it ran with."""
    from bd_trio.backend import launcher

    entry = _target(target)
    options = launcher.StartOptions(**entry.get("options", {}))
    try:
        _stop(entry)
        health = launcher.start(_workspace(entry), options)
    except (BdError, TypeError) as exc:
        fail(exc if isinstance(exc, BdError) else BdError("internal", str(exc)))
    if g.current.json:
        emit_json(
            {"workspace": entry["workspace_path"], "action": "restarted", "pid": health["pid"]}
        )
    else:
        out(f"Restarted daemon for {entry['workspace_path']} (PID {health['pid']})")


def killall(search: list[str] | None = None, force: bool = False) -> None:
    """Stop every running daemon (--force: SIGKILL one that does not stop within 3 s)."""
    live, _ = daemon_registry.entries()
    failures = []
    for entry in live:
        try:
            _stop(entry, force=force)
        except BdError as exc:
            failures.append(
                {"workspace": entry["workspace_path"], "pid": entry["pid"], "error": exc.message}
            )
    result: dict[str, Any] = {"stopped": len(live) - len(failures), "failed": len(failures)}
    if failures:
        result["failures"] = failures
    if g.current.json:
        emit_json(result)
    elif not live:
        out("No running daemons found")
    else:
        out(f"Stopped: {result['stopped']}")
        out(f"Failed:  {result['failed']}")
        for f in failures:
            out(f"  {f['workspace']} (PID {f['pid']}): {f['error']}")
    if failures:
        raise SystemExit(1)
