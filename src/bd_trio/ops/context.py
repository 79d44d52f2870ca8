"""What an operation knows about its caller: who acts, the workspace settings, and the time."""

from __future__ import annotations

from dataclasses import dataclass, field

from bd_trio.model import clock
from bd_trio.model.durations import DEFAULT_LEASE_S


@dataclass(slots=True)
class OpContext:
    actor: str
    prefix: str
    id_mode: str = "sequential"
    # The lease of a claim that names none (`claim_lease` in config.json); 0: never expires.
    claim_lease_s: float = DEFAULT_LEASE_S
    # One timestamp per request, so every row an operation writes carries the same time.
    now: str = field(default_factory=clock.now)
