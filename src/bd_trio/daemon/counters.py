"""What `health` reports: counters, changed only through the methods below, each called from
one place (named in its docstring). All of them run on the event loop."""

from __future__ import annotations

import os
import time
from typing import Any

from bd_trio import INTERFACE_VERSION, __version__
from bd_trio.protocol.limits import PROTOCOL_VERSION

_PID = os.getpid()  # the daemon never forks after start-up


class Counters:
    __slots__ = (
        "claims_swept",
        "connections",
        "connections_total",
        "errors",
        "exports",
        "group_redos",
        "groups",
        "imports",
        "largest_group",
        "last_export_error",
        "last_request_monotonic",
        "reads",
        "requests",
        "started_monotonic",
        "timeouts",
        "writes",
    )

    def __init__(self) -> None:
        self.started_monotonic = time.monotonic()
        self.connections = 0
        self.connections_total = 0
        self.requests = 0
        self.last_request_monotonic = time.monotonic()
        self.errors = 0
        self.timeouts = 0
        self.reads = 0
        self.writes = 0
        self.groups = 0
        self.group_redos = 0
        self.largest_group = 0
        self.exports = 0
        self.imports = 0
        self.claims_swept = 0
        self.last_export_error: str | None = None

    # server.py
    def connection_opened(self) -> None:
        """Server._handle, when a connection is accepted."""
        self.connections += 1
        self.connections_total += 1

    def connection_closed(self) -> None:
        """Server._handle, when a connection ends."""
        self.connections -= 1

    def request(self) -> None:
        """Server.execute, per request."""
        self.requests += 1
        self.last_request_monotonic = time.monotonic()

    def idle_s(self) -> float:
        return time.monotonic() - self.last_request_monotonic

    def error(self) -> None:
        """Server.execute, per request answered with an error."""
        self.errors += 1

    # reads.py
    def read(self) -> None:
        """ReadPool.read, per read run on a read-only connection."""
        self.reads += 1

    # writer.py
    def timeout(self) -> None:
        """Writer.call, per request given up past its deadline (never applied)."""
        self.timeouts += 1

    def group(self, ran: int, writes: int, redone: bool) -> None:
        """Writer._complete, per committed group: `ran` jobs, `writes` successful writes,
        `redone` when a failure made it run again with a savepoint per job."""
        self.groups += 1
        self.largest_group = max(self.largest_group, ran)
        self.writes += writes
        self.group_redos += int(redone)

    def imported(self) -> None:
        """Writer (auto-import), per import of a changed issues.jsonl."""
        self.imports += 1

    # exporter.py
    def exported(self) -> None:
        """run_exporter, per export that wrote the file."""
        self.exports += 1
        self.last_export_error = None

    def export_failed(self, message: str) -> bool:
        """run_exporter, per failed export; True when the message is new (log it once)."""
        new = message != self.last_export_error
        self.last_export_error = message
        return new

    # sweeper.py
    def swept(self, claims: int) -> None:
        """run_sweeper, per sweep that expired claims."""
        self.claims_swept += claims

    def uptime_s(self) -> float:
        return round(time.monotonic() - self.started_monotonic, 3)

    def ping(self) -> dict[str, Any]:
        return {"pong": True, "pid": _PID, "version": __version__, "protocol": PROTOCOL_VERSION}

    def health(
        self,
        *,
        database: str,
        socket: str,
        workspace: str,
        queue_depth: int,
        flush_debounce_s: float,
        dirty: bool,
    ) -> dict[str, Any]:
        return {
            "status": "ok",
            "pid": os.getpid(),
            "version": __version__,
            "interface_version": INTERFACE_VERSION,
            "protocol": PROTOCOL_VERSION,
            "uptime_s": self.uptime_s(),
            "database": database,
            "socket": socket,
            "workspace": workspace,
            "queue_depth": queue_depth,
            "connections": self.connections,
            "connections_total": self.connections_total,
            "requests_served": self.requests,
            "errors": self.errors,
            "timeouts": self.timeouts,
            "reads": self.reads,
            "writes": self.writes,
            "group_commits": self.groups,
            "group_redos": self.group_redos,
            "largest_group": self.largest_group,
            "exports": self.exports,
            "imports": self.imports,
            "claims_swept": self.claims_swept,
            "export_pending": dirty,
            "last_export_error": self.last_export_error,
            "flush_debounce_s": flush_debounce_s,
        }
