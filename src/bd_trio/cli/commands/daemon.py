"""daemon start / stop / status / restart: the handlers (declared in cli/table.py)."""

from __future__ import annotations

import os
import sys
from typing import Any

from bd_trio import __version__
from bd_trio.backend import launcher
from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, fail, out
from bd_trio.errors import BdError
from bd_trio.workspace import Workspace, discover


def _workspace() -> Workspace:
    return discover(g.current.db)


def _print_health(health: dict[str, Any]) -> None:
    out(f"Daemon is running (PID {health['pid']})")
    same = "" if health["version"] == __version__ else "  <- differs: bd daemon restart"
    out(
        f"  Version: bd-trio {health['version']} (interface {health['interface_version']}); "
        f"this CLI: bd-trio {__version__}{same}"
    )
    out(f"  Uptime: {health['uptime_s']:.1f} s")
    out(f"  Socket: {health['socket']}")
    out(f"  Database: {health['database']}")
    out(f"  Queue depth: {health['queue_depth']}")
    out(f"  Connections: {health['connections']}")
    out(f"  Requests served: {health['requests_served']}")
    sync = health.get("sync") or {}
    if health.get("auto_sync_s") and sync:
        out(
            f"  Auto-sync: every {sync.get('interval_s') or health['auto_sync_s']:g} s "
            f"(configured {health['auto_sync_s']:g} s); {sync['syncs']} syncs, "
            f"{sync['attempts']} attempts, {sync['rejections']} pushes rejected"
        )
        if sync.get("last_sync_error"):
            out(f"  Last sync error: {sync['last_sync_error']}")
    refused = health.get("jsonl_error")
    if refused:  # reads answer from the database, writes are refused until the file is fixed
        out(f"  issues.jsonl: REFUSED, writes refused until fixed: {refused.get('message')}")
    hooks = health.get("hooks")
    if hooks and hooks.get("configured"):
        line = f"  Hooks: {hooks['configured']} configured, {hooks['ran']} runs"
        line += f", {hooks['failed']} failed"
        out(line)
        if hooks.get("last_error"):
            out(f"    last failure: {hooks['last_error']}")


def _start_options(
    flush_debounce: float, auto_commit: bool, auto_push: bool, auto_sync: str | None = None
) -> Any:
    if flush_debounce < 0:
        fail(BdError("validation", "--flush-debounce must be >= 0", field="flush_debounce"))
    from bd_trio.model.durations import lease_seconds

    sync_s = lease_seconds(auto_sync, "--auto-sync") if auto_sync is not None else None
    return launcher.StartOptions(
        flush_debounce, auto_commit or auto_push, auto_push, sync_s or None
    )


def _report_started(health: dict[str, Any]) -> None:
    if g.current.json:
        emit_json(health)
    else:
        out(f"Daemon started (PID {health['pid']})")
        out(f"  Socket: {health['socket']}")


def start(
    foreground: bool = False,
    flush_debounce: float = 1.0,
    auto_commit: bool = False,
    auto_push: bool = False,
    auto_sync: str | None = None,
) -> None:
    """Start the daemon (detached unless --foreground)."""
    workspace = _workspace()
    options = _start_options(flush_debounce, auto_commit, auto_push, auto_sync)
    if foreground:
        # The daemon runs in this process: replace it, so signals reach the daemon directly.
        command = launcher.daemon_command(workspace, options, foreground=True)
        sys.stdout.flush()
        os.execv(command[0], command)
    health = launcher.start(workspace, options)
    _report_started(health)


def stop() -> None:
    """Stop the daemon gracefully (queued writes finish, JSONL is exported)."""
    workspace = _workspace()
    pid = launcher.stop(workspace)
    if g.current.json:
        emit_json({"stopped": pid is not None, "pid": pid})
    elif pid is None:
        out("Daemon is not running")
    else:
        out(f"Daemon stopped (PID {pid})")


def status() -> None:
    """Is the daemon running? (--json: its health object)"""
    workspace = _workspace()
    health = launcher.health(workspace)
    if g.current.json:
        answer = health if health is not None else {"status": "stopped"}
        emit_json({**answer, "cli_version": __version__})
    elif health is None:
        out("Daemon is not running")
    else:
        _print_health(health)


def restart(
    flush_debounce: float = 1.0, auto_commit: bool = False, auto_push: bool = False
) -> None:
    """Stop the daemon if it runs, then start it."""
    workspace = _workspace()
    options = _start_options(flush_debounce, auto_commit, auto_push)
    launcher.stop(workspace)
    health = launcher.start(workspace, options)
    _report_started(health)
