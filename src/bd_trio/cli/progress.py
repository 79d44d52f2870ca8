"""A progress bar on stderr, for people: long commands (batch, import, create -f) show how far
they got.

Only on a terminal (stderr is a TTY), never with --json (agents parse stdout and read
stderr as messages), and only once the work has taken more than SHOW_AFTER_S, so quick
commands print nothing extra. It is fed (done, total) by the daemon's progress frames, or
directly by the operation in direct mode; it erases itself when the work ends.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType

from bd_trio.cli import globals as g
from bd_trio.terminal import inert

SHOW_AFTER_S = 0.5
WIDTH = 30


class ProgressBar:
    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty() and not (g.current.json or g.current.quiet)
        self.started = time.monotonic()
        self.shown = False

    @property
    def listener(self) -> ProgressBar | None:
        """What to hand the backend: None when no bar can show (no progress is asked for)."""
        return self if self.enabled else None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        if not self.shown and time.monotonic() - self.started < SHOW_AFTER_S:
            return
        self.shown = True
        filled = WIDTH * min(done, total) // total
        bar = "#" * filled + "-" * (WIDTH - filled)
        percent = 100 * min(done, total) // total
        sys.stderr.write(f"\r{inert(self.label)} [{bar}] {done}/{total} {percent:3d}%")
        sys.stderr.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.shown:  # erase the bar: what follows starts on a clean line
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
