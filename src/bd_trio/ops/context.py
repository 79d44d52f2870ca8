"""What an operation knows about its caller: who acts, the workspace settings, and the time."""

from __future__ import annotations

from collections.abc import Callable

from bd_trio.model import clock
from bd_trio.model.durations import DEFAULT_LEASE_S


class OpContext:
    """A plain class, not a dataclass: it is on every direct-mode call's start-up path."""

    __slots__ = ("actor", "claim_lease_s", "id_mode", "now", "prefix", "progress")

    def __init__(
        self,
        actor: str,
        prefix: str,
        id_mode: str = "sequential",
        # The lease of a claim that names none (`claim_lease` in config.json); 0: never expires.
        claim_lease_s: float = DEFAULT_LEASE_S,
        # One timestamp per request, so every row an operation writes carries the same time.
        now: str | None = None,
        # Long operations (batches, imports) report (done, total) here when someone listens.
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.actor = actor
        self.prefix = prefix
        self.id_mode = id_mode
        self.claim_lease_s = claim_lease_s
        self.now: str = now if now is not None else clock.now()
        self.progress = progress
