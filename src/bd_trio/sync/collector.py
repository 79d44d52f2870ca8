"""Python's cyclic garbage collector paused while a big file is parsed and imported.

Parsing builds a few objects per record that all stay alive until the import ends: the
collector would walk every one of them again each time enough new ones pile up (about half
of the parse time of a 100,000-issue file, measured side by side). The records hold no
reference cycles, so reference counting frees them without the collector. Pauses nest and may
come from several threads (the daemon's database thread): the collector runs again when the
last one ends, if it ran before the first began."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = True


@contextmanager
def paused() -> Iterator[None]:
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
