"""What an operation knows about its caller: who acts, the workspace settings, and the time."""

from __future__ import annotations

from dataclasses import dataclass, field

from bd_trio.model import clock


@dataclass(slots=True)
class OpContext:
    actor: str
    prefix: str
    id_mode: str = "sequential"
    # One timestamp per request, so every row an operation writes carries the same time.
    now: str = field(default_factory=clock.now)
