"""Giving memory back to the system after a big answer.

Serving one large request (an export, `blocked` on a big database) leaves the freed memory in
glibc's heap, so the daemon's resident size stays at its peak. `malloc_trim` returns the free
pages; it is called only after large responses, where its cost (~1 ms) is small beside the
response itself. A no-op where glibc is not available.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

LARGE_RESPONSE = 1 << 20  # bytes

_trim: Callable[[int], int] | None = None
_loaded = False


def release_free_memory() -> None:
    global _trim, _loaded
    if not _loaded:
        _loaded = True
        name = ctypes.util.find_library("c")
        try:
            _trim = ctypes.CDLL(name).malloc_trim if name else None
        except (OSError, AttributeError):
            _trim = None
    if _trim is not None:
        _trim(0)
