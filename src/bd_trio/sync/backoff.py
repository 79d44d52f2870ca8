"""How `bd sync` waits between push attempts when others keep pushing: jittered exponential
backoff until a deadline.

Many clones racing one remote each lose a push when someone else got in between their fetch
and their push. Retrying at once makes them collide again; waiting a fixed time keeps them in
step. Each wait is drawn uniformly from [0, ceiling] ("full jitter"), and the ceiling doubles
with every rejection up to `cap_s`, so the racers spread out over a window that grows with how
crowded the remote is. Attempts go on until the deadline, not for a fixed count.

The clock, the sleep and the random source are injected: the tests drive it on a fake clock.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bd_trio.model.durations import DEFAULT_SYNC_TIMEOUT_S

DEFAULT_TIMEOUT_S = DEFAULT_SYNC_TIMEOUT_S
FIRST_CEILING_S = 0.2
CAP_S = 4.0


@dataclass
class Backoff:
    timeout_s: float = DEFAULT_TIMEOUT_S
    first_s: float = FIRST_CEILING_S
    cap_s: float = CAP_S
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    started: float = field(init=False)
    waits: int = field(init=False, default=0)  # waits so far (rejections retried)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def deadline(self) -> float:
        return self.started + self.timeout_s

    def elapsed(self) -> float:
        return self.clock() - self.started

    def ceiling(self) -> float:
        """The longest the next wait may be."""
        return float(min(self.cap_s, self.first_s * 2.0**self.waits))

    def wait(self) -> bool:
        """Sleep before the next attempt; False (without sleeping) once the deadline has
        passed. A wait never runs past the deadline: the last attempt starts before it."""
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            return False
        delay = min(self.rng.uniform(0.0, self.ceiling()), remaining)
        self.waits += 1
        if delay > 0:
            self.sleep(delay)
        return True
