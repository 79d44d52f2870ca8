"""What `health` reports: counters the handlers and the writer update on the event loop."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from bd_trio import INTERFACE_VERSION, __version__
from bd_trio.protocol.limits import PROTOCOL_VERSION

_PID = os.getpid()  # the daemon never forks after start-up


@dataclass(slots=True)
class Counters:
    started_monotonic: float = field(default_factory=time.monotonic)
    connections: int = 0
    connections_total: int = 0
    requests: int = 0
    errors: int = 0
    timeouts: int = 0
    writes: int = 0
    groups: int = 0
    largest_group: int = 0
    exports: int = 0
    imports: int = 0
    claims_swept: int = 0
    last_export_error: str | None = None

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
            "writes": self.writes,
            "group_commits": self.groups,
            "largest_group": self.largest_group,
            "exports": self.exports,
            "imports": self.imports,
            "claims_swept": self.claims_swept,
            "export_pending": dirty,
            "last_export_error": self.last_export_error,
            "flush_debounce_s": flush_debounce_s,
        }
