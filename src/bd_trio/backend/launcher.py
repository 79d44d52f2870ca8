"""Starting and stopping a daemon process from the CLI (no trio in this process).

`start` spawns `python -m bd_trio.daemon` in a new session (detached from the terminal) and
returns once its socket answers a ping, or fails with the end of the daemon's log.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from bd_trio.client.blocking import BlockingClient
from bd_trio.daemon_state import daemon_pid, lock_held
from bd_trio.errors import BdError
from bd_trio.workspace import Workspace

START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class StartOptions:
    flush_debounce_s: float = 1.0
    auto_commit: bool = False
    auto_push: bool = False
    auto_sync_s: float | None = None
    idle_timeout_s: float | None = None  # auto-start sets it: such a daemon stops when idle


def daemon_command(workspace: Workspace, options: StartOptions, foreground: bool) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "bd_trio.daemon",
        "--db",
        str(workspace.db_path),
        "--flush-debounce",
        str(options.flush_debounce_s),
    ]
    if options.auto_commit:
        command.append("--auto-commit")
    if options.auto_sync_s:
        command += ["--auto-sync", str(options.auto_sync_s)]
    if options.idle_timeout_s:
        command += ["--idle-timeout", str(options.idle_timeout_s)]
    if options.auto_push:
        command.append("--auto-push")
    if foreground:
        command.append("--foreground")
    return command


def health(workspace: Workspace, timeout: float = 2.0) -> dict[str, Any] | None:
    """The daemon's health, or None when no daemon answers."""
    path = workspace.socket_path
    if not path.exists():
        return None
    try:
        with BlockingClient(path, timeout=timeout, connect_timeout=timeout) as client:
            answer: dict[str, Any] = client.health()
            return answer
    except BdError:
        return None


def start(workspace: Workspace, options: StartOptions) -> dict[str, Any]:
    running = health(workspace)
    if running is not None:
        raise BdError(
            "conflict", f"a daemon is already running (PID {running['pid']})", pid=running["pid"]
        )
    workspace.beads_dir.mkdir(parents=True, exist_ok=True)
    log = open(workspace.log_path, "ab")  # noqa: SIM115 - handed to the child
    try:
        process = subprocess.Popen(
            daemon_command(workspace, options, foreground=False),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
            cwd=str(workspace.root),
        )
    finally:
        log.close()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        answer = health(workspace, timeout=1.0)
        if answer is not None and answer["pid"] == process.pid:
            return answer
        code = process.poll()
        if code is not None:
            raise BdError(
                "unavailable",
                f"the daemon exited with status {code} while starting:\n{log_tail(workspace)}",
            )
        time.sleep(0.02)
    process.kill()
    raise BdError(
        "timeout",
        f"the daemon did not answer within {START_TIMEOUT_S:.0f} s; see {workspace.log_path}",
    )


def stop(workspace: Workspace) -> int | None:
    """Ask the daemon to stop gracefully; wait until it released its lock. Returns its pid,
    or None when no daemon was running."""
    running = health(workspace)
    pid = running["pid"] if running else daemon_pid(workspace)
    if running is not None:
        try:
            with BlockingClient(workspace.socket_path, timeout=5.0) as client:
                client.shutdown()
        except BdError:
            pass
    elif pid is not None and lock_held(workspace):
        os.kill(pid, signal.SIGTERM)  # alive but not answering: ask it the POSIX way
    else:
        return None
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        if not lock_held(workspace):
            return pid
        time.sleep(0.02)
    raise BdError("timeout", f"the daemon (PID {pid}) did not stop within {STOP_TIMEOUT_S:.0f} s")


def log_tail(workspace: Workspace, lines: int = 15) -> str:
    try:
        text = workspace.log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


# --- auto-start with backoff ------------------------------------------------------------------

AUTOSTART_STATE = "daemon.autostart"
MAX_BACKOFF_S = 300.0


def autostart_enabled(workspace: Workspace) -> bool:
    if os.environ.get("BD_AUTO_START", "").lower() in ("1", "true", "yes"):
        return True
    try:
        raw = json.loads(workspace.config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(raw, dict) and raw.get("auto_start") is True


DEFAULT_IDLE_TIMEOUT_S = 3600.0


def autostart_idle_timeout(workspace: Workspace) -> float | None:
    """How long an auto-started daemon may sit idle: `daemon_idle_timeout` in config.json
    (a duration; `0`: forever), else an hour."""
    try:
        raw = json.loads(workspace.config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = {}
    value = raw.get("daemon_idle_timeout") if isinstance(raw, dict) else None
    if value is None:
        return DEFAULT_IDLE_TIMEOUT_S
    from bd_trio.model.durations import lease_seconds

    return lease_seconds(value, "daemon_idle_timeout") or None


def try_autostart(workspace: Workspace) -> bool:
    """Start a daemon unless recent attempts failed (exponential backoff, capped)."""
    state_path = workspace.beads_dir / AUTOSTART_STATE
    try:
        state = json.loads(state_path.read_text())
    except (OSError, ValueError):
        state = {"failures": 0, "last": 0.0}
    failures = int(state.get("failures", 0))
    if failures and time.time() < float(state.get("last", 0)) + min(MAX_BACKOFF_S, 2.0**failures):
        return False
    try:
        start(workspace, StartOptions(idle_timeout_s=autostart_idle_timeout(workspace)))
    except BdError:
        state_path.write_text(json.dumps({"failures": failures + 1, "last": time.time()}))
        return False
    state_path.unlink(missing_ok=True)
    return True
