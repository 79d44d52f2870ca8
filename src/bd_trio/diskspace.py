"""Is a failed write the disk's fault? Git and SQLite do not always say so ("couldn't write
...lock", "disk I/O error"), so besides the error's own words a disk with next to nothing
free counts as the reason. Used where a failure becomes a message for the user."""

from __future__ import annotations

import errno
import os
from pathlib import Path

DISK_FULL_SIGNS = ("no space left", "out of diskspace", "disk is full", "disk quota exceeded")
NEARLY_FULL_BYTES = 64 * 1024


def disk_full(exc: BaseException, path: Path) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if any(sign in str(exc).lower() for sign in DISK_FULL_SIGNS):
        return True
    try:
        stats = os.statvfs(path)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < NEARLY_FULL_BYTES
