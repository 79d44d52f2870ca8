"""daemon start / stop / status / restart."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from bd_trio.backend import launcher
from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, fail, out
from bd_trio.errors import BdError
from bd_trio.workspace import Workspace, discover

daemon_app = typer.Typer(help="Run the per-repository daemon.", no_args_is_help=True)


def _workspace() -> Workspace:
    return discover(g.current.db)


def _print_health(health: dict[str, Any]) -> None:
    out(f"Daemon is running (PID {health['pid']})")
    out(f"  Version: bd-trio {health['version']} (interface {health['interface_version']})")
    out(f"  Uptime: {health['uptime_s']:.1f} s")
    out(f"  Socket: {health['socket']}")
    out(f"  Database: {health['database']}")
    out(f"  Queue depth: {health['queue_depth']}")
    out(f"  Connections: {health['connections']}")
    out(f"  Requests served: {health['requests_served']}")


def _start_options(flush_debounce: float, auto_commit: bool, auto_push: bool) -> Any:
    if flush_debounce < 0:
        fail(BdError("validation", "--flush-debounce must be >= 0", field="flush_debounce"))
    return launcher.StartOptions(flush_debounce, auto_commit or auto_push, auto_push)


def _report_started(health: dict[str, Any]) -> None:
    if g.current.json:
        emit_json(health)
    else:
        out(f"Daemon started (PID {health['pid']})")
        out(f"  Socket: {health['socket']}")


@daemon_app.command("start")
def start(
    foreground: bool = typer.Option(False, "--foreground", help="Stay attached; log to stderr"),
    flush_debounce: float = typer.Option(
        1.0, "--flush-debounce", help="Seconds of quiet before exporting JSONL"
    ),
    auto_commit: bool = typer.Option(False, "--auto-commit", help="git commit each export"),
    auto_push: bool = typer.Option(False, "--auto-push", help="git push after each commit"),
) -> None:
    """Start the daemon (detached unless --foreground)."""
    workspace = _workspace()
    options = _start_options(flush_debounce, auto_commit, auto_push)
    if foreground:
        # The daemon runs in this process: replace it, so signals reach the daemon directly.
        command = launcher.daemon_command(workspace, options, foreground=True)
        sys.stdout.flush()
        os.execv(command[0], command)
    health = launcher.start(workspace, options)
    _report_started(health)


@daemon_app.command("stop")
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


@daemon_app.command("status")
def status() -> None:
    """Is the daemon running? (--json: its health object)"""
    workspace = _workspace()
    health = launcher.health(workspace)
    if g.current.json:
        emit_json(health if health is not None else {"status": "stopped"})
    elif health is None:
        out("Daemon is not running")
    else:
        _print_health(health)


@daemon_app.command("restart")
def restart(
    flush_debounce: float = typer.Option(1.0, "--flush-debounce"),
    auto_commit: bool = typer.Option(False, "--auto-commit"),
    auto_push: bool = typer.Option(False, "--auto-push"),
) -> None:
    """Stop the daemon if it runs, then start it."""
    workspace = _workspace()
    options = _start_options(flush_debounce, auto_commit, auto_push)
    launcher.stop(workspace)
    health = launcher.start(workspace, options)
    _report_started(health)


def register(app: typer.Typer) -> None:
    app.add_typer(daemon_app, name="daemon")
